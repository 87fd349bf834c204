//! One server per database: a second server started on a database that a
//! live server holds refuses to start, saying why, and changes nothing (it
//! would otherwise reveal the first one's provably-fair seeds in use); once
//! the first has stopped, a server starts there again. Both backends. And
//! on Postgres a claim waits for the connections of an earlier run, whose
//! last statements could otherwise land after recovery looked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Db, TestApp, TestDb};
use croupier_server::app::Application;
use sqlx::{Connection, Executor};

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

#[actix_web::test]
async fn a_claim_waits_for_the_connections_of_an_earlier_run() {
    let (_db, settings) = TestDb::create(Db::Postgres).await;
    let store = croupier_server::store::open(&settings.database).await.unwrap();
    // A connection of a run killed a moment ago, its statement still running.
    let mut earlier = sqlx::PgConnection::connect(&settings.database.url).await.unwrap();
    earlier.execute("SET application_name = 'croupier/0123456789abcdef'").await.unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let finished = done.clone();
    let statement = actix_web::rt::spawn(async move {
        earlier.execute("SELECT pg_sleep(0.5)").await.unwrap();
        finished.store(true, Ordering::SeqCst);
        earlier.close().await.unwrap();
    });
    let claim = store.claim().await.unwrap();
    assert!(claim.is_some(), "no live server holds the database");
    assert!(done.load(Ordering::SeqCst), "the claim came while the earlier run's statement still ran");
    statement.await.unwrap();
}
