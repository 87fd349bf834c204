//! Coin flip: the SDK's example game, the one the simulator and scenario
//! harness are tested with, and a live table game the server deals (up to
//! six players, one flip at a time) with no drawing of its own in the web
//! client, which plays it through its generic view (docs/games/coin_flip.md).
//!
//! A player calls heads or tails with a stake; once the wallet holds the stake
//! one `below(2)` draw decides. A correct call pays `win_num / win_den` times
//! the stake (stake included, rounded down to the minor unit). Pure: no IO, no
//! clock, no global state.

use std::collections::BTreeSet;

use croupier_rng::Draw;
use serde::{Deserialize, Serialize};

use crate::ErrorCode;
use crate::codes::{self, Code};
use crate::game::{
    Audience, ConfigError, Effect, Effects, Game, Input, OpId, Payout, PlayerId, Rejected, RoundId, Viewer,
    WalletResult, reject,
};
use crate::money::{Currency, Money, minor_units};

/// The coin flip game.
#[derive(Debug)]
pub enum CoinFlip {}

/// A side of the coin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Heads (draw 0).
    Heads,
    /// Tails (draw 1).
    Tails,
}

/// Table rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Table currency.
    pub currency: Currency,
    /// Smallest stake, minor units. Default 100.
    pub min_stake: i64,
    /// Largest stake, minor units. Default 10,000.
    pub max_stake: i64,
    /// A win pays `stake * win_num / win_den`, stake included. Default 195/100.
    pub win_num: i64,
    /// See `win_num`.
    pub win_den: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self { currency: Currency::EUR, min_stake: 100, max_stake: 10_000, win_num: 195, win_den: 100 }
    }
}

/// What a player can do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Stake `stake` minor units on `call`.
    Flip {
        /// The side called.
        call: Side,
        /// Stake in minor units of the table currency.
        stake: i64,
    },
}

/// Where the table is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for a flip.
    Idle,
    /// Waiting for the wallet to hold a stake.
    AwaitingStake {
        /// The reserve operation.
        op: OpId,
        /// Whose flip.
        player: PlayerId,
        /// The call.
        call: Side,
        /// The stake, minor units.
        #[serde(deserialize_with = "minor_units")]
        stake: i64,
    },
}

/// The checkpointed state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    config: Config,
    players: BTreeSet<PlayerId>,
    phase: Phase,
    round: u64,
    next_op: u64,
    last: Option<Outcome>,
}

/// A finished flip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Outcome {
    /// Who flipped.
    pub player: PlayerId,
    /// Their call.
    pub call: Side,
    /// The coin.
    pub landed: Side,
    /// The stake, minor units of the table's currency (every amount a game
    /// sends is an integer of minor units; its view names the currency).
    #[serde(deserialize_with = "minor_units")]
    pub stake: i64,
    /// The payout, stake included (zero on a loss), minor units.
    #[serde(deserialize_with = "minor_units")]
    pub payout: i64,
}

/// Broadcast events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The coin landed.
    Flipped(Outcome),
    /// The wallet refused the stake; nothing happened.
    StakeRefused {
        /// Whose.
        player: PlayerId,
        /// The wallet's code.
        code: String,
    },
}

/// What a viewer sees: everything (a coin has no hidden cards).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct View {
    /// Rounds played.
    pub rounds: u64,
    /// Whether a flip is waiting for its stake.
    pub busy: bool,
    /// The last flip.
    pub last: Option<Outcome>,
    /// The currency of every amount at the table.
    pub currency: Currency,
    /// Table limits.
    pub min_stake: i64,
    /// Table limits.
    pub max_stake: i64,
}

impl Game for CoinFlip {
    const ID: &'static str = "coin_flip";
    // Every refusal of a coin flip is a shared one.
    const CODES: &'static [Code] = &[];
    type Config = Config;
    type State = State;
    type Action = Action;
    type View = View;
    type Event = Event;
    type Outcome = Outcome;

