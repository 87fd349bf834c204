//! TOTP second factors against the real server, on both backends: enrol
//! (password first), confirm with the app's code, ten recovery codes shown
//! once; login then needs a code, takes each code once (a replay is
//! refused) and each recovery code once; a password change steps up with a
//! code; removal needs the password and a code. With
//! `auth.staff_mfa_required`, staff routes refuse a login without one.
//! The test plays the authenticator app with the secret it was given.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Db, TestApp, code};
use croupier_server::mfa;
use serde_json::{Value, json};

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

async fn login(app: &TestApp, name: &str, otp: Option<&str>) -> (u16, Value) {
    let mut body = json!({ "username": name, "password": "a fine password" });
    if let Some(otp) = otp {
        body["otp"] = json!(otp);
    }
    app.post("/v1/auth/login", &body, None).await
}

/// Enrols and confirms `token`'s account; (secret, recovery codes).
async fn enrolled(app: &TestApp, token: &str, password: &str) -> (String, Vec<String>) {
    let (status, begun) = app.post("/v1/me/mfa/totp", &json!({ "password": password }), Some(token)).await;
    assert_eq!(status, 200, "{begun}");
    let secret = begun["secret"].as_str().unwrap().to_owned();
    let code = mfa::code_at(&secret, now_secs()).unwrap();
    let (status, confirmed) = app.post("/v1/me/mfa/totp/confirm", &json!({ "code": code }), Some(token)).await;
    assert_eq!(status, 200, "{confirmed}");
    let codes = confirmed["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned());
    (secret, codes.collect())
}

async fn second_factor_flow(kind: Db) {
    // Every wrong code here counts as a failed login: let them all through.
    let app = TestApp::spawn_with(kind, |s| {
        s.rate_limit.enabled = false;
        s.auth.login_failures_per_account = 100;
    })
    .await;
    let tokens = app.signed_in("mia").await;
    let token = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.get("/v1/me/mfa", Some(token)).await.1, json!({ "totp": "off", "recovery_codes_left": 0 }));

    // Enrol: the password first; the secret and its URI come back.
    let (s, body) = app.post("/v1/me/mfa/totp", &json!({ "password": "not it" }), Some(token)).await;
    assert_eq!((s, code(&body)), (403, "wrong_password"));
    let (s, begun) = app.post("/v1/me/mfa/totp", &json!({ "password": "a fine password" }), Some(token)).await;
    assert_eq!(s, 200, "{begun}");
    let secret = begun["secret"].as_str().unwrap().to_owned();
    let uri = begun["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Croupier:mia?") && uri.contains(&secret), "{uri}");
    assert_eq!(app.get("/v1/me/mfa", Some(token)).await.1["totp"], "pending");
    assert_eq!(login(&app, "mia", None).await.0, 200, "a pending enrolment asks nothing at login");

    // Confirm with the app's code: a wrong one is refused, the right one
    // gives ten recovery codes.
    let right = mfa::code_at(&secret, now_secs()).unwrap();
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let (s, body) = app.post("/v1/me/mfa/totp/confirm", &json!({ "code": wrong }), Some(token)).await;
    assert_eq!((s, code(&body)), (400, "invalid_mfa_code"));
    let (s, confirmed) = app.post("/v1/me/mfa/totp/confirm", &json!({ "code": right }), Some(token)).await;
    assert_eq!(s, 200, "{confirmed}");
    let recovery: Vec<String> =
        confirmed["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(app.get("/v1/me/mfa", Some(token)).await.1, json!({ "totp": "on", "recovery_codes_left": 10 }));
    let (s, body) = app.post("/v1/me/mfa/totp", &json!({ "password": "a fine password" }), Some(token)).await;
    assert_eq!((s, code(&body)), (409, "mfa_enabled"));
    let (s, body) = app.post("/v1/me/mfa/totp/confirm", &json!({ "code": right }), Some(token)).await;
    assert_eq!((s, code(&body)), (409, "mfa_not_pending"));

    // Login needs a code now, and takes each one once.
    let (s, body) = login(&app, "mia", None).await;
    assert_eq!((s, code(&body)), (401, "mfa_required"));
    let (s, body) = login(&app, "mia", Some(&right)).await;
    assert_eq!((s, code(&body)), (401, "invalid_mfa_code"), "the confirming code is spent");
    let next = mfa::code_at(&secret, now_secs() + 30).unwrap();
    assert_eq!(login(&app, "mia", Some(&next)).await.0, 200, "the next step's code (one step of drift)");
    let (s, body) = login(&app, "mia", Some(&next)).await;
    assert_eq!((s, code(&body)), (401, "invalid_mfa_code"), "a code is not taken twice");
    let (s, body) = login(&app, "mia", Some(&recovery[0].to_uppercase())).await;
    assert_eq!(s, 200, "a recovery code, typed loosely: {body}");
    let (s, body) = login(&app, "mia", Some(&recovery[0])).await;
    assert_eq!((s, code(&body)), (401, "invalid_mfa_code"), "a recovery code is spent once");
    assert_eq!(app.get("/v1/me/mfa", Some(token)).await.1["recovery_codes_left"], 9);

    // Step-up: a password change wants a code too.
    let change = |otp: Option<&str>| {
        let mut b = json!({ "current_password": "a fine password", "new_password": "a better password" });
        if let Some(otp) = otp {
            b["otp"] = json!(otp);
        }
        b
    };
    let (s, body) = app.post("/v1/me/password", &change(None), Some(token)).await;
    assert_eq!((s, code(&body)), (403, "mfa_required"));
    let (s, body) = app.post("/v1/me/password", &change(Some("12345678901")), Some(token)).await;
    assert_eq!((s, code(&body)), (403, "invalid_mfa_code"));
    let (s, body) = app.post("/v1/me/password", &change(Some(&recovery[1])), Some(token)).await;
    assert_eq!(s, 204, "{body}");

    // Removal: the password and a code; then login asks none.
    let new_login = |otp: &str| json!({ "username": "mia", "password": "a better password", "otp": otp });
    let (s, fresh) = app.post("/v1/auth/login", &new_login(&recovery[2]), None).await;
    assert_eq!(s, 200, "{fresh}");
    let token = fresh["access_token"].as_str().unwrap();
    let remove = |otp: &str| json!({ "password": "a better password", "otp": otp });
    let del = |body: Value| app.http.delete(app.url("/v1/me/mfa/totp")).bearer_auth(token).json(&body).send();
    assert_eq!(del(remove(&recovery[2])).await.unwrap().status(), 403, "a spent code removes nothing");
    assert_eq!(del(remove(&recovery[3])).await.unwrap().status(), 204);
    assert_eq!(app.get("/v1/me/mfa", Some(token)).await.1, json!({ "totp": "off", "recovery_codes_left": 0 }));
    let plain = json!({ "username": "mia", "password": "a better password" });
    assert_eq!(app.post("/v1/auth/login", &plain, None).await.0, 200);
    app.stop().await;
}

