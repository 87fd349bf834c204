//! Anti-money-laundering review against the real server on both backends,
//! with the sandbox payment provider: each rule — a large deposit or
//! withdrawal, many deposits in a short time, a withdrawal with little play
//! since the deposits, many accounts from one address or device — opens a
//! case in the operators' queue (one live case per player, rule and
//! subject), a withdrawal raising one waits for review, and staff escalate,
//! note and close cases with every step in the case's history and the
//! audit trail. Each refusal has its code and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::sandbox::{deposit, until_payment, with_payments};
use common::{Db, TestApp, code};
use serde_json::{Value, json};

/// A server with small AML thresholds: 5,000 is large, 3 deposits in an
/// hour are many, a withdrawal needs half the deposits wagered, `accounts`
/// from one address or device are many (0: that rule is off).
async fn server(kind: Db, accounts: u32) -> (TestApp, String) {
    with_payments(kind, move |s| {
        s.payments.review_above = 1_000_000;
        s.aml.large_amount = 5_000;
        s.aml.velocity_deposits = 3;
        s.aml.no_play_percent = 50;
        s.aml.accounts_per_address = accounts;
    })
    .await
}

/// The open cases, as the queue lists them.
async fn open_cases(app: &TestApp, staff: &str) -> Vec<Value> {
    let (s, body) = app.get("/v1/admin/aml/cases", Some(staff)).await;
    assert_eq!(s, 200, "{body}");
    body["cases"].as_array().unwrap().clone()
}

