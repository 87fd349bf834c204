//! The table actor: the imperative shell around one [`Engine`] — a live
//! table or a single-player session.
//!
//! It only queues cues, carries out each [`Step`] and talks to the outside:
//! replies go out at once; a step's money is moved next, through group
//! commit. A step that only stakes does not hold the table: its events go
//! out and its timers are armed at once (a stake is pending until its answer
//! comes back as a cue, and the game announces nothing of it before), and
//! stakes that follow share the next batch. A step that closes a round holds
//! the table (cues wait in the bounded queue) and only once it has committed
//! are its events sent and its timers armed. So nothing is announced that
//! the ledger has not recorded, and every round is settled once, in the same
//! transaction as its record and checkpoint. It writes a hot checkpoint
//! after every change (coalesced, one write in flight) and never blocks or
//! waits for a client: events go into each client's bounded queue, and a
//! client whose queue is full is dropped.

use croupier_protocol::ErrorCode;
use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use actix::{Actor, ActorContext, ActorFutureExt, AsyncContext, Context, Handler, SpawnHandle, WrapFuture};
use actix_governor::governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use croupier_protocol::ServerMsg;
use croupier_rng::CertifiedRng;
use croupier_sdk::{Game, WalletResult};
use serde_json::Value;

use super::engine::{Arm, Cue, Engine, Reply, Setup, Slot, Step};
use super::log::Logged;
use super::money::{self, Money};
use super::policy::Kind;
use super::seeds::ServerSeeds;
use super::{Ask, Client, Deps, Gone, Request, requests};
use crate::store::{CheckpointRow, GameConfig};

mod admin;
mod flights;
mod writes;

pub use admin::{Admin, Answer, TableStatus};
use flights::Flights;
use writes::HotWriter;

/// Who a new table is.
pub struct Opening<'a> {
    /// Table or session id.
    pub id: String,
    /// Table or session.
    pub kind: Kind,
    /// A session's player.
    pub owner: Option<i64>,
    /// The config it is opened with (JSON), kept in its checkpoints.
    pub spec: Arc<Value>,
    /// The config as the game reads it, which its round records name.
    pub config: Arc<GameConfig>,
    /// A checkpoint to come back from.
    pub restore: Option<&'a CheckpointRow>,
}

/// Stop (the server is stopping): money in flight is let finish, then a
/// round that holds stakes but has not settled is voided; anything else
/// unsettled is voided at the next start.
#[derive(actix::Message)]
#[rtype(result = "()")]
pub struct Halt;

/// A live table or a session running game `G`.
pub struct Table<G: Game> {
    engine: Box<Engine<G>>,
    id: String,
    deps: Arc<Deps>,
    seated_count: Arc<AtomicUsize>,
    clients: HashMap<i64, Client>,
    timers: HashMap<Slot, SpawnHandle>,
    /// Cues in arrival order, a request's with who asked (for the answer).
    queue: VecDeque<(Cue, Option<Client>)>,
    /// Money that holds the table is in flight (or a session's seed is
    /// being committed): cues wait.
    busy: Arc<AtomicBool>,
    chat: DefaultKeyedRateLimiter<i64>,
    hot: HotWriter,
    /// How many of its flights wait for the database to come back (a close
    /// retrying, a stake unconfirmed): while any does, actions are refused
    /// at once instead of queueing behind it.
    stalled: Arc<AtomicUsize>,
    /// The server is stopping: no new work is taken.
    halting: bool,
    /// The session closed: it answers what still arrives, then stops.
    closing: bool,
    /// The money in flight.
    flights: Flights,
    /// Staff actions waiting for a round boundary.
    admin: admin::Pending<G>,
}

/// A table's first seq at a start: the clock in milliseconds times 1,024.
/// A run sends far fewer than 1,024 events a millisecond, so a later start
/// always begins above everything an earlier run sent — even when that run
/// was killed before any checkpoint recorded its seq — and the numbers stay
/// below 2^53 (exact in JSON clients) until the 2250s.
fn seq_floor(now: i64) -> u64 {
    u64::try_from(now).unwrap_or(0) << 10
}

/// A short random tag that keeps round keys unique across restarts (and
/// across a void, which deals a round's number again).
pub(super) fn epoch(now: i64) -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        return format!("{now:x}");
    }
    hex::encode(bytes)
}

/// How long a request waits behind money in flight before it is answered
/// anyway (`pending` for its own stake, `table_busy` for anything queued).
const ANSWER_WITHIN: Duration = Duration::from_secs(1);

