//! The connection actor: one per WebSocket. It greets (`hello`), requires
//! `auth` within the deadline, joins its thread's [`Heartbeat`] sweep,
//! limits frame size and message rate, decodes frames into [`ClientMsg`]s
//! and answers them, and writes everything through one bounded outbound
//! queue, which the socket's response body ([`super::outbound`]) reads: a
//! client that does not read is disconnected, and nothing else ever waits
//! for it.
//!
//! It never blocks and never holds game or money logic; tables and sessions
//! receive its messages and push replies and events into its queue.

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, ActorContext, ActorFutureExt, AsyncContext, Handler, SpawnHandle, StreamHandler, WrapFuture};
use actix_governor::governor::clock::QuantaClock;
use actix_governor::governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// One clock for every connection's rate limiter: building a clock
/// calibrates it (CPUID and a timing loop), which was the top user-space
/// cost of opening a connection.
static CLOCK: std::sync::LazyLock<QuantaClock> = std::sync::LazyLock::new(QuantaClock::default);
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError};
use croupier_protocol::{ClientMsg, ErrorCode, PROTOCOL_VERSION, ServerMsg, Target};
use tokio::sync::{mpsc, oneshot};

use crate::auth::TokenError;
use crate::clients::{Closing, Kick, Line, LookAgain, Out, Outbox};
use crate::play::lobby::OpenError;
use crate::play::{Ask, Client, Gone, Request};
use crate::state::AppState;
use crate::ws::heartbeat::{Heartbeat, Silent};
use crate::ws::watch::{LOOK_EVERY_MS, Look, SessionWatch};

/// One WebSocket.
pub struct Connection {
    id: u64,
    state: Arc<AppState>,
    stream: Option<AggregatedMessageStream>,
    out: Option<mpsc::Sender<Out>>,
    /// Closes the socket at once, ahead of the queue (when it is full).
    urgent: Option<oneshot::Sender<CloseReason>>,
    heartbeat: Option<Heartbeat>,
    /// The auth deadline, until `auth` arrives.
    deadline: Option<SpawnHandle>,
    player: Option<(i64, String)>,
    strikes: u32,
    limiter: DefaultDirectRateLimiter,
    /// Tables and sessions this connection has spoken to: told when it goes.
    joined: std::collections::HashSet<String>,
    /// Reality checks and the session limit's notice.
    watch: SessionWatch,
    /// The next look at the play session, and which look is the latest
    /// (an earlier one still reading when a newer starts drops its result).
    look: (Option<SpawnHandle>, u64),
}

impl Connection {
    /// A connection reading `stream` and writing into `out`, whose other
    /// end (and `urgent`'s) the socket's [`super::outbound::Outbound`] body
    /// holds.
    pub fn new(
        id: u64,
        state: Arc<AppState>,
        stream: AggregatedMessageStream,
        out: mpsc::Sender<Out>,
        urgent: oneshot::Sender<CloseReason>,
    ) -> Self {
        let ws = &state.settings.ws;
        let per_second = std::num::NonZeroU32::new(ws.messages_per_second).unwrap_or(std::num::NonZeroU32::MIN);
        let burst = std::num::NonZeroU32::new(ws.message_burst).unwrap_or(std::num::NonZeroU32::MIN);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        let limiter = RateLimiter::direct_with_clock(quota, CLOCK.clone());
        Self {
            id,
            state,
            stream: Some(stream),
            out: Some(out),
            urgent: Some(urgent),
            heartbeat: None,
            deadline: None,
            player: None,
            strikes: 0,
            limiter,
            joined: std::collections::HashSet::new(),
            watch: SessionWatch::default(),
            look: (None, 0),
        }
    }

    /// Queues a message; a full queue means the client does not read: it is
    /// disconnected.
    fn send(&mut self, msg: &ServerMsg, ctx: &mut actix::Context<Self>) {
        let text = match serde_json::to_string(msg) {
            Ok(text) => text,
            Err(e) => return tracing::error!(conn_id = self.id, %e, "unserialisable message"),
        };
        self.push(Out::Text(text.into()), ctx);
    }

    fn push(&mut self, out: Out, ctx: &mut actix::Context<Self>) {
        let Some(queue) = &self.out else { return };
        if queue.try_send(out).is_err() {
            tracing::info!(conn_id = self.id, "outbound queue full: the client is not reading");
            self.close(CloseCode::Policy, "too slow: messages were not read", ctx);
        }
    }

    fn error(&mut self, re: Option<u64>, code: ErrorCode, message: &str, ctx: &mut actix::Context<Self>) {
        let msg = ServerMsg::Error { re, code: code.to_string(), message: message.to_owned() };
        self.send(&msg, ctx);
    }

