//! Shared checks of played rounds: each player's books against their round
//! records (every record replays and its revealed seed reproduces its
//! draws), `croupier verify` on a real round, and the table specs the play
//! tests use.

use std::collections::HashMap;

use croupier_sdk::record::{RoundRecord, replay};
use croupier_server::settings::{Settings, TableSpec};
use serde_json::{Value, json};

use super::TestApp;
use super::ws::Player;

pub fn table(id: &str, game: &str, config: Value) -> TableSpec {
    TableSpec { id: id.to_owned(), game: game.to_owned(), config }
}

pub fn quick_roulette(s: &mut Settings) {
    s.rate_limit.enabled = false;
    s.tables = vec![table("r1", "roulette", json!({ "betting_ms": 700, "result_ms": 50 }))];
}

/// Each player's balance equals their deposit plus what their round records
/// say, nothing stays held, every record replays and its revealed seed
/// reproduces its draws, and the ledger checks out. Returns every round.
pub async fn check_books<G: croupier_sdk::Game>(
    app: &TestApp,
    players: &[Player],
    deposit: i64,
    min_rounds: usize,
) -> HashMap<croupier_sdk::RoundId, RoundRecord> {
    let mut all_rounds = HashMap::new();
    for p in players {
        let mut net = 0i64;
        let records = records(app, p).await;
        assert!(records.len() >= min_rounds, "{} has {} rounds", p.name, records.len());
        for (r, config) in &records {
            assert!(r.voided.is_none(), "no round of these was voided");
            // The record names its config, which the server hands over with it.
            assert_eq!(r.config.is_some(), !config.is_null(), "{config}");
            let config: Option<G::Config> =
                (!config.is_null()).then(|| serde_json::from_value(config.clone()).unwrap());
            replay::<G>(r, config.as_ref()).unwrap();
            check_fair(r);
            let me = croupier_sdk::PlayerId(u64::try_from(p.id).unwrap());
            net -= r.stakes.iter().filter(|s| s.player == me).map(|s| s.amount.minor).sum::<i64>();
            net += r.payouts.iter().filter(|s| s.player == me).map(|s| s.amount.minor).sum::<i64>();
            all_rounds.insert(r.round, r.clone());
        }
        assert_eq!(app.available(p.id, "EUR").await, deposit + net, "{}'s balance = deposit + records", p.name);
        let held: i64 = app.store.balances(p.id).await.unwrap().iter().map(|b| b.held).sum();
        assert_eq!(held, 0, "nothing stays held");
    }
    assert_eq!(app.store.ledger_violations(10).await.unwrap(), Vec::<String>::new());
    all_rounds
}

/// `croupier verify` confirms a real round, and refuses it once its record
/// is tampered with.
pub async fn verify_with_the_binary(app: &TestApp, player: &Player) {
    use sqlx::Connection;
    let (_, list) = app.get("/v1/rounds?limit=1", Some(&player.token)).await;
    let key = list["rounds"][0]["round"].as_str().unwrap().to_owned();
    let verify = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_croupier"))
            .args(["verify", &key])
            .env("DATABASE_URL", app.database_url())
            .env_remove("CROUPIER_CONFIG")
            .output()
            .unwrap()
    };
    let out = verify();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("replays") && stdout.contains("provably fair"), "{stdout}");
    let row = app.store.round_record(&key).await.unwrap().unwrap();
    let mut record: Value = serde_json::from_str(&row.record).unwrap();
    let number = record["outcome"]["number"].as_u64().unwrap();
    record["outcome"]["number"] = json!((number + 1) % 37);
    let mut db = sqlx::PgConnection::connect(&app.database_url()).await.unwrap();
    sqlx::query("UPDATE rounds SET record = $1 WHERE round_key = $2")
        .bind(record.to_string())
        .bind(&key)
        .execute(&mut db)
        .await
        .unwrap();
    let out = verify();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not replay"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The record put back, the rules it names tampered with: one byte more
    // in the stored config (still the same JSON) no longer hashes to it.
    sqlx::query("UPDATE rounds SET record = $1 WHERE round_key = $2")
        .bind(&row.record)
        .bind(&key)
        .execute(&mut db)
        .await
        .unwrap();
    assert!(verify().status.success());
    sqlx::query("UPDATE game_configs SET config = config || ' ' WHERE hash = $1")
        .bind(record["config"].as_str().unwrap())
        .execute(&mut db)
        .await
        .unwrap();
    let out = verify();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("hashes to"), "{stderr}");
}

/// Every round record of `player`, checked: it replays, and its revealed
/// hand seed reproduces its draws.
/// A player's round records, each with the config it names.
pub async fn records(app: &TestApp, player: &Player) -> Vec<(RoundRecord, Value)> {
    let (status, list) = app.get("/v1/rounds?limit=200", Some(&player.token)).await;
    assert_eq!(status, 200, "{list}");
    let mut out = Vec::new();
    for key in list["rounds"].as_array().unwrap() {
        let (status, body) =
            app.get(&format!("/v1/rounds/{}", key["round"].as_str().unwrap()), Some(&player.token)).await;
        assert_eq!(status, 200, "{body}");
        let record: RoundRecord = serde_json::from_value(body["record"].clone()).unwrap();
        // The config served is the one the record names: its exact bytes
        // hash to the fingerprint, and `config` is those bytes parsed.
        if let Some(hash) = &record.config {
            use sha2::Digest;
            let text = body["config_text"].as_str().unwrap();
            assert_eq!(&hex::encode(sha2::Sha256::digest(text.as_bytes())), hash, "{body}");
            assert_eq!(serde_json::from_str::<Value>(text).unwrap(), body["config"]);
        }
        out.push((record, body["config"].clone()));
    }
    out
}

pub fn check_fair(record: &RoundRecord) {
    let seed =
        croupier_rng::Seed::from_hex(record.rng.revealed.as_deref().expect("a live hand reveals its seed")).unwrap();
    let fair = record.rng.fair.as_ref().expect("a live hand names its fair input");
    croupier_rng::fair::verify(&seed, &record.rng.commitment, fair, &record.draws).unwrap();
}
