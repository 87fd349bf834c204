//! Postgres carries out a clean batch as a whole, in sets, and any other
//! one operation at a time (migrations/postgres/0007); SQLite always goes
//! one at a time. The paths must land alike: a seeded stream of batches,
//! mostly clean, some with a replay, a reused key, a round closed twice, a
//! payout without a stake or a player short of money, runs on both
//! backends, and every answer, balance, record and checkpoint must match,
//! with the clean batches having gone in sets. And on Postgres two lanes of
//! group commit carry batches at once: one blocked does not hold the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Db, TestDb};
use croupier_server::clock::Clock;
use croupier_server::group::{GroupCommit, Limits};
use croupier_server::metrics::Metrics;
use croupier_server::store::batch::WalletOp;
use croupier_server::store::{self, CheckpointRow, Role, RoundClose, RoundRef, RoundRow, Store};
use tracing_subscriber::layer::SubscriberExt;

const PLAYERS: usize = 6;
const TABLES: usize = 3;
const BATCHES: usize = 80;

/// A small seeded generator (splitmix64): the stream is the same on both
/// backends and from run to run.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The batches of the stream, and how many of them were made unclean on
/// purpose (they must not go in sets).
fn stream(ids: &[i64]) -> (Vec<Vec<WalletOp>>, usize) {
    let mut rng = Seeded(16);
    let mut round_of = [0u32; TABLES];
    let mut staked = [false; TABLES];
    let mut sent: Vec<WalletOp> = Vec::new();
    let (mut batches, mut unclean) = (Vec::new(), 0);
    for b in 0..BATCHES {
        let mut ops = Vec::new();
        for t in 0..TABLES {
            let house = format!("table-{t}");
            let key = format!("{house}:{}", round_of[t]);
            let round = RoundRef { key: &key, house: &house, currency: "EUR" };
            let mut stakers = Vec::new();
            for s in 0..rng.below(4) {
                let player = ids[rng.below(PLAYERS as u64) as usize];
                stakers.push(player);
                ops.push(WalletOp::reserve(&format!("r-{key}-{b}-{s}"), round, player, 1 + rng.below(400) as i64));
            }
            staked[t] |= !stakers.is_empty();
            // Only a round that has stakes can close.
            if staked[t] && rng.chance(50) {
                let close = if rng.chance(80) {
                    RoundClose::Settle(stakers.iter().filter(|_| rng.chance(40)).map(|&p| (p, 50)).collect())
                } else {
                    RoundClose::Void
                };
                let written = rng.chance(70).then(|| Box::new((record(&key, &house, &stakers), checkpoint(&house, b))));
                ops.push(WalletOp::close(&format!("c-{key}"), &key, close, written));
                round_of[t] += 1;
                staked[t] = false;
            }
        }
        // One batch in four is unclean on purpose.
        if rng.chance(25) && !sent.is_empty() {
            unclean += 1;
            let earlier = sent[rng.below(sent.len() as u64) as usize].clone();
            let (key, round) = (format!("again-{b}"), format!("table-0:{}", round_of[0]));
            ops.push(match rng.below(4) {
                0 => earlier,
                1 => match earlier {
                    WalletOp::Reserve { key, .. } | WalletOp::Close { key, .. } => {
                        WalletOp::reserve(&key, RoundRef { key: &round, house: "table-0", currency: "EUR" }, ids[0], 7)
                    }
                },
                2 => WalletOp::reserve(
                    &key,
                    RoundRef { key: &round, house: "table-0", currency: "EUR" },
                    ids[1],
                    1 << 40,
                ),
                _ => WalletOp::close(&key, &round, RoundClose::Settle(vec![(ids[PLAYERS - 1], 1)]), None),
            });
        }
        sent.extend(ops.iter().cloned());
        batches.push(ops);
    }
    (batches, unclean)
}

fn record(round: &str, table: &str, players: &[i64]) -> RoundRow {
    RoundRow {
        key: round.into(),
        table: table.into(),
        game: "roulette".into(),
        players: players.to_vec(),
        record: format!("{{\"round\":\"{round}\"}}"),
        created_at: 10,
        config: None,
    }
}

fn checkpoint(table: &str, seq: usize) -> Option<CheckpointRow> {
    Some(CheckpointRow {
        table: table.into(),
        game: "roulette".into(),
        kind: "table".into(),
        owner: None,
        spec: "{}".into(),
        seq: seq as i64,
        checkpoint: format!("{{\"seq\":{seq}}}"),
        closed: false,
        updated_at: 10,
    })
}

