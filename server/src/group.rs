//! Group commit: money operations from every table and session, coalesced
//! into batches that the store carries out in one transaction each
//! ([`crate::store::Wallet::commit_batch`]). While one batch commits, the
//! next fills; a batch closes when it holds [`Limits::max_ops`] operations
//! or [`Limits::wait`] after its first one arrived, whichever comes first.
//! One commit, one fsync, many operations. Every table and session moves
//! its money through the one `GroupCommit` of its server (`Deps::group`).
//!
//! On Postgres the batches run in [`Limits::lanes`] lanes at once, each its
//! own queue and connection, so that one batch's statements run while
//! another's commit waits for the disk and both cores work. An operation's
//! lane is chosen by its lane key, the house account of its table or
//! session: one table's (or house shard's) operations stay in one lane, in
//! order, and no two lanes write one house row. SQLite has one writer and
//! always runs one lane.
//!
//! Each operation still gets its own answer, only once the commit holding it
//! has returned: a refusal refuses that operation alone, and a failed or
//! lost commit is the answer of every operation in the batch (the callers
//! ask again with the same idempotency keys). This module never decides
//! what moves; it only queues and answers.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::store::batch::{OpResult, WalletOp};
use crate::store::{Backend, Store, StoreError};

/// How batches close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many operations in a batch.
    pub max_ops: usize,
    /// How long a batch waits for company after its first operation.
    pub wait: Duration,
    /// Batches in flight at once (each its own queue).
    pub lanes: usize,
}

struct Job {
    op: WalletOp,
    answer: oneshot::Sender<OpResult>,
}

/// The queues into the batches of one store, one per lane.
#[derive(Debug, Clone)]
pub struct GroupCommit {
    lanes: Arc<[mpsc::Sender<Job>]>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.op.kind())
    }
}

impl GroupCommit {
    /// Starts the tasks that commit batches to `store`, one per lane. They
    /// end once every handle is dropped and the operations queued before
    /// are answered.
    pub fn start(store: Arc<dyn Store>, clock: Clock, metrics: Metrics, limits: Limits) -> Self {
        let max_ops = limits.max_ops.max(1);
        let lanes = match store.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => limits.lanes.max(1),
        };
        let limits = Limits { max_ops, lanes, ..limits };
        let lanes = (0..lanes)
            .map(|_| {
                // Room for several full batches: a caller waits only when
                // the database is far behind, and then it should.
                let (queue, jobs) = mpsc::channel(max_ops.saturating_mul(8));
                tokio::spawn(commit_batches(store.clone(), clock, metrics.clone(), limits, jobs));
                queue
            })
            .collect();
        Self { lanes }
    }

    /// Carries out `op` in the next batch of the lane of `lane_key` (the
    /// house account of its table or session) and answers once its commit
    /// has returned. Operations with one lane key go in the order
    /// submitted.
    ///
    /// # Errors
    /// The operation's refusal, or its batch's failure
    /// ([`StoreError::Database`]: not landed; [`StoreError::Unconfirmed`]:
    /// maybe landed).
    pub async fn submit(&self, lane_key: &str, op: WalletOp) -> OpResult {
        let (answer, answered) = oneshot::channel();
        let gone = || StoreError::Database(sqlx::Error::WorkerCrashed);
        let lane = self.lane(lane_key).ok_or_else(gone)?;
        lane.send(Job { op, answer }).await.map_err(|_| gone())?;
        // A batch whose task died mid-commit may have landed.
        answered.await.map_err(|_| StoreError::Unconfirmed(sqlx::Error::WorkerCrashed))?
    }

    /// How many lanes run (one on SQLite).
    pub fn lanes(&self) -> usize {
        self.lanes.len()
    }

    /// The lane of `lane_key`, below [`Self::lanes`]: a stable hash of it
    /// (FNV-1a), so a key keeps its lane for the life of the process.
    pub fn lane_of(&self, lane_key: &str) -> usize {
        let hash =
            lane_key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let n = self.lanes.len().max(1) as u64;
        // The remainder is below the lane count, a usize.
        usize::try_from(hash % n).unwrap_or(0)
    }

    fn lane(&self, lane_key: &str) -> Option<&mpsc::Sender<Job>> {
        self.lanes.get(self.lane_of(lane_key))
    }
}

/// The next batch: waits for a first operation, then takes what is queued
/// and what arrives until the batch is full or its time is up. `None` once
/// every handle is gone and the queue is empty.
async fn next_batch(jobs: &mut mpsc::Receiver<Job>, limits: Limits) -> Option<Vec<Job>> {
    let first = jobs.recv().await?;
    let mut batch = Vec::with_capacity(limits.max_ops.min(64));
    batch.push(first);
    let deadline = Instant::now() + limits.wait;
    while batch.len() < limits.max_ops {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) if limits.wait.is_zero() => break,
            Err(_) => match tokio::time::timeout_at(deadline, jobs.recv()).await {
                Ok(Some(job)) => batch.push(job),
                Ok(None) | Err(_) => break,
            },
        }
    }
    Some(batch)
}

async fn commit_batches(
    store: Arc<dyn Store>,
    clock: Clock,
    metrics: Metrics,
    limits: Limits,
    mut jobs: mpsc::Receiver<Job>,
) {
    while let Some(batch) = next_batch(&mut jobs, limits).await {
        let (ops, answers): (Vec<WalletOp>, Vec<_>) = batch.into_iter().map(|j| (j.op, j.answer)).unzip();
        metrics.wallet_batch_ops.observe(ops.len() as f64);
        let started = Instant::now();
        let results = store.commit_batch(&ops, clock.now_ms()).await;
        metrics.wallet_batch_latency.observe(started.elapsed().as_secs_f64());
        match results {
            Ok(results) if results.len() == ops.len() => {
                for (answer, result) in answers.into_iter().zip(results) {
                    // The caller may have gone (its table stopped): the
                    // money is committed either way.
                    let _ = answer.send(result);
                }
            }
            Ok(results) => {
                let message = format!("a batch of {} gave {} answers", ops.len(), results.len());
                tracing::error!(%message, "the store broke the batch contract");
                for answer in answers {
                    let _ = answer.send(Err(StoreError::Unconfirmed(sqlx::Error::Protocol(message.clone()))));
                }
            }
            Err(e) => {
                tracing::warn!(%e, ops = ops.len(), "a wallet batch failed; its operations are answered with the failure");
                for answer in answers {
                    let _ = answer.send(Err(same_failure(&e)));
                }
            }
        }
    }
}

/// The failure of a whole batch, once for each of its operations.
fn same_failure(e: &StoreError) -> StoreError {
    let text = || sqlx::Error::Protocol(e.to_string());
    match e {
        StoreError::Unconfirmed(_) => StoreError::Unconfirmed(text()),
        // Anything else failed before the commit: nothing landed.
        _ => StoreError::Database(text()),
    }
}
