//! A table's money movements as data ([`Money`]), and how the shell carries
//! them out through group commit ([`run`]): stakes answered to the game,
//! round closes retried until they commit.
//!
//! The engine decides what moves; this module only moves it, in order, and
//! never decides a payout. A settlement, void or record is retried with the
//! same idempotency key while the database fails, so a retry never pays
//! twice; a stake is refused after bounded tries unless its commit may have
//! landed ([`Tries`]).

use croupier_protocol::ErrorCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use croupier_sdk::{OpId, WalletResult};

use futures_util::future::join_all;

use super::Deps;
use crate::protect::Claim;
use crate::store::batch::WalletOp;
use crate::store::{CheckpointRow, RoundClose, RoundRef, RoundRow, StoreError};

/// One money movement a step asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Money {
    /// Hold a stake; the answer goes back to the game as `op`.
    Stake {
        /// The game's operation.
        op: OpId,
        /// Idempotency key.
        key: String,
        /// The wallet round.
        round: String,
        /// The house account of the round.
        house: String,
        /// Currency code.
        currency: String,
        /// Whose money.
        player: i64,
        /// Minor units.
        amount: i64,
    },
    /// Close a round's money; with `record`, write its record and the
    /// table's checkpoint in the same transaction.
    Close {
        /// Idempotency key.
        key: String,
        /// The wallet round.
        round: String,
        /// How it closes.
        close: RoundClose,
        /// The record and checkpoint, when the round has ended.
        record: Option<Box<(RoundRow, CheckpointRow)>>,
    },
}

/// For people: why a stake was refused.
pub fn refusal_message(code: &str) -> &'static str {
    match ErrorCode::parse(code) {
        Some(ErrorCode::InsufficientFunds) => "your available balance is short of the stake; nothing was placed",
        Some(ErrorCode::WalletUnavailable) => "the wallet did not answer; nothing was placed",
        Some(ErrorCode::SelfExcluded) => "you have excluded yourself from play; nothing was placed",
        Some(ErrorCode::CoolingOff) => "you are taking a break from play until your cool-off ends; nothing was placed",
        Some(ErrorCode::WagerLimitReached) => {
            "that stake would pass a wager limit you set for this period; nothing was placed"
        }
        Some(ErrorCode::LossLimitReached) => {
            "that stake, if lost, would pass a loss limit you set for this period; nothing was placed"
        }
        Some(ErrorCode::SessionLimitReached) => {
            "your session time limit is reached: take a break before you play again; nothing was placed"
        }
        Some(ErrorCode::InternalError) => "the table could not take that stake; nothing was placed",
        _ => "the wallet refused the stake; nothing was placed",
    }
}

/// Carries out `money` in order; returns the stakes' answers. Stakes in a
/// row go out together (they may share a batch); a close waits for what is
/// before it, all in the group commit lane of `house`, the table's house
/// account. `stalled` counts this table's flights waiting for the database
/// (the table then refuses actions at once instead of queueing them behind
/// it).
pub async fn run(
    deps: Arc<Deps>,
    table: String,
    house: String,
    stalled: Arc<AtomicUsize>,
    money: Vec<Money>,
) -> Vec<(OpId, WalletResult)> {
    let mut answers = Vec::new();
    let mut stakes = Vec::new();
    for m in money {
        match m {
            Money::Stake { op, key, round, house, currency, player, amount } => {
                let reserve = WalletOp::reserve(
                    &key,
                    RoundRef { key: &round, house: &house, currency: &currency },
                    player,
                    amount,
                );
                stakes.push((op, reserve, Staked { player, currency, round, amount }));
            }
            Money::Close { key, round, close, record } => {
                answers.extend(place(&deps, (&table, &house), &stalled, std::mem::take(&mut stakes)).await);
                let written = record.map(|r| {
                    let (row, checkpoint) = *r;
                    Box::new((row, Some(checkpoint)))
                });
                let closing = WalletOp::close(&key, &round, close.clone(), written);
                close_round(&deps, (&table, &house), &stalled, closing).await;
                deps.guard.closed(&round, &close, deps.clock.now_ms());
            }
        }
    }
    answers.extend(place(&deps, (&table, &house), &stalled, stakes).await);
    answers
}

