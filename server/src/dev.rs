//! Dev mode (`croupier serve --dev`): a server a newcomer can play on at
//! once. It is refused unless the server listens on a loopback address; it
//! replaces the configured live tables with demo tables on short timers,
//! and at every start gives a demo operator and demo players fresh random
//! passwords (printed, never stored in clear) and funds each player once per
//! database.

use std::net::IpAddr;

use anyhow::{Context, bail};
use serde_json::json;

use crate::auth;
use crate::play::Kind;
use crate::settings::{Settings, TableSpec};
use crate::store::{Role, Store, StoreError};

/// The demo accounts: username and role.
pub const ACCOUNTS: [(&str, Role); 3] =
    [("dev-operator", Role::Operator), ("alice", Role::Player), ("bob", Role::Player)];

/// What each demo player is funded with, once per database: minor units of
/// each currency (10,000.00).
pub const FUNDS: [(&str, i64); 2] = [("EUR", 1_000_000), ("USD", 1_000_000)];

/// A demo account as created at this start.
#[derive(Debug, Clone)]
pub struct DevAccount {
    /// Its username.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// Its password for this start.
    pub password: String,
}

/// Makes `settings` dev settings: the demo tables in place of the
/// configured ones, and a table of each game in `games` (`--table GAME`, a
/// studio's new game on a table at once) with the game's default config,
/// `GAME-table` with the id's underscores as hyphens (`coin-flip-table`:
/// table ids take no underscore).
///
/// # Errors
/// The server would listen on an address other than loopback; a game in
/// `games` is not registered, or is not played at live tables.
pub fn prepare(settings: &mut Settings, games: &[String]) -> anyhow::Result<()> {
    let host = settings.server.host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        bail!(
            "--dev seeds accounts with printed passwords and is refused unless the server listens on loopback \
             (server.host is {:?}; use 127.0.0.1)",
            settings.server.host
        );
    }
    let mut tables = demo_tables();
    for game in games {
        let entry = crate::games::find(game)
            .with_context(|| format!("--table {game}: no such game; the games are:{}", crate::games::listing()))?;
        if entry.kind != Some(Kind::Table) {
            bail!(
                "--table {game}: {game} is not played at live tables (single-player games open as sessions from the lobby)"
            );
        }
        let id = format!("{}-table", game.replace('_', "-"));
        if !tables.iter().any(|t| t.id == id) {
            tables.push(TableSpec { id, game: game.clone(), config: json!({}) });
        }
    }
    settings.tables = tables;
    Ok(())
}

/// The demo tables: roulette and blackjack on timers a person can follow
/// without waiting long.
pub fn demo_tables() -> Vec<TableSpec> {
    let table = |id: &str, game: &str, config| TableSpec { id: id.into(), game: game.into(), config };
    vec![
        table(
            "roulette-demo",
            "roulette",
            json!({"currency": "EUR", "min_bet": 100, "betting_ms": 10_000, "result_ms": 3_000}),
        ),
        table(
            "blackjack-demo",
            "blackjack",
            json!({"currency": "EUR", "min_bet": 100, "betting_ms": 8_000, "turn_ms": 20_000, "result_ms": 3_000,
                   "surrender": "late"}),
        ),
    ]
}

/// Creates the demo accounts (or gives existing ones a new password) and
/// funds each demo player once per database.
///
/// # Errors
/// A demo username is held by an account of another role, or the database
/// failed.
pub async fn seed(store: &dyn Store, now_ms: i64) -> anyhow::Result<Vec<DevAccount>> {
    let mut accounts = Vec::with_capacity(ACCOUNTS.len());
    for (username, role) in ACCOUNTS {
        let password = random_password()?;
        let hash = auth::hash_password(&password).map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
        let user = match store.user_by_name(username).await? {
            Some(user) if user.role != role => {
                bail!("the demo account {username:?} exists as {}, not {}", user.role.as_str(), role.as_str())
            }
            Some(user) => {
                store.set_password(user.id, &hash).await?;
                user
            }
            None => store.create_user(username, &hash, role, now_ms).await?,
        };
        if role == Role::Player {
            for (currency, amount) in FUNDS {
                let key = format!("dev-funds:{username}:{currency}");
                match store.deposit(&key, user.id, currency, amount, now_ms).await {
                    Ok(_) => {}
                    // Funded by an earlier version with other amounts: once is once.
                    Err(StoreError::KeyReused(_)) => {}
                    Err(e) => return Err(e).with_context(|| format!("funding {username}")),
                }
            }
        }
        accounts.push(DevAccount { username: username.into(), role, password });
    }
    Ok(accounts)
}

/// Twenty characters of `[A-Za-z0-9_-]` from the OS generator (six bits
/// each, so no character is likelier than another).
fn random_password() -> anyhow::Result<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("reading OS randomness: {e}"))?;
    Ok(bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 63)])).collect())
}

/// What `croupier serve --dev` prints once it listens.
pub fn banner(base: &str, accounts: &[DevAccount]) -> String {
    let mut out = format!("croupier: dev mode (loopback only); demo accounts for this start, at {base}:\n");
    let funds: Vec<String> = FUNDS.iter().map(|(c, minor)| format!("{}.{:02} {c}", minor / 100, minor % 100)).collect();
    for a in accounts {
        let funds =
            if a.role == Role::Player { format!("  (funded once: {})", funds.join(", ")) } else { String::new() };
        out.push_str(&format!("  {:<9} {:<13} password {}{funds}\n", a.role.as_str(), a.username, a.password));
    }
    let tables: Vec<String> = demo_tables().into_iter().map(|t| t.id).collect();
    out.push_str(&format!("  tables: {}; sessions: slots\n", tables.join(", ")));
    out.push_str(&format!("  play in a browser: {base}/ (operators: {base}/#/console)\n"));
    out
}
