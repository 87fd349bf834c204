//! Single-player sessions answer every request, whatever state they are in:
//! a spin sent right behind `session.close` gets `unknown_session` (it used
//! to wait unanswered), and after a restart a restored session answers a
//! spin without a `resume` first (it used to take the stake and say
//! nothing); and ids carry no meaning: a table named like a session resumes
//! like any table. Real server, real socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::ws::{Player, next_within, send};
use common::{Db, TestApp};
use croupier_server::settings::TableSpec;
use serde_json::{Value, json};

async fn open_session(p: &mut Player) -> String {
    let opened = p.request(json!({ "type": "session.open", "game": "slots" })).await;
    assert_eq!(opened["type"], "session", "{opened}");
    assert!(opened["seq"].is_u64(), "a session says its seq: {opened}");
    opened["session"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn a_spin_sent_right_behind_close_is_answered() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.rate_limit.enabled = false).await;
    let mut p = Player::join_server(&app, "cleo").await;
    app.fund(p.id, "EUR", 10_000).await;
    for round in 0..5u64 {
        let session = open_session(&mut p).await;
        let (close, spin) = (1000 + 2 * round, 1001 + 2 * round);
        // Back to back, without waiting for the first answer.
        send(&mut p.ws, json!({ "type": "session.close", "id": close, "session": session })).await;
        send(
            &mut p.ws,
            json!({ "type": "act", "id": spin, "session": session, "action": { "type": "spin", "line_bet": 1 } }),
        )
        .await;
        let mut answers: HashMap<u64, Value> = HashMap::new();
        while answers.len() < 2 {
            let m = next_within(&mut p.ws, Duration::from_secs(10)).await;
            let m = m.unwrap_or_else(|| panic!("round {round}: unanswered after 10 s: {answers:?}"));
            if let Some(re) = m["re"].as_u64() {
                answers.insert(re, m);
            }
        }
        assert_eq!(answers[&close]["type"], "ok", "{answers:?}");
        let spun = &answers[&spin];
        assert_eq!(spun["code"], "unknown_session", "the spin came after the close: {spun}");
    }
    // Nothing was staked by the refused spins.
    assert_eq!(app.available(p.id, "EUR").await, 10_000);
    app.stop().await;
}

#[actix_web::test]
async fn a_restored_session_answers_a_spin_without_a_resume_first() {
    let app = TestApp::spawn_with(Db::Postgres, |s| s.rate_limit.enabled = false).await;
    let mut p = Player::join_server(&app, "sam").await;
    app.fund(p.id, "EUR", 10_000).await;
    let session = open_session(&mut p).await;
    let spin = json!({ "type": "act", "session": session, "action": { "type": "spin", "line_bet": 1 } });
    assert_eq!(p.request(spin.clone()).await["type"], "ok");
    p.event("spun").await;
    let token = p.token.clone();
    drop(p);

    let app = app.restart().await;
    let mut p = Player::connect(&app, "sam", &token).await;
    for _ in 0..3 {
        let reply = p.request(spin.clone()).await;
        assert_eq!(reply["type"], "ok", "{reply}");
        let spun = p.event("spun").await;
        assert_eq!(spun["table"], session.as_str());
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_table_named_like_a_session_resumes_like_any_table() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.tables = vec![TableSpec { id: "s-lounge".into(), game: "roulette".into(), config: json!({}) }];
    })
    .await;
    let mut p = Player::join_server(&app, "tess").await;
    let joined = p.request(json!({ "type": "join", "table": "s-lounge" })).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    let seq = joined["seq"].as_u64().unwrap();
    let resumed = p.request(json!({ "type": "resume", "table": "s-lounge", "last_seq": seq })).await;
    assert_eq!(resumed["type"], "ok", "up to date: {resumed}");
    app.stop().await;
}

#[actix_web::test]
async fn a_request_names_a_table_or_a_session_and_is_looked_for_there_only() {
    let app = TestApp::spawn_with(Db::Sqlite, |_| {}).await;
    let mut p = Player::join_server(&app, "nia").await;
    app.fund(p.id, "EUR", 1_000).await;
    let session = open_session(&mut p).await;
    let spin = |target: Value| {
        let mut msg = json!({ "type": "act", "action": { "type": "spin", "line_bet": 1 } });
        msg.as_object_mut().unwrap().extend(target.as_object().unwrap().clone());
        msg
    };
    // A spin is an act naming the session.
    assert_eq!(p.request(spin(json!({ "session": session }))).await["type"], "ok");
    p.event("spun").await;
    let resumed = p.request(json!({ "type": "resume", "session": session, "last_seq": 0 })).await;
    assert!(resumed["type"] == "ok" || resumed["type"] == "resync", "{resumed}");
    // A session id is not a table, and one request names one place.
    let as_table = p.request(json!({ "type": "resume", "table": session, "last_seq": 0 })).await;
    assert_eq!(as_table["code"], "unknown_table", "{as_table}");
    let both = p.request(spin(json!({ "session": session, "table": "r1" }))).await;
    assert_eq!(both["code"], "invalid_message", "{both}");
    let neither = p.request(spin(json!({}))).await;
    assert_eq!(neither["code"], "invalid_message", "{neither}");
    app.stop().await;
}
