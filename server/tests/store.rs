//! The store conformance suite: the same checks on Postgres and on SQLite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{Db, TestDb};
use croupier_server::store::{self, Backend, RefreshRecord, Role, Rotation, Store, StoreError};

async fn open(kind: Db) -> (TestDb, Arc<dyn Store>) {
    let (db, settings) = TestDb::create(kind).await;
    let store = store::open(&settings.database).await.unwrap();
    (db, store)
}

fn token(hash: &str, user_id: i64, family: &str, expires_at: i64) -> RefreshRecord {
    RefreshRecord { token_hash: hash.to_owned(), user_id, family: family.to_owned(), expires_at }
}

async fn conformance(kind: Db) {
    let (_db, store) = open(kind).await;
    assert_eq!(store.backend(), if kind == Db::Postgres { Backend::Postgres } else { Backend::Sqlite });
    store.ping().await.unwrap();

    // Users: create, find, unique names, password change.
    let ann = store.create_user("ann", "hash-1", Role::Player, 1_000).await.unwrap();
    assert_eq!((ann.username.as_str(), ann.role, ann.created_at), ("ann", Role::Player, 1_000));
    let bob = store.create_user("bob", "hash-2", Role::Admin, 2_000).await.unwrap();
    assert_ne!(ann.id, bob.id);
    assert!(matches!(store.create_user("ann", "x", Role::Admin, 3_000).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.user_by_name("ann").await.unwrap(), Some(ann.clone()));
    assert_eq!(store.user_by_id(bob.id).await.unwrap().map(|u| u.role), Some(Role::Admin));
    assert_eq!(store.user_by_name("nobody").await.unwrap(), None);

    // Refresh tokens: rotate once, reuse revokes the family, expiry, logout.
    store.insert_refresh(&token("t1", ann.id, "fam-a", 10_000)).await.unwrap();
    let next = token("t2", 0, "", 20_000);
    assert_eq!(store.rotate_refresh("t1", &next, 5_000).await.unwrap(), Rotation::Rotated { user_id: ann.id });
    assert_eq!(store.rotate_refresh("t1", &token("t3", 0, "", 20_000), 5_000).await.unwrap(), Rotation::Reused);
    assert_eq!(
        store.rotate_refresh("t2", &token("t4", 0, "", 20_000), 5_000).await.unwrap(),
        Rotation::Revoked,
        "reuse of t1 revoked its successor t2"
    );
    assert_eq!(store.rotate_refresh("nope", &token("t5", 0, "", 1), 5_000).await.unwrap(), Rotation::Unknown);
    store.insert_refresh(&token("old", ann.id, "fam-b", 1_000)).await.unwrap();
    assert_eq!(store.rotate_refresh("old", &token("t6", 0, "", 9), 5_000).await.unwrap(), Rotation::Expired);
    store.insert_refresh(&token("live", ann.id, "fam-c", 90_000)).await.unwrap();
    assert!(store.revoke_family_of("live").await.unwrap());
    assert!(!store.revoke_family_of("unknown").await.unwrap());
    assert_eq!(store.rotate_refresh("live", &token("t7", 0, "", 9), 5_000).await.unwrap(), Rotation::Revoked);

    // A password change revokes every refresh token of the user.
    store.insert_refresh(&token("keep", bob.id, "fam-d", 90_000)).await.unwrap();
    store.insert_refresh(&token("gone", ann.id, "fam-e", 90_000)).await.unwrap();
    store.set_password(ann.id, "hash-3").await.unwrap();
    assert_eq!(store.user_by_id(ann.id).await.unwrap().unwrap().password_hash, "hash-3");
    assert_eq!(store.rotate_refresh("gone", &token("t8", 0, "", 99_000), 5_000).await.unwrap(), Rotation::Revoked);
    assert_eq!(
        store.rotate_refresh("keep", &token("t9", 0, "", 99_000), 5_000).await.unwrap(),
        Rotation::Rotated { user_id: bob.id }
    );
    assert!(matches!(store.set_password(999_999, "h").await, Err(StoreError::NotFound(_))));
}

#[actix_web::test]
async fn postgres_store_conforms() {
    conformance(Db::Postgres).await;
}

#[actix_web::test]
async fn sqlite_store_conforms() {
    conformance(Db::Sqlite).await;
}

#[actix_web::test]
async fn racing_refreshes_rotate_once() {
    for kind in [Db::Postgres, Db::Sqlite] {
        let (_db, store) = open(kind).await;
        let u = store.create_user("racer", "h", Role::Player, 0).await.unwrap();
        store.insert_refresh(&token("r0", u.id, "fam", i64::MAX)).await.unwrap();
        let attempts = (0..8).map(|i| {
            let store = store.clone();
            async move { store.rotate_refresh("r0", &token(&format!("r{}", i + 1), 0, "", i64::MAX), 1).await }
        });
        let results = futures_join(attempts.collect()).await;
        let rotated = results.iter().filter(|r| matches!(r, Ok(Rotation::Rotated { .. }))).count();
        assert!(rotated <= 1, "{kind:?}: {results:?}");
        assert!(results.iter().all(Result::is_ok), "{kind:?}: {results:?}");
    }
}

/// Runs the futures concurrently, each as its own task.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + 'static,
    F::Output: 'static,
{
    let handles: Vec<_> = futures.into_iter().map(actix_web::rt::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// Round records, checkpoints and fair seeds: written with the settlement,
/// exactly once, newest checkpoint wins; the same on both backends.
async fn rounds_conform(kind: Db) {
    use croupier_server::store::{CheckpointRow, FairSeedRow, GameConfig, PlayedRound, RoundClose, RoundRef, RoundRow};
    let (_db, store) = open(kind).await;
    let ann = store.create_user("ann", "h", Role::Player, 0).await.unwrap();
    // Bob sits through the round and stakes nothing.
    let bob = store.create_user("bob", "h", Role::Player, 0).await.unwrap();
    store.deposit("d1", ann.id, "EUR", 1_000, 0).await.unwrap();
    let round = RoundRef { key: "t1:e:1", house: "house:table:t1", currency: "EUR" };
    store.reserve("t1:e:1:stake:1", round, ann.id, 100, 1).await.unwrap();
    assert_eq!(store.open_rounds().await.unwrap(), ["t1:e:1"]);
    let record = RoundRow {
        key: "t1:e:1".into(),
        table: "t1".into(),
        game: "roulette".into(),
        players: vec![bob.id, ann.id, ann.id],
        record: "{\"r\":1}".into(),
        created_at: 2,
        config: Some(std::sync::Arc::new(GameConfig::of("roulette", &serde_json::json!({ "min_bet": 1 })).unwrap())),
    };
    let checkpoint = |seq: i64, state: &str| CheckpointRow {
        table: "t1".into(),
        game: "roulette".into(),
        kind: "table".into(),
        owner: None,
        spec: "{}".into(),
        seq,
        checkpoint: state.into(),
        closed: false,
        updated_at: 3,
    };
    let paid = [(ann.id, 250)];
    let (a, b) = (checkpoint(5, "a"), checkpoint(6, "b"));
    let close = RoundClose::Settle(paid.to_vec());
    let first = store.finish_round("t1:e:1:settle", &close, &record, Some(&a), 3);
    let first = first.await.unwrap().unwrap();
    // A replay changes nothing: no second payout, no second record.
    let again = store.finish_round("t1:e:1:settle", &close, &record, Some(&b), 4);
    assert!(again.await.unwrap().unwrap().replayed);
    assert!(!first.replayed);
    assert_eq!(store.balances(ann.id).await.unwrap()[0].available, 1_150);
    assert_eq!(store.open_rounds().await.unwrap(), Vec::<String>::new());
    let stored = store.round_record("t1:e:1").await.unwrap().unwrap();
    assert_eq!((stored.players, stored.record.as_str()), (vec![ann.id, bob.id], "{\"r\":1}"));
    // The config the record names is stored with it, and found by its fingerprint.
    let named = record.config.as_deref().unwrap();
    assert_eq!(store.game_config(&named.hash).await.unwrap().as_ref(), Some(named));
    assert_eq!(named.hash.len(), 64);
    // Each player's history names the round, with what the wallet held of
    // theirs: Ann's stake, and nothing for Bob, who only watched.
    let listed = |staked: i64| PlayedRound {
        round: "t1:e:1".into(),
        table: "t1".into(),
        game: "roulette".into(),
        created_at: 2,
        staked,
        currency: Some("EUR".into()),
        voided: false,
    };
    assert_eq!(store.rounds_of(ann.id, 10).await.unwrap(), [listed(100)]);
    assert_eq!(store.rounds_of(bob.id, 10).await.unwrap(), [listed(0)]);
    // Checkpoints: the newest seq wins, an older write is ignored.
    assert_eq!(store.checkpoints().await.unwrap()[0].checkpoint, "a");
    store.save_checkpoint(&checkpoint(9, "c")).await.unwrap();
    store.save_checkpoint(&checkpoint(7, "stale")).await.unwrap();
    let all = store.checkpoints().await.unwrap();
    assert_eq!((all.len(), all[0].seq, all[0].checkpoint.as_str()), (1, 9, "c"));
    let mut closed = checkpoint(10, "x");
    closed.closed = true;
    store.save_checkpoint(&closed).await.unwrap();
    assert!(store.checkpoints().await.unwrap().is_empty(), "closed sessions are not restored");
    // Fair seeds: stored secret, revealed in bulk except the one kept.
    let seed = |c: &str| FairSeedRow {
        commitment: c.into(),
        user_id: ann.id,
        seed: format!("seed-{c}"),
        client_seed: "cs".into(),
        created_at: 1,
        revealed_at: None,
    };
    store.insert_fair_seed(&seed("c1")).await.unwrap();
    store.insert_fair_seed(&seed("c2")).await.unwrap();
    assert_eq!(store.reveal_fair_seeds(Some(ann.id), "c2", 50).await.unwrap(), 1);
    assert_eq!(store.fair_seed("c1").await.unwrap().unwrap().revealed_at, Some(50));
    assert_eq!(store.fair_seed("c2").await.unwrap().unwrap().revealed_at, None);
    assert_eq!(store.reveal_fair_seeds(None, "", 60).await.unwrap(), 1);
    assert_eq!(store.fair_seeds_of(ann.id, 10).await.unwrap().len(), 2);
    assert_eq!(store.ledger_violations(10).await.unwrap(), Vec::<String>::new());
}

#[actix_web::test]
async fn postgres_rounds_conform() {
    rounds_conform(Db::Postgres).await;
}

#[actix_web::test]
async fn sqlite_rounds_conform() {
    rounds_conform(Db::Sqlite).await;
}
