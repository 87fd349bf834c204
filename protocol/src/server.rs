//! What the server sends over `/v1/ws`: [`ServerMsg`], one JSON text frame
//! each, tagged by `type`. A reply carries `re`, the `id` of the request it
//! answers. Table events carry the table's `seq`, which grows by one per
//! event (a viewer not entitled to one gets a `skip` with its seq), so a
//! client sees a gap and can `resume`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A table as listed in `joined`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableInfo {
    /// Table id.
    pub table: String,
    /// Game id.
    pub game: String,
    /// Seats in all.
    pub seats: u8,
    /// Players seated.
    pub seated: u8,
}

/// What one currency's play came to over a play session, in a
/// `reality_check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPlay {
    /// The currency, e.g. `EUR`.
    pub currency: String,
    /// Stakes placed (less stakes voided), minor units.
    pub wagered: i64,
    /// Won less lost on rounds settled, minor units (negative: a loss).
    pub net: i64,
}

/// A server message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerMsg {
    /// Sent first on every connection.
    Hello {
        /// The protocol version ([`crate::PROTOCOL_VERSION`]).
        protocol: u32,
        /// Server software and version.
        server: String,
        /// `auth` must arrive within this many milliseconds.
        auth_deadline_ms: u64,
        /// A connection silent this long is pinged; answer (or talk) or
        /// be dropped.
        heartbeat_ms: u64,
        /// The longest chat line the server takes, in characters
        /// (`play.chat_max_chars`); a longer one is refused.
        chat_max_chars: u32,
    },
    /// `auth` succeeded.
    Authed {
        /// The request's `id`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        re: Option<u64>,
        /// The player's id.
        player: i64,
        /// The player's username.
        username: String,
    },
    /// Reply to `ping`.
    Pong {
        /// The request's `id`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        re: Option<u64>,
    },
    /// A request succeeded with nothing more to say.
    Ok {
        /// The request's `id`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        re: Option<u64>,
    },
    /// A request failed; nothing changed.
    Error {
        /// The request's `id`, when the failure answers one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        re: Option<u64>,
        /// Stable code, e.g. `insufficient_funds`.
        code: String,
        /// For people.
        message: String,
    },
    /// A request's answer is late: the wallet has not confirmed the stake it
    /// placed, so its `ok` or `error` (same `re`) follows when the database
    /// answers. Sent at most once per request, about a second after it.
    Pending {
        /// The request's `id`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        re: Option<u64>,
        /// Stable code: `wallet_unconfirmed`.
        code: String,
        /// For people.
        message: String,
    },
    /// Reply to `join`: the table now, as this player sees it.
    Joined {
        /// The request's `id`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        re: Option<u64>,
        /// The table.
        info: TableInfo,
        /// The table's current `seq`; events follow from `seq + 1`.
        seq: u64,
        /// The game's view for this player.
        view: Value,
    },
    /// Something happened at a table (the game's event JSON).
    Event {
        /// Table or session id.
        table: String,
        /// Per-table sequence number.
        seq: u64,
        /// The game's event.
        event: Value,
    },
    /// The table's event `seq` was for another viewer (e.g. another player's
    /// own cards): nothing to show, but the sequence stays contiguous.
    Skip {
        /// Table or session id.
        table: String,
        /// The seq this stands in for.
        seq: u64,
    },
    /// A full snapshot, when missed events are no longer kept.
    Resync {
        /// The request's `id`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        re: Option<u64>,
        /// Table id.
        table: String,
        /// The table's current `seq`.
        seq: u64,
        /// The game's view for this player.
        view: Value,
    },
    /// A chat line at a table.
    Chat {
        /// Table id.
        table: String,
        /// Per-table sequence number.
        seq: u64,
        /// Who said it.
        from: String,
        /// What they said.
        text: String,
    },
    /// Reply to `session.open`.
    Session {
        /// The request's `id`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        re: Option<u64>,
        /// Session id (used as `table` in its events).
        session: String,
        /// The session's current `seq`; events follow from `seq + 1`.
        seq: u64,
        /// The game's view.
        view: Value,
    },
    /// Money reached the player's wallet from outside play (an operator's
    /// deposit): the balance of that currency now, so a page shows it
    /// without asking. Not sent for stakes and payouts, which the table's
    /// events already tell.
    Balance {
        /// The currency, e.g. `EUR`.
        currency: String,
        /// Available to stake, minor units.
        available: i64,
        /// Held in rounds not yet settled, minor units.
        held: i64,
    },
    /// A reality check, every `reality_check_secs` of a play session the
    /// player chose (docs/api.md, "Player protection"): how long they have
    /// played and what it came to.
    RealityCheck {
        /// Unix milliseconds the play session began.
        session_started_at: i64,
        /// Seconds since.
        elapsed_secs: u64,
        /// Per currency played in the session.
        play: Vec<SessionPlay>,
        /// Unix milliseconds the player's session time limit stops play;
        /// `null`: they have none.
        stops_at: Option<i64>,
    },
    /// The player's session time limit is reached: every stake is refused
    /// (`session_limit_reached`) until `resume_at`.
    SessionLimit {
        /// Unix milliseconds the play session began.
        session_started_at: i64,
        /// Seconds it lasted.
        elapsed_secs: u64,
        /// Unix milliseconds from which a new session may play.
        resume_at: i64,
    },
    /// The server is about to close this connection, and why.
    Closing {
        /// Stable code, e.g. `replaced` (a newer connection of the same player).
        code: String,
        /// For people.
        message: String,
    },
}
