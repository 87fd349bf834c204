//! GDPR erasure against the real server on both backends: a player who has
//! played, paid in and out and kept a profile erases their account. It is
//! refused, changing nothing, while a withdrawal is under way or money is
//! theirs, or with a wrong password; then their personal data is gone
//! (profile, sessions, second factor, sign-ins; username pseudonymised,
//! password unusable), their tokens refused at once and after a restart,
//! their socket closed — and the ledger, rounds and payments are all still
//! there, tied to their number.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::sandbox::{until_payment, with_payments};
use common::ws::Player;
use common::{Db, TestApp, code};
use croupier_server::settings::Secret;
use serde_json::{Value, json};

const KEYS: &str = "a:1111111111111111111111111111111111111111111111111111111111111111";

async fn erase(app: &TestApp, token: &str, password: &str) -> (u16, Value) {
    app.post("/v1/me/erase", &json!({ "password": password }), Some(token)).await
}

async fn withdraw(app: &TestApp, token: &str, amount: i64) -> Value {
    let body = json!({ "amount": amount, "currency": "EUR", "destination": "acct_ok" });
    let (s, answer) = app.post("/v1/wallet/withdrawals", &body, Some(token)).await;
    assert_eq!(s, 201, "{answer}");
    answer["payment"].clone()
}

async fn erasure_takes_the_person_and_keeps_the_record(kind: Db) {
    let (app, _sandbox) = with_payments(kind, |s| {
        s.pii_keys = Some(Secret(KEYS.as_bytes().to_vec()));
        s.payments.review_above = 1_000;
        s.ws.messages_per_second = 10_000;
        s.ws.message_burst = 10_000;
    })
    .await;
    let tokens = app.signed_in("gia").await;
    let (token, refresh) =
        (tokens["access_token"].as_str().unwrap().to_owned(), tokens["refresh_token"].as_str().unwrap().to_owned());
    let mut gia = Player::connect(&app, "gia", &token).await;
    app.fund(gia.id, "EUR", 5_000).await;
    let opened = gia.request(json!({ "type": "session.open", "game": "slots" })).await;
    let session = opened["session"].as_str().unwrap().to_owned();
    let spin = json!({ "type": "act", "session": session, "action": { "type": "spin", "line_bet": 1 } });
    assert_eq!(gia.request(spin).await["type"], "ok");
    gia.event("spun").await;
    let profile = json!({ "email": "gia@example.com", "name": "Gia Rossi", "phone": "+39 06 123456",
        "address": null, "document_number": "AB1234567" });
    let (s, body) =
        app.put("/v1/me/profile", &json!({ "password": "a fine password", "profile": profile }), Some(&token)).await;
    assert_eq!(s, 200, "{body}");
    let operator = app.operator_token("olga").await;

    // Refusals change nothing.
    let (s, refused) = erase(&app, &token, "not the password").await;
    assert_eq!((s, code(&refused)), (403, "wrong_password"));
    let big = withdraw(&app, &token, app.available(gia.id, "EUR").await - 100).await;
    assert_eq!(big["status"], "review");
    let (s, refused) = erase(&app, &token, "a fine password").await;
    assert_eq!((s, code(&refused)), (409, "payment_open"), "{refused}");
    let big = big["id"].as_i64().unwrap();
    let approve = format!("/v1/admin/withdrawals/{big}/approve");
    assert_eq!(app.post(&approve, &json!({ "reason": "checked" }), Some(&operator)).await.0, 200);
    until_payment(&app, &token, big, "paid").await;
    let (s, refused) = erase(&app, &token, "a fine password").await;
    assert_eq!((s, code(&refused)), (409, "balance_not_empty"), "{refused}");
    assert_eq!(app.get("/v1/me/profile", Some(&token)).await.1["email"], "gia@example.com", "still theirs");
    let small = withdraw(&app, &token, 100).await["id"].as_i64().unwrap();
    until_payment(&app, &token, small, "paid").await;
    // A deposit started and never paid does not hold an erasure up.
    let (s, started) =
        app.post("/v1/wallet/deposits", &json!({ "amount": 500, "currency": "EUR" }), Some(&token)).await;
    assert_eq!(s, 201, "{started}");
    let unpaid = started["payment"]["id"].as_i64().unwrap();
    let ledger_before = app.store.transactions(gia.id, None, 200).await.unwrap().len();
    let rounds_before = app.store.export_of(gia.id).await.unwrap()["rounds"].as_array().unwrap().len();
    assert!(ledger_before >= 4 && rounds_before >= 1, "{ledger_before} {rounds_before}");

    let (s, done) = erase(&app, &token, "a fine password").await;
    assert_eq!(s, 200, "{done}");
    assert_eq!((done["status"].as_str(), done["user_id"].as_i64()), (Some("erased"), Some(gia.id)));
    assert!(done["kept"].as_array().unwrap().iter().any(|k| k["table"] == "wallet_entries"), "{done}");
    assert!(!done["erased"].as_array().unwrap().is_empty());

    // Their socket is told and closed; their tokens are refused everywhere.
    let closing = gia.wait_for(|m| m["type"] == "closing").await;
    assert_eq!(closing["code"], "account_erased");
    let (s, refused) = app.get("/v1/me/export", Some(&token)).await;
    assert_eq!((s, code(&refused)), (401, "account_erased"));
    let mut ws = common::ws::open(&app).await;
    assert_eq!(common::ws::next(&mut ws).await.unwrap()["type"], "hello");
    common::ws::send(&mut ws, json!({ "type": "auth", "id": 1, "token": token })).await;
    let answer = common::ws::next(&mut ws).await.unwrap();
    assert_eq!(answer["code"], "account_erased", "{answer}");
    let (s, refused) = app.post("/v1/auth/refresh", &json!({ "refresh_token": refresh }), None).await;
    assert_eq!((s, code(&refused)), (401, "invalid_refresh_token"));
    let creds = json!({ "username": "gia", "password": "a fine password" });
    assert_eq!(code(&app.post("/v1/auth/login", &creds, None).await.1), "invalid_credentials");

    // What named them is gone; what the law keeps is all there.
    let store = &app.store;
    let account = store.user_by_id(gia.id).await.unwrap().unwrap();
    assert_eq!(account.username, format!("erased:{}", gia.id));
    assert!(!croupier_server::auth::verify_password("a fine password", &account.password_hash));
    assert!(store.user_by_name("gia").await.unwrap().is_none());
    assert!(store.sealed_profile(gia.id).await.unwrap().is_none());
    let left = store.export_of(gia.id).await.unwrap();
    for gone in ["sessions", "second_factor", "recovery_codes", "password_resets", "sign_ins"] {
        assert_eq!(left[gone], json!([]), "{gone}");
    }
    assert_eq!(store.transactions(gia.id, None, 200).await.unwrap().len(), ledger_before);
    assert_eq!(left["rounds"].as_array().unwrap().len(), rounds_before);
    let status =
        |id: i64| left["payments"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["status"].clone();
    assert_eq!((status(big), status(unpaid)), (json!("paid"), json!("failed")));
    assert!(store.ledger_violations(10).await.unwrap().is_empty());
    let audit = store.audit_log(None, 50).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "gdpr.erase" && a.actor == gia.id), "audited");
    assert!(store.verify_audit().await.unwrap().broken.is_none(), "the chain still holds");
    // The name is free again, for someone else.
    let again = app.signed_in("gia").await;
    assert_ne!(store.user_by_name("gia").await.unwrap().unwrap().id, gia.id, "{again}");

    // A restart forgets nothing: the old token stays refused.
    let app = app.restart().await;
    let (s, refused) = app.get("/v1/wallet", Some(&token)).await;
    assert_eq!((s, code(&refused)), (401, "account_erased"));
    app.stop().await;
}

