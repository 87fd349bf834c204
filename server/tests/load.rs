//! The load-test smoke run of the test command: `croupier-load` (as a
//! library, the code the binary runs) drives 50 virtual players for 10 s —
//! half at roulette tables, half spinning slots — over real WebSockets
//! against the real server on Postgres. Zero errors, zero early
//! disconnects, every own broadcast expected was received, no stake left
//! held, and `croupier ledger-check` passes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Db, TestApp};
use croupier_load::{Options, Scenario};
use croupier_server::store::Role;
use serde_json::json;
use sqlx::{Connection, Row};

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
        duration: Duration::from_secs(10),
        rate: 2.0,
        seed: 7,
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
    let mut db = sqlx::PgConnection::connect(&app.database_url()).await.unwrap();
    let held: i64 = sqlx::query("SELECT COUNT(*) AS n FROM wallet_holds WHERE status = 'held'")
        .fetch_one(&mut db)
        .await
        .unwrap()
        .get("n");
    assert_eq!(held, 0, "every stake was settled");
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
