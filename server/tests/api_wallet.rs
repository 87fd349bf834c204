//! The wallet over HTTP: operator deposits (idempotent, validated, role
//! checked), a player's balances and paged history.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Db, TestApp, code};
use serde_json::{Value, json};

async fn operator_token(app: &TestApp) -> String {
    app.operator_token("olga").await
}

fn deposit(username: &str, amount: Value, currency: &str, key: &str) -> Value {
    json!({ "username": username, "amount": amount, "currency": currency, "idempotency_key": key })
}

#[actix_web::test]
async fn operators_deposit_and_players_see_their_wallet() {
    let app = TestApp::spawn(Db::Postgres).await;
    let player = app.signed_in("pat").await;
    let player_token = player["access_token"].as_str().unwrap();
    let op = operator_token(&app).await;

    let (status, first) =
        app.post("/v1/admin/wallet/deposit", &deposit("pat", json!(2_500), "EUR", "d-1"), Some(&op)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["replayed"], false);
    let (status, again) =
        app.post("/v1/admin/wallet/deposit", &deposit("pat", json!(2_500), "EUR", "d-1"), Some(&op)).await;
    assert_eq!((status, &again["tx_id"], &again["replayed"]), (200, &first["tx_id"], &json!(true)));
    let (status, body) = app.post("/v1/admin/wallet/deposit", &deposit("pat", json!(1), "EUR", "d-1"), Some(&op)).await;
    assert_eq!((status, code(&body)), (409, "idempotency_key_reused"));

    let (status, wallet) = app.get("/v1/wallet", Some(player_token)).await;
    assert_eq!(status, 200);
    assert_eq!(wallet, json!({ "balances": [{ "currency": "EUR", "available": 2_500, "held": 0 }] }));

    // A player may not deposit.
    let (status, body) =
        app.post("/v1/admin/wallet/deposit", &deposit("pat", json!(5), "EUR", "d-2"), Some(player_token)).await;
    assert_eq!((status, code(&body)), (403, "forbidden"));

    // History, two to a page.
    for i in 0..3 {
        let key = format!("more-{i}");
        assert_eq!(
            app.post("/v1/admin/wallet/deposit", &deposit("pat", json!(10), "USD", &key), Some(&op)).await.0,
            200
        );
    }
    let (status, page1) = app.get("/v1/wallet/transactions?limit=2", Some(player_token)).await;
    assert_eq!(status, 200, "{page1}");
    assert_eq!(page1["transactions"].as_array().unwrap().len(), 2);
    let cursor = page1["next_cursor"].as_i64().unwrap();
    let (_, page2) = app.get(&format!("/v1/wallet/transactions?limit=2&cursor={cursor}"), Some(player_token)).await;
    let kinds: Vec<_> = page2["transactions"].as_array().unwrap().iter().map(|t| t["currency"].clone()).collect();
    assert_eq!(kinds, [json!("USD"), json!("EUR")]);
    // A full page may be followed by an empty one, which has no cursor.
    let cursor = page2["next_cursor"].as_i64().unwrap();
    let (_, page3) = app.get(&format!("/v1/wallet/transactions?limit=2&cursor={cursor}"), Some(player_token)).await;
    assert_eq!(page3, json!({ "transactions": [], "next_cursor": null }));
    let (status, body) = app.get("/v1/wallet/transactions?limit=0", Some(player_token)).await;
    assert_eq!((status, code(&body)), (400, "invalid_query"));
    let (status, body) = app.get("/v1/wallet/transactions?cursor=abc", Some(player_token)).await;
    assert_eq!((status, code(&body)), (400, "invalid_query"));
    assert!(app.store.ledger_violations(5).await.unwrap().is_empty());
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"croupier_wallet_operations_total{op="deposit",outcome="ok"} 5"#), "{metrics}");
    assert!(
        metrics.contains(r#"croupier_wallet_operations_total{op="deposit",outcome="idempotency_key_reused"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("croupier_wallet_operation_duration_seconds_count{op=\"deposit\"} 6"), "{metrics}");
    app.stop().await;
}

#[actix_web::test]
async fn bad_deposits_are_refused_and_move_nothing() {
    let app = TestApp::spawn(Db::Postgres).await;
    app.signed_in("pat").await;
    let op = operator_token(&app).await;
    let cases = [
        (deposit("pat", json!(0), "EUR", "k"), 400, "invalid_amount"),
        (deposit("pat", json!(-5), "EUR", "k"), 400, "invalid_amount"),
        (deposit("pat", json!(u64::MAX), "EUR", "k"), 400, "invalid_body"),
        (deposit("pat", json!(1.5), "EUR", "k"), 400, "invalid_body"),
        (deposit("pat", json!("10"), "EUR", "k"), 400, "invalid_body"),
        (deposit("pat", json!(10), "XYZ", "k"), 400, "unknown_currency"),
        (deposit("pat", json!(10), "eur", "k"), 400, "unknown_currency"),
        (deposit("pat", json!(10), "EUR", ""), 400, "invalid_idempotency_key"),
        (deposit("pat", json!(10), "EUR", &"k".repeat(129)), 400, "invalid_idempotency_key"),
        (deposit("nobody", json!(10), "EUR", "k"), 404, "unknown_user"),
        (json!({ "username": "pat", "amount": 10, "currency": "EUR" }), 400, "invalid_body"),
    ];
    for (body, status, expected) in cases {
        let (got, answer) = app.post("/v1/admin/wallet/deposit", &body, Some(&op)).await;
        assert_eq!((got, code(&answer)), (status, expected), "{body}");
    }
    let pat = app.store.user_by_name("pat").await.unwrap().unwrap();
    assert!(app.store.balances(pat.id).await.unwrap().is_empty(), "nothing was credited");
    let (status, body) = app.post("/v1/admin/wallet/deposit", &deposit("pat", json!(10), "EUR", "k"), None).await;
    assert_eq!((status, code(&body)), (401, "unauthorized"));
    app.stop().await;
}
