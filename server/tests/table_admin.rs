//! Staff acting on running tables from the console, against the real
//! server over real WebSockets, on both backends: a round in progress
//! voided (its stakes refunded, everyone at the table told, its record
//! marked voided, the round dealt again under a new key), limits changed at the next round boundary
//! (and enforced, and listed), a table closed (everyone told, every request
//! refused, not brought back by a restart), each written to the audit
//! trail; and each refusal, which changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::books::table;
use common::ws::Player;
use common::{Db, TestApp, code};
use serde_json::{Value, json};

const DEPOSIT: i64 = 10_000;

fn slow_roulette(s: &mut croupier_server::settings::Settings) {
    s.rate_limit.enabled = false;
    s.tables = vec![table("r1", "roulette", json!({ "betting_ms": 1_500, "result_ms": 50 }))];
}

async fn inspect(app: &TestApp, staff: &str, id: &str) -> Value {
    let (status, body) = app.get(&format!("/v1/admin/tables/{id}"), Some(staff)).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn seated(app: &TestApp, name: &str, sit: bool) -> Player {
    let mut p = Player::join_server(app, name).await;
    app.fund(p.id, "EUR", DEPOSIT).await;
    let joined = p.request(json!({ "type": "join", "table": "r1" })).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    if sit {
        let sat = p.request(json!({ "type": "sit", "table": "r1" })).await;
        assert_eq!(sat["type"], "ok", "{sat}");
    }
    p
}

async fn bet(p: &mut Player, amount: i64) -> Value {
    let bet = json!({ "type": "act", "table": "r1", "action": { "type": "bet", "spot": { "type": "red" }, "amount": amount } });
    p.request(bet).await
}

/// The audit trail's actions, newest first.
async fn audited(app: &TestApp, staff: &str) -> Vec<(String, String)> {
    let (_, body) = app.get("/v1/admin/audit", Some(staff)).await;
    let line = |l: &Value| (l["action"].as_str().unwrap().to_owned(), l["target"].as_str().unwrap().to_owned());
    body["audit"].as_array().unwrap().iter().map(line).collect()
}

async fn staff_void_change_and_close(kind: Db) {
    let app = TestApp::spawn_with(kind, slow_roulette).await;
    let staff = app.operator_token("olga").await;
    let mut ana = seated(&app, "ana", true).await;
    let mut watcher = seated(&app, "wes", false).await;

    // Players may do none of it.
    for (path, body) in [
        ("/v1/admin/tables/r1/close", json!({ "reason": "no" })),
        ("/v1/admin/rounds/r1:x:1/void", json!({ "reason": "no" })),
    ] {
        let (status, body) = app.post(path, &body, Some(&ana.token)).await;
        assert_eq!((status, code(&body)), (403, "forbidden"), "{path}");
    }
    let (status, body) = app.get("/v1/admin/tables/r1", Some(&ana.token)).await;
    assert_eq!((status, code(&body)), (403, "forbidden"));

    // A bet in play, then the round voided: the stake comes back, and
    // everyone at the table hears why.
    ana.event("betting_open").await;
    let placed = bet(&mut ana, 500).await;
    assert_eq!(placed["type"], "ok", "{placed}");
    assert_eq!(app.available(ana.id, "EUR").await, DEPOSIT - 500);
    let open = inspect(&app, &staff, "r1").await;
    let round = open["round"].as_str().unwrap().to_owned();
    assert_eq!(open["staked"], true, "{open}");
    let void = |round: &str| format!("/v1/admin/rounds/{round}/void");
    for reason in ["", "   ", &"x".repeat(201), "two\nlines"] {
        let (status, body) = app.post(&void(&round), &json!({ "reason": reason }), Some(&staff)).await;
        assert_eq!((status, code(&body)), (400, "invalid_reason"), "{reason:?}");
    }
    let (status, body) = app.post(&void("nowhere:x:1"), &json!({ "reason": "test" }), Some(&staff)).await;
    assert_eq!((status, code(&body)), (404, "unknown_table"));
    let (status, body) = app.post(&void("r1:x:1"), &json!({ "reason": "test" }), Some(&staff)).await;
    assert_eq!((status, code(&body)), (409, "round_not_open"), "{body}");
    assert_eq!(app.available(ana.id, "EUR").await, DEPOSIT - 500, "a refused void refunds nothing");

    let (status, body) = app.post(&void(&round), &json!({ "reason": "wheel jammed" }), Some(&staff)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "voided");
    assert_eq!(app.available(ana.id, "EUR").await, DEPOSIT, "the stake is refunded");
    for p in [&mut ana, &mut watcher] {
        let told = p.event("round.voided").await;
        assert_eq!(
            (told["event"]["round"].as_str(), told["event"]["reason"].as_str()),
            (Some(&*round), Some("wheel jammed"))
        );
    }
    let (status, body) = app.post(&void(&round), &json!({ "reason": "again" }), Some(&staff)).await;
    assert_eq!((status, code(&body)), (409, "round_not_open"), "a void is done once: {body}");
    // The round's record is marked voided with the reason: the stake it
    // refunded, no payout, and nothing of its play (what was dealt in it is
    // dealt again). Ana's history lists it with her stake; Wes, who never
    // sat down, cannot see it.
    let (status, row) = app.get(&format!("/v1/rounds/{round}"), Some(&ana.token)).await;
    assert_eq!(status, 200, "{row}");
    let record = &row["record"];
    assert_eq!(record["voided"], json!({ "reason": "wheel jammed" }), "{record}");
    assert_eq!(record["stakes"].as_array().unwrap().len(), 1, "{record}");
    assert_eq!(record["stakes"][0]["amount"]["minor"], 500);
    assert_eq!((&record["payouts"], &record["draws"], &record["inputs"]), (&json!([]), &json!([]), &json!([])));
    assert_eq!(
        (&record["state_before"], &record["outcome"], &record["rng"]["revealed"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    for (p, listed) in [(&ana, Some((json!(500), json!(true)))), (&watcher, None)] {
        let (_, list) = app.get("/v1/rounds", Some(&p.token)).await;
        let found = list["rounds"].as_array().unwrap().iter().find(|r| r["round"] == round.as_str());
        assert_eq!(found.map(|r| (r["staked"].clone(), r["voided"].clone())), listed, "{list}");
    }
    let (status, _) = app.get(&format!("/v1/rounds/{round}"), Some(&watcher.token)).await;
    assert_eq!(status, 404);

    // The table deals on, under a new round key; a bet there settles.
    ana.event("betting_open").await;
    let again = bet(&mut ana, 200).await;
    assert_eq!(again["type"], "ok", "{again}");
    let next = inspect(&app, &staff, "r1").await["round"].as_str().unwrap().to_owned();
    assert_ne!(next, round, "the voided round's key is not dealt again");
    ana.event("spun").await;

    // New limits: refused when they do not fit or cannot change in place,
    // taken at the round boundary, then enforced and listed.
    let change = |config: Value| json!({ "config": config, "reason": "high rollers tonight" });
    let config = "/v1/admin/tables/r1/config";
    let (status, body) = app.patch(config, &change(json!({ "min_bet": 0 })), Some(&staff)).await;
    assert_eq!((status, code(&body)), (400, "invalid_config"), "{body}");
    let (status, body) = app.patch(config, &change(json!({ "colour": "blue" })), Some(&staff)).await;
    assert_eq!((status, code(&body)), (400, "invalid_config"), "{body}");
    let (status, body) = app.patch(config, &change(json!({ "currency": "USD" })), Some(&staff)).await;
    assert_eq!((status, code(&body)), (409, "config_fixed"), "{body}");
    let (status, body) = app.patch(config, &json!({ "config": { "min_bet": 300 }, "reason": "" }), Some(&staff)).await;
    assert_eq!((status, code(&body)), (400, "invalid_reason"), "{body}");
    let (status, body) = app.patch(config, &change(json!({ "min_bet": 300 })), Some(&ana.token)).await;
    assert_eq!((status, code(&body)), (403, "forbidden"), "{body}");
    assert_eq!(status_of_min_bet(&app, &staff).await, 100, "a refused change changes nothing");

    let (status, body) = app.patch(config, &change(json!({ "min_bet": 300 })), Some(&staff)).await;
    assert!(status == 200 || status == 202, "{status} {body}");
    assert_eq!(body["config"]["min_bet"], 300, "{body}");
    let told = ana.event("table.config").await;
    assert_eq!(told["event"]["config"]["min_bet"], 300, "{told}");
    assert_eq!(status_of_min_bet(&app, &staff).await, 300);
    let (_, listed) = app.get("/v1/tables", Some(&ana.token)).await;
    assert_eq!(listed["tables"][0]["config"]["min_bet"], 300, "{listed}");
    ana.event("betting_open").await;
    let small = bet(&mut ana, 200).await;
    assert_eq!(small["code"], "bet_below_minimum", "{small}");
    let fits = bet(&mut ana, 300).await;
    assert_eq!(fits["type"], "ok", "{fits}");

    // Closed at the boundary: the round in play settles first, everyone is
    // told, and every request after is refused.
    let (status, body) =
        app.post("/v1/admin/tables/r1/close", &json!({ "reason": "end of shift" }), Some(&staff)).await;
    assert!(status == 200 || status == 202, "{status} {body}");
    ana.event("spun").await;
    for p in [&mut ana, &mut watcher] {
        let told = p.event("table.closed").await;
        assert_eq!(told["event"]["reason"], "end of shift", "{told}");
    }
    let refused = bet(&mut ana, 300).await;
    assert_eq!(refused["code"], "unknown_table", "{refused}");
    let held = app.store.balances(ana.id).await.unwrap();
    assert!(held.iter().all(|b| b.held == 0), "nothing stays held: {held:?}");
    assert_eq!(app.store.ledger_violations(10).await.unwrap(), Vec::<String>::new());

    let actions = audited(&app, &staff).await;
    let expected = [
        ("table.close", "table:r1"),
        ("table.config", "table:r1"),
        ("table.config.refused", "table:r1"),
        ("table.config", "table:r1"),
        ("round.void.refused", &*format!("round:{round}")),
        ("round.void", &*format!("round:{round}")),
        ("round.void", &*format!("round:{round}")),
        ("round.void.refused", "round:r1:x:1"),
        ("round.void", "round:r1:x:1"),
    ];
    let actions: Vec<(&str, &str)> = actions.iter().map(|(a, t)| (a.as_str(), t.as_str())).collect();
    assert_eq!(actions, expected);

    stopped(&app, &staff, "r1").await;
    app.stop().await;
}

/// Waits (up to 5 s) for a closed table to stop: it has written its last
/// checkpoint and left the lobby.
async fn stopped(app: &TestApp, staff: &str, id: &str) {
    for _ in 0..100 {
        let (_, listed) = app.get("/v1/tables", Some(staff)).await;
        if listed["tables"].as_array().unwrap().iter().all(|t| t["id"] != id) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("table {id} did not stop");
}

async fn status_of_min_bet(app: &TestApp, staff: &str) -> i64 {
    inspect(app, staff, "r1").await["config"]["min_bet"].as_i64().unwrap()
}

#[actix_web::test]
async fn staff_void_change_and_close_on_sqlite() {
    staff_void_change_and_close(Db::Sqlite).await;
}

#[actix_web::test]
async fn staff_void_change_and_close_on_postgres() {
    staff_void_change_and_close(Db::Postgres).await;
}

/// Tables an operator opened and then closed stay closed across a
/// restart, whether they had stopped or the server stopped first; one they
/// reconfigured comes back with its new config.
async fn closed_stays_closed(kind: Db) {
    let app = TestApp::spawn_with(kind, |s| s.rate_limit.enabled = false).await;
    let staff = app.operator_token("olga").await;
    for id in ["gone", "going", "kept"] {
        let (status, body) = app.post("/v1/admin/tables", &json!({ "id": id, "game": "roulette" }), Some(&staff)).await;
        assert_eq!(status, 201, "{body}");
    }
    let close = |id: &str| format!("/v1/admin/tables/{id}/close");
    let (status, body) = app.post(&close("gone"), &json!({ "reason": "retired" }), Some(&staff)).await;
    assert_eq!((status, &body["status"]), (200, &json!("closed")), "an idle table closes at once: {body}");
    let (status, body) = app.post(&close("gone"), &json!({ "reason": "again" }), Some(&staff)).await;
    assert_eq!((status, code(&body)), (404, "unknown_table"), "{body}");
    let (status, body) = app.get("/v1/admin/tables/gone", Some(&staff)).await;
    assert_eq!((status, code(&body)), (404, "unknown_table"), "{body}");
    let change = json!({ "config": { "max_bet": 20_000 }, "reason": "lower cap" });
    let (status, body) = app.patch("/v1/admin/tables/kept/config", &change, Some(&staff)).await;
    assert_eq!((status, &body["status"]), (200, &json!("applied")), "an idle table takes it at once: {body}");
    stopped(&app, &staff, "gone").await;
    // Closed, and the server stops before the table has.
    let (status, body) = app.post(&close("going"), &json!({ "reason": "retired" }), Some(&staff)).await;
    assert_eq!(status, 200, "{body}");

    let app = app.restart().await;
    let staff = app.operator_token("otto").await;
    let (_, listed) = app.get("/v1/tables", Some(&staff)).await;
    let tables = listed["tables"].as_array().unwrap();
    assert!(tables.iter().all(|t| t["id"] != "gone" && t["id"] != "going"), "{listed}");
    let kept = tables.iter().find(|t| t["id"] == "kept").unwrap();
    assert_eq!(kept["config"]["max_bet"], 20_000, "{listed}");
    app.stop().await;
}

#[actix_web::test]
async fn a_closed_table_stays_closed_on_sqlite() {
    closed_stays_closed(Db::Sqlite).await;
}

#[actix_web::test]
async fn a_closed_table_stays_closed_on_postgres() {
    closed_stays_closed(Db::Postgres).await;
}
