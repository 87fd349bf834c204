//! Test accounts in bulk, for the load-test tool: many players created (or
//! found) and funded in one transaction, in a few set-based statements
//! whatever their number. Both backends; nothing here is on a player's path.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::sql::{SqlStore, USER_COLUMNS, user};
use super::wallet::{DEPOSITS, account, commit, player_account, positive};
use super::{Backend, Role, Store, StoreError, User};

/// Accounts funded per statement (an entry row takes 4 bound values, and
/// each account has two).
const CHUNK: usize = 1_000;

/// `VALUES` rows of `width` placeholders each, numbered from `$1`.
fn rows(count: usize, width: usize) -> String {
    let row = |r: usize| {
        let cells: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
        format!("({})", cells.join(", "))
    };
    (0..count).map(row).collect::<Vec<_>>().join(", ")
}

/// Funds each of `users` once with `amount`, as [`super::Wallet::deposit`]
/// would one by one (key `load:USER:AMOUNT:CURRENCY`, double entry from the
/// deposits account), in six statements for them all. A user whose key was
/// used before is not funded again. `each(n)` lists JSON array `$n` as rows.
async fn fund(
    conn: &mut AnyConnection,
    users: &[User],
    amount: i64,
    currency: &str,
    each: impl Fn(usize) -> String,
    now: i64,
) -> Result<(), StoreError> {
    let key = |u: &User| format!("load:{}:{amount}:{currency}", u.id);
    // The claims: a key used before returns no row. (The request is a
    // function of the key, so a replay cannot ask for something else.)
    let sql = format!(
        "INSERT INTO wallet_transactions (idempotency_key, kind, request, round_key, created_at) VALUES {} \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key",
        rows(users.len(), 5)
    );
    let mut claims = sqlx::query(&sql);
    for u in users {
        let request = format!("deposit|{}|{currency}|{amount}", u.id);
        claims = claims.bind(key(u)).bind("deposit").bind(request).bind(None::<String>).bind(now);
    }
    let mut fresh = HashMap::new();
    for row in claims.fetch_all(&mut *conn).await? {
        fresh.insert(row.try_get::<String, _>("idempotency_key")?, row.try_get::<i64, _>("id")?);
    }
    let funded: Vec<(i64, i64)> = users.iter().filter_map(|u| fresh.get(&key(u)).map(|tx| (u.id, *tx))).collect();
    if funded.is_empty() {
        return Ok(());
    }
    // The players' accounts, created empty if new, and their ids.
    let sql = format!(
        "INSERT INTO wallet_accounts (kind, user_id, name, currency) VALUES {} ON CONFLICT (name, currency) DO NOTHING",
        rows(funded.len(), 4)
    );
    let mut accounts = sqlx::query(&sql);
    for &(user_id, _) in &funded {
        accounts = accounts.bind("player").bind(user_id).bind(player_account(user_id)).bind(currency);
    }
    accounts.execute(&mut *conn).await?;
    let names: Vec<String> = funded.iter().map(|&(user_id, _)| player_account(user_id)).collect();
    let names = serde_json::to_string(&names).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sql = format!("SELECT id, user_id FROM wallet_accounts WHERE name IN ({}) AND currency = $2", each(1));
    let mut ids = HashMap::new();
    for row in sqlx::query(&sql).bind(&names).bind(currency).fetch_all(&mut *conn).await? {
        ids.insert(row.try_get::<i64, _>("user_id")?, row.try_get::<i64, _>("id")?);
    }
    let system = account(conn, "system", None, DEPOSITS, currency).await?;
    // Two entries a deposit, then one balance update for the players and
    // one for the deposits account.
    let sql =
        format!("INSERT INTO wallet_entries (tx_id, account_id, bucket, amount) VALUES {}", rows(funded.len() * 2, 4));
    let mut entries = sqlx::query(&sql);
    let mut players = Vec::with_capacity(funded.len());
    for &(user_id, tx) in &funded {
        let player = *ids.get(&user_id).ok_or(StoreError::Corrupt(format!("no account for user {user_id}")))?;
        entries = entries.bind(tx).bind(player).bind("available").bind(amount);
        entries = entries.bind(tx).bind(system).bind("available").bind(-amount);
        players.push(player);
    }
    entries.execute(&mut *conn).await?;
    let players = serde_json::to_string(&players).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sql = format!(
        "UPDATE wallet_accounts SET available = available + $1 WHERE id IN (SELECT CAST(value AS BIGINT) FROM ({}) AS ids)",
        each(2)
    );
    sqlx::query(&sql).bind(amount).bind(&players).execute(&mut *conn).await?;
    let count = i64::try_from(funded.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let total = amount.checked_mul(count).ok_or(StoreError::InvalidAmount(amount))?;
    sqlx::query("UPDATE wallet_accounts SET available = available - $1 WHERE id = $2")
        .bind(total)
        .bind(system)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

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
        let backend = self.backend();
        let each = move |n: usize| match backend {
            Backend::Postgres => format!("SELECT value FROM json_array_elements_text(CAST(${n} AS json))"),
            Backend::Sqlite => format!("SELECT value FROM json_each(${n})"),
        };
        let mut tx = self.write_tx().await?;
        sqlx::query(&format!(
            "INSERT INTO users (username, password_hash, role, created_at) \
             SELECT value, $2, 'player', $3 FROM ({}) AS names WHERE true ON CONFLICT (username) DO NOTHING",
            each(1)
        ))
        .bind(&list)
        .bind(password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE username IN ({})", each(1)))
            .bind(&list)
            .fetch_all(&mut *tx)
            .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in &rows {
            let u = user(row)?;
            if u.role != Role::Player {
                return Err(StoreError::Conflict("username"));
            }
            found.insert(row.try_get::<String, _>("username")?, u);
        }
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            out.push(found.remove(name).ok_or(StoreError::NotFound("user"))?);
        }
        for chunk in out.chunks(CHUNK) {
            fund(&mut tx, chunk, amount, currency, each, now).await?;
        }
        commit(tx, out).await
    }
}
