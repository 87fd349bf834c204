//! Timers under paused time. The server is built on the test's own thread
//! (`Setup::tables_on_this_thread`) with a clock that follows tokio's, and
//! tokio's clock is paused and held still ([`Frozen`]): virtual time moves
//! only when a test advances it, while the database and Redis answer in
//! real time. So what fires when — a betting window, a seat's reconnect
//! grace, the heartbeat, the auth deadline — is decided by the code alone,
//! never by how loaded the machine is. tokio's timer wheel counts whole
//! milliseconds and rounds a deadline up, so a timer due at `t` has fired
//! by `t + 1 ms`: each test checks nothing at `t - 1 ms` and the firing at
//! `t + 1 ms`. Connections are driven without a
//! socket: the test feeds `/v1/ws`'s handler WebSocket frames and decodes
//! the frames it answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use actix::{Actor, Context, Handler};
use actix_codec::{Decoder, Encoder};
use actix_http::ws::{Codec, Frame, Message};
use actix_web::body::MessageBody;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{FromRequest, test::TestRequest};
use common::{Db, TestDb};
use croupier_server::app::{AppState, Application, Setup};
use croupier_server::clients::{Kick, Out, Outbox};
use croupier_server::clock::Clock;
use croupier_server::play::{Ask, Client, Gone, Request, TableRef};
use croupier_server::settings::Settings;
use croupier_server::store::Role;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Holds tokio's paused clock still: a blocking task keeps the runtime from
/// advancing it by itself while it waits for the database, until dropped.
struct Frozen(Option<std::sync::mpsc::Sender<()>>);

impl Frozen {
    fn new() -> Self {
        tokio::time::pause();
        let (hold, held) = std::sync::mpsc::channel::<()>();
        tokio::task::spawn_blocking(move || {
            let _ = held.recv();
        });
        Self(Some(hold))
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        self.0.take();
    }
}

/// Lets real time pass (a little) for whatever the server does meanwhile;
/// virtual time stays where it is.
async fn real_pause() {
    tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(2))).await.unwrap();
}

/// Moves virtual time on by `ms`.
async fn advance(ms: u64) {
    tokio::time::advance(Duration::from_millis(ms)).await;
    real_pause().await;
}

/// Waits (up to 10 s of real time, virtual time standing still) until
/// `done` holds.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}: not within 10 s of real time");
        real_pause().await;
    }
}

/// A server on this thread, under frozen time, with `tweak`ed settings.
async fn frozen_server(tweak: impl FnOnce(&mut Settings)) -> (Frozen, TestDb, Application) {
    let frozen = Frozen::new();
    let (db, mut settings) = TestDb::create(Db::Sqlite).await;
    tweak(&mut settings);
    let clock = Clock::following_tokio(Clock::system().now_ms());
    let setup = Setup { clock, tables_on_this_thread: true, ..Setup::default() };
    let app = Application::build_with(settings, setup).await.unwrap();
    (frozen, db, app)
}

/// Swallows a full queue's kick (the tests read everything).
struct Sink;

impl Actor for Sink {
    type Context = Context<Self>;
}

impl Handler<Kick> for Sink {
    type Result = ();

    fn handle(&mut self, _: Kick, _: &mut Self::Context) {}
}

/// A player as a table sees them, and the queue its messages arrive in.
struct Seat {
    client: Client,
    inbox: mpsc::Receiver<Out>,
    next_re: u64,
}

impl Seat {
    async fn new(state: &AppState, name: &str, conn: u64) -> Self {
        let user = match state.store.user_by_name(name).await.unwrap() {
            Some(user) => user,
            None => state.store.create_user(name, "not a real hash", Role::Player, 0).await.unwrap(),
        };
        let (tx, inbox) = mpsc::channel(1024);
        let outbox = Outbox::new(tx, Sink.start().recipient());
        Self { client: Client { player: user.id, name: name.to_owned(), conn, outbox }, inbox, next_re: 0 }
    }

    /// Sends `ask` and returns its answer (events that come first are
    /// skipped).
    async fn ask(&mut self, table: &TableRef, ask: Ask) -> Value {
        self.next_re += 1;
        let re = self.next_re;
        table.requests.send(Request { client: self.client.clone(), re: Some(re), ask }).await.unwrap();
        self.until(|m| m["re"] == re).await
    }

