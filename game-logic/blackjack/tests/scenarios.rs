//! Replays every blackjack scenario file with the SDK's harness. The shoe is
//! scripted by giving the Fisher–Yates draws that put the wanted cards on
//! top (computed by inverting the shuffle, outside this code base's shuffle).

use croupier_blackjack::Blackjack;

#[test]
fn blackjack_scenarios_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let ran = croupier_sdk::scenario::run_scenario_dir::<Blackjack>(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(ran >= 5, "only {ran} scenarios ran");
}