/// Why a request is refused while the table waits for the database.
const WAITING: &str = "the table is waiting for the wallet; nothing was done, try again shortly";

/// How long a closed table or session keeps answering requests already on
/// their way (with `unknown_table` or `unknown_session`) before it stops.
pub(super) const CLOSE_LINGER: Duration = Duration::from_millis(500);

impl<G: Game> Table<G> {
    /// A table (or a session owned by `owner`), fresh or from a checkpoint.
    ///
    /// # Errors
    /// No entropy for its generator.
    pub fn new(
        open: Opening<'_>,
        config: &G::Config,
        seated_count: Arc<AtomicUsize>,
        deps: Arc<Deps>,
    ) -> Result<Self, croupier_rng::RngError> {
        let Opening { id, kind, owner, spec, config: named, restore } = open;
        let play = &deps.settings.play;
        let now = deps.clock.now_ms();
        let setup = Setup {
            id: id.clone(),
            epoch: epoch(now),
            kind,
            owner,
            house: kind.house(G::ID, &id, deps.settings.wallet.session_house_shards),
            spec,
            config: named,
            history: play.history,
            grace_ms: play.reconnect_grace_secs.saturating_mul(1000),
            chat_max_chars: play.chat_max_chars,
            seq_floor: seq_floor(now),
        };
        let spare = CertifiedRng::from_os(deps.settings.rng.policy())?;
        let seeds = Box::new(ServerSeeds::new(deps.fairness.clone(), kind));
        let engine = Box::new(Engine::<G>::new(setup, config, spare, seeds, restore, now));
        let rate = NonZeroU32::new(play.chat_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(play.chat_burst).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            engine,
            id,
            deps,
            seated_count,
            clients: HashMap::new(),
            timers: HashMap::new(),
            queue: VecDeque::new(),
            busy: Arc::default(),
            chat: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            hot: HotWriter::default(),
            stalled: Arc::default(),
            halting: false,
            closing: false,
            flights: Flights::default(),
            admin: admin::Pending::default(),
        })
    }

    fn busy(&self) -> bool {
        self.busy.load(Ordering::Relaxed)
    }

    /// Queues a client's request, refusing it at once when the table cannot
    /// take it now.
    fn request(&mut self, req: Request, ctx: &mut Context<Self>) {
        let Request { client, re, ask } = req;
        let refuse = |code: ErrorCode, message: &str| fail(&client, re, code, message);
        if self.closing {
            let (code, message) = self.engine.closed_refusal();
            return refuse(code, message);
        }
        if self.halting {
            return refuse(ErrorCode::ServerRestarting, "the server is restarting: try again in a moment");
        }
        if self.queue.len() >= self.deps.settings.play.queue {
            return refuse(ErrorCode::TableBusy, "the table is busy: try again in a moment");
        }
        let wallet_late = self.flights.late(ANSWER_WITHIN) || self.stalled.load(Ordering::Relaxed) > 0;
        if matches!(ask, Ask::Act { .. }) && !self.flights.is_empty() && wallet_late {
            let msg = "the wallet is not answering; nothing was placed or played, try again shortly";
            return refuse(ErrorCode::WalletUnavailable, msg);
        }
        if self.late() {
            return refuse(ErrorCode::TableBusy, WAITING);
        }
        if let Ask::Chat { text } = &ask {
            if !self.clients.contains_key(&client.player) {
                return refuse(ErrorCode::NotJoined, "join the table before chatting");
            }
            // A line refused for its text costs no share of the rate.
            if let Err((code, message)) = requests::chat_line(text, self.deps.settings.play.chat_max_chars) {
                return refuse(code, &message);
            }
            if self.chat.check_key(&client.player).is_err() {
                return refuse(ErrorCode::RateLimited, "too many chat lines: slow down");
            }
        }
        let cue = Cue::Ask { player: client.player, name: client.name.clone(), re, ask };
        self.queue.push_back((cue, Some(client)));
        self.pump(ctx);
    }

    fn enqueue(&mut self, cue: Cue, ctx: &mut Context<Self>) {
        self.queue.push_back((cue, None));
        self.pump(ctx);
    }

    /// Runs queued cues until the queue is empty or money is in flight.
    /// While the table stops or closes, only wallet answers are taken (they
    /// finish the money in flight); requests still queued are refused.
    fn pump(&mut self, ctx: &mut Context<Self>) {
        while !self.busy() {
            let Some((cue, asker)) = self.queue.pop_front() else { break };
            if (self.halting || self.closing) && !matches!(cue, Cue::Wallet { .. }) {
                self.refuse(&cue, asker.as_ref());
                continue;
            }
            let leaving = match &cue {
                Cue::Ask { player, ask: Ask::Leave, .. } => Some(*player),
                _ => None,
            };
            if let (Cue::Ask { ask, .. }, Some(client)) = (&cue, &asker) {
                self.watch(client, ask);
            }
            let step = self.engine.step(cue, self.deps.clock.now_ms());
            self.carry_out(step, asker.as_ref(), ctx);
            if let Some(player) = leaving {
                self.clients.remove(&player);
            }
        }
        self.admin_due(ctx);
        self.flush_hot(ctx);
    }

    /// Who watches, sits or holds a seat hears the answer and what follows
    /// — replies to a stake included, even without a `join` first (as after
    /// a restart). One who leaves is forgotten once answered; anyone else
    /// gets just the answer. Called as the request is taken, not as it
    /// arrives: events dealt while it waits in the queue belong to the
    /// `resume`'s replay or the `join`'s snapshot, and going out live
    /// before them they came twice and out of order.
    fn watch(&mut self, client: &Client, ask: &Ask) {
        let watching = matches!(ask, Ask::Join | Ask::Resume { .. } | Ask::Sit { .. } | Ask::Leave)
            || self.engine.seated.contains(&client.player)
            || self.engine.setup.owner == Some(client.player);
        if watching {
            self.clients.insert(client.player, client.clone());
        }
    }

    /// Money that holds the table has been in flight for longer than a
    /// request may wait.
    fn late(&self) -> bool {
        self.flights.holding_late(ANSWER_WITHIN)
    }

    /// Once money is late, each player whose stake it carries hears
    /// `pending` (once), and once money holding the table is late, every
    /// request queued behind it is refused: every request is answered within
    /// about [`ANSWER_WITHIN`] and a tick, whatever the database does.
    fn answer_late(&mut self) {
        for op in self.flights.newly_late(ANSWER_WITHIN) {
            let Some((player, re)) = self.engine.replies.get(&op) else { continue };
            let Some(client) = self.clients.get(player) else { continue };
            let message = "the wallet has not confirmed your stake yet; the answer follows when it does";
            client.outbox.send_msg(&ServerMsg::Pending {
                re: *re,
                code: ErrorCode::WalletUnconfirmed.to_string(),
                message: message.to_owned(),
            });
        }
        if !self.late() {
            return;
        }
        for (cue, asker) in std::mem::take(&mut self.queue) {
            match (&cue, &asker) {
                (Cue::Ask { re, .. }, Some(client)) => fail(client, *re, ErrorCode::TableBusy, WAITING),
                _ => self.queue.push_back((cue, asker)),
            }
        }
    }

    /// Answers a queued request the table will not take.
    fn refuse(&self, cue: &Cue, asker: Option<&Client>) {
        let Cue::Ask { re, .. } = cue else { return };
        let Some(client) = asker else { return };
        if self.halting {
            fail(client, *re, ErrorCode::ServerRestarting, "the server is restarting: try again in a moment");
        } else {
            let (code, message) = self.engine.closed_refusal();
            fail(client, *re, code, message);
        }
    }

    /// Carries out one step: replies now, then the money, then its events
    /// and timers.
    fn carry_out(&mut self, step: Step, asker: Option<&Client>, ctx: &mut Context<Self>) {
        let Step { replies, money, events, timers, refused, accepted, panicked, changed, close } = step;
        let metrics = &self.deps.metrics;
        if let Some(accepted) = accepted {
            let label = if accepted { "accepted" } else { "rejected" };
            metrics.table_inputs.with_label_values(&[G::ID, label]).inc();
        }
        if panicked {
            metrics.table_panics.with_label_values(&[G::ID]).inc();
        }
        if changed {
            self.hot.dirty_since.get_or_insert_with(Instant::now);
        }
        for (player, reply) in replies {
            let asked = asker.filter(|a| a.player == player);
            let Some(client) = self.clients.get(&player).or(asked) else { continue };
            let sent = match &reply {
                Reply::Msg(msg) => client.outbox.send_msg(msg),
                Reply::Text(text) => client.outbox.send(text),
            };
            if !sent {
                self.clients.remove(&player);
            }
        }
        self.seated_count.store(self.engine.seated(), Ordering::Relaxed);
        for op in refused.into_iter().rev() {
            let result = WalletResult::Refused { code: ErrorCode::InternalError.to_string() };
            self.queue.push_front((Cue::Wallet { op, result }, None));
        }
        if close {
            self.close(ctx);
        }
        let holds = money.iter().any(|m| matches!(m, Money::Close { .. }));
        if holds && !self.flights.is_empty() {
            // The game closed a round with a stake unanswered: the wallet
            // settles every stake it holds, this one included.
            tracing::warn!(table_id = %self.id, game = G::ID, "a round closes while a stake is in flight");
        }
        let later = if holds {
            self.busy.store(true, Ordering::Relaxed);
            Some((events, timers))
        } else {
            self.after(&events, timers, ctx);
            None
        };
        if money.is_empty() {
            return;
        }
        let stakes = money.iter().filter_map(|m| if let Money::Stake { op, .. } = m { Some(*op) } else { None });
        let flight = self.flights.start(stakes.collect(), holds);
        let house = self.engine.setup.house.clone();
        let run = money::run(self.deps.clone(), self.id.clone(), house, self.stalled.clone(), money);
        ctx.spawn(run.into_actor(self).map(move |answers, act, ctx| {
            act.flights.finish(flight);
            if let Some((events, timers)) = later {
                act.after(&events, timers, ctx);
            }
            for (op, result) in answers.into_iter().rev() {
                act.queue.push_front((Cue::Wallet { op, result }, None));
            }
            // Only the flight that held the table lets it go: a stake that
            // lands while a close is in flight must not.
            if holds {
                act.busy.store(false, Ordering::Relaxed);
            }
            act.pump(ctx);
        }));
    }

    /// Events and timers, once the money behind them has committed.
    fn after(&mut self, events: &[Logged], timers: Vec<Arm>, ctx: &mut Context<Self>) {
        for logged in events {
            self.broadcast(logged);
        }
        for arm in timers {
            match arm {
                Arm::Start(due, after_ms) => {
                    let handle = ctx.run_later(Duration::from_millis(after_ms), move |act, ctx| {
                        act.timers.remove(&due.slot());
                        act.enqueue(Cue::Due(due), ctx);
                    });
                    if let Some(old) = self.timers.insert(due.slot(), handle) {
                        ctx.cancel_future(old);
                    }
                }
                Arm::Cancel(slot) => {
                    if let Some(old) = self.timers.remove(&slot) {
                        ctx.cancel_future(old);
                    }
                }
            }
        }
    }

    /// Sends one event to each client as they may see it, and drops clients
    /// that do not read.
    fn broadcast(&mut self, logged: &Logged) {
        let mut slow = Vec::new();
        for (player, client) in &self.clients {
            if let Some(text) = logged.for_viewer(*player)
                && !client.outbox.send(text)
            {
                slow.push(*player);
            }
        }
        for player in slow {
            tracing::info!(table_id = %self.id, player_id = player, "dropped a client that does not read");
            self.clients.remove(&player);
        }
    }

    /// A session commits its owner's seed before its owner sits down.
    fn seat_owner(&mut self, owner: i64, ctx: &mut Context<Self>) {
        self.busy.store(true, Ordering::Relaxed);
        let deps = self.deps.clone();
        let fairness = async move { deps.fairness.ensure(owner).await };
        ctx.spawn(fairness.into_actor(self).map(move |ensured, act, ctx| {
            act.busy.store(false, Ordering::Relaxed);
            if let Err(e) = ensured {
                tracing::error!(table_id = %act.id, %e, "no provably-fair seed: closing the session");
                for (cue, asker) in act.queue.drain(..) {
                    if let (Cue::Ask { re, .. }, Some(client)) = (cue, asker) {
                        fail(&client, re, ErrorCode::Unavailable, "the session could not start; try again");
                    }
                }
                act.deps.sessions.remove(&act.id);
                return ctx.stop();
            }
            act.queue.push_front((Cue::Open, None));
            act.pump(ctx);
        }));
    }
}

