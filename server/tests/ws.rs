//! The WebSocket connection over a real socket: hello, auth (in time, with a
//! valid token), ping, bad input with codes and strikes, frame size, one
//! connection per player, a client that does not read, and the balance
//! pushed when an operator deposits. The heartbeat
//! and the auth deadline are tested under paused time in `timers.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use awc::ws::Message;
use common::ws::{Ws, next, open, send};
use common::{Db, TestApp};
use futures_util::SinkExt;
use serde_json::json;

async fn authed(app: &TestApp, name: &str) -> Ws {
    let tokens = app.signed_in(name).await;
    let mut ws = open(app).await;
    assert_eq!(next(&mut ws).await.unwrap()["type"], "hello");
    send(&mut ws, json!({ "type": "auth", "id": 1, "token": tokens["access_token"] })).await;
    let reply = next(&mut ws).await.unwrap();
    assert_eq!(
        (reply["type"].as_str(), reply["re"].as_i64(), reply["username"].as_str()),
        (Some("authed"), Some(1), Some(name))
    );
    ws
}

#[actix_web::test]
async fn hello_auth_and_ping() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let mut ws = open(&app).await;
    let hello = next(&mut ws).await.unwrap();
    assert_eq!((hello["type"].as_str(), hello["protocol"].as_u64()), (Some("hello"), Some(1)));
    send(&mut ws, json!({ "type": "ping", "id": 5 })).await;
    let reply = next(&mut ws).await.unwrap();
    assert_eq!((reply["code"].as_str(), reply["re"].as_u64()), (Some("unauthenticated"), Some(5)), "{reply}");
    assert_eq!(next(&mut ws).await.unwrap()["closed"], 1008);

    let mut ws = authed(&app, "wendy").await;
    send(&mut ws, json!({ "type": "ping", "id": 6 })).await;
    assert_eq!(next(&mut ws).await.unwrap(), json!({ "type": "pong", "re": 6 }));
    // The open-connections gauge counts this socket, and not the one closed above.
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("\ncroupier_ws_connections 1\n"), "{metrics}");
    drop(ws);
    let mut gone = false;
    for _ in 0..100 {
        let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        if metrics.contains("\ncroupier_ws_connections 0\n") {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(gone, "the gauge went back to 0 when the socket closed");
    app.stop().await;
}

#[actix_web::test]
async fn a_bad_token_or_no_auth_in_time_closes_1008() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.ws.auth_deadline_ms = 300).await;
    let mut ws = open(&app).await;
    next(&mut ws).await;
    send(&mut ws, json!({ "type": "auth", "id": 1, "token": "forged" })).await;
    let reply = next(&mut ws).await.unwrap();
    assert_eq!((reply["code"].as_str(), reply["re"].as_i64()), (Some("invalid_token"), Some(1)));
    assert_eq!(next(&mut ws).await.unwrap()["closed"], 1008);

    let mut ws = open(&app).await;
    next(&mut ws).await;
    assert_eq!(next(&mut ws).await.unwrap()["code"], "auth_timeout");
    assert_eq!(next(&mut ws).await.unwrap()["closed"], 1008);
    app.stop().await;
}

#[actix_web::test]
async fn bad_messages_get_codes_until_too_many() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.ws.max_strikes = 7).await;
    let mut ws = authed(&app, "xena").await;
    // A frame whose `id` can be read is answered with it as `re`, whatever
    // else is wrong with it; one without a readable `id` gets no `re`.
    for (bad, re) in [
        (json!("not an object"), None),
        (json!({ "type": "teleport" }), None),
        (json!({ "type": "teleport", "id": 41 }), Some(41)),
        (json!({ "type": "ping", "id": 42, "extra": 1 }), Some(42)),
        (json!({ "type": "join", "id": 43, "table": 7 }), Some(43)),
        (json!({ "type": "ping", "id": "44" }), None),
    ] {
        send(&mut ws, bad.clone()).await;
        let reply = next(&mut ws).await.unwrap();
        assert_eq!((reply["code"].as_str(), reply["re"].as_u64()), (Some("invalid_message"), re), "{bad}: {reply}");
    }
    send(&mut ws, json!({ "type": "ping", "id": 9 })).await;
    assert_eq!(next(&mut ws).await.unwrap()["type"], "pong", "still served after bad input");
    ws.send(Message::Binary(vec![1, 2, 3].into())).await.unwrap();
    assert_eq!(next(&mut ws).await.unwrap()["code"], "invalid_message");
    assert_eq!(next(&mut ws).await.unwrap()["closed"], 1008, "the seventh strike closes");
    app.stop().await;
}

