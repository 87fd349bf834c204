//! Recovery at start, against the real server and real Postgres: a restart
//! in the middle of a round refunds its stakes exactly once, tables come back
//! from their checkpoints (seats held, seq growing), operator-opened tables
//! survive, and the ledger checks out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::ws::Player;
use common::{Db, TestApp};
use croupier_server::settings::TableSpec;
use serde_json::json;

#[actix_web::test]
async fn a_restart_mid_round_refunds_the_stakes_and_brings_the_table_back() {
    let app = TestApp::spawn_with(Db::Postgres, |s| {
        s.rate_limit.enabled = false;
        s.tables = vec![TableSpec {
            id: "r1".into(),
            game: "roulette".into(),
            config: json!({ "betting_ms": 1500, "result_ms": 50 }),
        }];
    })
    .await;
    let mut p = Player::join_server(&app, "rex").await;
    app.fund(p.id, "EUR", 10_000).await;
    assert_eq!(p.request(json!({ "type": "sit", "table": "r1" })).await["type"], "ok");
    // Round 1 plays out: a checkpoint is written with its settlement.
    let open = p.event("betting_open").await;
    let bet = |amount: i64| json!({ "type": "act", "table": "r1", "action": { "type": "bet", "spot": { "type": "red" }, "amount": amount } });
    assert_eq!(p.request(bet(100)).await["type"], "ok");
    let spun = p.wait_for(|m| m["event"]["type"] == "spun" && m["event"]["round"] == open["event"]["round"]).await;
    let won: i64 = spun["event"]["payouts"].as_array().unwrap().iter().map(|x| x["amount"].as_i64().unwrap()).sum();
    let after_round_one = 10_000 - 100 + won;
    // Round 2: a stake is held, then the server goes down mid-betting.
    let open = p.event("betting_open").await;
    assert_eq!(p.request(bet(1000)).await["type"], "ok");
    let seen_seq = open["seq"].as_u64().unwrap();
    assert_eq!(app.available(p.id, "EUR").await, after_round_one - 1000);
    // An operator-opened table too.
    let op = croupier_server::auth::hash_password("operator password").unwrap();
    app.store.create_user("olga", &op, croupier_server::store::Role::Operator, 0).await.unwrap();
    let (_, tokens) =
        app.post("/v1/auth/login", &json!({ "username": "olga", "password": "operator password" }), None).await;
    let op_token = tokens["access_token"].as_str().unwrap().to_owned();
    let spec = json!({ "id": "bj-late", "game": "blackjack", "config": { "min_bet": 500 } });
    assert_eq!(app.post("/v1/admin/tables", &spec, Some(&op_token)).await.0, 201);
    let token = p.token.clone();
    drop(p);

    let app = app.restart().await;
    // The interrupted round was voided (by the stopping table, or at the
    // latest by recovery — the kill -9 test covers that path): the stake is
    // back, nothing held, the round closed once.
    let balance = &app.store.balances(app_player(&app, "rex").await).await.unwrap()[0];
    assert_eq!((balance.available, balance.held), (after_round_one, 0));
    assert_eq!(app.store.open_rounds().await.unwrap(), Vec::<String>::new());
    // Both tables are back; the seat is held for the grace period.
    let (_, list) = app.get("/v1/tables", Some(&op_token)).await;
    let tables: Vec<(&str, u64)> = list["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["seated"].as_u64().unwrap()))
        .collect();
    assert_eq!(tables, [("bj-late", 0), ("r1", 1)]);
    // The player comes back: a resync, the seq never went backwards, and the
    // seat still plays.
    let mut p = Player::connect(&app, "rex", &token).await;
    let resync = p.request(json!({ "type": "resume", "table": "r1", "last_seq": seen_seq })).await;
    assert_eq!(resync["type"], "resync", "{resync}");
    let open = p.event("betting_open").await;
    assert!(open["seq"].as_u64().unwrap() > seen_seq, "seq only grows: {open} after {seen_seq}");
    assert_eq!(p.request(bet(100)).await["type"], "ok");
    p.event("spun").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("croupier_recoveries_total{what=\"table\"} 2"), "{metrics}");
    assert_eq!(app.store.ledger_violations(10).await.unwrap(), Vec::<String>::new());
    let voids =
        common::pg_count(&app.database_url(), "SELECT COUNT(*) AS n FROM wallet_transactions WHERE kind = 'void'")
            .await;
    assert_eq!(voids, 1, "the interrupted round was voided exactly once");
    // A second restart with nothing open voids nothing.
    let app = app.restart().await;
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(!metrics.contains("what=\"voided_round\""), "{metrics}");
    app.stop().await;
}

async fn app_player(app: &TestApp, name: &str) -> i64 {
    app.store.user_by_name(name).await.unwrap().unwrap().id
}
