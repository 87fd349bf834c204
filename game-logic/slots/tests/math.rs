//! Math mode plays the session's rounds: same seed, same stakes and wins,
//! free-spin features included.

use croupier_rng::Seed;
use croupier_sdk::math::same_rounds;
use croupier_sdk::sim::RandomOffered;
use croupier_slots::{Config, Slots};

#[test]
fn math_mode_plays_the_sessions_rounds() {
    let seed = Seed::from_bytes([11; 32]);
    assert_eq!(same_rounds::<Slots, _>(&Config::default(), RandomOffered, &seed, 20_000), Ok(None));
}

#[test]
fn more_lines_than_the_evaluator_keeps_are_refused() {
    use croupier_sdk::Game;
    let mut config = Config::default();
    config.lines = vec![[1; 5]; croupier_slots::config::MAX_LINES];
    assert_eq!(Slots::validate_config(&config), Ok(()));
    config.lines.push([0; 5]);
    let err = Slots::validate_config(&config).unwrap_err();
    assert!(err.message.contains("at most 64 paylines"), "{err}");
}