/// `(user, rule, subject)` of each case.
fn keys(cases: &[Value]) -> Vec<(i64, String, String)> {
    let mut out: Vec<_> = cases
        .iter()
        .map(|c| {
            (
                c["user_id"].as_i64().unwrap(),
                c["rule"].as_str().unwrap().to_owned(),
                c["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn login(app: &TestApp, name: &str, device: Option<&str>) -> (u16, Value) {
    let mut req =
        app.http.post(app.url("/v1/auth/login")).json(&json!({ "username": name, "password": "a fine password" }));
    if let Some(d) = device {
        req = req.header("Croupier-Device", d);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn register(app: &TestApp, name: &str) -> i64 {
    let creds = json!({ "username": name, "password": "a fine password" });
    let (s, body) = app.post("/v1/auth/register", &creds, None).await;
    assert_eq!(s, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn money_rules_open_cases(kind: Db) {
    let (app, _sandbox) = server(kind, 0).await;
    let staff = app.operator_token("olga").await;
    let token = app.signed_in("amy").await["access_token"].as_str().unwrap().to_owned();
    let amy = app.store.user_by_name("amy").await.unwrap().unwrap().id;
    assert_eq!(open_cases(&app, &staff).await, Vec::<Value>::new());

    // Two deposits: nothing; the third within the hour: velocity.
    for n in 1..=3 {
        let id = deposit(&app, &token, 1_000, "4242424242424242").await;
        until_payment(&app, &token, id, "succeeded").await;
        let rules: Vec<String> = keys(&open_cases(&app, &staff).await).into_iter().map(|k| k.1).collect();
        assert_eq!(rules, if n < 3 { vec![] } else { vec!["velocity".to_owned()] }, "after deposit {n}");
    }
    // A large one: its own case; velocity stays one live case.
    let large = deposit(&app, &token, 6_000, "4242424242424242").await;
    until_payment(&app, &token, large, "succeeded").await;
    let cases = open_cases(&app, &staff).await;
    assert_eq!(
        keys(&cases),
        [(amy, "large_transaction".into(), format!("payment:{large}")), (amy, "velocity".into(), "velocity".into())]
    );
    let big = cases.iter().find(|c| c["rule"] == "large_transaction").unwrap();
    assert_eq!(big["detail"], json!({ "kind": "deposit", "amount": 6_000, "currency": "EUR", "threshold": 5_000 }));
    assert_eq!((big["status"].as_str(), big["outcome"].clone()), (Some("open"), Value::Null));

    // Out again with nothing wagered: a case, and the withdrawal waits for
    // review although it is under `payments.review_above`.
    let body = json!({ "amount": 500, "currency": "EUR", "destination": "acct_1" });
    let (s, held) = app.post("/v1/wallet/withdrawals", &body, Some(&token)).await;
    assert_eq!((s, held["payment"]["status"].as_str()), (201, Some("review")), "{held}");
    let out = held["payment"]["id"].as_i64().unwrap();
    let cases = open_cases(&app, &staff).await;
    let churn = cases.iter().find(|c| c["rule"] == "deposit_without_play").unwrap();
    assert_eq!(churn["subject"], format!("payment:{out}"));
    assert_eq!((churn["detail"]["deposited"].as_i64(), churn["detail"]["wagered"].as_i64()), (Some(9_000), Some(0)));

    // A player whose money was not deposited through the provider, or who
    // has played: paid out, no case.
    let other = app.signed_in("ben").await;
    let ben = app.store.user_by_name("ben").await.unwrap().unwrap().id;
    app.fund(ben, "EUR", 2_000).await;
    let (s, paid) = app.post("/v1/wallet/withdrawals", &body, Some(other["access_token"].as_str().unwrap())).await;
    assert_eq!(s, 201, "{paid}");
    assert_ne!(paid["payment"]["status"], "review", "{paid}");

    // Closing the velocity case lets a later burst open a new one.
    let velocity = cases.iter().find(|c| c["rule"] == "velocity").unwrap()["id"].as_i64().unwrap();
    let closing = json!({ "outcome": "cleared", "reason": "regular player" });
    assert_eq!(app.post(&format!("/v1/admin/aml/cases/{velocity}/close"), &closing, Some(&staff)).await.0, 200);
    let again = deposit(&app, &token, 1_000, "4242424242424242").await;
    until_payment(&app, &token, again, "succeeded").await;
    let velocities = open_cases(&app, &staff).await.into_iter().filter(|c| c["rule"] == "velocity").count();
    assert_eq!(velocities, 1, "a new live case after the closed one");

    let audit = app.store.audit_log(None, 100).await.unwrap();
    let opened = audit.iter().filter(|a| a.action == "aml.case_opened").count();
    assert_eq!(opened, 4, "every case opened is audited: {:?}", audit.iter().map(|a| &a.action).collect::<Vec<_>>());
    app.stop().await;
}

#[actix_web::test]
async fn money_rules_open_cases_postgres() {
    money_rules_open_cases(Db::Postgres).await;
}

#[actix_web::test]
async fn money_rules_open_cases_sqlite() {
    money_rules_open_cases(Db::Sqlite).await;
}

async fn shared_addresses_and_devices_open_cases(kind: Db) {
    let (app, _sandbox) = server(kind, 3).await;
    let staff = app.operator_token("olga").await; // the first account seen from 127.0.0.1
    let (ann, bob, cid, eve) = (
        register(&app, "ann").await,
        register(&app, "bob").await,
        register(&app, "cid").await,
        register(&app, "eve").await,
    );
    let (s, refused) = login(&app, "ann", Some("not a device!")).await;
    assert_eq!((s, code(&refused)), (400, "invalid_device"), "{refused}");
    assert_eq!(open_cases(&app, &staff).await, Vec::<Value>::new(), "a refused sign-in counts for nothing");

    assert_eq!(login(&app, "ann", Some("dev-1")).await.0, 200); // 2 accounts from the address
    assert_eq!(login(&app, "bob", Some("dev-1")).await.0, 200); // 3: bob's case
    assert_eq!(login(&app, "cid", None).await.0, 200); // 4: cid's case
    assert_eq!(login(&app, "ann", Some("dev-1")).await.0, 200); // ann's, now; the device has 2
    assert_eq!(login(&app, "ann", Some("dev-1")).await.0, 200); // ann's case is live: no second
    assert_eq!(login(&app, "eve", Some("dev-1")).await.0, 200); // the device's third: both
    let address = "address:127.0.0.1".to_owned();
    assert_eq!(keys(&open_cases(&app, &staff).await), {
        let mut want = vec![
            (ann, "shared_address".to_owned(), address.clone()),
            (bob, "shared_address".to_owned(), address.clone()),
            (cid, "shared_address".to_owned(), address.clone()),
            (eve, "shared_address".to_owned(), address.clone()),
            (eve, "shared_device".to_owned(), "device:dev-1".to_owned()),
        ];
        want.sort();
        want
    });
    app.stop().await;
}

#[actix_web::test]
async fn shared_addresses_and_devices_open_cases_postgres() {
    shared_addresses_and_devices_open_cases(Db::Postgres).await;
}

#[actix_web::test]
async fn shared_addresses_and_devices_open_cases_sqlite() {
    shared_addresses_and_devices_open_cases(Db::Sqlite).await;
}

async fn staff_review_cases_with_a_history(kind: Db) {
    let (app, _sandbox) = server(kind, 0).await;
    let staff = app.operator_token("olga").await;
    let token = app.signed_in("amy").await["access_token"].as_str().unwrap().to_owned();
    let id = deposit(&app, &token, 7_000, "4242424242424242").await;
    until_payment(&app, &token, id, "succeeded").await;
    let case = open_cases(&app, &staff).await[0]["id"].as_i64().unwrap();
    let path = |what: &str| format!("/v1/admin/aml/cases/{case}{what}");

    // Refusals, each changing nothing.
    for (route, body, want) in [
        ("/escalate", json!({ "reason": "" }), (400, "invalid_reason")),
        ("/close", json!({ "outcome": "maybe", "reason": "r" }), (400, "invalid_outcome")),
        ("/notes", json!({ "note": "two\nlines" }), (400, "invalid_reason")),
    ] {
        let (s, refused) = app.post(&path(route), &body, Some(&staff)).await;
        assert_eq!((s, code(&refused)), want, "{route}: {refused}");
    }
    let (s, refused) = app.post("/v1/admin/aml/cases/999999/escalate", &json!({ "reason": "r" }), Some(&staff)).await;
    assert_eq!((s, code(&refused)), (404, "unknown_case"));
    assert_eq!(code(&app.get("/v1/admin/aml/cases/999999", Some(&staff)).await.1), "unknown_case");
    assert_eq!(code(&app.get("/v1/admin/aml/cases?status=pending", Some(&staff)).await.1), "invalid_query");
    let (s, refused) = app.get(&path(""), Some(&token)).await;
    assert_eq!((s, code(&refused)), (403, "forbidden"), "a player sees no case");
    let (_, shown) = app.get(&path(""), Some(&staff)).await;
    assert_eq!((shown["case"]["status"].as_str(), shown["history"].clone()), (Some("open"), json!([])));

    let (s, escalated) = app.post(&path("/escalate"), &json!({ "reason": "source of funds?" }), Some(&staff)).await;
    assert_eq!((s, escalated["case"]["status"].as_str()), (200, Some("escalated")), "{escalated}");
    let (s, refused) = app.post(&path("/escalate"), &json!({ "reason": "again" }), Some(&staff)).await;
    assert_eq!((s, code(&refused)), (409, "invalid_case_state"));
    let (s, noted) = app.post(&path("/notes"), &json!({ "note": "asked for payslips" }), Some(&staff)).await;
    assert_eq!(s, 200, "{noted}");
    let closing = json!({ "outcome": "reported", "reason": "filed with the FIU" });
    let (s, closed) = app.post(&path("/close"), &closing, Some(&staff)).await;
    assert_eq!(
        (s, closed["case"]["status"].as_str(), closed["case"]["outcome"].as_str()),
        (200, Some("closed"), Some("reported"))
    );
    let (s, refused) = app.post(&path("/close"), &closing, Some(&staff)).await;
    assert_eq!((s, code(&refused)), (409, "invalid_case_state"));

    let history: Vec<(String, String)> = closed["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["note"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        history,
        [
            ("escalate".to_owned(), "source of funds?".to_owned()),
            ("note".to_owned(), "asked for payslips".to_owned()),
            ("close".to_owned(), "filed with the FIU".to_owned())
        ]
    );
    let olga = app.store.user_by_name("olga").await.unwrap().unwrap().id;
    assert!(closed["history"].as_array().unwrap().iter().all(|e| e["actor"] == olga && e["actor_name"] == "olga"));
    assert_eq!(closed["case"]["username"], "amy", "staff read names, not ids");
    let listed = app.get("/v1/admin/aml/cases?status=closed", Some(&staff)).await.1;
    assert_eq!((listed["cases"][0]["id"].as_i64(), listed["cases"][0]["username"].as_str()), (Some(case), Some("amy")));
    let actions: Vec<String> = app.store.audit_log(None, 100).await.unwrap().into_iter().map(|a| a.action).collect();
    for action in ["aml.case_opened", "aml.escalate", "aml.note", "aml.close"] {
        assert_eq!(actions.iter().filter(|a| *a == action).count(), 1, "{action}: {actions:?}");
    }
    assert!(app.store.verify_audit().await.unwrap().broken.is_none(), "the chain holds");
    app.stop().await;
}

#[actix_web::test]
async fn staff_review_cases_with_a_history_postgres() {
    staff_review_cases_with_a_history(Db::Postgres).await;
}

#[actix_web::test]
async fn staff_review_cases_with_a_history_sqlite() {
    staff_review_cases_with_a_history(Db::Sqlite).await;
}