/// Which table asks, and its group commit lane (its house account).
type Asker<'a> = (&'a str, &'a str);

/// Whose stake, for the player protection guard.
struct Staked {
    player: i64,
    currency: String,
    round: String,
    amount: i64,
}

/// Places `stakes` together; their answers in the same order.
async fn place(
    deps: &Deps,
    table: Asker<'_>,
    stalled: &AtomicUsize,
    stakes: Vec<(OpId, WalletOp, Staked)>,
) -> Vec<(OpId, WalletResult)> {
    join_all(
        stakes
            .into_iter()
            .map(|(op, reserve, staked)| async move { (op, guarded(deps, table, stalled, reserve, staked).await) }),
    )
    .await
}

/// A stake through the player protection guard: refused there with its
/// code, or placed and its answer told to the guard.
async fn guarded(deps: &Deps, table: Asker<'_>, stalled: &AtomicUsize, reserve: WalletOp, s: Staked) -> WalletResult {
    let claim = Claim { player: s.player, currency: &s.currency, round: &s.round, amount: s.amount };
    let ticket = match deps.guard.admit(&claim, deps.clock.now_ms()).await {
        Ok(ticket) => ticket,
        Err(code) => {
            tracing::info!(table_id = %table.0, player_id = s.player, %code, "stake refused by the player's protection");
            return WalletResult::Refused { code: code.to_string() };
        }
    };
    let result = stake(deps, table, stalled, reserve).await;
    if let Some(ticket) = ticket {
        deps.guard.answered(ticket, result == WalletResult::Reserved);
    }
    result
}

async fn stake(deps: &Deps, (table, house): Asker<'_>, stalled: &AtomicUsize, reserve: WalletOp) -> WalletResult {
    let mut tries = Tries::default();
    let mut stall = Stall::of(stalled);
    let result = loop {
        let result = deps.metrics.wallet_op("reserve", deps.group.submit(house, reserve.clone())).await;
        match tries.after(&result) {
            Some(wait) => {
                if tries.unconfirmed {
                    stall.set(true);
                    tracing::error!(table_id = %table, ?reserve, "stake unconfirmed; asking again");
                }
                tokio::time::sleep(wait).await;
            }
            None => break result,
        }
    };
    drop(stall);
    match result {
        Ok(_) => WalletResult::Reserved,
        Err(e) => {
            tracing::info!(table_id = %table, ?reserve, %e, "stake refused");
            WalletResult::Refused { code: e.code().to_string() }
        }
    }
}

async fn close_round(deps: &Deps, (table, house): Asker<'_>, stalled: &AtomicUsize, close: WalletOp) {
    let kind = close.kind();
    let recorded = matches!(&close, WalletOp::Close { written: Some(_), .. });
    let started = Instant::now();
    retry(table, kind, stalled, || async {
        let closed = deps.metrics.wallet_op(kind, deps.group.submit(house, close.clone())).await.map(|_| ());
        if recorded && closed.is_err() {
            deps.metrics.checkpoint_failures.with_label_values(&["durable"]).inc();
        }
        closed
    })
    .await;
    if recorded {
        deps.metrics.checkpoint_lag.with_label_values(&["durable"]).observe(started.elapsed().as_secs_f64());
    }
}

/// One flight's share of its table's stall count: the table is stalled
/// while any of its flights waits for the database, and a flight that
/// recovers (or ends) takes back only its own share.
struct Stall<'a> {
    count: &'a AtomicUsize,
    on: bool,
}

impl<'a> Stall<'a> {
    fn of(count: &'a AtomicUsize) -> Self {
        Self { count, on: false }
    }

