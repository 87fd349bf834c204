//! The crash test: the real `croupier` binary on real Postgres and Redis,
//! players on real WebSockets at roulette and blackjack tables and in slots
//! sessions, and `kill -9` at random instants, 20 times. After every restart
//! and at the end: no round is left open, no round was closed twice, every
//! hold was settled or refunded, every balance equals its deposit plus the
//! net of the player's round records, the ledger checks out, and no table's
//! seq ever went backwards. Bounded: about 35 s for the 20 cycles of the
//! test command; `scripts/soak` runs 1,000 (CROUPIER_CRASH_CYCLES).
//!
//! And `kill -9` in the middle of a staff void: before, during and after
//! the refund commits, each stake is refunded exactly once, and a round's
//! record, when there is one, is marked voided.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use awc::ws::{Frame, Message};
use common::{Db, TestDb};
use croupier_sdk::record::RoundRecord;
use croupier_server::auth::Tokens;
use croupier_server::store::{self, Role, Store};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sqlx::{Connection, Row};

const SECRET: &str = "crash-test-secret-of-at-least-32-bytes!!";
const DEPOSIT: i64 = 1_000_000;

/// A small deterministic generator for the kill instants (seed printed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn start(url: &str, config: &std::path::Path, redis_prefix: &str) -> (Child, u16) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_croupier"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CROUPIER__") || key == "CROUPIER_CONFIG" {
            cmd.env_remove(key);
        }
    }
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    cmd.args(["serve", "--port", "0", "--config"])
        .arg(config)
        .env("DATABASE_URL", url)
        .env("REDIS_URL", redis)
        .env("CROUPIER__REDIS__KEY_PREFIX", redis_prefix)
        .env("CROUPIER__AUTH__JWT_SECRET", SECRET)
        .env("RUST_LOG", "error");
    let (child, port, _) = common::serve_binary(cmd);
    (child, port)
}

/// One player's play until `until` or the server dies; returns the seq of
/// every table event seen, by table.
async fn play(port: u16, token: String, seat: usize, until: Instant) -> HashMap<String, Vec<u64>> {
    let mut seen: HashMap<String, Vec<u64>> = HashMap::new();
    let Ok((_, mut ws)) = awc::Client::new().ws(format!("ws://127.0.0.1:{port}/v1/ws")).connect().await else {
        return seen;
    };
    let text = |v: Value| Message::Text(v.to_string().into());
    let table = ["r1", "r2", "bj"][seat % 3];
    let _ = ws.send(text(json!({ "type": "auth", "id": 1, "token": token }))).await;
    let _ = ws.send(text(json!({ "type": "sit", "id": 2, "table": table, "seat": seat / 3 }))).await;
    let slots = seat.is_multiple_of(2);
    if slots {
        let _ = ws.send(text(json!({ "type": "session.open", "id": 3, "game": "slots" }))).await;
    }
    let mut session = None;
    let mut id = 10u64;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let Ok(Some(Ok(frame))) = tokio::time::timeout(left, ws.next()).await else { return seen };
        let Frame::Text(bytes) = frame else { continue };
        let Ok(m) = serde_json::from_slice::<Value>(&bytes) else { continue };
        if let (Some(t), Some(seq)) = (m["table"].as_str(), m["seq"].as_u64())
            && !t.starts_with("s-")
        {
            seen.entry(t.to_owned()).or_default().push(seq);
        }
        id += 1;
        let event = &m["event"]["type"];
        let reply = if m["type"] == "session" {
            session = m["session"].as_str().map(str::to_owned);
            session
                .as_ref()
                .map(|s| json!({ "type": "act", "id": id, "session": s, "action": { "type": "spin", "line_bet": 1 } }))
        } else if event == "spun" && m["table"].as_str().is_some_and(|t| t.starts_with("s-")) {
            session
                .as_ref()
                .map(|s| json!({ "type": "act", "id": id, "session": s, "action": { "type": "spin", "line_bet": 1 } }))
        } else if event == "betting_open" && table == "bj" {
            Some(json!({ "type": "act", "id": id, "table": table, "action": { "type": "bet", "amount": 100 } }))
        } else if event == "betting_open" {
            let bet = json!({ "type": "bet", "spot": { "type": "red" }, "amount": 100 });
            Some(json!({ "type": "act", "id": id, "table": table, "action": bet }))
        } else if event == "turn" && m["table"] == "bj" && m["event"]["seat"] == seat / 3 {
            Some(json!({ "type": "act", "id": id, "table": "bj", "action": { "type": "stand" } }))
        } else {
            None
        };
        if let Some(r) = reply
            && ws.send(text(r)).await.is_err()
        {
            return seen;
        }
    }
}

