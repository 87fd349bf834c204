//! Seats and requests: how the engine answers what a player asks (watch,
//! sit, stand, act, chat, resume, close), and how a seat is held while its
//! player is away and given up when the grace ends.
//!
//! Every request gets exactly one answer here — a reply, an error with a
//! stable code, or (for a stake) an answer once the wallet has spoken — and a
//! refused request changes nothing.

use croupier_protocol::ErrorCode;
use std::panic::{AssertUnwindSafe, catch_unwind};

use croupier_protocol::ServerMsg;
use croupier_sdk::{Game, Input, Rejected, Viewer};
use serde_json::Value;

use super::Ask;
use super::engine::{Arm, Due, Engine, Reply, Slot, Step, player_id};
use super::log::Resumed;

/// A chat line as the table shows it (trimmed), or why it is refused.
///
/// # Errors
/// `invalid_chat` (nothing but space) or `chat_too_long` (over `max`
/// characters), with a message.
pub fn chat_line(text: &str, max: usize) -> Result<&str, (ErrorCode, String)> {
    let text = text.trim();
    if text.is_empty() {
        return Err((ErrorCode::InvalidChat, "a chat line needs some text".to_owned()));
    }
    if text.chars().count() > max {
        return Err((ErrorCode::ChatTooLong, format!("chat lines are at most {max} characters")));
    }
    Ok(text)
}

impl<G: Game> Engine<G> {
    pub(super) fn ask(&mut self, player: i64, name: &str, re: Option<u64>, ask: Ask, now: i64, step: &mut Step) {
        if self.closed {
            let (code, message) = self.closed_refusal();
            return step.refuse(player, re, code, message);
        }
        self.back(player, step);
        match ask {
            Ask::Join => self.join(player, re, step),
            Ask::Resume { last_seq } => self.resume(player, re, last_seq, step),
            Ask::Leave => {
                if self.seated.contains(&player) {
                    self.stand(player, now, step);
                }
                step.ok(player, re);
            }
            Ask::Sit { seat } => self.sit(player, re, seat, now, step),
            Ask::Stand => {
                if !self.seated.contains(&player) {
                    return step.refuse(player, re, ErrorCode::NotSeated, "you are not seated at this table");
                }
                self.stand(player, now, step);
                step.ok(player, re);
            }
            Ask::Act { action } => self.act(player, re, action, now, step),
            Ask::Chat { text } => self.chat(player, name, re, &text, step),
            Ask::Close => {
                // `session.close` reaches sessions only (a table's id is no
                // session of the player's); answered as the socket answers it.
                if !self.setup.kind.closes_when_abandoned() {
                    return step.refuse(player, re, ErrorCode::UnknownSession, "no such session of yours");
                }
                step.ok(player, re);
                self.close(now, step);
            }
        }
    }

    /// A player who asks anything is back: their grace stops.
    fn back(&mut self, player: i64, step: &mut Step) {
        if self.away.remove(&player).is_some() {
            step.timers.push(Arm::Cancel(Slot::Grace(player)));
            step.changed = true;
        }
    }

    fn join(&mut self, player: i64, re: Option<u64>, step: &mut Step) {
        let Some(view) = self.view_of(player, step) else {
            return step.refuse(player, re, ErrorCode::InternalError, "the table could not show itself; try again");
        };
        let msg = if self.setup.kind.closes_when_abandoned() {
            ServerMsg::Session { re, session: self.setup.id.clone(), seq: self.seq(), view }
        } else {
            ServerMsg::Joined { re, info: self.info(), seq: self.seq(), view }
        };
        step.reply(player, msg);
    }

    fn resume(&mut self, player: i64, re: Option<u64>, last_seq: u64, step: &mut Step) {
        match self.log.since(last_seq, player) {
            Resumed::Replay(texts) => {
                step.replies.extend(texts.into_iter().map(|t| (player, Reply::Text(t.clone()))));
                step.ok(player, re);
            }
            Resumed::Resync => {
                let Some(view) = self.view_of(player, step) else {
                    return step.refuse(
                        player,
                        re,
                        ErrorCode::InternalError,
                        "the table could not show itself; try again",
                    );
                };
                step.reply(player, ServerMsg::Resync { re, table: self.setup.id.clone(), seq: self.seq(), view });
            }
        }
    }

    fn sit(&mut self, player: i64, re: Option<u64>, seat: Option<u8>, now: i64, step: &mut Step) {
        if self.seated.contains(&player) {
            return step.refuse(player, re, ErrorCode::AlreadySeated, "you are seated at this table");
        }
        if self.seated.len() >= usize::from(self.seats) {
            return step.refuse(player, re, ErrorCode::TableFull, "every seat is taken");
        }
        let pid = match player_id(player) {
            Ok(pid) => pid,
            Err(r) => return step.fail(player, re, r.code.as_str(), &r.message),
        };
        // Seated before the game hears of it: a hand the join opens counts
        // the player in.
        self.seated.insert(player);
        match self.feed(Input::Join { player: pid, seat }, None, now, step) {
            Ok(_) => step.ok(player, re),
            Err(r) => {
                self.seated.remove(&player);
                step.fail(player, re, self.catalogued(&r), &r.message);
            }
        }
    }

