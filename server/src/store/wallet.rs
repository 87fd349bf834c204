//! The wallet's SQL: deposit, reserve, settle, void, balances, history and
//! the ledger check, for both backends (see [`super::sql`] for the dialect
//! rules). Each operation is one database transaction that first claims its
//! idempotency key: a replayed key returns the first receipt and moves
//! nothing. Postings are applied in account order so two transactions never
//! lock the same rows in opposite orders. A player's balance cannot go
//! negative: the database's CHECK refuses it, and that refusal is reported as
//! insufficient funds with the whole transaction rolled back.

use async_trait::async_trait;
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::batch::{OpResult, WalletOp};
use super::sql::SqlStore;
use super::{Balance, Receipt, RoundRef, StoreError, TxLine, Wallet};

/// Which balance column a posting moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bucket {
    Available,
    Held,
}

impl Bucket {
    fn as_str(self) -> &'static str {
        match self {
            Bucket::Available => "available",
            Bucket::Held => "held",
        }
    }
}

/// The system account deposits come from.
pub(super) const DEPOSITS: &str = "system:deposits";

pub(super) fn player_account(user_id: i64) -> String {
    format!("player:{user_id}")
}

fn is_check_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::CheckViolation)
}

/// Either a fresh transaction id to post under, or the receipt of the first
/// use of the key.
enum Claim {
    Fresh(i64),
    Replayed(Receipt),
}

async fn claim(
    conn: &mut AnyConnection,
    key: &str,
    kind: &str,
    request: &str,
    round_key: Option<&str>,
    now: i64,
) -> Result<Claim, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO wallet_transactions (idempotency_key, kind, request, round_key, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(key)
    .bind(kind)
    .bind(request)
    .bind(round_key)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = inserted {
        return Ok(Claim::Fresh(row.try_get("id")?));
    }
    let first = sqlx::query("SELECT id, request FROM wallet_transactions WHERE idempotency_key = $1")
        .bind(key)
        .fetch_one(&mut *conn)
        .await?;
    let first_request: String = first.try_get("request")?;
    if first_request != request {
        return Err(StoreError::KeyReused(key.to_owned()));
    }
    Ok(Claim::Replayed(Receipt { tx_id: first.try_get("id")?, replayed: true }))
}

/// The id of the named account, created empty if new. Looked up first: in
/// steady play every account exists, and a lookup is one round trip.
pub(super) async fn account(
    conn: &mut AnyConnection,
    kind: &str,
    user_id: Option<i64>,
    name: &str,
    currency: &str,
) -> Result<i64, StoreError> {
    let find =
        || sqlx::query("SELECT id FROM wallet_accounts WHERE name = $1 AND currency = $2").bind(name).bind(currency);
    if let Some(row) = find().fetch_optional(&mut *conn).await? {
        return Ok(row.try_get("id")?);
    }
    sqlx::query(
        "INSERT INTO wallet_accounts (kind, user_id, name, currency) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name, currency) DO NOTHING",
    )
    .bind(kind)
    .bind(user_id)
    .bind(name)
    .bind(currency)
    .execute(&mut *conn)
    .await?;
    Ok(find().fetch_one(&mut *conn).await?.try_get("id")?)
}