/// What the players' round records add up to so far: net per player, and
/// the rounds already counted (so each check reads only the new ones).
#[derive(Default)]
struct Books {
    net: HashMap<i64, i64>,
    counted: std::collections::HashSet<String>,
}

/// Everything that must hold whenever the server is (re)started.
async fn check_books(store: &dyn Store, url: &str, players: &[(i64, String)], books: &mut Books) {
    assert_eq!(store.open_rounds().await.unwrap(), Vec::<String>::new(), "recovery leaves no round open");
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    let twice = sqlx::query(
        "SELECT round_key FROM wallet_transactions WHERE kind IN ('settle', 'void') \
         GROUP BY round_key HAVING COUNT(*) > 1",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert!(twice.is_empty(), "a round was closed twice");
    assert_eq!(common::held_stakes(url).await, 0, "every stake was settled or refunded");
    for (id, _) in players {
        for key in store.rounds_of(*id, u32::MAX).await.unwrap().into_iter().map(|r| r.round) {
            if !books.counted.insert(key.clone()) {
                continue;
            }
            let row = store.round_record(&key).await.unwrap().unwrap();
            let record: RoundRecord = serde_json::from_str(&row.record).unwrap();
            if let Some(voided) = &record.voided {
                // A staff void's record: the refund came with it, never a payout.
                assert!(record.payouts.is_empty(), "{key} was voided ({}) and paid", voided.reason);
                continue;
            }
            for (pid, _) in players {
                let who = croupier_sdk::PlayerId(u64::try_from(*pid).unwrap());
                let staked: i64 = record.stakes.iter().filter(|s| s.player == who).map(|s| s.amount.minor).sum();
                let paid: i64 = record.payouts.iter().filter(|p| p.player == who).map(|p| p.amount.minor).sum();
                *books.net.entry(*pid).or_default() += paid - staked;
            }
        }
    }
    for (id, name) in players {
        let net = books.net.get(id).copied().unwrap_or(0);
        let available = store.balances(*id).await.unwrap().first().map_or(0, |b| b.available);
        assert_eq!(available, DEPOSIT + net, "{name}: balance = deposit + round records");
    }
    assert_eq!(store.ledger_violations(10).await.unwrap(), Vec::<String>::new());
}

#[actix_web::test]
async fn kill_9_at_random_instants_loses_and_duplicates_nothing() {
    let (_db, settings) = TestDb::create(Db::Postgres).await;
    let url = settings.database.url.clone();
    let store = store::open(&settings.database).await.unwrap();
    let dir = std::env::temp_dir().join(format!("croupier-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("crash.toml");
    std::fs::write(
        &config,
        r#"
[[tables]]
id = "r1"
game = "roulette"
config = { betting_ms = 400, result_ms = 50 }

[[tables]]
id = "r2"
game = "roulette"
config = { betting_ms = 300, result_ms = 50 }

[[tables]]
id = "bj"
game = "blackjack"
config = { betting_ms = 300, turn_ms = 200, result_ms = 50 }

[rate_limit]
enabled = false

[ws]
messages_per_second = 1000
message_burst = 1000
"#,
    )
    .unwrap();
    let tokens = Tokens::new(SECRET.as_bytes(), 3_600);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let mut players = Vec::new();
    for i in 0..6 {
        let user = store.create_user(&format!("crash{i}"), "x", Role::Player, 0).await.unwrap();
        store.deposit(&format!("fund-{i}"), user.id, "EUR", DEPOSIT, 0).await.unwrap();
        let token = tokens.issue(user.id, &user.username, Role::Player, now.as_secs(), false).unwrap();
        players.push((user.id, user.username, token));
    }
    let books: Vec<(i64, String)> = players.iter().map(|(id, name, _)| (*id, name.clone())).collect();
    let seed = u64::from(now.subsec_nanos());
    println!("kill instants from seed {seed}");
    let mut rng = Lcg(seed);
    let prefix = settings.redis.key_prefix.clone();
    let mut last_seq: HashMap<String, u64> = HashMap::new();
    let mut rounds_seen = 0;
    let mut ledger = Books::default();
    let started = Instant::now();
    // `scripts/soak` sets more cycles.
    let cycles: u32 = std::env::var("CROUPIER_CRASH_CYCLES").ok().and_then(|c| c.parse().ok()).unwrap_or(20);
    for cycle in 0..cycles {
        let (mut child, port) = start(&url, &config, &prefix);
        check_books(&*store, &url, &books, &mut ledger).await;
        if cycle > 0 && cycle % 100 == 0 {
            println!("{cycle} kills so far, every check passing ({:.0} s)", started.elapsed().as_secs_f64());
        }
        let until = Instant::now() + Duration::from_millis(300 + rng.below(2_200));
        let tasks: Vec<_> = players
            .iter()
            .enumerate()
            .map(|(seat, (_, _, token))| actix_web::rt::spawn(play(port, token.clone(), seat, until)))
            .collect();
        let mut seen: HashMap<String, Vec<u64>> = HashMap::new();
        for t in tasks {
            for (table, seqs) in t.await.unwrap() {
                seen.entry(table).or_default().extend(seqs);
            }
        }
        // kill -9, mid-whatever.
        child.kill().unwrap();
        child.wait().unwrap();
        for (table, seqs) in seen {
            let (first, last) = (seqs.iter().min().copied().unwrap(), seqs.iter().max().copied().unwrap());
            if let Some(before) = last_seq.get(&table) {
                assert!(first > *before, "cycle {cycle}: {table}'s seq went from {before} back to {first}");
            }
            last_seq.insert(table, last);
        }
        rounds_seen = ledger.counted.len();
    }
    let (mut child, _) = start(&url, &config, &prefix);
    check_books(&*store, &url, &books, &mut ledger).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_croupier")).arg("ledger-check").env("DATABASE_URL", &url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(rounds_seen > 0, "rounds were played and recorded between the kills");
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let count =
        |kind: &'static str| sqlx::query("SELECT COUNT(*) AS n FROM wallet_transactions WHERE kind = $1").bind(kind);
    let settled: i64 = count("settle").fetch_one(&mut db).await.unwrap().get("n");
    let voided: i64 = count("void").fetch_one(&mut db).await.unwrap().get("n");
    println!("{cycles} kills: {settled} rounds settled, {voided} interrupted rounds voided and refunded");
    assert!(settled > 20 && voided > 0, "the kills landed both between and inside rounds");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A socket that has signed in as `token` and sat at `table`.
async fn seated_socket(port: u16, token: &str, table: &str) -> actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec> {
    let (_, mut ws) = awc::Client::new().ws(format!("ws://127.0.0.1:{port}/v1/ws")).connect().await.unwrap();
    let text = |v: Value| Message::Text(v.to_string().into());
    ws.send(text(json!({ "type": "auth", "id": 1, "token": token }))).await.unwrap();
    ws.send(text(json!({ "type": "sit", "id": 2, "table": table, "seat": 0 }))).await.unwrap();
    ws
}

/// Bets 100 on red at `table` as soon as betting is open: tries at once and
/// again at each `betting_open`; the answer to the bet that was taken.
async fn bet_when_open(ws: &mut actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>, table: &str) -> Value {
    let text = |v: Value| Message::Text(v.to_string().into());
    let until = Instant::now() + Duration::from_secs(20);
    let mut id = 100;
    let bet = |id: u64| json!({ "type": "act", "id": id, "table": table, "action": { "type": "bet", "spot": { "type": "red" }, "amount": 100 } });
    ws.send(text(bet(id))).await.unwrap();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let frame = tokio::time::timeout(left, ws.next()).await.expect("a bet is taken within 20 s").unwrap().unwrap();
        let Frame::Text(bytes) = frame else { continue };
        let m: Value = serde_json::from_slice(&bytes).unwrap();
        if m["re"] == id && m["type"] == "ok" {
            return m;
        }
        // Refused (betting not open yet, or no longer): again when it opens.
        if m["event"]["type"] == "betting_open" {
            id += 1;
            ws.send(text(bet(id))).await.unwrap();
        }
    }
}

#[actix_web::test]
async fn kill_9_in_the_middle_of_a_staff_void_refunds_every_stake_once() {
    let (_db, settings) = TestDb::create(Db::Postgres).await;
    let url = settings.database.url.clone();
    let store = store::open(&settings.database).await.unwrap();
    let dir = std::env::temp_dir().join(format!("croupier-void-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("void.toml");
    // Betting stays open for a minute: every round ends by the void.
    let table = "[[tables]]\nid = \"v1\"\ngame = \"roulette\"\nconfig = { betting_ms = 60_000, result_ms = 50 }\n";
    std::fs::write(&config, format!("{table}\n[rate_limit]\nenabled = false\n")).unwrap();
    let tokens = Tokens::new(SECRET.as_bytes(), 3_600);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let ann = store.create_user("void-ann", "x", Role::Player, 0).await.unwrap();
    store.deposit("fund-ann", ann.id, "EUR", DEPOSIT, 0).await.unwrap();
    let token = tokens.issue(ann.id, &ann.username, Role::Player, now.as_secs(), false).unwrap();
    let olga = store.create_user("void-olga", "x", Role::Operator, 0).await.unwrap();
    let staff = tokens.issue(olga.id, &olga.username, Role::Operator, now.as_secs(), false).unwrap();
    let books = [(ann.id, ann.username.clone())];
    let seed = u64::from(now.subsec_nanos());
    println!("kill instants from seed {seed}");
    let mut rng = Lcg(seed);
    let prefix = settings.redis.key_prefix.clone();
    let mut ledger = Books::default();
    let (mut answered, mut recorded, mut rounds) = (0, 0, Vec::new());
    for cycle in 0..12u64 {
        let (mut child, port) = start(&url, &config, &prefix);
        check_books(&*store, &url, &books, &mut ledger).await;
        let mut ws = seated_socket(port, &token, "v1").await;
        bet_when_open(&mut ws, "v1").await;
        let http = awc::Client::new();
        let mut inspect =
            http.get(format!("http://127.0.0.1:{port}/v1/admin/tables/v1")).bearer_auth(&staff).send().await.unwrap();
        let open: Value = inspect.json().await.unwrap();
        let round = open["round"].as_str().unwrap().to_owned();
        let void = http
            .post(format!("http://127.0.0.1:{port}/v1/admin/rounds/{round}/void"))
            .bearer_auth(&staff)
            .send_json(&json!({ "reason": format!("cycle {cycle}") }));
        // The kill lands after the answer, at once, or a few ms into the void.
        match cycle % 3 {
            0 => {
                let mut answer = void.await.unwrap();
                assert_eq!(answer.status(), 200, "{:?}", answer.body().await);
                answered += 1;
            }
            1 => drop(actix_web::rt::spawn(void)),
            _ => {
                drop(actix_web::rt::spawn(void));
                actix_web::rt::time::sleep(Duration::from_micros(rng.below(40_000))).await;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        rounds.push((cycle, round));
    }
    let (mut child, _) = start(&url, &config, &prefix);
    check_books(&*store, &url, &books, &mut ledger).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let balance = &store.balances(ann.id).await.unwrap()[0];
    assert_eq!((balance.available, balance.held), (DEPOSIT, 0), "every stake came back, once");
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    for (cycle, round) in &rounds {
        let status: String = sqlx::query("SELECT status FROM wallet_rounds WHERE round_key = $1")
            .bind(round)
            .fetch_one(&mut db)
            .await
            .unwrap()
            .get("status");
        assert_eq!(status, "voided", "{round}");
        // The record, when the void committed before the kill, is marked
        // with the reason; without it, the restart voided the round.
        if let Some(row) = store.round_record(round).await.unwrap() {
            let record: RoundRecord = serde_json::from_str(&row.record).unwrap();
            assert_eq!(record.voided.map(|v| v.reason), Some(format!("cycle {cycle}")), "{round}");
            recorded += 1;
        } else {
            assert_ne!(cycle % 3, 0, "{round}: a void answered 200 has its record");
        }
    }
    let out =
        Command::new(env!("CARGO_BIN_EXE_croupier")).arg("ledger-check").env("DATABASE_URL", &url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    println!(
        "{} voids killed: {answered} answered before the kill, {recorded} recorded, the rest voided by the restart",
        rounds.len()
    );
    assert!(recorded >= answered && answered == 4);
    std::fs::remove_dir_all(&dir).unwrap();
}
