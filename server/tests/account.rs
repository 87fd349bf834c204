//! Personal data and password resets against the real server, on both
//! backends. A profile is sealed at rest (the database holds no byte of it
//! in the clear, and it opens only with its key and for its owner), takes
//! the password to change, and survives a key rotation by `croupier pii
//! rotate`. A forgotten password is reset by a single-use, expiring token
//! mailed through a real SMTP server (the test's sink) to the profile's
//! email; the answer never says whether an account has that email; the
//! reset signs every session out and, with a second factor on, needs a
//! code too. The server's own log of all this holds no personal datum and
//! no token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::smtp::SmtpSink;
use common::{Db, TestApp, code, croupier_binary};
use croupier_server::pii::PiiKeys;
use croupier_server::settings::{Secret, Settings};
use serde_json::{Value, json};

const KEY_A: &str = "a:1111111111111111111111111111111111111111111111111111111111111111";
const KEY_B: &str = "b:2222222222222222222222222222222222222222222222222222222222222222";
const PASSWORD: &str = "a fine password";

fn keyed(s: &mut Settings, keys: &str) {
    s.pii_keys = Some(Secret(keys.as_bytes().to_vec()));
    s.rate_limit.enabled = false;
}

fn ann() -> Value {
    json!({
        "email": "Ann.Lee@example.com",
        "name": "Ann Lee",
        "phone": "+44 20 7946 0958",
        "address": "1 High Street\nLondon",
        "document_number": "X1234567"
    })
}

/// Signs `name` up with `profile`; (access token, refresh token, user id).
async fn with_profile(app: &TestApp, name: &str, profile: &Value) -> (String, String, i64) {
    let tokens = app.signed_in(name).await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let (s, body) = app.put("/v1/me/profile", &json!({ "password": PASSWORD, "profile": profile }), Some(&token)).await;
    assert_eq!(s, 200, "{body}");
    let id = app.get("/v1/me", Some(&token)).await.1["id"].as_i64().unwrap();
    (token, tokens["refresh_token"].as_str().unwrap().to_owned(), id)
}

async fn profiles_are_sealed(kind: Db) {
    // Without a key, no personal data is taken at all.
    let off = TestApp::spawn(kind).await;
    let token = off.signed_in("noa").await["access_token"].as_str().unwrap().to_owned();
    let (s, body) = off.get("/v1/me/profile", Some(&token)).await;
    assert_eq!((s, code(&body)), (503, "pii_unavailable"));
    let (s, body) = off.put("/v1/me/profile", &json!({ "password": PASSWORD, "profile": ann() }), Some(&token)).await;
    assert_eq!((s, code(&body)), (503, "pii_unavailable"));
    off.stop().await;

    let app = TestApp::spawn_with(kind, |s| keyed(s, KEY_A)).await;
    let token = app.signed_in("ann").await["access_token"].as_str().unwrap().to_owned();
    let empty = json!({ "email": null, "name": null, "phone": null, "address": null, "document_number": null });
    assert_eq!(app.get("/v1/me/profile", Some(&token)).await, (200, empty.clone()));
    let (s, body) = app.get("/v1/me/profile", None).await;
    assert_eq!((s, code(&body)), (401, "unauthorized"));

    // Refusals change nothing.
    for (body, status, want) in [
        (json!({ "password": "not it", "profile": ann() }), 403, "wrong_password"),
        (json!({ "password": PASSWORD, "profile": { "email": "ann at example" } }), 400, "invalid_profile"),
        (json!({ "password": PASSWORD, "profile": { "phone": "call me" } }), 400, "invalid_profile"),
        (json!({ "password": PASSWORD, "profile": { "nickname": "annie" } }), 400, "invalid_body"),
        (json!({ "profile": ann() }), 400, "invalid_body"),
    ] {
        let (s, answer) = app.put("/v1/me/profile", &body, Some(&token)).await;
        assert_eq!((s, code(&answer)), (status, want), "{body}: {answer}");
        assert!(!answer["error"]["message"].as_str().unwrap().contains("ann at"), "{answer}");
    }
    assert_eq!(app.get("/v1/me/profile", Some(&token)).await, (200, empty.clone()));

    let (s, stored) = app.put("/v1/me/profile", &json!({ "password": PASSWORD, "profile": ann() }), Some(&token)).await;
    assert_eq!((s, &stored), (200, &ann()));
    assert_eq!(app.get("/v1/me/profile", Some(&token)).await, (200, ann()));

    // At rest: ciphertext under key a, opening only for its owner.
    let id = app.get("/v1/me", Some(&token)).await.1["id"].as_i64().unwrap();
    let row = app.store.sealed_profile(id).await.unwrap().unwrap();
    assert_eq!(row.key_id, "a");
    for datum in ["Ann", "example.com", "X1234567", "7946", "High Street"] {
        assert!(!row.data.contains(datum) && !row.data.contains(&hex::encode(datum)), "{datum} in the clear");
    }
    let keys = PiiKeys::parse(KEY_A).unwrap();
    assert_eq!(keys.open(id, "a", &row.data).unwrap().document_number.as_deref(), Some("X1234567"));
    assert!(keys.open(id + 1, "a", &row.data).is_err(), "a profile opens for its owner only");

    // Another player sees only their own; an empty profile clears it.
    let other = app.signed_in("ben").await["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/v1/me/profile", Some(&other)).await, (200, empty.clone()));
    let (s, _) = app.put("/v1/me/profile", &json!({ "password": PASSWORD, "profile": {} }), Some(&token)).await;
    assert_eq!(s, 200);
    assert_eq!(app.get("/v1/me/profile", Some(&token)).await, (200, empty));
    app.stop().await;
}