/// Writes the entries of transaction `tx_id` (one statement) and moves the
/// balances (one statement per account, in account order). The postings
/// must sum to zero.
async fn post(conn: &mut AnyConnection, tx_id: i64, mut postings: Vec<(i64, Bucket, i64)>) -> Result<(), StoreError> {
    let sum: i128 = postings.iter().map(|p| i128::from(p.2)).sum();
    if sum != 0 {
        return Err(StoreError::Corrupt(format!("transaction {tx_id} would not balance: {postings:?}")));
    }
    // One entry per account and bucket, none of zero.
    postings.sort_unstable_by_key(|p| (p.0, p.1));
    postings.dedup_by(|later, kept| {
        let same = (later.0, later.1) == (kept.0, kept.1);
        if same {
            kept.2 += later.2;
        }
        same
    });
    postings.retain(|p| p.2 != 0);
    if postings.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..postings.len())
        .map(|i| format!("(${}, ${}, ${}, ${})", 4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4))
        .collect();
    let sql = format!("INSERT INTO wallet_entries (tx_id, account_id, bucket, amount) VALUES {}", values.join(", "));
    let mut insert = sqlx::query(&sql);
    for &(account_id, bucket, amount) in &postings {
        insert = insert.bind(tx_id).bind(account_id).bind(bucket.as_str()).bind(amount);
    }
    insert.execute(&mut *conn).await?;
    // One update per account: (account, available change, held change).
    let mut moves: Vec<(i64, i64, i64)> = Vec::new();
    for &(account_id, bucket, amount) in &postings {
        if moves.last().is_none_or(|m| m.0 != account_id) {
            moves.push((account_id, 0, 0));
        }
        if let Some(m) = moves.last_mut() {
            match bucket {
                Bucket::Available => m.1 += amount,
                Bucket::Held => m.2 += amount,
            }
        }
    }
    for (account_id, available, held) in moves {
        sqlx::query("UPDATE wallet_accounts SET available = available + $1, held = held + $2 WHERE id = $3")
            .bind(available)
            .bind(held)
            .bind(account_id)
            .execute(&mut *conn)
            .await
            .map_err(|e| if is_check_violation(&e) { StoreError::InsufficientFunds } else { e.into() })?;
    }
    Ok(())
}

/// Commits `tx` and hands back what it did. A commit that fails may have
/// landed (its answer was lost): asking again with the same key tells.
pub(super) async fn commit<T>(tx: Transaction<'static, Any>, done: T) -> Result<T, StoreError> {
    tx.commit().await.map_err(StoreError::Unconfirmed)?;
    Ok(done)
}

/// (status, currency, house account) of a round.
async fn round(conn: &mut AnyConnection, round_key: &str) -> Result<Option<(String, String, i64)>, StoreError> {
    let row = sqlx::query("SELECT status, currency, house_account FROM wallet_rounds WHERE round_key = $1")
        .bind(round_key)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get("status")?, r.try_get("currency")?, r.try_get("house_account")?))).transpose()
}

/// Locks the open round `round_key` until this transaction ends, or says why
/// it cannot be used. The lock is what makes settlement exactly-once: of two
/// concurrent settles (or a settle and a late reserve) of one round, the
/// second waits, then finds the round closed. (On SQLite write transactions
/// already run one at a time.)
async fn lock_open_round(conn: &mut AnyConnection, round_key: &str) -> Result<(String, i64), StoreError> {
    // Twice at most: a round another transaction opened between our UPDATE
    // and our SELECT is open but not yet locked by us.
    for _ in 0..2 {
        let locked = sqlx::query("UPDATE wallet_rounds SET status = status WHERE round_key = $1 AND status = 'open'")
            .bind(round_key)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        match round(conn, round_key).await? {
            None => return Err(StoreError::UnknownRound(round_key.to_owned())),
            Some((status, _, _)) if status != "open" => return Err(StoreError::RoundClosed(round_key.to_owned())),
            Some((_, currency, house)) if locked == 1 => return Ok((currency, house)),
            Some(_) => {}
        }
    }
    Err(StoreError::RoundClosed(round_key.to_owned()))
}

/// What a stake's key stands for: a replay must ask for the same.
pub(super) fn reserve_request(round: RoundRef<'_>, user_id: i64, amount: i64) -> String {
    let RoundRef { key, house, currency } = round;
    format!("reserve|{key}|{house}|{currency}|{user_id}|{amount}")
}

/// What a settlement's key stands for; `sorted` are its payouts in order.
pub(super) fn settle_request(round_key: &str, sorted: &[(i64, i64)]) -> String {
    format!("settle|{round_key}|{sorted:?}")
}

/// What a void's key stands for.
pub(super) fn void_request(round_key: &str) -> String {
    format!("void|{round_key}")
}

/// A money amount must be positive; anything else is a caller's bug, refused
/// before it can move money the wrong way.
pub(super) fn positive(amount: i64) -> Result<(), StoreError> {
    if amount > 0 { Ok(()) } else { Err(StoreError::InvalidAmount(amount)) }
}

