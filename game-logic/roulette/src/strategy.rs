//! A reference player for simulations and load tests: places a fixed number of
//! bets per round, each a uniformly random choice among the offered ones, then
//! waits for the spin.

use croupier_sdk::Draw;
use croupier_sdk::sim::Strategy;

use crate::{Action, Roulette, View};

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
