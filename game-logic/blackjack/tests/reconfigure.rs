//! An operator's new limits: taken between rounds and offered from then on;
//! a change the table cannot take in place (currency, seats, decks) refused
//! with the state untouched.

#![allow(clippy::unwrap_used)]

use croupier_blackjack::{Action, Blackjack, Config};
use croupier_sdk::testing::offered;
use croupier_sdk::{Currency, Game, PlayerId};

#[test]
fn new_limits_apply_and_fixed_keys_are_refused() {
    let mut state = Blackjack::new_table(&Config::default());
    let raised = Config { min_bet: 500, max_bet: 2_000, dealer_hits_soft_17: true, ..Config::default() };
    Blackjack::reconfigure(&mut state, &raised).unwrap();
    let mut rng = croupier_rng::CertifiedRng::from_seed(croupier_rng::Seed::from_bytes([3; 32]));
    let mut out = Vec::new();
    let join = croupier_sdk::Input::Join { player: PlayerId(1), seat: None };
    Blackjack::apply(&mut state, join, &mut rng, &mut out).unwrap();
    let bets = offered::<Blackjack>(&state, PlayerId(1));
    assert_eq!(bets, vec![Action::Bet { amount: 500 }, Action::Bet { amount: 2_000 }], "the new limits are offered");

    let before = serde_json::to_string(&state).unwrap();
    for fixed in [
        Config { currency: Currency::USD, ..raised.clone() },
        Config { seats: 3, ..raised.clone() },
        Config { decks: 2, ..raised.clone() },
    ] {
        assert_eq!(Blackjack::reconfigure(&mut state, &fixed).unwrap_err().code, "config_fixed", "{fixed:?}");
    }
    assert_eq!(serde_json::to_string(&state).unwrap(), before, "a refused config changes nothing");
}
