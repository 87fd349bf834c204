//! The wallet ledger, on Postgres and on SQLite: double entry, idempotency,
//! holds and rounds, no overdraft under concurrency, and the ledger check.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{Db, TestDb};
use croupier_server::store::{self, Balance, Role, RoundRef, Store, StoreError};

async fn open(kind: Db) -> (TestDb, Arc<dyn Store>) {
    let (db, settings) = TestDb::create(kind).await;
    (db, store::open(&settings.database).await.unwrap())
}

fn eur(available: i64, held: i64) -> Vec<Balance> {
    vec![Balance { currency: "EUR".into(), available, held }]
}

const ROUND: RoundRef<'static> = RoundRef { key: "roulette-1:1", house: "roulette-1", currency: "EUR" };

async fn ledger_is_clean(store: &Arc<dyn Store>) {
    let violations = store.ledger_violations(10).await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
}

async fn money_moves_once(kind: Db) {
    let (_db, store) = open(kind).await;
    let ann = store.create_user("ann", "h", Role::Player, 0).await.unwrap().id;
    let bob = store.create_user("bob", "h", Role::Player, 0).await.unwrap().id;

    // Deposits, idempotent.
    let first = store.deposit("dep-1", ann, "EUR", 1_000, 1).await.unwrap();
    assert!(!first.replayed);
    let again = store.deposit("dep-1", ann, "EUR", 1_000, 2).await.unwrap();
    assert_eq!((again.tx_id, again.replayed), (first.tx_id, true));
    assert!(matches!(store.deposit("dep-1", ann, "EUR", 5, 3).await, Err(StoreError::KeyReused(_))));
    assert!(matches!(store.deposit("dep-x", 999_999, "EUR", 5, 3).await, Err(StoreError::NotFound(_))));
    store.deposit("dep-2", bob, "EUR", 500, 1).await.unwrap();
    assert_eq!(store.balances(ann).await.unwrap(), eur(1_000, 0));

    // An overdraft is refused and changes nothing.
    assert!(matches!(store.reserve("r-big", ROUND, ann, 1_001, 4).await, Err(StoreError::InsufficientFunds)));
    assert_eq!(store.balances(ann).await.unwrap(), eur(1_000, 0));
    assert!(matches!(store.void("v-0", ROUND.key, 4).await, Err(StoreError::UnknownRound(_))), "no round opened");

    // Stakes are held; a replayed reserve holds nothing more.
    store.reserve("r-ann", ROUND, ann, 300, 5).await.unwrap();
    assert!(store.reserve("r-ann", ROUND, ann, 300, 5).await.unwrap().replayed);
    store.reserve("r-bob", ROUND, bob, 200, 5).await.unwrap();
    assert_eq!(store.balances(ann).await.unwrap(), eur(700, 300));
    let usd = RoundRef { currency: "USD", ..ROUND };
    store.deposit("dep-usd", ann, "USD", 50, 5).await.unwrap();
    assert!(matches!(store.reserve("r-usd", usd, ann, 10, 5).await, Err(StoreError::CurrencyMismatch(_))));

    // A payout to someone without a stake is refused as a whole.
    let carl = store.create_user("carl", "h", Role::Player, 0).await.unwrap().id;
    assert!(matches!(
        store.settle("s-bad", ROUND.key, &[(carl, 10)], 6).await,
        Err(StoreError::PayoutWithoutStake(id)) if id == carl
    ));
    assert_eq!(store.balances(bob).await.unwrap(), eur(300, 200));

    // Settle: Ann wins 600 (stake included), Bob loses.
    let settled = store.settle("s-1", ROUND.key, &[(ann, 600)], 7).await.unwrap();
    assert_eq!(store.balances(ann).await.unwrap()[0], eur(1_300, 0)[0]);
    assert_eq!(store.balances(bob).await.unwrap(), eur(300, 0));
    assert_eq!(
        store.settle("s-1", ROUND.key, &[(ann, 600)], 8).await.unwrap(),
        croupier_server::store::Receipt { tx_id: settled.tx_id, replayed: true }
    );
    assert!(matches!(store.settle("s-2", ROUND.key, &[], 8).await, Err(StoreError::RoundClosed(_))));
    assert!(matches!(store.void("v-1", ROUND.key, 8).await, Err(StoreError::RoundClosed(_))));
    assert!(matches!(store.reserve("r-late", ROUND, ann, 1, 8).await, Err(StoreError::RoundClosed(_))));

    // Void refunds every stake.
    let round2 = RoundRef { key: "roulette-1:2", ..ROUND };
    store.reserve("r2-ann", round2, ann, 100, 9).await.unwrap();
    store.reserve("r2-bob", round2, bob, 100, 9).await.unwrap();
    store.void("v-2", round2.key, 10).await.unwrap();
    assert_eq!(store.balances(ann).await.unwrap()[0], eur(1_300, 0)[0]);
    assert_eq!(store.balances(bob).await.unwrap(), eur(300, 0));

    // History: newest first, paged by cursor.
    let page = store.transactions(ann, None, 3).await.unwrap();
    assert_eq!(page.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>(), ["void", "reserve", "settle"]);
    assert_eq!((page[0].available_change, page[0].held_change), (100, -100));
    assert_eq!((page[2].available_change, page[2].held_change), (600, -300), "settle: won 600, stake released");
    let rest = store.transactions(ann, Some(page[2].id), 10).await.unwrap();
    assert_eq!(rest.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>(), ["deposit", "reserve", "deposit"]);
    assert_eq!((rest[0].currency.as_str(), rest[0].available_change), ("USD", 50));
    ledger_is_clean(&store).await;
}

