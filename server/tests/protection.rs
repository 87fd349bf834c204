//! Player protection against the real server over HTTP and a real socket,
//! on both backends: a player's own wager and loss limits bind every stake
//! at slots sessions and roulette tables (a tighter limit at once, a looser
//! one only after the cooling period), a stake still in play counts as
//! lost, and a cool-off or self-exclusion stops every stake, survives a
//! restart and can be made longer, never shorter; reality checks reach the
//! socket and a session time limit stops play until its break has passed.
//! Every refusal has its code and changes nothing. Deposit limits are in
//! `payments.rs`, with the provider.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::books::quick_roulette;
use common::ws::Player;
use common::{Db, TestApp, code};
use serde_json::{Value, json};

/// A server with roulette at `r1` and a 2-second cooling period.
async fn server(kind: Db) -> TestApp {
    TestApp::spawn_with(kind, |s| {
        quick_roulette(s);
        s.protection.raise_cooling_secs = 2;
        s.ws.messages_per_second = 10_000;
        s.ws.message_burst = 10_000;
    })
    .await
}

/// Opens a slots session; its id and the stake of a spin at `line_bet` 1.
async fn slots(p: &mut Player) -> (String, i64) {
    let opened = p.request(json!({ "type": "session.open", "game": "slots" })).await;
    assert_eq!(opened["type"], "session", "{opened}");
    (opened["session"].as_str().unwrap().to_owned(), opened["view"]["lines"].as_i64().unwrap())
}

/// Spins once; `None` once the spin has settled, or the refusal's code.
async fn spin(p: &mut Player, session: &str) -> Option<String> {
    let reply =
        p.request(json!({ "type": "act", "session": session, "action": { "type": "spin", "line_bet": 1 } })).await;
    if reply["type"] == "ok" {
        p.event("spun").await;
        return None;
    }
    assert_eq!(reply["type"], "error", "{reply}");
    assert!(reply["message"].as_str().is_some_and(|m| m.contains("nothing was placed")), "{reply}");
    Some(reply["code"].as_str().unwrap().to_owned())
}

async fn set_limit(app: &TestApp, token: &str, kind: &str, period: &str, amount: Value) -> Value {
    let body = json!({ "kind": kind, "period": period, "currency": "EUR", "amount": amount });
    let (status, limit) = app.put("/v1/me/limits", &body, Some(token)).await;
    assert_eq!(status, 200, "{limit}");
    limit
}

/// The player's limit of `kind` over `period`, as `GET /v1/me/protection`
/// shows it.
async fn shown(app: &TestApp, token: &str, kind: &str, period: &str) -> Value {
    let (status, body) = app.get("/v1/me/protection", Some(token)).await;
    assert_eq!(status, 200, "{body}");
    let limits = body["limits"].as_array().unwrap();
    limits.iter().find(|l| l["kind"] == kind && l["period"] == period).cloned().unwrap_or(Value::Null)
}

