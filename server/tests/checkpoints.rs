//! The hot checkpoint tier and outages, against the real server, real
//! Postgres and real Redis: hot checkpoints follow every change and never
//! go back in seq; recovery takes a newer hot checkpoint taken between
//! rounds; play goes on while Redis is down and the hot tier catches up when
//! it returns; while Postgres is unreachable bets are refused with a clear
//! code and nothing is corrupted, and play recovers by itself when it
//! returns; while Postgres is silent a bet hears `pending` and every other
//! request an answer. Outages go through a TCP proxy the test cuts or
//! freezes ([`common::proxy`]), so the real services stay up for other
//! tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::proxy::Proxy;
use common::ws::Player;
use common::{Db, TestApp};
use croupier_sdk::record::RoundRecord;
use croupier_server::cache::Cache;
use croupier_server::settings::TableSpec;
use serde_json::{Value, json};

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn roulette(id: &str, betting_ms: u64, result_ms: u64) -> TableSpec {
    TableSpec {
        id: id.into(),
        game: "roulette".into(),
        config: json!({ "betting_ms": betting_ms, "result_ms": result_ms }),
    }
}

fn bet(table: &str, amount: i64) -> Value {
    json!({ "type": "act", "table": table, "action": { "type": "bet", "spot": { "type": "red" }, "amount": amount } })
}

/// The table's hot checkpoint as Redis holds it: (seq, parsed row). The
/// table's state is in it as JSON, not as an escaped string.
fn hot(app: &TestApp, table: &str) -> Option<(u64, Value)> {
    let key = format!("{}checkpoint:{table}", app.settings.redis.key_prefix);
    let seq = common::redis_hget(&redis_url(), &key, "seq")?.parse().unwrap();
    let row: Value = serde_json::from_str(&common::redis_hget(&redis_url(), &key, "row")?).unwrap();
    assert!(row["checkpoint"]["state"].is_object() && row["spec"].is_object(), "{row}");
    Some((seq, row))
}

