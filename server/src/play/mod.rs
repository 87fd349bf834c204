//! Live tables and single-player sessions: the pure [`engine`] that drives a
//! game (with its [`requests`], [`log`], [`checkpoint`] and [`money`] as
//! data, and the [`policy`] that tells a table from a session), the [`table`]
//! actor that carries its steps out, the [`lobby`] that finds and opens
//! them, and [`fairness`], each player's provably-fair seeds.
//!
//! Connections talk to tables only through the messages below; a table
//! answers straight into the client's bounded outbound queue ([`Outbox`]), so
//! replies and events reach a client in the order the table produced them
//! and a table never waits for a slow reader. This module never parses a
//! WebSocket frame and never holds game rules.

pub mod admin;
pub mod checkpoint;
pub mod engine;
pub mod fairness;
pub mod hot;
pub mod lobby;
pub mod log;
pub mod money;
pub mod policy;
pub mod registry;
mod requests;
mod rollback;
mod round;
mod seeds;
pub mod step;
pub mod table;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix::{Message, Recipient};
use dashmap::DashMap;
use serde::Serialize;
use serde_json::Value;

use crate::cache::Cache;
pub use crate::clients::Outbox;
use crate::clock::Clock;
use crate::group::GroupCommit;
use crate::metrics::Metrics;
use crate::settings::Settings;
use crate::store::Store;

pub use croupier_protocol::TableInfo;
pub use lobby::Lobby;
pub use policy::Kind;

/// A connected player, as a table addresses them.
#[derive(Clone)]
pub struct Client {
    /// Player id.
    pub player: i64,
    /// Username (chat shows it).
    pub name: String,
    /// The connection's id: a table forgets a client only for the connection
    /// that actually closed.
    pub conn: u64,
    /// Where replies and events go.
    pub outbox: Outbox,
}

/// What a client asks of a table or session (in scenario files, the JSON
/// form `{"type": "sit", "seat": 2}`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Ask {
    /// Watch (or, for a session, open it): `joined` / `session`.
    Join,
    /// Stop watching, standing up first.
    Leave,
    /// Take a seat.
    Sit {
        /// Preferred seat.
        #[serde(default)]
        seat: Option<u8>,
    },
    /// Give up the seat.
    Stand,
    /// A game action (JSON of the game's action type).
    Act {
        /// The action.
        action: Value,
    },
    /// A chat line.
    Chat {
        /// The text.
        text: String,
    },
    /// Missed events after `last_seq`, or a resync.
    Resume {
        /// The last seq the client saw.
        last_seq: u64,
    },
    /// Close a session.
    Close,
}

/// A client's request to a table; the table replies into the client's
/// outbox, echoing `re`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Request {
    /// Who asks.
    pub client: Client,
    /// The request id to echo.
    pub re: Option<u64>,
    /// What.
    pub ask: Ask,
}

/// A connection closed: the player's seat is held for the grace period.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Gone {
    /// Whose.
    pub player: i64,
    /// Which connection.
    pub conn: u64,
}

/// How the lobby reaches one running table or session.
#[derive(Clone)]
pub struct TableRef {
    /// Table or session id.
    pub id: String,
    /// Game id.
    pub game: &'static str,
    /// Seats in all.
    pub seats: u8,
    /// Players seated now (kept by the table).
    pub seated: Arc<AtomicUsize>,
    /// The game config, for listings.
    pub config: Arc<Value>,
    /// For a session: its player.
    pub owner: Option<i64>,
    /// Requests.
    pub requests: Recipient<Request>,
    /// Disconnections.
    pub gone: Recipient<Gone>,
    /// Stop.
    pub halt: Recipient<table::Halt>,
    /// Staff actions (the operator console).
    pub admin: Recipient<table::Admin>,
}

impl TableRef {
    /// Players seated now.
    pub fn seated(&self) -> usize {
        self.seated.load(Ordering::Relaxed)
    }
}

/// A live table as `GET /v1/tables` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TableListing {
    /// Table id.
    pub id: String,
    /// Game id.
    pub game: &'static str,
    /// Seats in all.
    pub seats: u8,
    /// Players seated.
    pub seated: usize,
    /// The game's config: currency, limits, timers.
    pub config: Value,
}

impl From<&TableRef> for TableListing {
    fn from(t: &TableRef) -> Self {
        Self { id: t.id.clone(), game: t.game, seats: t.seats, seated: t.seated(), config: (*t.config).clone() }
    }
}

/// What every table and session shares.
pub struct Deps {
    /// Players' own limits and exclusions, checked at every stake.
    pub guard: Arc<crate::protect::Guard>,
    /// The database.
    pub store: Arc<dyn Store>,
    /// The database's money operations, in shared batches.
    pub group: GroupCommit,
    /// The hot checkpoint tier.
    pub cache: Cache,
    /// Metrics.
    pub metrics: Metrics,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Players' provably-fair seeds.
    pub fairness: Arc<fairness::Fairness>,
    /// The time.
    pub clock: Clock,
    /// Live tables by id.
    pub tables: DashMap<String, TableRef>,
    /// Open sessions by id.
    pub sessions: DashMap<String, TableRef>,
}
