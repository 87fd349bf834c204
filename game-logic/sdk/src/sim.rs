//! The simulator: plays many rounds of any [`Game`] with a player strategy and
//! measures its return to player (RTP) against the declared theoretical one.
//!
//! A run is cut into blocks of [`BLOCK_ROUNDS`] rounds; each block is played
//! on a fresh table with one simulated player and an unlimited wallet (every
//! reserve is granted), with a virtual clock for timers. With a seed, block
//! `b` uses ChaCha20 stream `2b` of that seed for the game and `2b + 1` for
//! the strategy, and blocks are merged in block order whichever thread played
//! them, so a seeded run gives the same report on any number of threads and
//! any machine. The simulator also polices the SDK contract: an offered
//! action that is rejected, a round settled twice, a round that ends holding
//! unsettled stakes, a payout to nobody who staked, or a stall is an error.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use croupier_rng::{CertifiedRng, Draw, Position, ReseedPolicy, Seed};
use serde::Serialize;
use thiserror::Error;

use crate::game::{Effect, Effects, Game, Input, OpId, PlayerId, TimerId, Viewer, WalletResult};
use crate::math::{Bet, MathRounds, RoundBets};

mod police;
mod totals;
use police::Police;
pub use totals::BetReport;
use totals::{Tally, Totals};

/// Two-sided 99.9% standard normal quantile.
pub const Z_999: f64 = 3.290_526_731_491_926;

/// How a simulated player picks actions.
pub trait Strategy<G: Game> {
    /// Chooses an action among `offered`, or `None` to wait (letting timers
    /// fire). `view` builds what the player sees; a strategy that can decide
    /// from `offered` alone need not pay for it.
    fn choose(&mut self, view: &dyn Fn() -> G::View, offered: &[G::Action], rng: &mut dyn Draw) -> Option<G::Action>;

    /// A new round began (the game's [`Effect::RoundStarted`]).
    fn round_started(&mut self) {}
}

/// Picks uniformly among the offered actions, always acting when it can.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomOffered;

impl<G: Game> Strategy<G> for RandomOffered {
    fn choose(&mut self, _view: &dyn Fn() -> G::View, offered: &[G::Action], rng: &mut dyn Draw) -> Option<G::Action> {
        let n = u32::try_from(offered.len()).ok().filter(|&n| n > 0)?;
        offered.get(rng.below(n) as usize).cloned()
    }
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Rounds to play (rounds that took at least one stake).
    pub rounds: u64,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Explicit seed for a reproducible run; `None`: OS entropy.
    pub seed: Option<Seed>,
    /// Inputs one round may take before the run is declared stalled.
    pub max_inputs_per_round: u64,
}

impl SimOptions {
    /// `rounds` rounds on every core, seeded from the OS.
    pub fn new(rounds: u64) -> Self {
        Self {
            rounds,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            seed: None,
            max_inputs_per_round: 10_000,
        }
    }
}

/// How a run plays its rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Through the table protocol, exactly as the server drives a table, with
    /// the money contract policed effect by effect.
    Table,
    /// Straight through the game's round function ([`MathRounds`]).
    Math,
}

/// What a run measured. Money sums are exact integers (minor units); only the
/// statistics are floating point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    /// Game id.
    pub game: String,
    /// How rounds were played.
    pub mode: Mode,
    /// Rounds played.
    pub rounds: u64,
    /// Total staked, minor units.
    pub staked: i128,
    /// Total paid back, stake included, minor units.
    pub paid: i128,
    /// `paid / staked`.
    pub rtp: f64,
    /// Lower end of the 99.9% confidence interval of the RTP.
    pub rtp_ci_low: f64,
    /// Upper end of the 99.9% confidence interval of the RTP.
    pub rtp_ci_high: f64,
    /// The game's declared RTP.
    pub theoretical_rtp: f64,
    /// Whether `theoretical_rtp` lies inside the interval.
    pub within_ci: bool,
    /// Each bet's return (math mode: [`MathRounds::bets`], in that order;
    /// empty in table mode, whose settlements are per player, not per bet).
    pub bets: Vec<BetReport>,
    /// Rounds per second of wall time, all threads together.
    pub rounds_per_sec: f64,
    /// Worker threads used.
    pub threads: usize,
    /// Whether the run used an explicit seed (and so is reproducible).
    pub seeded: bool,
}

