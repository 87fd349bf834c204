//! Math mode ([`croupier_sdk::math`]): one [`crate::strategy::BasicStrategy`]
//! hand at a one-seat table, dealt from the same shoe in the same order as the
//! table deals it (player, dealer, player, dealer; split hands get their
//! second card when their turn comes), played by the same chart, settled by
//! the same function. Insurance is declined, as the reference player does, so
//! it stakes and draws nothing.

use croupier_sdk::Draw;
use croupier_sdk::math::{MathRounds, RoundBets};

use crate::cards::{Card, Shoe, is_blackjack};
use crate::rules::Config;
use crate::strategy::decide;
use crate::table::{Action, Blackjack, Hand, Status, dealer_draws, hand_return, may};

/// The shoe and the hands, kept between rounds.
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    shoe: Shoe,
    hands: Vec<Hand>,
    dealer: Vec<Card>,
}

impl Engine {
    /// The next card; an empty shoe is refilled with every card not in play.
    fn card(&mut self, rng: &mut impl Draw) -> Card {
        self.shoe.deal(self.config.decks, self.hands.iter().flat_map(|h| &h.cards).chain(&self.dealer), rng)
    }

    /// Plays hand `h` until it is done; returns what it added to the stake.
    fn play_hand(&mut self, h: usize, rng: &mut impl Draw) -> i64 {
        let mut extra = 0;
        loop {
            if self.hands[h].cards.len() == 1 {
                let card = self.card(rng);
                self.hands[h].second_card(card);
            }
            if self.hands[h].status != Status::Playing {
                return extra;
            }
            let (c, hands) = (&self.config, &self.hands);
            let can = |a: Action| may(c, hands, h, &a);
            let (double, split, surrender) = (can(Action::Double), can(Action::Split), can(Action::Surrender));
            match decide(&hands[h].cards, self.dealer[0], double, split, surrender) {
                Action::Hit => {
                    let card = self.card(rng);
                    self.hands[h].hit(card);
                }
                Action::Surrender => self.hands[h].status = Status::Surrendered,
                Action::Double => {
                    extra += self.hands[h].stake;
                    let card = self.card(rng);
                    self.hands[h].double(card);
                }
                Action::Split => {
                    extra += self.hands[h].stake;
                    let new = self.hands[h].split();
                    self.hands.insert(h + 1, new);
                }
                // Stand, and anything the chart would never say here.
                _ => self.hands[h].status = Status::Stood,
            }
        }
    }
}

impl MathRounds for Blackjack {
    type Engine = Engine;

    fn engine(config: &Config) -> Engine {
        Engine { config: config.clone(), shoe: Shoe::default(), hands: vec![], dealer: vec![] }
    }

    /// One hand at the minimum bet.
    fn play(e: &mut Engine, rng: &mut impl Draw, _player_rng: &mut impl Draw, round: &mut RoundBets) {
        e.hands.clear();
        e.dealer.clear();
        if e.shoe.dealt_per_mille() >= e.config.penetration_per_mille {
            e.shoe = Shoe::full(e.config.decks);
        }
        let stake = e.config.min_bet;
        e.hands.push(Hand { cards: vec![], stake, split: false, split_aces: false, status: Status::Playing });
        for _ in 0..2 {
            let card = e.card(rng);
            e.hands[0].cards.push(card);
            let card = e.card(rng);
            e.dealer.push(card);
        }
        let mut staked = stake;
        if !is_blackjack(&e.dealer) {
            if is_blackjack(&e.hands[0].cards) {
                e.hands[0].status = Status::Blackjack;
            }
            let mut h = 0;
            while h < e.hands.len() {
                staked += e.play_hand(h, rng);
                h += 1;
            }
            if e.hands.iter().any(|h| h.status == Status::Stood) {
                while dealer_draws(&e.config, &e.dealer) {
                    let card = e.card(rng);
                    e.dealer.push(card);
                }
            }
        }
        let paid = e.hands.iter().map(|h| hand_return(h, &e.dealer).0).sum();
        round.add(0, staked, paid);
    }
}

#[cfg(test)]
mod tests {
    use croupier_rng::Seed;
    use croupier_sdk::math::same_rounds;

    use super::*;
    use crate::Surrender;
    use crate::strategy::BasicStrategy;

    #[test]
    fn math_mode_plays_the_tables_hands() {
        let seed = Seed::from_bytes([5; 32]);
        assert_eq!(same_rounds::<Blackjack, _>(&Config::default(), BasicStrategy, &seed, 30_000), Ok(None));
        // Other rules: one deck dealt to 90% (the deepest allowed), H17, late
        // surrender, no double after split, re-split aces.
        let other = Config {
            decks: 1,
            penetration_per_mille: 900,
            dealer_hits_soft_17: true,
            surrender: Surrender::Late,
            double_after_split: false,
            resplit_aces: true,
            ..Config::default()
        };
        assert_eq!(same_rounds::<Blackjack, _>(&other, BasicStrategy, &seed, 30_000), Ok(None));
    }
}
