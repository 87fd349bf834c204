//! Basic strategy: the reference player for simulations and load tests.
//!
//! The standard total-dependent chart for a multi-deck shoe, dealer stands on
//! soft 17, doubling after splits allowed; late surrender of 16 against 9, 10
//! or ace and 15 against 10 when offered; never insurance; the minimum bet.

use croupier_sdk::Draw;
use croupier_sdk::sim::Strategy;

use crate::cards::{Card, total, value};
use crate::table::{Action, Blackjack, Phase, View};

/// The basic-strategy player.
#[derive(Debug, Default, Clone, Copy)]
pub struct BasicStrategy;

/// The chart's decision for `cards` against the dealer's `up` card, given what
/// is allowed.
pub fn decide(cards: &[Card], up: Card, can_double: bool, can_split: bool, can_surrender: bool) -> Action {
    // The dealer's card, an ace counted 11.
    let d = if value(up) == 1 { 11 } else { value(up) };
    let (t, soft) = total(cards);
    let double = |fallback: Action| if can_double { Action::Double } else { fallback };
    if can_surrender && !soft && ((t == 16 && d >= 9) || (t == 15 && d == 10)) {
        return Action::Surrender;
    }
    if can_split && cards.len() == 2 {
        let split = match value(cards[0]) {
            1 | 8 => true,
            9 => !matches!(d, 7 | 10 | 11),
            7 | 2 | 3 => d <= 7,
            6 => d <= 6,
            4 => d == 5 || d == 6,
            _ => false,
        };
        if split {
            return Action::Split;
        }
    }
    if soft {
        return match t {
            19.. => Action::Stand,
            18 => match d {
                3..=6 => double(Action::Stand),
                2 | 7 | 8 => Action::Stand,
                _ => Action::Hit,
            },
            17 if (3..=6).contains(&d) => double(Action::Hit),
            15 | 16 if (4..=6).contains(&d) => double(Action::Hit),
            13 | 14 if (5..=6).contains(&d) => double(Action::Hit),
            _ => Action::Hit,
        };
    }
    match t {
        17.. => Action::Stand,
        13..=16 if d <= 6 => Action::Stand,
        12 if (4..=6).contains(&d) => Action::Stand,
        11 if d <= 10 => double(Action::Hit),
        10 if d <= 9 => double(Action::Hit),
        9 if (3..=6).contains(&d) => double(Action::Hit),
        _ => Action::Hit,
    }
}

impl Strategy<Blackjack> for BasicStrategy {
    fn choose(&mut self, view: &dyn Fn() -> View, offered: &[Action], _rng: &mut dyn Draw) -> Option<Action> {
        let offers = |a: &Action| offered.contains(a);
        // Bets and insurance are decided from the offer alone.
        match offered.first()? {
            bet @ Action::Bet { .. } => return Some(*bet),
            Action::Insurance { .. } => return Some(Action::Insurance { take: false }),
            _ => {}
        }
        let view = view();
        match view.phase {
            Phase::Turn { seat, hand } if view.my_seat == Some(seat) => {
                let s = view.seats.iter().find(|s| s.seat == seat)?;
                let cards = &s.hands.get(usize::from(hand))?.cards;
                let up = (*view.dealer.first()?)?;
                let choice =
                    decide(cards, up, offers(&Action::Double), offers(&Action::Split), offers(&Action::Surrender));
                offers(&choice).then_some(choice)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cards: 0 ace, 1 two, ..., 8 nine, 9 ten, 12 king.
    #[test]
    fn chart_spot_checks() {
        assert_eq!(decide(&[9, 5], 5, true, false, false), Action::Stand, "16 v 6");
        assert_eq!(decide(&[9, 5], 9, true, false, false), Action::Hit, "16 v 10");
        assert_eq!(decide(&[9, 5], 9, true, false, true), Action::Surrender, "16 v 10, surrender");
        assert_eq!(decide(&[5, 4], 0, true, false, false), Action::Hit, "11 v A (S17)");
        assert_eq!(decide(&[5, 4], 5, true, false, false), Action::Double, "11 v 6");
        assert_eq!(decide(&[5, 4, 0], 5, false, false, false), Action::Stand, "3-card 12... soft? A+6+5 = hard 12 v 6");
        assert_eq!(decide(&[0, 6], 4, true, false, false), Action::Double, "soft 18 v 5");
        assert_eq!(decide(&[0, 6], 4, false, false, false), Action::Stand, "soft 18 v 5, no double");
        assert_eq!(decide(&[0, 6], 8, true, false, false), Action::Hit, "soft 18 v 9");
        assert_eq!(decide(&[7, 20], 9, true, true, false), Action::Split, "8s v 10");
        assert_eq!(decide(&[8, 21], 6, true, true, false), Action::Stand, "9s v 7");
        assert_eq!(decide(&[9, 12], 5, true, true, false), Action::Stand, "tens never split");
        assert_eq!(decide(&[4, 17], 5, true, true, false), Action::Double, "5s play as 10");
    }
}
