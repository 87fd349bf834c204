//! What a client sends over `/v1/ws`: [`ClientMsg`], one JSON text frame
//! each, tagged by `type`. Every request may carry a client `id` (any
//! number); the server's reply echoes it as `re`. Unknown types and unknown
//! or mistyped fields are refused with an `error` reply, never ignored.
//!
//! Game payloads (`action`) are the game's own JSON (e.g. roulette's
//! `{"type": "bet", "spot": {...}, "amount": 100}`); the table checks them
//! with the game.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A client's request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// The first message of a connection: the access token from
    /// `POST /v1/auth/login`. Reply: `authed`.
    Auth {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// The access token.
        token: String,
    },
    /// A round trip. Reply: `pong`.
    Ping {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Watch a table (as a spectator until `sit`). Reply: `joined`, then the
    /// table's events.
    Join {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id.
        table: String,
    },
    /// Stop watching (and stand up). Reply: `ok`.
    Leave {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id.
        table: String,
    },
    /// Take a seat (any free one if `seat` is absent). Reply: `ok`.
    Sit {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id.
        table: String,
        /// Preferred seat.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seat: Option<u8>,
    },
    /// Give up the seat (bets in play stay in play). Reply: `ok`.
    Stand {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id.
        table: String,
    },
    /// A game action at a table or in a session (name one): a bet, hit,
    /// stand, a spin ... Reply: `ok` once the game accepted it (a stake: once
    /// the wallet holds it), or `error`.
    Act {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id (or `session`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        table: Option<String>,
        /// Session id (or `table`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<String>,
        /// The game's action JSON.
        action: Value,
    },
    /// Say something at a table. Reply: `ok`; everyone there gets `chat`.
    Chat {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id.
        table: String,
        /// The message.
        text: String,
    },
    /// After a reconnect: the events of a table or session (name one) after
    /// `last_seq`. Reply: those
    /// `event`s in order, or one `resync` when they are no longer kept.
    Resume {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id (or `session`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        table: Option<String>,
        /// Session id (or `table`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<String>,
        /// The last `seq` the client saw.
        last_seq: u64,
    },
    /// Open a single-player session (slots). Reply: `session`.
    #[serde(rename = "session.open")]
    SessionOpen {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Game id, e.g. `slots`.
        game: String,
    },
    /// Close a session. Reply: `ok`.
    #[serde(rename = "session.close")]
    SessionClose {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Session id.
        session: String,
    },
}

impl ClientMsg {
    /// Decodes one text frame, a JSON object with its fields named: the
    /// message, or why not and, when the frame is a JSON object with a
    /// numeric `id` (whatever else is wrong with it), that `id`, so the
    /// refusal names the request it answers. The server answers a frame
    /// that does not decode with `invalid_message`.
    ///
    /// # Errors
    /// [`Undecodable`] for anything but one well-formed message.
    pub fn decode(text: &str) -> Result<ClientMsg, Undecodable> {
        // serde would also read a JSON array by position (`["ping", 4]`).
        if !text.trim_start().starts_with('{') {
            let reason = "a message is a JSON object with its fields named".to_owned();
            return Err(Undecodable { id: None, reason });
        }
        serde_json::from_str(text).map_err(|e| Undecodable { id: readable_id(text), reason: e.to_string() })
    }

    /// The request's `id`, echoed as `re`.
    pub fn id(&self) -> Option<u64> {
        match self {
            ClientMsg::Auth { id, .. }
            | ClientMsg::Ping { id }
            | ClientMsg::Join { id, .. }
            | ClientMsg::Leave { id, .. }
            | ClientMsg::Sit { id, .. }
            | ClientMsg::Stand { id, .. }
            | ClientMsg::Act { id, .. }
            | ClientMsg::Chat { id, .. }
            | ClientMsg::Resume { id, .. }
            | ClientMsg::SessionOpen { id, .. }
            | ClientMsg::SessionClose { id, .. } => *id,
        }
    }
}

/// A text frame that is not one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    /// The frame's numeric `id`, if it is a JSON object that has one.
    pub id: Option<u64>,
    /// What is wrong, as the decoder says it.
    pub reason: String,
}

/// The `id` of a frame that does not decode as a message.
fn readable_id(text: &str) -> Option<u64> {
    // Through a `Value`: a struct would also read `[3]` as `{"id": 3}`.
    serde_json::from_str::<Value>(text).ok()?.as_object()?.get("id")?.as_u64()
}

/// Where a request goes: a live table or one of the player's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A live table, by id.
    Table(String),
    /// A session of the player's, by id.
    Session(String),
}

impl Target {
    /// The target named by a request's `table` and `session` fields, when
    /// it names exactly one.
    pub fn named(table: Option<String>, session: Option<String>) -> Option<Target> {
        match (table, session) {
            (Some(table), None) => Some(Target::Table(table)),
            (None, Some(session)) => Some(Target::Session(session)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_decodes_or_says_why_naming_its_id_only_from_an_object() {
        let ping = ClientMsg::decode(r#"{"type":"ping","id":4}"#);
        assert_eq!(ping.map(|m| m.id()), Ok(Some(4)));
        for (frame, id) in [
            (r#"{"type":"nope","id":7}"#, Some(7)),
            (r#"{"type":"ping","id":7,"extra":1}"#, Some(7)),
            (r#"{"type":"ping","id":"7"}"#, None),
            ("[3]", None),           // found by the ws_frame fuzz target: not an object
            (r#"["ping",4]"#, None), // found by it too: it decoded, by position
            ("not json", None),
        ] {
            let Err(e) = ClientMsg::decode(frame) else { panic!("{frame} decoded") };
            assert_eq!(e.id, id, "{frame}");
            assert!(!e.reason.is_empty());
        }
    }
}
