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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// A game action at a table: a bet, hit, stand, ... Reply: `ok` once the
    /// game accepted it (a bet: once the wallet holds the stake), or `error`.
    Act {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id.
        table: String,
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
    /// After a reconnect: the events of `table` after `last_seq`. Reply: those
    /// `event`s in order, or one `resync` when they are no longer kept.
    Resume {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Table id.
        table: String,
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
    /// Spin in a session. Reply: `ok`; the outcome comes as an `event`.
    Spin {
        /// Echoed as `re`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// Session id.
        session: String,
        /// Bet per line, minor units.
        line_bet: i64,
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
