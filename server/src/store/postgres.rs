//! The production backend: Postgres, connected from `database.url`. Only
//! connecting and migrating live here; the queries are in [`super::sql`].

use std::time::Duration;

use anyhow::Context;
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

use super::Backend;
use super::sql::SqlStore;
use crate::settings::DatabaseSettings;

/// Embedded migrations for Postgres.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connects to `settings.url` and applies pending migrations.
///
/// # Errors
/// The server is unreachable, refuses the login, or a migration fails.
pub async fn open(settings: &DatabaseSettings) -> anyhow::Result<SqlStore> {
    sqlx::any::install_default_drivers();
    // Every connection of this run carries its name, so the next run can
    // wait for them to be gone (`SqlStore::claim`).
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("drawing a run id: {e}"))?;
    let run = format!("croupier/{}", hex::encode(nonce));
    let name = run.clone();
    let pool = AnyPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
        .after_connect(move |conn, _| {
            let set = format!("SET application_name = '{name}'");
            Box::pin(async move {
                conn.execute(set.as_str()).await?;
                Ok(())
            })
        })
        .connect(&settings.url)
        .await
        .with_context(|| format!("connecting to Postgres at {}", redacted(&settings.url)))?;
    MIGRATOR.run(&pool).await.context("applying Postgres migrations")?;
    Ok(SqlStore::new(pool, Backend::Postgres).with_run(run))
}

/// The URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            // invariant: a URL with a password has a host, so it takes one.
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
