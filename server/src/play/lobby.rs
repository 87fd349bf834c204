//! The lobby: every running table and session by id (`DashMap`s, so a
//! connection finds its table without a central actor), and how new ones are
//! opened — from settings at start, by an operator, or by a player opening
//! a session. Tables are spread round-robin over a fixed set of arbiters
//! (threads). The lobby never runs game logic.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix::{Arbiter, ArbiterHandle};
use dashmap::mapref::entry::Entry;
use serde_json::Value;

use super::registry::GameEntry;
pub use super::registry::{Open, OpenError};
use super::table;
use super::{Deps, Kind, TableListing, TableRef};
use crate::settings::TableSpec;
use crate::store::CheckpointRow;

/// Every table and session, and the threads they run on.
pub struct Lobby {
    deps: Arc<Deps>,
    games: Vec<GameEntry>,
    arbiters: Vec<Arbiter>,
    next: AtomicUsize,
}

impl Lobby {
    /// A lobby with `threads` arbiters (0 = one per core). Must run inside an
    /// actix system.
    pub fn new(deps: Arc<Deps>, games: Vec<GameEntry>, threads: usize) -> Self {
        let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
        let arbiters = (0..threads).map(|_| Arbiter::new()).collect();
        Self { deps, games, arbiters, next: AtomicUsize::new(0) }
    }

    /// A lobby whose tables and sessions run on the current arbiter (tests
    /// under paused time drive their timers there).
    pub fn on_this_thread(deps: Arc<Deps>, games: Vec<GameEntry>) -> Self {
        Self { deps, games, arbiters: Vec::new(), next: AtomicUsize::new(0) }
    }

    /// Shared services.
    pub fn deps(&self) -> &Arc<Deps> {
        &self.deps
    }

    /// The registered games.
    pub fn games(&self) -> &[GameEntry] {
        &self.games
    }

    fn arbiter(&self) -> ArbiterHandle {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.arbiters.len().max(1);
        self.arbiters.get(i).map_or_else(Arbiter::current, Arbiter::handle)
    }

    fn game(&self, id: &str, kind: Kind) -> Result<&GameEntry, OpenError> {
        let entry = self.games.iter().find(|g| g.id == id).ok_or_else(|| OpenError::UnknownGame(id.to_owned()))?;
        match entry.kind {
            Some(k) if k == kind => Ok(entry),
            Some(Kind::Table) => Err(OpenError::WrongKind { game: id.to_owned(), kind: "live table", asked: kind }),
            Some(Kind::Session) => {
                Err(OpenError::WrongKind { game: id.to_owned(), kind: "single-player session", asked: kind })
            }
            None => Err(OpenError::WrongKind { game: id.to_owned(), kind: "simulation only", asked: kind }),
        }
    }

    /// Opens a live table.
    ///
    /// # Errors
    /// [`OpenError`] naming what is wrong; nothing is opened then.
    pub fn open_table(&self, spec: &TableSpec) -> Result<TableRef, OpenError> {
        self.open_table_from(spec, None)
    }

    /// Opens a live table, from `restore` if given.
    ///
    /// # Errors
    /// [`OpenError`] naming what is wrong; nothing is opened then.
    pub fn open_table_from(&self, spec: &TableSpec, restore: Option<&CheckpointRow>) -> Result<TableRef, OpenError> {
        if !TableSpec::valid_id(&spec.id) {
            return Err(OpenError::BadId);
        }
        let entry = self.game(&spec.game, Kind::Table)?;
        let Entry::Vacant(slot) = self.deps.tables.entry(spec.id.clone()) else {
            return Err(OpenError::Exists(spec.id.clone()));
        };
        let arbiter = self.arbiter();
        let args = Open {
            id: spec.id.clone(),
            kind: Kind::Table,
            owner: None,
            config: &spec.config,
            deps: self.deps.clone(),
            arbiter: &arbiter,
            restore,
        };
        let table = (entry.open)(args)?;
        slot.insert(table.clone());
        Ok(table)
    }

    /// Opens a session of `game` for `player`.
    ///
    /// # Errors
    /// [`OpenError`]: unknown or table-only game, too many sessions.
    pub fn open_session(&self, player: i64, game: &str) -> Result<TableRef, OpenError> {
        self.game(game, Kind::Session)?;
        let max = self.deps.settings.play.max_sessions_per_player;
        if self.deps.sessions.iter().filter(|s| s.owner == Some(player)).count() >= max {
            return Err(OpenError::TooManySessions(max));
        }
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| OpenError::Rng(croupier_rng::RngError::Entropy(e.to_string())))?;
        self.start_session(format!("s-{}", hex::encode(bytes)), player, game, None)
    }

    /// Brings back a table or session from its checkpoint.
    ///
    /// # Errors
    /// [`OpenError`]: its game is gone, or its stored config no longer fits.
    pub fn restore(&self, row: &CheckpointRow) -> Result<TableRef, OpenError> {
        match (row.kind.as_str(), row.owner) {
            ("session", Some(owner)) => self.start_session(row.table.clone(), owner, &row.game, Some(row)),
            _ => {
                let config = serde_json::from_str(&row.spec).map_err(|e| OpenError::Config {
                    game: "stored",
                    message: format!("the stored config of {} does not parse: {e}", row.table),
                })?;
                let spec = TableSpec { id: row.table.clone(), game: row.game.clone(), config };
                self.open_table_from(&spec, Some(row))
            }
        }
    }

    fn start_session(
        &self,
        id: String,
        player: i64,
        game: &str,
        restore: Option<&CheckpointRow>,
    ) -> Result<TableRef, OpenError> {
        let entry = self.game(game, Kind::Session)?;
        let arbiter = self.arbiter();
        let config =
            self.deps.settings.sessions.get(game).cloned().unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        let args = Open {
            id: id.clone(),
            kind: Kind::Session,
            owner: Some(player),
            config: &config,
            deps: self.deps.clone(),
            arbiter: &arbiter,
            restore,
        };
        let session = (entry.open)(args)?;
        self.deps.sessions.insert(id, session.clone());
        Ok(session)
    }

    /// The live table `id`.
    pub fn table(&self, id: &str) -> Option<TableRef> {
        self.deps.tables.get(id).map(|t| t.clone())
    }

    /// The session `id`.
    pub fn session(&self, id: &str) -> Option<TableRef> {
        self.deps.sessions.get(id).map(|t| t.clone())
    }

    /// Every live table, by id.
    pub fn tables(&self) -> Vec<TableListing> {
        let mut all: Vec<TableListing> = self.deps.tables.iter().map(|t| TableListing::from(t.value())).collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// Stops every table and session, each refunding a round that holds
    /// stakes but has not settled; resolves when all have stopped.
    pub async fn halt_all(&self) {
        let halts: Vec<_> =
            self.deps.tables.iter().chain(self.deps.sessions.iter()).map(|t| t.halt.send(table::Halt)).collect();
        for halt in halts {
            let _ = halt.await;
        }
    }

    /// Stops every table and session where it is (the server is stopping);
    /// their threads stay, idle, until the process ends.
    pub fn stop(&self) {
        for t in self.deps.tables.iter().chain(self.deps.sessions.iter()) {
            t.halt.do_send(table::Halt);
        }
    }
}
