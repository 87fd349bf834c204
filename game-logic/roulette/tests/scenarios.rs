//! Replays every roulette scenario file with the SDK's harness.

use croupier_roulette::Roulette;

#[test]
fn roulette_scenarios_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let ran = croupier_sdk::scenario::run_scenario_dir::<Roulette>(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(ran >= 4, "only {ran} scenarios ran");
}
