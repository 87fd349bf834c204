//! Dev mode, through the real binary: `croupier serve --dev` prints demo
//! accounts whose passwords sign in, funds its players once however often it
//! starts, opens the demo tables, gives new passwords at each start, and is
//! refused on an address other than loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn croupier() -> Command {
    common::croupier_binary()
}

/// A dev server on `db`: the process, its port and the passwords it printed.
fn start_dev(db: &std::path::Path) -> (Child, u16, BTreeMap<String, String>) {
    let mut child = croupier()
        .args(["serve", "--dev", "--port", "0"])
        .env("CROUPIER__DATABASE__SQLITE_PATH", db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (mut port, mut passwords) = (None, BTreeMap::new());
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
            port = rest.split_whitespace().next().map(|p| p.parse::<u16>().unwrap());
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [_role, name, "password", password, ..] = words[..] {
            passwords.insert(name.to_owned(), password.to_owned());
        }
        if line.trim_start().starts_with("tables:") {
            break;
        }
    }
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, port.expect("the server printed its port"), passwords)
}

fn stop(mut child: Child) {
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the dev server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn login(http: &reqwest::Client, port: u16, username: &str, password: &str) -> (u16, Value) {
    let response = http
        .post(format!("http://127.0.0.1:{port}/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn get(http: &reqwest::Client, port: u16, path: &str, token: &str) -> Value {
    let response = http.get(format!("http://127.0.0.1:{port}{path}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().await.unwrap()
}

fn available(wallet: &Value, currency: &str) -> i64 {
    let balances = wallet["balances"].as_array().unwrap();
    balances.iter().find(|b| b["currency"] == currency).map_or(0, |b| b["available"].as_i64().unwrap())
}

#[tokio::test]
async fn dev_mode_seeds_accounts_that_sign_in_and_funds_them_once() {
    let dir = std::env::temp_dir().join(format!("croupier-dev-{}", std::process::id()));
    let db = dir.join("dev.db");
    let http = reqwest::Client::new();

    let (child, port, first) = start_dev(&db);
    assert_eq!(first.keys().collect::<Vec<_>>(), ["alice", "bob", "dev-operator"], "{first:?}");
    let (status, body) = login(&http, port, "alice", &first["alice"]).await;
    assert_eq!(status, 200, "{body}");
    let alice = body["access_token"].as_str().unwrap().to_owned();
    let wallet = get(&http, port, "/v1/wallet", &alice).await;
    assert_eq!((available(&wallet, "EUR"), available(&wallet, "USD")), (1_000_000, 1_000_000), "{wallet}");
    let tables = get(&http, port, "/v1/tables", &alice).await;
    let ids: Vec<&str> = tables["tables"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["blackjack-demo", "roulette-demo"], "{tables}");
    let roulette = tables["tables"].as_array().unwrap().iter().find(|t| t["id"] == "roulette-demo").unwrap();
    assert_eq!(roulette["config"]["betting_ms"], 10_000, "short timers: {roulette}");
    let (status, operator) = login(&http, port, "dev-operator", &first["dev-operator"]).await;
    assert_eq!(status, 200);
    let me = get(&http, port, "/v1/me", operator["access_token"].as_str().unwrap()).await;
    assert_eq!(me["role"], "operator", "{me}");
    stop(child);

    // A second start: new passwords, the old ones refused, no second funding.
    let (child, port, second) = start_dev(&db);
    for name in ["alice", "bob", "dev-operator"] {
        assert_ne!(first[name], second[name], "{name} kept its password");
    }
    let (status, _) = login(&http, port, "alice", &first["alice"]).await;
    assert_eq!(status, 401, "yesterday's password still signs in");
    let (status, body) = login(&http, port, "alice", &second["alice"]).await;
    assert_eq!(status, 200, "{body}");
    let wallet = get(&http, port, "/v1/wallet", body["access_token"].as_str().unwrap()).await;
    assert_eq!(available(&wallet, "EUR"), 1_000_000, "funded twice: {wallet}");
    stop(child);

    let out = croupier().args(["ledger-check"]).env("CROUPIER__DATABASE__SQLITE_PATH", &db).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dev_mode_is_refused_off_loopback() {
    let dir = std::env::temp_dir().join(format!("croupier-dev-off-{}", std::process::id()));
    let out = croupier()
        .args(["serve", "--dev", "--port", "0"])
        .env("CROUPIER__SERVER__HOST", "0.0.0.0")
        .env("CROUPIER__DATABASE__SQLITE_PATH", dir.join("dev.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("loopback") && err.contains("0.0.0.0"), "{err}");
    assert!(!dir.join("dev.db").exists(), "nothing was written before the refusal");
}

#[test]
fn prepare_accepts_every_loopback_spelling_and_swaps_the_tables() {
    let mut settings = croupier_server::settings::Settings::load(None).unwrap();
    for host in ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"] {
        settings.server.host = host.into();
        croupier_server::dev::prepare(&mut settings, &[]).unwrap();
    }
    assert_eq!(settings.tables, croupier_server::dev::demo_tables());
    for host in ["0.0.0.0", "::", "192.168.1.4", "example.com"] {
        settings.server.host = host.into();
        assert!(croupier_server::dev::prepare(&mut settings, &[]).is_err(), "{host} accepted");
    }
}

#[test]
fn prepare_puts_a_named_game_on_a_table_beside_the_demos() {
    let mut settings = croupier_server::settings::Settings::load(None).unwrap();
    settings.server.host = "127.0.0.1".into();
    let games = ["roulette".to_owned(), "roulette".to_owned(), "coin_flip".to_owned()];
    croupier_server::dev::prepare(&mut settings, &games).unwrap();
    let tables: Vec<(&str, &str)> = settings.tables.iter().map(|t| (t.id.as_str(), t.game.as_str())).collect();
    assert_eq!(
        tables,
        [
            ("roulette-demo", "roulette"),
            ("blackjack-demo", "blackjack"),
            ("roulette-table", "roulette"),
            ("coin-flip-table", "coin_flip")
        ]
    );
    assert_eq!(settings.tables[2].config, serde_json::json!({}), "the game's defaults");
    // A game that is not registered, or not played at tables, is refused by name.
    for (game, says) in [("dragon-tiger", "no such game"), ("slots", "not played at live tables")] {
        let err = croupier_server::dev::prepare(&mut settings, &[game.to_owned()]).unwrap_err().to_string();
        assert!(err.contains(says) && err.contains(game), "{err}");
    }
}