    fn validate_config(c: &Config) -> Result<(), ConfigError> {
        let fail = |message: &str| Err(ConfigError { game: Self::ID, message: message.to_owned() });
        if c.min_stake <= 0 || c.max_stake < c.min_stake {
            return fail("need 0 < min_stake <= max_stake");
        }
        if c.win_num <= 0 || c.win_den <= 0 {
            return fail("win_num and win_den must be positive");
        }
        if Money::new(c.max_stake, c.currency).checked_mul_ratio(c.win_num, c.win_den).is_err() {
            return fail("max_stake * win_num / win_den overflows");
        }
        Ok(())
    }

    /// Six may sit; they flip one at a time.
    fn seats(_config: &Config) -> u8 {
        6
    }

    fn new_table(config: &Config) -> State {
        State { config: config.clone(), players: BTreeSet::new(), phase: Phase::Idle, round: 0, next_op: 1, last: None }
    }

    fn apply(
        state: &mut State,
        input: Input<Action>,
        rng: &mut dyn Draw,
        out: &mut Effects<Self>,
    ) -> Result<(), Rejected> {
        match input {
            Input::Join { player, .. } => {
                state.players.insert(player);
                Ok(())
            }
            Input::Leave { player } => {
                // A stake in flight still settles; the seat just goes.
                state.players.remove(&player);
                Ok(())
            }
            Input::Action { player, action: Action::Flip { call, stake } } => flip(state, player, call, stake, out),
            Input::Wallet { op, result } => wallet(state, op, result, rng, out),
            Input::Timer { .. } => reject(codes::UNEXPECTED_TIMER, "coin flip has no timers"),
        }
    }

    fn view(state: &State, _viewer: Viewer) -> View {
        View {
            rounds: state.round,
            busy: state.phase != Phase::Idle,
            last: state.last.clone(),
            currency: state.config.currency,
            min_stake: state.config.min_stake,
            max_stake: state.config.max_stake,
        }
    }

    fn offered_actions(state: &State, player: PlayerId, out: &mut Vec<Action>) {
        if state.phase != Phase::Idle || !state.players.contains(&player) {
            return;
        }
        let c = &state.config;
        for call in [Side::Heads, Side::Tails] {
            out.extend([c.min_stake, c.max_stake].map(|stake| Action::Flip { call, stake }));
        }
    }

    fn max_round_stake(c: &Config) -> i64 {
        c.max_stake
    }

    fn theoretical_rtp(c: &Config) -> f64 {
        // Exact when stakes are multiples of win_den (no rounding down).
        0.5 * c.win_num as f64 / c.win_den as f64
    }
}

fn flip(
    state: &mut State,
    player: PlayerId,
    call: Side,
    stake: i64,
    out: &mut Effects<CoinFlip>,
) -> Result<(), Rejected> {
    let c = &state.config;
    if !state.players.contains(&player) {
        return reject(ErrorCode::NotSeated, "sit down at the table before flipping");
    }
    if state.phase != Phase::Idle {
        return reject(ErrorCode::AwaitingSettlement, "the previous flip is still settling");
    }
    if stake < c.min_stake || stake > c.max_stake {
        return reject(ErrorCode::BetOutOfLimits, format!("stake must be between {} and {}", c.min_stake, c.max_stake));
    }
    let amount = Money::new(stake, c.currency);
    state.round += 1;
    let op = OpId(state.next_op);
    state.next_op += 1;
    let round = RoundId(state.round);
    state.phase = Phase::AwaitingStake { op, player, call, stake };
    out.extend([Effect::RoundStarted { round }, Effect::Reserve { op, round, player, amount }]);
    Ok(())
}

/// What a correct call on `stake` pays, stake included.
fn win(c: &Config, stake: Money) -> Money {
    // invariant: validate_config proved max_stake * win_num / win_den fits.
    stake.checked_mul_ratio(c.win_num, c.win_den).unwrap_or(stake)
}

