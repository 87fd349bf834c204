//! The operator console's routes against the real server, on both
//! backends: players found by the start of their name (taken literally),
//! a player's balances, ledger lines and rounds, rounds searched by table
//! and player, and the audit trail — a console deposit and a table opened
//! each write one line (who, what, from where), a replayed deposit none, a
//! refused one none; players are refused every route.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Db, TestApp, code};
use croupier_server::store::{RoundClose, RoundRow};
use serde_json::{Value, json};

async fn record_round(app: &TestApp, key: &str, table: &str, players: Vec<i64>, at: i64) {
    let row = RoundRow {
        key: key.into(),
        table: table.into(),
        game: "roulette".into(),
        players,
        record: "{}".into(),
        created_at: at,
        config: None,
    };
    app.store.finish_round(&format!("{key}:record"), &RoundClose::RecordOnly, &row, None, at).await.unwrap();
}

async fn console_works(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let staff = app.operator_token("olga").await;
    let player = app.signed_in("al_ice").await["access_token"].as_str().unwrap().to_owned();
    app.signed_in("alixe").await;
    let bob_token = app.signed_in("bob").await["access_token"].as_str().unwrap().to_owned();
    let ids: Vec<i64> = {
        let mut ids = Vec::new();
        for name in ["al_ice", "alixe", "bob"] {
            ids.push(app.store.user_by_name(name).await.unwrap().unwrap().id);
        }
        ids
    };

    // Players: every route refuses them.
    for path in ["/v1/admin/players?q=a", "/v1/admin/players/bob", "/v1/admin/rounds", "/v1/admin/audit"] {
        let (status, body) = app.get(path, Some(&player)).await;
        assert_eq!((status, code(&body)), (403, "forbidden"), "{path}");
    }

    // Find: a prefix, by name; `_` is a letter of the name, not a wildcard.
    let names =
        |body: &Value| body["players"].as_array().unwrap().iter().map(|p| p["username"].clone()).collect::<Vec<_>>();
    let (status, body) = app.get("/v1/admin/players?q=AL", Some(&staff)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), [json!("al_ice"), json!("alixe")]);
    let (_, body) = app.get("/v1/admin/players?q=al_", Some(&staff)).await;
    assert_eq!(names(&body), [json!("al_ice")]);
    let (status, body) = app.get("/v1/admin/players?q=", Some(&staff)).await;
    assert_eq!((status, code(&body)), (400, "invalid_query"));
    let (status, body) = app.get("/v1/admin/players/nobody", Some(&staff)).await;
    assert_eq!((status, code(&body)), (404, "unknown_user"));

    // A console deposit, and its audit line; a replay and a refusal write none.
    let deposit = json!({ "username": "bob", "amount": 2_500, "currency": "EUR", "idempotency_key": "console-1" });
    let (status, first) = app.post("/v1/admin/wallet/deposit", &deposit, Some(&staff)).await;
    assert_eq!(status, 200, "{first}");
    let (_, again) = app.post("/v1/admin/wallet/deposit", &deposit, Some(&staff)).await;
    assert_eq!((again["tx_id"].clone(), again["replayed"].clone()), (first["tx_id"].clone(), json!(true)));
    let bad = json!({ "username": "bob", "amount": 0, "currency": "EUR", "idempotency_key": "console-2" });
    assert_eq!(app.post("/v1/admin/wallet/deposit", &bad, Some(&staff)).await.0, 400);
    let (status, opened) =
        app.post("/v1/admin/tables", &json!({ "id": "audit-me", "game": "roulette" }), Some(&staff)).await;
    assert_eq!(status, 201, "{opened}");

    let (status, body) = app.get("/v1/admin/audit", Some(&staff)).await;
    assert_eq!(status, 200, "{body}");
    let lines = body["audit"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{body}");
    let (table, money) = (&lines[0], &lines[1]);
    assert_eq!((table["action"].as_str(), table["target"].as_str()), (Some("table.open"), Some("table:audit-me")));
    assert_eq!((money["action"].as_str(), money["actor_name"].as_str()), (Some("deposit"), Some("olga")));
    assert_eq!(money["target"], format!("user:{}", ids[2]));
    assert_eq!(money["address"], "127.0.0.1");
    let detail: Value = serde_json::from_str(money["detail"].as_str().unwrap()).unwrap();
    assert_eq!((detail["amount"].clone(), detail["idempotency_key"].clone()), (json!(2_500), json!("console-1")));
    assert!(table["id"].as_i64() > money["id"].as_i64());
    let (_, older) = app.get(&format!("/v1/admin/audit?limit=1&before={}", table["id"]), Some(&staff)).await;
    assert_eq!(older["audit"][0]["id"], money["id"]);

    // Rounds: by table, by player, both; a player's page lists theirs.
    record_round(&app, "t-a:e:1", "t-a", vec![ids[0], ids[2]], 10).await;
    record_round(&app, "t-a:e:2", "t-a", vec![ids[2]], 20).await;
    record_round(&app, "t-b:e:1", "t-b", vec![ids[0]], 30).await;
    let keys = |body: &Value| body["rounds"].as_array().unwrap().iter().map(|r| r["round"].clone()).collect::<Vec<_>>();
    let (_, all) = app.get("/v1/admin/rounds", Some(&staff)).await;
    assert_eq!(keys(&all), [json!("t-b:e:1"), json!("t-a:e:2"), json!("t-a:e:1")]);
    let (_, by_table) = app.get("/v1/admin/rounds?table=t-a", Some(&staff)).await;
    assert_eq!(keys(&by_table), [json!("t-a:e:2"), json!("t-a:e:1")]);
    let (_, by_player) = app.get("/v1/admin/rounds?player=al_ice", Some(&staff)).await;
    assert_eq!(keys(&by_player), [json!("t-b:e:1"), json!("t-a:e:1")]);
    let (_, both) = app.get("/v1/admin/rounds?table=t-a&player=AL_ICE", Some(&staff)).await;
    assert_eq!(keys(&both), [json!("t-a:e:1")]);
    let (status, body) = app.get("/v1/admin/rounds?player=nobody", Some(&staff)).await;
    assert_eq!((status, code(&body)), (404, "unknown_user"));

    // A player's page shows their own protection and identity status.
    let limit = json!({ "kind": "loss", "period": "day", "currency": "EUR", "amount": 1_000 });
    assert_eq!(app.put("/v1/me/limits", &limit, Some(&bob_token)).await.0, 200);
    let cool_off = json!({ "kind": "cool_off", "days": 3 });
    assert_eq!(app.post("/v1/me/exclusion", &cool_off, Some(&bob_token)).await.0, 201);
    let (status, bob) = app.get("/v1/admin/players/BOB", Some(&staff)).await;
    assert_eq!(status, 200, "{bob}");
    assert_eq!(bob["player"]["username"], "bob");
    assert_eq!(bob["balances"][0]["available"], 2_500);
    assert_eq!(bob["transactions"].as_array().unwrap().len(), 1);
    assert_eq!(bob["transactions"][0]["kind"], "deposit");
    assert_eq!(keys(&bob), [json!("t-a:e:2"), json!("t-a:e:1")]);
    let protection = &bob["protection"];
    assert_eq!(
        (protection["limits"][0]["kind"].as_str(), protection["limits"][0]["amount"].as_i64()),
        (Some("loss"), Some(1_000))
    );
    assert_eq!(
        (protection["exclusion"]["kind"].as_str(), protection["exclusion"]["active"].as_bool()),
        (Some("cool_off"), Some(true))
    );
    assert_eq!(bob["kyc"]["status"], "none");
    let (_, al_ice) = app.get("/v1/admin/players/al_ice", Some(&staff)).await;
    assert_eq!(
        (al_ice["protection"]["limits"].as_array().map(Vec::len), al_ice["protection"]["exclusion"].is_null()),
        (Some(0), true),
        "another player's are theirs"
    );
    app.stop().await;
}

#[actix_web::test]
async fn console_routes_on_postgres() {
    console_works(Db::Postgres).await;
}

#[actix_web::test]
async fn console_routes_on_sqlite() {
    console_works(Db::Sqlite).await;
}
