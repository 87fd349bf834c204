//! Who a player is, in the database: their sealed profile (this module
//! stores and finds ciphertext; `crate::pii` seals and opens it, so no
//! plain personal data ever reaches a query) and their outstanding password
//! reset (only its token's hash). Taking a reset token is one conditional
//! DELETE in the transaction that sets the password, so a token works once
//! even when two requests race with it.

use async_trait::async_trait;
use sqlx::Row;

use super::sql::{SqlStore, USER_COLUMNS, set_password_in, user};
use super::wallet::commit;
use super::{StoreError, User};
use crate::pii::Sealed;

/// A sealed profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRow {
    /// Its owner.
    pub user_id: i64,
    /// The key it is sealed under.
    pub key_id: String,
    /// Nonce and ciphertext, hex.
    pub data: String,
}

/// The identity queries.
#[async_trait]
pub trait Identity: Send + Sync {
    /// `user`'s sealed profile, if they have one.
    async fn sealed_profile(&self, user: i64) -> Result<Option<ProfileRow>, StoreError>;

    /// Stores `sealed` as `user`'s profile, replacing any.
    async fn put_profile(&self, user: i64, sealed: &Sealed, now: i64) -> Result<(), StoreError>;

    /// The accounts whose profile's email index is one of `indexes`.
    async fn users_by_email_index(&self, indexes: &[String]) -> Result<Vec<User>, StoreError>;

    /// Up to `limit` profiles sealed under another key than `current`.
    async fn profiles_to_reseal(&self, current: &str, limit: u32) -> Result<Vec<ProfileRow>, StoreError>;

    /// Replaces `user`'s profile with `sealed` if it is still sealed under
    /// `from_key` (a profile changed meanwhile is sealed anew already);
    /// whether it did.
    async fn reseal_profile(&self, user: i64, from_key: &str, sealed: &Sealed) -> Result<bool, StoreError>;

    /// How many profiles each key id seals.
    async fn profile_keys(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// Stores a reset token (its hash) for `user`, replacing theirs unless
    /// that was made after `fresh_since`; whether it stored it.
    async fn put_reset(
        &self,
        user: i64,
        token_hash: &str,
        expires_at: i64,
        now: i64,
        fresh_since: i64,
    ) -> Result<bool, StoreError>;

    /// The owner of the unexpired reset token hashed `token_hash`.
    async fn reset_owner(&self, token_hash: &str, now: i64) -> Result<Option<i64>, StoreError>;

    /// Spends the unexpired reset token hashed `token_hash`: sets its
    /// owner's password hash and revokes their refresh tokens, in one
    /// transaction; its owner, or `None` when there is no such token.
    async fn spend_reset(&self, token_hash: &str, password_hash: &str, now: i64) -> Result<Option<i64>, StoreError>;
}

fn profile_row(r: &sqlx::any::AnyRow) -> Result<ProfileRow, StoreError> {
    Ok(ProfileRow { user_id: r.try_get("user_id")?, key_id: r.try_get("key_id")?, data: r.try_get("data")? })
}

#[async_trait]
impl Identity for SqlStore {
    async fn sealed_profile(&self, user: i64) -> Result<Option<ProfileRow>, StoreError> {
        let row = sqlx::query("SELECT user_id, key_id, data FROM player_profiles WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(profile_row).transpose()
    }

    async fn put_profile(&self, user: i64, sealed: &Sealed, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO player_profiles (user_id, key_id, data, email_index, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id) DO UPDATE SET key_id = excluded.key_id, data = excluded.data, \
             email_index = excluded.email_index, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(&sealed.key_id)
        .bind(&sealed.data)
        .bind(sealed.email_index.as_deref())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn users_by_email_index(&self, indexes: &[String]) -> Result<Vec<User>, StoreError> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let places: Vec<String> = (1..=indexes.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id IN \
             (SELECT user_id FROM player_profiles WHERE email_index IN ({})) ORDER BY id",
            places.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for index in indexes {
            query = query.bind(index);
        }
        query.fetch_all(&self.pool).await?.iter().map(user).collect()
    }

    async fn profiles_to_reseal(&self, current: &str, limit: u32) -> Result<Vec<ProfileRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, key_id, data FROM player_profiles WHERE key_id <> $1 ORDER BY user_id LIMIT $2",
        )
        .bind(current)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(profile_row).collect()
    }

    async fn reseal_profile(&self, user: i64, from_key: &str, sealed: &Sealed) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE player_profiles SET key_id = $3, data = $4, email_index = $5 WHERE user_id = $1 AND key_id = $2",
        )
        .bind(user)
        .bind(from_key)
        .bind(&sealed.key_id)
        .bind(&sealed.data)
        .bind(sealed.email_index.as_deref())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn profile_keys(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query("SELECT key_id, COUNT(*) AS n FROM player_profiles GROUP BY key_id ORDER BY key_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("key_id")?, r.try_get("n")?))).collect()
    }

    async fn put_reset(
        &self,
        user: i64,
        token_hash: &str,
        expires_at: i64,
        now: i64,
        fresh_since: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO password_resets (user_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, \
             expires_at = excluded.expires_at, created_at = excluded.created_at \
             WHERE password_resets.created_at <= $5",
        )
        .bind(user)
        .bind(token_hash)
        .bind(expires_at)
        .bind(now)
        .bind(fresh_since)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn reset_owner(&self, token_hash: &str, now: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("user_id")).transpose()?)
    }

    async fn spend_reset(&self, token_hash: &str, password_hash: &str, now: i64) -> Result<Option<i64>, StoreError> {
        let mut tx = self.write_tx().await?;
        let row =
            sqlx::query("DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id")
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else { return commit(tx, None).await };
        let owner: i64 = row.try_get("user_id")?;
        set_password_in(&mut tx, owner, password_hash).await?;
        commit(tx, Some(owner)).await
    }
}