#[actix_web::test]
async fn postgres_money_moves_once() {
    money_moves_once(Db::Postgres).await;
}

#[actix_web::test]
async fn sqlite_money_moves_once() {
    money_moves_once(Db::Sqlite).await;
}

async fn fifty_parallel_reserves_never_overdraw(kind: Db) {
    let (_db, store) = open(kind).await;
    let ann = store.create_user("ann", "h", Role::Player, 0).await.unwrap().id;
    store.deposit("dep", ann, "EUR", 1_000, 0).await.unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            actix_web::rt::spawn(async move {
                let round = RoundRef { key: "slots-7:1", house: "slots-shard-3", currency: "EUR" };
                store.reserve(&format!("r-{i}"), round, ann, 100, 1).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::InsufficientFunds) => {}
            Err(e) => panic!("{kind:?}: {e}"),
        }
    }
    assert_eq!(ok, 10, "{kind:?}: exactly the balance's worth of stakes is held");
    assert_eq!(store.balances(ann).await.unwrap(), eur(0, 1_000));
    ledger_is_clean(&store).await;
}

#[actix_web::test]
async fn postgres_parallel_reserves_never_overdraw() {
    fifty_parallel_reserves_never_overdraw(Db::Postgres).await;
}

#[actix_web::test]
async fn sqlite_parallel_reserves_never_overdraw() {
    fifty_parallel_reserves_never_overdraw(Db::Sqlite).await;
}

#[actix_web::test]
async fn the_ledger_check_finds_tampering() {
    for kind in [Db::Postgres, Db::Sqlite] {
        let (db, store) = open(kind).await;
        let ann = store.create_user("ann", "h", Role::Player, 0).await.unwrap().id;
        store.deposit("dep", ann, "EUR", 1_000, 0).await.unwrap();
        ledger_is_clean(&store).await;
        db.execute("UPDATE wallet_accounts SET available = available + 5 WHERE kind = 'player'").await;
        let violations = store.ledger_violations(10).await.unwrap();
        assert_eq!(violations.len(), 1, "{kind:?}: {violations:?}");
        assert!(violations[0].contains("available differs from the sum of its entries by 5"), "{violations:?}");
        db.execute("UPDATE wallet_accounts SET available = available - 5 WHERE kind = 'player'").await;
        db.execute("UPDATE wallet_entries SET amount = amount + 1 WHERE bucket = 'available' AND amount > 0").await;
        let violations = store.ledger_violations(10).await.unwrap();
        assert!(violations.iter().any(|v| v.contains("entries sum to 1, not 0")), "{kind:?}: {violations:?}");
    }
}

