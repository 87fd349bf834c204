//! Round records and provably-fair seeds, for both backends. A round's
//! record is written in the same transaction as its settlement or void, so
//! a round is paid exactly when it is recorded; replaying the settlement's
//! idempotency key writes nothing twice.

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use super::sql::SqlStore;
use super::wallet::{commit, settle_in, void_in};
use super::{CheckpointRow, FairSeedRow, GameConfig, PlayedRound, Receipt, RoundClose, RoundRow, Rounds, StoreError};

impl SqlStore {
    /// Writes, in the caller's transaction, each config that `records` name
    /// and this store has not written yet; returns their fingerprints, for
    /// [`SqlStore::configs_written`] once the transaction has committed.
    pub(super) async fn write_configs<'a>(
        &self,
        conn: &mut AnyConnection,
        records: impl IntoIterator<Item = &'a RoundRow>,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut fresh: Vec<String> = Vec::new();
        for config in records.into_iter().filter_map(|r| r.config.as_deref()) {
            if self.configs.contains(&config.hash) || fresh.contains(&config.hash) {
                continue;
            }
            sqlx::query(
                "INSERT INTO game_configs (hash, game, config, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (hash) DO NOTHING",
            )
            .bind(&config.hash)
            .bind(&config.game)
            .bind(&config.text)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            fresh.push(config.hash.clone());
        }
        Ok(fresh)
    }

    /// Notes configs written by a transaction that has committed.
    pub(super) fn configs_written(&self, hashes: Vec<String>) {
        for hash in hashes {
            self.configs.insert(hash);
        }
    }
}

