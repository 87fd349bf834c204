//! Storage: the [`Store`] trait the rest of the server talks to, and its
//! backends — Postgres in production, SQLite embedded (the default with no
//! database configured). Both run the same SQL through `sqlx`'s `Any`
//! driver ([`sql`]); each backend module only connects and migrates.
//!
//! Every backend passes the same conformance suite (`tests/store.rs`). This
//! module never hashes a password or signs a token: it stores what it is
//! given.

use croupier_protocol::ErrorCode;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::settings::DatabaseSettings;

pub use aml::{Aml, AmlCase, CaseEvent};
pub use console::{AuditEntry, AuditRow, Console, RoundSummary};
pub use erase::Erase;
pub use export::Export;
pub use identity::{Identity, ProfileRow};
pub use kyc::{Kyc, KycCheck};
pub use mfa::{Mfa, TotpRow};
pub use payments::{NewPayment, PaymentRow, Payments};
pub use protect::{DayUsage, PlayUsage, Protection};
pub use records::{CheckpointRow, FairSeedRow, GameConfig, PlayedRound, RoundClose, RoundRow, Rounds};

mod accounts;
mod aml;
pub mod audit;
pub mod batch;
mod batch_pg;
pub use batch_pg::{SQL_REFUSALS, sql_refusal};
mod console;
pub mod erase;
pub mod export;
mod identity;
mod kyc;
mod mfa;
mod payments;
pub mod postgres;
mod protect;
mod records;
mod rounds;
pub mod sql;
pub mod sqlite;
mod wallet;

/// Which database is behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The production backend.
    Postgres,
    /// The embedded default.
    Sqlite,
}

/// A role; what each may do is `crate::roles::GRANTS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Plays.
    Player,
    /// Helps players: reads accounts and rounds, changes nothing.
    Support,
    /// Runs tables, credits wallets.
    Operator,
    /// Everything.
    Admin,
    /// Reads the audit trail and the rounds, changes nothing.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [Role::Player, Role::Support, Role::Operator, Role::Admin, Role::Auditor];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Player => "player",
            Role::Support => "support",
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// The role named `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Unique, lower case.
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A refresh token as stored (its hash, never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Owner.
    pub user_id: i64,
    /// Rotation family: every token descending from one login.
    pub family: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now used and its successor stored.
    Rotated {
        /// Owner.
        user_id: i64,
    },
    /// Not a token we issued.
    Unknown,
    /// Past its lifetime.
    Expired,
    /// Revoked (logout, password change, or reuse in its family).
    Revoked,
    /// Already used once: its whole family is now revoked.
    Reused,
}

/// A storage failure.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique value is taken (e.g. the username).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// A row the operation needs does not exist.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The commit was sent but its answer was lost: the operation may or may
    /// not have landed. Retrying with the same idempotency key tells which.
    #[error("commit unconfirmed: {0}")]
    Unconfirmed(sqlx::Error),
    /// Stored data is not what this version expects.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The player's available balance is short of the amount.
    #[error("insufficient funds")]
    InsufficientFunds,
    /// No stake was ever held for this round.
    #[error("unknown round {0}")]
    UnknownRound(String),
    /// The round was settled or voided already.
    #[error("round {0} is closed")]
    RoundClosed(String),
    /// The idempotency key was used for a different request.
    #[error("idempotency key {0} was used for a different request")]
    KeyReused(String),
    /// A payout to a player who holds no stake in the round.
    #[error("player {0} has no stake in the round")]
    PayoutWithoutStake(i64),
    /// A stake, deposit or payout that is not a positive amount.
    #[error("amounts must be positive, not {0}")]
    InvalidAmount(i64),
    /// The round is in another currency.
    #[error("the round is in {0}")]
    CurrencyMismatch(String),
}