#[actix_web::test]
async fn profiles_are_sealed_postgres() {
    profiles_are_sealed(Db::Postgres).await;
}

#[actix_web::test]
async fn profiles_are_sealed_sqlite() {
    profiles_are_sealed(Db::Sqlite).await;
}

/// `croupier pii ARGS` against `app`'s database with `keys`: (success, output).
fn pii(app: &TestApp, keys: &str, args: &[&str]) -> (bool, String) {
    let mut cmd = croupier_binary();
    match app.database_url().as_str() {
        "" => cmd.env("CROUPIER__DATABASE__SQLITE_PATH", &app.settings.database.sqlite_path),
        url => cmd.env("DATABASE_URL", url),
    };
    let out = cmd.env("CROUPIER_PII_KEYS", keys).arg("pii").args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

async fn keys_rotate(kind: Db) {
    let app = TestApp::spawn_with(kind, |s| keyed(s, KEY_A)).await;
    let mut ids = Vec::new();
    for name in ["ann", "ben", "cat"] {
        let mut profile = ann();
        profile["email"] = json!(format!("{name}@example.com"));
        ids.push(with_profile(&app, name, &profile).await.2);
    }
    let (ok, text) = pii(&app, KEY_A, &["status"]);
    assert!(ok && text.contains("key a: 3 profile(s)"), "{text}");

    // A new key first, the old one after: every row is sealed anew.
    let (ok, text) = pii(&app, &format!("{KEY_B},{KEY_A}"), &["rotate"]);
    assert!(ok && text.contains("re-sealed 3 profile(s) under key b"), "{text}");
    for id in &ids {
        assert_eq!(app.store.sealed_profile(*id).await.unwrap().unwrap().key_id, "b");
    }
    let (ok, text) = pii(&app, &format!("{KEY_B},{KEY_A}"), &["rotate"]);
    assert!(ok && text.contains("re-sealed 0 profile(s)"), "a second run has nothing to do: {text}");
    assert!(pii(&app, KEY_B, &["status"]).0, "the old key can go");
    let (ok, text) = pii(&app, KEY_A, &["status"]);
    assert!(!ok && text.contains("\"b\""), "the new key cannot: {text}");
    let secret = KEY_A.split(':').nth(1).unwrap();
    assert!(!text.contains(secret), "a key is never printed: {text}");

    // The server on the new key alone reads every profile.
    let mut app = app;
    app.settings.pii_keys = Some(Secret(KEY_B.as_bytes().to_vec()));
    let app = app.restart().await;
    let (s, tokens) = app.post("/v1/auth/login", &json!({ "username": "ben", "password": PASSWORD }), None).await;
    assert_eq!(s, 200);
    let (s, profile) = app.get("/v1/me/profile", tokens["access_token"].as_str()).await;
    assert_eq!((s, profile["email"].as_str()), (200, Some("ben@example.com")));
    app.stop().await;
}

#[actix_web::test]
async fn keys_rotate_postgres() {
    keys_rotate(Db::Postgres).await;
}

#[actix_web::test]
async fn keys_rotate_sqlite() {
    keys_rotate(Db::Sqlite).await;
}

/// The token a reset mail links to.
fn token_in(mail: &common::smtp::Received) -> String {
    let text = mail.text();
    let at = text.find("https://casino.test/reset?token=").unwrap_or_else(|| panic!("no link in {text}"));
    text[at..].split('=').nth(1).unwrap().chars().take_while(char::is_ascii_hexdigit).collect()
}

async fn forgotten_passwords_reset_by_mail(kind: Db) {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(kind, |s| {
        keyed(s, KEY_A);
        s.mail.smtp_url = sink.url();
        s.mail.reset_link = "https://casino.test/reset?token={token}".into();
        s.auth.login_failures_per_account = 100;
    })
    .await;
    let (_, refresh, ann_id) = with_profile(&app, "ann", &ann()).await;
    app.signed_in("ben").await; // no profile: no mail, ever

    // The same answer for an unknown address; bad input is refused.
    let forgot = |email: &str| json!({ "email": email });
    let (s, unknown) = app.post("/v1/auth/password/forgot", &forgot("nobody@example.com"), None).await;
    assert_eq!(s, 202, "{unknown}");
    let (s, known) = app.post("/v1/auth/password/forgot", &forgot("  ann.LEE@example.COM "), None).await;
    assert_eq!((s, &known), (202, &unknown), "the answer does not tell");
    let (s, body) = app.post("/v1/auth/password/forgot", &forgot("ann at example"), None).await;
    assert_eq!((s, code(&body)), (400, "invalid_email"));
    let (s, body) = app.post("/v1/auth/password/forgot", &json!({ "email": "a@b.c", "then": 1 }), None).await;
    assert_eq!((s, code(&body)), (400, "invalid_body"));

    let mails = sink.wait_for(1).await;
    assert_eq!(mails.len(), 1, "only ann's address gets a mail");
    assert_eq!(mails[0].to, vec!["Ann.Lee@example.com".to_owned()]);
    assert!(mails[0].text().contains("the account ann"), "{}", mails[0].data);
    let token = token_in(&mails[0]);
    assert_eq!(token.len(), 64, "{token}");
    // Asked again within auth.reset_resend_secs: no new token (the store
    // keeps the first); the mailed one still works.
    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap();
    assert!(!app.store.put_reset(ann_id, "other", now + 60_000, now, now - 60_000).await.unwrap());
    assert_eq!(app.store.reset_owner(&croupier_server::auth::token_hash(&token), now).await.unwrap(), Some(ann_id));

    // Refusals spend nothing.
    let reset = |token: &str, password: &str| json!({ "token": token, "new_password": password });
    let (s, body) = app.post("/v1/auth/password/reset", &reset(&"0".repeat(64), "a new fine password"), None).await;
    assert_eq!((s, code(&body)), (400, "invalid_reset_token"));
    let (s, body) = app.post("/v1/auth/password/reset", &reset(&token, "short"), None).await;
    assert_eq!((s, code(&body)), (400, "invalid_password"));

    let (s, body) = app.post("/v1/auth/password/reset", &reset(&token, "a new fine password"), None).await;
    assert_eq!(s, 204, "{body}");
    let (s, body) = app.post("/v1/auth/password/reset", &reset(&token, "yet another password"), None).await;
    assert_eq!((s, code(&body)), (400, "invalid_reset_token"), "a token works once");
    let login = |password: &str| json!({ "username": "ann", "password": password });
    assert_eq!(app.post("/v1/auth/login", &login(PASSWORD), None).await.0, 401);
    let (s, tokens) = app.post("/v1/auth/login", &login("a new fine password"), None).await;
    assert_eq!(s, 200);
    let (s, body) = app.post("/v1/auth/refresh", &json!({ "refresh_token": refresh }), None).await;
    assert_eq!((s, code(&body)), (401, "invalid_refresh_token"), "every earlier session is signed out");

    // With a second factor on, the mailbox alone is not enough.
    let access = tokens["access_token"].as_str().unwrap();
    let (s, begun) = app.post("/v1/me/mfa/totp", &json!({ "password": "a new fine password" }), Some(access)).await;
    assert_eq!(s, 200);
    let secret = begun["secret"].as_str().unwrap().to_owned();
    let now_secs = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let first = croupier_server::mfa::code_at(&secret, now_secs()).unwrap();
    assert_eq!(app.post("/v1/me/mfa/totp/confirm", &json!({ "code": first }), Some(access)).await.0, 200);
    assert_eq!(app.post("/v1/auth/password/forgot", &forgot("ann.lee@example.com"), None).await.0, 202);
    let token = token_in(&sink.wait_for(2).await[1]);
    let (s, body) = app.post("/v1/auth/password/reset", &reset(&token, "a third password"), None).await;
    assert_eq!((s, code(&body)), (403, "mfa_required"));
    // A code of the next time step: the confirming one was taken.
    let next = croupier_server::mfa::code_at(&secret, now_secs() + 30).unwrap();
    let mut body = reset(&token, "a third password");
    body["otp"] = json!(next);
    let (s, answer) = app.post("/v1/auth/password/reset", &body, None).await;
    assert_eq!(s, 204, "{answer}");
    assert_eq!(app.post("/v1/auth/login", &login("a third password"), None).await.1["error"]["code"], "mfa_required");
    assert_eq!(sink.mails().len(), 2, "ben, without an email, got nothing");
    app.stop().await;
}

#[actix_web::test]
async fn forgotten_passwords_reset_by_mail_postgres() {
    forgotten_passwords_reset_by_mail(Db::Postgres).await;
}

#[actix_web::test]
async fn forgotten_passwords_reset_by_mail_sqlite() {
    forgotten_passwords_reset_by_mail(Db::Sqlite).await;
}

#[actix_web::test]
async fn resets_refuse_without_mail_or_keys() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| keyed(s, KEY_A)).await;
    let (s, body) = app.post("/v1/auth/password/forgot", &json!({ "email": "a@example.com" }), None).await;
    assert_eq!((s, code(&body)), (503, "mail_unavailable"));
    app.stop().await;
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.mail.smtp_url = "smtp://127.0.0.1:1".into()).await;
    let (s, body) = app.post("/v1/auth/password/forgot", &json!({ "email": "a@example.com" }), None).await;
    assert_eq!((s, code(&body)), (503, "pii_unavailable"));
    app.stop().await;
    // A mail server that is down: the answer does not wait for it.
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        keyed(s, KEY_A);
        s.mail.smtp_url = "smtp://127.0.0.1:1".into();
    })
    .await;
    with_profile(&app, "ann", &ann()).await;
    let (s, _) = app.post("/v1/auth/password/forgot", &json!({ "email": "ann.lee@example.com" }), None).await;
    assert_eq!(s, 202);
    app.stop().await;
}

