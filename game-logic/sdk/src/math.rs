//! Math mode: a game's rounds played straight through its round function, for
//! simulations at certification volume (10^9 rounds and more).
//!
//! In table mode ([`crate::sim::simulate`]) a round goes through the table
//! protocol exactly as the server drives it: a bet, the wallet's answer and
//! each timer are inputs, and every stake, payout, timer and event is an
//! effect the simulator checks. That is where a game's contract is policed,
//! and it costs a round several times what its math does. A game offers math
//! mode by implementing [`MathRounds`]: one call plays one whole round for the
//! game's reference player, through the same functions the table deals and
//! settles with and with the same draws in the same order, so one seed gives
//! the same rounds, stake for stake and payout for payout, in either mode.
//! Each game proves that with [`same_rounds`] in its tests.
//!
//! A game with several bets declares them ([`MathRounds::bets`]), each with
//! its own theoretical RTP, and a round records what it staked and paid on
//! each ([`RoundBets::add`]): the simulator then measures every bet's return
//! with its own interval, so a bet paying too much cannot hide behind one
//! paying too little.

use croupier_rng::{CertifiedRng, Draw, Position, Seed};

use crate::game::{Effect, Game};
use crate::sim::{Autoplay, SimError, Strategy};

/// What one round staked and paid back (stake included), minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundMoney {
    /// Total staked.
    pub staked: i64,
    /// Total paid, stakes included.
    pub paid: i64,
}

/// One of a game's bets as math mode measures it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bet {
    /// Its name in reports (`straight`, `red`; snake case).
    pub name: &'static str,
    /// Its return to player for the reference player, stake included, as
    /// the game's math derives it (never measured).
    pub theoretical_rtp: f64,
}

/// What one round staked and paid on each of the game's bets, in the order
/// of [`MathRounds::bets`]. Keeps the round's total and which bets it
/// touched as it goes, so reading and clearing a round of a game with many
/// bets costs what the round staked, not the number of bets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoundBets {
    bets: Vec<RoundMoney>,
    total: RoundMoney,
    /// Indices of the bets added to this round, each once, in order.
    touched: Vec<usize>,
}

impl RoundBets {
    /// An empty round of a game with `bets` bets.
    pub fn new(bets: usize) -> Self {
        Self { bets: vec![RoundMoney::default(); bets], total: RoundMoney::default(), touched: Vec::new() }
    }

    /// Adds `staked` and `paid` (stake included) to bet number `bet`.
    ///
    /// # Panics
    /// When `bet` is not an index of [`MathRounds::bets`]: a bug in the
    /// game, which the simulator reports as a panic.
    pub fn add(&mut self, bet: usize, staked: i64, paid: i64) {
        let money = &mut self.bets[bet];
        money.staked += staked;
        money.paid += paid;
        self.total.staked += staked;
        self.total.paid += paid;
        if !self.touched.contains(&bet) {
            self.touched.push(bet);
        }
    }

    /// Each bet's money, in the order of [`MathRounds::bets`].
    pub fn bets(&self) -> &[RoundMoney] {
        &self.bets
    }

    /// The bets this round added to, with their money, in the order first
    /// added.
    pub fn touched(&self) -> impl Iterator<Item = (usize, RoundMoney)> + '_ {
        self.touched.iter().map(|&i| (i, self.bets[i]))
    }

    /// The round's money, every bet together.
    pub fn total(&self) -> RoundMoney {
        self.total
    }

    /// Empties the round for the next one.
    pub fn clear(&mut self) {
        for i in self.touched.drain(..) {
            self.bets[i] = RoundMoney::default();
        }
        self.total = RoundMoney::default();
    }
}

/// A game whose rounds can be played without the table protocol.
pub trait MathRounds: Game {
    /// What one simulation thread prepares once and keeps between rounds
    /// (the prepared reels, the shoe, the player's choices).
    type Engine;

    /// An engine for `config`, which has passed [`Game::validate_config`].
    fn engine(config: &Self::Config) -> Self::Engine;

    /// The bets the reference player places, each with its theoretical RTP.
    /// By default one bet, `stake`, returning [`Game::theoretical_rtp`].
    fn bets(config: &Self::Config) -> Vec<Bet> {
        vec![Bet { name: "stake", theoretical_rtp: Self::theoretical_rtp(config) }]
    }

    /// Plays one staked round for the reference player: the game's draws from
    /// `rng`, the player's choices from `player_rng`, both in the order the
    /// table and the reference strategy make them; records what each bet
    /// staked and paid into `round`, which comes empty and sized to
    /// [`MathRounds::bets`].
    fn play(engine: &mut Self::Engine, rng: &mut impl Draw, player_rng: &mut impl Draw, round: &mut RoundBets);
}