impl SimReport {
    /// Whether the theoretical RTP of the game and of each bet lies inside
    /// its interval.
    pub fn all_within_ci(&self) -> bool {
        self.within_ci && self.bets.iter().all(|b| b.within_ci)
    }
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SimError {
    /// The config is invalid.
    #[error(transparent)]
    Config(#[from] crate::game::ConfigError),
    /// The OS entropy source failed.
    #[error("seeding failed: {0}")]
    Seed(String),
    /// The game rejected an action it had offered.
    #[error("round {round}: the game rejected an action it offered: {code}: {message}")]
    OfferedActionRejected {
        /// Round number in its block.
        round: u64,
        /// Rejection code.
        code: String,
        /// Rejection message.
        message: String,
    },
    /// The game rejected an input the server would legitimately send.
    #[error("round {round}: the game rejected {input}: {code}")]
    InputRejected {
        /// Round number in its block.
        round: u64,
        /// The input, as JSON.
        input: String,
        /// Rejection code.
        code: String,
    },
    /// Money was mishandled.
    #[error("round {round}: {problem}")]
    Money {
        /// Round id.
        round: u64,
        /// What went wrong.
        problem: String,
    },
    /// The game drew with no round open, in an input that opened none: a
    /// draw no round record holds, which the server refuses.
    #[error(
        "after round {round}: the game drew with no round open; draw only in a round or in the input that opens it"
    )]
    DrewOutsideRound {
        /// Rounds completed in the block.
        round: u64,
    },
    /// Nothing to do: no action offered, no timer running.
    #[error("stalled after {rounds} rounds: no action offered and no timer running")]
    Stalled {
        /// Rounds completed.
        rounds: u64,
    },
    /// The game declares no bets ([`MathRounds::bets`]).
    #[error("the game declares no bets to measure")]
    NoBets,
    /// A worker thread panicked (a bug in the game).
    #[error("a simulation thread panicked: {0}")]
    Panicked(String),
}

/// Plays `options.rounds` rounds of `G` with `config`, one strategy per block
/// from `make_strategy`, counting finished rounds into `progress`.
///
/// # Errors
/// [`SimError`]: a bad config, a breach of the SDK contract, a stall, or a
/// panic in the game.
pub fn simulate<G, S>(
    config: &G::Config,
    options: &SimOptions,
    make_strategy: impl Fn() -> S + Sync,
    progress: &AtomicU64,
) -> Result<SimReport, SimError>
where
    G: Game,
    S: Strategy<G>,
{
    G::validate_config(config)?;
    run_threads::<G>(config, options, Mode::Table, &[], |game_rng, strategy_rng, share| {
        let mut table = Autoplay::<G, S>::new(config, game_rng, strategy_rng, make_strategy())
            .max_inputs_per_round(options.max_inputs_per_round);
        let total = play_share(&mut table, G::max_round_stake(config), share, options.max_inputs_per_round, progress)?;
        Ok(Tally { total, bets: vec![] })
    })
}

