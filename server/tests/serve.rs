//! The real binary: `croupier serve` starts on the embedded database with
//! nothing configured, answers, and exits cleanly on SIGTERM; `croupier
//! migrate` migrates Postgres; bad settings stop it with the key named.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Db, TestDb};

fn croupier() -> Command {
    common::croupier_binary()
}

#[test]
fn serve_runs_on_the_embedded_database_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("croupier-serve-{}", std::process::id()));
    let mut cmd = croupier();
    cmd.args(["serve", "--port", "0"]).env("CROUPIER__DATABASE__SQLITE_PATH", dir.join("db.sqlite"));
    let (mut child, port, line) = common::serve_binary(cmd);
    assert!(line.contains("listening on http://127.0.0.1:") && line.contains("Sqlite"), "{line}");
    let body = plain::blocking_get(port);
    assert_eq!(body, r#"{"status":"ok"}"#);
    assert!(dir.join("db.sqlite").exists(), "the embedded database was created");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop within 15 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A tiny blocking GET of /healthz (the tests' HTTP client is async).
mod plain {
    use std::io::{Read, Write};

    pub fn blocking_get(port: u16) -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        response.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned()
    }
}

#[actix_web::test]
async fn migrate_applies_the_postgres_migrations() {
    let (_db, settings) = TestDb::create(Db::Postgres).await;
    let out = croupier().arg("migrate").env("DATABASE_URL", &settings.database.url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied (Postgres database)"));
    // Twice is fine: nothing is pending the second time.
    let again = croupier().arg("migrate").env("DATABASE_URL", &settings.database.url).output().unwrap();
    assert!(again.status.success());
}

#[test]
fn bad_settings_stop_the_server_naming_the_key() {
    let out = croupier().args(["serve"]).env("CROUPIER__SERVER__PORT", "eighty").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(err.contains("server.port") && err.contains("eighty"), "{err}");
    let out = croupier().args(["serve"]).env("CROUPIER__SERVER__NO_SUCH_KEY", "1").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).to_lowercase().contains("no_such_key"));
}

#[actix_web::test]
async fn user_create_bootstraps_an_operator_and_ledger_check_reports() {
    let (db, settings) = TestDb::create(Db::Postgres).await;
    let url = settings.database.url.clone();
    let dir = std::env::temp_dir().join(format!("croupier-user-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let password = dir.join("pw");
    std::fs::write(&password, "a long admin password\n").unwrap();
    let create = |name: &str, role: &str| {
        croupier()
            .args(["user", "create", "--username", name, "--role", role, "--password-file"])
            .arg(&password)
            .env("DATABASE_URL", &url)
            .output()
            .unwrap()
    };
    let out = create("Root", "admin");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin \"root\""));
    let again = create("root", "admin");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("taken"));
    let bad = create("ok_name", "superuser");
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("--role"));

    let store = croupier_server::store::open(&settings.database).await.unwrap();
    let root = store.user_by_name("root").await.unwrap().unwrap();
    assert_eq!(root.role, croupier_server::store::Role::Admin);
    assert!(croupier_server::auth::verify_password("a long admin password", &root.password_hash));
    store.deposit("d", root.id, "EUR", 100, 0).await.unwrap();

    let check = || croupier().arg("ledger-check").env("DATABASE_URL", &url).output().unwrap();
    let out = check();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db.execute("UPDATE wallet_accounts SET available = available + 1 WHERE kind = 'player'").await;
    let out = check();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("available differs from the sum of its entries by 1"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_example_production_layer_is_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/production.example.toml");
    // `migrate` loads and validates the settings first; the URL points nowhere
    // on purpose, so a valid file fails only at connecting.
    let out = croupier()
        .arg("migrate")
        .env("CROUPIER_CONFIG", &root)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("connecting to Postgres") && !err.contains("invalid settings"), "{err}");
}

const SECRET: &str = "sigterm-test-secret-of-32-bytes-or-more";