impl StoreError {
    /// The stable code this failure travels under, over HTTP and to a
    /// table (a stake refused for it): the one place a store error gets
    /// its code.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::NotFound(_) => ErrorCode::NotFound,
            StoreError::Database(_) | StoreError::Unconfirmed(_) => ErrorCode::WalletUnavailable,
            StoreError::Corrupt(_) => ErrorCode::InternalError,
            StoreError::InsufficientFunds => ErrorCode::InsufficientFunds,
            StoreError::UnknownRound(_) => ErrorCode::UnknownRound,
            StoreError::RoundClosed(_) => ErrorCode::RoundClosed,
            StoreError::KeyReused(_) => ErrorCode::IdempotencyKeyReused,
            StoreError::PayoutWithoutStake(_) => ErrorCode::PayoutWithoutStake,
            StoreError::InvalidAmount(_) => ErrorCode::InvalidAmount,
            StoreError::CurrencyMismatch(_) => ErrorCode::CurrencyMismatch,
        }
    }
}

/// A money movement's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The ledger transaction.
    pub tx_id: i64,
    /// The idempotency key had been used: this is the first result, and no
    /// money moved this time.
    pub replayed: bool,
}

/// One balance of a player.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// Currency code.
    pub currency: String,
    /// Spendable, minor units.
    pub available: i64,
    /// Held as stakes of open rounds, minor units.
    pub held: i64,
}

/// One transaction as a player sees it in their history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxLine {
    /// Transaction id (also the pagination cursor).
    pub id: i64,
    /// deposit, reserve, settle or void.
    pub kind: String,
    /// The round, for round operations.
    pub round: Option<String>,
    /// Currency code.
    pub currency: String,
    /// Net change to the player's available balance, minor units.
    pub available_change: i64,
    /// Net change to the player's held balance, minor units.
    pub held_change: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A round, as a money operation names it.
#[derive(Debug, Clone, Copy)]
pub struct RoundRef<'a> {
    /// Unique round key, e.g. `roulette-1:42` (table and round).
    pub key: &'a str,
    /// The house account that takes its stakes and pays its winners: one per
    /// table (or per shard of single-player sessions), never one for all.
    pub house: &'a str,
    /// The round's currency.
    pub currency: &'a str,
}

/// Everything the server keeps in its database: accounts here, money in
/// the [`Wallet`] supertrait, second factors in [`Mfa`], profiles and
/// password resets in [`Identity`], deposits and withdrawals through a
/// provider in [`Payments`], players' own limits and exclusions in
/// [`Protection`], identity checks in [`Kyc`], the AML review
/// queue in [`Aml`], a player's data export in [`Export`] and erasure in
/// [`Erase`].
#[async_trait]
pub trait Store:
    Wallet + Rounds + Console + Mfa + Identity + Payments + Protection + Kyc + Aml + Export + Erase + Send + Sync + 'static
{
    /// Which backend this is.
    fn backend(&self) -> Backend;

    /// Pool connections: (open, idle), for metrics.
    fn pool_size(&self) -> (u32, u32);

    /// Round trip to the database (readiness).
    ///
    /// # Errors
    /// The database is unreachable.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Claims the database for this server: `None` when another live server
    /// holds it. Held until the [`Claim`] is dropped, and given up by the
    /// database itself when the process dies (a Postgres session advisory
    /// lock; on SQLite, a lock on a file beside the database).
    ///
    /// # Errors
    /// The database is unreachable, or the lock file cannot be made.
    async fn claim(&self) -> Result<Option<Claim>, StoreError>;

    /// Creates an account.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the username is taken.
    async fn create_user(&self, username: &str, password_hash: &str, role: Role, now: i64) -> Result<User, StoreError>;

    /// Load-test players in bulk: creates those of `names` that do not
    /// exist and funds each once with `amount`, in one transaction; returns
    /// them in the order named.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a name is taken by an account that is
    /// not a player; [`StoreError::InvalidAmount`] for an amount that is not
    /// positive; database failures. Nothing is written on an error.
    async fn test_accounts(
        &self,
        names: &[String],
        password_hash: &str,
        amount: i64,
        currency: &str,
        now: i64,
    ) -> Result<Vec<User>, StoreError>;

    /// The account named `username`.
    ///
    /// # Errors
    /// Database failures only.
    async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError>;

    /// The account with `id`.
    ///
    /// # Errors
    /// Database failures only.
    async fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError>;

    /// Replaces a password hash and revokes every refresh token of the user.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown user.
    async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<(), StoreError>;

    /// Stores a newly issued refresh token.
    ///
    /// # Errors
    /// Database failures only.
    async fn insert_refresh(&self, token: &RefreshRecord) -> Result<(), StoreError>;

    /// Presents the token hashed `token_hash`: if current, marks it used and
    /// stores `successor` (same family) in one transaction.
    ///
    /// # Errors
    /// Database failures only; every outcome for the token is a [`Rotation`].
    async fn rotate_refresh(
        &self,
        token_hash: &str,
        successor: &RefreshRecord,
        now: i64,
    ) -> Result<Rotation, StoreError>;

    /// Revokes the family of the token hashed `token_hash` (logout); `false`
    /// if there is no such token.
    ///
    /// # Errors
    /// Database failures only.
    async fn revoke_family_of(&self, token_hash: &str) -> Result<bool, StoreError>;
}

