//! The games a server can deal, as it holds them: a [`GameEntry`] for each,
//! made from the game's [`Registered`] impl by [`entry`] in one line, and
//! how an entry checks a config and opens a table or session of its game
//! ([`check`], [`open`]). The list itself is `GAMES` in the server's
//! `games` module, above this one.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use actix::{Actor, ArbiterHandle};
use croupier_protocol::ErrorCode;
use croupier_sdk::Game;
use croupier_sdk::record::{ReplayMismatch, RoundRecord, replay};
use croupier_sdk::registry::{Play, Registered, SimulateFn};
use serde_json::Value;

use super::table::{Opening, Table};
use super::{Deps, Kind, TableRef};
use crate::store::{CheckpointRow, GameConfig};

/// Opens a table or session of one game.
pub type OpenFn = fn(Open<'_>) -> Result<TableRef, OpenError>;

/// One registered game.
#[derive(Clone)]
pub struct GameEntry {
    /// Registry id (`Game::ID`).
    pub id: &'static str,
    /// One line for listings.
    pub summary: &'static str,
    /// Runs the simulator with the default config and reference strategy.
    pub simulate: SimulateFn,
    /// The same in math mode (`croupier_sdk::math`), for games that have it.
    pub simulate_math: Option<SimulateFn>,
    /// How it is played: live tables, sessions, or `None` (simulation only).
    pub kind: Option<Kind>,
    /// Opens a table or session.
    pub open: OpenFn,
    /// Checks a config (JSON) without opening anything, and gives it back
    /// with every key filled in.
    pub check: fn(&Value) -> Result<Value, String>,
    /// Replays a round record with the config it names (JSON, when it
    /// names one) and checks its outcome (`croupier verify`).
    pub replay: fn(&RoundRecord, Option<&Value>) -> Result<(), ReplayMismatch>,
    /// The game crate's folder (checks that read every game's sources).
    pub crate_dir: &'static str,
    /// The game's own refusal codes (`Game::CODES`).
    pub codes: &'static [croupier_sdk::Code],
}

/// The entry of game `G`: all a registry needs, from `G`'s [`Registered`]
/// impl (`croupier_sdk::register!` in the game crate).
pub const fn entry<G: Registered>() -> GameEntry {
    GameEntry {
        id: G::ID,
        summary: G::SUMMARY,
        simulate: G::simulate,
        simulate_math: G::MATH,
        kind: match G::PLAY {
            Play::Table => Some(Kind::Table),
            Play::Session => Some(Kind::Session),
            Play::SimulationOnly => None,
        },
        open: open::<G>,
        check: check::<G>,
        replay: replay_with::<G>,
        crate_dir: G::CRATE_DIR,
        codes: G::CODES,
    }
}

/// Why a table or session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The id is taken.
    #[error("a table with id {0:?} exists")]
    Exists(String),
    /// The id has characters or a length we do not take.
    #[error("table ids are 1 to 40 of a-z, 0-9 and -")]
    BadId,
    /// No such game.
    #[error("no game {0:?}")]
    UnknownGame(String),
    /// The game does not run that way (a table game as a session, or back).
    #[error("{game} runs as a {kind}, not as this")]
    WrongKind {
        /// The game.
        game: String,
        /// How it runs.
        kind: &'static str,
        /// How it was asked for.
        asked: Kind,
    },
    /// The config does not fit the game.
    #[error("invalid {game} config: {message}")]
    Config {
        /// The game.
        game: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The player has as many sessions open as allowed.
    #[error("at most {0} open sessions per player")]
    TooManySessions(usize),
    /// No entropy for the table's generator.
    #[error("no entropy: {0}")]
    Rng(#[from] croupier_rng::RngError),
}

impl OpenError {
    /// The stable code this failure travels under.
    pub fn code(&self) -> ErrorCode {
        match self {
            OpenError::Exists(_) => ErrorCode::TableExists,
            OpenError::BadId => ErrorCode::InvalidTableId,
            OpenError::UnknownGame(_) => ErrorCode::UnknownGame,
            OpenError::WrongKind { asked: Kind::Table, .. } => ErrorCode::NotATableGame,
            OpenError::WrongKind { asked: Kind::Session, .. } => ErrorCode::NotASessionGame,
            OpenError::Config { .. } => ErrorCode::InvalidConfig,
            OpenError::TooManySessions(_) => ErrorCode::TooManySessions,
            OpenError::Rng(_) => ErrorCode::InternalError,
        }
    }
}

/// What opening one table needs.
pub struct Open<'a> {
    /// Table or session id.
    pub id: String,
    /// Table or session.
    pub kind: Kind,
    /// A session's player.
    pub owner: Option<i64>,
    /// The game config (JSON; omitted keys take the game's defaults).
    pub config: &'a Value,
    /// Shared services.
    pub deps: Arc<Deps>,
    /// The thread to run on.
    pub arbiter: &'a ArbiterHandle,
    /// A checkpoint to come back from.
    pub restore: Option<&'a CheckpointRow>,
}

/// Checks a config of game `G` (JSON) as opening a table would, and gives
/// it back with every key filled in (as a table or session plays it).
///
/// # Errors
/// What does not fit, naming the field.
pub fn check<G: Game>(config: &Value) -> Result<Value, String> {
    let config: G::Config = serde_json::from_value(config.clone()).map_err(|e| e.to_string())?;
    G::validate_config(&config).map_err(|e| e.message)?;
    serde_json::to_value(&config).map_err(|e| e.to_string())
}

/// Replays `record` of game `G` with `config`, the config it names.
///
/// # Errors
/// [`ReplayMismatch::Malformed`] for a config `G` cannot read; otherwise as
/// [`replay`].
pub fn replay_with<G: Game>(record: &RoundRecord, config: Option<&Value>) -> Result<(), ReplayMismatch> {
    let config: Option<G::Config> = config
        .map(|c| serde_json::from_value(c.clone()))
        .transpose()
        .map_err(|e| ReplayMismatch::Malformed { game: G::ID, message: format!("config: {e}") })?;
    replay::<G>(record, config.as_ref())
}

/// Opens a table of game `G`: the `open` of every [`GameEntry`] that plays.
///
/// # Errors
/// [`OpenError::Config`] for a config the game refuses; [`OpenError::Rng`].
pub fn open<G: Game>(args: Open<'_>) -> Result<TableRef, OpenError> {
    let bad = |message: String| OpenError::Config { game: G::ID, message };
    let config: G::Config = serde_json::from_value(args.config.clone()).map_err(|e| bad(e.to_string()))?;
    G::validate_config(&config).map_err(|e| bad(e.message))?;
    let seated = Arc::new(AtomicUsize::new(0));
    let listing = serde_json::to_value(&config).map_err(|e| bad(e.to_string()))?;
    let named = GameConfig::of(G::ID, &config).map_err(|e| bad(e.to_string()))?;
    let opening = Opening {
        id: args.id.clone(),
        kind: args.kind,
        owner: args.owner,
        spec: Arc::new(args.config.clone()),
        config: Arc::new(named),
        restore: args.restore,
    };
    let table = Table::<G>::new(opening, &config, seated.clone(), args.deps)?;
    let addr = Table::start_in_arbiter(args.arbiter, move |_| table);
    Ok(TableRef {
        id: args.id,
        game: G::ID,
        seats: G::seats(&config),
        seated,
        config: Arc::new(listing),
        owner: args.owner,
        requests: addr.clone().recipient(),
        gone: addr.clone().recipient(),
        halt: addr.clone().recipient(),
        admin: addr.recipient(),
    })
}
