//! How the server reaches a connected player: the bounded outbound queue a
//! connection writes from and tables write into ([`Outbox`]), and the
//! [`Registry`] of who is connected. It sits below both `ws` (which fills
//! it) and `play` (which writes to it), so neither imports the other's
//! insides; it holds no socket and no game.

use std::sync::atomic::{AtomicU64, Ordering};

use actix::{Message, Recipient};
use actix_ws::CloseReason;
use bytestring::ByteString;
use dashmap::DashMap;
use tokio::sync::mpsc;

/// What a connection's writer sends on its socket.
pub enum Out {
    /// A JSON message (shared by every recipient of a broadcast).
    Text(ByteString),
    /// A WebSocket ping.
    Ping,
    /// The answer to the client's ping.
    Pong(Vec<u8>),
    /// Close after everything queued before it.
    Close(CloseReason),
}

/// A table found a connection's queue full: the client is not reading and
/// is disconnected.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Kick;

/// Why the server closes a signed-in connection on purpose: the
/// connection says so to its client (`closing`) and closes.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
#[rtype(result = "()")]
pub enum Closing {
    /// A newer connection of the same player took over.
    Replaced,
    /// The server is stopping (1012, service restart).
    Restarting,
    /// The player's account was erased.
    Erased,
}

/// The player's play-session rules changed: look at the session again now
/// (`ws::watch`).
#[derive(Message)]
#[rtype(result = "()")]
pub struct LookAgain;

/// The writing end of one connection's outbound queue.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Out>,
    kick: Recipient<Kick>,
}

impl Outbox {
    /// The queue `tx`, whose connection hears `kick` when it is full.
    pub fn new(tx: mpsc::Sender<Out>, kick: Recipient<Kick>) -> Self {
        Self { tx, kick }
    }

    /// Queues `text`; `false` when the client is not reading (its queue is
    /// full or gone), in which case its connection has been told to close.
    pub fn send(&self, text: &ByteString) -> bool {
        if self.tx.try_send(Out::Text(text.clone())).is_ok() {
            return true;
        }
        self.kick.do_send(Kick);
        false
    }

    /// Queues a message; see [`Outbox::send`].
    pub fn send_msg(&self, msg: &croupier_protocol::ServerMsg) -> bool {
        match serde_json::to_string(msg) {
            Ok(text) => self.send(&text.into()),
            Err(e) => {
                tracing::error!(%e, "unserialisable message");
                true
            }
        }
    }
}

/// One signed-in connection, as the registry reaches it.
pub struct Line {
    /// The connection's id.
    pub conn: u64,
    /// Its outbound queue, for what concerns the player wherever they sit
    /// (their balance).
    pub outbox: Outbox,
    /// Told when it is closed on purpose: a newer connection of its player
    /// signs in, the server stops, the player's account is erased.
    pub closing: Recipient<Closing>,
    /// Told when the player's play-session rules change.
    pub look_again: Recipient<LookAgain>,
}

/// Who is connected: one live connection per player.
#[derive(Default)]
pub struct Registry {
    players: DashMap<i64, Line>,
    next_conn: AtomicU64,
}

impl Registry {
    /// `player` is signed in on `line`; a connection of theirs already here
    /// is told it was replaced.
    pub fn sign_in(&self, player: i64, line: Line) {
        if let Some(old) = self.players.insert(player, line) {
            old.closing.do_send(Closing::Replaced);
        }
    }

    /// Connection `conn` of `player` closed (a newer one stays).
    pub fn sign_out(&self, player: i64, conn: u64) {
        self.players.remove_if(&player, |_, line| line.conn == conn);
    }

    /// Tells `player`'s connection, if any, that their play-session rules
    /// changed.
    pub fn look_again(&self, player: i64) {
        if let Some(line) = self.players.get(&player) {
            line.look_again.do_send(LookAgain);
        }
    }

    /// Closes `player`'s connection, if any: their account was erased.
    pub fn erased(&self, player: i64) {
        if let Some((_, line)) = self.players.remove(&player) {
            line.closing.do_send(Closing::Erased);
        }
    }

    /// Queues `msg` to `player`'s connection; `false` when they have none
    /// (or it is not reading).
    pub fn tell(&self, player: i64, msg: &croupier_protocol::ServerMsg) -> bool {
        self.players.get(&player).is_some_and(|line| line.outbox.send_msg(msg))
    }

    /// Tells every signed-in connection the server is restarting; each says
    /// so to its client and closes (1012).
    pub fn restarting(&self) {
        for line in &self.players {
            line.closing.do_send(Closing::Restarting);
        }
    }

    /// Connections currently signed in.
    pub fn connected(&self) -> usize {
        self.players.len()
    }

    /// A fresh connection id.
    pub fn next_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed) + 1
    }
}