/// The double-entry ledger (see docs/wallet.md).
#[async_trait]
pub trait Wallet: Send + Sync {
    /// Credits `amount` (> 0) to the player from the system account.
    ///
    /// # Errors
    /// [`StoreError::KeyReused`]; [`StoreError::NotFound`] for an unknown user.
    async fn deposit(
        &self,
        key: &str,
        user_id: i64,
        currency: &str,
        amount: i64,
        now: i64,
    ) -> Result<Receipt, StoreError>;

    /// Holds `amount` (> 0) of the player's available balance as a stake in
    /// `round` (opening the round on its first stake).
    ///
    /// # Errors
    /// [`StoreError::InsufficientFunds`], [`StoreError::RoundClosed`],
    /// [`StoreError::CurrencyMismatch`], [`StoreError::KeyReused`].
    async fn reserve(
        &self,
        key: &str,
        round: RoundRef<'_>,
        user_id: i64,
        amount: i64,
        now: i64,
    ) -> Result<Receipt, StoreError>;

    /// Closes `round_key`: every held stake goes to the round's house
    /// account, then each `(user_id, amount)` payout is credited from it.
    ///
    /// # Errors
    /// [`StoreError::UnknownRound`], [`StoreError::RoundClosed`],
    /// [`StoreError::PayoutWithoutStake`], [`StoreError::KeyReused`].
    async fn settle(&self, key: &str, round_key: &str, payouts: &[(i64, i64)], now: i64)
    -> Result<Receipt, StoreError>;

    /// Cancels `round_key`: every held stake goes back to its player.
    ///
    /// # Errors
    /// [`StoreError::UnknownRound`], [`StoreError::RoundClosed`],
    /// [`StoreError::KeyReused`].
    async fn void(&self, key: &str, round_key: &str, now: i64) -> Result<Receipt, StoreError>;

    /// Carries out `ops` in order in one database transaction with one
    /// commit; each gets its own answer, as if it had run alone at that
    /// point: a refusal refuses that operation only.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the transaction failed before its
    /// commit (no operation landed); [`StoreError::Unconfirmed`] when the
    /// commit's answer was lost (all landed or none did: asking again with
    /// the same keys tells which).
    async fn commit_batch(&self, ops: &[batch::WalletOp], now: i64) -> Result<Vec<batch::OpResult>, StoreError>;

    /// The player's balances, one per currency they hold.
    ///
    /// # Errors
    /// Database failures only.
    async fn balances(&self, user_id: i64) -> Result<Vec<Balance>, StoreError>;

    /// The player's transactions, newest first, with ids below `before`.
    ///
    /// # Errors
    /// Database failures only.
    async fn transactions(&self, user_id: i64, before: Option<i64>, limit: u32) -> Result<Vec<TxLine>, StoreError>;

    /// Checks the whole ledger; returns the violations found (at most `max`).
    ///
    /// # Errors
    /// Database failures only.
    async fn ledger_violations(&self, max: u32) -> Result<Vec<String>, StoreError>;
}

/// A server's hold on its database (see [`Store::claim`]); dropping it lets
/// another server start there.
pub struct Claim(pub Box<dyn std::any::Any + Send>);

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Claim")
    }
}

/// Opens the configured backend (Postgres with a URL, else SQLite) and
/// applies its migrations.
///
/// # Errors
/// The database is unreachable or a migration fails.
pub async fn open(settings: &DatabaseSettings) -> anyhow::Result<Arc<dyn Store>> {
    let store = if settings.url.is_empty() { sqlite::open(settings).await? } else { postgres::open(settings).await? };
    Ok(Arc::new(store))
}
