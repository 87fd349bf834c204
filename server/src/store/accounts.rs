//! Test accounts in bulk, for the load-test tool: many players created (or
//! found) and funded in one transaction, the users written by one
//! set-based statement. Both backends; nothing here is on a player's path.

use sqlx::Row;

use super::sql::{SqlStore, USER_COLUMNS, user};
use super::wallet::{commit, deposit_in, positive};
use super::{Backend, Role, Store, StoreError, User};

impl SqlStore {
    /// Creates the players `names` that do not exist (with `password_hash`),
    /// funds each once with `amount` (the deposit's key is derived from the
    /// account, so a second call funds nothing twice), all in one
    /// transaction; returns them in the order named.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a name belongs to an account that is not
    /// a player; database failures (nothing is then created or funded).
    pub(super) async fn test_accounts_in(
        &self,
        names: &[String],
        password_hash: &str,
        amount: i64,
        currency: &str,
        now: i64,
    ) -> Result<Vec<User>, StoreError> {
        positive(amount)?;
        let list = serde_json::to_string(names).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // The names as rows: one statement for every user, whatever the count
        // (`WHERE true` keeps SQLite from reading `ON CONFLICT` as a join's `ON`).
        let each = match self.backend() {
            Backend::Postgres => "SELECT value FROM json_array_elements_text(CAST($1 AS json))",
            Backend::Sqlite => "SELECT value FROM json_each($1)",
        };
        let mut tx = self.write_tx().await?;
        sqlx::query(&format!(
            "INSERT INTO users (username, password_hash, role, created_at) \
             SELECT value, $2, 'player', $3 FROM ({each}) AS names WHERE true ON CONFLICT (username) DO NOTHING"
        ))
        .bind(&list)
        .bind(password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE username IN ({each})"))
            .bind(&list)
            .fetch_all(&mut *tx)
            .await?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let u = user(row)?;
            if u.role != Role::Player {
                return Err(StoreError::Conflict("username"));
            }
            found.insert(row.try_get::<String, _>("username")?, u);
        }
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let u = found.remove(name).ok_or(StoreError::NotFound("user"))?;
            let key = format!("load:{}:{amount}:{currency}", u.id);
            deposit_in(&mut tx, &key, u.id, currency, amount, now).await?;
            out.push(u);
        }
        commit(tx, out).await
    }
}
