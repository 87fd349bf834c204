//! What the rest of the server reads and writes about rounds: the
//! [`Rounds`] half of the store (records written with their settlement,
//! checkpoints, provably-fair seeds) and the rows it passes. The SQL is in
//! `rounds.rs`.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Receipt, StoreError};

/// A game config as rounds name it: stored once, the first time a record
/// that names it is written, and found again by its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameConfig {
    /// SHA-256 of `text`, hex: what a round record names.
    pub hash: String,
    /// The game it configures.
    pub game: String,
    /// The config as the game reads it (every key, defaults filled in), JSON.
    pub text: String,
}

impl GameConfig {
    /// The config `config` of game `game`, serialised and fingerprinted.
    ///
    /// # Errors
    /// The config does not serialise.
    pub fn of<T: Serialize>(game: &str, config: &T) -> Result<Self, serde_json::Error> {
        use sha2::Digest;
        let text = serde_json::to_string(config)?;
        let hash = hex::encode(sha2::Sha256::digest(text.as_bytes()));
        Ok(Self { hash, game: game.to_owned(), text })
    }
}

/// A round as stored: its record (the SDK's `RoundRecord`, JSON) and the
/// players who may read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundRow {
    /// The round key (also the wallet's), e.g. `roulette-1:k3x9:42`.
    pub key: String,
    /// Table or session id.
    pub table: String,
    /// Game id.
    pub game: String,
    /// Everyone seated in or staking on the round.
    pub players: Vec<i64>,
    /// The record, JSON.
    pub record: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The config the record names, written with it unless already stored
    /// (`None` when read back: [`Rounds::game_config`] finds it).
    #[serde(skip)]
    pub config: Option<Arc<GameConfig>>,
}

/// A round as its player's history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlayedRound {
    /// `table:epoch:round`.
    pub round: String,
    /// Table or session id.
    pub table: String,
    /// Game id.
    pub game: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Minor units the wallet held of the player's stakes in the round
    /// (refunded or not); 0 when they were seated but staked nothing.
    pub staked: i64,
    /// The round's currency; `None` when nobody staked in it.
    pub currency: Option<String>,
    /// The round was voided and its stakes refunded.
    pub voided: bool,
}

/// How a round's money closes: the one type from a table's round to the
/// store, whether the record is written with it or later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundClose {
    /// Stakes to the house, then these `(user id, amount)` payouts.
    Settle(Vec<(i64, i64)>),
    /// Every stake refunded.
    Void,
    /// No stake was taken: only the record.
    RecordOnly,
}

/// A provably-fair server seed as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairSeedRow {
    /// SHA-256 of the seed, hex: published before use.
    pub commitment: String,
    /// Whose.
    pub user_id: i64,
    /// The seed, hex: secret until revealed.
    pub seed: String,
    /// The player's client seed used with it.
    pub client_seed: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// When it was revealed (rotation or restart); `None` while in use.
    pub revealed_at: Option<i64>,
}

/// A table's (or session's) durable checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRow {
    /// Table or session id.
    pub table: String,
    /// Game id.
    pub game: String,
    /// `table` or `session`.
    pub kind: String,
    /// A session's player.
    pub owner: Option<i64>,
    /// The game config the table was opened with (JSON).
    pub spec: String,
    /// The table's event seq at the checkpoint.
    pub seq: i64,
    /// Game state, seats and timers (JSON).
    pub checkpoint: String,
    /// A closed table or session (never restored).
    pub closed: bool,
    /// Unix milliseconds.
    pub updated_at: i64,
}

/// Round records and provably-fair seeds.
#[async_trait]
pub trait Rounds: Send + Sync {
    /// Closes a round's money (`key` is the idempotency key) and writes its
    /// record and the table's checkpoint after it, in one transaction. A replayed key returns the first receipt
    /// and writes nothing.
    ///
    /// # Errors
    /// As [`Wallet::settle`] / [`Wallet::void`].
    async fn finish_round(
        &self,
        key: &str,
        close: &RoundClose,
        record: &RoundRow,
        checkpoint: Option<&CheckpointRow>,
        now: i64,
    ) -> Result<Option<Receipt>, StoreError>;

    /// Writes a checkpoint unless a newer one (higher seq) is stored.
    ///
    /// # Errors
    /// Database failures only.
    async fn save_checkpoint(&self, checkpoint: &CheckpointRow) -> Result<(), StoreError>;

    /// Every checkpoint that is not of a closed table or session.
    ///
    /// # Errors
    /// Database failures only.
    async fn checkpoints(&self) -> Result<Vec<CheckpointRow>, StoreError>;

    /// The keys of wallet rounds of tables and sessions still open
    /// (holding stakes), oldest first; not withdrawals' holds (`payout/ID`).
    ///
    /// # Errors
    /// Database failures only.
    async fn open_rounds(&self) -> Result<Vec<String>, StoreError>;

    /// The round `round_key`.
    ///
    /// # Errors
    /// Database failures only.
    async fn round_record(&self, round_key: &str) -> Result<Option<RoundRow>, StoreError>;

    /// The config with fingerprint `hash`, as stored with the first round
    /// that named it.
    ///
    /// # Errors
    /// Database failures only.
    async fn game_config(&self, hash: &str) -> Result<Option<GameConfig>, StoreError>;

    /// The newest rounds a player was in, newest first, each with what the
    /// wallet held of theirs in it (0: seated, but only watched).
    ///
    /// # Errors
    /// Database failures only.
    async fn rounds_of(&self, user_id: i64, limit: u32) -> Result<Vec<PlayedRound>, StoreError>;

    /// Stores a new server seed (before its first use).
    ///
    /// # Errors
    /// Database failures only.
    async fn insert_fair_seed(&self, seed: &FairSeedRow) -> Result<(), StoreError>;

    /// Marks every unrevealed seed of `user_id` (of everyone, with `None`)
    /// revealed, except the one committed as `keep` (`""`: none); returns
    /// how many.
    ///
    /// # Errors
    /// Database failures only.
    async fn reveal_fair_seeds(&self, user_id: Option<i64>, keep: &str, now: i64) -> Result<u64, StoreError>;

    /// A player's seeds, newest first.
    ///
    /// # Errors
    /// Database failures only.
    async fn fair_seeds_of(&self, user_id: i64, limit: u32) -> Result<Vec<FairSeedRow>, StoreError>;

    /// The seed with this commitment.
    ///
    /// # Errors
    /// Database failures only.
    async fn fair_seed(&self, commitment: &str) -> Result<Option<FairSeedRow>, StoreError>;
}
