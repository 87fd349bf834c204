//! Replays every scenario file under `tests/scenarios/<game>/` with the one
//! generic runner, and checks the runner itself catches wrong expectations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broken;

use std::path::Path;

use broken::{Broken, SharedAsOwn, UnlistedCode, UnprovokedCode};
use croupier_sdk::example::CoinFlip;
use croupier_sdk::scenario::{ScenarioError, run_scenario, run_scenario_dir};

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/coin_flip")
}

#[test]
fn coin_flip_scenarios_pass() {
    let ran = run_scenario_dir::<CoinFlip>(&dir()).unwrap_or_else(|e| panic!("{e}"));
    assert!(ran >= 5, "only {ran} scenarios ran");
}

fn win_scenario() -> String {
    std::fs::read_to_string(dir().join("win_pays_195_percent.json")).unwrap()
}

#[test]
fn a_wrong_expected_payout_fails_at_its_step() {
    let text = win_scenario().replace(r#""minor": 1950"#, r#""minor": 1951"#);
    let err = run_scenario::<CoinFlip>(&text).unwrap_err();
    assert!(matches!(err, ScenarioError::Step { step: 2, .. }), "{err}");
}

#[test]
fn unused_or_mismatched_draws_fail() {
    let extra = win_scenario()
        .replace(r#"[ { "range": 2, "value": 0 } ]"#, r#"[ { "range": 2, "value": 0 }, { "range": 2, "value": 1 } ]"#);
    assert!(matches!(run_scenario::<CoinFlip>(&extra), Err(ScenarioError::Draws(_))));
    let wrong_range = win_scenario().replace(r#"{ "range": 2, "value": 0 }"#, r#"{ "range": 3, "value": 0 }"#);
    assert!(matches!(run_scenario::<CoinFlip>(&wrong_range), Err(ScenarioError::Draws(_))));
}

#[test]
fn an_expected_rejection_that_is_accepted_fails() {
    let text = win_scenario().replace(
        r#"{ "input": { "type": "join", "player": 1 }, "effects": [] }"#,
        r#"{ "input": { "type": "join", "player": 1 }, "rejected": "nope" }"#,
    );
    assert!(matches!(run_scenario::<CoinFlip>(&text), Err(ScenarioError::Step { step: 0, .. })));
}

#[test]
fn an_empty_folder_is_an_error() {
    let empty = std::env::temp_dir().join(format!("croupier-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let result = run_scenario_dir::<CoinFlip>(&empty);
    std::fs::remove_dir_all(&empty).unwrap();
    assert!(result.is_err());
}

#[test]
fn an_unknown_field_is_invalid() {
    let text = win_scenario().replacen('{', r#"{ "typo": 1,"#, 1);
    assert!(matches!(run_scenario::<CoinFlip>(&text), Err(ScenarioError::Invalid(_))));
}

#[test]
fn a_refusal_with_an_unlisted_code_fails() {
    let err = run_scenario_dir::<Broken<UnlistedCode>>(&dir()).unwrap_err();
    assert!(err.contains("unexpected rejection coin_on_edge"), "{err}");
    // Expected as it is sent, it is still not in the catalogue.
    let text = std::fs::read_to_string(dir().join("bad_inputs_are_rejected.json")).unwrap();
    let expected = text.replace("bet_out_of_limits", "coin_on_edge");
    let err = run_scenario::<Broken<UnlistedCode>>(&expected).unwrap_err();
    assert!(err.to_string().contains("neither a shared ErrorCode nor one of unlisted_code's CODES"), "{err}");
}

#[test]
fn a_listed_code_no_scenario_provokes_fails() {
    let err = run_scenario_dir::<Broken<UnprovokedCode>>(&dir()).unwrap_err();
    assert!(err.contains("no scenario in") && err.contains("`coin_on_edge`"), "{err}");
}

#[test]
fn a_shared_code_listed_as_the_games_own_fails() {
    let err = run_scenario_dir::<Broken<SharedAsOwn>>(&dir()).unwrap_err();
    assert!(err.contains("`not_seated` is a shared or internal code"), "{err}");
}