#[actix_web::test]
async fn a_player_balance_cannot_go_negative_even_by_hand() {
    for kind in [Db::Postgres, Db::Sqlite] {
        let (db, store) = open(kind).await;
        let ann = store.create_user("ann", "h", Role::Player, 0).await.unwrap().id;
        store.deposit("dep", ann, "EUR", 10, 0).await.unwrap();
        let refused = db.try_execute("UPDATE wallet_accounts SET available = -1 WHERE kind = 'player'").await;
        assert!(refused.is_err(), "{kind:?}: the database itself refuses a negative player balance");
    }
}

async fn a_round_settles_once_under_racing_requests(kind: Db) {
    let (_db, store) = open(kind).await;
    let ann = store.create_user("ann", "h", Role::Player, 0).await.unwrap().id;
    store.deposit("dep", ann, "EUR", 10_000, 0).await.unwrap();
    // Another open round keeps Ann's held balance above zero, so only the
    // round's own lock can stop a second settlement.
    store.reserve("other", RoundRef { key: "other:1", ..ROUND }, ann, 5_000, 1).await.unwrap();
    store.reserve("r", ROUND, ann, 1_000, 1).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            actix_web::rt::spawn(async move {
                let settle = i % 2 == 0;
                let result = if settle {
                    store.settle(&format!("s-{i}"), ROUND.key, &[(ann, 2_000)], 2).await
                } else {
                    store.reserve(&format!("late-{i}"), ROUND, ann, 100, 2).await
                };
                (settle, result)
            })
        })
        .collect();
    let mut settled = 0;
    for t in tasks {
        match t.await.unwrap() {
            (settle, Ok(_)) => settled += u32::from(settle),
            (_, Err(StoreError::RoundClosed(_))) => {}
            (_, Err(e)) => panic!("{kind:?}: {e}"),
        }
    }
    let balances = store.balances(ann).await.unwrap();
    // Exactly one settlement paid 2,000; any reserve that got in before it was
    // settled with the round (so no stake is left held in a closed round).
    assert_eq!(settled, 1, "{kind:?}: of four racing settlements exactly one succeeds");
    let staked_in_round = 10_000 - 5_000 - balances[0].available + 2_000;
    assert_eq!(balances[0].held, 5_000, "{kind:?}: only the other round's stake is held");
    assert!(staked_in_round >= 1_000 && (staked_in_round - 1_000) % 100 == 0, "{kind:?}: {balances:?}");
    ledger_is_clean(&store).await;
}

#[actix_web::test]
async fn postgres_rounds_settle_once_under_races() {
    a_round_settles_once_under_racing_requests(Db::Postgres).await;
}

#[actix_web::test]
async fn sqlite_rounds_settle_once_under_races() {
    a_round_settles_once_under_racing_requests(Db::Sqlite).await;
}

#[actix_web::test]
async fn non_positive_amounts_never_reach_the_ledger() {
    let (_db, store) = open(Db::Sqlite).await;
    let ann = store.create_user("ann", "h", Role::Player, 0).await.unwrap().id;
    store.deposit("dep", ann, "EUR", 1_000, 0).await.unwrap();
    assert!(matches!(store.deposit("neg", ann, "EUR", -5, 0).await, Err(StoreError::InvalidAmount(-5))));
    assert!(matches!(store.reserve("zero", ROUND, ann, 0, 0).await, Err(StoreError::InvalidAmount(0))));
    store.reserve("r", ROUND, ann, 100, 0).await.unwrap();
    assert!(matches!(store.settle("s", ROUND.key, &[(ann, -50)], 0).await, Err(StoreError::InvalidAmount(-50))));
    assert_eq!(store.balances(ann).await.unwrap(), eur(900, 100));
    ledger_is_clean(&store).await;
}