    /// Closes with `code` after what is queued (at once if the queue is
    /// full), and stops.
    fn close(&mut self, code: CloseCode, reason: &str, ctx: &mut actix::Context<Self>) {
        let reason = CloseReason { code, description: Some(reason.to_owned()) };
        let queued = self.out.take().map(|queue| queue.try_send(Out::Close(reason.clone())));
        if !matches!(queued, Some(Ok(())))
            && let Some(urgent) = self.urgent.take()
        {
            let _ = urgent.send(reason);
        }
        ctx.stop();
    }

    /// Bad input: an error reply (naming the request when its `id` could be
    /// read); too much of it closes the connection.
    fn strike(&mut self, re: Option<u64>, code: ErrorCode, message: &str, ctx: &mut actix::Context<Self>) {
        self.strikes += 1;
        self.error(re, code, message, ctx);
        if self.strikes >= self.state.settings.ws.max_strikes {
            self.close(CloseCode::Policy, "too many bad messages", ctx);
        }
    }

    fn on_text(&mut self, text: &str, ctx: &mut actix::Context<Self>) {
        let limited = self.limiter.check().is_err();
        let msg = match ClientMsg::decode(text) {
            Ok(msg) => msg,
            Err(e) if limited => {
                return self.error(e.id, ErrorCode::RateLimited, "too many messages: slow down", ctx);
            }
            Err(e) => return self.strike(e.id, ErrorCode::InvalidMessage, &e.reason, ctx),
        };
        if limited {
            return self.error(msg.id(), ErrorCode::RateLimited, "too many messages: slow down", ctx);
        }
        match (msg, &self.player) {
            (ClientMsg::Auth { id, token }, None) => self.authenticate(id, &token, ctx),
            (ClientMsg::Auth { id, .. }, Some(_)) => {
                self.error(id, ErrorCode::AlreadyAuthenticated, "this connection is signed in", ctx)
            }
            (msg, None) => {
                self.error(msg.id(), ErrorCode::Unauthenticated, "the first message must be auth", ctx);
                self.close(CloseCode::Policy, "the first message must be auth", ctx);
            }
            (ClientMsg::Ping { id }, Some(_)) => self.send(&ServerMsg::Pong { re: id }, ctx),
            (msg, Some(_)) => self.route(msg, ctx),
        }
    }

    /// This connection as tables address it.
    fn client(&self, ctx: &mut actix::Context<Self>) -> Option<Client> {
        let (player, name) = self.player.clone()?;
        let tx = self.out.clone()?;
        Some(Client { player, name, conn: self.id, outbox: Outbox::new(tx, ctx.address().recipient()) })
    }

    /// Hands a table or session request to its actor; the actor replies.
    fn route(&mut self, msg: ClientMsg, ctx: &mut actix::Context<Self>) {
        let re = msg.id();
        let Some(client) = self.client(ctx) else { return };
        let lobby = self.state.lobby.clone();
        let table = |id: &str| (lobby.table(id), ErrorCode::UnknownTable);
        let mine = |id: &str| (lobby.session(id).filter(|s| s.owner == Some(client.player)), ErrorCode::UnknownSession);
        let at = |table_id: Option<String>, session_id: Option<String>| match Target::named(table_id, session_id) {
            Some(Target::Table(id)) => Some(table(&id)),
            Some(Target::Session(id)) => Some(mine(&id)),
            None => None,
        };
        let unnamed = "name a table or a session (one of them)";
        let ((target, missing), ask) = match msg {
            ClientMsg::Join { table: id, .. } => (table(&id), Ask::Join),
            ClientMsg::Leave { table: id, .. } => (table(&id), Ask::Leave),
            ClientMsg::Sit { table: id, seat, .. } => (table(&id), Ask::Sit { seat }),
            ClientMsg::Stand { table: id, .. } => (table(&id), Ask::Stand),
            ClientMsg::Act { table: t, session: s, action, .. } => match at(t, s) {
                Some(found) => (found, Ask::Act { action }),
                None => return self.error(re, ErrorCode::InvalidMessage, unnamed, ctx),
            },
            ClientMsg::Chat { table: id, text, .. } => (table(&id), Ask::Chat { text }),
            ClientMsg::Resume { table: t, session: s, last_seq, .. } => match at(t, s) {
                Some(found) => (found, Ask::Resume { last_seq }),
                None => return self.error(re, ErrorCode::InvalidMessage, unnamed, ctx),
            },
            ClientMsg::SessionOpen { game, .. } => match lobby.open_session(client.player, &game) {
                Ok(session) => ((Some(session), ErrorCode::UnknownSession), Ask::Join),
                Err(e) => {
                    let code = match e {
                        OpenError::UnknownGame(_) | OpenError::WrongKind { .. } | OpenError::TooManySessions(_) => {
                            e.code()
                        }
                        _ => ErrorCode::Unavailable,
                    };
                    return self.error(re, code, &e.to_string(), ctx);
                }
            },
            ClientMsg::SessionClose { session, .. } => (mine(&session), Ask::Close),
            ClientMsg::Auth { .. } | ClientMsg::Ping { .. } => return,
        };
        let Some(target) = target else {
            let message =
                if missing == ErrorCode::UnknownSession { "no such session of yours" } else { "no such table" };
            return self.error(re, missing, message, ctx);
        };
        match &ask {
            Ask::Leave => {
                self.joined.remove(&target.id);
            }
            Ask::Close => {}
            _ if !self.joined.contains(&target.id) => {
                self.joined.insert(target.id.clone());
            }
            _ => {}
        }
        match target.requests.try_send(Request { client, re, ask }) {
            Ok(()) => {}
            Err(actix::prelude::SendError::Full(_)) => {
                self.error(re, ErrorCode::TableBusy, "the table is busy: try again in a moment", ctx)
            }
            // It stopped between the look-up and now (a closed session).
            Err(actix::prelude::SendError::Closed(_)) => {
                let (code, message) = if target.owner.is_some() {
                    (ErrorCode::UnknownSession, "no such session of yours")
                } else {
                    (ErrorCode::UnknownTable, "no such table")
                };
                self.error(re, code, message, ctx)
            }
        }
    }

