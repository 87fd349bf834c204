//! The audit trail's hash chain on both backends: lines written through the
//! API chain up and verify (`GET /v1/admin/audit/verify`, and `croupier
//! audit-check` with a zero exit); a line changed in the database, or one
//! removed, is named by both, and the command exits non-zero.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Db, TestApp, croupier_binary};
use serde_json::json;

/// `croupier audit-check` against `app`'s database: (success, its output).
fn audit_check(app: &TestApp) -> (bool, String) {
    let mut cmd = croupier_binary();
    match app.database_url().as_str() {
        "" => cmd.env("CROUPIER__DATABASE__SQLITE_PATH", &app.settings.database.sqlite_path),
        url => cmd.env("DATABASE_URL", url),
    };
    let out = cmd.arg("audit-check").output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

async fn execute(app: &TestApp, sql: &str) {
    match app.database_url().as_str() {
        "" => {
            let url = format!("sqlite://{}", app.settings.database.sqlite_path.display());
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        url => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

async fn the_chain_holds_until_tampered(kind: Db) {
    let app = TestApp::spawn_with(kind, |s| s.rate_limit.enabled = false).await;
    let staff = app.operator_token("olga").await;
    app.signed_in("payee").await;
    for n in 0..5 {
        let deposit = json!({ "username": "payee", "amount": 100 + n, "currency": "EUR", "idempotency_key": format!("chain-{n}") });
        assert_eq!(app.post("/v1/admin/wallet/deposit", &deposit, Some(&staff)).await.0, 200);
    }
    let (status, body) =
        app.post("/v1/admin/tables", &json!({ "id": "chained", "game": "roulette" }), Some(&staff)).await;
    assert_eq!(status, 201, "{body}");
    let (_, check) = app.get("/v1/admin/audit/verify", Some(&staff)).await;
    assert_eq!((check["lines"].as_u64(), &check["broken"]), (Some(6), &serde_json::Value::Null), "{check}");
    let head = check["head"].as_str().unwrap().to_owned();
    assert_eq!(head.len(), 64);
    let (ok, text) = audit_check(&app);
    assert!(ok && text.contains("6 line(s) chained") && text.contains(&head), "{text}");

    // One line's detail changed: that line is named.
    let (_, lines) = app.get("/v1/admin/audit?limit=200", Some(&staff)).await;
    let ids: Vec<i64> = lines["audit"].as_array().unwrap().iter().rev().map(|l| l["id"].as_i64().unwrap()).collect();
    execute(&app, &format!("UPDATE audit_log SET detail = replace(detail, '101', '999') WHERE id = {}", ids[1])).await;
    let (_, check) = app.get("/v1/admin/audit/verify", Some(&staff)).await;
    assert_eq!(check["broken"]["id"].as_i64(), Some(ids[1]), "{check}");
    assert!(check["broken"]["why"].as_str().unwrap().contains("content"), "{check}");
    let (ok, text) = audit_check(&app);
    assert!(!ok && text.contains(&format!("broken at line {}", ids[1])), "{text}");

    // Put back, the chain holds again; a line removed breaks the next one.
    execute(&app, &format!("UPDATE audit_log SET detail = replace(detail, '999', '101') WHERE id = {}", ids[1])).await;
    assert_eq!(app.get("/v1/admin/audit/verify", Some(&staff)).await.1["broken"], serde_json::Value::Null);
    execute(&app, &format!("DELETE FROM audit_log WHERE id = {}", ids[2])).await;
    let (_, check) = app.get("/v1/admin/audit/verify", Some(&staff)).await;
    assert_eq!(check["broken"]["id"].as_i64(), Some(ids[3]), "{check}");
    assert!(!audit_check(&app).0);

    // Players may not look.
    let player = app.signed_in("nosy").await;
    assert_eq!(app.get("/v1/admin/audit/verify", Some(player["access_token"].as_str().unwrap())).await.0, 403);
    app.stop().await;
}

#[actix_web::test]
async fn the_audit_chain_on_sqlite() {
    the_chain_holds_until_tampered(Db::Sqlite).await;
}

#[actix_web::test]
async fn the_audit_chain_on_postgres() {
    the_chain_holds_until_tampered(Db::Postgres).await;
}
