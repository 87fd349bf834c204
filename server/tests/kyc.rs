//! Identity verification (KYC) through the sandbox identity provider,
//! against the real server on both backends. The sandbox runs on a port of
//! its own with its own API, hosted page and asynchronous signed webhooks.
//! A check is verified or rejected only by its webhooks, whatever their
//! order or repetition (the `LATE` document delivers them out of order and
//! twice); forged, stale and malformed webhooks are refused and a captured
//! one replayed is a duplicate. Deposits, withdrawals and stakes are gated
//! by the `[kyc]` thresholds, each refusal `kyc_required` with nothing
//! recorded, held or placed; every decision is audited.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::sandbox::now_secs;
use common::ws::Player;
use common::{Db, TestApp, code};
use croupier_server::kyc::Level;
use croupier_server::kyc::sandbox_server::{self, KycSandboxConfig};
use serde_json::{Value, json};

const SECRET: &str = "whsec_kyc_secret";
const API_KEY: &str = "sk_kyc_key";

/// A server with the identity sandbox (and the payment sandbox) as its
/// providers, deposits needing `deposit`, withdrawals `withdraw` and play
/// `play`; and the identity sandbox's base URL.
async fn with_sandbox(kind: Db, deposit: Level, withdraw: Level, play: Level) -> (TestApp, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sandbox = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let api_url = sandbox.clone();
    let (app, _) = common::sandbox::with_payments(kind, move |s| {
        s.ws.messages_per_second = 10_000;
        s.ws.message_burst = 10_000;
        s.kyc.provider = "sandbox".into();
        s.kyc.api_url = api_url;
        s.kyc.api_key.0 = API_KEY.into();
        s.kyc.webhook_secret.0 = SECRET.into();
        s.kyc.return_url = "https://casino.test/account".into();
        (s.kyc.deposit, s.kyc.withdraw, s.kyc.play) = (deposit, withdraw, play);
    })
    .await;
    let config = KycSandboxConfig {
        api_key: API_KEY.into(),
        webhook_secret: SECRET.as_bytes().to_vec(),
        webhook_url: app.url("/v1/kyc/sandbox/webhook"),
    };
    actix_web::rt::spawn(sandbox_server::serve(config, listener).unwrap());
    (app, sandbox)
}

/// Starts a check; its id and the sandbox's page for it.
async fn start(app: &TestApp, token: &str) -> (i64, String) {
    let (s, started) = app.post("/v1/me/kyc", &json!({}), Some(token)).await;
    assert_eq!(s, 201, "{started}");
    assert_eq!(started["check"]["status"], "pending");
    (started["check"]["id"].as_i64().unwrap(), started["redirect_url"].as_str().unwrap().to_owned())
}

/// Sends `document` for check `id` on the sandbox's `page`.
async fn send(page: &str, id: i64, document: &str) {
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let html = browser.get(page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Document number"), "{html}");
    let sent = browser.post(page).form(&[("document", document)]).send().await.unwrap();
    assert_eq!(sent.status().as_u16(), 303);
    let back = sent.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("https://casino.test/account?verification=kyc-{id}&status=submitted"));
}

/// Starts a check and sends `document` on the sandbox's page; the check's id.
async fn verify(app: &TestApp, token: &str, document: &str) -> i64 {
    let (id, page) = start(app, token).await;
    send(&page, id, document).await;
    id
}

