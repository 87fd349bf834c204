//! The load-test smoke run of the test command: `croupier-load` (as a
//! library, the code the binary runs) drives 50 virtual players for 10 s —
//! half at roulette tables, half spinning slots — over real WebSockets
//! against the real server on Postgres. Zero errors, zero early
//! disconnects, every own broadcast expected was received, no stake left
//! held, and `croupier ledger-check` passes. A blackjack player that the
//! server refuses for rate backs off, and the run reports it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Db, TestApp};
use croupier_load::{Options, Scenario};
use croupier_server::store::Role;
use serde_json::json;

#[actix_web::test]
async fn fifty_players_for_ten_seconds_see_no_error_and_every_broadcast() {
    let app = TestApp::spawn_with(Db::Postgres, |s| {
        s.rate_limit.enabled = false;
        s.load.test_accounts = true;
    })
    .await;
    let hash = croupier_server::auth::hash_password("operator password").unwrap();
    app.store.create_user("qa-operator", &hash, Role::Operator, 0).await.unwrap();
    let opts = Options {
        url: app.url(""),
        scenario: Scenario::Mixed,
        mix: vec![(Scenario::Roulette, 1), (Scenario::Slots, 1)],
        players: 50,
        tables: 0,
        ramp: Duration::from_secs(1),
        // The roulette tables start spread over a round's length.
        stagger: Duration::from_millis(1200),
        duration: Duration::from_secs(10),
        rate: 2.0,
        seed: 7,
        reference: false,
        operator: ("qa-operator".to_owned(), "operator password".to_owned()),
        prefix: "smoke".to_owned(),
        deposit: 1_000_000,
        table_config: Some(json!({ "betting_ms": 1000, "result_ms": 200 })),
        sources: 2,
    };
    let report = croupier_load::run(opts, |_| {}).await.unwrap();
    let table = report.table();
    println!("{table}");
    assert_eq!(report.players.get(&Scenario::Roulette), Some(&25), "{table}");
    assert_eq!(report.players.get(&Scenario::Slots), Some(&25), "{table}");
    assert_eq!(report.problems(), 0, "no errors and no early disconnects:\n{table}");
    assert_eq!(report.latency_ms["connect"].count, 50, "{table}");
    for name in ["reply.bet", "broadcast.bet", "reply.spin", "broadcast.spin", "round.roulette"] {
        assert!(report.latency_ms.get(name).is_some_and(|s| s.count > 0), "{name} measured:\n{table}");
    }
    assert!(report.expected_broadcasts > 100, "{table}");
    assert_eq!(report.received_broadcasts, report.expected_broadcasts, "every expected broadcast:\n{table}");

    // The last rounds settle; nothing is left held and the books balance.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(common::held_stakes(&app.database_url()).await, 0, "every stake was settled");
    let mut check = std::process::Command::new(env!("CARGO_BIN_EXE_croupier"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CROUPIER") {
            check.env_remove(key);
        }
    }
    let out = check.arg("ledger-check").env("DATABASE_URL", app.database_url()).output().unwrap();
    assert!(out.status.success(), "ledger-check: {}", String::from_utf8_lossy(&out.stderr));
    app.stop().await;
}

/// A blackjack player whose requests are refused for rate (one message a
/// second allowed, a burst of three, hands every second or less) does not
/// send them again: it waits for its next turn, whose clock stands for it,
/// and the run reports each refusal. Re-sending would be a loop at network
/// speed (one run once drew 1.8 million refusals).
#[actix_web::test]
async fn a_rate_limited_blackjack_player_backs_off_and_the_run_reports_it() {
    let app = TestApp::spawn_with(Db::Postgres, |s| {
        s.rate_limit.enabled = false;
        s.load.test_accounts = true;
        s.ws.messages_per_second = 1;
        s.ws.message_burst = 3;
    })
    .await;
    let hash = croupier_server::auth::hash_password("operator password").unwrap();
    app.store.create_user("qa-operator", &hash, Role::Operator, 0).await.unwrap();
    let (players, seconds) = (4, 6);
    let opts = Options {
        url: app.url(""),
        scenario: Scenario::Blackjack,
        mix: Vec::new(),
        players,
        tables: 1,
        ramp: Duration::from_millis(500),
        stagger: Duration::ZERO,
        duration: Duration::from_secs(seconds),
        rate: 0.0,
        seed: 11,
        reference: false,
        operator: ("qa-operator".to_owned(), "operator password".to_owned()),
        prefix: "limited".to_owned(),
        deposit: 1_000_000,
        table_config: Some(json!({ "betting_ms": 200, "turn_ms": 300, "result_ms": 50 })),
        sources: 1,
    };
    let report = croupier_load::run(opts, |_| {}).await.unwrap();
    let table = report.table();
    println!("{table}");
    let refused = report.errors.get("rate_limited").copied().unwrap_or(0);
    assert!(refused > 0, "the limit was reached and reported:\n{table}");
    assert!(table.contains("rate_limited"), "the report names it:\n{table}");
    // Each player sends at most a bet and a few decisions a hand; a player
    // that re-sent what was refused would send thousands a second.
    let bound = u64::try_from(players).unwrap() * seconds * 20;
    assert!(report.sent < bound, "{} messages sent (bound {bound}): refusals were re-sent:\n{table}", report.sent);
    app.stop().await;
}