    fn set(&mut self, on: bool) {
        if on != self.on {
            if on {
                self.count.fetch_add(1, Ordering::Relaxed);
            } else {
                self.count.fetch_sub(1, Ordering::Relaxed);
            }
            self.on = on;
        }
    }
}

impl Drop for Stall<'_> {
    fn drop(&mut self) {
        self.set(false);
    }
}

/// The tries of one stake. A stake the database failed to take is refused
/// after three tries, unless one of them sent its commit and lost the answer
/// ([`StoreError::Unconfirmed`]): that stake may be held, so it is asked for
/// again (the idempotency key makes a landed one answer "held") until the
/// database says which, backing off up to 5 s. Refusing it instead could
/// leave a hold the table does not know of, which the round's settlement
/// would take as a lost stake.
#[derive(Debug, Default)]
pub struct Tries {
    made: u32,
    unconfirmed: bool,
}

impl Tries {
    /// How long to wait before the next try, or `None` when `result` is the
    /// answer.
    pub fn after<T>(&mut self, result: &Result<T, StoreError>) -> Option<Duration> {
        self.made += 1;
        match result {
            Err(StoreError::Unconfirmed(_)) => self.unconfirmed = true,
            Err(StoreError::Database(_)) => {}
            _ => return None,
        }
        if !self.unconfirmed && self.made >= 3 {
            return None;
        }
        Some(Duration::from_millis(50 << self.made.min(7)).min(Duration::from_secs(5)))
    }
}

/// Retries `op` while the database fails, backing off up to 5 s, with
/// `stalled` set meanwhile; other errors are logged (they mean a bug, and
/// retrying cannot fix them).
async fn retry<F, Fut>(table: &str, what: &str, stalled: &AtomicUsize, op: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let mut wait = Duration::from_millis(50);
    let mut stall = Stall::of(stalled);
    loop {
        let result = op().await;
        stall.set(matches!(result, Err(StoreError::Database(_) | StoreError::Unconfirmed(_))));
        match result {
            Ok(()) => return,
            Err(StoreError::Database(e) | StoreError::Unconfirmed(e)) => {
                tracing::error!(table_id = %table, %e, what, "the database failed; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            Err(e) => return tracing::error!(table_id = %table, %e, what, "money operation refused"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down() -> Result<(), StoreError> {
        Err(StoreError::Database(sqlx::Error::PoolTimedOut))
    }

    fn lost() -> Result<(), StoreError> {
        Err(StoreError::Unconfirmed(sqlx::Error::PoolTimedOut))
    }

    #[test]
    fn a_table_is_stalled_while_any_of_its_flights_is() {
        let count = AtomicUsize::new(0);
        let (mut a, mut b) = (Stall::of(&count), Stall::of(&count));
        a.set(true);
        a.set(true);
        b.set(true);
        assert_eq!(count.load(Ordering::Relaxed), 2, "one share per flight, however often it stalls");
        a.set(false);
        assert_eq!(count.load(Ordering::Relaxed), 1, "the other flight still waits");
        drop(b);
        assert_eq!(count.load(Ordering::Relaxed), 0, "a flight that ends takes its share back");
        drop(a);
        assert_eq!(count.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_stake_is_refused_after_three_failures_but_never_while_its_commit_is_unconfirmed() {
        let mut tries = Tries::default();
        assert!(tries.after(&down()).is_some());
        assert!(tries.after(&down()).is_some());
        assert_eq!(tries.after(&down()), None, "three failures before any commit: refused");

        let mut tries = Tries::default();
        assert!(tries.after(&down()).is_some());
        assert!(tries.after(&lost()).is_some());
        for _ in 0..20 {
            let wait = tries.after(&down());
            assert!(wait.is_some_and(|w| w <= Duration::from_secs(5)), "keeps asking, backing off: {wait:?}");
        }
        assert_eq!(tries.after(&Ok(())), None, "the database answered");

        let mut tries = Tries::default();
        assert_eq!(tries.after(&Err::<(), _>(StoreError::InsufficientFunds)), None, "a refusal is an answer");
    }
}