#[actix_web::test]
async fn erasure_takes_the_person_and_keeps_the_record_postgres() {
    erasure_takes_the_person_and_keeps_the_record(Db::Postgres).await;
}

#[actix_web::test]
async fn erasure_takes_the_person_and_keeps_the_record_sqlite() {
    erasure_takes_the_person_and_keeps_the_record(Db::Sqlite).await;
}

#[actix_web::test]
async fn staff_and_second_factor_accounts_are_asked_more() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.rate_limit.enabled = false).await;
    let operator = app.operator_token("olga").await;
    let (s, refused) = erase(&app, &operator, "operator password").await;
    assert_eq!((s, code(&refused)), (403, "forbidden"));
    let token = app.signed_in("ivo").await["access_token"].as_str().unwrap().to_owned();
    let (_, enrolment) = app.post("/v1/me/mfa/totp", &json!({ "password": "a fine password" }), Some(&token)).await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let first = croupier_server::mfa::code_at(&secret, now).unwrap();
    let (s, body) = app.post("/v1/me/mfa/totp/confirm", &json!({ "code": first }), Some(&token)).await;
    assert_eq!(s, 200, "{body}");
    let recovery = body["recovery_codes"][0].as_str().unwrap().to_owned();
    let (s, refused) = erase(&app, &token, "a fine password").await;
    assert_eq!((s, code(&refused)), (403, "mfa_required"));
    let bad = json!({ "password": "a fine password", "otp": "000000" });
    assert_eq!(code(&app.post("/v1/me/erase", &bad, Some(&token)).await.1), "invalid_mfa_code");
    assert_eq!(app.get("/v1/me/mfa", Some(&token)).await.0, 200, "nothing changed");
    let good = json!({ "password": "a fine password", "otp": recovery });
    let (s, done) = app.post("/v1/me/erase", &good, Some(&token)).await;
    assert_eq!(s, 200, "{done}");
    let id = done["user_id"].as_i64().unwrap();
    assert!(app.store.totp(id).await.unwrap().is_none(), "the second factor is gone");
    app.stop().await;
}

#[actix_web::test]
async fn two_erasures_at_once_erase_once() {
    let app = TestApp::spawn_with(Db::Postgres, |s| s.rate_limit.enabled = false).await;
    let token = app.signed_in("joy").await["access_token"].as_str().unwrap().to_owned();
    let ((a, first), (b, second)) =
        tokio::join!(erase(&app, &token, "a fine password"), erase(&app, &token, "a fine password"));
    let mut answers = [(a, code(&first).to_owned()), (b, code(&second).to_owned())];
    answers.sort();
    assert_eq!(answers, [(200, "<no error code>".to_owned()), (401, "account_erased".to_owned())], "{first} {second}");
    let (s, refused) = app.get("/v1/wallet", Some(&token)).await;
    assert_eq!((s, code(&refused)), (401, "account_erased"), "the loser does not let the tokens back in");
    let audit = app.store.audit_log(None, 50).await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "gdpr.erase").count(), 1);
    app.stop().await;
}
