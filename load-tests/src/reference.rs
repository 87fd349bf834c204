//! The reference for the chat figure: about the least a WebSocket fan-out
//! server can do, on tokio-tungstenite, so that `croupier serve`'s server
//! CPU per million delivered messages can be measured against it in one run
//! by the same client (`croupier-load chat --reference`, see
//! docs/benchmarks.md). It speaks just enough of the protocol for the chat
//! and idle scenarios — `hello`, `auth` (the token is taken as the name,
//! nothing is checked), `join`, `chat`, `ping` — and sends every chat line
//! to everyone in its room, serialised once. No accounts, no games, no
//! limits, no heartbeat: it is a yardstick, not a server.
//!
//! Each connection is a reader task and a writer task over an unbounded
//! queue; the writer sends what has queued up in one flush. Run it as
//! `cargo run --release -p croupier-load --example fanout`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// A room: its chat sequence and who is in it.
#[derive(Default)]
struct Room {
    seq: u64,
    members: Vec<(u64, mpsc::UnboundedSender<Message>)>,
}

type Rooms = Arc<Mutex<HashMap<String, Room>>>;

/// Serves connections on `listener` until the process ends.
///
/// # Errors
/// Accepting failed.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    let rooms = Rooms::default();
    let mut next = 0u64;
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        next += 1;
        tokio::spawn(connection(stream, next, rooms.clone()));
    }
}

async fn connection(stream: TcpStream, id: u64, rooms: Rooms) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else { return };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = Some(first);
            while let Some(msg) = batch.take().or_else(|| rx.try_recv().ok()) {
                if sink.feed(msg).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
        let _ = sink.close().await;
    });
    let hello = json!({ "type": "hello", "protocol": 1, "server": "fanout reference", "auth_deadline_ms": 10_000, "heartbeat_ms": 0, "chat_max_chars": 200 });
    let _ = tx.send(Message::text(hello.to_string()));
    let mut name = String::new();
    let mut joined: Vec<String> = Vec::new();
    while let Some(Ok(frame)) = source.next().await {
        let text = match frame {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        let Ok(msg) = serde_json::from_str::<Value>(&text) else {
            let _ = tx.send(reply(json!({ "type": "error", "code": "invalid_message", "message": "not JSON" })));
            continue;
        };
        let re = msg["id"].clone();
        let table = msg["table"].as_str().unwrap_or_default().to_owned();
        let answer = match msg["type"].as_str() {
            Some("auth") => {
                name = msg["token"].as_str().unwrap_or_default().to_owned();
                json!({ "type": "authed", "re": re, "player": id, "username": name })
            }
            Some("ping") => json!({ "type": "pong", "re": re }),
            Some("join") => {
                let seq = {
                    let mut rooms = rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    let room = rooms.entry(table.clone()).or_default();
                    room.members.push((id, tx.clone()));
                    room.seq
                };
                joined.push(table.clone());
                let info = json!({ "table": table, "game": "chat", "seats": 6, "seated": 0 });
                json!({ "type": "joined", "re": re, "info": info, "seq": seq, "view": {} })
            }
            Some("chat") if joined.contains(&table) => {
                let mut rooms = rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(room) = rooms.get_mut(&table) {
                    room.seq += 1;
                    let line =
                        json!({ "type": "chat", "table": table, "seq": room.seq, "from": name, "text": msg["text"] });
                    let line = Message::Text(Utf8Bytes::from(line.to_string()));
                    for (_, member) in &room.members {
                        let _ = member.send(line.clone());
                    }
                }
                json!({ "type": "ok", "re": re })
            }
            _ => json!({ "type": "error", "re": re, "code": "invalid_message", "message": "not understood here" }),
        };
        let _ = tx.send(reply(answer));
    }
    {
        let mut rooms = rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for table in joined {
            if let Some(room) = rooms.get_mut(&table) {
                room.members.retain(|(member, _)| *member != id);
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}

fn reply(msg: Value) -> Message {
    Message::text(msg.to_string())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{Options, Scenario};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_chat_scenario_runs_against_the_reference_and_every_line_reaches_its_room() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(serve(listener));
        let opts = Options {
            url: format!("http://127.0.0.1:{port}"),
            scenario: Scenario::Chat,
            mix: Vec::new(),
            players: 12,
            tables: 0,
            ramp: Duration::from_millis(200),
            stagger: Duration::ZERO,
            duration: Duration::from_secs(2),
            rate: 5.0,
            seed: 7,
            operator: (String::new(), String::new()),
            prefix: "ref".into(),
            deposit: 0,
            table_config: None,
            sources: 1,
            reference: true,
        };
        let report = crate::run(opts.clone(), |_| {}).await.unwrap();
        assert_eq!(report.problems(), 0, "{report:?}");
        assert!(report.expected_broadcasts >= 12, "every player chatted: {report:?}");
        assert_eq!(report.received_broadcasts, report.expected_broadcasts, "{report:?}");
        // Two rooms of six: each line reaches six players, its sender too.
        assert!(report.received >= 6 * report.expected_broadcasts, "{report:?}");
        assert!(report.latency_ms.contains_key("reply.chat"), "{report:?}");

        let slots = Options { scenario: Scenario::Slots, ..opts };
        let refused = crate::run(slots, |_| {}).await.unwrap_err().to_string();
        assert!(refused.contains("chat and idle only"), "{refused}");
    }
}