#[actix_web::test]
async fn bulk_test_accounts_need_the_setting_and_an_operator_and_fund_once() {
    bulk_test_accounts(Db::Sqlite).await;
}

#[actix_web::test]
async fn bulk_test_accounts_on_postgres() {
    bulk_test_accounts(Db::Postgres).await;
}

async fn bulk_test_accounts(kind: Db) {
    let body = json!({ "prefix": "bulk", "count": 3, "amount": 5000, "currency": "EUR" });
    // Off by default (and in the production example).
    let app = TestApp::spawn(kind).await;
    let hash = croupier_server::auth::hash_password("operator password").unwrap();
    app.store.create_user("olga", &hash, Role::Operator, 0).await.unwrap();
    let login = json!({ "username": "olga", "password": "operator password" });
    let (_, tokens) = app.post("/v1/auth/login", &login, None).await;
    let op = tokens["access_token"].as_str().unwrap().to_owned();
    let (status, reply) = app.post("/v1/admin/load/accounts", &body, Some(&op)).await;
    assert_eq!((status, common::code(&reply)), (403, "test_accounts_disabled"));
    app.stop().await;

    let app = TestApp::spawn_with(kind, |s| s.load.test_accounts = true).await;
    app.store.create_user("olga", &hash, Role::Operator, 0).await.unwrap();
    let (_, tokens) = app.post("/v1/auth/login", &login, None).await;
    let op = tokens["access_token"].as_str().unwrap().to_owned();
    let player = app.signed_in("pat").await;
    let (status, reply) = app.post("/v1/admin/load/accounts", &body, player["access_token"].as_str()).await;
    assert_eq!((status, common::code(&reply)), (403, "forbidden"));
    for (bad, code) in [
        (json!({ "prefix": "bulk", "count": 0, "amount": 5000, "currency": "EUR" }), "invalid_count"),
        (json!({ "prefix": "bulk", "count": 1001, "amount": 5000, "currency": "EUR" }), "invalid_count"),
        (json!({ "prefix": "bulk", "count": 2, "amount": 0, "currency": "EUR" }), "invalid_amount"),
        (json!({ "prefix": "bulk", "count": 2, "amount": 10, "currency": "XXX" }), "unknown_currency"),
        (json!({ "prefix": "Bad Name", "count": 2, "amount": 10, "currency": "EUR" }), "invalid_username"),
        (json!({ "prefix": "bulk", "count": 2, "amount": 10, "currency": "EUR", "extra": 1 }), "invalid_body"),
    ] {
        let (status, reply) = app.post("/v1/admin/load/accounts", &bad, Some(&op)).await;
        assert_eq!((status, common::code(&reply)), (400, code), "{bad}");
    }
    assert!(app.store.user_by_name("bulk-0").await.unwrap().is_none(), "bad input creates nothing");
    // A name held by an account that is not a player: the whole call is
    // refused, nothing created or funded.
    app.store.create_user("staff-1", &hash, Role::Operator, 0).await.unwrap();
    let staff = json!({ "prefix": "staff", "count": 3, "amount": 10, "currency": "EUR" });
    let (status, reply) = app.post("/v1/admin/load/accounts", &staff, Some(&op)).await;
    assert_eq!((status, common::code(&reply)), (409, "username_taken"), "{reply}");
    assert!(app.store.user_by_name("staff-0").await.unwrap().is_none(), "a refused call creates nothing");
    let (status, first) = app.post("/v1/admin/load/accounts", &body, Some(&op)).await;
    assert_eq!(status, 200, "{first}");
    let accounts = first["accounts"].as_array().unwrap();
    let names: Vec<&str> = accounts.iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["bulk-0", "bulk-1", "bulk-2"]);
    // The token works on the socket; the account cannot log in.
    let token = accounts[1]["token"].as_str().unwrap();
    let p = common::ws::Player::connect(&app, "bulk-1", token).await;
    assert_eq!(p.id, accounts[1]["player"].as_i64().unwrap());
    let (status, _) =
        app.post("/v1/auth/login", &json!({ "username": "bulk-1", "password": "!load-test-account" }), None).await;
    assert_eq!(status, 401);
    // Again: the same accounts, funded once.
    let (_, again) = app.post("/v1/admin/load/accounts", &body, Some(&op)).await;
    assert_eq!(again["accounts"][1]["player"], accounts[1]["player"]);
    assert_eq!(app.available(p.id, "EUR").await, 5000);
    // Many in one call (one transaction): all there, in order, funded.
    let many = json!({ "prefix": "many", "first": 0, "count": 300, "amount": 700, "currency": "EUR" });
    let (status, reply) = app.post("/v1/admin/load/accounts", &many, Some(&op)).await;
    assert_eq!(status, 200, "{reply}");
    let accounts = reply["accounts"].as_array().unwrap();
    let names: Vec<String> = accounts.iter().map(|a| a["username"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, (0..300).map(|n| format!("many-{n}")).collect::<Vec<_>>());
    let mut players: Vec<i64> = accounts.iter().map(|a| a["player"].as_i64().unwrap()).collect();
    for &player in &players {
        assert_eq!(app.available(player, "EUR").await, 700);
    }
    players.sort_unstable();
    players.dedup();
    assert_eq!(players.len(), 300);
    // Double entry holds: every deposit balanced by the deposits account.
    assert!(app.store.ledger_violations(10).await.unwrap().is_empty());
    app.stop().await;
}
