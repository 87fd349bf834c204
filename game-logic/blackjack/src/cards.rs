//! Cards, hand values and the shoe.
//!
//! A card is a number 0..52: rank `card % 13` (0 ace, 1–8 two to nine,
//! 9–12 ten, jack, queen, king), suit `card / 13`. The shoe is `decks` packs
//! shuffled with Fisher–Yates on the certified RNG; its order is never shown.

use croupier_sdk::Draw;
use serde::{Deserialize, Serialize};

/// A card, 0..52.
pub type Card = u8;

/// Blackjack value of a card: ace 1 (counted 11 by [`total`] when it helps),
/// pictures 10.
pub fn value(card: Card) -> u8 {
    // Ranks 0..13 are ace, two to ten, jack, queen, king.
    (card % 13 + 1).min(10)
}

/// (best total, soft): an ace counts 11 when that does not bust; `soft` says
/// one does.
pub fn total(cards: &[Card]) -> (u8, bool) {
    let hard: u8 = cards.iter().map(|&c| value(c)).sum();
    let has_ace = cards.iter().any(|&c| value(c) == 1);
    if has_ace && hard + 10 <= 21 { (hard + 10, true) } else { (hard, false) }
}

/// Two cards making 21.
pub fn is_blackjack(cards: &[Card]) -> bool {
    cards.len() == 2 && total(cards).0 == 21
}

/// The shoe: cards in dealing order and how many are dealt. The default is
/// empty (shuffled before the first round).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shoe {
    cards: Vec<Card>,
    dealt: usize,
}

impl Shoe {
    /// A freshly shuffled shoe of `decks` packs.
    pub fn shuffled(decks: u8, rng: &mut dyn Draw) -> Self {
        let mut cards: Vec<Card> = (0..decks).flat_map(|_| 0..52).collect();
        croupier_rng::shuffle(rng, &mut cards);
        Self { cards, dealt: 0 }
    }

    /// The next card. If the shoe runs out mid-round (a full table on a
    /// small, deeply dealt shoe), the cards not `in_play` are reshuffled into
    /// a new shoe, as a dealer shuffles the discards; `in_play` is only
    /// walked then.
    pub fn deal<'a>(&mut self, decks: u8, in_play: impl IntoIterator<Item = &'a Card>, rng: &mut dyn Draw) -> Card {
        if self.dealt >= self.cards.len() {
            let mut cards: Vec<Card> = (0..decks).flat_map(|_| 0..52).collect();
            for card in in_play {
                if let Some(i) = cards.iter().position(|c| c == card) {
                    cards.swap_remove(i);
                }
            }
            if cards.is_empty() {
                // Every card of the shoe is on the table: only a single pack
                // split to the limit at a full table could do this.
                cards = (0..52).collect();
            }
            cards.sort_unstable();
            croupier_rng::shuffle(rng, &mut cards);
            *self = Self { cards, dealt: 0 };
        }
        let card = self.cards[self.dealt];
        self.dealt += 1;
        card
    }

    /// Share of the shoe dealt, in per mille.
    pub fn dealt_per_mille(&self) -> u32 {
        if self.cards.is_empty() { 1000 } else { (self.dealt * 1000 / self.cards.len()) as u32 }
    }

    /// Cards left.
    pub fn remaining(&self) -> usize {
        self.cards.len().saturating_sub(self.dealt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_count_aces_soft_when_they_fit() {
        // 0 = A, 5 = 6, 9 = 10, 12 = K.
        assert_eq!(total(&[0, 5]), (17, true));
        assert_eq!(total(&[0, 5, 9]), (17, false));
        assert_eq!(total(&[0, 0]), (12, true));
        assert_eq!(total(&[0, 0, 9]), (12, false));
        assert_eq!(total(&[9, 12]), (20, false));
        assert!(is_blackjack(&[0, 12]));
        assert!(!is_blackjack(&[0, 5, 4]));
        assert_eq!(value(13 + 11), 10, "queen of the second suit");
    }
}
