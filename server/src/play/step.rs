//! What the engine takes and gives: a [`Cue`] in, a [`Step`] out (replies,
//! money, numbered events, timers), the timers it keeps ([`Due`], [`Slot`],
//! [`Arm`]), where a round's generator comes from ([`Seeds`]) and who a table
//! is ([`Setup`]). Plain data: nothing here acts.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytestring::ByteString;
use croupier_protocol::{ErrorCode, ServerMsg};
use croupier_rng::fair::FairInput;
use croupier_rng::{CertifiedRng, Commitment, Seed};
use croupier_sdk::{OpId, TimerId, WalletResult};
use serde_json::Value;

use super::Ask;
use super::log::Logged;
use super::money::Money;
use super::policy::Kind;
use crate::store::GameConfig;

/// One piece of work for the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Cue {
    /// A client's request (`name` is shown on their chat lines).
    Ask {
        /// Who asks.
        player: i64,
        /// Their username.
        name: String,
        /// The request id to echo.
        re: Option<u64>,
        /// What.
        ask: Ask,
    },
    /// A timer the engine asked for fired.
    Due(Due),
    /// The wallet answered a stake.
    Wallet {
        /// The game's operation.
        op: OpId,
        /// The answer.
        result: WalletResult,
    },
    /// A player's connection closed.
    Gone {
        /// Whose.
        player: i64,
    },
    /// A session's owner sits down (their seeds are committed).
    Open,
}

/// A timer the engine keeps: a game timer (as armed the `armed`-th time) or
/// a player's reconnect grace (ending at `at`, Unix milliseconds). A timer
/// that fires after it was re-armed or cancelled is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Due {
    /// A game timer.
    Game {
        /// Which.
        timer: TimerId,
        /// Which arming of it.
        armed: u64,
    },
    /// A reconnect grace.
    Grace {
        /// Whose.
        player: i64,
        /// When it ends.
        at: i64,
    },
}

/// A timer slot: re-arming one replaces what it held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// A game timer.
    Game(TimerId),
    /// A player's grace.
    Grace(i64),
}

impl Due {
    /// The slot it occupies.
    pub fn slot(self) -> Slot {
        match self {
            Due::Game { timer, .. } => Slot::Game(timer),
            Due::Grace { player, .. } => Slot::Grace(player),
        }
    }
}

/// Arm a timer (fires after `after_ms`) or cancel what a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arm {
    /// Arm.
    Start(Due, u64),
    /// Cancel.
    Cancel(Slot),
}

/// A reply to one player.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A message.
    Msg(ServerMsg),
    /// A message already serialised (a replayed event).
    Text(ByteString),
}

/// What the shell must do for one cue.
#[derive(Debug, Default)]
pub struct Step {
    /// Replies, sent at once and in order.
    pub replies: Vec<(i64, Reply)>,
    /// Money movements, carried out in order before anything below.
    pub money: Vec<Money>,
    /// Numbered events, sent once the money has committed.
    pub events: Vec<Logged>,
    /// Timers, armed or cancelled once the money has committed.
    pub timers: Vec<Arm>,
    /// Stakes the engine refused itself: the shell answers them to the game.
    pub refused: Vec<OpId>,
    /// Whether the game took an input (`None`: no input was fed).
    pub accepted: Option<bool>,
    /// The game panicked (and was put back).
    pub panicked: bool,
    /// The table or session changed: a hot checkpoint is due.
    pub changed: bool,
    /// The session closed: the shell stops the table.
    pub close: bool,
}

impl Step {
    pub(super) fn reply(&mut self, player: i64, msg: ServerMsg) {
        self.replies.push((player, Reply::Msg(msg)));
    }

    pub(super) fn ok(&mut self, player: i64, re: Option<u64>) {
        self.reply(player, ServerMsg::Ok { re });
    }

    pub(super) fn fail(&mut self, player: i64, re: Option<u64>, code: &str, message: &str) {
        self.reply(player, ServerMsg::Error { re, code: code.to_owned(), message: message.to_owned() });
    }

    /// An `error` reply with one of the server's own codes.
    pub(super) fn refuse(&mut self, player: i64, re: Option<u64>, code: ErrorCode, message: &str) {
        self.fail(player, re, code.as_str(), message);
    }
}

/// A round's generator and what a player needs to verify it.
pub struct Dealt {
    /// The generator.
    pub rng: CertifiedRng,
    /// The commitment it is bound by.
    pub commitment: Commitment,
    /// What the round's seed was derived from.
    pub fair: Option<FairInput>,
    /// A live hand's own seed, revealed when the hand ends.
    pub seed: Option<Seed>,
}

/// Where each round's generator comes from.
pub trait Seeds: Send {
    /// The generator of round `key`, with `seated` at the table and `owner`
    /// owning the session; `None` when no fair seed can be had (the engine
    /// then deals from a fork of its own certified generator).
    fn round(&mut self, key: &str, owner: Option<i64>, seated: &BTreeSet<i64>) -> Option<Dealt>;
}

/// Who a table is, and its limits.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Table or session id.
    pub id: String,
    /// A short tag unique to this run, renewed by a void: round keys are
    /// `id:epoch:round`.
    pub epoch: String,
    /// Table or session.
    pub kind: Kind,
    /// A session's player.
    pub owner: Option<i64>,
    /// The house account.
    pub house: String,
    /// The config it was opened with (JSON), kept in its checkpoints.
    pub spec: Arc<Value>,
    /// The config as the game reads it, which its round records name.
    pub config: Arc<GameConfig>,
    /// Events kept for `resume`.
    pub history: usize,
    /// A disconnected player's reconnect grace.
    pub grace_ms: u64,
    /// Longest chat line, in characters.
    pub chat_max_chars: usize,
    /// The lowest seq this run may start from.
    pub seq_floor: u64,
}