#[actix_web::test]
async fn a_second_factor_on_sqlite() {
    second_factor_flow(Db::Sqlite).await;
}

#[actix_web::test]
async fn a_second_factor_on_postgres() {
    second_factor_flow(Db::Postgres).await;
}

#[actix_web::test]
async fn staff_routes_need_a_second_factor_when_the_settings_say_so() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.rate_limit.enabled = false;
        s.auth.staff_mfa_required = true;
    })
    .await;
    let token = app.operator_token("olga").await;
    let (s, body) = app.get("/v1/admin/audit", Some(&token)).await;
    assert_eq!((s, code(&body)), (403, "mfa_required"), "{body}");
    assert_eq!(app.get("/v1/me", Some(&token)).await.0, 200, "their own routes still work");
    let (secret, _) = enrolled(&app, &token, "operator password").await;
    let creds = |otp: String| json!({ "username": "olga", "password": "operator password", "otp": otp });
    let (s, tokens) = app.post("/v1/auth/login", &creds(mfa::code_at(&secret, now_secs() + 30).unwrap()), None).await;
    assert_eq!(s, 200, "{tokens}");
    let (s, body) = app.get("/v1/admin/audit", Some(tokens["access_token"].as_str().unwrap())).await;
    assert_eq!(s, 200, "{body}");
    // A player is never asked.
    let player = app.signed_in("pat").await;
    assert_eq!(app.get("/v1/tables", Some(player["access_token"].as_str().unwrap())).await.0, 200);
    app.stop().await;
}
