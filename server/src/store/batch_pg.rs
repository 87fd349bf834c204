//! A batch on Postgres in one round trip: the operations go as one JSON
//! array to `croupier_wallet_batch` (migrations/postgres/0005), which checks
//! and carries out each in order and answers one row per operation. It is
//! the fast path of [`super::batch`]: when the function meets an error that
//! is not a refusal, the transaction is abandoned and the caller runs the
//! batch again one savepoint per operation, so the failing operation alone
//! is refused. The answers mean what the single operations answer.

use serde_json::{Value, json};
use sqlx::Row;

use super::batch::{OpResult, WalletOp};
use super::sql::SqlStore;
use super::wallet::{commit, positive, reserve_request, settle_request, void_request};
use super::{CheckpointRow, Receipt, RoundClose, RoundRef, RoundRow, StoreError};

/// Why the fast path gave a batch back.
pub(super) enum GiveBack {
    /// The function failed before its commit: nothing of it landed, and the
    /// savepoint path may run it again.
    Retry(StoreError),
    /// No transaction could be opened: the savepoint path would fail too.
    Fail(StoreError),
}

fn record_json(record: &RoundRow) -> Value {
    json!({
        "table": record.table, "game": record.game, "record": record.record,
        "created_at": record.created_at, "players": record.players,
    })
}

fn checkpoint_json(c: &CheckpointRow) -> Value {
    json!({
        "table": c.table, "game": c.game, "kind": c.kind, "owner": c.owner, "spec": c.spec, "seq": c.seq,
        "checkpoint": c.checkpoint, "closed": i64::from(c.closed), "updated_at": c.updated_at,
    })
}

/// The function's form of `op` (index `i`); `None` when it has nothing to
/// do (a record alone without its record); a refusal it gets without asking
/// the database (an amount that is not positive).
fn encode(i: usize, op: &WalletOp) -> Result<Option<Value>, StoreError> {
    let mut value = match op {
        WalletOp::Reserve { key, round, house, currency, user_id, amount } => {
            positive(*amount)?;
            let request = reserve_request(RoundRef { key: round, house, currency }, *user_id, *amount);
            return Ok(Some(json!({
                "i": i, "k": "reserve", "key": key, "req": request, "round": round,
                "house": house, "cur": currency, "user": user_id, "amount": amount,
            })));
        }
        WalletOp::Close { close: RoundClose::RecordOnly, written: None, .. } => return Ok(None),
        WalletOp::Close { key, round, close, written } => {
            // With its record, a close is of the recorded round.
            let round = written.as_ref().map_or(round.as_str(), |w| w.0.key.as_str());
            let mut value = match close {
                RoundClose::Settle(payouts) => {
                    payouts.iter().try_for_each(|&(_, paid)| positive(paid))?;
                    let mut sorted = payouts.clone();
                    sorted.sort_unstable();
                    json!({"k": "settle", "req": settle_request(round, &sorted), "payouts": sorted})
                }
                RoundClose::Void => json!({"k": "void", "req": void_request(round)}),
                RoundClose::RecordOnly => json!({"k": "record"}),
            };
            value["key"] = json!(key);
            value["round"] = json!(round);
            if let Some(written) = written {
                let (record, checkpoint) = &**written;
                value["rec"] = record_json(record);
                if let Some(c) = checkpoint {
                    value["cp"] = checkpoint_json(c);
                }
            }
            value
        }
    };
    value["i"] = json!(i);
    Ok(Some(value))
}

/// One answer row as the operation's result.
fn answer(row: &sqlx::any::AnyRow) -> Result<(usize, OpResult), StoreError> {
    let index: i64 = row.try_get("op_index")?;
    let index = usize::try_from(index).map_err(|_| StoreError::Corrupt(format!("batch answer index {index}")))?;
    let tx: Option<i64> = row.try_get("op_tx")?;
    let replayed: Option<bool> = row.try_get("op_replayed")?;
    let error: Option<String> = row.try_get("op_error")?;
    let detail: Option<String> = row.try_get("op_detail")?;
    let detail = detail.unwrap_or_default();
    let result = match (error.as_deref(), tx) {
        (None, Some(tx_id)) => Ok(Some(Receipt { tx_id, replayed: replayed.unwrap_or(false) })),
        (None, None) => Ok(None),
        (Some("insufficient_funds"), _) => Err(StoreError::InsufficientFunds),
        (Some("round_closed"), _) => Err(StoreError::RoundClosed(detail)),
        (Some("unknown_round"), _) => Err(StoreError::UnknownRound(detail)),
        (Some("key_reused"), _) => Err(StoreError::KeyReused(detail)),
        (Some("currency_mismatch"), _) => Err(StoreError::CurrencyMismatch(detail)),
        (Some("payout_without_stake"), _) => match detail.parse() {
            Ok(user_id) => Err(StoreError::PayoutWithoutStake(user_id)),
            Err(_) => return Err(StoreError::Corrupt(format!("batch answer: payout without stake {detail:?}"))),
        },
        (Some(other), _) => return Err(StoreError::Corrupt(format!("batch answer: unknown refusal {other:?}"))),
    };
    Ok((index, result))
}

impl SqlStore {
    /// Runs `ops` through `croupier_wallet_batch` in one transaction.
    /// `Ok` is the batch's outcome (its commit may still have failed).
    pub(super) async fn run_batch_pg(
        &self,
        ops: &[WalletOp],
        now: i64,
    ) -> Result<Result<Vec<OpResult>, StoreError>, GiveBack> {
        let mut results: Vec<Option<OpResult>> = Vec::with_capacity(ops.len());
        let mut encoded = Vec::with_capacity(ops.len());
        for (i, op) in ops.iter().enumerate() {
            match encode(i, op) {
                Ok(Some(value)) => {
                    encoded.push(value);
                    results.push(None);
                }
                Ok(None) => results.push(Some(Ok(None))),
                Err(refused) => results.push(Some(Err(refused))),
            }
        }
        let mut tx = self.write_tx().await.map_err(|e| GiveBack::Fail(e.into()))?;
        if !encoded.is_empty() {
            let rows = sqlx::query(
                "SELECT op_index, op_tx, op_replayed, op_error, op_detail FROM croupier_wallet_batch($1, $2)",
            )
            .bind(Value::Array(encoded).to_string())
            .bind(now)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| GiveBack::Retry(e.into()))?;
            for row in &rows {
                let (i, result) = answer(row).map_err(GiveBack::Retry)?;
                match results.get_mut(i) {
                    Some(slot @ None) => *slot = Some(result),
                    _ => return Err(GiveBack::Retry(StoreError::Corrupt(format!("batch answered {i} twice")))),
                }
            }
        }
        let Some(results) = results.into_iter().collect::<Option<Vec<_>>>() else {
            return Err(GiveBack::Retry(StoreError::Corrupt("batch left an operation unanswered".into())));
        };
        Ok(commit(tx, results).await)
    }
}
