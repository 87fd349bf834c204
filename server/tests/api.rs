//! The HTTP API against the real server on port 0: health, readiness,
//! metrics, the auth flows, bad input and shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Db, TestApp, code};
use croupier_server::auth::Tokens;
use croupier_server::store::Role;
use serde_json::{Value, json};
use sqlx::Connection;

#[actix_web::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn(Db::Postgres).await;
    assert_eq!(app.get("/healthz", None).await, (200, json!({ "status": "ok" })));
    let (status, ready) = app.get("/readyz", None).await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!((ready["database"]["status"].as_str(), ready["cache"]["status"].as_str()), (Some("ok"), Some("ok")));
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(r#"croupier_http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("croupier_http_request_duration_seconds_bucket"), "{metrics}");
    assert!(metrics.contains("croupier_db_pool_connections"), "{metrics}");
    app.stop().await;
}

#[actix_web::test]
async fn readiness_fails_when_the_database_goes_away() {
    let app = TestApp::spawn(Db::Postgres).await;
    let name = url::Url::parse(&app.database_url()).unwrap().path().trim_start_matches('/').to_owned();
    let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut c).await.unwrap();
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["database"]["status"], "down");
    assert_eq!(body["cache"]["status"], "ok");
    assert_eq!(app.get("/healthz", None).await.0, 200, "the process itself is still up");
    app.stop().await;
}

#[actix_web::test]
async fn register_login_refresh_logout() {
    let app = TestApp::spawn(Db::Postgres).await;
    let creds = json!({ "username": "Alice", "password": "correct horse battery" });
    let (status, me) = app.post("/v1/auth/register", &creds, None).await;
    assert_eq!(status, 201, "{me}");
    assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some("alice"), Some("player")));
    let (status, dup) =
        app.post("/v1/auth/register", &json!({ "username": "alice", "password": "another good one" }), None).await;
    assert_eq!((status, code(&dup)), (409, "username_taken"));

    let (status, tokens) = app.post("/v1/auth/login", &creds, None).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap();
    let refresh1 = tokens["refresh_token"].as_str().unwrap().to_owned();
    let (status, me) = app.get("/v1/me", Some(access)).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("alice")));

    // Rotation: a new pair; the old refresh token is then spent.
    let (status, rotated) = app.post("/v1/auth/refresh", &json!({ "refresh_token": refresh1 }), None).await;
    assert_eq!(status, 200, "{rotated}");
    let refresh2 = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh1, refresh2);
    assert_eq!(app.get("/v1/me", rotated["access_token"].as_str()).await.0, 200);
    // Reusing the spent token revokes the whole family, the fresh one included.
    let (status, reuse) = app.post("/v1/auth/refresh", &json!({ "refresh_token": refresh1 }), None).await;
    assert_eq!((status, code(&reuse)), (401, "invalid_refresh_token"));
    let (status, body) = app.post("/v1/auth/refresh", &json!({ "refresh_token": refresh2 }), None).await;
    assert_eq!((status, code(&body)), (401, "invalid_refresh_token"), "the family is revoked");

    // Logout revokes; logging out again is fine.
    let (_, fresh) = app.post("/v1/auth/login", &creds, None).await;
    let refresh3 = fresh["refresh_token"].as_str().unwrap();
    assert_eq!(app.post("/v1/auth/logout", &json!({ "refresh_token": refresh3 }), None).await.0, 204);
    assert_eq!(app.post("/v1/auth/logout", &json!({ "refresh_token": refresh3 }), None).await.0, 204);
    let (status, body) = app.post("/v1/auth/refresh", &json!({ "refresh_token": refresh3 }), None).await;
    assert_eq!((status, code(&body)), (401, "invalid_refresh_token"));
    app.stop().await;
}

#[actix_web::test]
async fn login_does_not_reveal_which_usernames_exist() {
    let app = TestApp::spawn(Db::Postgres).await;
    app.signed_in("carol").await;
    let wrong = app.post("/v1/auth/login", &json!({ "username": "carol", "password": "not her password" }), None).await;
    let unknown =
        app.post("/v1/auth/login", &json!({ "username": "nobody", "password": "not her password" }), None).await;
    assert_eq!(wrong, unknown);
    assert_eq!((wrong.0, code(&wrong.1)), (401, "invalid_credentials"));
    app.stop().await;
}

#[actix_web::test]
async fn changing_the_password_signs_out_everywhere() {
    let app = TestApp::spawn(Db::Postgres).await;
    let tokens = app.signed_in("dave").await;
    let access = tokens["access_token"].as_str().unwrap();
    let change = |current: &str, new: &str| json!({ "current_password": current, "new_password": new });
    let (status, body) = app.post("/v1/me/password", &change("wrong password", "a newer password"), Some(access)).await;
    assert_eq!((status, code(&body)), (403, "wrong_password"));
    let (status, body) = app.post("/v1/me/password", &change("a fine password", "short"), Some(access)).await;
    assert_eq!((status, code(&body)), (400, "invalid_password"));
    let (status, _) = app.post("/v1/me/password", &change("a fine password", "a newer password"), Some(access)).await;
    assert_eq!(status, 204);
    let old = app.post("/v1/auth/login", &json!({ "username": "dave", "password": "a fine password" }), None).await;
    assert_eq!(old.0, 401);
    let new = app.post("/v1/auth/login", &json!({ "username": "dave", "password": "a newer password" }), None).await;
    assert_eq!(new.0, 200);
    let (status, _) = app.post("/v1/auth/refresh", &json!({ "refresh_token": tokens["refresh_token"] }), None).await;
    assert_eq!(status, 401, "the old session's refresh token was revoked");
    app.stop().await;
}