    fn act(&mut self, player: i64, re: Option<u64>, action: Value, now: i64, step: &mut Step) {
        if !self.seated.contains(&player) {
            return step.refuse(player, re, ErrorCode::NotSeated, "sit down before you act");
        }
        let action: G::Action = match serde_json::from_value(action) {
            Ok(a) => a,
            Err(e) => {
                return step.refuse(player, re, ErrorCode::InvalidAction, &format!("not a {} action: {e}", G::ID));
            }
        };
        let pid = match player_id(player) {
            Ok(pid) => pid,
            Err(r) => return step.fail(player, re, r.code.as_str(), &r.message),
        };
        match self.feed(Input::Action { player: pid, action }, Some((player, re)), now, step) {
            Ok(true) => {} // answered when the wallet holds the stake
            Ok(false) => step.ok(player, re),
            Err(r) => step.fail(player, re, self.catalogued(&r), &r.message),
        }
    }

    /// The code a player hears for a refusal: a shared one or one of the
    /// game's own `CODES`; any other is a fault of the game's, logged and
    /// sent as `internal_error` (the message still says why).
    fn catalogued(&self, r: &Rejected) -> &'static str {
        if r.code.is_shared() || G::CODES.contains(&r.code) {
            return r.code.as_str();
        }
        tracing::error!(table_id = %self.setup.id, game = G::ID, code = %r.code, "a refusal with a code the game does not list");
        ErrorCode::InternalError.as_str()
    }

    fn chat(&mut self, player: i64, name: &str, re: Option<u64>, text: &str, step: &mut Step) {
        let text = match chat_line(text, self.setup.chat_max_chars) {
            Ok(text) => text,
            Err((code, message)) => return step.refuse(player, re, code, &message),
        };
        let table = self.setup.id.clone();
        let line = |seq| ServerMsg::Chat { table: table.clone(), seq, from: name.to_owned(), text: text.to_owned() };
        match self.log.push(&self.setup.id, None, line) {
            Ok(logged) => {
                step.ok(player, re);
                step.events.push(logged);
                step.changed = true;
            }
            Err(e) => {
                tracing::error!(table_id = %self.setup.id, %e, "a chat line was not sent");
                step.refuse(player, re, ErrorCode::InternalError, "the line could not be sent");
            }
        }
    }

    /// Stands `player` up: the game hears they left.
    pub(super) fn stand(&mut self, player: i64, now: i64, step: &mut Step) {
        match player_id(player) {
            Ok(pid) => {
                if let Err(r) = self.feed(Input::Leave { player: pid }, None, now, step) {
                    tracing::warn!(table_id = %self.setup.id, player_id = player, code = %r.code, "the game refused a leave");
                }
            }
            Err(_) => tracing::error!(table_id = %self.setup.id, player_id = player, "a seat of an invalid player id"),
        }
        self.seated.remove(&player);
        step.changed = true;
    }

    /// A session's owner sits down.
    pub(super) fn open(&mut self, now: i64, step: &mut Step) {
        let Some(owner) = self.setup.owner else { return };
        if self.seated.contains(&owner) {
            return;
        }
        let Ok(pid) = player_id(owner) else { return };
        self.seated.insert(owner);
        if let Err(r) = self.feed(Input::Join { player: pid, seat: None }, None, now, step) {
            self.seated.remove(&owner);
            tracing::error!(table_id = %self.setup.id, code = %r.code, "the game refused its owner");
        }
    }

    /// Closes a session: its owner stands up; the shell stops it.
    fn close(&mut self, now: i64, step: &mut Step) {
        if let Some(owner) = self.setup.owner
            && self.seated.contains(&owner)
        {
            self.stand(owner, now, step);
        }
        for player in std::mem::take(&mut self.away).into_keys() {
            step.timers.push(Arm::Cancel(Slot::Grace(player)));
        }
        self.closed = true;
        step.close = true;
        step.changed = true;
    }

    /// A player's connection closed: their seat (or session) is held for
    /// the grace period.
    pub(super) fn gone(&mut self, player: i64, now: i64, step: &mut Step) {
        let owner = self.setup.owner == Some(player) && self.setup.kind.closes_when_abandoned();
        if self.closed || !(self.seated.contains(&player) || owner) {
            return;
        }
        let at = now.saturating_add(i64::try_from(self.setup.grace_ms).unwrap_or(i64::MAX));
        self.away.insert(player, at);
        step.timers.push(Arm::Start(Due::Grace { player, at }, self.setup.grace_ms));
        step.changed = true;
    }

    /// A grace ran out: the player is stood up (a table) or the session
    /// closes. A grace the player came back from is ignored.
    pub(super) fn grace_over(&mut self, player: i64, at: i64, step: &mut Step, now: i64) {
        if self.away.get(&player) != Some(&at) {
            return;
        }
        self.away.remove(&player);
        tracing::info!(table_id = %self.setup.id, player_id = player, "reconnect grace over");
        if self.setup.kind.closes_when_abandoned() {
            self.close(now, step);
        } else {
            self.stand(player, now, step);
        }
    }

    /// What `player` sees; `None` when the game fails to show it.
    pub(super) fn view_of(&self, player: i64, step: &mut Step) -> Option<Value> {
        let viewer = match player_id(player) {
            Ok(pid) if self.seated.contains(&player) => Viewer::Player(pid),
            _ => Viewer::Spectator,
        };
        let state = &self.state;
        match catch_unwind(AssertUnwindSafe(|| G::view(state, viewer))) {
            Ok(view) => serde_json::to_value(view)
                .map_err(|e| tracing::error!(table_id = %self.setup.id, %e, "a view that does not serialise"))
                .ok(),
            Err(_) => {
                step.panicked = true;
                tracing::error!(table_id = %self.setup.id, "the game panicked building a view");
                None
            }
        }
    }
}