fn fail(client: &Client, re: Option<u64>, code: ErrorCode, message: &str) {
    client.outbox.send_msg(&ServerMsg::Error { re, code: code.to_string(), message: message.to_owned() });
}

impl<G: Game> Actor for Table<G> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.deps.settings.play.queue.max(16));
        let restored = self.engine.restored();
        tracing::info!(table_id = %self.id, game = G::ID, restored, "opened");
        self.after(&[], self.engine.arms(self.deps.clock.now_ms()), ctx);
        let every = Duration::from_millis(self.deps.settings.rng.tick_ms.max(1));
        ctx.run_interval(every, |act, _ctx| {
            act.answer_late();
            for reseed in act.engine.tick(Instant::now().into_std()) {
                let (commitment, reason) = (reseed.commitment, reseed.reason);
                tracing::info!(table_id = %act.id, %commitment, ?reason, after_draws = reseed.after_draws, "generator reseeded");
            }
        });
        self.seated_count.store(self.engine.seated(), Ordering::Relaxed);
        if !restored {
            match self.engine.checkpoint(self.deps.clock.now_ms()) {
                Ok(row) => self.save_soon(row),
                Err(e) => tracing::error!(table_id = %self.id, %e, "unserialisable checkpoint"),
            }
        }
        if let Some(owner) = self.engine.setup.owner {
            self.seat_owner(owner, ctx);
        }
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        let map = match self.engine.setup.kind {
            Kind::Table => &self.deps.tables,
            Kind::Session => &self.deps.sessions,
        };
        map.remove(&self.id);
        tracing::info!(table_id = %self.id, "closed");
    }
}

