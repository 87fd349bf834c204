//! The wire format, pinned: exact JSON for a few messages, strictness about
//! unknown types and fields, and every example in docs/protocol.md parsed
//! with the real types (and covering every message type).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_protocol::{ClientMsg, ServerMsg, TableInfo};
use serde_json::{Value, json};

fn client_tag(m: &ClientMsg) -> &'static str {
    match m {
        ClientMsg::Auth { .. } => "auth",
        ClientMsg::Ping { .. } => "ping",
        ClientMsg::Join { .. } => "join",
        ClientMsg::Leave { .. } => "leave",
        ClientMsg::Sit { .. } => "sit",
        ClientMsg::Stand { .. } => "stand",
        ClientMsg::Act { .. } => "act",
        ClientMsg::Chat { .. } => "chat",
        ClientMsg::Resume { .. } => "resume",
        ClientMsg::SessionOpen { .. } => "session.open",
        ClientMsg::SessionClose { .. } => "session.close",
    }
}

fn server_tag(m: &ServerMsg) -> &'static str {
    match m {
        ServerMsg::Hello { .. } => "hello",
        ServerMsg::Authed { .. } => "authed",
        ServerMsg::Pong { .. } => "pong",
        ServerMsg::Ok { .. } => "ok",
        ServerMsg::Error { .. } => "error",
        ServerMsg::Pending { .. } => "pending",
        ServerMsg::Joined { .. } => "joined",
        ServerMsg::Event { .. } => "event",
        ServerMsg::Skip { .. } => "skip",
        ServerMsg::Resync { .. } => "resync",
        ServerMsg::Chat { .. } => "chat",
        ServerMsg::Session { .. } => "session",
        ServerMsg::Balance { .. } => "balance",
        ServerMsg::RealityCheck { .. } => "reality_check",
        ServerMsg::SessionLimit { .. } => "session_limit",
        ServerMsg::Closing { .. } => "closing",
    }
}

/// Every tag, in the order the matches above list them.
const CLIENT_TAGS: [&str; 11] =
    ["auth", "ping", "join", "leave", "sit", "stand", "act", "chat", "resume", "session.open", "session.close"];
const SERVER_TAGS: [&str; 16] = [
    "hello",
    "authed",
    "pong",
    "ok",
    "error",
    "pending",
    "joined",
    "event",
    "skip",
    "resync",
    "chat",
    "session",
    "balance",
    "reality_check",
    "session_limit",
    "closing",
];

#[test]
fn exact_json_is_pinned() {
    let m = ClientMsg::Act { id: Some(7), table: Some("t".into()), session: None, action: json!({ "type": "hit" }) };
    assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"type":"act","id":7,"table":"t","action":{"type":"hit"}}"#);
    let spin = r#"{"type":"act","id":8,"session":"s-1","action":{"type":"spin","line_bet":5}}"#;
    let m: ClientMsg = serde_json::from_str(spin).unwrap();
    let ClientMsg::Act { table, session, .. } = m else { panic!("{spin} is an act") };
    assert_eq!(
        croupier_protocol::Target::named(table, session),
        Some(croupier_protocol::Target::Session("s-1".into()))
    );
    assert_eq!(croupier_protocol::Target::named(Some("t".into()), Some("s".into())), None, "one target, not two");
    assert_eq!(croupier_protocol::Target::named(None, None), None);
    let m = ClientMsg::Ping { id: None };
    assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"type":"ping"}"#, "an absent id is omitted");
    let m = ClientMsg::SessionOpen { id: Some(1), game: "slots".into() };
    assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"type":"session.open","id":1,"game":"slots"}"#);
    let m = ServerMsg::Error { re: Some(3), code: "not_your_turn".into(), message: "wait".into() };
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"type":"error","re":3,"code":"not_your_turn","message":"wait"}"#
    );
    let m = ServerMsg::Event { table: "r".into(), seq: 9, event: json!({ "type": "no_more_bets", "round": 2 }) };
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"type":"event","table":"r","seq":9,"event":{"round":2,"type":"no_more_bets"}}"#,
        "game payloads are JSON objects: their keys may come in any order (here sorted)"
    );
    let info = TableInfo { table: "b".into(), game: "blackjack".into(), seats: 7, seated: 1 };
    assert_eq!(
        serde_json::to_value(info).unwrap(),
        json!({ "table": "b", "game": "blackjack", "seats": 7, "seated": 1 })
    );
}

#[test]
fn strangers_are_refused() {
    for bad in [
        r#"{"type":"teleport","id":1}"#,
        r#"{"type":"ping","id":1,"extra":true}"#,
        r#"{"type":"join","id":1}"#,
        r#"{"type":"join","table":7}"#,
        r#"{"type":"ping","id":-1}"#,
        r#"{"id":1}"#,
        r#"not json"#,
    ] {
        assert!(serde_json::from_str::<ClientMsg>(bad).is_err(), "{bad} was accepted");
    }
}

/// The examples of docs/protocol.md: (direction, JSON text).
fn examples() -> Vec<(String, String)> {
    examples_of(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md"))
}

/// The `json client` / `json server` examples of a page.
fn examples_of(path: &str) -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if let Some(direction) = line.strip_prefix("```json ") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
            out.push((direction.trim().to_owned(), body.join("\n")));
        }
    }
    out
}

#[test]
fn every_documented_example_parses_and_every_type_is_documented() {
    let (mut client_seen, mut server_seen) = (Vec::new(), Vec::new());
    for (direction, text) in examples() {
        let raw: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"));
        match direction.as_str() {
            "client" => {
                let m: ClientMsg = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
                assert_eq!(serde_json::to_value(&m).unwrap(), raw, "round trip");
                client_seen.push(client_tag(&m));
            }
            "server" => {
                let m: ServerMsg = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
                assert_eq!(serde_json::to_value(&m).unwrap(), raw, "round trip");
                server_seen.push(server_tag(&m));
            }
            other => panic!("a json block must say `client` or `server`, not {other:?}"),
        }
    }
    let missing: Vec<_> = CLIENT_TAGS.iter().filter(|t| !client_seen.contains(t)).collect();
    assert!(missing.is_empty(), "client messages without an example: {missing:?}");
    let missing: Vec<_> = SERVER_TAGS.iter().filter(|t| !server_seen.contains(t)).collect();
    assert!(missing.is_empty(), "server messages without an example: {missing:?}");
}

#[test]
fn every_example_of_the_client_guide_parses_and_round_trips() {
    let examples = examples_of(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/client-guide.md"));
    assert!(examples.len() >= 10, "the guide's examples were read");
    for (direction, text) in examples {
        let raw: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"));
        let back = match direction.as_str() {
            "client" => {
                serde_json::to_value(serde_json::from_str::<ClientMsg>(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
            }
            "server" => {
                serde_json::to_value(serde_json::from_str::<ServerMsg>(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
            }
            other => panic!("a json block must say `client` or `server`, not {other:?}"),
        };
        assert_eq!(back.unwrap(), raw, "round trip");
    }
}

#[test]
fn every_error_code_is_documented() {
    let docs: String = ["api.md", "protocol.md"]
        .iter()
        .map(|f| std::fs::read_to_string(format!("{}/../docs/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap())
        .collect();
    let missing: Vec<_> =
        croupier_protocol::ErrorCode::ALL.iter().filter(|c| !docs.contains(&format!("`{}`", c.as_str()))).collect();
    assert!(missing.is_empty(), "error codes documented in neither docs/api.md nor docs/protocol.md: {missing:?}");
}
