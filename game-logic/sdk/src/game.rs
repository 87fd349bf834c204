//! The [`Game`] trait: a pure, synchronous, deterministic state machine.
//!
//! The server feeds a game [`Input`]s (players joining and acting, timers
//! firing, the wallet confirming a stake) and carries out the [`Effect`]s it
//! pushes (reserve a stake, settle, start a timer, publish an event). Effects
//! and offered actions go into buffers the caller owns and reuses, so a round
//! in steady state allocates only what its events and outcome hold. A game
//! never does IO, never reads a clock and never holds global state; its only
//! randomness is the [`Draw`] it is handed, so the same draws and inputs give
//! the same effects, byte for byte.

use std::fmt::Debug;

use croupier_protocol::ErrorCode;
use croupier_rng::Draw;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::codes::Code;
use crate::money::Money;

/// A player, as the server numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct PlayerId(pub u64);

/// A round, numbered by the game from 1 upwards within one table or session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct RoundId(pub u64);

/// A wallet operation the game asked for, numbered by the game; the server
/// derives the idempotency key from (table, op).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct OpId(pub u64);

/// A game-defined timer (e.g. "betting window", "turn clock"). Starting a
/// timer that is already running restarts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct TimerId(pub u32);

/// Who is looking at the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Viewer {
    /// A seated player: sees their own hidden cards, nobody else's.
    Player(PlayerId),
    /// A spectator: sees no hidden card.
    Spectator,
}

impl Viewer {
    /// The player looking, if a player is.
    pub fn player(self) -> Option<PlayerId> {
        match self {
            Viewer::Player(p) => Some(p),
            Viewer::Spectator => None,
        }
    }
}

/// Who receives a published event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Everyone at the table, spectators included.
    All,
    /// One player only (e.g. their own hole cards).
    Player(PlayerId),
}

/// What the wallet said about a [`Effect::Reserve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WalletResult {
    /// The stake is held; the bet counts.
    Reserved,
    /// The stake could not be held (e.g. `insufficient_funds`); the bet does
    /// not count.
    Refused {
        /// The wallet's stable error code.
        code: String,
    },
}

/// One input to a game.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input<A> {
    /// A player sits down (`seat` is a preference the game may refuse).
    Join {
        /// Who.
        player: PlayerId,
        /// Preferred seat, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seat: Option<u8>,
    },
    /// A player leaves (or their reconnect grace period ran out).
    Leave {
        /// Who.
        player: PlayerId,
    },
    /// A player acts.
    Action {
        /// Who.
        player: PlayerId,
        /// The game's action.
        action: A,
    },
    /// A timer the game started has fired.
    Timer {
        /// Which.
        timer: TimerId,
    },
    /// The wallet answered a [`Effect::Reserve`].
    Wallet {
        /// The operation answered.
        op: OpId,
        /// Its result.
        result: WalletResult,
    },
}

/// A payout at settlement: the amount credited to a player, stake included
/// (a lost bet pays nothing; a 1:1 win of 10 pays 20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Payout {
    /// Who is paid.
    pub player: PlayerId,
    /// How much, stake included.
    pub amount: Money,
}

/// Folds `payouts` into one per player, in player order, dropping zeros: the
/// form [`Effect::Settle`] takes. Amounts are summed with the caller's
/// guarantee that a player's total fits (games bound it in their config).
pub fn merge_payouts(payouts: &mut Vec<Payout>) {
    payouts.retain(|p| p.amount.minor != 0);
    payouts.sort_unstable_by_key(|p| p.player);
    payouts.dedup_by(|later, kept| {
        let same = later.player == kept.player;
        if same {
            kept.amount.minor = kept.amount.minor.saturating_add(later.amount.minor);
        }
        same
    });
}

/// One thing the server must do for a game.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[serde(bound(serialize = "E: Serialize, O: Serialize"))]
#[serde(bound(deserialize = "E: DeserializeOwned, O: DeserializeOwned"))]
pub enum Effect<E, O> {
    /// A new round began.
    RoundStarted {
        /// Its id.
        round: RoundId,
    },
    /// Hold `amount` of `player`'s balance as a stake in `round`. The game
    /// counts the stake only after [`Input::Wallet`] answers `Reserved`.
    Reserve {
        /// Operation id, answered in [`Input::Wallet`].
        op: OpId,
        /// The round the stake belongs to.
        round: RoundId,
        /// Whose money.
        player: PlayerId,
        /// How much.
        amount: Money,
    },
    /// Close `round`: every held stake goes to the house, then each payout is
    /// credited. Exactly once per round that took stakes.
    Settle {
        /// The round.
        round: RoundId,
        /// Payouts, stake included; losers are absent.
        payouts: Vec<Payout>,
    },
    /// Cancel `round`: every held stake is refunded.
    Void {
        /// The round.
        round: RoundId,
    },
    /// (Re)start a timer.
    StartTimer {
        /// Which.
        timer: TimerId,
        /// Fires after this many milliseconds.
        after_ms: u64,
    },
    /// Stop a timer if it is running.
    CancelTimer {
        /// Which.
        timer: TimerId,
    },
    /// Broadcast a game event.
    Publish {
        /// To whom.
        to: Audience,
        /// The event.
        event: E,
    },
    /// The round is over; its outcome goes in the round record.
    RoundEnded {
        /// The round.
        round: RoundId,
        /// What happened.
        outcome: O,
    },
}

/// The effects of one input, for game `G`: a buffer the caller owns, clears
/// and reuses.
pub type Effects<G> = Vec<Effect<<G as Game>::Event, <G as Game>::Outcome>>;

