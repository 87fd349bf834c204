//! Replays every slots scenario file with the SDK's harness.

use croupier_slots::Slots;

#[test]
fn slots_scenarios_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let ran = croupier_sdk::scenario::run_scenario_dir::<Slots>(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(ran >= 3, "only {ran} scenarios ran");
}

#[test]
fn the_scenarios_pin_the_default_machine() {
    // The scenarios spell the machine out; it must be the built-in one.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let text = std::fs::read_to_string(dir.join("scatters_trigger_free_spins.json")).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let config: croupier_slots::Config = serde_json::from_value(json["config"].clone()).unwrap_or_default();
    assert_eq!(config, croupier_slots::Config::default());
}
