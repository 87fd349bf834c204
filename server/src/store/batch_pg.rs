//! A batch on Postgres in one round trip: the operations go as one JSON
//! array to `croupier_wallet_batch` (migrations/postgres/0007), which
//! carries out a clean batch as a whole in a few set-based statements and
//! any other one operation at a time in order (0005), and answers one row
//! per operation. It is
//! the fast path of [`super::batch`]: when the function meets an error that
//! is not a refusal, the transaction is abandoned and the caller runs the
//! batch again one savepoint per operation, so the failing operation alone
//! is refused. The answers mean what the single operations answer.

use serde::Serialize;
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

/// One operation as the function reads it (see the migration for the
/// fields), borrowed from the batch: the record and checkpoint go as they
/// are, written into the call's text once.
#[derive(Serialize)]
struct Encoded<'a> {
    i: usize,
    k: &'static str,
    key: &'a str,
    round: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    req: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    house: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cur: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payouts: Option<Vec<(i64, i64)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rec: Option<&'a RoundRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cp: Option<&'a CheckpointRow>,
}

impl<'a> Encoded<'a> {
    fn new(i: usize, k: &'static str, key: &'a str, round: &'a str) -> Self {
        Self {
            i,
            k,
            key,
            round,
            req: None,
            house: None,
            cur: None,
            user: None,
            amount: None,
            payouts: None,
            rec: None,
            cp: None,
        }
    }
}

/// The function's form of `op` (index `i`); `None` when it has nothing to
/// do (a record alone without its record); a refusal it gets without asking
/// the database (an amount that is not positive).
fn encode(i: usize, op: &WalletOp) -> Result<Option<Encoded<'_>>, StoreError> {
    match op {
        WalletOp::Reserve { key, round, house, currency, user_id, amount } => {
            positive(*amount)?;
            let request = reserve_request(RoundRef { key: round, house, currency }, *user_id, *amount);
            Ok(Some(Encoded {
                req: Some(request),
                house: Some(house),
                cur: Some(currency),
                user: Some(*user_id),
                amount: Some(*amount),
                ..Encoded::new(i, "reserve", key, round)
            }))
        }
        WalletOp::Close { close: RoundClose::RecordOnly, written: None, .. } => Ok(None),
        WalletOp::Close { key, round, close, written } => {
            // With its record, a close is of the recorded round.
            let round = written.as_ref().map_or(round.as_str(), |w| w.0.key.as_str());
            let mut encoded = match close {
                RoundClose::Settle(payouts) => {
                    payouts.iter().try_for_each(|&(_, paid)| positive(paid))?;
                    let mut sorted = payouts.clone();
                    sorted.sort_unstable();
                    let req = Some(settle_request(round, &sorted));
                    Encoded { req, payouts: Some(sorted), ..Encoded::new(i, "settle", key, round) }
                }
                RoundClose::Void => Encoded { req: Some(void_request(round)), ..Encoded::new(i, "void", key, round) },
                RoundClose::RecordOnly => Encoded::new(i, "record", key, round),
            };
            if let Some(written) = written {
                encoded.rec = Some(&written.0);
                encoded.cp = written.1.as_ref();
            }
            Ok(Some(encoded))
        }
    }
}

/// Every refusal the wallet's SQL function answers (`op_error` in
/// migrations/postgres/0005 and 0007).
pub const SQL_REFUSALS: &[&str] =
    &["insufficient_funds", "round_closed", "unknown_round", "key_reused", "currency_mismatch", "payout_without_stake"];

/// A refusal of the wallet's SQL function as the store error it is — the
/// one table its words are read through; the error's [`StoreError::code`]
/// is what travels (`key_reused` is `idempotency_key_reused` on the wire).
/// `None` for words it never answers, or a detail that does not fit.
pub fn sql_refusal(refusal: &str, detail: &str) -> Option<StoreError> {
    let detail = || detail.to_owned();
    Some(match refusal {
        "insufficient_funds" => StoreError::InsufficientFunds,
        "round_closed" => StoreError::RoundClosed(detail()),
        "unknown_round" => StoreError::UnknownRound(detail()),
        "key_reused" => StoreError::KeyReused(detail()),
        "currency_mismatch" => StoreError::CurrencyMismatch(detail()),
        "payout_without_stake" => StoreError::PayoutWithoutStake(detail().parse().ok()?),
        _ => return None,
    })
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
        (None, Some(tx_id)) => {
            let replayed = replayed
                .ok_or_else(|| StoreError::Corrupt(format!("batch answer: {tx_id} not said fresh or replayed")))?;
            Ok(Some(Receipt { tx_id, replayed }))
        }
        (None, None) => Ok(None),
        (Some(refusal), _) => match sql_refusal(refusal, &detail) {
            Some(refused) => Err(refused),
            None => return Err(StoreError::Corrupt(format!("batch answer: unknown refusal {refusal:?} ({detail:?})"))),
        },
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
        let unanswered = || GiveBack::Retry(StoreError::Corrupt("batch left an operation unanswered".into()));
        if encoded.is_empty() {
            // Every operation was answered here: nothing to write.
            return results.into_iter().collect::<Option<Vec<_>>>().map(Ok).ok_or_else(unanswered);
        }
        let text = serde_json::to_string(&encoded).map_err(|e| GiveBack::Retry(StoreError::Corrupt(e.to_string())))?;
        let mut tx = self.write_tx().await.map_err(|e| GiveBack::Fail(e.into()))?;
        let configs =
            self.write_configs(&mut tx, ops.iter().filter_map(WalletOp::record), now).await.map_err(GiveBack::Retry)?;
        let rows = sqlx::query(
            "SELECT op_index, op_tx, op_replayed, op_error, op_detail, op_sets FROM croupier_wallet_batch($1, $2)",
        )
        .bind(text)
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| GiveBack::Retry(e.into()))?;
        if let Some(row) = rows.first()
            && !row.try_get::<bool, _>("op_sets").map_err(|e| GiveBack::Retry(e.into()))?
        {
            tracing::debug!(ops = rows.len(), "wallet batch: not clean, carried out one operation at a time");
        }
        for row in &rows {
            let (i, result) = answer(row).map_err(GiveBack::Retry)?;
            match results.get_mut(i) {
                Some(slot @ None) => *slot = Some(result),
                _ => return Err(GiveBack::Retry(StoreError::Corrupt(format!("batch answered {i} twice")))),
            }
        }
        let Some(results) = results.into_iter().collect::<Option<Vec<_>>>() else { return Err(unanswered()) };
        let committed = commit(tx, results).await;
        if committed.is_ok() {
            self.configs_written(configs);
        }
        Ok(committed)
    }
}