/// Plays `options.rounds` rounds of `G` in math mode ([`crate::math`]): each
/// round one call of [`MathRounds::play`], counting finished rounds into
/// `progress`. Block `b` uses the same streams as in [`simulate`], so a
/// seeded run plays the same rounds in either mode. Each of the game's bets
/// is measured too ([`SimReport::bets`]).
///
/// # Errors
/// [`SimError`]: a bad config, no bets declared, a seeding failure, or a
/// panic in the game.
pub fn simulate_math<G: MathRounds>(
    config: &G::Config,
    options: &SimOptions,
    progress: &AtomicU64,
) -> Result<SimReport, SimError> {
    G::validate_config(config)?;
    let bets = G::bets(config);
    if bets.is_empty() {
        return Err(SimError::NoBets);
    }
    run_threads::<G>(config, options, Mode::Math, &bets, |mut rng, mut player_rng, share| {
        let mut engine = G::engine(config);
        let mut round = RoundBets::new(bets.len());
        let mut tally = Tally::new(bets.len());
        let mut left = share;
        while left > 0 {
            let batch = left.min(1024);
            for _ in 0..batch {
                round.clear();
                G::play(&mut engine, &mut rng, &mut player_rng, &mut round);
                tally.add_round(&round);
            }
            progress.fetch_add(batch, Ordering::Relaxed);
            left -= batch;
        }
        Ok(tally)
    })
}

/// Rounds per block of a run (see the module documentation): the unit a
/// seed's streams are numbered by, so it is part of what a seed reproduces.
pub const BLOCK_ROUNDS: u64 = 1 << 16;

/// Cuts `options.rounds` into blocks, plays them on the worker threads (each
/// block with its own pair of generators) and reports the totals merged in
/// block order, with each of `bets` measured.
fn run_threads<G: Game>(
    config: &G::Config,
    options: &SimOptions,
    mode: Mode,
    bets: &[Bet],
    play: impl Fn(CertifiedRng, CertifiedRng, u64) -> Result<Tally, SimError> + Sync,
) -> Result<SimReport, SimError> {
    let threads = options.threads.max(1);
    let blocks = options.rounds.div_ceil(BLOCK_ROUNDS);
    let next = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let started = Instant::now();
    let worker = || -> Result<Vec<(u64, Tally)>, SimError> {
        let mut played = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let block = next.fetch_add(1, Ordering::Relaxed);
            if block >= blocks {
                break;
            }
            let share = (options.rounds - block * BLOCK_ROUNDS).min(BLOCK_ROUNDS);
            let totals = block_rngs(options.seed.as_ref(), block).and_then(|(game, player)| play(game, player, share));
            match totals {
                Ok(totals) => played.push((block, totals)),
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok(played)
    };
    let results: Vec<Result<Vec<(u64, Tally)>, SimError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| Err(SimError::Panicked(panic_text(&e))))).collect()
    });
    let mut played = Vec::new();
    for r in results {
        played.extend(r?);
    }
    // Block order, not finishing order: float sums depend on their order.
    played.sort_unstable_by_key(|(block, _)| *block);
    let mut tally = Tally::default();
    for (_, block) in &played {
        tally.merge(block);
    }
    let totals = &tally.total;
    let elapsed = started.elapsed().as_secs_f64();
    let (rtp, low, high) = totals.rtp_interval();
    let theoretical = G::theoretical_rtp(config);
    Ok(SimReport {
        game: G::ID.to_owned(),
        mode,
        rounds: totals.rounds,
        staked: totals.staked,
        paid: totals.paid,
        rtp,
        rtp_ci_low: low,
        rtp_ci_high: high,
        theoretical_rtp: theoretical,
        within_ci: low <= theoretical && theoretical <= high,
        bets: tally.bet_reports(bets),
        rounds_per_sec: if elapsed > 0.0 { totals.rounds as f64 / elapsed } else { 0.0 },
        threads,
        seeded: options.seed.is_some(),
    })
}

fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// The game's and the player's generators of block `b`.
fn block_rngs(seed: Option<&Seed>, b: u64) -> Result<(CertifiedRng, CertifiedRng), SimError> {
    match seed {
        Some(seed) => Ok((
            CertifiedRng::from_position(&Position::new(seed.clone(), 2 * b, 0)),
            CertifiedRng::from_position(&Position::new(seed.clone(), 2 * b + 1, 0)),
        )),
        None => {
            let os = |_| CertifiedRng::from_os(ReseedPolicy::default()).map_err(|e| SimError::Seed(e.to_string()));
            Ok((os(())?, os(())?))
        }
    }
}