/// Waits (10 s at most) until the limit in force is `amount`.
async fn until_in_force(app: &TestApp, token: &str, kind: &str, period: &str, amount: i64) {
    for _ in 0..200 {
        if shown(app, token, kind, period).await["amount"] == amount {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the {period} {kind} limit never became {amount}");
}

async fn wager_limits_bind_sessions_and_tables(kind: Db) {
    let app = server(kind).await;
    let mut p = Player::join_server(&app, "lena").await;
    app.fund(p.id, "EUR", 10_000).await;
    let token = p.token.clone();
    let (status, nothing) = app.get("/v1/me/protection", Some(&token)).await;
    assert_eq!((status, nothing["limits"].clone(), nothing["exclusion"].clone()), (200, json!([]), Value::Null));
    assert_eq!(nothing["raise_cooling_secs"], 2);

    for (body, want) in [
        (json!({ "kind": "bets", "period": "day", "currency": "EUR", "amount": 1 }), "invalid_limit"),
        (json!({ "kind": "wager", "period": "year", "currency": "EUR", "amount": 1 }), "invalid_limit"),
        (json!({ "kind": "wager", "period": "day", "currency": "EUR", "amount": -1 }), "invalid_limit"),
        (json!({ "kind": "wager", "period": "day", "currency": "XXX", "amount": 1 }), "unknown_currency"),
    ] {
        let (status, refused) = app.put("/v1/me/limits", &body, Some(&token)).await;
        assert_eq!((status, code(&refused)), (400, want), "{body} -> {refused}");
    }
    assert_eq!(app.get("/v1/me/protection", Some(&token)).await.1["limits"], json!([]), "refusals set nothing");

    let (session, stake) = slots(&mut p).await;
    let limit = set_limit(&app, &token, "wager", "day", json!(3 * stake)).await;
    assert_eq!(
        (limit["amount"].as_i64(), limit["pending"].clone(), limit["used"].as_i64()),
        (Some(3 * stake), Value::Null, Some(0))
    );
    for _ in 0..3 {
        assert_eq!(spin(&mut p, &session).await, None);
    }
    let before = app.available(p.id, "EUR").await;
    assert_eq!(spin(&mut p, &session).await.as_deref(), Some("wager_limit_reached"));
    assert_eq!(app.available(p.id, "EUR").await, before, "a refused stake holds nothing");
    assert_eq!(shown(&app, &token, "wager", "day").await["used"], 3 * stake);

    // A looser limit waits for the cooling period; the one in force binds.
    let raised = set_limit(&app, &token, "wager", "day", json!(100 * stake)).await;
    assert_eq!(raised["amount"], 3 * stake, "{raised}");
    assert_eq!(raised["pending"]["amount"], 100 * stake, "{raised}");
    assert_eq!(spin(&mut p, &session).await.as_deref(), Some("wager_limit_reached"));
    until_in_force(&app, &token, "wager", "day", 100 * stake).await;
    assert_eq!(spin(&mut p, &session).await, None, "the raise is in force");

    // A tighter one binds the next stake, at a table too.
    let lowered = set_limit(&app, &token, "wager", "day", json!(4 * stake)).await;
    assert_eq!((lowered["amount"].as_i64(), lowered["pending"].clone()), (Some(4 * stake), Value::Null));
    assert_eq!(spin(&mut p, &session).await.as_deref(), Some("wager_limit_reached"));
    assert_eq!(p.request(json!({ "type": "sit", "table": "r1" })).await["type"], "ok");
    p.event("betting_open").await;
    let bet =
        json!({ "type": "act", "table": "r1", "action": { "type": "bet", "spot": { "type": "red" }, "amount": 100 } });
    let refused = p.request(bet).await;
    assert_eq!(refused["code"], "wager_limit_reached", "{refused}");
    let balance = &app.store.balances(p.id).await.unwrap()[0];
    assert_eq!(balance.held, 0, "nothing is held at the table");

    // Removing a limit is loosening it: it waits too.
    let removed = set_limit(&app, &token, "wager", "day", Value::Null).await;
    assert_eq!((removed["amount"].as_i64(), removed["pending"]["amount"].clone()), (Some(4 * stake), Value::Null));
    app.stop().await;
}

#[actix_web::test]
async fn wager_limits_bind_sessions_and_tables_postgres() {
    wager_limits_bind_sessions_and_tables(Db::Postgres).await;
}

#[actix_web::test]
async fn wager_limits_bind_sessions_and_tables_sqlite() {
    wager_limits_bind_sessions_and_tables(Db::Sqlite).await;
}

async fn loss_limits_count_stakes_in_play(kind: Db) {
    // Figures read again from the ledger every second, as well as followed.
    let app = TestApp::spawn_with(kind, |s| {
        s.rate_limit.enabled = false;
        s.protection.raise_cooling_secs = 2;
        s.protection.refresh_secs = 1;
        s.ws.messages_per_second = 10_000;
        s.ws.message_burst = 10_000;
    })
    .await;
    let mut p = Player::join_server(&app, "mira").await;
    const FUNDS: i64 = 10_000;
    app.fund(p.id, "EUR", FUNDS).await;
    let token = p.token.clone();
    let (session, stake) = slots(&mut p).await;

    // With nothing lost yet, a limit of 0 leaves no room for a stake that
    // could be lost.
    set_limit(&app, &token, "loss", "week", json!(0)).await;
    assert_eq!(spin(&mut p, &session).await.as_deref(), Some("loss_limit_reached"));

    // Every stake is let through exactly when, were it lost, the week's
    // net loss would stay within the limit.
    let cap = 5 * stake;
    set_limit(&app, &token, "loss", "week", json!(cap)).await;
    until_in_force(&app, &token, "loss", "week", cap).await;
    let mut refused = false;
    for n in 0..60 {
        if n == 2 || n == 8 {
            // Past the refresh: the next stake reads the ledger.
            tokio::time::sleep(Duration::from_millis(1_100)).await;
        }
        let lost = FUNDS - app.available(p.id, "EUR").await;
        match spin(&mut p, &session).await {
            None => assert!(lost + stake <= cap, "let through with {lost} lost"),
            Some(c) => {
                assert_eq!(c, "loss_limit_reached");
                assert!(lost + stake > cap, "refused with only {lost} lost");
                assert_eq!(shown(&app, &token, "loss", "week").await["used"], lost, "what it shows is what binds");
                refused = true;
                break;
            }
        }
    }
    // Slots keep 4% of stakes: sixty spins rarely end ahead, and never
    // past the limit.
    let lost = FUNDS - app.available(p.id, "EUR").await;
    assert!(refused || lost + stake <= cap, "{lost}");
    app.stop().await;
}

#[actix_web::test]
async fn loss_limits_count_stakes_in_play_postgres() {
    loss_limits_count_stakes_in_play(Db::Postgres).await;
}

#[actix_web::test]
async fn loss_limits_count_stakes_in_play_sqlite() {
    loss_limits_count_stakes_in_play(Db::Sqlite).await;
}

async fn exclude(app: &TestApp, token: &str, kind: &str, days: Value) -> (u16, Value) {
    app.post("/v1/me/exclusion", &json!({ "kind": kind, "days": days }), Some(token)).await
}

async fn exclusions_stop_play_and_only_grow(kind: Db) {
    let app = server(kind).await;
    let mut p = Player::join_server(&app, "nora").await;
    app.fund(p.id, "EUR", 10_000).await;
    let token = p.token.clone();
    let (session, _) = slots(&mut p).await;

    for (kind, days) in [
        ("break", json!(3)),
        ("cool_off", json!(0)),
        ("cool_off", json!(43)),
        ("cool_off", Value::Null),
        ("self_exclusion", json!(30)),
    ] {
        let (status, refused) = exclude(&app, &token, kind, days.clone()).await;
        assert_eq!((status, code(&refused)), (400, "invalid_exclusion"), "{kind} {days} -> {refused}");
    }
    assert_eq!(app.get("/v1/me/protection", Some(&token)).await.1["exclusion"], Value::Null);
    assert_eq!(spin(&mut p, &session).await, None, "refusals exclude no one");

    let (status, cool) = exclude(&app, &token, "cool_off", json!(2)).await;
    assert_eq!(
        (status, cool["kind"].as_str(), cool["active"].as_bool()),
        (201, Some("cool_off"), Some(true)),
        "{cool}"
    );
    assert_eq!(cool["until"].as_i64().unwrap() - cool["since"].as_i64().unwrap(), 2 * 86_400_000);
    let before = app.available(p.id, "EUR").await;
    assert_eq!(spin(&mut p, &session).await.as_deref(), Some("cooling_off"));
    assert_eq!(p.request(json!({ "type": "sit", "table": "r1" })).await["type"], "ok");
    p.event("betting_open").await;
    let bet =
        json!({ "type": "act", "table": "r1", "action": { "type": "bet", "spot": { "type": "red" }, "amount": 100 } });
    assert_eq!(p.request(bet.clone()).await["code"], "cooling_off");
    assert_eq!(app.available(p.id, "EUR").await, before, "nothing was staked");

    let (status, shorter) = exclude(&app, &token, "cool_off", json!(1)).await;
    assert_eq!((status, code(&shorter)), (409, "exclusion_active"), "{shorter}");
    let (status, forever) = exclude(&app, &token, "self_exclusion", Value::Null).await;
    assert_eq!(
        (status, forever["kind"].as_str(), forever["until"].clone()),
        (201, Some("self_exclusion"), Value::Null)
    );
    assert_eq!(spin(&mut p, &session).await.as_deref(), Some("self_excluded"));
    for (kind, days) in [("cool_off", json!(42)), ("self_exclusion", json!(3650))] {
        let (status, refused) = exclude(&app, &token, kind, days).await;
        assert_eq!((status, code(&refused)), (409, "exclusion_active"), "{refused}");
    }

    // It is in the database, not the process: a restart keeps it.
    // Signing in still works (to withdraw, say); playing does not.
    let app = app.restart().await;
    let creds = json!({ "username": "nora", "password": "a fine password" });
    let (status, tokens) = app.post("/v1/auth/login", &creds, None).await;
    assert_eq!(status, 200, "{tokens}");
    let mut p = Player::connect(&app, "nora", tokens["access_token"].as_str().unwrap()).await;
    let (session, _) = slots(&mut p).await;
    assert_eq!(spin(&mut p, &session).await.as_deref(), Some("self_excluded"));
    let (_, shown) = app.get("/v1/me/protection", Some(&p.token)).await;
    assert_eq!(shown["exclusion"]["kind"], "self_exclusion");
    assert_eq!(app.available(p.id, "EUR").await, before);
    app.stop().await;
}

#[actix_web::test]
async fn exclusions_stop_play_and_only_grow_postgres() {
    exclusions_stop_play_and_only_grow(Db::Postgres).await;
}

#[actix_web::test]
async fn exclusions_stop_play_and_only_grow_sqlite() {
    exclusions_stop_play_and_only_grow(Db::Sqlite).await;
}

fn now_ms() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// Reality checks come over the socket at the player's interval with the
/// session's play; the session time limit stops every stake, reconnecting
/// does not start a new session, and after the break one does.
async fn play_sessions_are_checked_and_limited(kind: Db) {
    const FUNDS: i64 = 10_000;
    let app = TestApp::spawn_with(kind, |s| {
        s.rate_limit.enabled = false;
        s.protection.min_interval_secs = 1;
        s.protection.session_break_secs = 2;
        s.protection.reality_check_secs = 0;
    })
    .await;
    let token = app.signed_in("olga").await["access_token"].as_str().unwrap().to_owned();
    for body in [
        json!({ "reality_check_secs": 86_401, "limit_secs": null }),
        json!({ "reality_check_secs": -1, "limit_secs": null }),
        json!({ "reality_check_secs": null, "limit_secs": 0 }),
    ] {
        let (status, refused) = app.put("/v1/me/session", &body, Some(&token)).await;
        assert_eq!((status, code(&refused)), (400, "invalid_limit"), "{body} -> {refused}");
    }
    let (_, shown) = app.get("/v1/me/protection", Some(&token)).await;
    assert_eq!(
        (shown["session"]["reality_check_secs"].clone(), shown["session"]["limit_secs"].clone()),
        (json!(0), Value::Null)
    );

    // Set while connected: the socket looks again at once, not in a minute.
    let mut p = Player::connect(&app, "olga", &token).await;
    let rules = json!({ "reality_check_secs": 1, "limit_secs": 6 });
    let (status, set) = app.put("/v1/me/session", &rules, Some(&token)).await;
    assert_eq!(
        (status, set["reality_check_secs"].as_i64(), set["limit_secs"].as_i64()),
        (200, Some(1), Some(6)),
        "{set}"
    );
    app.fund(p.id, "EUR", FUNDS).await;
    let (session, stake) = slots(&mut p).await;
    assert_eq!(spin(&mut p, &session).await, None);
    assert_eq!(spin(&mut p, &session).await, None);
    let net = app.available(p.id, "EUR").await - FUNDS;
    let check = p.wait_for(|m| m["type"] == "reality_check" && m["play"][0]["wagered"] == 2 * stake).await;
    assert_eq!(check["play"], json!([{ "currency": "EUR", "wagered": 2 * stake, "net": net }]), "{check}");
    let started = check["session_started_at"].as_i64().unwrap();
    assert!(check["elapsed_secs"].as_u64().unwrap() >= 1, "{check}");
    assert_eq!(check["stops_at"], started + 6_000);

    let stop = p.wait_for(|m| m["type"] == "session_limit").await;
    assert_eq!((stop["session_started_at"].as_i64(), stop["elapsed_secs"].as_u64()), (Some(started), Some(6)));
    let resume_at = stop["resume_at"].as_i64().unwrap();
    assert_eq!(resume_at, started + 6_000 + 2_000, "the limit, then the break");
    assert_eq!(spin(&mut p, &session).await.as_deref(), Some("session_limit_reached"));
    drop(p);
    let mut p = Player::connect(&app, "olga", &token).await;
    let (session, _) = slots(&mut p).await;
    assert_eq!(
        spin(&mut p, &session).await.as_deref(),
        Some("session_limit_reached"),
        "a new socket, the same session"
    );
    let (_, shown) = app.get("/v1/me/protection", Some(&token)).await;
    assert_eq!(shown["session"]["resume_at"], resume_at, "{shown}");

    tokio::time::sleep(Duration::from_millis(u64::try_from(resume_at - now_ms() + 50).unwrap_or(0))).await;
    assert_eq!(spin(&mut p, &session).await, None, "after the break, a new session plays");
    let (_, shown) = app.get("/v1/me/protection", Some(&token)).await;
    assert!(shown["session"]["started_at"].as_i64().unwrap() >= resume_at, "{shown}");

    // Lifting the limit is loosening it: it waits for the cooling period.
    let (_, lifted) =
        app.put("/v1/me/session", &json!({ "reality_check_secs": 0, "limit_secs": null }), Some(&token)).await;
    assert_eq!(
        (lifted["limit_secs"].as_i64(), lifted["pending"]["amount"].clone()),
        (Some(6), Value::Null),
        "{lifted}"
    );
    assert_eq!(lifted["reality_check_secs"], 0, "reality checks are the player's to turn off");
    app.stop().await;
}

#[actix_web::test]
async fn play_sessions_are_checked_and_limited_postgres() {
    play_sessions_are_checked_and_limited(Db::Postgres).await;
}

#[actix_web::test]
async fn play_sessions_are_checked_and_limited_sqlite() {
    play_sessions_are_checked_and_limited(Db::Sqlite).await;
}
