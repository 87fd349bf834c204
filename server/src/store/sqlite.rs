//! The embedded backend: one SQLite file (`database.sqlite_path`, created
//! with its folder), so the server runs with nothing installed. Only
//! connecting and migrating live here; the queries are in [`super::sql`].
//! Writes are serialised by SQLite itself; WAL lets reads run alongside.

use std::time::Duration;

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Executor};

use super::Backend;
use super::sql::SqlStore;
use crate::settings::DatabaseSettings;

/// Embedded migrations for SQLite.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Opens (creating if needed) the database file and applies pending migrations.
///
/// # Errors
/// The folder or file cannot be created, or a migration fails.
pub async fn open(settings: &DatabaseSettings) -> anyhow::Result<SqlStore> {
    sqlx::any::install_default_drivers();
    let path = &settings.sqlite_path;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    migrate(path).await?;
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let pool = AnyPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                    .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .with_context(|| format!("opening SQLite database {}", path.display()))?;
    Ok(SqlStore::new(pool, Backend::Sqlite).with_lock_file(path.with_extension("lock")))
}

/// Applies pending migrations on a connection of their own with foreign
/// keys off, as SQLite's procedure for rebuilding a table asks (a rebuilt
/// table is dropped and renamed while others still refer to it; the pragma
/// cannot change inside the transaction each migration runs in). Then
/// every reference is checked, so a migration cannot leave one dangling.
async fn migrate(path: &std::path::Path) -> anyhow::Result<()> {
    let mut conn: SqliteConnection = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(false)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await
        .with_context(|| format!("opening SQLite database {}", path.display()))?;
    MIGRATOR.run(&mut conn).await.context("applying SQLite migrations")?;
    let dangling: Vec<(String,)> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&mut conn).await?;
    if let Some((table,)) = dangling.first() {
        anyhow::bail!("after the SQLite migrations, {} rows refer to nothing (first in {table})", dangling.len());
    }
    conn.close().await.context("closing the migration connection")?;
    Ok(())
}