/// Waits (20 s at most) until the player's status is `status`; what
/// `GET /v1/me/kyc` then says.
async fn until(app: &TestApp, token: &str, status: &str) -> Value {
    for _ in 0..400 {
        let (s, body) = app.get("/v1/me/kyc", Some(token)).await;
        assert_eq!(s, 200, "{body}");
        if body["status"] == status {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the player never became {status}");
}

/// Every webhook attempt the sandbox made.
async fn deliveries(sandbox: &str) -> Vec<Value> {
    common::sandbox::deliveries(sandbox, API_KEY).await
}

/// Waits until the sandbox has delivered `n` webhooks about check `id`, all
/// answered 200.
async fn delivered(sandbox: &str, id: i64, n: usize) -> Vec<Value> {
    let reference = format!("\"kyc-{id}\"");
    for _ in 0..400 {
        let ours: Vec<Value> = deliveries(sandbox)
            .await
            .into_iter()
            .filter(|d| d["body"].as_str().unwrap().contains(&reference))
            .collect();
        if ours.len() >= n && ours.iter().all(|d| d["status"] == 200) {
            return ours;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the sandbox never delivered {n} webhooks about check {id}");
}

async fn webhook(app: &TestApp, signature: Option<&str>, body: &str) -> (u16, Value) {
    common::sandbox::webhook(app, "/v1/kyc/sandbox/webhook", signature, body).await
}

async fn checks_are_decided_by_their_webhooks(kind: Db) {
    let (app, sandbox) = with_sandbox(kind, Level::None, Level::None, Level::None).await;
    let token = app.signed_in("vera").await["access_token"].as_str().unwrap().to_owned();
    let (s, none) = app.get("/v1/me/kyc", Some(&token)).await;
    assert_eq!((s, none["status"].clone(), none["checks"].clone()), (200, json!("none"), json!([])));
    assert_eq!(none["required"], json!({ "deposit": "none", "withdraw": "none", "play": "none" }));

    // Refused: the check is rejected, with the provider's reason; another
    // may be started.
    let failed = verify(&app, &token, "FAIL-123").await;
    let rejected = until(&app, &token, "rejected").await;
    assert_eq!(rejected["checks"][0]["id"], failed);
    assert_eq!(rejected["checks"][0]["reason"], "the document could not be verified");

    // Out of order and twice: verified, processing, verified again.
    let (late, page) = start(&app, &token).await;
    assert_eq!(app.get("/v1/me/kyc", Some(&token)).await.1["status"], "pending", "a new check is pending");
    send(&page, late, "LATE-42").await;
    let ours = delivered(&sandbox, late, 3).await;
    assert_eq!(
        ours.iter().map(|d| d["type"].as_str().unwrap()).collect::<Vec<_>>(),
        ["verification.verified", "verification.processing", "verification.verified"]
    );
    let verified = until(&app, &token, "verified").await;
    assert_eq!(verified["checks"][0]["status"], "verified", "a late processing moves nothing back: {verified}");
    let (s, again) = app.post("/v1/me/kyc", &json!({}), Some(&token)).await;
    assert_eq!((s, code(&again)), (409, "already_verified"));

    // A captured webhook sent again: a duplicate.
    let (body, signature) = (ours[0]["body"].as_str().unwrap(), ours[0]["signature"].as_str().unwrap());
    assert_eq!(webhook(&app, Some(signature), body).await, (200, json!({ "outcome": "duplicate" })));
    // Forged, missing, stale, malformed: refused.
    let forged = croupier_server::payments::sign(b"not the secret", now_secs(), body.as_bytes());
    assert_eq!(code(&webhook(&app, Some(&forged), body).await.1), "invalid_signature");
    assert_eq!(code(&webhook(&app, None, body).await.1), "invalid_signature");
    let stale = croupier_server::payments::sign(SECRET.as_bytes(), now_secs() - 3_600, body.as_bytes());
    let (s, answer) = webhook(&app, Some(&stale), body).await;
    assert_eq!((s, code(&answer)), (400, "stale_webhook"));
    let junk = croupier_server::payments::sign(SECRET.as_bytes(), now_secs(), b"{}");
    assert_eq!(code(&webhook(&app, Some(&junk), "{}").await.1), "invalid_webhook");
    // Signed events that do not fit: a rejection of the verified check (it
    // is decided, so nothing changes), one naming another check's provider
    // id, one about no check of ours.
    let late_ref = verified["checks"][0]["provider_ref"].clone();
    let rejection = |event: &str, provider_ref: &Value, reference: String| {
        let body = json!({ "id": event, "type": "verification.rejected", "created": now_secs(),
            "data": { "id": provider_ref, "reference": reference, "reason": "x" } })
        .to_string();
        (croupier_server::payments::sign(SECRET.as_bytes(), now_secs(), body.as_bytes()), body)
    };
    let (signed, body) = rejection("evt_x1", &late_ref, format!("kyc-{late}"));
    assert_eq!(webhook(&app, Some(&signed), &body).await.1["outcome"], "ignored", "a decided check stays");
    let (signed, old) = rejection("evt_x2", &rejected["checks"][0]["provider_ref"], format!("kyc-{late}"));
    assert_eq!(webhook(&app, Some(&signed), &old).await.1["outcome"], "mismatch", "another check's provider id");
    let unknown = old.replace(&format!("kyc-{late}"), "kyc-999999").replace("evt_x2", "evt_x3");
    let signed = croupier_server::payments::sign(SECRET.as_bytes(), now_secs(), unknown.as_bytes());
    assert_eq!(webhook(&app, Some(&signed), &unknown).await.1["outcome"], "unknown_check");
    assert_eq!(until(&app, &token, "verified").await["checks"][0]["status"], "verified");

    let actions: Vec<String> = app.store.audit_log(None, 50).await.unwrap().into_iter().map(|a| a.action).collect();
    for (action, n) in [("kyc.start", 2), ("kyc.rejected", 1), ("kyc.verified", 1), ("kyc.mismatch", 1)] {
        assert_eq!(actions.iter().filter(|a| *a == action).count(), n, "{action}: {actions:?}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn checks_are_decided_by_their_webhooks_postgres() {
    checks_are_decided_by_their_webhooks(Db::Postgres).await;
}

#[actix_web::test]
async fn checks_are_decided_by_their_webhooks_sqlite() {
    checks_are_decided_by_their_webhooks(Db::Sqlite).await;
}

/// Opens a slots session and spins once: `None` when it settled, or the
/// refusal's code.
async fn spin(p: &mut Player) -> Option<String> {
    let opened = p.request(json!({ "type": "session.open", "game": "slots" })).await;
    assert_eq!(opened["type"], "session", "{opened}");
    let session = opened["session"].as_str().unwrap().to_owned();
    let act = json!({ "type": "act", "session": session, "action": { "type": "spin", "line_bet": 1 } });
    let reply = p.request(act).await;
    let _ = p.request(json!({ "type": "session.close", "session": session })).await;
    if reply["type"] == "ok" {
        return None;
    }
    Some(reply["code"].as_str().unwrap().to_owned())
}

async fn thresholds_gate_money_and_play(kind: Db) {
    let (app, sandbox) = with_sandbox(kind, Level::Pending, Level::Verified, Level::Verified).await;
    let mut p = Player::join_server(&app, "otto").await;
    app.fund(p.id, "EUR", 10_000).await;
    let token = p.token.clone();
    let (_, shown) = app.get("/v1/me/kyc", Some(&token)).await;
    assert_eq!(shown["required"], json!({ "deposit": "pending", "withdraw": "verified", "play": "verified" }));

    // Status none: nothing may be done, and each refusal records nothing.
    let deposit = json!({ "amount": 1_000, "currency": "EUR" });
    let withdrawal = json!({ "amount": 1_000, "currency": "EUR", "destination": "acct_1" });
    let (s, refused) = app.post("/v1/wallet/deposits", &deposit, Some(&token)).await;
    assert_eq!((s, code(&refused)), (403, "kyc_required"), "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("yours is none"), "{refused}");
    let (s, refused) = app.post("/v1/wallet/withdrawals", &withdrawal, Some(&token)).await;
    assert_eq!((s, code(&refused)), (403, "kyc_required"), "{refused}");
    assert_eq!(spin(&mut p).await.as_deref(), Some("kyc_required"));
    assert_eq!(app.get("/v1/wallet/payments", Some(&token)).await.1["payments"], json!([]));
    assert_eq!(app.available(p.id, "EUR").await, 10_000, "nothing held or staked");

    // Pending: a deposit may start; withdrawals and play still wait.
    let (s, started) = app.post("/v1/me/kyc", &json!({}), Some(&token)).await;
    assert_eq!(s, 201, "{started}");
    let (s, again) = app.post("/v1/me/kyc", &json!({}), Some(&token)).await;
    assert_eq!((s, &again["check"]["id"]), (200, &started["check"]["id"]), "the check under way, not a second");
    assert_eq!(app.post("/v1/wallet/deposits", &deposit, Some(&token)).await.0, 201);
    let (s, refused) = app.post("/v1/wallet/withdrawals", &withdrawal, Some(&token)).await;
    assert_eq!((s, code(&refused)), (403, "kyc_required"), "{refused}");
    assert_eq!(spin(&mut p).await.as_deref(), Some("kyc_required"));

    // Verified (by the page): the socket already signed in may stake at
    // once, and money may leave.
    let id = started["check"]["id"].as_i64().unwrap();
    send(started["redirect_url"].as_str().unwrap(), id, "PASS-1").await;
    // Answered: the server has taken the verification, guard included.
    delivered(&sandbox, id, 2).await;
    until(&app, &token, "verified").await;
    assert_eq!(spin(&mut p).await, None, "play is open");
    let (s, paid) = app.post("/v1/wallet/withdrawals", &withdrawal, Some(&token)).await;
    assert_eq!(s, 201, "{paid}");
    app.stop().await;
}

#[actix_web::test]
async fn thresholds_gate_money_and_play_postgres() {
    thresholds_gate_money_and_play(Db::Postgres).await;
}

#[actix_web::test]
async fn thresholds_gate_money_and_play_sqlite() {
    thresholds_gate_money_and_play(Db::Sqlite).await;
}

#[actix_web::test]
async fn without_a_provider_or_with_it_down() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let token = app.signed_in("nia").await["access_token"].as_str().unwrap().to_owned();
    let (s, off) = app.post("/v1/me/kyc", &json!({}), Some(&token)).await;
    assert_eq!((s, code(&off)), (503, "kyc_unavailable"));
    assert_eq!(app.get("/v1/me/kyc", Some(&token)).await.1["status"], "none");
    app.stop().await;

    // A provider that does not answer: 502, and the check is failed, not
    // pending.
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.kyc.provider = "sandbox".into();
        s.kyc.api_url = "http://127.0.0.1:9".into();
        s.kyc.api_key.0 = API_KEY.into();
        s.kyc.webhook_secret.0 = SECRET.into();
        s.kyc.timeout_ms = 500;
    })
    .await;
    let token = app.signed_in("nia").await["access_token"].as_str().unwrap().to_owned();
    let (s, down) = app.post("/v1/me/kyc", &json!({}), Some(&token)).await;
    assert_eq!((s, code(&down)), (502, "provider_unavailable"));
    let (_, mine) = app.get("/v1/me/kyc", Some(&token)).await;
    assert_eq!((mine["status"].clone(), mine["checks"][0]["status"].clone()), (json!("none"), json!("failed")));
    app.stop().await;
}

#[test]
fn a_threshold_needs_a_provider() {
    let mut settings = croupier_server::settings::Settings::defaults().unwrap();
    settings.kyc.play = Level::Verified;
    let problem = settings.kyc.problem().unwrap();
    assert!(problem.contains("need a kyc.provider"), "{problem}");
    settings.kyc.play = Level::None;
    assert_eq!(settings.kyc.problem(), None);
}

/// `croupier sandbox-kyc` is a process of its own: it refuses to start
/// without the key and secret, and with them serves its API.
#[actix_web::test]
async fn the_sandbox_runs_as_its_own_process() {
    use std::io::BufRead;
    let args = ["sandbox-kyc", "--port", "0", "--webhook-url", "http://127.0.0.1:9/x"];
    let out = common::croupier_binary().args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && text.contains("CROUPIER__KYC__WEBHOOK_SECRET"), "{text}");
    let mut child = common::croupier_binary()
        .env("CROUPIER__KYC__API_KEY", API_KEY)
        .env("CROUPIER__KYC__WEBHOOK_SECRET", SECRET)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("sandbox identity provider"), "{line}");
    let base = line.split_whitespace().last().unwrap().to_owned();
    let body = json!({ "reference": "kyc-1", "return_url": "https://x.test/" });
    let http = reqwest::Client::new();
    let refused = http.post(format!("{base}/v1/verifications")).json(&body).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401, "its API takes its key only");
    let made = http.post(format!("{base}/v1/verifications")).bearer_auth(API_KEY).json(&body).send().await.unwrap();
    assert_eq!(made.status().as_u16(), 201);
    let made: Value = made.json().await.unwrap();
    assert!(made["redirect_url"].as_str().unwrap().starts_with(&format!("{base}/verify/vs_")), "{made}");
    child.kill().unwrap();
    child.wait().unwrap();
}
