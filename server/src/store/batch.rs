//! Many money operations in one database transaction: the store's half of
//! group commit (`crate::group` is the half that collects them). The
//! single-operation methods of the wallet run the same operations, alone.
//!
//! On Postgres a batch first goes in one round trip (`super::batch_pg`);
//! this file's path is SQLite's, and Postgres's when that one gives the
//! batch back. Here each operation runs under its own savepoint, so a
//! refusal (insufficient funds, a closed round, a reused key) rolls back
//! that operation only and its batch neighbours commit; a failure of the transaction itself (the
//! database gone, the commit lost) is the answer of every operation in it.
//! Operations run in the order given, so a stake placed before a settlement
//! in the same batch is settled by it. Nothing here decides a payout.

use sqlx::AnyConnection;

use super::batch_pg::GiveBack;
use super::rounds::finish_in;
use super::sql::SqlStore;
use super::wallet::{commit, reserve_in, settle_in, void_in};
use super::{Backend, CheckpointRow, Receipt, RoundClose, RoundRef, RoundRow, Store, StoreError};

/// One money operation of a batch, owned (it waits in a queue for its batch).
#[derive(Debug, Clone, PartialEq)]
pub enum WalletOp {
    /// Hold a stake (see [`super::Wallet::reserve`]).
    Reserve {
        /// Idempotency key.
        key: String,
        /// The round.
        round: String,
        /// The round's house account.
        house: String,
        /// Currency code.
        currency: String,
        /// Whose money.
        user_id: i64,
        /// Minor units.
        amount: i64,
    },
    /// Close a round's money; with `written`, write its record (and the
    /// table's checkpoint) in the same transaction.
    Close {
        /// Idempotency key.
        key: String,
        /// The round.
        round: String,
        /// How it closes.
        close: RoundClose,
        /// The record and the checkpoint taken with it.
        written: Option<Box<(RoundRow, Option<CheckpointRow>)>>,
    },
}

impl WalletOp {
    /// The record it writes, if any.
    pub fn record(&self) -> Option<&RoundRow> {
        match self {
            WalletOp::Close { written: Some(written), .. } => Some(&written.0),
            _ => None,
        }
    }

    /// A stake of `amount` from `user_id` in `round`.
    pub fn reserve(key: &str, round: RoundRef<'_>, user_id: i64, amount: i64) -> Self {
        WalletOp::Reserve {
            key: key.to_owned(),
            round: round.key.to_owned(),
            house: round.house.to_owned(),
            currency: round.currency.to_owned(),
            user_id,
            amount,
        }
    }

    /// The close of `round`, with its record and checkpoint when given.
    pub fn close(
        key: &str,
        round: &str,
        close: RoundClose,
        written: Option<Box<(RoundRow, Option<CheckpointRow>)>>,
    ) -> Self {
        WalletOp::Close { key: key.to_owned(), round: round.to_owned(), close, written }
    }

    /// What it is, for metrics: reserve, settle, void or record.
    pub fn kind(&self) -> &'static str {
        match self {
            WalletOp::Reserve { .. } => "reserve",
            WalletOp::Close { close: RoundClose::Settle(_), .. } => "settle",
            WalletOp::Close { close: RoundClose::Void, .. } => "void",
            WalletOp::Close { close: RoundClose::RecordOnly, .. } => "record",
        }
    }
}

/// One operation's answer: its receipt (none for a record alone) or its
/// refusal.
pub type OpResult = Result<Option<Receipt>, StoreError>;

/// Runs savepoint statements (several in one round trip).
async fn savepoint(conn: &mut AnyConnection, sql: &'static str) -> Result<(), StoreError> {
    sqlx::Executor::execute(&mut *conn, sql).await?;
    Ok(())
}

async fn apply(conn: &mut AnyConnection, op: &WalletOp, now: i64) -> OpResult {
    match op {
        WalletOp::Reserve { key, round, house, currency, user_id, amount } => {
            let round = RoundRef { key: round, house, currency };
            reserve_in(conn, key, round, *user_id, *amount, now).await.map(Some)
        }
        WalletOp::Close { key, close, written: Some(written), .. } => {
            let (record, checkpoint) = &**written;
            finish_in(conn, key, close, record, checkpoint.as_ref(), now).await
        }
        WalletOp::Close { key, round, close, written: None } => match close {
            RoundClose::Settle(payouts) => settle_in(conn, key, round, payouts, now).await.map(Some),
            RoundClose::Void => void_in(conn, key, round, now).await.map(Some),
            RoundClose::RecordOnly => Ok(None),
        },
    }
}

impl SqlStore {
    /// Runs `ops` in order in one transaction, each under a savepoint, and
    /// commits once.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the transaction failed before its
    /// commit (nothing of it landed); [`StoreError::Unconfirmed`] when the
    /// commit was sent and its answer lost (all of it landed or none did).
    pub(super) async fn run_batch(&self, ops: &[WalletOp], now: i64) -> Result<Vec<OpResult>, StoreError> {
        if ops.is_empty() {
            return Ok(Vec::new());
        }
        if self.backend() == Backend::Postgres {
            match self.run_batch_pg(ops, now).await {
                Ok(outcome) => return outcome,
                Err(GiveBack::Fail(e)) => return Err(e),
                Err(GiveBack::Retry(e)) => {
                    tracing::warn!(error = %e, ops = ops.len(), "wallet batch: running it again one operation at a time");
                }
            }
        }
        let mut tx = self.write_tx().await?;
        let configs = self.write_configs(&mut tx, ops.iter().filter_map(WalletOp::record), now).await?;
        let mut results = Vec::with_capacity(ops.len());
        savepoint(&mut tx, "SAVEPOINT op").await?;
        for (i, op) in ops.iter().enumerate() {
            let result = apply(&mut tx, op, now).await;
            let last = i + 1 == ops.len();
            let next = match (&result, last) {
                (Ok(_), true) => "RELEASE SAVEPOINT op",
                (Ok(_), false) => "RELEASE SAVEPOINT op; SAVEPOINT op",
                (Err(_), true) => "ROLLBACK TO SAVEPOINT op; RELEASE SAVEPOINT op",
                (Err(_), false) => "ROLLBACK TO SAVEPOINT op; RELEASE SAVEPOINT op; SAVEPOINT op",
            };
            // A savepoint that cannot be rolled back to means the
            // connection is gone: the whole batch fails, uncommitted.
            savepoint(&mut tx, next).await?;
            results.push(result);
        }
        let results = commit(tx, results).await?;
        self.configs_written(configs);
        Ok(results)
    }
}
