//! Group commit, on Postgres and on SQLite: a batch mixing accepted,
//! refused and replayed operations answers each as if it had run alone; a
//! record commits with its settlement or not at all; a batch whose commit
//! fails leaves nothing behind; a batch whose commit answer is lost is
//! answered by asking again with the same keys; and operations submitted
//! together share batches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::proxy::Proxy;
use common::{Db, TestDb};
use croupier_server::clock::Clock;
use croupier_server::group::{GroupCommit, Limits};
use croupier_server::metrics::Metrics;
use croupier_server::store::batch::WalletOp;
use croupier_server::store::{
    self, Balance, CheckpointRow, GameConfig, Receipt, Role, RoundClose, RoundRef, RoundRow, Store, StoreError,
};

async fn open(kind: Db) -> (TestDb, Arc<dyn Store>) {
    let (db, settings) = TestDb::create(kind).await;
    (db, store::open(&settings.database).await.unwrap())
}

fn eur(available: i64, held: i64) -> Vec<Balance> {
    vec![Balance { currency: "EUR".into(), available, held }]
}

const R1: RoundRef<'static> = RoundRef { key: "roulette-1:1", house: "roulette-1", currency: "EUR" };
const R2: RoundRef<'static> = RoundRef { key: "roulette-1:2", house: "roulette-1", currency: "EUR" };

fn record(round: &str, players: Vec<i64>) -> RoundRow {
    RoundRow {
        key: round.into(),
        table: "roulette-1".into(),
        game: "roulette".into(),
        players,
        record: format!("{{\"round\":\"{round}\"}}"),
        created_at: 10,
        config: None,
    }
}

/// A config of `game`, as a record names it.
fn config(game: &str, min_bet: i64) -> Arc<GameConfig> {
    Arc::new(GameConfig::of(game, &serde_json::json!({ "min_bet": min_bet })).unwrap())
}

/// `record(round, players)` naming `config`.
fn record_naming(round: &str, players: Vec<i64>, config: &Arc<GameConfig>) -> RoundRow {
    RoundRow { config: Some(config.clone()), ..record(round, players) }
}

fn checkpoint(seq: i64) -> CheckpointRow {
    CheckpointRow {
        table: "roulette-1".into(),
        game: "roulette".into(),
        kind: "table".into(),
        owner: None,
        spec: "{}".into(),
        seq,
        checkpoint: format!("{{\"seq\":{seq}}}"),
        closed: false,
        updated_at: 10,
    }
}

fn receipt(result: &Result<Option<Receipt>, StoreError>) -> Receipt {
    match result {
        Ok(Some(r)) => *r,
        other => panic!("expected a receipt, got {other:?}"),
    }
}

async fn players(store: &Arc<dyn Store>, funds: &[(&str, i64)]) -> Vec<i64> {
    let mut ids = Vec::new();
    for (name, amount) in funds {
        let id = store.create_user(name, "h", Role::Player, 0).await.unwrap().id;
        store.deposit(&format!("dep-{name}"), id, "EUR", *amount, 1).await.unwrap();
        ids.push(id);
    }
    ids
}