    fn authenticate(&mut self, id: Option<u64>, token: &str, ctx: &mut actix::Context<Self>) {
        let claims = match self.state.tokens.check(token) {
            Ok(claims) => claims,
            Err(e) => {
                let (code, message) = match e {
                    TokenError::Expired => (ErrorCode::TokenExpired, "the access token has expired"),
                    TokenError::Invalid => (ErrorCode::InvalidToken, "the access token is not valid"),
                    TokenError::Erased => (ErrorCode::AccountErased, crate::auth::ERASED),
                };
                self.error(id, code, message, ctx);
                return self.close(CloseCode::Policy, message, ctx);
            }
        };
        let Ok(player) = claims.sub.parse::<i64>() else {
            self.error(id, ErrorCode::InvalidToken, "the access token is not valid", ctx);
            return self.close(CloseCode::Policy, "invalid token", ctx);
        };
        // No queue: this connection is closing already, and nothing could reach it.
        let Some(tx) = self.out.clone() else { return };
        let outbox = Outbox::new(tx, ctx.address().recipient());
        let line =
            Line { conn: self.id, outbox, closing: ctx.address().recipient(), look_again: ctx.address().recipient() };
        self.state.registry.sign_in(player, line);
        if let Some(deadline) = self.deadline.take() {
            ctx.cancel_future(deadline);
        }
        tracing::info!(conn_id = self.id, player_id = player, "authenticated");
        self.send(&ServerMsg::Authed { re: id, player, username: claims.name.clone() }, ctx);
        self.player = Some((player, claims.name));
        self.state.guard.connected(player, self.state.now_ms());
        self.look_at_session(ctx);
    }

    /// Looks at the player's play session (reading the play when a reality
    /// check is due), sends what [`SessionWatch`] says, and looks again
    /// when it says.
    fn look_at_session(&mut self, ctx: &mut actix::Context<Self>) {
        let Some((player, _)) = self.player else { return };
        if let Some(timer) = self.look.0.take() {
            ctx.cancel_future(timer);
        }
        self.look.1 += 1;
        let latest = self.look.1;
        let state = self.state.clone();
        let watch = self.watch;
        let look = async move {
            let now = state.now_ms();
            let Some((session, every)) = state.guard.session(player, now).await? else { return Ok(None) };
            let play = match watch.due(&session, every) {
                Some(at) if at <= now => Some(state.guard.play_since(player, session.started_at).await?),
                _ => None,
            };
            Ok::<_, crate::store::StoreError>(Some(Look { now, session, every, play }))
        };
        ctx.spawn(look.into_actor(self).map(move |looked, act, ctx| {
            if act.look.1 != latest {
                return;
            }
            let wait = match looked {
                Ok(None) => return,
                Ok(Some(look)) => {
                    let (messages, wait) = act.watch.looked(look);
                    for m in &messages {
                        act.send(m, ctx);
                    }
                    wait
                }
                Err(e) => {
                    tracing::warn!(conn_id = act.id, %e, "the play session could not be read; looking again later");
                    LOOK_EVERY_MS
                }
            };
            // A few ms late, so that what was due at the wake is due.
            let wait = Duration::from_millis(u64::try_from(wait).unwrap_or(0).saturating_add(5));
            act.look.0 = Some(ctx.run_later(wait, |act, ctx| act.look_at_session(ctx)));
        }));
    }
}