async fn insert_record(conn: &mut AnyConnection, row: &RoundRow) -> Result<(), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO rounds (round_key, table_id, game, record, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (round_key) DO NOTHING",
    )
    .bind(&row.key)
    .bind(&row.table)
    .bind(&row.game)
    .bind(&row.record)
    .bind(row.created_at)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(());
    }
    let mut players = row.players.clone();
    players.sort_unstable();
    players.dedup();
    for player in players {
        sqlx::query("INSERT INTO round_players (round_key, user_id) VALUES ($1, $2)")
            .bind(&row.key)
            .bind(player)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn upsert_checkpoint(conn: &mut AnyConnection, c: &CheckpointRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO table_checkpoints (table_id, game, kind, owner, spec, seq, checkpoint, closed, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (table_id) DO UPDATE SET game = excluded.game, kind = excluded.kind, owner = excluded.owner, \
         spec = excluded.spec, seq = excluded.seq, checkpoint = excluded.checkpoint, closed = excluded.closed, \
         updated_at = excluded.updated_at WHERE table_checkpoints.seq <= excluded.seq",
    )
    .bind(&c.table)
    .bind(&c.game)
    .bind(&c.kind)
    .bind(c.owner)
    .bind(&c.spec)
    .bind(c.seq)
    .bind(&c.checkpoint)
    .bind(i64::from(c.closed))
    .bind(c.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn round_row(r: &sqlx::any::AnyRow, players: Vec<i64>) -> Result<RoundRow, StoreError> {
    Ok(RoundRow {
        key: r.try_get("round_key")?,
        table: r.try_get("table_id")?,
        game: r.try_get("game")?,
        record: r.try_get("record")?,
        created_at: r.try_get("created_at")?,
        config: None,
        players,
    })
}

fn seed_row(r: &sqlx::any::AnyRow) -> Result<FairSeedRow, StoreError> {
    Ok(FairSeedRow {
        commitment: r.try_get("commitment")?,
        user_id: r.try_get("user_id")?,
        seed: r.try_get("seed")?,
        client_seed: r.try_get("client_seed")?,
        created_at: r.try_get("created_at")?,
        revealed_at: r.try_get("revealed_at")?,
    })
}

/// Closes a round's money and writes its record and checkpoint after it,
/// inside the caller's transaction (see [`Rounds::finish_round`]).
pub(super) async fn finish_in(
    conn: &mut AnyConnection,
    key: &str,
    close: &RoundClose,
    record: &RoundRow,
    checkpoint: Option<&CheckpointRow>,
    now: i64,
) -> Result<Option<Receipt>, StoreError> {
    let receipt = match close {
        RoundClose::Settle(payouts) => Some(settle_in(conn, key, &record.key, payouts, now).await?),
        RoundClose::Void => Some(void_in(conn, key, &record.key, now).await?),
        RoundClose::RecordOnly => None,
    };
    if receipt.is_some_and(|r| r.replayed) {
        return Ok(receipt);
    }
    insert_record(conn, record).await?;
    if let Some(c) = checkpoint {
        upsert_checkpoint(conn, c).await?;
    }
    Ok(receipt)
}

const SEED_COLUMNS: &str = "commitment, user_id, seed, client_seed, created_at, revealed_at";

#[async_trait]
impl Rounds for SqlStore {
    async fn finish_round(
        &self,
        key: &str,
        close: &RoundClose,
        record: &RoundRow,
        checkpoint: Option<&CheckpointRow>,
        now: i64,
    ) -> Result<Option<Receipt>, StoreError> {
        let mut tx = self.write_tx().await?;
        let configs = self.write_configs(&mut tx, [record], now).await?;
        let receipt = finish_in(&mut tx, key, close, record, checkpoint, now).await?;
        let receipt = commit(tx, receipt).await?;
        self.configs_written(configs);
        Ok(receipt)
    }

    async fn game_config(&self, hash: &str) -> Result<Option<GameConfig>, StoreError> {
        let row = sqlx::query("SELECT hash, game, config FROM game_configs WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(GameConfig { hash: r.try_get("hash")?, game: r.try_get("game")?, text: r.try_get("config")? }))
            .transpose()
    }

    async fn save_checkpoint(&self, checkpoint: &CheckpointRow) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        upsert_checkpoint(&mut conn, checkpoint).await
    }

    async fn checkpoints(&self) -> Result<Vec<CheckpointRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT table_id, game, kind, owner, spec, seq, checkpoint, closed, updated_at FROM table_checkpoints \
             WHERE closed = 0 ORDER BY table_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CheckpointRow {
                    table: r.try_get("table_id")?,
                    game: r.try_get("game")?,
                    kind: r.try_get("kind")?,
                    owner: r.try_get("owner")?,
                    spec: r.try_get("spec")?,
                    seq: r.try_get("seq")?,
                    checkpoint: r.try_get("checkpoint")?,
                    closed: r.try_get::<i64, _>("closed")? != 0,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    async fn open_rounds(&self) -> Result<Vec<String>, StoreError> {
        let rows =
            // A withdrawal's hold (`payout/ID`) is no table's round: it stays
            // held until the provider says how the payout went.
            sqlx::query(
                "SELECT round_key FROM wallet_rounds WHERE status = 'open' AND round_key NOT LIKE 'payout/%' \
                 ORDER BY opened_at, round_key",
            )
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(|r| r.try_get("round_key")).collect::<Result<_, _>>()?)
    }

    async fn round_record(&self, round_key: &str) -> Result<Option<RoundRow>, StoreError> {
        let Some(r) =
            sqlx::query("SELECT round_key, table_id, game, record, created_at FROM rounds WHERE round_key = $1")
                .bind(round_key)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let players = sqlx::query("SELECT user_id FROM round_players WHERE round_key = $1 ORDER BY user_id")
            .bind(round_key)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|p| p.try_get("user_id"))
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(Some(round_row(&r, players)?))
    }

    async fn rounds_of(&self, user_id: i64, limit: u32) -> Result<Vec<PlayedRound>, StoreError> {
        // What the player staked is what the wallet held of theirs in the
        // round (the wallet's round key is the record's).
        let rows = sqlx::query(
            "SELECT r.round_key, r.table_id, r.game, r.created_at, w.currency, \
             CAST(COALESCE((SELECT SUM(h.amount) FROM wallet_holds h \
                            WHERE h.round_key = r.round_key AND h.user_id = p.user_id), 0) AS BIGINT) AS staked, \
             CASE WHEN w.status = 'voided' THEN 1 ELSE 0 END AS voided \
             FROM rounds r JOIN round_players p ON p.round_key = r.round_key \
             LEFT JOIN wallet_rounds w ON w.round_key = r.round_key \
             WHERE p.user_id = $1 ORDER BY r.created_at DESC, r.round_key DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlayedRound {
                    round: r.try_get("round_key")?,
                    table: r.try_get("table_id")?,
                    game: r.try_get("game")?,
                    created_at: r.try_get("created_at")?,
                    staked: r.try_get("staked")?,
                    currency: r.try_get("currency")?,
                    voided: r.try_get::<i32, _>("voided")? != 0,
                })
            })
            .collect()
    }

    async fn insert_fair_seed(&self, seed: &FairSeedRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO fair_seeds (commitment, user_id, seed, client_seed, created_at, revealed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&seed.commitment)
        .bind(seed.user_id)
        .bind(&seed.seed)
        .bind(&seed.client_seed)
        .bind(seed.created_at)
        .bind(seed.revealed_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn reveal_fair_seeds(&self, user_id: Option<i64>, keep: &str, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE fair_seeds SET revealed_at = $1 \
             WHERE revealed_at IS NULL AND commitment <> $2 AND ($3 = 0 OR user_id = $4)",
        )
        .bind(now)
        .bind(keep)
        .bind(i64::from(user_id.is_some()))
        .bind(user_id.unwrap_or(0))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn fair_seeds_of(&self, user_id: i64, limit: u32) -> Result<Vec<FairSeedRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SEED_COLUMNS} FROM fair_seeds WHERE user_id = $1 ORDER BY created_at DESC, commitment LIMIT $2"
        ))
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(seed_row).collect()
    }

    async fn fair_seed(&self, commitment: &str) -> Result<Option<FairSeedRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {SEED_COLUMNS} FROM fair_seeds WHERE commitment = $1"))
            .bind(commitment)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(seed_row).transpose()
    }
}