async fn a_mixed_batch_answers_each_operation_alone(kind: Db) {
    let (_db, store) = open(kind).await;
    let ids = players(&store, &[("ann", 1_000), ("bob", 100), ("cy", 500)]).await;
    let (ann, bob, cy) = (ids[0], ids[1], ids[2]);
    // Round 2 is settled before the batch: a stake into it must be refused.
    store.reserve("r2-cy", R2, cy, 100, 2).await.unwrap();
    store.settle("s2", R2.key, &[], 3).await.unwrap();
    let earlier = store.reserve("r1-cy", R1, cy, 50, 4).await.unwrap();

    let ops = vec![
        WalletOp::reserve("r1-ann", R1, ann, 300),
        WalletOp::reserve("r1-bob", R1, bob, 101),
        WalletOp::reserve("r1-ann", R1, ann, 300),
        WalletOp::reserve("r1-cy", R1, cy, 50),
        WalletOp::reserve("r2-late", R2, cy, 10),
        WalletOp::reserve("r1-cy", R1, cy, 51),
        WalletOp::reserve("r1-bob-small", R1, bob, 100),
        WalletOp::close("s1", R1.key, RoundClose::Settle(vec![(ann, 600)]), None),
        WalletOp::reserve("r1-after", R1, ann, 10),
    ];
    let results = store.commit_batch(&ops, 5).await.unwrap();
    assert_eq!(results.len(), ops.len());
    let first = receipt(&results[0]);
    assert!(!first.replayed);
    assert!(matches!(results[1], Err(StoreError::InsufficientFunds)), "{:?}", results[1]);
    assert_eq!(receipt(&results[2]), Receipt { tx_id: first.tx_id, replayed: true }, "replayed in its own batch");
    assert_eq!(receipt(&results[3]), Receipt { tx_id: earlier.tx_id, replayed: true }, "replayed from before");
    assert!(matches!(results[4], Err(StoreError::RoundClosed(_))), "{:?}", results[4]);
    assert!(matches!(results[5], Err(StoreError::KeyReused(_))), "{:?}", results[5]);
    assert!(!receipt(&results[6]).replayed, "the refusals before it changed nothing");
    assert!(!receipt(&results[7]).replayed, "the settlement takes the stakes held before it in the batch");
    assert!(matches!(results[8], Err(StoreError::RoundClosed(_))), "{:?}", results[8]);

    // Ann staked 300 and won 600; Bob's 100 and Cy's 50 were lost; Cy's
    // stake in round 2 was lost before.
    assert_eq!(store.balances(ann).await.unwrap(), eur(1_300, 0));
    assert_eq!(store.balances(bob).await.unwrap(), eur(0, 0));
    assert_eq!(store.balances(cy).await.unwrap(), eur(350, 0));
    assert!(store.ledger_violations(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn postgres_mixed_batches() {
    a_mixed_batch_answers_each_operation_alone(Db::Postgres).await;
}

#[tokio::test]
async fn sqlite_mixed_batches() {
    a_mixed_batch_answers_each_operation_alone(Db::Sqlite).await;
}

/// Counts the batches given back by Postgres's one-call path to be run
/// again one savepoint per operation (its warning), on this thread.
#[derive(Clone, Default)]
struct GivenBack(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for GivenBack {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let meta = event.metadata();
        if meta.target() == "croupier_server::store::batch" && *meta.level() == tracing::Level::WARN {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl GivenBack {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

async fn every_refusal_and_an_error_refuse_one_operation(kind: Db) {
    use tracing_subscriber::layer::SubscriberExt;
    let given_back = GivenBack::default();
    let _watch = tracing::subscriber::set_default(tracing_subscriber::registry().with(given_back.clone()));
    let (_db, store) = open(kind).await;
    let ids = players(&store, &[("ann", 1_000), ("bob", 1_000)]).await;
    let (ann, bob) = (ids[0], ids[1]);
    let usd = RoundRef { key: R1.key, house: R1.house, currency: "USD" };
    let ops = vec![
        WalletOp::reserve("r1-ann", R1, ann, 300),
        WalletOp::reserve("r1-zero", R1, ann, 0),
        WalletOp::reserve("r1-usd", usd, bob, 10),
        WalletOp::reserve("r2-ann", R2, ann, 200),
        WalletOp::close("v-none", "roulette-1:9", RoundClose::Void, None),
        WalletOp::close("s1-bob", R1.key, RoundClose::Settle(vec![(ann, 100), (bob, 50)]), None),
        WalletOp::close("s1-neg", R1.key, RoundClose::Settle(vec![(ann, -5)]), None),
        WalletOp::close("v2", R2.key, RoundClose::Void, None),
        WalletOp::close("s1", R1.key, RoundClose::Settle(vec![(ann, 100), (ann, 50)]), None),
    ];
    let results = store.commit_batch(&ops, 5).await.unwrap();
    assert!(!receipt(&results[0]).replayed);
    assert!(matches!(results[1], Err(StoreError::InvalidAmount(0))), "{:?}", results[1]);
    assert!(matches!(&results[2], Err(StoreError::CurrencyMismatch(c)) if c == "EUR"), "{:?}", results[2]);
    assert!(!receipt(&results[3]).replayed);
    assert!(matches!(results[4], Err(StoreError::UnknownRound(_))), "{:?}", results[4]);
    assert!(matches!(results[5], Err(StoreError::PayoutWithoutStake(u)) if u == bob), "{:?}", results[5]);
    assert!(matches!(results[6], Err(StoreError::InvalidAmount(-5))), "{:?}", results[6]);
    assert!(!receipt(&results[7]).replayed, "the void returns the stake");
    assert!(!receipt(&results[8]).replayed, "two payouts to one player are both paid");
    assert_eq!(store.balances(ann).await.unwrap(), eur(850, 0));
    assert_eq!(store.balances(bob).await.unwrap(), eur(1_000, 0));
    assert_eq!(given_back.count(), 0, "refusals are answered in the one call");

    // A stake for a player who does not exist is an error, not a refusal:
    // it fails alone, and its neighbours commit.
    let ops = vec![
        WalletOp::reserve("r3-ann", RoundRef { key: "roulette-1:3", ..R1 }, ann, 100),
        WalletOp::reserve("r3-ghost", RoundRef { key: "roulette-1:3", ..R1 }, 987_654, 100),
        WalletOp::reserve("r3-bob", RoundRef { key: "roulette-1:3", ..R1 }, bob, 100),
    ];
    let results = store.commit_batch(&ops, 6).await.unwrap();
    assert!(!receipt(&results[0]).replayed);
    assert!(matches!(results[1], Err(StoreError::Database(_))), "{:?}", results[1]);
    assert!(!receipt(&results[2]).replayed);
    let expected = usize::from(kind == Db::Postgres);
    assert_eq!(given_back.count(), expected, "on Postgres the error gives the batch back to the savepoint path");
    assert_eq!(store.balances(ann).await.unwrap(), eur(750, 100));
    assert_eq!(store.balances(bob).await.unwrap(), eur(900, 100));
    assert!(store.ledger_violations(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn postgres_refusals_and_errors_stay_with_their_operation() {
    every_refusal_and_an_error_refuse_one_operation(Db::Postgres).await;
}

#[tokio::test]
async fn sqlite_refusals_and_errors_stay_with_their_operation() {
    every_refusal_and_an_error_refuse_one_operation(Db::Sqlite).await;
}

async fn a_record_commits_with_its_settlement_only(kind: Db) {
    use tracing_subscriber::layer::SubscriberExt;
    let given_back = GivenBack::default();
    let _watch = tracing::subscriber::set_default(tracing_subscriber::registry().with(given_back.clone()));
    let (_db, store) = open(kind).await;
    let ann = players(&store, &[("ann", 1_000)]).await[0];
    store.reserve("r1", R1, ann, 100, 2).await.unwrap();
    // Both records name one config: it is stored once, with them.
    let named = config("roulette", 100);
    let written = |round: &str, seq| Some(Box::new((record_naming(round, vec![ann], &named), Some(checkpoint(seq)))));
    let ops = vec![
        WalletOp::close("s1", R1.key, RoundClose::Settle(vec![(ann, 200)]), written(R1.key, 7)),
        // A second close of the same round is refused: its record is not written.
        WalletOp::close("v1", R1.key, RoundClose::Void, written(R1.key, 9)),
        WalletOp::close("rec-2", R2.key, RoundClose::RecordOnly, written(R2.key, 8)),
    ];
    let results = store.commit_batch(&ops, 5).await.unwrap();
    assert!(!receipt(&results[0]).replayed);
    assert!(matches!(results[1], Err(StoreError::RoundClosed(_))), "{:?}", results[1]);
    assert!(matches!(results[2], Ok(None)), "{:?}", results[2]);
    assert_eq!(store.round_record(R1.key).await.unwrap(), Some(record(R1.key, vec![ann])));
    assert_eq!(store.round_record(R2.key).await.unwrap(), Some(record(R2.key, vec![ann])));
    let saved = store.checkpoints().await.unwrap();
    assert_eq!(saved.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![8], "the refused close's checkpoint is absent");
    assert_eq!(store.game_config(&named.hash).await.unwrap().as_ref(), Some(&*named));
    assert_eq!(store.game_config(&config("roulette", 5).hash).await.unwrap(), None);
    assert_eq!(store.balances(ann).await.unwrap(), eur(1_100, 0));
    // Replaying the settlement writes nothing again.
    let again = store.commit_batch(&ops[..1], 6).await.unwrap();
    assert_eq!(receipt(&again[0]), Receipt { tx_id: receipt(&results[0]).tx_id, replayed: true });
    assert_eq!(store.balances(ann).await.unwrap(), eur(1_100, 0));
    assert!(store.ledger_violations(10).await.unwrap().is_empty());
    assert_eq!(given_back.count(), 0, "records and checkpoints go in the one call");
}

#[tokio::test]
async fn postgres_records_commit_with_their_settlement() {
    a_record_commits_with_its_settlement_only(Db::Postgres).await;
}

#[tokio::test]
async fn sqlite_records_commit_with_their_settlement() {
    a_record_commits_with_its_settlement_only(Db::Sqlite).await;
}

/// Makes every commit of a transaction that claimed a key starting with
/// `poison` fail: a deferred foreign key, checked only at commit.
async fn poison_commits(db: &TestDb) {
    db.execute("CREATE TABLE poison_parent (id BIGINT PRIMARY KEY)").await;
    db.execute("CREATE TABLE poison_child (parent BIGINT REFERENCES poison_parent (id) DEFERRABLE INITIALLY DEFERRED)")
        .await;
    match db.kind {
        Db::Postgres => {
            db.execute(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
                 IF NEW.idempotency_key LIKE 'poison%' THEN INSERT INTO poison_child VALUES (1); END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .await;
            db.execute(
                "CREATE TRIGGER poison AFTER INSERT ON wallet_transactions FOR EACH ROW EXECUTE FUNCTION poison()",
            )
            .await;
        }
        Db::Sqlite => {
            db.execute(
                "CREATE TRIGGER poison AFTER INSERT ON wallet_transactions WHEN NEW.idempotency_key LIKE 'poison%' \
                 BEGIN INSERT INTO poison_child VALUES (1); END",
            )
            .await;
        }
    }
}

async fn a_failed_commit_leaves_nothing(kind: Db) {
    let (db, store) = open(kind).await;
    let ids = players(&store, &[("ann", 1_000), ("bob", 1_000)]).await;
    let (ann, bob) = (ids[0], ids[1]);
    poison_commits(&db).await;
    let good = vec![
        WalletOp::reserve("r1-ann", R1, ann, 300),
        WalletOp::reserve("r1-bob", R1, bob, 200),
        WalletOp::close("s1", R1.key, RoundClose::Settle(vec![(bob, 400)]), None),
    ];
    // A record naming a config no transaction has stored: its config goes
    // with the failed commit, and is written again by the next one.
    let named = config("roulette", 7);
    let recorded = WalletOp::close("rec-3", "roulette-1:3", RoundClose::RecordOnly, {
        Some(Box::new((record_naming("roulette-1:3", vec![ann], &named), None)))
    });
    let good = [good, vec![recorded]].concat();
    let mut ops = good.clone();
    ops.insert(1, WalletOp::reserve("poison-1", R2, ann, 10));
    match store.commit_batch(&ops, 5).await {
        Err(StoreError::Unconfirmed(_) | StoreError::Database(_)) => {}
        other => panic!("the commit must fail, not {other:?}"),
    }
    assert_eq!(store.balances(ann).await.unwrap(), eur(1_000, 0), "no operation of the batch landed");
    assert_eq!(store.balances(bob).await.unwrap(), eur(1_000, 0));
    assert_eq!(store.open_rounds().await.unwrap(), Vec::<String>::new());
    assert_eq!(store.game_config(&named.hash).await.unwrap(), None, "the config went with the failed commit");
    // The same operations again, without the poisoned one: all land, fresh.
    let results = store.commit_batch(&good, 6).await.unwrap();
    let (money, record) = results.split_at(3);
    assert!(money.iter().all(|r| r.as_ref().is_ok_and(|r| r.is_some_and(|r| !r.replayed))), "{results:?}");
    assert!(matches!(record, [Ok(None)]), "{record:?}");
    assert_eq!(store.game_config(&named.hash).await.unwrap().as_ref(), Some(&*named));
    assert_eq!(store.balances(ann).await.unwrap(), eur(700, 0));
    assert_eq!(store.balances(bob).await.unwrap(), eur(1_200, 0));
    assert!(store.ledger_violations(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn postgres_failed_commits_leave_nothing() {
    a_failed_commit_leaves_nothing(Db::Postgres).await;
}

#[tokio::test]
async fn sqlite_failed_commits_leave_nothing() {
    a_failed_commit_leaves_nothing(Db::Sqlite).await;
}

/// Postgres only: SQLite commits in the process, so its answer cannot be
/// lost on the way. The commit is held up for a second (a deferred
/// constraint trigger that sleeps) and the connection cut meanwhile: the
/// commit lands, its answer does not.
#[tokio::test]
async fn postgres_a_lost_commit_answer_is_found_by_asking_again() {
    let (db, mut settings) = TestDb::create(Db::Postgres).await;
    let store_direct = store::open(&settings.database).await.unwrap();
    let ids = players(&store_direct, &[("ann", 1_000), ("bob", 1_000)]).await;
    let (ann, bob) = (ids[0], ids[1]);
    db.execute(
        "CREATE FUNCTION slow_commit() RETURNS trigger AS $$ BEGIN \
         IF NEW.idempotency_key LIKE 'slow%' THEN PERFORM pg_sleep(1); END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
    )
    .await;
    db.execute(
        "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON wallet_transactions DEFERRABLE INITIALLY DEFERRED \
         FOR EACH ROW EXECUTE FUNCTION slow_commit()",
    )
    .await;
    let mut url = url::Url::parse(&settings.database.url).unwrap();
    let proxy = Proxy::start(&format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432))).await;
    url.set_port(Some(proxy.port)).unwrap();
    settings.database.url = url.to_string();
    let store = store::open(&settings.database).await.unwrap();

    let ops = vec![
        WalletOp::reserve("slow-ann", R1, ann, 300),
        WalletOp::reserve("r1-bob", R1, bob, 2_000),
        WalletOp::reserve("r1-bob-ok", R1, bob, 200),
    ];
    let cut = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        proxy.cut();
    };
    let (lost, ()) = tokio::join!(store.commit_batch(&ops, 5), cut);
    assert!(matches!(lost, Err(StoreError::Unconfirmed(_))), "the answer was lost: {lost:?}");
    proxy.restore();
    // The commit landed (Postgres finishes a commit whose client is gone).
    let mut landed = false;
    for _ in 0..50 {
        if store_direct.balances(ann).await.unwrap() == eur(700, 300) {
            landed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(landed, "the commit landed: {:?}", store_direct.balances(ann).await.unwrap());
    // Asking again with the same keys: the accepted ones answer "held"
    // (replayed), the refused one is refused again, and nothing moves twice.
    let again = store.commit_batch(&ops, 6).await.unwrap();
    assert!(receipt(&again[0]).replayed && receipt(&again[2]).replayed, "{again:?}");
    assert!(matches!(again[1], Err(StoreError::InsufficientFunds)), "{:?}", again[1]);
    assert_eq!(store_direct.balances(ann).await.unwrap(), eur(700, 300));
    assert_eq!(store_direct.balances(bob).await.unwrap(), eur(800, 200));
    assert!(store_direct.ledger_violations(10).await.unwrap().is_empty());
}

async fn submitted_together_committed_together(kind: Db) {
    let (_db, store) = open(kind).await;
    let names: Vec<String> = (0..100).map(|i| format!("p{i}")).collect();
    let funds: Vec<(&str, i64)> = names.iter().map(|n| (n.as_str(), 100)).collect();
    let ids = players(&store, &funds).await;
    let metrics = Metrics::new().unwrap();
    let limits = Limits { max_ops: 512, wait: Duration::from_millis(20), lanes: 2 };
    let group = GroupCommit::start(store.clone(), Clock::system(), metrics.clone(), limits);
    let stakes = ids.iter().enumerate().map(|(i, &id)| {
        let group = group.clone();
        // Every tenth player stakes more than they hold.
        let amount = if i % 10 == 0 { 101 } else { 60 };
        async move { group.submit(R1.house, WalletOp::reserve(&format!("r-{i}"), R1, id, amount)).await }
    });
    let results = futures_util::future::join_all(stakes).await;
    for (i, result) in results.iter().enumerate() {
        if i % 10 == 0 {
            assert!(matches!(result, Err(StoreError::InsufficientFunds)), "{i}: {result:?}");
        } else {
            assert!(!receipt(result).replayed, "{i}");
        }
    }
    let batches = metrics.wallet_batch_ops.get_sample_count();
    assert!(batches < 10, "100 operations submitted together went in {batches} batches");
    assert_eq!(metrics.wallet_batch_ops.get_sample_sum() as u64, 100);
    let settle = group.submit(R1.house, WalletOp::close("s1", R1.key, RoundClose::Void, None)).await;
    assert!(!receipt(&settle).replayed);
    for &id in &ids {
        assert_eq!(store.balances(id).await.unwrap(), eur(100, 0));
    }
    assert!(store.ledger_violations(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn postgres_operations_submitted_together_share_batches() {
    submitted_together_committed_together(Db::Postgres).await;
}

#[tokio::test]
async fn sqlite_operations_submitted_together_share_batches() {
    submitted_together_committed_together(Db::Sqlite).await;
}