impl Actor for Connection {
    type Context = actix::Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.state.metrics.ws_connections.inc();
        let ws = &self.state.settings.ws;
        let (every, timeout) = (Duration::from_millis(ws.heartbeat_ms), Duration::from_millis(ws.timeout_ms));
        let (auth_deadline_ms, heartbeat_ms) = (ws.auth_deadline_ms, ws.heartbeat_ms);
        if let Some(out) = &self.out {
            self.heartbeat = Some(Heartbeat::join(self.id, every, timeout, out.clone(), ctx.address().recipient()));
        }
        if let Some(stream) = self.stream.take() {
            ctx.add_stream(stream);
        }
        let hello = ServerMsg::Hello {
            protocol: PROTOCOL_VERSION,
            server: format!("croupier {}", env!("CARGO_PKG_VERSION")),
            auth_deadline_ms,
            heartbeat_ms,
            chat_max_chars: u32::try_from(self.state.settings.play.chat_max_chars).unwrap_or(u32::MAX),
        };
        self.send(&hello, ctx);
        let deadline = ctx.run_later(Duration::from_millis(auth_deadline_ms), |act, ctx| {
            act.deadline = None;
            if act.player.is_none() {
                act.error(None, ErrorCode::AuthTimeout, "no auth message in time", ctx);
                act.close(CloseCode::Policy, "no auth message in time", ctx);
            }
        });
        self.deadline = Some(deadline);
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        self.state.metrics.ws_connections.dec();
        if let Some((player, _)) = self.player {
            self.state.registry.sign_out(player, self.id);
            self.state.guard.disconnected(player, self.state.now_ms());
        }
        // Tables hold the seat for the grace period; one the new connection
        // of a replaced player has joined already ignores this (other conn).
        if let Some((player, _)) = self.player {
            let lobby = &self.state.lobby;
            for id in self.joined.drain() {
                if let Some(t) = lobby.table(&id).or_else(|| lobby.session(&id)) {
                    t.gone.do_send(Gone { player, conn: self.id });
                }
            }
        }
    }
}

impl Handler<LookAgain> for Connection {
    type Result = ();

    fn handle(&mut self, _: LookAgain, ctx: &mut Self::Context) {
        self.look_at_session(ctx);
    }
}

impl StreamHandler<Result<AggregatedMessage, ProtocolError>> for Connection {
    fn handle(&mut self, item: Result<AggregatedMessage, ProtocolError>, ctx: &mut Self::Context) {
        if let Some(heartbeat) = &self.heartbeat {
            heartbeat.heard();
        }
        match item {
            Ok(AggregatedMessage::Text(text)) => self.on_text(&text, ctx),
            Ok(AggregatedMessage::Binary(_)) => {
                self.strike(None, ErrorCode::InvalidMessage, "send JSON text frames, not binary", ctx)
            }
            Ok(AggregatedMessage::Ping(bytes)) => self.push(Out::Pong(bytes.to_vec()), ctx),
            Ok(AggregatedMessage::Pong(_)) => {}
            Ok(AggregatedMessage::Close(_)) => ctx.stop(),
            Err(ProtocolError::Overflow) => self.close(CloseCode::Size, "frame too large", ctx),
            Err(e) => {
                tracing::info!(conn_id = self.id, %e, "protocol error");
                self.close(CloseCode::Protocol, "protocol error", ctx);
            }
        }
    }

    fn finished(&mut self, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

impl Handler<Closing> for Connection {
    type Result = ();

    /// Says why in a `closing` message, then closes.
    fn handle(&mut self, why: Closing, ctx: &mut Self::Context) {
        let (code, message, close, reason) = match why {
            Closing::Replaced => (
                ErrorCode::Replaced,
                "you connected again from elsewhere",
                CloseCode::Policy,
                "replaced by a newer connection",
            ),
            Closing::Restarting => (
                ErrorCode::ServerRestarting,
                "the server is restarting: reconnect in a moment; your seat is held",
                CloseCode::Restart,
                "server restarting",
            ),
            Closing::Erased => (ErrorCode::AccountErased, crate::auth::ERASED, CloseCode::Policy, "account erased"),
        };
        self.send(&ServerMsg::Closing { code: code.to_string(), message: message.to_owned() }, ctx);
        self.close(close, reason, ctx);
    }
}

impl Handler<Kick> for Connection {
    type Result = ();

    fn handle(&mut self, _: Kick, ctx: &mut Self::Context) {
        tracing::info!(conn_id = self.id, "a table found the outbound queue full: the client is not reading");
        self.out = None;
        self.close(CloseCode::Policy, "too slow: messages were not read", ctx);
    }
}

impl Handler<Silent> for Connection {
    type Result = ();

    fn handle(&mut self, _: Silent, ctx: &mut Self::Context) {
        tracing::info!(conn_id = self.id, "heartbeat timed out");
        self.close(CloseCode::Away, "no heartbeat", ctx);
    }
}