/// The real binary at debug level, through a profile, a reset mail and a
/// reset: its whole log names none of the data, the token or a password.
#[actix_web::test]
async fn the_log_holds_no_personal_data() {
    use std::io::BufRead;
    let sink = SmtpSink::start();
    let dir = std::env::temp_dir().join(format!("croupier_t_pii_log_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = dir.join("stderr.log");
    let mut child = croupier_binary()
        .env("CROUPIER__DATABASE__SQLITE_PATH", dir.join("croupier.db"))
        .env("CROUPIER_PII_KEYS", KEY_A)
        .env("CROUPIER__MAIL__SMTP_URL", sink.url())
        .env("CROUPIER__MAIL__RESET_LINK", "https://casino.test/reset?token={token}")
        .env("CROUPIER__RATE_LIMIT__ENABLED", "false")
        .env("RUST_LOG", "debug")
        .args(["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port: u16 = line.split("127.0.0.1:").nth(1).and_then(|p| p.split_whitespace().next()).unwrap().parse().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value, token: Option<String>| {
        let mut req = http.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let creds = json!({ "username": "ann", "password": PASSWORD });
    assert_eq!(post("/v1/auth/register", creds.clone(), None).await.0, 201);
    let access = post("/v1/auth/login", creds, None).await.1["access_token"].as_str().unwrap().to_owned();
    let put = http
        .put(format!("{base}/v1/me/profile"))
        .bearer_auth(&access)
        .json(&json!({ "password": PASSWORD, "profile": ann() }))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    assert_eq!(post("/v1/auth/password/forgot", json!({ "email": "ann.lee@example.com" }), None).await.0, 202);
    let token = token_in(&sink.wait_for(1).await[0]);
    let reset = json!({ "token": token, "new_password": "a secret new one" });
    assert_eq!(post("/v1/auth/password/reset", reset, None).await.0, 204);
    // The sink has the mail before the server hears its answer and logs
    // that it was sent: wait for that line (10 s at most) before stopping.
    for _ in 0..200 {
        if std::fs::read_to_string(&log_path).unwrap().contains("password reset mailed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(log.contains("password reset mailed") && log.contains("profile changed"), "the log was read: {log}");
    for secret in [
        "Ann.Lee",
        "ann.lee",
        "example.com",
        "Ann Lee",
        // Whole values only: four digits turn up in any timestamp.
        "7946 0958",
        "High Street",
        "X1234567",
        &token,
        PASSWORD,
        "secret new",
    ] {
        assert!(!log.contains(secret), "{secret:?} is in the log");
    }
}
