//! A checkpoint written before money went on the wire as integers (a bet's
//! stake as `{minor, currency}`) still loads, as the same state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_rng::{CertifiedRng, Seed};
use croupier_roulette::{Action, Config, Roulette, Spot};
use croupier_sdk::testing::try_apply;
use croupier_sdk::{Game, Input, PlayerId};

#[test]
fn a_checkpoint_with_money_objects_loads_as_the_same_state() {
    let mut rng = CertifiedRng::from_seed(Seed::from_bytes([7; 32]));
    let mut state = Roulette::new_table(&Config::default());
    let p = PlayerId(3);
    try_apply::<Roulette>(&mut state, Input::Join { player: p, seat: None }, &mut rng).unwrap();
    let bet = Action::Bet { spot: Spot::Red, amount: 700 };
    try_apply::<Roulette>(&mut state, Input::Action { player: p, action: bet }, &mut rng).unwrap();
    let mut old = serde_json::to_value(&state).unwrap();
    assert_eq!(old["bets"][0]["amount"], 700, "{old}");
    old["bets"][0]["amount"] = serde_json::json!({ "minor": 700, "currency": "EUR" });
    let loaded: <Roulette as Game>::State = serde_json::from_value(old).unwrap();
    assert_eq!(loaded, state);
}