impl<G: Game> Handler<Request> for Table<G> {
    type Result = ();

    fn handle(&mut self, req: Request, ctx: &mut Self::Context) {
        if self.engine.setup.owner.is_some_and(|owner| owner != req.client.player) {
            return fail(&req.client, req.re, ErrorCode::UnknownSession, "no such session of yours");
        }
        self.request(req, ctx);
    }
}

impl<G: Game> Handler<Halt> for Table<G> {
    type Result = actix::ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: Halt, _ctx: &mut Self::Context) -> Self::Result {
        self.halting = true;
        let (keep, refuse): (VecDeque<_>, VecDeque<_>) =
            std::mem::take(&mut self.queue).into_iter().partition(|(c, _)| matches!(c, Cue::Wallet { .. }));
        self.queue = keep;
        for (cue, asker) in &refuse {
            self.refuse(cue, asker.as_ref());
        }
        // Money in flight finishes first: a stake on its way may land, and
        // its round must then be refunded, not left open.
        let (busy, flying) = (self.busy.clone(), self.flights.counter());
        let settle = async move {
            while busy.load(Ordering::Relaxed) || flying.load(Ordering::Relaxed) > 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        Box::pin(settle.into_actor(self).then(|(), act, _ctx| {
            let open = act.engine.staked_round().map(str::to_owned);
            let now = act.deps.clock.now_ms();
            let last = act.engine.hot_checkpoint(now).ok().and_then(|hot| hot.to_text().ok());
            let last = last.filter(|_| act.hot.dirty_since.is_some());
            // Closed, but stopped before it could say so durably: it must
            // not come back.
            let closed = act.engine.closed.then(|| act.engine.checkpoint(now).ok()).flatten();
            let (seq, deps, table) = (act.engine.seq(), act.deps.clone(), act.id.clone());
            async move {
                if let Some(row) = closed
                    && let Err(e) = deps.store.save_checkpoint(&row).await
                {
                    tracing::error!(table_id = %table, %e, "stopping: the closing checkpoint was not saved");
                }
                if let Some(text) = last
                    && let Err(e) = deps.cache.put_checkpoint(&table, seq, &text).await
                {
                    tracing::warn!(table_id = %table, %e, "stopping: last hot checkpoint not stored");
                }
                let Some(round) = open else { return };
                match deps.store.void(&format!("{round}:void"), &round, deps.clock.now_ms()).await {
                    Ok(_) => {
                        tracing::info!(table_id = %table, round = %round, "stopping: round voided, stakes refunded")
                    }
                    Err(e) => tracing::warn!(table_id = %table, round = %round, %e, "stopping: round left to recovery"),
                }
            }
            .into_actor(act)
            .map(|(), _act, ctx| ctx.stop())
        }))
    }
}

impl<G: Game> Handler<Gone> for Table<G> {
    type Result = ();

    fn handle(&mut self, gone: Gone, ctx: &mut Self::Context) {
        let player = gone.player;
        if self.clients.get(&player).is_none_or(|c| c.conn != gone.conn) {
            return;
        }
        self.clients.remove(&player);
        self.enqueue(Cue::Gone { player }, ctx);
    }
}
