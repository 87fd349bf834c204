//! Identity checks in the database: each check a player started with a
//! verification provider, its status, and every webhook event taken. A
//! status only moves forward, by one conditional UPDATE, so webhooks
//! repeated or out of order cannot move a check back; the player's status
//! is read from their checks, never kept twice.

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;

use super::StoreError;
use super::payments::{WebhookEvent, record_webhook};
use super::sql::SqlStore;
use crate::kyc::Status;

/// A check as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KycCheck {
    /// Our id (the provider knows it as the reference `kyc-ID`).
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// The provider's name.
    pub provider: String,
    /// The provider's id of it, once it answered.
    pub provider_ref: Option<String>,
    /// The provider's page for it, once it answered.
    pub redirect_url: Option<String>,
    /// `created`, `pending`, `verified`, `rejected` or `failed`.
    pub status: String,
    /// The provider's reason for a rejection.
    pub reason: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

impl KycCheck {
    /// The reference the provider knows it by.
    pub fn reference(&self) -> String {
        format!("kyc-{}", self.id)
    }
}

/// The identity-check queries.
#[async_trait]
pub trait Kyc: Send + Sync {
    /// Stores a new check of `user` at `provider`, `created`.
    async fn create_check(&self, user: i64, provider: &str, now: i64) -> Result<KycCheck, StoreError>;

    /// Check `id`.
    async fn check(&self, id: i64) -> Result<Option<KycCheck>, StoreError>;

    /// `user`'s checks, newest first, at most `limit`.
    async fn checks_of(&self, user: i64, limit: u32) -> Result<Vec<KycCheck>, StoreError>;

    /// `user`'s status: verified once any check is, else their latest
    /// started check's, else none.
    async fn kyc_status(&self, user: i64) -> Result<Status, StoreError>;

    /// Notes what the provider answered for `created` check `id`, making it
    /// `pending`; whether it did.
    async fn start_check(&self, id: i64, provider_ref: &str, redirect_url: &str, now: i64) -> Result<bool, StoreError>;

    /// Moves check `id` to `to` (with `reason`) if its status is one of
    /// `from`; whether it did.
    async fn move_check(
        &self,
        id: i64,
        from: &[&str],
        to: &str,
        reason: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Records webhook event `event_id` of `provider` with what it did;
    /// `false` when it was recorded before (a redelivery).
    async fn record_kyc_event(
        &self,
        provider: &str,
        event_id: &str,
        check: Option<i64>,
        kind: &str,
        outcome: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
}

const COLUMNS: &str = "id, user_id, provider, provider_ref, redirect_url, status, reason, created_at, updated_at";

fn row(r: &sqlx::any::AnyRow) -> Result<KycCheck, StoreError> {
    Ok(KycCheck {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        provider: r.try_get("provider")?,
        provider_ref: r.try_get("provider_ref")?,
        redirect_url: r.try_get("redirect_url")?,
        status: r.try_get("status")?,
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[async_trait]
impl Kyc for SqlStore {
    async fn create_check(&self, user: i64, provider: &str, now: i64) -> Result<KycCheck, StoreError> {
        let sql = format!(
            "INSERT INTO kyc_checks (user_id, provider, status, created_at, updated_at) \
             VALUES ($1, $2, 'created', $3, $3) RETURNING {COLUMNS}"
        );
        row(&sqlx::query(&sql).bind(user).bind(provider).bind(now).fetch_one(&self.pool).await?)
    }

    async fn check(&self, id: i64) -> Result<Option<KycCheck>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM kyc_checks WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.as_ref().map(row).transpose()
    }

    async fn checks_of(&self, user: i64, limit: u32) -> Result<Vec<KycCheck>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM kyc_checks WHERE user_id = $1 ORDER BY id DESC LIMIT $2");
        let rows = sqlx::query(&sql).bind(user).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(row).collect()
    }

    async fn kyc_status(&self, user: i64) -> Result<Status, StoreError> {
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM kyc_checks WHERE user_id = $1 AND status IN ('pending', 'verified', 'rejected') \
             ORDER BY CASE WHEN status = 'verified' THEN 1 ELSE 0 END DESC, id DESC LIMIT 1",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        match status.as_deref() {
            None => Ok(Status::None),
            Some("pending") => Ok(Status::Pending),
            Some("verified") => Ok(Status::Verified),
            Some("rejected") => Ok(Status::Rejected),
            Some(other) => Err(StoreError::Corrupt(format!("kyc status {other:?}"))),
        }
    }

    async fn start_check(&self, id: i64, provider_ref: &str, redirect_url: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE kyc_checks SET status = 'pending', provider_ref = $2, redirect_url = $3, updated_at = $4 \
             WHERE id = $1 AND status = 'created'",
        )
        .bind(id)
        .bind(provider_ref)
        .bind(redirect_url)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn move_check(
        &self,
        id: i64,
        from: &[&str],
        to: &str,
        reason: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let places: Vec<String> = (0..from.len()).map(|n| format!("${}", n + 5)).collect();
        let sql = format!(
            "UPDATE kyc_checks SET status = $2, reason = $3, updated_at = $4 WHERE id = $1 AND status IN ({})",
            places.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(id).bind(to).bind(reason).bind(now);
        for status in from {
            query = query.bind(*status);
        }
        Ok(query.execute(&self.pool).await?.rows_affected() == 1)
    }

    async fn record_kyc_event(
        &self,
        provider: &str,
        event_id: &str,
        check: Option<i64>,
        kind: &str,
        outcome: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let event = WebhookEvent { provider, event_id, subject: check, kind, outcome, at: now };
        record_webhook(self, "kyc_events", "check_id", &event).await
    }
}
