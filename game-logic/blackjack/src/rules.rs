//! Table rules and limits, with validation.

use croupier_sdk::{ConfigError, Currency};
use serde::{Deserialize, Serialize};

/// Whether a player may give up half their bet after the dealer has checked
/// for blackjack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surrender {
    /// Not offered.
    Off,
    /// Late surrender: on the first two cards, not after a split.
    Late,
}

/// Table rules (amounts in minor units of `currency`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Table currency. Default EUR.
    pub currency: Currency,
    /// Smallest bet. Default 100.
    pub min_bet: i64,
    /// Largest bet. Default 50,000.
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
        let problem = if self.min_bet <= 0 || self.max_bet < self.min_bet {
            "need 0 < min_bet <= max_bet"
        } else if self.max_bet.checked_mul(4 * 2 * 3).is_none() {
            "max_bet is too large: four doubled hands paid 3:1 would overflow"
        } else if !(1..=7).contains(&self.seats) {
            "seats must be 1 to 7"
        } else if !(1..=8).contains(&self.decks) {
            "decks must be 1 to 8"
        } else if !(100..=900).contains(&self.penetration_per_mille) {
            "penetration_per_mille must be 100 to 900"
        } else if !(1..=4).contains(&self.max_hands) {
            "max_hands must be 1 to 4"
        } else if self.betting_ms == 0 || self.turn_ms == 0 {
            "betting_ms and turn_ms must be at least 1"
        } else {
            return Ok(());
        };
        Err(ConfigError { game: "blackjack", message: problem.to_owned() })
    }
}