#[actix_web::test]
async fn oversized_frames_close_1009() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.ws.max_frame_bytes = 2048).await;
    let mut ws = authed(&app, "yuri").await;
    send(&mut ws, json!({ "type": "chat", "table": "t", "text": "x".repeat(4096) })).await;
    assert_eq!(next(&mut ws).await.unwrap()["closed"], 1009);
    app.stop().await;
}

#[actix_web::test]
async fn messages_are_rate_limited_per_connection() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.ws.messages_per_second = 1;
        s.ws.message_burst = 2;
    })
    .await;
    let mut ws = authed(&app, "zara").await; // auth used one token of the burst
    send(&mut ws, json!({ "type": "ping", "id": 1 })).await;
    assert_eq!(next(&mut ws).await.unwrap()["type"], "pong");
    send(&mut ws, json!({ "type": "ping", "id": 2 })).await;
    let refused = next(&mut ws).await.unwrap();
    assert_eq!((refused["code"].as_str(), refused["re"].as_u64()), (Some("rate_limited"), Some(2)), "{refused}");
    // Over the limit, a frame that does not decode is still answered with its id.
    send(&mut ws, json!({ "type": "teleport", "id": 3 })).await;
    let refused = next(&mut ws).await.unwrap();
    assert_eq!((refused["code"].as_str(), refused["re"].as_u64()), (Some("rate_limited"), Some(3)), "{refused}");
    app.stop().await;
}

#[actix_web::test]
async fn a_new_connection_replaces_the_old_one() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let tokens = app.signed_in("ada").await;
    let mut first = open(&app).await;
    next(&mut first).await;
    send(&mut first, json!({ "type": "auth", "token": tokens["access_token"] })).await;
    assert_eq!(next(&mut first).await.unwrap()["type"], "authed");
    let mut second = open(&app).await;
    next(&mut second).await;
    send(&mut second, json!({ "type": "auth", "token": tokens["access_token"] })).await;
    assert_eq!(next(&mut second).await.unwrap()["type"], "authed");
    assert_eq!(next(&mut first).await.unwrap()["code"], "replaced");
    assert_eq!(next(&mut first).await.unwrap()["closed"], 1008);
    send(&mut second, json!({ "type": "ping", "id": 3 })).await;
    assert_eq!(next(&mut second).await.unwrap()["type"], "pong", "the new connection is served");
    app.stop().await;
}

#[actix_web::test]
async fn a_client_that_does_not_read_is_dropped() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.ws.outbound_queue = 4;
        s.ws.messages_per_second = 1_000_000;
        s.ws.message_burst = 1_000_000;
    })
    .await;
    let mut ws = authed(&app, "bob").await;
    // WebSocket pings the client never reads the pongs of: once the socket's
    // buffers are full the pongs back up in the bounded queue, and the server
    // drops the connection instead of waiting. The client notices when its
    // own writes start failing.
    let payload = vec![7u8; 125];
    let started = std::time::Instant::now();
    let mut sent = 0u64;
    while ws.send(Message::Ping(payload.clone().into())).await.is_ok() {
        sent += 1;
        assert!(started.elapsed() < Duration::from_secs(60), "still connected after {sent} unread pongs");
    }
    assert!(sent > 4, "the connection failed before the test began: {sent}");
    app.stop().await;
}

/// An operator's deposit reaches the player's open socket as their new
/// balance, on both backends; a deposit whose key replays pushes nothing.
#[actix_web::test]
async fn a_deposit_pushes_the_balance_to_the_players_socket() {
    for db in [Db::Postgres, Db::Sqlite] {
        let app = TestApp::spawn(db).await;
        let mut ws = authed(&app, "bella").await;
        let op = app.operator_token("olga").await;
        let body = json!({ "username": "bella", "amount": 2_500, "currency": "EUR", "idempotency_key": "push-1" });
        assert_eq!(app.post("/v1/admin/wallet/deposit", &body, Some(&op)).await.0, 200);
        let pushed = next(&mut ws).await.unwrap();
        assert_eq!(pushed, json!({ "type": "balance", "currency": "EUR", "available": 2_500, "held": 0 }));
        let (status, replay) = app.post("/v1/admin/wallet/deposit", &body, Some(&op)).await;
        assert_eq!((status, &replay["replayed"]), (200, &json!(true)));
        send(&mut ws, json!({ "type": "ping", "id": 9 })).await;
        assert_eq!(next(&mut ws).await.unwrap(), json!({ "type": "pong", "re": 9 }), "the replay pushed nothing");
        app.stop().await;
    }
}