/// Held stakes of a round: (user id, total).
async fn holds(conn: &mut AnyConnection, round_key: &str) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT user_id, CAST(SUM(amount) AS BIGINT) AS total FROM wallet_holds WHERE round_key = $1 AND status = 'held' \
         GROUP BY user_id ORDER BY user_id",
    )
    .bind(round_key)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("user_id")?, r.try_get("total")?))).collect()
}

async fn close_round(conn: &mut AnyConnection, round_key: &str, status: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE wallet_holds SET status = $1 WHERE round_key = $2 AND status = 'held'")
        .bind(status)
        .bind(round_key)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE wallet_rounds SET status = $1, closed_at = $2 WHERE round_key = $3")
        .bind(status)
        .bind(now)
        .bind(round_key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Settles `round_key` inside the caller's transaction (which commits it).
/// A replayed key returns the first receipt and writes nothing.
pub(super) async fn settle_in(
    conn: &mut AnyConnection,
    key: &str,
    round_key: &str,
    payouts: &[(i64, i64)],
    now: i64,
) -> Result<Receipt, StoreError> {
    payouts.iter().try_for_each(|&(_, paid)| positive(paid))?;
    let mut sorted = payouts.to_vec();
    sorted.sort_unstable();
    let request = settle_request(round_key, &sorted);
    let tx_id = match claim(conn, key, "settle", &request, Some(round_key), now).await? {
        Claim::Fresh(id) => id,
        Claim::Replayed(receipt) => return Ok(receipt),
    };
    let (currency, house) = lock_open_round(conn, round_key).await?;
    let stakes = holds(conn, round_key).await?;
    let mut postings = Vec::new();
    let mut players = Vec::new();
    for &(user_id, staked) in &stakes {
        let player = account(conn, "player", Some(user_id), &player_account(user_id), &currency).await?;
        players.push((user_id, player));
        postings.extend([(player, Bucket::Held, -staked), (house, Bucket::Available, staked)]);
    }
    for &(user_id, paid) in &sorted {
        let Some(&(_, player)) = players.iter().find(|(u, _)| *u == user_id) else {
            return Err(StoreError::PayoutWithoutStake(user_id));
        };
        postings.extend([(house, Bucket::Available, -paid), (player, Bucket::Available, paid)]);
    }
    post(conn, tx_id, postings).await?;
    close_round(conn, round_key, "settled", now).await?;
    Ok(Receipt { tx_id, replayed: false })
}

/// Voids `round_key` inside the caller's transaction (which commits it).
pub(super) async fn void_in(
    conn: &mut AnyConnection,
    key: &str,
    round_key: &str,
    now: i64,
) -> Result<Receipt, StoreError> {
    let tx_id = match claim(conn, key, "void", &void_request(round_key), Some(round_key), now).await? {
        Claim::Fresh(id) => id,
        Claim::Replayed(receipt) => return Ok(receipt),
    };
    let (currency, _) = lock_open_round(conn, round_key).await?;
    let mut postings = Vec::new();
    for (user_id, staked) in holds(conn, round_key).await? {
        let player = account(conn, "player", Some(user_id), &player_account(user_id), &currency).await?;
        postings.extend([(player, Bucket::Held, -staked), (player, Bucket::Available, staked)]);
    }
    post(conn, tx_id, postings).await?;
    close_round(conn, round_key, "voided", now).await?;
    Ok(Receipt { tx_id, replayed: false })
}

/// Holds a stake inside the caller's transaction (see [`Wallet::reserve`]).
pub(super) async fn reserve_in(
    conn: &mut AnyConnection,
    key: &str,
    round_ref: RoundRef<'_>,
    user_id: i64,
    amount: i64,
    now: i64,
) -> Result<Receipt, StoreError> {
    let RoundRef { key: round_key, house, currency } = round_ref;
    positive(amount)?;
    let request = reserve_request(round_ref, user_id, amount);
    let tx_id = match claim(conn, key, "reserve", &request, Some(round_key), now).await? {
        Claim::Fresh(id) => id,
        Claim::Replayed(receipt) => return Ok(receipt),
    };
    // The round's first stake opens it with its house account.
    let (round_currency, _) = match lock_open_round(conn, round_key).await {
        Err(StoreError::UnknownRound(_)) => {
            let house_id = account(conn, "house", None, &format!("house:{house}"), currency).await?;
            sqlx::query(
                "INSERT INTO wallet_rounds (round_key, currency, house_account, status, opened_at) \
                 VALUES ($1, $2, $3, 'open', $4) ON CONFLICT (round_key) DO NOTHING",
            )
            .bind(round_key)
            .bind(currency)
            .bind(house_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            lock_open_round(conn, round_key).await?
        }
        other => other?,
    };
    if round_currency != currency {
        return Err(StoreError::CurrencyMismatch(round_currency));
    }
    let player = account(conn, "player", Some(user_id), &player_account(user_id), currency).await?;
    post(conn, tx_id, vec![(player, Bucket::Available, -amount), (player, Bucket::Held, amount)]).await?;
    sqlx::query("INSERT INTO wallet_holds (round_key, user_id, amount, tx_id, status) VALUES ($1, $2, $3, $4, 'held')")
        .bind(round_key)
        .bind(user_id)
        .bind(amount)
        .bind(tx_id)
        .execute(&mut *conn)
        .await?;
    Ok(Receipt { tx_id, replayed: false })
}

/// A deposit (see [`Wallet::deposit`]; `amount` already checked positive),
/// inside the caller's transaction.
pub(super) async fn deposit_in(
    conn: &mut AnyConnection,
    key: &str,
    user_id: i64,
    currency: &str,
    amount: i64,
    now: i64,
) -> Result<Receipt, StoreError> {
    let request = format!("deposit|{user_id}|{currency}|{amount}");
    let tx_id = match claim(conn, key, "deposit", &request, None, now).await? {
        Claim::Fresh(id) => id,
        Claim::Replayed(receipt) => return Ok(receipt),
    };
    if sqlx::query("SELECT id FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *conn).await?.is_none() {
        return Err(StoreError::NotFound("user"));
    }
    let system = account(conn, "system", None, DEPOSITS, currency).await?;
    let player = account(conn, "player", Some(user_id), &player_account(user_id), currency).await?;
    post(conn, tx_id, vec![(system, Bucket::Available, -amount), (player, Bucket::Available, amount)]).await?;
    Ok(Receipt { tx_id, replayed: false })
}

#[async_trait]
impl Wallet for SqlStore {
    async fn deposit(
        &self,
        key: &str,
        user_id: i64,
        currency: &str,
        amount: i64,
        now: i64,
    ) -> Result<Receipt, StoreError> {
        positive(amount)?;
        let mut tx = self.write_tx().await?;
        let receipt = deposit_in(&mut tx, key, user_id, currency, amount, now).await?;
        commit(tx, receipt).await
    }

    async fn reserve(
        &self,
        key: &str,
        round: RoundRef<'_>,
        user_id: i64,
        amount: i64,
        now: i64,
    ) -> Result<Receipt, StoreError> {
        let mut tx = self.write_tx().await?;
        let receipt = reserve_in(&mut tx, key, round, user_id, amount, now).await?;
        commit(tx, receipt).await
    }

    async fn settle(
        &self,
        key: &str,
        round_key: &str,
        payouts: &[(i64, i64)],
        now: i64,
    ) -> Result<Receipt, StoreError> {
        let mut tx = self.write_tx().await?;
        let receipt = settle_in(&mut tx, key, round_key, payouts, now).await?;
        commit(tx, receipt).await
    }

    async fn void(&self, key: &str, round_key: &str, now: i64) -> Result<Receipt, StoreError> {
        let mut tx = self.write_tx().await?;
        let receipt = void_in(&mut tx, key, round_key, now).await?;
        commit(tx, receipt).await
    }

    async fn commit_batch(&self, ops: &[WalletOp], now: i64) -> Result<Vec<OpResult>, StoreError> {
        self.run_batch(ops, now).await
    }

    async fn balances(&self, user_id: i64) -> Result<Vec<Balance>, StoreError> {
        let rows = sqlx::query(
            "SELECT currency, available, held FROM wallet_accounts WHERE kind = 'player' AND user_id = $1 ORDER BY currency",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Balance {
                    currency: r.try_get("currency")?,
                    available: r.try_get("available")?,
                    held: r.try_get("held")?,
                })
            })
            .collect()
    }

    async fn transactions(&self, user_id: i64, before: Option<i64>, limit: u32) -> Result<Vec<TxLine>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.kind, t.round_key, t.created_at, a.currency, \
               CAST(SUM(CASE WHEN e.bucket = 'available' THEN e.amount ELSE 0 END) AS BIGINT) AS available_change, \
               CAST(SUM(CASE WHEN e.bucket = 'held' THEN e.amount ELSE 0 END) AS BIGINT) AS held_change \
             FROM wallet_entries e \
             JOIN wallet_accounts a ON a.id = e.account_id \
             JOIN wallet_transactions t ON t.id = e.tx_id \
             WHERE a.kind = 'player' AND a.user_id = $1 AND t.id < $2 \
             GROUP BY t.id, t.kind, t.round_key, t.created_at, a.currency \
             ORDER BY t.id DESC LIMIT $3",
        )
        .bind(user_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TxLine {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    round: r.try_get("round_key")?,
                    currency: r.try_get("currency")?,
                    available_change: r.try_get("available_change")?,
                    held_change: r.try_get("held_change")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn ledger_violations(&self, max: u32) -> Result<Vec<String>, StoreError> {
        let checks: [(&str, &str); 4] = [
            (
                "SELECT tx_id AS id, CAST(SUM(amount) AS BIGINT) AS n FROM wallet_entries GROUP BY tx_id HAVING SUM(amount) <> 0 \
                 ORDER BY tx_id LIMIT $1",
                "transaction {id}: its entries sum to {n}, not 0",
            ),
            (
                "SELECT a.id AS id, CAST(a.available - COALESCE(SUM(CASE WHEN e.bucket = 'available' THEN e.amount END), 0) AS BIGINT) AS n \
                 FROM wallet_accounts a LEFT JOIN wallet_entries e ON e.account_id = a.id GROUP BY a.id, a.available \
                 HAVING a.available <> COALESCE(SUM(CASE WHEN e.bucket = 'available' THEN e.amount END), 0) \
                 ORDER BY a.id LIMIT $1",
                "account {id}: available differs from the sum of its entries by {n}",
            ),
            (
                "SELECT a.id AS id, CAST(a.held - COALESCE(SUM(CASE WHEN e.bucket = 'held' THEN e.amount END), 0) AS BIGINT) AS n \
                 FROM wallet_accounts a LEFT JOIN wallet_entries e ON e.account_id = a.id GROUP BY a.id, a.held \
                 HAVING a.held <> COALESCE(SUM(CASE WHEN e.bucket = 'held' THEN e.amount END), 0) \
                 ORDER BY a.id LIMIT $1",
                "account {id}: held differs from the sum of its entries by {n}",
            ),
            (
                "SELECT h.id AS id, h.amount AS n FROM wallet_holds h JOIN wallet_rounds r ON r.round_key = h.round_key \
                 WHERE h.status = 'held' AND r.status <> 'open' ORDER BY h.id LIMIT $1",
                "hold {id} of {n} is still held but its round is closed",
            ),
        ];
        let mut found = Vec::new();
        for (sql, message) in checks {
            for row in sqlx::query(sql).bind(i64::from(max)).fetch_all(&self.pool).await? {
                let (id, n): (i64, i64) = (row.try_get("id")?, row.try_get("n")?);
                found.push(message.replace("{id}", &id.to_string()).replace("{n}", &n.to_string()));
            }
        }
        // Held balances must equal the stakes still held.
        let rows = sqlx::query(
            "SELECT a.id AS id, CAST(a.held - COALESCE((SELECT SUM(h.amount) FROM wallet_holds h JOIN wallet_rounds r \
               ON r.round_key = h.round_key WHERE h.user_id = a.user_id AND h.status = 'held' AND r.currency = a.currency), 0) AS BIGINT) AS n \
             FROM wallet_accounts a WHERE a.kind = 'player' ORDER BY a.id",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            let (id, n): (i64, i64) = (row.try_get("id")?, row.try_get("n")?);
            if n != 0 {
                found.push(format!("account {id}: held differs from its open holds by {n}"));
            }
        }
        found.truncate(max as usize);
        Ok(found)
    }
}
