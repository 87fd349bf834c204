//! Payments through the sandbox provider, against the real server on both
//! backends. The sandbox runs on a port of its own with its own API,
//! payment page and asynchronous signed webhooks, as a real provider does.
//! Deposits are credited exactly once whatever the webhooks' order or
//! repetition (its chaos card delivers them out of order and twice, and a
//! captured webhook is replayed); a bad or missing signature, a stale one,
//! a malformed body and an event that does not match its payment are
//! refused or ignored without moving money. Withdrawals hold the money,
//! wait for an operator above the threshold, pay out or come back, and a
//! restart does not hand back a hold that may still be paid out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::sandbox::now_secs;
use common::{Db, TestApp, code};
use serde_json::{Value, json};

const SECRET: &str = common::sandbox::PAY_SECRET;
const API_KEY: &str = common::sandbox::PAY_KEY;

/// A server with the sandbox as its provider, and the sandbox's base URL.
async fn with_sandbox(kind: Db, review_above: i64) -> (TestApp, String) {
    common::sandbox::with_payments(kind, move |s| s.payments.review_above = review_above).await
}

/// Waits (20 s at most) until payment `id` of `token`'s player is `status`.
async fn until(app: &TestApp, token: &str, id: i64, status: &str) -> Value {
    common::sandbox::until_payment(app, token, id, status).await
}

/// Every webhook attempt the sandbox made.
async fn deliveries(sandbox: &str) -> Vec<Value> {
    common::sandbox::deliveries(sandbox, API_KEY).await
}

/// Starts a deposit and pays it with `card` on the sandbox's page; the id.
async fn deposit(app: &TestApp, token: &str, amount: i64, card: &str) -> i64 {
    common::sandbox::deposit(app, token, amount, card).await
}

async fn webhook(app: &TestApp, signature: Option<&str>, body: &str) -> (u16, Value) {
    common::sandbox::webhook(app, "/v1/payments/sandbox/webhook", signature, body).await
}

async fn deposits_are_credited_once(kind: Db) {
    let (app, sandbox) = with_sandbox(kind, 100_000).await;
    let token = app.signed_in("pia").await["access_token"].as_str().unwrap().to_owned();
    let me = app.store.user_by_name("pia").await.unwrap().unwrap().id;

    let paid = deposit(&app, &token, 2_500, "4242 4242 4242 4242").await;
    assert_eq!(until(&app, &token, paid, "succeeded").await["amount"], 2_500);
    assert_eq!(app.available(me, "EUR").await, 2_500);

    // Out of order and twice: succeeded, pending, succeeded again.
    let chaos = deposit(&app, &token, 1_000, "4000000000000259").await;
    until(&app, &token, chaos, "succeeded").await;
    let reference = format!("\"pay-{chaos}\"");
    for _ in 0..200 {
        let ours: Vec<Value> = deliveries(&sandbox)
            .await
            .into_iter()
            .filter(|d| d["body"].as_str().unwrap().contains(&reference))
            .collect();
        if ours.len() >= 3 && ours.iter().all(|d| d["status"] == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(until(&app, &token, chaos, "succeeded").await["status"], "succeeded", "a late pending changes nothing");
    assert_eq!(app.available(me, "EUR").await, 3_500, "credited once");

    let declined = deposit(&app, &token, 700, "4000000000000002").await;
    until(&app, &token, declined, "failed").await;
    assert_eq!(app.available(me, "EUR").await, 3_500);

    // A captured webhook sent again: taken as a duplicate, nothing moves.
    let all = deliveries(&sandbox).await;
    let captured = all.iter().find(|d| d["type"] == "payment.succeeded" && d["status"] == 200).unwrap();
    let (body, signature) = (captured["body"].as_str().unwrap(), captured["signature"].as_str().unwrap());
    assert_eq!(webhook(&app, Some(signature), body).await, (200, json!({ "outcome": "duplicate" })));

    // Forged, missing, stale, malformed: refused.
    let forged = croupier_server::payments::sign(b"not the secret", now_secs(), body.as_bytes());
    let (s, answer) = webhook(&app, Some(&forged), body).await;
    assert_eq!((s, code(&answer)), (400, "invalid_signature"));
    let (s, answer) = webhook(&app, None, body).await;
    assert_eq!((s, code(&answer)), (400, "invalid_signature"));
    let old = croupier_server::payments::sign(SECRET.as_bytes(), now_secs() - 301, body.as_bytes());
    let (s, answer) = webhook(&app, Some(&old), body).await;
    assert_eq!((s, code(&answer)), (400, "stale_webhook"));
    let garbage = "{\"id\": 1}";
    let signed = croupier_server::payments::sign(SECRET.as_bytes(), now_secs(), garbage.as_bytes());
    let (s, answer) = webhook(&app, Some(&signed), garbage).await;
    assert_eq!((s, code(&answer)), (400, "invalid_webhook"));

    // Signed right but not matching its payment (the amount), or no
    // payment of ours: nothing is credited.
    let (_, started) =
        app.post("/v1/wallet/deposits", &json!({ "amount": 900, "currency": "EUR" }), Some(&token)).await;
    let open = started["payment"]["id"].as_i64().unwrap();
    for (reference, amount, outcome) in
        [(format!("pay-{open}"), 90_000, "mismatch"), ("pay-999999".into(), 900, "unknown_payment")]
    {
        let event = json!({ "id": format!("evt_forged_{outcome}"), "type": "payment.succeeded", "created": now_secs(),
            "data": { "id": "pi_x", "reference": reference, "amount": amount, "currency": "EUR" } })
        .to_string();
        let signed = croupier_server::payments::sign(SECRET.as_bytes(), now_secs(), event.as_bytes());
        assert_eq!(webhook(&app, Some(&signed), &event).await, (200, json!({ "outcome": outcome })));
    }
    assert_eq!(app.available(me, "EUR").await, 3_500);
    assert!(app.store.ledger_violations(10).await.unwrap().is_empty());
    let audit = app.store.audit_log(None, 50).await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "payment.deposit").count(), 2, "one line per credit");
    assert_eq!(audit.iter().filter(|a| a.action == "payment.mismatch").count(), 1);
    app.stop().await;
}