/// Why a game refused an input. The state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// Stable, machine-readable: a shared [`crate::ErrorCode`] or one of
    /// the game's own [`Game::CODES`].
    pub code: Code,
    /// Human-readable explanation.
    pub message: String,
}

impl Rejected {
    /// A rejection with `code` and `message`.
    pub fn new(code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into() }
    }
}

/// `Err(Rejected::new(code, message))`, for a game's early returns.
///
/// # Errors
/// Always: that is its purpose.
pub fn reject<T>(code: impl Into<Code>, message: impl Into<String>) -> Result<T, Rejected> {
    Err(Rejected::new(code, message))
}

impl core::fmt::Display for Rejected {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Rejected {}

/// Why a game config is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {game} config: {message}")]
pub struct ConfigError {
    /// The game id.
    pub game: &'static str,
    /// What is wrong, naming the field.
    pub message: String,
}

/// A game. See the module documentation and `docs/game-sdk.md`.
pub trait Game: 'static {
    /// Registry id, e.g. `"roulette"`.
    const ID: &'static str;
    /// The game's own refusal codes ([`Code::own`]): those no shared
    /// [`crate::ErrorCode`] says. Each must be documented on the game's page
    /// and provoked by one of its scenarios; the server sends a refusal
    /// that is in neither list as `internal_error`.
    const CODES: &'static [Code];
    /// Limits, paytable, rules. Validated by [`Game::validate_config`].
    type Config: Serialize + DeserializeOwned + Clone + Debug + Send + Sync;
    /// Everything the game remembers; checkpointed with serde.
    type State: Serialize + DeserializeOwned + Clone + Debug + Send;
    /// What a player can do.
    type Action: Serialize + DeserializeOwned + Clone + Debug + PartialEq + Send;
    /// What one viewer may see of the state.
    type View: Serialize + Debug;
    /// What the game broadcasts.
    type Event: Serialize + DeserializeOwned + Clone + Debug + PartialEq + Send;
    /// A round's outcome, for the round record.
    type Outcome: Serialize + DeserializeOwned + Clone + Debug + PartialEq + Send;

    /// Checks a config before any table uses it.
    ///
    /// # Errors
    /// [`ConfigError`] naming the bad field.
    fn validate_config(config: &Self::Config) -> Result<(), ConfigError> {
        let _ = config;
        Ok(())
    }

    /// Players who can sit at once (1 for a single-player game).
    fn seats(config: &Self::Config) -> u8 {
        let _ = config;
        1
    }

    /// A fresh table (or session) with no players.
    fn new_table(config: &Self::Config) -> Self::State;

    /// Gives a state read back from a checkpoint or a round record what it
    /// keeps out of its serialised form: a game whose state would otherwise
    /// carry its whole config (a machine's paytable and strips) into every
    /// checkpoint keeps a shared copy instead, skipped by serde, and takes
    /// it back here. The server calls it after every read; the default
    /// does nothing.
    fn resume(state: &mut Self::State, config: &Self::Config) {
        let _ = (state, config);
    }

    /// Takes a new config on an open table — an operator changing its
    /// limits. The server calls it only with a config
    /// [`Game::validate_config`] accepted: first on a copy of the state,
    /// when the change is asked for (to refuse it at once), then on the
    /// table's own state between rounds, to take it. A game refuses what it
    /// cannot change in place (its currency, say, or its seats). The
    /// default refuses everything: a game that does nothing here keeps the
    /// config it opened with.
    ///
    /// # Errors
    /// [`Rejected`] (the state unchanged) for a change the game does not take.
    fn reconfigure(state: &mut Self::State, config: &Self::Config) -> Result<(), Rejected> {
        let _ = (state, config);
        reject(ErrorCode::ConfigFixed, "this game keeps the config it opened with")
    }

    /// Feeds one input and pushes onto `out` what the server must do, in
    /// order.
    ///
    /// # Errors
    /// [`Rejected`] when the input is not legal now; the state must then be
    /// exactly as before and no draw may have been made
    /// ([`crate::testing::assert_rejected_unchanged`] checks this). Callers
    /// discard whatever was pushed before a rejection.
    fn apply(
        state: &mut Self::State,
        input: Input<Self::Action>,
        rng: &mut dyn Draw,
        out: &mut Effects<Self>,
    ) -> Result<(), Rejected>;

    /// What `viewer` may see: their own hidden cards, nobody else's.
    fn view(state: &Self::State, viewer: Viewer) -> Self::View;

    /// Pushes onto `out` the actions `player` may take now, for bots,
    /// simulators and property tests. Every action offered must be accepted.
    /// Where the space is large (bet amounts) a representative set is enough.
    /// Nothing pushed: nothing to do but wait.
    fn offered_actions(state: &Self::State, player: PlayerId, out: &mut Vec<Self::Action>);

    /// The most one player may have staked in one round under `config`, in
    /// minor units: every stake of theirs in it added up (a bet, each chip
    /// added to it, a double, a split, an insurance), whatever order they
    /// come in. A game's limits must hold on totals, not on each stake
    /// alone: the simulator and [`crate::testing::Auditor::capped`] fail a
    /// game whose reserved stakes in a round go over this, so a limit
    /// checked per stake (six chips of 100 on a 500 maximum) is caught
    /// before it ships. Refuse what would go over with the game's own code.
    fn max_round_stake(config: &Self::Config) -> i64;

    /// The return to player the rules are designed for (e.g. 36/37 for
    /// European roulette), as a fraction of the amount staked.
    fn theoretical_rtp(config: &Self::Config) -> f64;
}