/// Plays `rounds` staked rounds of `G` in table mode (driven by `strategy`)
/// and in math mode from the same two streams of `seed`, and returns the
/// first round whose stake or payout differs, as `(round, table, math)`.
/// Rounds that take no stake (none in the shipped games) are skipped in
/// table mode, as the simulator skips them.
///
/// # Errors
/// A contract breach or stall in table mode.
pub fn same_rounds<G: MathRounds, S: Strategy<G>>(
    config: &G::Config,
    strategy: S,
    seed: &Seed,
    rounds: u64,
) -> Result<Option<(u64, RoundMoney, RoundMoney)>, SimError> {
    let mut engine = G::engine(config);
    let mut round = RoundBets::new(G::bets(config).len());
    compare(config, strategy, seed, rounds, |rng, player_rng| {
        round.clear();
        G::play(&mut engine, rng, player_rng, &mut round);
        round.total()
    })
}

/// [`same_rounds`] with the math-mode round given as a function.
fn compare<G: Game, S: Strategy<G>>(
    config: &G::Config,
    strategy: S,
    seed: &Seed,
    rounds: u64,
    mut play: impl FnMut(&mut CertifiedRng, &mut CertifiedRng) -> RoundMoney,
) -> Result<Option<(u64, RoundMoney, RoundMoney)>, SimError> {
    let rng = |stream| CertifiedRng::from_position(&Position::new(seed.clone(), stream, 0));
    let mut table = Autoplay::<G, S>::new(config, rng(0), rng(1), strategy);
    let (mut math_rng, mut player_rng) = (rng(0), rng(1));
    for n in 0..rounds {
        let round = loop {
            let mut round = RoundMoney::default();
            table.play_round(&mut |effect: &Effect<G::Event, G::Outcome>| {
                match effect {
                    Effect::Reserve { amount, .. } => round.staked += amount.minor,
                    Effect::Settle { payouts, .. } => round.paid += payouts.iter().map(|p| p.amount.minor).sum::<i64>(),
                    _ => {}
                }
                Ok(())
            })?;
            if round.staked != 0 {
                break round;
            }
        };
        let math = play(&mut math_rng, &mut player_rng);
        if math != round {
            return Ok(Some((n, round, math)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{CoinFlip, Config};
    use crate::sim::RandomOffered;

    #[test]
    fn a_round_keeps_its_total_and_the_bets_it_touched() {
        let mut round = RoundBets::new(13);
        round.add(7, 100, 0);
        round.add(2, 50, 1800);
        round.add(7, 100, 200);
        assert_eq!(round.total(), RoundMoney { staked: 250, paid: 2000 });
        let touched: Vec<_> = round.touched().collect();
        assert_eq!(touched, [(7, RoundMoney { staked: 200, paid: 200 }), (2, RoundMoney { staked: 50, paid: 1800 })]);
        round.clear();
        assert_eq!(round, RoundBets::new(13), "cleared back to empty");
        assert_eq!(round.touched().count(), 0);
    }

    #[test]
    fn the_example_game_plays_the_same_rounds_in_both_modes() {
        let seed = Seed::from_bytes([3; 32]);
        assert_eq!(same_rounds::<CoinFlip, _>(&Config::default(), RandomOffered, &seed, 10_000), Ok(None));
    }

    #[test]
    fn a_math_round_that_differs_from_the_table_is_caught() {
        let seed = Seed::from_bytes([3; 32]);
        let config = Config::default();
        let mut engine = CoinFlip::engine(&config);
        let mut round = RoundBets::new(CoinFlip::bets(&config).len());
        let mut play = move |rng: &mut CertifiedRng, player: &mut CertifiedRng| {
            round.clear();
            CoinFlip::play(&mut engine, rng, player, &mut round);
            round.total()
        };
        // The player's choice drawn from the game's stream instead: same
        // money in distribution, different rounds.
        let swapped = compare::<CoinFlip, _>(&config, RandomOffered, &seed, 10_000, |rng, player| play(player, rng));
        assert!(matches!(swapped, Ok(Some((n, _, _))) if n < 100), "{swapped:?}");
        // Paying one minor unit too much on a win.
        let generous = compare::<CoinFlip, _>(&config, RandomOffered, &seed, 10_000, |rng, player| {
            let r = play(rng, player);
            RoundMoney { paid: r.paid + i64::from(r.paid > 0), ..r }
        });
        assert!(matches!(generous, Ok(Some((_, table, math))) if math.paid == table.paid + 1), "{generous:?}");
    }
}