/// Polls `check` every 50 ms for up to `secs`; fails the test with `what`.
async fn eventually<T>(secs: u64, what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn metrics(app: &TestApp) -> String {
    app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap()
}

async fn ready(app: &TestApp) -> (u16, Value) {
    app.get("/readyz", None).await
}

/// The highest seq in `msgs` (table events and chat).
fn last_seq(msgs: &[Value]) -> u64 {
    msgs.iter().filter_map(|m| m["seq"].as_u64()).max().unwrap_or(0)
}

/// A player's balance must equal the deposit plus the net of their round
/// records, with nothing held.
async fn books_balance(app: &TestApp, player: i64, deposit: i64) {
    let mut net = 0;
    let who = croupier_sdk::PlayerId(u64::try_from(player).unwrap());
    for key in app.store.rounds_of(player, u32::MAX).await.unwrap().into_iter().map(|r| r.round) {
        let row = app.store.round_record(&key).await.unwrap().unwrap();
        let record: RoundRecord = serde_json::from_str(&row.record).unwrap();
        assert!(record.voided.is_none(), "{key} was voided");
        net += record.payouts.iter().filter(|p| p.player == who).map(|p| p.amount.minor).sum::<i64>();
        net -= record.stakes.iter().filter(|s| s.player == who).map(|s| s.amount.minor).sum::<i64>();
    }
    let balance = &app.store.balances(player).await.unwrap()[0];
    assert_eq!((balance.available, balance.held), (deposit + net, 0), "balance = deposit + round records");
    assert_eq!(app.store.ledger_violations(10).await.unwrap(), Vec::<String>::new());
    assert_eq!(app.store.open_rounds().await.unwrap(), Vec::<String>::new());
}

#[actix_web::test]
async fn hot_checkpoints_follow_the_table_and_a_newer_one_between_rounds_is_restored() {
    // A long result phase: after the spin the table sits between rounds.
    let app = TestApp::spawn_with(Db::Postgres, |s| {
        s.rate_limit.enabled = false;
        s.tables = vec![roulette("r1", 400, 60_000)];
    })
    .await;
    let mut rex = Player::join_server(&app, "rex").await;
    app.fund(rex.id, "EUR", 10_000).await;
    assert_eq!(rex.request(json!({ "type": "sit", "table": "r1" })).await["type"], "ok");
    rex.event("betting_open").await;
    // Mid-round, after the stake is held: the hot checkpoint names the open
    // round and its stake.
    assert_eq!(rex.request(bet("r1", 100)).await["type"], "ok");
    let accepted = rex.event("bet_accepted").await["seq"].as_u64().unwrap();
    let (_, mid) = eventually(5, "a mid-round hot checkpoint", async || {
        hot(&app, "r1").filter(|(seq, row)| *seq >= accepted && !row["head"]["open_round"].is_null())
    })
    .await;
    assert_eq!(mid["head"]["open_round"]["stakes"].as_array().unwrap().len(), 1, "{mid}");
    assert_eq!(mid["head"]["open_round"]["staked"], true);
    // The round ends: between rounds, no open round, the last one named.
    let spun = rex.event("spun").await["seq"].as_u64().unwrap();
    let (_, after) = eventually(5, "a hot checkpoint after the spin", async || {
        hot(&app, "r1").filter(|(seq, row)| *seq >= spun && row["head"]["open_round"].is_null())
    })
    .await;
    assert!(after["head"]["last_round"].as_str().unwrap().starts_with("r1:"), "{after}");
    // A second player sits between rounds: only the hot tier has it.
    let mut ada = Player::join_server(&app, "ada").await;
    assert_eq!(ada.request(json!({ "type": "sit", "table": "r1" })).await["type"], "ok");
    let (seq, row) = eventually(5, "a hot checkpoint with both seated", async || {
        hot(&app, "r1").filter(|(_, row)| row["checkpoint"]["seated"].as_array().unwrap().len() == 2)
    })
    .await;
    // A stale writer (a lower seq) never overwrites it.
    let cache = Cache::open(&redis_url(), &app.settings.redis.key_prefix).unwrap();
    assert!(!cache.put_checkpoint("r1", seq - 1, "stale").await.unwrap());
    assert_eq!(hot(&app, "r1").unwrap(), (seq, row));
    let token = rex.token.clone();
    drop((rex, ada));

    let app = app.restart().await;
    let (_, list) = app.get("/v1/tables", Some(&token)).await;
    assert_eq!(list["tables"][0]["seated"], 2, "{list}");
    let m = metrics(&app).await;
    assert!(m.contains("croupier_recoveries_total{what=\"from_hot_checkpoint\"} 1"), "{m}");
    app.stop().await;
}

#[actix_web::test]
async fn play_goes_on_while_redis_is_down_and_the_hot_tier_catches_up() {
    let target = redis_url().trim_start_matches("redis://").trim_end_matches('/').to_owned();
    let proxy = Proxy::start(&target).await;
    let app = TestApp::spawn_with(Db::Postgres, |s| {
        s.rate_limit.enabled = false;
        s.redis.url = format!("redis://127.0.0.1:{}", proxy.port);
        s.tables = vec![roulette("r1", 300, 50)];
    })
    .await;
    let mut p = Player::join_server(&app, "rex").await;
    app.fund(p.id, "EUR", 10_000).await;
    assert_eq!(p.request(json!({ "type": "sit", "table": "r1" })).await["type"], "ok");
    p.event("betting_open").await;
    assert_eq!(ready(&app).await.0, 200);

    proxy.cut();
    let (status, body) = ready(&app).await;
    assert_eq!((status, body["cache"]["status"].as_str()), (503, Some("down")), "{body}");
    assert_eq!(body["database"]["status"], "ok");
    // Three rounds play out with the cache gone.
    for _ in 0..3 {
        p.event("betting_open").await;
        assert_eq!(p.request(bet("r1", 100)).await["type"], "ok");
        p.event("spun").await;
    }
    let m = metrics(&app).await;
    let failures = m.lines().find(|l| l.starts_with("croupier_checkpoint_failures_total{tier=\"hot\"}"));
    assert!(
        failures.is_some_and(|l| !l.ends_with(" 0")),
        "hot failures are counted: {:?}",
        m.lines().filter(|l| l.contains("checkpoint")).collect::<Vec<_>>()
    );

    proxy.restore();
    eventually(15, "readiness after Redis returns", async || (ready(&app).await.0 == 200).then_some(())).await;
    // The hot tier catches up with what the players saw.
    p.event("spun").await;
    let seen = last_seq(&p.drain()).max(1);
    eventually(15, "the hot checkpoint to catch up", async || hot(&app, "r1").filter(|(seq, _)| *seq >= seen)).await;
    let m = metrics(&app).await;
    assert!(m.contains("croupier_checkpoint_lag_seconds_count{tier=\"hot\"}"), "{m}");
    drop(p);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let id = app.store.user_by_name("rex").await.unwrap().unwrap().id;
    books_balance(&app, id, 10_000).await;
    app.stop().await;
}

/// A server on Postgres through a proxy the test can cut or freeze, with
/// one table.
async fn behind_proxy(table: TableSpec) -> (Proxy, TestApp) {
    let pg = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let pg = url::Url::parse(&pg).unwrap();
    let proxy = Proxy::start(&format!("{}:{}", pg.host_str().unwrap(), pg.port().unwrap_or(5432))).await;
    let port = proxy.port;
    let app = TestApp::spawn_with(Db::Postgres, |s| {
        s.rate_limit.enabled = false;
        s.database.acquire_timeout_ms = 1_000;
        let mut url = url::Url::parse(&s.database.url).unwrap();
        url.set_port(Some(port)).unwrap();
        s.database.url = url.to_string();
        s.tables = vec![table];
    })
    .await;
    (proxy, app)
}

#[actix_web::test]
async fn bets_are_refused_while_postgres_is_unreachable_and_play_recovers_by_itself() {
    let (proxy, app) = behind_proxy(roulette("r1", 400, 50)).await;
    let mut p = Player::join_server(&app, "rex").await;
    app.fund(p.id, "EUR", 10_000).await;
    assert_eq!(p.request(json!({ "type": "sit", "table": "r1" })).await["type"], "ok");
    p.event("betting_open").await;
    assert_eq!(p.request(bet("r1", 100)).await["type"], "ok");
    p.event("spun").await;

    proxy.cut();
    let (status, body) = ready(&app).await;
    assert_eq!((status, body["database"]["status"].as_str()), (503, Some("down")), "{body}");
    // Every bet while the database is gone is refused with a clear code,
    // never taken.
    let until = Instant::now() + Duration::from_secs(8);
    let mut unavailable = 0;
    while Instant::now() < until {
        let reply = p.request(bet("r1", 100)).await;
        assert_eq!(reply["type"], "error", "no bet is taken while the wallet is unreachable: {reply}");
        let code = reply["code"].as_str().unwrap();
        assert!(["wallet_unavailable", "betting_closed", "table_busy"].contains(&code), "{reply}");
        unavailable += usize::from(code == "wallet_unavailable");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(unavailable > 0, "bets are refused as wallet_unavailable");

    proxy.restore();
    eventually(20, "readiness after Postgres returns", async || (ready(&app).await.0 == 200).then_some(())).await;
    // Play resumes by itself: a new round takes a bet and settles it.
    let accepted = eventually(30, "a bet taken after the outage", async || {
        p.event("betting_open").await;
        (p.request(bet("r1", 100)).await["type"] == "ok").then_some(())
    });
    accepted.await;
    p.event("spun").await;
    drop(p);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let id = app.store.user_by_name("rex").await.unwrap().unwrap().id;
    books_balance(&app, id, 10_000).await;
    app.stop().await;
}

/// A database that stops answering mid-bet (its connections stay open and
/// nothing comes back): while it is silent the bet hears `pending`, and
/// every other request an answer, instead of waiting; when the database
/// answers again the bet's own answer follows and the books balance.
#[actix_web::test]
async fn a_bet_the_database_does_not_answer_hears_pending_then_its_answer() {
    let (proxy, app) = behind_proxy(roulette("r1", 4_000, 50)).await;
    let mut p = Player::join_server(&app, "fay").await;
    app.fund(p.id, "EUR", 10_000).await;
    assert_eq!(p.request(json!({ "type": "sit", "table": "r1" })).await["type"], "ok");
    p.event("betting_open").await;

    proxy.freeze();
    let first = p.request(bet("r1", 100)).await;
    assert_eq!(
        (first["type"].as_str(), first["code"].as_str()),
        (Some("pending"), Some("wallet_unconfirmed")),
        "{first}"
    );
    let re = first["re"].clone();
    // A stake in flight does not hold the table: chat goes on; a further
    // stake is refused while the wallet is late.
    let chat = p.request(json!({ "type": "chat", "table": "r1", "text": "anyone there?" })).await;
    assert_eq!(chat["type"], "ok", "{chat}");
    let second = p.request(bet("r1", 100)).await;
    assert_eq!(second["code"], "wallet_unavailable", "{second}");

    proxy.thaw();
    let answer = p.wait_for(|m| m["re"] == re && m["type"] != "pending").await;
    assert_eq!(answer["type"], "ok", "the stake was held once the database answered: {answer}");
    p.event("spun").await;
    drop(p);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let id = app.store.user_by_name("fay").await.unwrap().unwrap().id;
    books_balance(&app, id, 10_000).await;
    app.stop().await;
}
