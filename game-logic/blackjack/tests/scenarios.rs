//! Replays every blackjack scenario file with the SDK's harness. The cards
//! are scripted one draw each: `range` is the number of cards left in the
//! shoe and `value` the wanted card's place among them, the cards left being
//! counted in card order (0, 0, ..., 1, 1, ... for a shoe of several packs).

use croupier_blackjack::Blackjack;

#[test]
fn blackjack_scenarios_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let ran = croupier_sdk::scenario::run_scenario_dir::<Blackjack>(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(ran >= 5, "only {ran} scenarios ran");
}
