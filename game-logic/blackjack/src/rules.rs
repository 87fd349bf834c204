//! Table rules and limits, with validation.

use croupier_sdk::{ConfigError, Currency};
use serde::{Deserialize, Serialize};

/// Whether a player may give up half their bet after the dealer has checked
/// for blackjack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Surrender {
    /// Not offered.
    Off,
    /// Late surrender: on the first two cards, not after a split.
    Late,
}

/// Table rules (amounts in minor units of `currency`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Table currency. Default EUR.
    pub currency: Currency,
    /// Smallest bet: a seat's one bet a round. Default 100.
    pub min_bet: i64,
    /// Largest bet: a seat's one bet a round. A double or a split adds one
    /// more stake of that bet, so a hand holds at most twice it and a seat
    /// at most `2 * max_hands` times it, with insurance of half the bet.
    /// Default 50,000.
    pub max_bet: i64,
    /// Seats, 1–7. Default 7.
    pub seats: u8,
    /// Packs in the shoe, 1–8. Default 6.
    pub decks: u8,
    /// Reshuffle before a round once this share of the shoe (per mille) has
    /// been dealt, 100–900. Default 750.
    pub penetration_per_mille: u32,
    /// Dealer hits soft 17 (H17) instead of standing (S17). Default false.
    pub dealer_hits_soft_17: bool,
    /// Doubling allowed on a hand made by a split. Default true.
    pub double_after_split: bool,
    /// Most hands one seat may split into, 1–4. Default 4.
    pub max_hands: u8,
    /// Aces may be split again. Default false (split aces get one card each).
    pub resplit_aces: bool,
    /// Surrender rule. Default off.
    pub surrender: Surrender,
    /// Insurance offered when the dealer shows an ace. Default true.
    pub insurance: bool,
    /// Betting window, milliseconds. Default 15,000.
    pub betting_ms: u64,
    /// Turn clock (and insurance decision), milliseconds; a player who runs
    /// out stands (declines insurance). Default 10,000.
    pub turn_ms: u64,
    /// Result display before the next round, milliseconds. Default 4,000.
    pub result_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            currency: Currency::EUR,
            min_bet: 100,
            max_bet: 50_000,
            seats: 7,
            decks: 6,
            penetration_per_mille: 750,
            dealer_hits_soft_17: false,
            double_after_split: true,
            max_hands: 4,
            resplit_aces: false,
            surrender: Surrender::Off,
            insurance: true,
            betting_ms: 15_000,
            turn_ms: 10_000,
            result_ms: 4_000,
        }
    }
}

impl Config {
    /// Checks the rules are playable.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first bad field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let problems = [
            (self.min_bet <= 0 || self.max_bet < self.min_bet, "need 0 < min_bet <= max_bet"),
            // Four doubled hands paid 3:1: 24 times the bet must fit.
            (self.max_bet > i64::MAX / 24, "max_bet is too large: four doubled hands paid 3:1 would overflow"),
            (!(1..=7).contains(&self.seats), "seats must be 1 to 7"),
            (!(1..=8).contains(&self.decks), "decks must be 1 to 8"),
            (!(100..=900).contains(&self.penetration_per_mille), "penetration_per_mille must be 100 to 900"),
            (!(1..=4).contains(&self.max_hands), "max_hands must be 1 to 4"),
            (self.betting_ms == 0 || self.turn_ms == 0, "betting_ms and turn_ms must be at least 1"),
        ];
        match problems.into_iter().find(|&(bad, _)| bad) {
            Some((_, problem)) => Err(ConfigError { game: "blackjack", message: problem.to_owned() }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(config: Config) -> String {
        config.validate().err().map(|e| e.message).unwrap_or_default()
    }

    #[test]
    fn the_default_rules_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
        let edge = Config { seats: 1, decks: 8, max_hands: 1, max_bet: i64::MAX / 24, ..Config::default() };
        assert_eq!(edge.validate(), Ok(()), "every limit at its edge is allowed");
    }

    #[test]
    fn each_bad_rule_is_named() {
        let d = Config::default;
        let cases = [
            (Config { min_bet: 0, ..d() }, "need 0 < min_bet <= max_bet"),
            (Config { min_bet: 500, max_bet: 400, ..d() }, "need 0 < min_bet <= max_bet"),
            (Config { max_bet: i64::MAX / 24 + 1, ..d() }, "max_bet is too large"),
            (Config { seats: 0, ..d() }, "seats must be 1 to 7"),
            (Config { seats: 8, ..d() }, "seats must be 1 to 7"),
            (Config { decks: 0, ..d() }, "decks must be 1 to 8"),
            (Config { decks: 9, ..d() }, "decks must be 1 to 8"),
            (Config { penetration_per_mille: 99, ..d() }, "penetration_per_mille must be 100 to 900"),
            (Config { penetration_per_mille: 901, ..d() }, "penetration_per_mille must be 100 to 900"),
            (Config { max_hands: 5, ..d() }, "max_hands must be 1 to 4"),
            (Config { betting_ms: 0, ..d() }, "betting_ms and turn_ms must be at least 1"),
            (Config { turn_ms: 0, ..d() }, "betting_ms and turn_ms must be at least 1"),
        ];
        for (config, expected) in cases {
            assert!(problem(config.clone()).starts_with(expected), "{config:?}: {}", problem(config.clone()));
        }
    }
}
