//! Payments in the database: each deposit and withdrawal a player asked a
//! provider for, its status, and every webhook event taken. The money
//! itself moves in the wallet, under keys derived from the payment's id
//! (`payment:ID` credits a deposit; a withdrawal is held, settled and
//! voided as the wallet round `payout/ID`), so an event applied twice moves
//! nothing twice. A status moves only forward, by one conditional UPDATE.

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;

use super::StoreError;
use super::sql::SqlStore;

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentRow {
    /// Our id (the provider knows it as the reference `pay-ID`).
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// `deposit` or `withdrawal`.
    pub kind: String,
    /// The provider's name.
    pub provider: String,
    /// The provider's id of it, once it answered.
    pub provider_ref: Option<String>,
    /// Minor units.
    pub amount: i64,
    /// Currency code.
    pub currency: String,
    /// Where it stands (see the migration).
    pub status: String,
    /// A withdrawal's destination token at the provider.
    pub destination: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

impl PaymentRow {
    /// The reference the provider knows it by.
    pub fn reference(&self) -> String {
        format!("pay-{}", self.id)
    }

    /// The wallet round a withdrawal is held in.
    pub fn payout_round(&self) -> String {
        format!("payout/{}", self.id)
    }
}

/// A payment to create.
#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    /// Whose.
    pub user_id: i64,
    /// `deposit` or `withdrawal`.
    pub kind: &'a str,
    /// The provider's name.
    pub provider: &'a str,
    /// Minor units.
    pub amount: i64,
    /// Currency code.
    pub currency: &'a str,
    /// Its first status.
    pub status: &'a str,
    /// A withdrawal's destination.
    pub destination: Option<&'a str>,
}

/// The payment queries.
#[async_trait]
pub trait Payments: Send + Sync {
    /// Stores a new payment; it, with its id.
    async fn create_payment(&self, new: &NewPayment<'_>, now: i64) -> Result<PaymentRow, StoreError>;

    /// Payment `id`.
    async fn payment(&self, id: i64) -> Result<Option<PaymentRow>, StoreError>;

    /// `user`'s payments, newest first, at most `limit`.
    async fn payments_of(&self, user: i64, limit: u32) -> Result<Vec<PaymentRow>, StoreError>;

    /// Payments of `kind` in `status`, oldest first, at most `limit`.
    async fn payments_in(&self, kind: &str, status: &str, limit: u32) -> Result<Vec<PaymentRow>, StoreError>;

    /// Notes the provider's id of payment `id`.
    async fn set_provider_ref(&self, id: i64, provider_ref: &str, now: i64) -> Result<(), StoreError>;

    /// Moves payment `id` to `to` if its status is one of `from`; whether
    /// it did.
    async fn move_payment(&self, id: i64, from: &[&str], to: &str, now: i64) -> Result<bool, StoreError>;

    /// Removes payment `id` while it is in `status` (a withdrawal whose
    /// hold was refused never held anything); whether it did.
    async fn drop_payment(&self, id: i64, status: &str) -> Result<bool, StoreError>;

    /// Records webhook event `event_id` of `provider` with what it did;
    /// `false` when it was recorded before (a redelivery).
    async fn record_event(
        &self,
        provider: &str,
        event_id: &str,
        payment: Option<i64>,
        kind: &str,
        outcome: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
}

const COLUMNS: &str =
    "id, user_id, kind, provider, provider_ref, amount, currency, status, destination, created_at, updated_at";

fn row(r: &sqlx::any::AnyRow) -> Result<PaymentRow, StoreError> {
    Ok(PaymentRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        kind: r.try_get("kind")?,
        provider: r.try_get("provider")?,
        provider_ref: r.try_get("provider_ref")?,
        amount: r.try_get("amount")?,
        currency: r.try_get("currency")?,
        status: r.try_get("status")?,
        destination: r.try_get("destination")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[async_trait]
impl Payments for SqlStore {
    async fn create_payment(&self, new: &NewPayment<'_>, now: i64) -> Result<PaymentRow, StoreError> {
        let sql = format!(
            "INSERT INTO payments (user_id, kind, provider, provider_ref, amount, currency, status, destination, \
             created_at, updated_at) VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $8) RETURNING {COLUMNS}"
        );
        let r = sqlx::query(&sql)
            .bind(new.user_id)
            .bind(new.kind)
            .bind(new.provider)
            .bind(new.amount)
            .bind(new.currency)
            .bind(new.status)
            .bind(new.destination)
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        row(&r)
    }

    async fn payment(&self, id: i64) -> Result<Option<PaymentRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.as_ref().map(row).transpose()
    }

    async fn payments_of(&self, user: i64, limit: u32) -> Result<Vec<PaymentRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE user_id = $1 ORDER BY id DESC LIMIT $2");
        let rows = sqlx::query(&sql).bind(user).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(row).collect()
    }

    async fn payments_in(&self, kind: &str, status: &str, limit: u32) -> Result<Vec<PaymentRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE kind = $1 AND status = $2 ORDER BY id LIMIT $3");
        let rows = sqlx::query(&sql).bind(kind).bind(status).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(row).collect()
    }

    async fn set_provider_ref(&self, id: i64, provider_ref: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE payments SET provider_ref = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(provider_ref)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn move_payment(&self, id: i64, from: &[&str], to: &str, now: i64) -> Result<bool, StoreError> {
        let places: Vec<String> = (0..from.len()).map(|n| format!("${}", n + 4)).collect();
        let sql = format!(
            "UPDATE payments SET status = $2, updated_at = $3 WHERE id = $1 AND status IN ({})",
            places.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(id).bind(to).bind(now);
        for status in from {
            query = query.bind(*status);
        }
        Ok(query.execute(&self.pool).await?.rows_affected() == 1)
    }

    async fn drop_payment(&self, id: i64, status: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM payments WHERE id = $1 AND status = $2")
            .bind(id)
            .bind(status)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_event(
        &self,
        provider: &str,
        event_id: &str,
        payment: Option<i64>,
        kind: &str,
        outcome: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let event = WebhookEvent { provider, event_id, subject: payment, kind, outcome, at: now };
        record_webhook(self, "payment_events", "payment_id", &event).await
    }
}

/// A webhook event to record once: its provider's id of it, what it was
/// about and what it did.
pub(super) struct WebhookEvent<'a> {
    pub provider: &'a str,
    pub event_id: &'a str,
    pub subject: Option<i64>,
    pub kind: &'a str,
    pub outcome: &'a str,
    pub at: i64,
}

/// Records `event` in `table` (its subject in `column`); `false` when it
/// was recorded before (a redelivery).
pub(super) async fn record_webhook(
    store: &SqlStore,
    table: &str,
    column: &str,
    event: &WebhookEvent<'_>,
) -> Result<bool, StoreError> {
    let sql = format!(
        "INSERT INTO {table} (provider, event_id, {column}, kind, outcome, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, event_id) DO NOTHING"
    );
    let done = sqlx::query(&sql)
        .bind(event.provider)
        .bind(event.event_id)
        .bind(event.subject)
        .bind(event.kind)
        .bind(event.outcome)
        .bind(event.at)
        .execute(&store.pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
