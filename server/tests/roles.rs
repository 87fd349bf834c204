//! Every staff route as every role, against the real server: a role
//! without the route's permission (`croupier_server::roles::GRANTS`) is
//! refused `403 forbidden` and changes nothing; a role with it gets past
//! the check (to whatever the request itself earns — the requests here are
//! built to change nothing either way). A stranger's round is shown only to
//! roles that may read any round.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Db, TestApp, code};
use croupier_server::roles::{Permission, allows};
use croupier_server::store::{Role, RoundClose, RoundRow};
use serde_json::{Value, json};

/// (method, path, body, the permission it needs)
fn routes() -> Vec<(&'static str, &'static str, Value, Permission)> {
    use Permission::*;
    vec![
        ("GET", "/v1/admin/players?q=pla", Value::Null, ReadPlayers),
        ("GET", "/v1/admin/players/player-one", Value::Null, ReadPlayers),
        ("GET", "/v1/admin/rounds", Value::Null, ReadPlayers),
        ("GET", "/v1/admin/audit", Value::Null, ReadAudit),
        (
            "POST",
            "/v1/admin/wallet/deposit",
            json!({ "username": "player-one", "amount": 0, "currency": "EUR", "idempotency_key": "k" }),
            Deposit,
        ),
        ("POST", "/v1/admin/tables", json!({ "id": "Not An Id", "game": "roulette" }), ManageTables),
        ("GET", "/v1/admin/tables/nowhere", Value::Null, ManageTables),
        ("POST", "/v1/admin/tables/nowhere/close", json!({ "reason": "r" }), ManageTables),
        (
            "PATCH",
            "/v1/admin/tables/nowhere/config",
            json!({ "config": { "min_bet": 1 }, "reason": "r" }),
            ManageTables,
        ),
        ("POST", "/v1/admin/rounds/nowhere:x:1/void", json!({ "reason": "r" }), ManageTables),
        (
            "POST",
            "/v1/admin/load/accounts",
            json!({ "prefix": "x", "count": 0, "amount": 1, "currency": "EUR" }),
            LoadAccounts,
        ),
        ("GET", "/v1/admin/withdrawals?status=review", Value::Null, ReviewPayments),
        ("POST", "/v1/admin/withdrawals/999/approve", json!({ "reason": "r" }), ReviewPayments),
        ("POST", "/v1/admin/withdrawals/999/reject", json!({ "reason": "r" }), ReviewPayments),
        ("GET", "/v1/admin/aml/cases", Value::Null, ReviewAml),
        ("GET", "/v1/admin/aml/cases/999999", Value::Null, ReviewAml),
        ("POST", "/v1/admin/aml/cases/999999/escalate", json!({ "reason": "r" }), ReviewAml),
        ("POST", "/v1/admin/aml/cases/999999/close", json!({ "outcome": "cleared", "reason": "r" }), ReviewAml),
        ("POST", "/v1/admin/aml/cases/999999/notes", json!({ "note": "n" }), ReviewAml),
    ]
}

async fn call(app: &TestApp, method: &str, path: &str, body: &Value, token: &str) -> (u16, Value) {
    match method {
        "GET" => app.get(path, Some(token)).await,
        "PATCH" => app.patch(path, body, Some(token)).await,
        _ => app.post(path, body, Some(token)).await,
    }
}

async fn every_route_as_every_role(kind: Db) {
    let app = TestApp::spawn_with(kind, |s| s.rate_limit.enabled = false).await;
    let player = app.signed_in("player-one").await;
    let player_id = app.store.user_by_name("player-one").await.unwrap().unwrap().id;
    let hash = croupier_server::auth::hash_password("staff password").unwrap();
    let mut tokens = vec![(Role::Player, player["access_token"].as_str().unwrap().to_owned())];
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Player) {
        let name = format!("as-{}", role.as_str());
        app.store.create_user(&name, &hash, role, 0).await.unwrap();
        let (status, t) =
            app.post("/v1/auth/login", &json!({ "username": name, "password": "staff password" }), None).await;
        assert_eq!(status, 200, "{t}");
        tokens.push((role, t["access_token"].as_str().unwrap().to_owned()));
    }
    for (method, path, body, needs) in routes() {
        for (role, token) in &tokens {
            let (status, answer) = call(&app, method, path, &body, token).await;
            let refused = status == 403 && code(&answer) == "forbidden";
            assert_eq!(!refused, allows(*role, needs), "{method} {path} as {role:?}: {status} {answer}");
        }
    }
    assert!(app.store.audit_log(None, 10).await.unwrap().is_empty(), "nothing reached the audit trail");
    assert_eq!(app.available(player_id, "EUR").await, 0, "no deposit went through");

    // A round the caller did not play: shown to those who may read any.
    let row = RoundRow {
        key: "t:e:1".into(),
        table: "t".into(),
        game: "roulette".into(),
        players: vec![player_id],
        record: "{}".into(),
        created_at: 1,
        config: None,
    };
    app.store.finish_round("t:e:1:record", &RoundClose::RecordOnly, &row, None, 1).await.unwrap();
    let stranger = app.signed_in("player-two").await;
    let (status, _) = app.get("/v1/rounds/t:e:1", Some(stranger["access_token"].as_str().unwrap())).await;
    assert_eq!(status, 404, "a stranger's round does not exist for a player");
    for (role, token) in tokens.iter().filter(|(r, _)| *r != Role::Player) {
        let (status, body) = app.get("/v1/rounds/t:e:1", Some(token)).await;
        assert_eq!(status == 200, allows(*role, Permission::ReadAnyRound), "{role:?}: {status} {body}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn every_staff_route_as_every_role_on_sqlite() {
    every_route_as_every_role(Db::Sqlite).await;
}

#[actix_web::test]
async fn every_staff_route_as_every_role_on_postgres() {
    every_route_as_every_role(Db::Postgres).await;
}