/// Plays `share` staked rounds on `table`, policing every effect.
fn play_share<G: Game, S: Strategy<G>>(
    table: &mut Autoplay<G, S>,
    cap: i64,
    share: u64,
    max_idle_rounds: u64,
    progress: &AtomicU64,
) -> Result<Totals, SimError> {
    let mut police = Police::new(cap);
    let (mut reported, mut idle) = (0u64, 0u64);
    while police.totals.rounds < share {
        let before = police.totals.rounds;
        table.play_round(&mut |effect| police.watch(effect))?;
        if police.totals.rounds == before {
            // Rounds that end without a stake do not count; endless ones stall.
            idle += 1;
            if idle > max_idle_rounds {
                return Err(SimError::Stalled { rounds: police.totals.rounds });
            }
        } else {
            idle = 0;
        }
        if police.totals.rounds - reported >= 1024 {
            progress.fetch_add(police.totals.rounds - reported, Ordering::Relaxed);
            reported = police.totals.rounds;
        }
    }
    progress.fetch_add(police.totals.rounds - reported, Ordering::Relaxed);
    Ok(police.totals)
}

/// The simulated player.
pub const PLAYER: PlayerId = PlayerId(1);

/// One table of `G` driven the way the server drives it, with one player
/// ([`PLAYER`]) choosing by `S`: the wallet grants every stake at once, and
/// when the player waits, the earliest timer fires (a virtual clock). The
/// simulator plays one per thread; benchmarks time it round by round.
pub struct Autoplay<G: Game, S> {
    state: G::State,
    rng: CertifiedRng,
    strategy_rng: CertifiedRng,
    strategy: S,
    queue: VecDeque<Input<G::Action>>,
    /// Reused buffers: a round in steady state allocates nothing here.
    effects: Effects<G>,
    offered: Vec<G::Action>,
    /// Running timers and when they fire (a handful at most).
    timers: Vec<(TimerId, u64)>,
    now_ms: u64,
    max_inputs_per_round: u64,
    rounds: u64,
    /// A round is open (started and not ended).
    in_round: bool,
}

/// Sees each effect before the table carries it out; an error stops play.
pub trait Watch<G: Game>: FnMut(&Effect<G::Event, G::Outcome>) -> Result<(), SimError> {}
impl<G: Game, F: FnMut(&Effect<G::Event, G::Outcome>) -> Result<(), SimError>> Watch<G> for F {}

impl<G: Game, S: Strategy<G>> Autoplay<G, S> {
    /// A fresh table of `config` (validated by the caller), the player about
    /// to join; `rng` feeds the game and `strategy_rng` the player.
    pub fn new(config: &G::Config, rng: CertifiedRng, strategy_rng: CertifiedRng, strategy: S) -> Self {
        Self {
            state: G::new_table(config),
            rng,
            strategy_rng,
            strategy,
            queue: VecDeque::from([Input::Join { player: PLAYER, seat: None }]),
            effects: Vec::new(),
            offered: Vec::new(),
            timers: Vec::new(),
            now_ms: 0,
            max_inputs_per_round: 10_000,
            rounds: 0,
            in_round: false,
        }
    }

    /// Inputs one round may take before [`Autoplay::play_round`] reports a
    /// stall (default 10,000).
    #[must_use]
    pub fn max_inputs_per_round(mut self, inputs: u64) -> Self {
        self.max_inputs_per_round = inputs;
        self
    }

    /// The table's state.
    pub fn state(&self) -> &G::State {
        &self.state
    }