    /// The next message, waiting (in real time) up to 10 s for it.
    async fn next(&mut self) -> Option<Value> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match self.inbox.try_recv() {
                Ok(Out::Text(text)) => return Some(serde_json::from_str(&text).unwrap()),
                Ok(_) => {}
                Err(mpsc::error::TryRecvError::Empty) if std::time::Instant::now() < deadline => real_pause().await,
                Err(_) => return None,
            }
        }
    }

    async fn until(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        loop {
            let msg = self.next().await.expect("no message in 10 s of real time");
            if want(&msg) {
                return msg;
            }
        }
    }

    /// Every message already here, without waiting.
    async fn drain(&mut self) -> Vec<Value> {
        for _ in 0..10 {
            real_pause().await;
        }
        let mut all = Vec::new();
        while let Ok(out) = self.inbox.try_recv() {
            if let Out::Text(text) = out {
                all.push(serde_json::from_str(&text).unwrap());
            }
        }
        all
    }
}

fn event_type(msg: &Value) -> &str {
    msg["event"]["type"].as_str().unwrap_or("")
}

#[actix_web::test]
async fn a_betting_window_closes_exactly_when_it_says_and_the_bet_is_paid() {
    let (_frozen, _db, app) = frozen_server(|s| {
        s.rate_limit.enabled = false;
        s.tables = vec![common::books::table("r1", "roulette", json!({ "betting_ms": 5_000, "result_ms": 2_000 }))];
    })
    .await;
    let state = app.state().clone();
    let table = state.lobby.table("r1").unwrap();
    let mut rita = Seat::new(&state, "rita", 1).await;
    state.store.deposit("fund-rita", rita.client.player, "EUR", 10_000, 0).await.unwrap();
    assert_eq!(rita.ask(&table, Ask::Join).await["type"], "joined");
    assert_eq!(rita.ask(&table, Ask::Sit { seat: None }).await["type"], "ok");
    let open = rita.until(|m| event_type(m) == "betting_open").await;
    assert_eq!(open["event"]["closes_in_ms"], 5_000);
    let bet = json!({ "type": "bet", "spot": { "type": "red" }, "amount": 1_000 });
    assert_eq!(rita.ask(&table, Ask::Act { action: bet }).await["type"], "ok");

    advance(4_999).await;
    let early = rita.drain().await;
    assert!(early.iter().all(|m| event_type(m) != "no_more_bets"), "closed early: {early:?}");
    advance(2).await;
    let spun = rita.until(|m| event_type(m) == "spun").await;
    let won = spun["event"]["payouts"].as_array().unwrap().iter().any(|p| p["player"] == rita.client.player);
    let balance = state.store.balances(rita.client.player).await.unwrap();
    let eur = balance.iter().find(|b| b.currency == "EUR").unwrap();
    assert_eq!(eur.available, if won { 11_000 } else { 9_000 }, "{spun}");
    assert_eq!(eur.held, 0);

    // The next round opens when the result has been shown (2 s after the
    // spin at 5,001 ms), not before.
    advance(1_999).await;
    assert!(rita.drain().await.iter().all(|m| event_type(m) != "betting_open"), "reopened early");
    advance(2).await;
    rita.until(|m| event_type(m) == "betting_open").await;
}

