//! The slots session's state machine: the [`Game`] implementation.
//!
//! One player per session. A `spin` reserves the total bet; once the wallet
//! holds it, the paid spin and every free spin it triggers play out in the
//! same round, which settles once with the total win.
//!
//! The state holds the machine it plays (config and prepared strips) behind
//! a shared pointer that serde skips: a checkpoint or round record carries
//! the session, never the paytable, and [`Game::resume`] hands the machine
//! back after a read.

use std::sync::Arc;

use croupier_sdk::{
    Audience, Code, ConfigError, Currency, Draw, Effect, Effects, ErrorCode, Game, Input, Money, OpId, Payout,
    PlayerId, Rejected, RoundId, Viewer, WalletResult, codes, minor_units, reject,
};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use croupier_sdk::math::{MathRounds, RoundBets};

use crate::spin::{Machine, OpenLines, SpinResult};

/// The slots game.
#[derive(Debug)]
pub enum Slots {}

/// What the player can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Spin with `line_bet` minor units on every line.
    Spin {
        /// Bet per line.
        line_bet: i64,
    },
}

/// A spin waiting for its stake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pending {
    /// The reserve operation.
    pub op: OpId,
    /// Bet per line.
    pub line_bet: i64,
}

/// The checkpointed session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct State {
    player: Option<PlayerId>,
    round: u64,
    next_op: u64,
    pending: Option<Pending>,
    last: Option<Outcome>,
    /// The machine played: never serialised, given back by
    /// [`Game::resume`] after a read.
    #[serde(skip)]
    machine: Option<Arc<Loaded>>,
}

/// A machine's config and that config laid out for play.
#[derive(Debug, PartialEq)]
struct Loaded {
    config: Config,
    machine: Machine,
}

impl Loaded {
    fn new(config: &Config) -> Arc<Self> {
        Arc::new(Self { config: config.clone(), machine: Machine::new(config) })
    }
}

/// A round: the paid spin and the free spins it led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Outcome {
    /// Total bet, minor units of the session's currency.
    #[serde(deserialize_with = "minor_units")]
    pub stake: i64,
    /// The paid spin.
    pub spin: SpinResult,
    /// Free spins, in order.
    pub free_spins: Vec<SpinResult>,
    /// Everything won, stake included in the sense of a payout (0 on a
    /// loss), minor units.
    #[serde(deserialize_with = "minor_units")]
    pub total_win: i64,
}

/// Events to the player.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A round played out.
    Spun(Outcome),
    /// The wallet refused the stake; nothing was spun.
    StakeRefused {
        /// The wallet's code.
        code: String,
    },
}

/// What the player sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct View {
    /// Rounds played.
    pub rounds: u64,
    /// Whether a spin waits for its stake.
    pub busy: bool,
    /// The last round.
    pub last: Option<Outcome>,
    /// Paylines.
    pub lines: usize,
    /// The currency of every amount in this session (absent only while the
    /// machine is not loaded).
    pub currency: Option<Currency>,
    /// Limits per line.
    pub min_line_bet: i64,
    /// Limits per line.
    pub max_line_bet: i64,
}

impl Game for Slots {
    const ID: &'static str = "slots";
    // Every refusal of a spin is a shared one.
    const CODES: &'static [Code] = &[];
    type Config = Config;
    type State = State;
    type Action = Action;
    type View = View;
    type Event = Event;
    type Outcome = Outcome;

    fn validate_config(config: &Config) -> Result<(), ConfigError> {
        config.validate()
    }

    fn new_table(config: &Config) -> State {
        State { player: None, round: 0, next_op: 1, pending: None, last: None, machine: Some(Loaded::new(config)) }
    }

    fn resume(state: &mut State, config: &Config) {
        state.machine = Some(Loaded::new(config));
    }

    fn apply(
        state: &mut State,
        input: Input<Action>,
        rng: &mut dyn Draw,
        out: &mut Effects<Self>,
    ) -> Result<(), Rejected> {
        match input {
            Input::Join { player, .. } => match state.player {
                Some(p) if p != player => reject(ErrorCode::SeatTaken, "this session belongs to another player"),
                _ => {
                    state.player = Some(player);
                    Ok(())
                }
            },
            Input::Leave { player } => {
                if state.player == Some(player) && state.pending.is_none() {
                    state.player = None;
                }
                Ok(())
            }
            Input::Action { player, action: Action::Spin { line_bet } } => state.spin(player, line_bet, out),
            Input::Wallet { op, result } => state.wallet(op, result, rng, out),
            Input::Timer { .. } => reject(codes::UNEXPECTED_TIMER, "slots use no timers"),
        }
    }

    fn view(state: &State, _viewer: Viewer) -> View {
        let c = state.machine.as_ref().map(|m| &m.config);
        View {
            rounds: state.round,
            busy: state.pending.is_some(),
            last: state.last.clone(),
            lines: c.map_or(0, |c| c.lines.len()),
            currency: c.map(|c| c.currency),
            min_line_bet: c.map_or(0, |c| c.min_line_bet),
            max_line_bet: c.map_or(0, |c| c.max_line_bet),
        }
    }

    fn offered_actions(state: &State, player: PlayerId, out: &mut Vec<Action>) {
        if state.player == Some(player)
            && state.pending.is_none()
            && let Some(loaded) = &state.machine
        {
            let c = &loaded.config;
            out.extend([Action::Spin { line_bet: c.min_line_bet }, Action::Spin { line_bet: c.max_line_bet }]);
        }
    }

