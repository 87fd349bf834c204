//! The login throttle under attack, against the real server: 300 rapid
//! guesses at one account are locked out after its burst (the right
//! password too, until the lock lapses), with `Retry-After`; an unknown
//! username is answered exactly as a real one at every step; one address
//! guessing across many accounts is locked for all of them while another
//! account's owner, elsewhere, is not slowed; a wrong current password
//! counts too; and once the lock lapses (after `Retry-After`) the owner
//! logs in. Every lock lasts far longer than the guesses before it take, so
//! a slow machine changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Db, TestApp, code};
use serde_json::{Value, json};

/// A login's status, code and `Retry-After`.
async fn login(app: &TestApp, username: &str, password: &str) -> (u16, String, Option<u64>) {
    let body = json!({ "username": username, "password": password });
    let res = app.http.post(app.url("/v1/auth/login")).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    let body: Value = res.json().await.unwrap();
    (status, code(&body).to_owned(), retry)
}

fn throttled(s: &mut croupier_server::settings::Settings) {
    s.rate_limit.enabled = false;
    s.auth.login_failures_per_account = 5;
    s.auth.login_account_recover_secs = 60;
    s.auth.login_failures_per_address = 1_000;
}

#[actix_web::test]
async fn three_hundred_guesses_at_one_account_are_locked_out() {
    let app = TestApp::spawn_with(Db::Sqlite, throttled).await;
    app.signed_in("victim").await;
    let mut answers = Vec::new();
    for n in 0..300 {
        answers.push(login(&app, "victim", &format!("guess number {n}")).await);
    }
    // The burst, and the failure that locks, are checked; nothing after.
    assert!(answers[..6].iter().all(|a| a.0 == 401 && a.1 == "invalid_credentials"), "{:?}", &answers[..6]);
    let locked = &answers[6..];
    assert!(locked.iter().all(|a| a.0 == 429 && a.1 == "login_throttled"), "{locked:?}");
    assert!(locked.iter().all(|a| a.2.is_some_and(|s| (1..=60).contains(&s))), "Retry-After: {locked:?}");

    // Locked means locked: the right password waits too.
    let (status, code, _) = login(&app, "victim", "a fine password").await;
    assert_eq!((status, code.as_str()), (429, "login_throttled"));

    // No enumeration: a name nobody has is answered the same at every step.
    let mut ghost = Vec::new();
    for n in 0..8 {
        ghost.push(login(&app, "nobody-here", &format!("guess {n}")).await.1);
    }
    let mut real = Vec::new();
    app.signed_in("second").await;
    for n in 0..8 {
        real.push(login(&app, "second", &format!("guess {n}")).await.1);
    }
    assert_eq!(ghost, real);
    assert_eq!(real.last().unwrap(), "login_throttled");

    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let counted: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("croupier_logins_throttled_total "))
        .map(|v| v.trim().parse().unwrap())
        .unwrap();
    assert_eq!(counted, 294 + 1 + 2 + 2, "every refusal is counted");
    app.stop().await;
}

#[actix_web::test]
async fn the_owner_is_let_in_once_the_lock_lapses() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.rate_limit.enabled = false;
        s.auth.login_failures_per_account = 2;
        s.auth.login_account_recover_secs = 5;
    })
    .await;
    app.signed_in("patient").await;
    for n in 0..3 {
        assert_eq!(login(&app, "patient", &format!("guess {n}")).await.0, 401);
    }
    let (status, _, retry) = login(&app, "patient", "a fine password").await;
    let retry = retry.unwrap();
    assert_eq!(status, 429);
    assert!((1..=5).contains(&retry), "{retry}");
    tokio::time::sleep(std::time::Duration::from_secs(retry)).await;
    assert_eq!(login(&app, "patient", "a fine password").await.0, 200);
    app.stop().await;
}

#[actix_web::test]
async fn one_address_guessing_across_accounts_is_locked_for_all() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.rate_limit.enabled = false;
        s.auth.login_failures_per_account = 100;
        s.auth.login_failures_per_address = 10;
        s.auth.login_address_recover_secs = 60;
    })
    .await;
    app.signed_in("spray-target").await;
    let mut codes = Vec::new();
    for n in 0..30 {
        codes.push(login(&app, &format!("user{n}"), "password123456").await.1);
    }
    assert_eq!(codes.iter().filter(|c| *c == "invalid_credentials").count(), 11, "{codes:?}");
    assert!(codes[11..].iter().all(|c| c == "login_throttled"), "{codes:?}");
    let (status, code, retry) = login(&app, "spray-target", "a fine password").await;
    assert_eq!((status, code.as_str()), (429, "login_throttled"), "the address is locked for every account");
    assert!(retry.is_some());
    app.stop().await;
}