#[actix_web::test]
async fn bad_input_gets_a_stable_code_and_changes_nothing() {
    let app = TestApp::spawn(Db::Postgres).await;
    let raw = |body: &'static str, content_type: &'static str| {
        app.http.post(app.url("/v1/auth/register")).header("content-type", content_type).body(body).send()
    };
    let cases: Vec<(&str, &str, u16, &str)> = vec![
        ("{not json", "application/json", 400, "malformed_json"),
        (r#"{"username": "eve"}"#, "application/json", 400, "invalid_body"),
        (
            r#"{"username": "eve", "password": "long enough pw", "role": "admin"}"#,
            "application/json",
            400,
            "invalid_body",
        ),
        (r#"{"username": 7, "password": "long enough pw"}"#, "application/json", 400, "invalid_body"),
        (r#"{"username": "eve", "password": "long enough pw"}"#, "text/plain", 415, "unsupported_media_type"),
        (r#"{"username": "e", "password": "long enough pw"}"#, "application/json", 400, "invalid_username"),
        (r#"{"username": "eve ok?", "password": "long enough pw"}"#, "application/json", 400, "invalid_username"),
        (r#"{"username": "eve", "password": "short"}"#, "application/json", 400, "invalid_password"),
    ];
    for (body, content_type, status, expected) in cases {
        let res = raw(body, content_type).await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{body}");
        let json: Value = res.json().await.unwrap();
        assert_eq!(code(&json), expected, "{body}: {json}");
        assert!(json["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
    }
    let huge = format!(r#"{{"username": "eve", "password": "{}"}}"#, "x".repeat(100_000));
    let res = app.http.post(app.url("/v1/auth/register")).header("content-type", "application/json").body(huge);
    let res = res.send().await.unwrap();
    assert_eq!(res.status().as_u16(), 413);
    assert_eq!(code(&res.json().await.unwrap()), "body_too_large");
    assert_eq!(app.store.user_by_name("eve").await.unwrap(), None, "no bad request created an account");
    assert_eq!(code(&app.get("/v1/nothing-here", None).await.1), "not_found");
    app.stop().await;
}

#[actix_web::test]
async fn tokens_are_checked() {
    let app = TestApp::spawn(Db::Postgres).await;
    let (status, body) = app.get("/v1/me", None).await;
    assert_eq!((status, code(&body)), (401, "unauthorized"));
    let (status, body) = app.get("/v1/me", Some("not.a.token")).await;
    assert_eq!((status, code(&body)), (401, "invalid_token"));
    let same_key = Tokens::new(&[42; 32], 900);
    let expired = same_key.issue(1, "ghost", Role::Player, 1_000_000_000, false).unwrap();
    let (status, body) = app.get("/v1/me", Some(&expired)).await;
    assert_eq!((status, code(&body)), (401, "token_expired"));
    let other_key = Tokens::new(&[7; 32], 900);
    let forged = other_key
        .issue(1, "ghost", Role::Admin, (croupier_server::clock::Clock::system().now_ms() / 1000) as u64, false)
        .unwrap();
    let (status, body) = app.get("/v1/me", Some(&forged)).await;
    assert_eq!((status, code(&body)), (401, "invalid_token"));
    app.stop().await;
}

#[actix_web::test]
async fn the_embedded_database_serves_the_same_api() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let tokens = app.signed_in("frank").await;
    let (status, me) = app.get("/v1/me", tokens["access_token"].as_str()).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("frank")));
    let (status, _) = app.post("/v1/auth/refresh", &json!({ "refresh_token": tokens["refresh_token"] }), None).await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/readyz", None).await.0, 200);
    app.stop().await;
}

#[actix_web::test]
async fn a_stopped_server_refuses_connections() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let url = app.url("/healthz");
    assert_eq!(app.http.get(&url).send().await.unwrap().status().as_u16(), 200);
    app.stop().await;
    // A new connection (the old client's kept-alive one may outlive the stop
    // by the moment its worker thread takes to drop it).
    let fresh = reqwest::Client::new();
    assert!(fresh.get(&url).send().await.is_err(), "nothing listens after a stop");
}

#[actix_web::test]
async fn the_api_is_rate_limited_per_client_but_health_is_not() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.rate_limit.per_second = 1;
        s.rate_limit.burst = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.get("/v1/me", None).await.0, 401, "within the burst: answered");
    }
    let res = app.http.get(app.url("/v1/me")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(code(&res.json().await.unwrap()), "rate_limited");
    for _ in 0..5 {
        assert_eq!(app.get("/healthz", None).await.0, 200, "health is never limited");
    }
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.get("/v1/me", None).await.0, 401, "after Retry-After the client is let in again");
    app.stop().await;
}