#[actix_web::test]
async fn a_seat_is_held_for_exactly_the_grace_period_and_a_return_keeps_it() {
    let (_frozen, _db, app) = frozen_server(|s| {
        s.rate_limit.enabled = false;
        s.play.reconnect_grace_secs = 60;
        s.tables = vec![common::books::table("r1", "roulette", json!({ "betting_ms": 700, "result_ms": 50 }))];
    })
    .await;
    let state = app.state().clone();
    let table = state.lobby.table("r1").unwrap();
    let mut gina = Seat::new(&state, "gina", 1).await;
    assert_eq!(gina.ask(&table, Ask::Sit { seat: None }).await["type"], "ok");
    assert_eq!(table.seated(), 1);
    table.gone.send(Gone { player: gina.client.player, conn: 1 }).await.unwrap();
    advance(59_999).await;
    assert_eq!(table.seated(), 1, "held during the grace period");
    advance(2).await;
    eventually("given up when it ends", || table.seated() == 0).await;

    // Back (a new connection) within the grace period: the seat is kept.
    let mut back = Seat::new(&state, "gina", 2).await;
    assert_eq!(back.ask(&table, Ask::Sit { seat: None }).await["type"], "ok");
    table.gone.send(Gone { player: back.client.player, conn: 2 }).await.unwrap();
    advance(30_000).await;
    let mut again = Seat::new(&state, "gina", 3).await;
    let resumed = again.ask(&table, Ask::Resume { last_seq: 0 }).await;
    assert_eq!(resumed["type"], "resync", "seq 0 is long gone: {resumed}");
    advance(60_000).await;
    assert_eq!(table.seated(), 1, "a resume within the grace period keeps the seat");
    // A stale goodbye from the replaced connection changes nothing.
    table.gone.send(Gone { player: again.client.player, conn: 2 }).await.unwrap();
    advance(61_000).await;
    assert_eq!(table.seated(), 1);
}

/// One WebSocket driven without a socket: frames in through the upgrade's
/// payload, frames out of its response body.
struct Wire {
    to_server: mpsc::UnboundedSender<Bytes>,
    from_server: actix_web::body::BoxBody,
    codec: Codec,
    buffer: BytesMut,
}

impl Wire {
    async fn open(state: &AppState) -> Self {
        let (req, _) = TestRequest::get()
            .uri("/v1/ws")
            .insert_header(("upgrade", "websocket"))
            .insert_header(("connection", "upgrade"))
            .insert_header(("sec-websocket-version", "13"))
            .insert_header(("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="))
            .to_http_parts();
        let (to_server, inbound) = mpsc::unbounded_channel::<Bytes>();
        let stream = futures_util::stream::unfold(inbound, |mut rx| async move {
            rx.recv().await.map(|bytes| (Ok::<_, actix_web::error::PayloadError>(bytes), rx))
        });
        let stream: actix_http::BoxedPayloadStream = Box::pin(stream);
        let mut payload = actix_web::dev::Payload::Stream { payload: stream };
        let body = web::Payload::from_request(&req, &mut payload).await.unwrap();
        let data = web::Data::new(state.clone());
        let response = croupier_server::ws::connect(req, body, data).await.unwrap();
        assert_eq!(response.status(), 101);
        Self {
            to_server,
            from_server: response.into_body(),
            codec: Codec::new().client_mode(),
            buffer: BytesMut::new(),
        }
    }

    /// Sends `msg` and lets the server read it before time moves on.
    async fn send(&mut self, msg: Value) {
        let mut frame = BytesMut::new();
        self.codec.encode(Message::Text(msg.to_string().into()), &mut frame).unwrap();
        self.to_server.send(frame.freeze()).unwrap();
        real_pause().await;
    }

    /// Every frame the server has written so far.
    async fn frames(&mut self) -> Vec<Frame> {
        real_pause().await;
        let mut frames = Vec::new();
        loop {
            while let Some(frame) = self.codec.decode(&mut self.buffer).unwrap() {
                frames.push(frame);
            }
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            match std::pin::Pin::new(&mut self.from_server).poll_next(&mut cx) {
                std::task::Poll::Ready(Some(chunk)) => self.buffer.extend_from_slice(&chunk.unwrap()),
                _ => return frames,
            }
        }
    }

    /// Frames until one that `want` accepts has come (waiting up to 10 s of
    /// real time; virtual time stands still meanwhile): all of them.
    async fn until(&mut self, what: &str, want: impl Fn(&Frame) -> bool) -> Vec<Frame> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut all = Vec::new();
        loop {
            all.extend(self.frames().await);
            if all.iter().any(&want) {
                return all;
            }
            assert!(std::time::Instant::now() < deadline, "{what}: not within 10 s of real time: {all:?}");
        }
    }

    /// The JSON messages among `frames`.
    fn texts(frames: &[Frame]) -> Vec<Value> {
        let text = |f: &Frame| match f {
            Frame::Text(t) => Some(serde_json::from_slice(t).unwrap()),
            _ => None,
        };
        frames.iter().filter_map(text).collect()
    }

    /// The close code among `frames`, if the server closed.
    fn closed(frames: &[Frame]) -> Option<u16> {
        frames.iter().find_map(|f| match f {
            Frame::Close(reason) => Some(reason.as_ref().map_or(0, |r| u16::from(r.code))),
            _ => None,
        })
    }
}