#[actix_web::test]
async fn a_wrong_current_password_counts_as_a_failed_login() {
    let app = TestApp::spawn_with(Db::Sqlite, throttled).await;
    let tokens = app.signed_in("changer").await;
    let access = tokens["access_token"].as_str().unwrap();
    let change = |current: &str| json!({ "current_password": current, "new_password": "a newer password" });
    let mut codes = Vec::new();
    for n in 0..8 {
        let (status, body) = app.post("/v1/me/password", &change(&format!("guess {n}")), Some(access)).await;
        codes.push((status, code(&body).to_owned()));
    }
    assert!(codes[..5].iter().all(|(s, c)| *s == 403 && c == "wrong_password"), "{codes:?}");
    assert_eq!(codes.last().unwrap(), &(429, "login_throttled".to_owned()));
    let (status, _) = app.post("/v1/me/password", &change("a fine password"), Some(access)).await;
    assert_eq!(status, 429, "the right one waits too");
    assert_eq!(login(&app, "changer", "a fine password").await.1, "login_throttled");
    app.stop().await;
}

/// A failed login as if forwarded for `client`.
async fn login_via(app: &TestApp, client: &str, username: &str) -> String {
    let body = json!({ "username": username, "password": "a wrong password" });
    let res = app.http.post(app.url("/v1/auth/login")).header("x-forwarded-for", client).json(&body).send().await;
    let body: Value = res.unwrap().json().await.unwrap();
    code(&body).to_owned()
}

fn per_address(trusted: &'static [&'static str]) -> impl FnOnce(&mut croupier_server::settings::Settings) {
    move |s| {
        s.rate_limit.enabled = false;
        s.auth.login_failures_per_account = 100;
        s.auth.login_failures_per_address = 3;
        s.auth.login_address_recover_secs = 60;
        s.server.trusted_proxies = trusted.iter().map(|t| (*t).to_owned()).collect();
    }
}

#[actix_web::test]
async fn the_address_comes_from_a_trusted_proxy_only() {
    // Behind a trusted proxy: each forwarded client counts on its own, and
    // the audit trail names it.
    let app = TestApp::spawn_with(Db::Sqlite, per_address(&["127.0.0.1"])).await;
    let codes: Vec<String> = five_failures(&app, |n| ("6.6.6.6, 198.51.100.1".to_owned(), format!("acct{n}"))).await;
    assert_eq!(codes, ["invalid_credentials"; 4].iter().chain(&["login_throttled"]).copied().collect::<Vec<_>>());
    assert_eq!(login_via(&app, "198.51.100.2", "acct9").await, "invalid_credentials", "another client is not locked");
    let staff = app.operator_token("olga").await;
    app.signed_in("payee").await;
    let deposit = json!({ "username": "payee", "amount": 100, "currency": "EUR", "idempotency_key": "via-proxy" });
    let res = app
        .http
        .post(app.url("/v1/admin/wallet/deposit"))
        .bearer_auth(&staff)
        .header("x-forwarded-for", "198.51.100.7");
    assert_eq!(res.json(&deposit).send().await.unwrap().status(), 200);
    let (_, audit) = app.get("/v1/admin/audit", Some(&staff)).await;
    assert_eq!(audit["audit"][0]["address"], "198.51.100.7", "{audit}");
    app.stop().await;

    // With no trusted proxy the header is the client's own word: ignored,
    // so a guesser cannot escape the lock by inventing addresses.
    let app = TestApp::spawn_with(Db::Sqlite, per_address(&[])).await;
    let codes = five_failures(&app, |n| (format!("198.51.100.{n}"), format!("acct{n}"))).await;
    assert_eq!(codes.last().unwrap(), "login_throttled", "{codes:?}");
    app.stop().await;
}

/// Five failed logins in a row, the `n`th forwarded for and to what `who(n)` says.
async fn five_failures(app: &TestApp, who: impl Fn(usize) -> (String, String)) -> Vec<String> {
    let mut codes = Vec::new();
    for n in 0..5 {
        let (client, account) = who(n);
        codes.push(login_via(app, &client, &account).await);
    }
    codes
}