fn wallet(
    state: &mut State,
    op: OpId,
    result: WalletResult,
    rng: &mut dyn Draw,
    out: &mut Effects<CoinFlip>,
) -> Result<(), Rejected> {
    let Phase::AwaitingStake { op: waiting, player, call, stake } = state.phase.clone() else {
        return reject(codes::UNEXPECTED_WALLET_RESULT, "no stake is pending");
    };
    if op != waiting {
        return reject(codes::UNEXPECTED_WALLET_RESULT, format!("op {} is not pending", op.0));
    }
    let round = RoundId(state.round);
    state.phase = Phase::Idle;
    if let WalletResult::Refused { code } = result {
        // Nothing is held, so there is nothing to settle or void.
        out.push(Effect::Publish { to: Audience::Player(player), event: Event::StakeRefused { player, code } });
        return Ok(());
    }
    let landed = if rng.below(2) == 0 { Side::Heads } else { Side::Tails };
    let c = &state.config;
    let payout = if landed == call { win(c, Money::new(stake, c.currency)) } else { Money::zero(c.currency) };
    let outcome = Outcome { player, call, landed, stake, payout: payout.minor };
    state.last = Some(outcome.clone());
    let payouts = if payout.is_positive() { vec![Payout { player, amount: payout }] } else { vec![] };
    out.extend([
        Effect::Publish { to: Audience::All, event: Event::Flipped(outcome.clone()) },
        Effect::Settle { round, payouts },
        Effect::RoundEnded { round, outcome },
    ]);
    Ok(())
}

/// Math mode ([`crate::math`]): the [`crate::sim::RandomOffered`] player's
/// round, one random offered flip (a call and a stake) and the coin.
impl crate::math::MathRounds for CoinFlip {
    type Engine = Config;

    fn engine(config: &Config) -> Config {
        config.clone()
    }

    /// Two bets, a call of heads and a call of tails, each returning the
    /// game's RTP: the coin is fair.
    fn bets(c: &Config) -> Vec<crate::math::Bet> {
        let rtp = Self::theoretical_rtp(c);
        vec![
            crate::math::Bet { name: "heads", theoretical_rtp: rtp },
            crate::math::Bet { name: "tails", theoretical_rtp: rtp },
        ]
    }

    fn play(c: &mut Config, rng: &mut impl Draw, player_rng: &mut impl Draw, round: &mut crate::math::RoundBets) {
        // In the order `offered_actions` offers them.
        let (min, max) = (c.min_stake, c.max_stake);
        let offered = [(Side::Heads, min), (Side::Heads, max), (Side::Tails, min), (Side::Tails, max)];
        let (call, staked) = offered[player_rng.below(offered.len() as u32) as usize];
        let landed = if rng.below(2) == 0 { Side::Heads } else { Side::Tails };
        let paid = if landed == call { win(c, Money::new(staked, c.currency)).minor } else { 0 };
        round.add(usize::from(call == Side::Tails), staked, paid);
    }
}

/// In a server's registry: live tables, simulated and replayed. (Written
/// out rather than with [`crate::register!`], whose summary would be the
/// SDK's own description.)
impl crate::registry::Registered for CoinFlip {
    const SUMMARY: &'static str = "the SDK's example game: call heads or tails, a win pays 1.95x";
    const PLAY: crate::registry::Play = crate::registry::Play::Table;
    const CRATE_DIR: &'static str = env!("CARGO_MANIFEST_DIR");
    const MATH: Option<crate::registry::SimulateFn> = Some(crate::registry::math::<Self>);

    fn simulate(
        options: &crate::sim::SimOptions,
        progress: &std::sync::atomic::AtomicU64,
    ) -> Result<crate::sim::SimReport, crate::sim::SimError> {
        crate::sim::simulate::<Self, _>(&Config::default(), options, || crate::sim::RandomOffered, progress)
    }
}
