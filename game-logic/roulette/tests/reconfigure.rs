//! An operator's new limits: taken between rounds and enforced from then
//! on; a change the table cannot take in place (its currency, fewer seats
//! than players) refused with the state untouched.

#![allow(clippy::unwrap_used)]

use croupier_rng::{CertifiedRng, Seed};
use croupier_roulette::{Action, Config, Roulette, Spot};
use croupier_sdk::{Currency, Game, Input, PlayerId};

fn state_text(state: &<Roulette as Game>::State) -> String {
    serde_json::to_string(state).unwrap()
}

#[test]
fn new_limits_apply_and_fixed_keys_are_refused() {
    let mut rng = CertifiedRng::from_seed(Seed::from_bytes([7; 32]));
    let mut state = Roulette::new_table(&Config::default());
    let mut out = Vec::new();
    for p in [1, 2] {
        Roulette::apply(&mut state, Input::Join { player: PlayerId(p), seat: None }, &mut rng, &mut out).unwrap();
    }
    let raised = Config { min_bet: 500, max_bet: 1_000, ..Config::default() };
    Roulette::reconfigure(&mut state, &raised).unwrap();
    let bet = |amount| Input::Action { player: PlayerId(1), action: Action::Bet { spot: Spot::Red, amount } };
    let below = Roulette::apply(&mut state, bet(200), &mut rng, &mut out).unwrap_err();
    assert_eq!(below.code, "bet_below_minimum", "{below}");
    let above = Roulette::apply(&mut state, bet(2_000), &mut rng, &mut out).unwrap_err();
    assert_eq!(above.code, "bet_above_maximum", "{above}");

    let before = state_text(&state);
    let other_currency = Config { currency: Currency::USD, ..raised.clone() };
    assert_eq!(Roulette::reconfigure(&mut state, &other_currency).unwrap_err().code, "config_fixed");
    let one_seat = Config { seats: 1, ..raised };
    assert_eq!(Roulette::reconfigure(&mut state, &one_seat).unwrap_err().code, "config_fixed");
    assert_eq!(state_text(&state), before, "a refused config changes nothing");
}