#[actix_web::test]
async fn deposits_are_credited_once_postgres() {
    deposits_are_credited_once(Db::Postgres).await;
}

#[actix_web::test]
async fn deposits_are_credited_once_sqlite() {
    deposits_are_credited_once(Db::Sqlite).await;
}

async fn held(app: &TestApp, player: i64) -> (i64, i64) {
    let balances = app.store.balances(player).await.unwrap();
    balances.iter().find(|b| b.currency == "EUR").map_or((0, 0), |b| (b.available, b.held))
}

async fn withdrawals_hold_then_pay_or_return(kind: Db) {
    let (app, _sandbox) = with_sandbox(kind, 5_000).await;
    let token = app.signed_in("wes").await["access_token"].as_str().unwrap().to_owned();
    let me = app.store.user_by_name("wes").await.unwrap().unwrap().id;
    app.fund(me, "EUR", 10_000).await;
    let operator = app.operator_token("olga").await;
    let withdraw =
        |amount: i64, destination: &str| json!({ "amount": amount, "currency": "EUR", "destination": destination });

    // Refusals change nothing.
    for (body, status, want) in [
        (withdraw(0, "acct_ok"), 400, "invalid_amount"),
        (withdraw(100, "acct ok"), 400, "invalid_destination"),
        (json!({ "amount": 100, "currency": "EUR" }), 400, "invalid_body"),
        (withdraw(20_000, "acct_ok"), 409, "insufficient_funds"),
    ] {
        let (s, answer) = app.post("/v1/wallet/withdrawals", &body, Some(&token)).await;
        assert_eq!((s, code(&answer)), (status, want), "{body}");
    }
    assert_eq!(app.get("/v1/wallet/payments", Some(&token)).await.1["payments"], json!([]));
    assert_eq!(held(&app, me).await, (10_000, 0));

    // At or below the threshold: paid out at once.
    let (s, answer) = app.post("/v1/wallet/withdrawals", &withdraw(2_000, "acct_ok"), Some(&token)).await;
    assert_eq!(s, 201, "{answer}");
    until(&app, &token, answer["payment"]["id"].as_i64().unwrap(), "paid").await;
    assert_eq!(held(&app, me).await, (8_000, 0));
    // A payout that fails hands the money back.
    let (_, answer) = app.post("/v1/wallet/withdrawals", &withdraw(1_000, "fail_closed"), Some(&token)).await;
    until(&app, &token, answer["payment"]["id"].as_i64().unwrap(), "failed").await;
    assert_eq!(held(&app, me).await, (8_000, 0));

    // Above it: held until an operator approves.
    let (_, answer) = app.post("/v1/wallet/withdrawals", &withdraw(6_000, "acct_ok"), Some(&token)).await;
    assert_eq!(answer["payment"]["status"], "review");
    let big = answer["payment"]["id"].as_i64().unwrap();
    assert_eq!(held(&app, me).await, (2_000, 6_000));
    let (_, queue) = app.get("/v1/admin/withdrawals", Some(&operator)).await;
    assert_eq!(
        queue["withdrawals"].as_array().unwrap().iter().map(|w| w["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        [big]
    );
    let (s, answer) =
        app.post(&format!("/v1/admin/withdrawals/{big}/approve"), &json!({ "reason": "" }), Some(&operator)).await;
    assert_eq!((s, code(&answer)), (400, "invalid_reason"));
    let (s, answer) = app
        .post(&format!("/v1/admin/withdrawals/{big}/approve"), &json!({ "reason": "checked" }), Some(&operator))
        .await;
    assert_eq!(s, 200, "{answer}");
    until(&app, &token, big, "paid").await;
    assert_eq!(held(&app, me).await, (2_000, 0));

    // A held withdrawal survives a restart (recovery voids table rounds,
    // never a hold the provider may still pay), then is rejected.
    app.fund(me, "EUR", 11_000).await;
    let (_, answer) = app.post("/v1/wallet/withdrawals", &withdraw(7_000, "acct_ok"), Some(&token)).await;
    let second = answer["payment"]["id"].as_i64().unwrap();
    let app = app.restart().await;
    assert_eq!(held(&app, me).await, (6_000, 7_000), "the hold is still held");
    let reject = format!("/v1/admin/withdrawals/{second}/reject");
    let (s, answer) = app.post(&reject, &json!({ "reason": "documents missing" }), Some(&operator)).await;
    assert_eq!((s, &answer["payment"]["status"]), (200, &json!("rejected")), "{answer}");
    assert_eq!(held(&app, me).await, (13_000, 0));
    assert_eq!(app.post(&reject, &json!({ "reason": "again" }), Some(&operator)).await.0, 200, "idempotent");
    assert_eq!(held(&app, me).await, (13_000, 0), "returned once");
    let (s, answer) =
        app.post(&format!("/v1/admin/withdrawals/{second}/approve"), &json!({ "reason": "r" }), Some(&operator)).await;
    assert_eq!((s, code(&answer)), (409, "not_in_review"));
    let (s, answer) = app.post("/v1/admin/withdrawals/424242/reject", &json!({ "reason": "r" }), Some(&operator)).await;
    assert_eq!((s, code(&answer)), (404, "unknown_payment"));

    // Step-up: with a second factor on, money leaves only with a code.
    let (_, begun) = app.post("/v1/me/mfa/totp", &json!({ "password": "a fine password" }), Some(&token)).await;
    let secret = begun["secret"].as_str().unwrap().to_owned();
    let first = croupier_server::mfa::code_at(&secret, now_secs() as u64).unwrap();
    assert_eq!(app.post("/v1/me/mfa/totp/confirm", &json!({ "code": first }), Some(&token)).await.0, 200);
    let (s, answer) = app.post("/v1/wallet/withdrawals", &withdraw(100, "acct_ok"), Some(&token)).await;
    assert_eq!((s, code(&answer)), (403, "mfa_required"));
    let mut body = withdraw(100, "acct_ok");
    body["otp"] = json!(format!("{:06}", (first.parse::<u32>().unwrap() + 1) % 1_000_000));
    let (s, answer) = app.post("/v1/wallet/withdrawals", &body, Some(&token)).await;
    assert_eq!((s, code(&answer)), (403, "invalid_mfa_code"));
    assert_eq!(held(&app, me).await, (13_000, 0));

    assert!(app.store.ledger_violations(10).await.unwrap().is_empty());
    let actions: Vec<String> = app.store.audit_log(None, 50).await.unwrap().into_iter().map(|a| a.action).collect();
    for action in
        ["withdrawal.hold", "withdrawal.paid", "withdrawal.returned", "withdrawal.approve", "withdrawal.reject"]
    {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn withdrawals_hold_then_pay_or_return_postgres() {
    withdrawals_hold_then_pay_or_return(Db::Postgres).await;
}

#[actix_web::test]
async fn withdrawals_hold_then_pay_or_return_sqlite() {
    withdrawals_hold_then_pay_or_return(Db::Sqlite).await;
}

#[actix_web::test]
async fn without_a_provider_or_with_it_down() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let token = app.signed_in("ned").await["access_token"].as_str().unwrap().to_owned();
    let (s, body) = app.post("/v1/wallet/deposits", &json!({ "amount": 100, "currency": "EUR" }), Some(&token)).await;
    assert_eq!((s, code(&body)), (503, "payments_unavailable"));
    assert_eq!(code(&webhook(&app, None, "{}").await.1), "payments_unavailable");
    app.stop().await;

    // A provider that does not answer: no deposit starts; a withdrawal
    // keeps its money held, approved, to be sent again.
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.payments.provider = "sandbox".into();
        s.payments.api_url = "http://127.0.0.1:1".into();
        s.payments.api_key.0 = API_KEY.into();
        s.payments.webhook_secret.0 = SECRET.into();
    })
    .await;
    let token = app.signed_in("ned").await["access_token"].as_str().unwrap().to_owned();
    let me = app.store.user_by_name("ned").await.unwrap().unwrap().id;
    let (s, body) = app.post("/v1/wallet/deposits", &json!({ "amount": 100, "currency": "EUR" }), Some(&token)).await;
    assert_eq!((s, code(&body)), (502, "provider_unavailable"));
    assert_eq!(app.get("/v1/wallet/payments", Some(&token)).await.1["payments"][0]["status"], "failed");
    app.fund(me, "EUR", 500).await;
    let body = json!({ "amount": 200, "currency": "EUR", "destination": "acct_ok" });
    let (s, answer) = app.post("/v1/wallet/withdrawals", &body, Some(&token)).await;
    assert_eq!((s, &answer["payment"]["status"]), (201, &json!("approved")), "{answer}");
    assert_eq!(held(&app, me).await, (300, 200));
    app.stop().await;
}

/// `croupier sandbox-pay` is a process of its own: it refuses to start
/// without the key and secret, and with them serves its API.
#[actix_web::test]
async fn the_sandbox_runs_as_its_own_process() {
    use std::io::BufRead;
    let out = common::croupier_binary()
        .args(["sandbox-pay", "--port", "0", "--webhook-url", "http://127.0.0.1:9/x"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && text.contains("CROUPIER__PAYMENTS__WEBHOOK_SECRET"), "{text}");
    let mut child = common::croupier_binary()
        .env("CROUPIER__PAYMENTS__API_KEY", API_KEY)
        .env("CROUPIER__PAYMENTS__WEBHOOK_SECRET", SECRET)
        .args(["sandbox-pay", "--port", "0", "--webhook-url", "http://127.0.0.1:9/x"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.split_whitespace().last().unwrap().to_owned();
    let body = json!({ "reference": "pay-1", "amount": 100, "currency": "EUR", "return_url": "https://x.test/" });
    let http = reqwest::Client::new();
    let refused = http.post(format!("{base}/v1/intents")).json(&body).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401, "its API takes its key only");
    let made = http.post(format!("{base}/v1/intents")).bearer_auth(API_KEY).json(&body).send().await.unwrap();
    assert_eq!(made.status().as_u16(), 201);
    let made: Value = made.json().await.unwrap();
    assert!(made["redirect_url"].as_str().unwrap().starts_with(&format!("{base}/pay/pi_")), "{made}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A player's own deposit limit and exclusion stop a deposit before the
/// provider is asked; a deposit started counts against the limit until it
/// fails.
async fn deposits_stop_at_the_players_limit(kind: Db) {
    let (app, _sandbox) = with_sandbox(kind, 100_000).await;
    let token = app.signed_in("quin").await["access_token"].as_str().unwrap().to_owned();
    let limit = json!({ "kind": "deposit", "period": "day", "currency": "EUR", "amount": 3_000 });
    let (status, set) = app.put("/v1/me/limits", &limit, Some(&token)).await;
    assert_eq!((status, set["amount"].as_i64(), set["used"].as_i64()), (200, Some(3_000), Some(0)), "{set}");
    let start = |amount: i64| {
        let (app, token) = (&app, &token);
        async move { app.post("/v1/wallet/deposits", &json!({ "amount": amount, "currency": "EUR" }), Some(token)).await }
    };

    let declined = deposit(&app, &token, 2_500, "4000000000000002").await;
    until(&app, &token, declined, "failed").await;
    assert_eq!(start(3_000).await.0, 201, "a failed deposit does not count");
    let (status, refused) = start(1).await;
    assert_eq!((status, code(&refused)), (403, "deposit_limit_reached"), "{refused}");
    let (_, shown) = app.get("/v1/me/protection", Some(&token)).await;
    assert_eq!(shown["limits"][0]["used"], 3_000, "a deposit started counts: {shown}");

    let (status, _) = app.post("/v1/me/exclusion", &json!({ "kind": "cool_off", "days": 1 }), Some(&token)).await;
    assert_eq!(status, 201);
    let (status, refused) = start(1).await;
    assert_eq!((status, code(&refused)), (403, "cooling_off"), "{refused}");
    let (_, listed) = app.get("/v1/wallet/payments", Some(&token)).await;
    assert_eq!(listed["payments"].as_array().unwrap().len(), 2, "no refused deposit is recorded: {listed}");
    app.stop().await;
}

#[actix_web::test]
async fn deposits_stop_at_the_players_limit_postgres() {
    deposits_stop_at_the_players_limit(Db::Postgres).await;
}

#[actix_web::test]
async fn deposits_stop_at_the_players_limit_sqlite() {
    deposits_stop_at_the_players_limit(Db::Sqlite).await;
}