/// Counts the batches Postgres carried out one operation at a time (its
/// debug event), on this thread.
#[derive(Clone, Default)]
struct OneByOne(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for OneByOne {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "croupier_server::store::batch_pg" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// What a backend made of the stream: each answer (tx ids as first seen,
/// so that a replay must name its first receipt), then the balances,
/// records and checkpoints.
async fn run(kind: Db) -> (Vec<String>, Vec<String>, usize) {
    let (_db, settings) = TestDb::create(kind).await;
    let store: Arc<dyn Store> = store::open(&settings.database).await.unwrap();
    let mut ids = Vec::new();
    for p in 0..PLAYERS {
        let id = store.create_user(&format!("p{p}"), "h", Role::Player, 0).await.unwrap().id;
        store.deposit(&format!("dep-{p}"), id, "EUR", 1_000_000, 1).await.unwrap();
        ids.push(id);
    }
    let (batches, unclean) = stream(&ids);
    let mut first_seen: HashMap<i64, usize> = HashMap::new();
    let mut answers = Vec::new();
    for (b, ops) in batches.iter().enumerate() {
        let results = store.commit_batch(ops, 100 + b as i64).await.unwrap();
        assert_eq!(results.len(), ops.len());
        for result in results {
            answers.push(match result {
                Ok(Some(receipt)) => {
                    let next = first_seen.len();
                    let n = *first_seen.entry(receipt.tx_id).or_insert(next);
                    format!("tx {n} replayed {}", receipt.replayed)
                }
                Ok(None) => "nothing to move".into(),
                Err(e) => format!("refused: {e}"),
            });
        }
    }
    let mut held = Vec::new();
    for &id in &ids {
        held.push(format!("{:?}", store.balances(id).await.unwrap()));
    }
    for t in 0..TABLES {
        for r in 0..BATCHES {
            if let Some(row) = store.round_record(&format!("table-{t}:{r}")).await.unwrap() {
                held.push(format!("{row:?}"));
            }
        }
    }
    let mut checkpoints = store.checkpoints().await.unwrap();
    checkpoints.sort_by(|a, b| a.table.cmp(&b.table));
    held.extend(checkpoints.iter().map(|c| format!("{c:?}")));
    assert!(store.ledger_violations(10).await.unwrap().is_empty(), "{kind:?}");
    (answers, held, unclean)
}

#[tokio::test]
async fn clean_batches_go_in_sets_and_land_as_one_by_one() {
    let one_by_one = OneByOne::default();
    let _watch = tracing::subscriber::set_default(tracing_subscriber::registry().with(one_by_one.clone()));
    let (pg_answers, pg_held, unclean) = run(Db::Postgres).await;
    let taken_alone = one_by_one.0.load(Ordering::SeqCst);
    let (lite_answers, lite_held, _) = run(Db::Sqlite).await;
    for (i, (pg, lite)) in pg_answers.iter().zip(&lite_answers).enumerate() {
        assert_eq!(pg, lite, "answer {i}");
    }
    assert_eq!(pg_answers.len(), lite_answers.len());
    assert_eq!(pg_held, lite_held);
    let refused = pg_answers.iter().filter(|a| a.starts_with("refused")).count();
    let replayed = pg_answers.iter().filter(|a| a.ends_with("replayed true")).count();
    assert!(refused >= unclean / 2 && replayed > 0, "the stream refuses ({refused}) and replays ({replayed})");
    // An unclean addition may turn out clean (a key whose first use was
    // refused is free), and nothing else is unclean.
    assert!(
        taken_alone > 0 && taken_alone <= unclean && taken_alone < BATCHES / 2,
        "{taken_alone} of {BATCHES} batches went one by one; {unclean} were unclean on purpose"
    );
}

#[tokio::test]
async fn postgres_a_blocked_lane_does_not_hold_the_other() {
    use sqlx::Connection;
    let (_db, settings) = TestDb::create(Db::Postgres).await;
    let store: Arc<dyn Store> = store::open(&settings.database).await.unwrap();
    let mut ids = Vec::new();
    for name in ["ann", "bob"] {
        let id = store.create_user(name, "h", Role::Player, 0).await.unwrap().id;
        store.deposit(&format!("dep-{name}"), id, "EUR", 1_000, 1).await.unwrap();
        ids.push(id);
    }
    let limits = Limits { max_ops: 64, wait: Duration::ZERO, lanes: 2 };
    let group = GroupCommit::start(store.clone(), Clock::system(), Metrics::new().unwrap(), limits);
    assert_eq!(group.lanes(), 2);
    // Two tables whose house accounts fall in different lanes.
    let houses: Vec<String> = (0..16).map(|t| format!("table-{t}")).collect();
    let first = houses[0].clone();
    let other = houses.iter().find(|h| group.lane_of(h) != group.lane_of(&first)).expect("two lanes in use");
    // Ann's account is locked from outside: her lane's batch waits for it.
    let mut blocker = sqlx::PgConnection::connect(&settings.database.url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut blocker).await.unwrap();
    sqlx::query("SELECT 1 FROM wallet_accounts WHERE name = $1 FOR UPDATE")
        .bind(format!("player:{}", ids[0]))
        .execute(&mut blocker)
        .await
        .unwrap();
    let ann = {
        let group = group.clone();
        let op = WalletOp::reserve("ann-1", RoundRef { key: "a:1", house: &first, currency: "EUR" }, ids[0], 100);
        tokio::spawn(async move { group.submit(&first, op).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!ann.is_finished(), "ann's stake waits for her account");
    // Bob's stake in the other lane is answered meanwhile (a generous bound:
    // without a second lane it would wait for ann's for ever).
    let bob = WalletOp::reserve("bob-1", RoundRef { key: "b:1", house: other, currency: "EUR" }, ids[1], 100);
    let answered = tokio::time::timeout(Duration::from_secs(20), group.submit(other, bob)).await;
    assert!(matches!(answered, Ok(Ok(Some(_)))), "{answered:?}");
    assert!(!ann.is_finished());
    sqlx::query("ROLLBACK").execute(&mut blocker).await.unwrap();
    assert!(matches!(ann.await.unwrap(), Ok(Some(_))));
    assert!(store.ledger_violations(10).await.unwrap().is_empty());
}
