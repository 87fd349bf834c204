//! Anti-money-laundering review in the database: cases the rules open
//! (`crate::aml`), their history of staff actions, the sign-ins the
//! shared-address rules count, and the sums the money rules read from the
//! payments and the ledger. A case's status only moves forward (open →
//! escalated → closed), by a conditional UPDATE written with its history
//! line in one transaction.

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;

use super::StoreError;
use super::sql::SqlStore;

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmlCase {
    /// Its id.
    pub id: i64,
    /// Whom it is about.
    pub user_id: i64,
    /// The rule that opened it.
    pub rule: String,
    /// What it is about: `payment:ID`, `address:…`, `device:…`, `velocity`.
    pub subject: String,
    /// The facts the rule saw.
    pub detail: serde_json::Value,
    /// `open`, `escalated` or `closed`.
    pub status: String,
    /// A closed case's outcome: `cleared` or `reported`.
    pub outcome: Option<String>,
    /// Unix milliseconds.
    pub opened_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

/// One staff action on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    /// Who.
    pub actor: i64,
    /// `escalate`, `close` or `note`.
    pub action: String,
    /// Their words.
    pub note: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// The AML queries.
#[async_trait]
pub trait Aml: Send + Sync {
    /// Opens a case unless a live one of `user`, `rule` and `subject`
    /// exists; the case opened, if any.
    async fn open_case(
        &self,
        user: i64,
        (rule, subject): (&str, &str),
        detail: &serde_json::Value,
        now: i64,
    ) -> Result<Option<AmlCase>, StoreError>;

    /// Case `id`.
    async fn aml_case(&self, id: i64) -> Result<Option<AmlCase>, StoreError>;

    /// Cases in `status`, oldest first, at most `limit`.
    async fn aml_cases(&self, status: &str, limit: u32) -> Result<Vec<AmlCase>, StoreError>;

    /// Case `id`'s history, oldest first.
    async fn case_history(&self, id: i64) -> Result<Vec<CaseEvent>, StoreError>;

    /// Moves case `id` to `to` (with `outcome`) if its status is one of
    /// `from`, writing `event` with it; whether it did.
    async fn move_case(
        &self,
        id: i64,
        (from, to): (&[&str], &str),
        outcome: Option<&str>,
        event: &CaseEvent,
    ) -> Result<bool, StoreError>;

    /// Adds `event` to case `id`'s history.
    async fn note_case(&self, id: i64, event: &CaseEvent) -> Result<(), StoreError>;

    /// Records a sign-in of `user`, forgetting those before `forget_before`.
    async fn record_sign_in(
        &self,
        user: i64,
        address: &str,
        device: Option<&str>,
        (now, forget_before): (i64, i64),
    ) -> Result<(), StoreError>;

    /// How many accounts signed in from `address` (or, with `device`, from
    /// that device) since `since`.
    async fn accounts_from(&self, value: &str, device: bool, since: i64) -> Result<i64, StoreError>;

    /// Deposits of `user` credited since `since` (any currency): how many.
    async fn deposits_credited(&self, user: i64, since: i64) -> Result<i64, StoreError>;

    /// Minor units `user` deposited (credited) in `currency` since `since`.
    async fn deposited_in(&self, user: i64, currency: &str, since: i64) -> Result<i64, StoreError>;
}

const COLUMNS: &str = "id, user_id, rule, subject, detail, status, outcome, opened_at, updated_at";

fn row(r: &sqlx::any::AnyRow) -> Result<AmlCase, StoreError> {
    let detail: String = r.try_get("detail")?;
    Ok(AmlCase {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        rule: r.try_get("rule")?,
        subject: r.try_get("subject")?,
        detail: serde_json::from_str(&detail).map_err(|e| StoreError::Corrupt(format!("aml case detail: {e}")))?,
        status: r.try_get("status")?,
        outcome: r.try_get("outcome")?,
        opened_at: r.try_get("opened_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

async fn insert_event(conn: &mut sqlx::AnyConnection, id: i64, event: &CaseEvent) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO aml_case_events (case_id, actor, action, note, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(event.actor)
        .bind(&event.action)
        .bind(&event.note)
        .bind(event.at)
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait]
impl Aml for SqlStore {
    async fn open_case(
        &self,
        user: i64,
        (rule, subject): (&str, &str),
        detail: &serde_json::Value,
        now: i64,
    ) -> Result<Option<AmlCase>, StoreError> {
        let sql = format!(
            "INSERT INTO aml_cases (user_id, rule, subject, detail, status, opened_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'open', $5, $5) ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
        );
        let query = sqlx::query(&sql).bind(user).bind(rule).bind(subject).bind(detail.to_string()).bind(now);
        query.fetch_optional(&self.pool).await?.as_ref().map(row).transpose()
    }

    async fn aml_case(&self, id: i64) -> Result<Option<AmlCase>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM aml_cases WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.as_ref().map(row).transpose()
    }

    async fn aml_cases(&self, status: &str, limit: u32) -> Result<Vec<AmlCase>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM aml_cases WHERE status = $1 ORDER BY id LIMIT $2");
        let rows = sqlx::query(&sql).bind(status).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(row).collect()
    }

    async fn case_history(&self, id: i64) -> Result<Vec<CaseEvent>, StoreError> {
        let rows = sqlx::query("SELECT actor, action, note, at FROM aml_case_events WHERE case_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CaseEvent {
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    note: r.try_get("note")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    async fn move_case(
        &self,
        id: i64,
        (from, to): (&[&str], &str),
        outcome: Option<&str>,
        event: &CaseEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let places: Vec<String> = (0..from.len()).map(|n| format!("${}", n + 5)).collect();
        let sql = format!(
            "UPDATE aml_cases SET status = $2, outcome = $3, updated_at = $4 WHERE id = $1 AND status IN ({})",
            places.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(id).bind(to).bind(outcome).bind(event.at);
        for status in from {
            query = query.bind(*status);
        }
        if query.execute(&mut *tx).await?.rows_affected() != 1 {
            return Ok(false);
        }
        insert_event(&mut tx, id, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn note_case(&self, id: i64, event: &CaseEvent) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_event(&mut conn, id, event).await
    }

    async fn record_sign_in(
        &self,
        user: i64,
        address: &str,
        device: Option<&str>,
        (now, forget_before): (i64, i64),
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_ins WHERE at < $1").bind(forget_before).execute(&self.pool).await?;
        sqlx::query("INSERT INTO sign_ins (user_id, address, device, at) VALUES ($1, $2, $3, $4)")
            .bind(user)
            .bind(address)
            .bind(device)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn accounts_from(&self, value: &str, device: bool, since: i64) -> Result<i64, StoreError> {
        let column = if device { "device" } else { "address" };
        let sql = format!("SELECT COUNT(DISTINCT user_id) FROM sign_ins WHERE {column} = $1 AND at >= $2");
        Ok(sqlx::query_scalar(&sql).bind(value).bind(since).fetch_one(&self.pool).await?)
    }

    async fn deposits_credited(&self, user: i64, since: i64) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM payments WHERE user_id = $1 AND kind = 'deposit' AND status = 'succeeded' \
                   AND updated_at >= $2";
        Ok(sqlx::query_scalar(sql).bind(user).bind(since).fetch_one(&self.pool).await?)
    }

    async fn deposited_in(&self, user: i64, currency: &str, since: i64) -> Result<i64, StoreError> {
        let sql = "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payments WHERE user_id = $1 \
                   AND kind = 'deposit' AND status = 'succeeded' AND currency = $2 AND updated_at >= $3";
        Ok(sqlx::query_scalar(sql).bind(user).bind(currency).bind(since).fetch_one(&self.pool).await?)
    }
}
