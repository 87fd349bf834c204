//! The SQL both backends run, through `sqlx`'s `Any` driver. Placeholders
//! are `$1, $2, ...` in order of first use (Postgres numbers them, SQLite
//! binds them in order), and every column is TEXT or BIGINT, so one query
//! text serves both databases. Nothing here knows which one it talks to.

use async_trait::async_trait;
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Backend, RefreshRecord, Role, Rotation, Store, StoreError, User};

/// A store over a pool of either backend.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(super) pool: AnyPool,
    backend: Backend,
    /// SQLite: the file whose lock claims the database.
    lock_file: Option<std::path::PathBuf>,
    /// Postgres: this run's `application_name` (`croupier/` and a nonce).
    run: Option<String>,
    /// Fingerprints of the game configs this store has written (or found
    /// written) in a committed transaction: a record naming one of them
    /// writes it no more.
    pub(super) configs: std::sync::Arc<dashmap::DashSet<String>>,
}

impl SqlStore {
    /// Wraps a migrated pool.
    pub fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend, lock_file: None, run: None, configs: std::sync::Arc::default() }
    }

    /// A SQLite store claimed through a lock on `path`.
    pub fn with_lock_file(mut self, path: std::path::PathBuf) -> Self {
        self.lock_file = Some(path);
        self
    }

    /// Names this run's Postgres connections `run` (`application_name`).
    pub fn with_run(mut self, run: String) -> Self {
        self.run = Some(run);
        self
    }

    /// The pool (metrics read its size).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write. SQLite takes its write lock up front
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred
    /// transaction that reads and then writes fails at once with "database
    /// is locked" when another one got there first.
    pub(super) async fn write_tx(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }
}

/// Sets `user_id`'s password hash and revokes every refresh token of theirs,
/// inside `conn`'s transaction.
///
/// # Errors
/// [`StoreError::NotFound`] for no such user; database failures.
pub(super) async fn set_password_in(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    password_hash: &str,
) -> Result<(), StoreError> {
    let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound("user"));
    }
    sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    Ok(())
}

pub(super) fn user(row: &AnyRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
        created_at: row.try_get("created_at")?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

pub(super) const USER_COLUMNS: &str = "id, username, password_hash, role, created_at";

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn pool_size(&self) -> (u32, u32) {
        (self.pool.size(), u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn claim(&self) -> Result<Option<super::Claim>, StoreError> {
        if let Some(path) = &self.lock_file {
            let io = |e| StoreError::Database(sqlx::Error::Io(e));
            let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).map_err(io)?;
            return match file.try_lock() {
                Ok(()) => Ok(Some(super::Claim(Box::new(file)))),
                Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
            };
        }
        // One key for every Croupier database: locks are per database.
        let mut conn = self.pool.acquire().await?;
        let held: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(7243681)").fetch_one(&mut *conn).await?;
        if !held {
            return Ok(None);
        }
        if let Some(run) = &self.run {
            earlier_runs_gone(&mut conn, run).await?;
        }
        // Out of the pool, so the session (and its lock) lives as long as the claim.
        Ok(Some(super::Claim(Box::new(conn.detach()))))
    }

    async fn create_user(&self, username: &str, password_hash: &str, role: Role, now: i64) -> Result<User, StoreError> {
        let sql = format!(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(username)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(now)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("username") } else { e.into() })?;
        user(&row)
    }

    async fn test_accounts(
        &self,
        names: &[String],
        password_hash: &str,
        amount: i64,
        currency: &str,
        now: i64,
    ) -> Result<Vec<User>, StoreError> {
        self.test_accounts_in(names, password_hash, amount, currency, now).await
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        sqlx::query(&sql).bind(username).fetch_optional(&self.pool).await?.as_ref().map(user).transpose()
    }

    async fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.as_ref().map(user).transpose()
    }

    async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        set_password_in(&mut tx, user_id, password_hash).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_refresh(&self, t: &RefreshRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO refresh_tokens (token_hash, user_id, family, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&t.token_hash)
            .bind(t.user_id)
            .bind(&t.family)
            .bind(t.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn rotate_refresh(
        &self,
        token_hash: &str,
        successor: &RefreshRecord,
        now: i64,
    ) -> Result<Rotation, StoreError> {
        let mut tx = self.write_tx().await?;
        let Some(row) =
            sqlx::query("SELECT user_id, family, expires_at, used, revoked FROM refresh_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(Rotation::Unknown);
        };
        let (user_id, family): (i64, String) = (row.try_get("user_id")?, row.try_get("family")?);
        let (expires_at, used, revoked): (i64, i64, i64) =
            (row.try_get("expires_at")?, row.try_get("used")?, row.try_get("revoked")?);
        if revoked != 0 {
            return Ok(Rotation::Revoked);
        }
        // Marking it used only if it was not: of two racing presentations,
        // exactly one rotates and the other counts as reuse.
        let marked = if used == 0 {
            sqlx::query("UPDATE refresh_tokens SET used = 1 WHERE token_hash = $1 AND used = 0")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        } else {
            0
        };
        if marked == 0 {
            sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE family = $1")
                .bind(&family)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Rotation::Reused);
        }
        if expires_at <= now {
            tx.commit().await?;
            return Ok(Rotation::Expired);
        }
        sqlx::query("INSERT INTO refresh_tokens (token_hash, user_id, family, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&successor.token_hash)
            .bind(user_id)
            .bind(&family)
            .bind(successor.expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Rotation::Rotated { user_id })
    }

    async fn revoke_family_of(&self, token_hash: &str) -> Result<bool, StoreError> {
        let revoked = sqlx::query(
            "UPDATE refresh_tokens SET revoked = 1 WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = $1)",
        )
        .bind(token_hash)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(revoked > 0)
    }
}

/// Waits, up to five seconds, until no connection of another run is running
/// a statement on this database. A run killed a moment ago let go of its
/// claim as the claim's own connection closed, but another of its
/// connections may still be running a statement (a stake's COMMIT) that
/// lands after recovery looked: recovery must see everything that run will
/// ever write. (The crash test found a round left open that way, under
/// load.) An idle connection commits nothing more (a transaction left open
/// by a dead process is rolled back). One still busy past the wait (a
/// `croupier` command running beside, say) is logged and the start goes on.
async fn earlier_runs_gone(conn: &mut sqlx::AnyConnection, run: &str) -> Result<(), StoreError> {
    let mut left = 0;
    for _ in 0..50 {
        left = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND application_name LIKE 'croupier/%' AND application_name <> $1 AND state = 'active'",
        )
        .bind(run)
        .fetch_one(&mut *conn)
        .await?;
        if left == 0 {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tracing::warn!(left, "statements of another croupier run still run after 5 s; starting anyway");
    Ok(())
}