/// A database with a player of 5,000 EUR: the database (dropped with it),
/// its URL, the store, the player's id and a token for the real binary.
async fn funded_player(name: &str) -> (TestDb, String, std::sync::Arc<dyn croupier_server::store::Store>, i64, String) {
    use croupier_server::auth::Tokens;
    use croupier_server::store::Role;
    let (db, settings) = TestDb::create(Db::Postgres).await;
    let store = croupier_server::store::open(&settings.database).await.unwrap();
    let user = store.create_user(name, "x", Role::Player, 0).await.unwrap();
    store.deposit("fund", user.id, "EUR", 5_000, 0).await.unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let token = Tokens::new(SECRET.as_bytes(), 600).issue(user.id, name, Role::Player, now, false).unwrap();
    (db, settings.database.url.clone(), store, user.id, token)
}

/// The real binary on `url` with one roulette table `slow` whose betting
/// window lasts a minute, and `name` seated at it with betting open.
async fn seated_at_a_slow_table(
    url: &str,
    name: &str,
    token: &str,
    dir: &std::path::Path,
) -> (std::process::Child, common::ws::Player) {
    use serde_json::json;
    std::fs::create_dir_all(dir).unwrap();
    let config = dir.join("one-table.toml");
    std::fs::write(&config, "[[tables]]\nid = \"slow\"\ngame = \"roulette\"\nconfig = { betting_ms = 60000 }\n")
        .unwrap();
    let mut cmd = croupier();
    cmd.args(["serve", "--port", "0", "--config"])
        .arg(&config)
        .env("DATABASE_URL", url)
        .env("CROUPIER__AUTH__JWT_SECRET", SECRET);
    let (child, port, _) = common::serve_binary(cmd);
    let mut p = common::ws::Player::connect_url(&format!("ws://127.0.0.1:{port}/v1/ws"), name, token).await;
    assert_eq!(p.request(json!({ "type": "sit", "table": "slow" })).await["type"], "ok");
    p.event("betting_open").await;
    (child, p)
}

fn sigterm(child: &std::process::Child) {
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
}

/// Waits (15 s at most) for the server to exit after SIGTERM, successfully.
async fn exited(child: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop within 15 s of SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
}

fn red(amount: i64) -> serde_json::Value {
    serde_json::json!({ "type": "act", "table": "slow", "action": { "type": "bet", "spot": { "type": "red" }, "amount": amount } })
}

#[actix_web::test]
async fn sigterm_tells_players_refunds_the_open_round_and_exits() {
    let (_db, url, store, user, token) = funded_player("stella").await;
    let dir = std::env::temp_dir().join(format!("croupier-sigterm-{}", std::process::id()));
    let (mut child, mut p) = seated_at_a_slow_table(&url, "stella", &token, &dir).await;
    assert_eq!(p.request(red(700)).await["type"], "ok");
    assert_eq!(store.balances(user).await.unwrap()[0].held, 700);

    sigterm(&child);
    let closing = p.wait_for(|m| m["type"] == "closing").await;
    assert_eq!(closing["code"], "server_restarting", "{closing}");
    let closed = p.wait_for(|m| m.get("closed").is_some()).await;
    assert_eq!(closed["closed"], 1012);
    exited(&mut child).await;
    // The round in its betting window was voided before exit: nothing held.
    let balance = &store.balances(user).await.unwrap()[0];
    assert_eq!((balance.available, balance.held), (5_000, 0));
    assert_eq!(store.open_rounds().await.unwrap(), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[actix_web::test]
async fn sigterm_with_a_stake_in_flight_refunds_it_before_exit() {
    let (_db, url, store, user, token) = funded_player("steve").await;
    let dir = std::env::temp_dir().join(format!("croupier-sigterm-flight-{}", std::process::id()));
    for stop in 0..8 {
        let (mut child, mut p) = seated_at_a_slow_table(&url, "steve", &token, &dir).await;
        // The bet and the stop leave together: the stake is on its way to
        // the wallet (or just held) when the server starts stopping.
        common::ws::send(&mut p.ws, red(100)).await;
        sigterm(&child);
        exited(&mut child).await;
        let balance = &store.balances(user).await.unwrap()[0];
        assert_eq!((balance.available, balance.held), (5_000, 0), "stop {stop}: the stake was refunded");
        assert_eq!(store.open_rounds().await.unwrap(), Vec::<String>::new(), "stop {stop}: no round left open");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
