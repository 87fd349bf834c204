//! A WebSocket test client: a real socket to the real server, with request
//! ids, replies matched by `re`, and everything else kept in order for the
//! test to wait on.

use std::collections::VecDeque;
use std::time::Duration;

use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};

use super::TestApp;

pub type Ws = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

pub async fn open(app: &TestApp) -> Ws {
    open_url(&app.url("/v1/ws").replace("http", "ws")).await
}

/// A socket to `url` (`ws://host:port/v1/ws`).
pub async fn open_url(url: &str) -> Ws {
    let (_, ws) = awc::Client::builder()
        .max_http_version(awc::http::Version::HTTP_11)
        .finish()
        .ws(url)
        .max_frame_size(1 << 20)
        .connect()
        .await
        .unwrap();
    ws
}

/// The next JSON text message, skipping pings; a `{"closed": code}` object
/// when the server closed; `None` when the stream ended.
pub async fn next_within(ws: &mut Ws, wait: Duration) -> Option<Value> {
    loop {
        let frame =
            tokio::time::timeout(wait, ws.next()).await.unwrap_or_else(|_| panic!("no message within {wait:?}"));
        match frame? {
            Ok(Frame::Text(bytes)) => return Some(serde_json::from_slice(&bytes).unwrap()),
            Ok(Frame::Close(reason)) => return Some(json!({ "closed": reason.map(|r| u16::from(r.code)) })),
            Ok(_) => continue,
            Err(e) => {
                eprintln!("ws error: {e:?}");
                return None;
            }
        }
    }
}

pub async fn next(ws: &mut Ws) -> Option<Value> {
    next_within(ws, Duration::from_secs(5)).await
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// A signed-in player on a socket.
pub struct Player {
    pub ws: Ws,
    pub id: i64,
    pub name: String,
    pub token: String,
    next_id: u64,
    inbox: VecDeque<Value>,
}

impl Player {
    /// Registers `name`, logs in and authenticates a socket.
    pub async fn join_server(app: &TestApp, name: &str) -> Self {
        let tokens = app.signed_in(name).await;
        let token = tokens["access_token"].as_str().unwrap().to_owned();
        Self::connect(app, name, &token).await
    }

    /// A new socket for an existing player.
    pub async fn connect(app: &TestApp, name: &str, token: &str) -> Self {
        Self::connect_url(&app.url("/v1/ws").replace("http", "ws"), name, token).await
    }

    /// A new socket to the server at `url` for an existing player.
    pub async fn connect_url(url: &str, name: &str, token: &str) -> Self {
        let mut ws = open_url(url).await;
        assert_eq!(next(&mut ws).await.unwrap()["type"], "hello");
        send(&mut ws, json!({ "type": "auth", "id": 0, "token": token })).await;
        let authed = next(&mut ws).await.unwrap();
        assert_eq!(authed["type"], "authed", "{authed}");
        let id = authed["player"].as_i64().unwrap();
        Self { ws, id, name: name.to_owned(), token: token.to_owned(), next_id: 1, inbox: VecDeque::new() }
    }

    /// Sends `msg` with a fresh `id` and returns the reply to it; other
    /// messages received meanwhile are kept for [`Player::wait_for`].
    pub async fn request(&mut self, mut msg: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        msg["id"] = json!(id);
        send(&mut self.ws, msg).await;
        loop {
            let m = self.recv().await;
            if m["re"].as_u64() == Some(id) {
                return m;
            }
            if m.get("closed").is_some() {
                let before: Vec<String> = self.inbox.iter().rev().take(5).map(Value::to_string).collect();
                panic!("the server closed the connection ({}) before replying; newest first: {before:?}", m["closed"]);
            }
            self.inbox.push_back(m);
        }
    }

    async fn recv(&mut self) -> Value {
        next_within(&mut self.ws, Duration::from_secs(30)).await.expect("the server ended the stream")
    }

    /// The first message (kept or new) matching `pred`; earlier ones are
    /// dropped.
    pub async fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        while let Some(m) = self.inbox.pop_front() {
            if pred(&m) {
                return m;
            }
        }
        loop {
            let m = self.recv().await;
            if pred(&m) {
                return m;
            }
            assert!(m.get("closed").is_none(), "the server closed the connection ({}) while waiting", m["closed"]);
        }
    }

    /// The next table event whose game event has type `kind`.
    pub async fn event(&mut self, kind: &str) -> Value {
        self.wait_for(|m| m["type"] == "event" && m["event"]["type"] == kind).await
    }

    /// Everything received so far and not consumed.
    pub fn drain(&mut self) -> Vec<Value> {
        self.inbox.drain(..).collect()
    }
}
