//! The embedded backend: one SQLite file (`database.sqlite_path`, created
//! with its folder), so the server runs with nothing installed. Only
//! connecting and migrating live here; the queries are in [`super::sql`].
//! Writes are serialised by SQLite itself; WAL lets reads run alongside.

use std::time::Duration;

use anyhow::Context;
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

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
    MIGRATOR.run(&pool).await.context("applying SQLite migrations")?;
    Ok(SqlStore::new(pool, Backend::Sqlite).with_lock_file(path.with_extension("lock")))
}