fn is_text(frame: &Frame) -> bool {
    matches!(frame, Frame::Text(_))
}

fn is_close(frame: &Frame) -> bool {
    matches!(frame, Frame::Close(_))
}

async fn signed_in(state: &AppState, name: &str) -> Wire {
    let mut wire = Wire::open(state).await;
    let hello = Wire::texts(&wire.until("hello", is_text).await);
    assert_eq!(hello[0]["type"], "hello", "{hello:?}");
    let user = state.store.create_user(name, "not a real hash", Role::Player, 0).await.unwrap();
    let now = u64::try_from(Clock::system().now_ms() / 1000).unwrap();
    let token = state.tokens.issue(user.id, name, Role::Player, now, false).unwrap();
    wire.send(json!({ "type": "auth", "id": 1, "token": token })).await;
    let authed = Wire::texts(&wire.until("authed", is_text).await);
    assert_eq!(authed[0]["type"], "authed", "{authed:?}");
    wire
}

#[actix_web::test]
async fn the_heartbeat_keeps_a_talking_client_unpinged_and_closes_a_silent_one_on_the_sweep() {
    let (_frozen, _db, app) = frozen_server(|s| {
        s.ws.heartbeat_ms = 1_000;
        s.ws.timeout_ms = 3_000;
    })
    .await;
    let state = app.state().clone();
    let mut wire = signed_in(&state, "tara").await;
    // Talks every 500 ms (at 250, 750, ... 9,750 ms): its own traffic shows
    // it is there, so the one-second sweeps neither ping nor close it.
    advance(250).await;
    let count = |frames: &[Frame]| frames.iter().filter(|f| matches!(f, Frame::Ping(_))).count();
    let mut pings = 0;
    for id in 0..20 {
        wire.send(json!({ "type": "ping", "id": id })).await;
        advance(500).await;
        let pong = json!({ "type": "pong", "re": id });
        let frames = wire.until("the pong", |f| Wire::texts(std::slice::from_ref(f)).contains(&pong)).await;
        assert_eq!(Wire::closed(&frames), None, "closed while talking, at {} ms", 750 + id * 500);
        pings += count(&frames);
    }
    assert_eq!(pings, 0, "a talking client is not pinged");
    // Last heard at 9,750 ms. Silent from here: the sweep at 11 s finds it
    // silent for 1.25 s, past the interval: pinged (the test never answers).
    advance(751).await;
    assert_eq!(count(&wire.until("a ping", |f| matches!(f, Frame::Ping(_))).await), 1);
    // The sweep at 12 s finds it silent for 2.25 s, the one at 13 s for
    // 3.25 s, over the 3 s timeout: closed as away (1001).
    // (In steps: timers fire after an advance, at its end.)
    for (step, to) in [(1_000, 12_001), (998, 12_999)] {
        advance(step).await;
        assert_eq!(Wire::closed(&wire.frames().await), None, "closed at {to} ms, before the 13 s sweep");
    }
    advance(2).await;
    assert_eq!(Wire::closed(&wire.until("the close", is_close).await), Some(1001));
}

#[actix_web::test]
async fn a_connection_without_auth_is_closed_at_the_deadline_not_before() {
    let (_frozen, _db, app) = frozen_server(|s| {
        s.ws.auth_deadline_ms = 10_000;
        s.ws.heartbeat_ms = 60_000;
        s.ws.timeout_ms = 180_000;
    })
    .await;
    let state = app.state().clone();
    let mut wire = Wire::open(&state).await;
    assert_eq!(Wire::texts(&wire.until("hello", is_text).await)[0]["type"], "hello");
    advance(9_999).await;
    assert_eq!(Wire::closed(&wire.frames().await), None);
    advance(2).await;
    let frames = wire.until("the close", is_close).await;
    assert_eq!(Wire::texts(&frames)[0]["code"], "auth_timeout", "{frames:?}");
    assert_eq!(Wire::closed(&frames), Some(1008));
}