    /// One paid spin at the largest line bet (free spins stake nothing).
    fn max_round_stake(config: &Config) -> i64 {
        config.total_bet(config.max_line_bet).unwrap_or(i64::MAX)
    }

    fn theoretical_rtp(config: &Config) -> f64 {
        crate::rtp::exact(config).total
    }
}

impl State {
    /// The machine, which a state read back has once resumed.
    fn loaded(&self) -> Result<Arc<Loaded>, Rejected> {
        match &self.machine {
            Some(loaded) => Ok(loaded.clone()),
            None => reject(ErrorCode::InternalError, "the session has no machine (read back without its config)"),
        }
    }

    fn spin(&mut self, player: PlayerId, line_bet: i64, out: &mut Effects<Slots>) -> Result<(), Rejected> {
        let loaded = self.loaded()?;
        let c = &loaded.config;
        if self.player != Some(player) {
            return reject(ErrorCode::NotSeated, "open the session before spinning");
        }
        if self.pending.is_some() {
            return reject(ErrorCode::AwaitingSettlement, "the last spin is still settling");
        }
        if line_bet < c.min_line_bet || line_bet > c.max_line_bet {
            let shown = |minor| Money::new(minor, c.currency).shown();
            let (min, max) = (shown(c.min_line_bet), shown(c.max_line_bet));
            return reject(ErrorCode::BetOutOfLimits, format!("the bet per line is {min} to {max}"));
        }
        let total = c.total_bet(line_bet).unwrap_or(i64::MAX);
        self.round += 1;
        let op = OpId(self.next_op);
        self.next_op += 1;
        self.pending = Some(Pending { op, line_bet });
        let round = RoundId(self.round);
        out.extend([
            Effect::RoundStarted { round },
            Effect::Reserve { op, round, player, amount: Money::new(total, c.currency) },
        ]);
        Ok(())
    }

    fn wallet(
        &mut self,
        op: OpId,
        result: WalletResult,
        rng: &mut dyn Draw,
        out: &mut Effects<Slots>,
    ) -> Result<(), Rejected> {
        let (Some(pending), Some(player)) = (self.pending.clone(), self.player) else {
            return reject(codes::UNEXPECTED_WALLET_RESULT, "no spin is pending");
        };
        let loaded = self.loaded()?;
        if pending.op != op {
            return reject(codes::UNEXPECTED_WALLET_RESULT, format!("op {} is not pending", op.0));
        }
        self.pending = None;
        if let WalletResult::Refused { code } = result {
            out.push(Effect::Publish { to: Audience::Player(player), event: Event::StakeRefused { code } });
            return Ok(());
        }
        let outcome = Self::play(&loaded, pending.line_bet, rng);
        self.last = Some(outcome.clone());
        let round = RoundId(self.round);
        let currency = loaded.config.currency;
        let payouts = match outcome.total_win {
            win if win > 0 => vec![Payout { player, amount: Money::new(win, currency) }],
            _ => vec![],
        };
        out.extend([
            Effect::Publish { to: Audience::Player(player), event: Event::Spun(outcome.clone()) },
            Effect::Settle { round, payouts },
            Effect::RoundEnded { round, outcome },
        ]);
        Ok(())
    }

    /// The paid spin and its free spins.
    fn play(loaded: &Loaded, line_bet: i64, rng: &mut dyn Draw) -> Outcome {
        let (c, m) = (&loaded.config, &loaded.machine);
        let mut free_spins = Vec::new();
        let (spin, total) = m.play(&c.free_spins, line_bet, rng, Machine::evaluate, |s| free_spins.push(s));
        let stake = c.total_bet(line_bet).unwrap_or(i64::MAX);
        Outcome { stake, spin, free_spins, total_win: total }
    }
}

/// Math mode ([`croupier_sdk::math`]): the prepared machine and the
/// [`croupier_sdk::sim::RandomOffered`] player's two offered bets.
#[derive(Debug, Clone)]
pub struct Engine {
    machine: Machine,
    free_spins: crate::FreeSpins,
    /// (line bet, total bet) of each offered spin, in the offered order.
    bets: [(i64, i64); 2],
    open_lines: Option<OpenLines>,
}

impl MathRounds for Slots {
    type Engine = Engine;

    fn engine(c: &Config) -> Engine {
        let bet = |line_bet| (line_bet, c.total_bet(line_bet).unwrap_or(i64::MAX));
        let machine = Machine::new(c);
        Engine {
            open_lines: machine.open_lines_table(),
            machine,
            free_spins: c.free_spins.clone(),
            bets: [bet(c.min_line_bet), bet(c.max_line_bet)],
        }
    }

    /// One random offered spin, with its free spins: one round.
    fn play(e: &mut Engine, rng: &mut impl Draw, player_rng: &mut impl Draw, round: &mut RoundBets) {
        let (line_bet, staked) = e.bets[player_rng.below(2) as usize];
        let table = e.open_lines.as_ref();
        let win = |m: &Machine, stops, line_bet, multiplier| m.win(stops, line_bet, multiplier, table);
        let (_, paid) = e.machine.play(&e.free_spins, line_bet, rng, win, |_| {});
        round.add(0, staked, paid);
    }
}