    /// Feeds inputs until a round ends, showing every effect to `watch`
    /// before carrying it out.
    ///
    /// # Errors
    /// What `watch` returns; [`SimError::OfferedActionRejected`] or
    /// [`SimError::InputRejected`] when the game refuses an input;
    /// [`SimError::Stalled`] when nothing can happen or the round takes too
    /// many inputs.
    pub fn play_round(&mut self, watch: &mut impl Watch<G>) -> Result<(), SimError> {
        let ended = self.rounds;
        for _ in 0..self.max_inputs_per_round {
            self.step(watch)?;
            if self.rounds != ended {
                return Ok(());
            }
        }
        Err(SimError::Stalled { rounds: self.rounds })
    }

    fn step(&mut self, watch: &mut impl Watch<G>) -> Result<(), SimError> {
        if let Some(input) = self.queue.pop_front() {
            return self.feed(input, false, watch);
        }
        self.offered.clear();
        G::offered_actions(&self.state, PLAYER, &mut self.offered);
        if !self.offered.is_empty() {
            let state = &self.state;
            let view = || G::view(state, Viewer::Player(PLAYER));
            if let Some(action) = self.strategy.choose(&view, &self.offered, &mut self.strategy_rng) {
                return self.feed(Input::Action { player: PLAYER, action }, true, watch);
            }
        }
        // Nothing to do now: let the earliest timer fire.
        let Some(next) = (0..self.timers.len()).min_by_key(|&i| (self.timers[i].1, self.timers[i].0)) else {
            return Err(SimError::Stalled { rounds: self.rounds });
        };
        let (timer, due) = self.timers.swap_remove(next);
        self.now_ms = self.now_ms.max(due);
        self.feed(Input::Timer { timer }, false, watch)
    }

    fn feed(&mut self, input: Input<G::Action>, offered: bool, watch: &mut impl Watch<G>) -> Result<(), SimError> {
        let round = self.rounds;
        // The table's own inputs (join, timer, wallet) are kept to name them
        // if the game refuses one; an offered action needs no copy.
        let own = if offered { None } else { Some(input.clone()) };
        let mut effects = std::mem::take(&mut self.effects);
        effects.clear();
        let drawn = self.rng.draws();
        if let Err(r) = G::apply(&mut self.state, input, &mut self.rng, &mut effects) {
            return Err(match own {
                None => SimError::OfferedActionRejected { round, code: r.code.to_string(), message: r.message },
                Some(input) => SimError::InputRejected {
                    round,
                    input: serde_json::to_string(&input).unwrap_or_default(),
                    code: r.code.to_string(),
                },
            });
        }
        // The server applies an input that opens a round with the round's
        // own generator and refuses one that draws with no round open.
        if !self.in_round
            && self.rng.draws() != drawn
            && !effects.iter().any(|e| matches!(e, Effect::RoundStarted { .. }))
        {
            self.effects = effects;
            return Err(SimError::DrewOutsideRound { round });
        }
        let mut done = Ok(());
        for effect in effects.drain(..) {
            done = watch(&effect);
            if done.is_err() {
                break;
            }
            self.carry_out(effect);
        }
        self.effects = effects;
        done
    }

    fn carry_out(&mut self, effect: Effect<G::Event, G::Outcome>) {
        match effect {
            Effect::RoundStarted { .. } => {
                self.in_round = true;
                self.strategy.round_started();
            }
            Effect::Reserve { op, .. } => {
                self.queue.push_back(Input::Wallet { op: OpId(op.0), result: WalletResult::Reserved });
            }
            Effect::RoundEnded { .. } => {
                self.in_round = false;
                self.rounds += 1;
            }
            Effect::StartTimer { timer, after_ms } => {
                let due = self.now_ms.saturating_add(after_ms);
                match self.timers.iter_mut().find(|(id, _)| *id == timer) {
                    Some(running) => running.1 = due,
                    None => self.timers.push((timer, due)),
                }
            }
            Effect::CancelTimer { timer } => self.timers.retain(|(id, _)| *id != timer),
            Effect::Settle { .. } | Effect::Void { .. } | Effect::Publish { .. } => {}
        }
    }
}
