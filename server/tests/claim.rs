//! One server per database: a second server started on a database that a
//! live server holds refuses to start, saying why, and changes nothing (it
//! would otherwise reveal the first one's provably-fair seeds in use); once
//! the first has stopped, a server starts there again. Both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Db, TestApp};
use croupier_server::app::Application;

async fn a_second_server_is_refused(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let mut p = common::ws::Player::join_server(&app, "first").await;
    let opened = p.request(serde_json::json!({ "type": "session.open", "game": "slots" })).await;
    assert_eq!(opened["type"], "session", "{opened}");
    let seeds = app.store.fair_seeds_of(p.id, 10).await.unwrap();
    assert!(seeds.iter().all(|s| s.revealed_at.is_none()), "the session's seed is in use: {seeds:?}");

    let second = Application::build(app.settings.clone()).await;
    let err = second.err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(err.contains("another croupier server is running on this database"), "{err}");
    let seeds = app.store.fair_seeds_of(p.id, 10).await.unwrap();
    assert!(seeds.iter().all(|s| s.revealed_at.is_none()), "the refused server revealed nothing: {seeds:?}");
    // The first server still plays.
    assert_eq!(p.request(serde_json::json!({ "type": "ping" })).await["type"], "pong");
    drop(p);
    // Stopped, it lets the next one in (the restart reveals its seeds).
    let app = app.restart().await;
    app.stop().await;
}

#[actix_web::test]
async fn a_second_server_on_postgres_is_refused() {
    a_second_server_is_refused(Db::Postgres).await;
}

#[actix_web::test]
async fn a_second_server_on_sqlite_is_refused() {
    a_second_server_is_refused(Db::Sqlite).await;
}
