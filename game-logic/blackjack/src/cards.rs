//! Cards, hand values and the shoe.
//!
//! A card is a number 0..52: rank `card % 13` (0 ace, 1–8 two to nine,
//! 9–12 ten, jack, queen, king), suit `card / 13`. The shoe is `decks` packs
//! with no order: each card is drawn uniformly from those left when it is
//! dealt, by the round's generator.

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

/// The shoe: how many copies of each of the 52 cards are left in it, never
/// an order. A card is drawn when it is dealt, uniformly from the cards left,
/// by the round's own generator: which cards a hand gets is decided by the
/// seed committed before that hand and by the cards left, which are exactly
/// what a player who watched every hand since the shuffle saw go. Nothing
/// kept between hands (and so nothing in a checkpoint or a round record)
/// says anything about the next card. The default is empty (filled before
/// the first round).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Shoe {
    /// Copies left of each card, indexed by card (52 entries; none before
    /// the first fill).
    left: Vec<u8>,
    /// Cards in the shoe when it was filled.
    size: u16,
}

impl Shoe {
    /// A full shoe of `decks` packs ("shuffled": no order is kept to shuffle;
    /// each card is drawn at random when dealt).
    pub fn full(decks: u8) -> Self {
        Self { left: vec![decks; 52], size: u16::from(decks) * 52 }
    }

    /// Draws the next card. If the shoe runs out mid-round (a full table on
    /// a small, deeply dealt shoe), the cards not `in_play` go back into it,
    /// as a dealer shuffles the discards; `in_play` is only walked then.
    pub fn deal<'a>(&mut self, decks: u8, in_play: impl IntoIterator<Item = &'a Card>, rng: &mut dyn Draw) -> Card {
        if self.remaining() == 0 || self.left.len() != 52 {
            *self = Self::full(decks);
            for &card in in_play {
                if let Some(n) = self.left.get_mut(usize::from(card)).filter(|n| **n > 0) {
                    *n -= 1;
                    self.size -= 1;
                }
            }
            if self.size == 0 {
                // Every card of the shoe is on the table: only a single pack
                // split to the limit at a full table could do this.
                *self = Self::full(1);
            }
        }
        let mut at = rng.below(self.remaining());
        for (card, n) in self.left.iter_mut().enumerate() {
            if at < u32::from(*n) {
                *n -= 1;
                // invariant: 52 entries, so the index is a card.
                return card as Card;
            }
            at -= u32::from(*n);
        }
        // invariant: `below` answers under the sum of `left`, so the walk
        // above has returned.
        unreachable!("a draw past the cards left")
    }

    /// Share of the shoe dealt, in per mille.
    pub fn dealt_per_mille(&self) -> u32 {
        let size = u32::from(self.size);
        ((size - self.remaining().min(size)) * 1000).checked_div(size).unwrap_or(1000)
    }

    /// Cards left.
    pub fn remaining(&self) -> u32 {
        self.left.iter().map(|&n| u32::from(n)).sum()
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
