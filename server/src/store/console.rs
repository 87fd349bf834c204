//! What the operator console asks of the database: players by name, rounds
//! by table or player, and the audit trail of staff actions (a hash chain,
//! `super::audit`) — each deposit from the console written with its audit
//! line in one transaction.

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;

use super::audit::AuditCheck;
use super::sql::{SqlStore, USER_COLUMNS, user};
use super::wallet::{commit, deposit_in, positive};
use super::{Receipt, Store, StoreError, User};

/// One line of the audit trail, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The staff account that acted.
    pub actor: i64,
    /// What was done: `deposit`, `table.open`, ...
    pub action: String,
    /// What it was done to: `user:7`, `table:roulette-2`, `round:...`.
    pub target: String,
    /// The request, as JSON text.
    pub detail: String,
    /// The client address it came from.
    pub address: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// One line of the audit trail, as read back (with its actor's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// Its place in the trail (ascending).
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// The staff account's id and name.
    pub actor: i64,
    /// The staff account's username.
    pub actor_name: String,
    /// As [`AuditEntry::action`].
    pub action: String,
    /// As [`AuditEntry::target`].
    pub target: String,
    /// As [`AuditEntry::detail`].
    pub detail: String,
    /// As [`AuditEntry::address`].
    pub address: String,
}

/// A round as a search lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundSummary {
    /// `table:epoch:round`.
    pub round: String,
    /// Table or session id.
    pub table: String,
    /// Game id.
    pub game: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The console's queries.
#[async_trait]
pub trait Console: Send + Sync {
    /// Accounts whose username starts with `prefix` (lower case), by name.
    async fn find_users(&self, prefix: &str, limit: u32) -> Result<Vec<User>, StoreError>;

    /// The usernames of the accounts `ids` that exist, by id, in one query.
    async fn usernames(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>, StoreError>;

    /// Recorded rounds, newest first, of `table` and/or with `player` in them.
    async fn search_rounds(
        &self,
        table: Option<&str>,
        player: Option<i64>,
        limit: u32,
    ) -> Result<Vec<RoundSummary>, StoreError>;

    /// A deposit as [`super::Wallet::deposit`], and `audit` in the same
    /// transaction (not written again when the key replays).
    ///
    /// # Errors
    /// As [`super::Wallet::deposit`].
    async fn staff_deposit(
        &self,
        key: &str,
        user_id: i64,
        currency: &str,
        amount: i64,
        audit: &AuditEntry,
    ) -> Result<Receipt, StoreError>;

    /// Appends `entry` to the audit trail; its id.
    async fn audit(&self, entry: &AuditEntry) -> Result<i64, StoreError>;

    /// The trail, newest first, before `before` (an id), at most `limit`.
    async fn audit_log(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditRow>, StoreError>;

    /// Walks the trail's hash chain (`super::audit`).
    async fn verify_audit(&self) -> Result<AuditCheck, StoreError>;
}

#[async_trait]
impl Console for SqlStore {
    async fn find_users(&self, prefix: &str, limit: u32) -> Result<Vec<User>, StoreError> {
        // `prefix` is matched literally: LIKE's own wildcards are escaped.
        let pattern = format!("{}%", prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users WHERE username LIKE $1 ESCAPE '\\' ORDER BY username LIMIT $2");
        let rows = sqlx::query(&sql).bind(pattern).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(user).collect()
    }

    async fn usernames(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        if ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let places: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!("SELECT id, username FROM users WHERE id IN ({})", places.join(", "));
        let query = ids.iter().fold(sqlx::query(&sql), |query, id| query.bind(*id));
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("username")?))).collect()
    }

    async fn search_rounds(
        &self,
        table: Option<&str>,
        player: Option<i64>,
        limit: u32,
    ) -> Result<Vec<RoundSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.round_key, r.table_id, r.game, r.created_at FROM rounds r \
             WHERE ($1 IS NULL OR r.table_id = $1) \
             AND ($2 IS NULL OR EXISTS (SELECT 1 FROM round_players p WHERE p.round_key = r.round_key AND p.user_id = $2)) \
             ORDER BY r.created_at DESC, r.round_key DESC LIMIT $3",
        )
        .bind(table)
        .bind(player)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RoundSummary {
                    round: r.try_get("round_key")?,
                    table: r.try_get("table_id")?,
                    game: r.try_get("game")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn staff_deposit(
        &self,
        key: &str,
        user_id: i64,
        currency: &str,
        amount: i64,
        audit: &AuditEntry,
    ) -> Result<Receipt, StoreError> {
        positive(amount)?;
        let mut tx = self.write_tx().await?;
        let receipt = deposit_in(&mut tx, key, user_id, currency, amount, audit.at).await?;
        if !receipt.replayed {
            super::audit::insert(&mut tx, self.backend(), audit).await?;
        }
        commit(tx, receipt).await
    }

    async fn audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let id = super::audit::insert(&mut tx, self.backend(), entry).await?;
        commit(tx, id).await
    }

    async fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        let mut conn = self.pool.acquire().await?;
        super::audit::verify(&mut conn).await
    }

    async fn audit_log(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.at, a.actor, u.username, a.action, a.target, a.detail, a.address \
             FROM audit_log a JOIN users u ON u.id = a.actor WHERE a.id < $1 ORDER BY a.id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    actor_name: r.try_get("username")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    detail: r.try_get("detail")?,
                    address: r.try_get("address")?,
                })
            })
            .collect()
    }
}
