//! A reference player for simulations and load tests: places a fixed number of
//! bets per round, each a uniformly random choice among the offered ones, then
//! waits for the spin. Also the same player in math mode
//! ([`croupier_sdk::math`]): one random offered bet, one spin, its return,
//! measured for each kind of bet.

use croupier_sdk::math::{Bet, MathRounds, RoundBets};
use croupier_sdk::sim::Strategy;
use croupier_sdk::{Draw, Game};

use crate::{Action, Config, OFFERED_SPOTS, Roulette, View, bet_return, spin_wheel};

/// Places `per_round` random offered bets each round.
#[derive(Debug, Clone)]
pub struct RandomBets {
    per_round: u32,
    placed: u32,
}

impl RandomBets {
    /// A player placing `per_round` bets every round.
    pub fn new(per_round: u32) -> Self {
        Self { per_round, placed: 0 }
    }
}

impl Strategy<Roulette> for RandomBets {
    fn choose(&mut self, _view: &dyn Fn() -> View, offered: &[Action], rng: &mut dyn Draw) -> Option<Action> {
        let n = u32::try_from(offered.len()).ok().filter(|&n| n > 0)?;
        if self.placed >= self.per_round {
            return None;
        }
        self.placed += 1;
        offered.get(rng.below(n) as usize).cloned()
    }

    fn round_started(&mut self) {
        self.placed = 0;
    }
}

/// Math mode: the offered spots' coverage masks and kinds of bet, and the
/// stake (the minimum).
#[derive(Debug, Clone)]
pub struct Engine {
    masks: [u64; OFFERED_SPOTS.len()],
    kinds: [usize; OFFERED_SPOTS.len()],
    stake: i64,
}

/// The kinds of bet among the offered spots, in their order, each named once.
fn kinds() -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for spot in OFFERED_SPOTS {
        if !kinds.contains(&spot.kind()) {
            kinds.push(spot.kind());
        }
    }
    kinds
}

impl MathRounds for Roulette {
    type Engine = Engine;

    fn engine(config: &Config) -> Engine {
        // The offered spots are legal by construction (a unit test checks it).
        let kinds = kinds();
        Engine {
            masks: OFFERED_SPOTS.map(|spot| spot.coverage().unwrap_or(0)),
            kinds: OFFERED_SPOTS.map(|spot| kinds.iter().position(|&k| k == spot.kind()).unwrap_or(0)),
            stake: config.min_bet,
        }
    }

    /// Every kind of bet among the offered spots, each returning 36/37: a
    /// winning spot returns 36 stakes shared among the numbers it covers.
    fn bets(config: &Config) -> Vec<Bet> {
        let rtp = Self::theoretical_rtp(config);
        kinds().into_iter().map(|name| Bet { name, theoretical_rtp: rtp }).collect()
    }

    /// One [`RandomBets::new(1)`] round: a random offered bet, then the spin.
    fn play(engine: &mut Engine, rng: &mut impl Draw, player_rng: &mut impl Draw, round: &mut RoundBets) {
        let spot = player_rng.below(OFFERED_SPOTS.len() as u32) as usize;
        let paid = bet_return(engine.masks[spot], engine.stake, spin_wheel(rng));
        round.add(engine.kinds[spot], engine.stake, paid);
    }
}

#[cfg(test)]
mod tests {
    use croupier_rng::Seed;
    use croupier_sdk::math::same_rounds;

    use super::*;

    #[test]
    fn offered_spots_are_legal() {
        assert!(OFFERED_SPOTS.iter().all(|s| s.coverage().is_some()));
    }

    #[test]
    fn math_mode_plays_the_tables_rounds() {
        let seed = Seed::from_bytes([7; 32]);
        let config = Config::default();
        assert_eq!(same_rounds::<Roulette, _>(&config, RandomBets::new(1), &seed, 20_000), Ok(None));
        let big = Config { min_bet: 500, ..Config::default() };
        assert_eq!(same_rounds::<Roulette, _>(&big, RandomBets::new(1), &seed, 2_000), Ok(None));
    }
}
