//! Second factors in the database: a player's TOTP enrolment (its secret,
//! whether it is confirmed, the newest time step a code was taken for) and
//! their recovery codes, stored only as hashes and spent once. Every
//! "take this code" is one conditional UPDATE, so two requests racing with
//! the same code cannot both pass.

use async_trait::async_trait;
use sqlx::Row;

use super::StoreError;
use super::sql::SqlStore;
use super::wallet::commit;

/// A user's TOTP enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpRow {
    /// The shared secret, base32.
    pub secret: String,
    /// When a first code confirmed it; `None` while enrolment is pending.
    pub confirmed_at: Option<i64>,
    /// The newest time step a code was taken for.
    pub last_step: i64,
}

/// The second-factor queries.
#[async_trait]
pub trait Mfa: Send + Sync {
    /// `user`'s enrolment, confirmed or pending.
    async fn totp(&self, user: i64) -> Result<Option<TotpRow>, StoreError>;

    /// Starts (or restarts) an enrolment of `user` with `secret`; `false`
    /// when a confirmed one exists (nothing changes then).
    async fn begin_totp(&self, user: i64, secret: &str, now: i64) -> Result<bool, StoreError>;

    /// Confirms the pending enrolment of `user` with a code of time step
    /// `step`, replacing their recovery codes with `recovery_hashes`, in
    /// one transaction; `false` when there is no pending enrolment.
    async fn confirm_totp(
        &self,
        user: i64,
        step: i64,
        recovery_hashes: &[String],
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Takes a code of time step `step` for `user`'s confirmed enrolment:
    /// `false` when a code of that step or a later one was taken already.
    async fn take_totp_step(&self, user: i64, step: i64) -> Result<bool, StoreError>;

    /// Spends the unused recovery code hashed `hash` of `user`; `false`
    /// when there is none.
    async fn take_recovery_code(&self, user: i64, hash: &str, now: i64) -> Result<bool, StoreError>;

    /// Unused recovery codes of `user`.
    async fn recovery_codes_left(&self, user: i64) -> Result<i64, StoreError>;

    /// Removes `user`'s enrolment and recovery codes.
    async fn remove_totp(&self, user: i64) -> Result<(), StoreError>;
}

#[async_trait]
impl Mfa for SqlStore {
    async fn totp(&self, user: i64) -> Result<Option<TotpRow>, StoreError> {
        let row = sqlx::query("SELECT secret, confirmed_at, last_step FROM mfa_totp WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(TotpRow {
                secret: r.try_get("secret")?,
                confirmed_at: r.try_get("confirmed_at")?,
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    async fn begin_totp(&self, user: i64, secret: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO mfa_totp (user_id, secret, confirmed_at, last_step, created_at) VALUES ($1, $2, NULL, 0, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, \
             last_step = 0 WHERE mfa_totp.confirmed_at IS NULL",
        )
        .bind(user)
        .bind(secret)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn confirm_totp(
        &self,
        user: i64,
        step: i64,
        recovery_hashes: &[String],
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let confirmed = sqlx::query(
            "UPDATE mfa_totp SET confirmed_at = $2, last_step = $3 WHERE user_id = $1 AND confirmed_at IS NULL",
        )
        .bind(user)
        .bind(now)
        .bind(step)
        .execute(&mut *tx)
        .await?;
        if confirmed.rows_affected() != 1 {
            return commit(tx, false).await;
        }
        sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
        for hash in recovery_hashes {
            sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, NULL)")
                .bind(user)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        commit(tx, true).await
    }

    async fn take_totp_step(&self, user: i64, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE mfa_totp SET last_step = $2 WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2",
        )
        .bind(user)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn take_recovery_code(&self, user: i64, hash: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE mfa_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(user)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, user: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn remove_totp(&self, user: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM mfa_totp WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
        commit(tx, ()).await
    }
}
