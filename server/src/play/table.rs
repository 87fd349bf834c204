//! The table actor: one per live table and one per single-player session
//! (the same machinery in [`Kind::Session`] mode: one owner, the per-player
//! provably-fair scheme, closed by its player).
//!
//! It drives a pure [`Game`]: client requests, timer expiries and wallet
//! answers become game inputs, taken one at a time from one queue. The
//! effects of an input are carried out money first: while a stake, a
//! settlement or a round record is in flight the table takes no other input
//! (they wait in the bounded queue), and only once the money has committed
//! are the input's events broadcast and its timers started. So nothing is
//! announced that the ledger has not recorded, and every round is settled
//! once, in the same transaction as its record.
//!
//! Supervision: a game that panics on an input is caught here; the table is
//! put back to its state (and generator position) from before that input,
//! the input is refused with `internal_error`, and every other table and
//! connection carries on. This actor never blocks and never waits for a
//! client: events go into each client's bounded queue, and a client whose
//! queue is full is disconnected.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::num::NonZeroU32;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix::{Actor, ActorContext, ActorFutureExt, AsyncContext, Context, Handler, SpawnHandle, WrapFuture};
use actix_governor::governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use bytestring::ByteString;
use croupier_protocol::{ServerMsg, TableInfo};
use croupier_rng::fair::{FairInput, ServerSeed};
use croupier_rng::{CertifiedRng, Seed};
use croupier_sdk::record::Stake;
use croupier_sdk::{
    Audience, Effect, Effects, Game, Input, OpId, PlayerId, Rejected, RoundId, TimerId, Viewer, WalletResult,
};
use serde_json::{Value, json};

use super::hot::{HotCheckpoint, OpenRound};
use super::round::{Close, Hand, Recording};
use super::{Ask, Client, Deps, Gone, Kind, Request};
use crate::app::now_ms;
use crate::store::{CheckpointRow, RoundClose, RoundRef, RoundRow, StoreError};

/// One event as kept for `resume`: public (`to: None`) events take the next
/// seq; a private event carries the seq of the public event before it.
struct Logged {
    seq: u64,
    to: Option<i64>,
    text: ByteString,
}

/// Work for the table, in arrival order.
enum Job {
    Ask(Request),
    Timer(TimerId),
    Wallet { op: OpId, result: WalletResult },
    GraceOver(i64),
}

/// What a checkpoint holds besides the seq: the game state, who is seated
/// and the timers running (milliseconds left).
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved<S> {
    state: S,
    seated: Vec<i64>,
    timers: Vec<(u32, u64)>,
}

/// From a checkpoint: the seats to hold and the timers to re-arm.
type Held = (Vec<i64>, Vec<(u32, u64)>);

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
    /// A checkpoint to come back from.
    pub restore: Option<&'a CheckpointRow>,
}

/// A money movement the table waits for.
enum Money {
    Reserve {
        op: OpId,
        key: String,
        round_key: String,
        house: String,
        currency: String,
        player: i64,
        amount: i64,
    },
    /// Settle (`Some` payouts) or void a round whose record comes later.
    Close {
        key: String,
        round_key: String,
        payouts: Option<Vec<(i64, i64)>>,
    },
    /// Close the round's money (if still open) and write its record.
    Finish {
        key: String,
        close: Owned,
        row: RoundRow,
        checkpoint: Box<CheckpointRow>,
    },
}

/// [`RoundClose`] with owned payouts.
enum Owned {
    Settle(Vec<(i64, i64)>),
    Void,
    RecordOnly,
}

/// A live table or a session running game `G`.
pub struct Table<G: Game> {
    id: String,
    epoch: String,
    kind: Kind,
    owner: Option<i64>,
    house: String,
    deps: Arc<Deps>,
    // Boxed: actors must be Unpin, and a game's types need not be.
    state: Box<G::State>,
    seats: u8,
    seated_count: Arc<AtomicUsize>,
    clients: HashMap<i64, Client>,
    seated: BTreeSet<i64>,
    away: HashMap<i64, SpawnHandle>,
    timers: HashMap<TimerId, (SpawnHandle, Instant)>,
    seq: u64,
    history: VecDeque<Logged>,
    queue: VecDeque<Job>,
    busy: bool,
    hand: Option<Hand>,
    spare: Recording,
    replies: HashMap<OpId, (i64, Option<u64>)>,
    chat: DefaultKeyedRateLimiter<i64>,
    effects: Box<Effects<G>>,
    /// The config the table was opened with (JSON), for checkpoints.
    spec: Arc<Value>,
    /// Restored from a checkpoint: seats to hold, timers to re-arm.
    restored: Option<Held>,
    /// A session closed by its player or the grace period (not by a stop).
    closing: bool,
    /// The hot checkpoint writer.
    hot: HotWriter,
    /// A settlement is waiting for the database to come back: actions are
    /// refused at once instead of queueing behind it.
    stalled: Arc<AtomicBool>,
}

/// Hot checkpoints are coalesced: at most one write is in flight, and each
/// write carries the table as it is when the write starts, so the newest
/// state always wins and a burst of events costs one write per round trip.
#[derive(Default)]
struct HotWriter {
    /// When the oldest change not yet in a stored hot checkpoint was made.
    dirty_since: Option<Instant>,
    in_flight: bool,
    /// Back-off after a failed write; zero while writes succeed.
    backoff: Duration,
    /// A retry is scheduled.
    retry: Option<SpawnHandle>,
    /// The last round this table finished.
    last_round: Option<String>,
}

/// A table's first seq at a start: the clock in milliseconds times 1,024.
/// A run sends far fewer than 1,024 events a millisecond, so a later start
/// always begins above everything an earlier run sent — even when that run
/// was killed before any checkpoint recorded its seq — and the numbers stay
/// below 2^53 (exact in JSON clients) until the 2250s.
fn seq_floor() -> u64 {
    u64::try_from(now_ms()).unwrap_or(0) << 10
}

/// Stop (the server is stopping): a round that holds stakes but has not
/// settled is voided first; anything else unsettled is voided at the next
/// start.
#[derive(actix::Message)]
#[rtype(result = "()")]
pub struct Halt;

/// A short random tag that keeps round keys unique across restarts.
fn epoch() -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        return format!("{:x}", now_ms());
    }
    hex::encode(bytes)
}

fn player_id(player: i64) -> PlayerId {
    PlayerId(u64::try_from(player).unwrap_or_default())
}

fn server_id(player: PlayerId) -> i64 {
    i64::try_from(player.0).unwrap_or_default()
}

/// The wallet's stable code for a refused stake.
fn refusal(e: &StoreError) -> &'static str {
    match e {
        StoreError::InsufficientFunds => "insufficient_funds",
        StoreError::CurrencyMismatch(_) => "currency_mismatch",
        StoreError::RoundClosed(_) => "round_closed",
        StoreError::Database(_) | StoreError::Unconfirmed(_) => "wallet_unavailable",
        _ => "wallet_error",
    }
}

fn refusal_message(code: &str) -> &'static str {
    match code {
        "insufficient_funds" => "your available balance is short of the stake; nothing was placed",
        "wallet_unavailable" => "the wallet did not answer; nothing was placed",
        "internal_error" => "the table could not take that stake; nothing was placed",
        _ => "the wallet refused the stake; nothing was placed",
    }
}

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
        let Opening { id, kind, owner, spec, restore } = open;
        let play = &deps.settings.play;
        let house = match kind {
            Kind::Table => format!("house:table:{id}"),
            Kind::Session => {
                let shards = deps.settings.wallet.session_house_shards.max(1);
                let hash = id.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
                format!("house:{}:{}", G::ID, hash % shards)
            }
        };
        let mut state = Box::new(G::new_table(config));
        let mut seq = 0;
        let mut restored = None;
        if let Some(row) = restore {
            // Never below the checkpoint's, even if its state cannot be used,
            // so a later checkpoint is never older than a stored one.
            seq = u64::try_from(row.seq).unwrap_or(0);
            match serde_json::from_str::<Saved<G::State>>(&row.checkpoint).map_err(|e| e.to_string()).and_then(
                |saved| {
                    if row.game != G::ID {
                        Err(format!("it is a {} table", row.game))
                    } else if serde_json::from_str::<Value>(&row.spec).ok().as_ref() != Some(&*spec) {
                        Err("its config has changed".to_owned())
                    } else {
                        Ok(saved)
                    }
                },
            ) {
                Ok(saved) => {
                    *state = saved.state;
                    restored = Some((saved.seated, saved.timers));
                }
                Err(e) => tracing::warn!(table_id = %id, %e, "the checkpoint is not used: the table starts afresh"),
            }
        }
        let rate = NonZeroU32::new(play.chat_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(play.chat_burst).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            epoch: epoch(),
            kind,
            owner,
            house,
            state,
            seats: G::seats(config),
            seated_count,
            clients: HashMap::new(),
            seated: BTreeSet::new(),
            away: HashMap::new(),
            timers: HashMap::new(),
            seq: seq.max(seq_floor()),
            history: VecDeque::new(),
            queue: VecDeque::new(),
            busy: false,
            hand: None,
            spare: Recording::new(CertifiedRng::from_os(deps.settings.rng.policy())?),
            replies: HashMap::new(),
            chat: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            effects: Box::default(),
            spec,
            restored,
            closing: false,
            hot: HotWriter::default(),
            stalled: Arc::default(),
            id,
            deps,
        })
    }

    fn enqueue(&mut self, job: Job, ctx: &mut Context<Self>) {
        if let Job::Ask(req) = &job {
            if self.queue.len() >= self.deps.settings.play.queue {
                let msg = "the table is busy: try again in a moment";
                return fail(&req.client, req.re, "table_busy", msg);
            }
            if self.busy && matches!(req.ask, Ask::Act { .. }) && self.stalled.load(Ordering::Relaxed) {
                let msg = "the wallet is not answering; nothing was placed or played, try again shortly";
                return fail(&req.client, req.re, "wallet_unavailable", msg);
            }
        }
        self.queue.push_back(job);
        self.pump(ctx);
    }

    /// Runs queued work until the queue is empty or money is in flight.
    fn pump(&mut self, ctx: &mut Context<Self>) {
        while !self.busy {
            let Some(job) = self.queue.pop_front() else { break };
            self.run(job, ctx);
        }
        self.flush_hot(ctx);
    }

    /// Notes a change for the next hot checkpoint.
    fn changed(&mut self) {
        self.hot.dirty_since.get_or_insert_with(Instant::now);
    }

    /// The hot checkpoint of the table as it is now.
    fn hot_checkpoint(&self) -> HotCheckpoint {
        HotCheckpoint {
            row: self.checkpoint(&[], 0),
            open_round: self.hand.as_ref().map(|h| OpenRound {
                key: h.key.clone(),
                stakes: h.stakes.clone(),
                staked: h.staked,
                draws: h.rng.log().to_vec(),
            }),
            last_round: self.hot.last_round.clone(),
        }
    }

    /// Writes a hot checkpoint if something changed, no write is in flight
    /// or waiting to be retried, and no money is in flight (the state may
    /// then be ahead of the ledger). A failed write is counted, logged once
    /// per outage and retried with back-off; play never waits for it.
    fn flush_hot(&mut self, ctx: &mut Context<Self>) {
        if self.busy || self.hot.in_flight || self.hot.retry.is_some() {
            return;
        }
        let Some(since) = self.hot.dirty_since.take() else { return };
        let hot = self.hot_checkpoint();
        let text = match serde_json::to_string(&hot) {
            Ok(text) => text,
            Err(e) => return tracing::error!(table_id = %self.id, %e, "unserialisable hot checkpoint"),
        };
        self.hot.in_flight = true;
        let cache = self.deps.cache.clone();
        let id = self.id.clone();
        let seq = self.seq;
        let write = async move { cache.put_checkpoint(&id, seq, &text).await };
        ctx.spawn(write.into_actor(self).map(move |written, act, ctx| {
            act.hot.in_flight = false;
            let metrics = &act.deps.metrics;
            match written {
                Ok(_) => {
                    metrics.checkpoint_lag.with_label_values(&["hot"]).observe(since.elapsed().as_secs_f64());
                    if !act.hot.backoff.is_zero() {
                        tracing::info!(table_id = %act.id, "hot checkpoints are stored again");
                    }
                    act.hot.backoff = Duration::ZERO;
                    act.flush_hot(ctx);
                }
                Err(e) => {
                    metrics.checkpoint_failures.with_label_values(&["hot"]).inc();
                    if act.hot.backoff.is_zero() {
                        tracing::warn!(table_id = %act.id, %e, "hot checkpoint not stored; play goes on, retrying");
                    }
                    act.hot.dirty_since = Some(act.hot.dirty_since.map_or(since, |d| d.min(since)));
                    act.hot.backoff = (act.hot.backoff * 2).clamp(Duration::from_millis(100), Duration::from_secs(5));
                    let retry = ctx.run_later(act.hot.backoff, |act, ctx| {
                        act.hot.retry = None;
                        act.flush_hot(ctx);
                    });
                    act.hot.retry = Some(retry);
                }
            }
        }));
    }

    fn run(&mut self, job: Job, ctx: &mut Context<Self>) {
        match job {
            Job::Ask(req) => self.ask(req, ctx),
            Job::Timer(timer) => {
                // A timer the game no longer expects is refused; nothing to say.
                let _ = self.feed(Input::Timer { timer }, None, ctx);
            }
            Job::Wallet { op, result } => {
                if let Some(hand) = &mut self.hand {
                    match result {
                        WalletResult::Reserved => hand.staked = true,
                        // Never taken: the record lists only stakes held.
                        WalletResult::Refused { .. } => hand.stakes.retain(|s| s.op != op),
                    }
                }
                let reply = self.replies.remove(&op);
                let fed = self.feed(Input::Wallet { op, result: result.clone() }, None, ctx);
                if let Err(r) = fed {
                    tracing::error!(table_id = %self.id, op = op.0, code = r.code, "the game refused a wallet answer");
                }
                if let Some((player, re)) = reply
                    && let Some(client) = self.clients.get(&player)
                {
                    match result {
                        WalletResult::Reserved => ok(client, re),
                        WalletResult::Refused { code } => {
                            let message = refusal_message(&code);
                            fail(client, re, &code, message);
                        }
                    }
                }
            }
            Job::GraceOver(player) => {
                self.away.remove(&player);
                if self.clients.contains_key(&player) {
                    return;
                }
                tracing::info!(table_id = %self.id, player_id = player, "reconnect grace over");
                match self.kind {
                    Kind::Table => self.stand(player, ctx),
                    Kind::Session => self.close(ctx),
                }
            }
        }
    }

    fn ask(&mut self, req: Request, ctx: &mut Context<Self>) {
        let Request { client, re, ask } = req;
        let player = client.player;
        if let Some(handle) = self.away.remove(&player) {
            ctx.cancel_future(handle);
        }
        match ask {
            Ask::Join => {
                self.clients.insert(player, client.clone());
                let view = self.view_of(player);
                let msg = match self.kind {
                    Kind::Table => ServerMsg::Joined { re, info: self.info(), seq: self.seq, view },
                    Kind::Session => ServerMsg::Session { re, session: self.id.clone(), view },
                };
                client.outbox.send_msg(&msg);
            }
            Ask::Resume { last_seq } => {
                self.clients.insert(player, client.clone());
                self.resume(&client, re, last_seq);
            }
            Ask::Leave => {
                if self.seated.contains(&player) {
                    self.stand(player, ctx);
                }
                self.clients.remove(&player);
                ok(&client, re);
            }
            Ask::Sit { seat } => {
                self.clients.insert(player, client.clone());
                if self.seated.contains(&player) {
                    return fail(&client, re, "already_seated", "you are seated at this table");
                }
                if self.seated.len() >= usize::from(self.seats) {
                    return fail(&client, re, "table_full", "every seat is taken");
                }
                // Seated before the game hears of it: a hand the join opens
                // counts the player in.
                self.seated.insert(player);
                match self.feed(Input::Join { player: player_id(player), seat }, None, ctx) {
                    Ok(_) => {
                        self.seated_count.store(self.seated.len(), Ordering::Relaxed);
                        ok(&client, re);
                    }
                    Err(r) => {
                        self.seated.remove(&player);
                        fail(&client, re, r.code, &r.message);
                    }
                }
            }
            Ask::Stand => {
                if !self.seated.contains(&player) {
                    return fail(&client, re, "not_seated", "you are not seated at this table");
                }
                self.stand(player, ctx);
                ok(&client, re);
            }
            Ask::Act { action } => {
                if !self.seated.contains(&player) {
                    return fail(&client, re, "not_seated", "sit down before you act");
                }
                let action: G::Action = match serde_json::from_value(action) {
                    Ok(a) => a,
                    Err(e) => return fail(&client, re, "invalid_action", &format!("not a {} action: {e}", G::ID)),
                };
                let input = Input::Action { player: player_id(player), action };
                match self.feed(input, Some((player, re)), ctx) {
                    Ok(true) => {} // answered when the wallet holds the stake
                    Ok(false) => ok(&client, re),
                    Err(r) => fail(&client, re, r.code, &r.message),
                }
            }
            Ask::Chat { text } => self.chat(&client, re, &text),
            Ask::Close => {
                if self.kind != Kind::Session {
                    return fail(&client, re, "not_a_session", "only sessions are closed; leave a table instead");
                }
                ok(&client, re);
                self.close(ctx);
            }
        }
    }

    fn stand(&mut self, player: i64, ctx: &mut Context<Self>) {
        if let Err(r) = self.feed(Input::Leave { player: player_id(player) }, None, ctx) {
            tracing::warn!(table_id = %self.id, player_id = player, code = r.code, "the game refused a leave");
        }
        self.seated.remove(&player);
        self.seated_count.store(self.seated.len(), Ordering::Relaxed);
    }

    fn close(&mut self, ctx: &mut Context<Self>) {
        self.closing = true;
        if let Some(owner) = self.owner {
            self.stand(owner, ctx);
        }
        ctx.stop();
    }

    fn chat(&mut self, client: &Client, re: Option<u64>, text: &str) {
        let text = text.trim();
        let max = self.deps.settings.play.chat_max_chars;
        if !self.clients.contains_key(&client.player) {
            return fail(client, re, "not_joined", "join the table before chatting");
        }
        if text.is_empty() {
            return fail(client, re, "invalid_chat", "a chat line needs some text");
        }
        if text.chars().count() > max {
            return fail(client, re, "chat_too_long", &format!("chat lines are at most {max} characters"));
        }
        if self.chat.check_key(&client.player).is_err() {
            return fail(client, re, "rate_limited", "too many chat lines: slow down");
        }
        ok(client, re);
        self.seq += 1;
        self.changed();
        let msg =
            ServerMsg::Chat { table: self.id.clone(), seq: self.seq, from: client.name.clone(), text: text.to_owned() };
        self.broadcast(None, &msg);
    }

    fn resume(&mut self, client: &Client, re: Option<u64>, last_seq: u64) {
        let player = client.player;
        let kept = last_seq == self.seq || self.history.iter().any(|l| l.to.is_none() && l.seq == last_seq + 1);
        if last_seq > self.seq || !kept {
            let view = self.view_of(player);
            let msg = ServerMsg::Resync { re, table: self.id.clone(), seq: self.seq, view };
            client.outbox.send_msg(&msg);
            return;
        }
        for logged in self.history.iter().filter(|l| l.seq > last_seq && l.to.is_none_or(|to| to == player)) {
            if !client.outbox.send(&logged.text) {
                return;
            }
        }
        ok(client, re);
    }

    fn info(&self) -> TableInfo {
        TableInfo {
            table: self.id.clone(),
            game: G::ID.to_owned(),
            seats: self.seats,
            seated: u8::try_from(self.seated.len()).unwrap_or(u8::MAX),
        }
    }

    fn view_of(&self, player: i64) -> Value {
        let viewer = if self.seated.contains(&player) { Viewer::Player(player_id(player)) } else { Viewer::Spectator };
        let state = &self.state;
        match catch_unwind(AssertUnwindSafe(|| G::view(state, viewer))) {
            Ok(view) => serde_json::to_value(view).unwrap_or(Value::Null),
            Err(_) => {
                self.deps.metrics.table_panics.with_label_values(&[G::ID]).inc();
                tracing::error!(table_id = %self.id, "the game panicked building a view");
                Value::Null
            }
        }
    }

    /// Feeds one input to the game and carries out its effects. `origin` is
    /// the player (and request id) whose request this is: a stake of theirs
    /// it leads to is answered once the wallet holds it (`Ok(true)`).
    fn feed(
        &mut self,
        input: Input<G::Action>,
        origin: Option<(i64, Option<u64>)>,
        ctx: &mut Context<Self>,
    ) -> Result<bool, Rejected> {
        let before = self.state.clone();
        let logged = serde_json::to_value(&input).unwrap_or(Value::Null);
        let mut effects = std::mem::take(&mut self.effects);
        effects.clear();
        let rng = match &mut self.hand {
            Some(hand) => &mut hand.rng,
            None => &mut self.spare,
        };
        let mark = rng.mark();
        let state = &mut self.state;
        let outcome = catch_unwind(AssertUnwindSafe(|| G::apply(state, input, rng, &mut effects)));
        let result = match outcome {
            Err(_) => {
                rng.rewind(&mark);
                self.state = before.clone();
                self.deps.metrics.table_panics.with_label_values(&[G::ID]).inc();
                tracing::error!(table_id = %self.id, "the game panicked: the table is restored to its state before that input");
                Err(Rejected::new("internal_error", "the table could not process that; nothing changed"))
            }
            Ok(Err(r)) => {
                if rng.draws() != mark.draws {
                    tracing::error!(table_id = %self.id, "the game drew and then refused an input");
                }
                Err(r)
            }
            Ok(Ok(())) => Ok(()),
        };
        let outcome_label = if result.is_ok() { "accepted" } else { "rejected" };
        self.deps.metrics.table_inputs.with_label_values(&[G::ID, outcome_label]).inc();
        if let Err(r) = result {
            self.effects = effects;
            return Err(r);
        }
        self.changed();
        if let Some(hand) = &mut self.hand {
            hand.inputs.push(logged.clone());
        }
        let started = effects.iter().find_map(|e| match e {
            Effect::RoundStarted { round } => Some(*round),
            _ => None,
        });
        let mut notes = Vec::new();
        if let Some(round) = started {
            notes.extend(self.start_hand(round, &before, logged));
        }
        let deferred = self.execute(&mut effects, origin, notes, ctx);
        self.effects = effects;
        Ok(deferred)
    }

    /// Opens the round record and its generator: a live hand gets its own
    /// committed server seed, mixed with the seated players' client seeds; a
    /// session round the owner's next nonce. Returns the table events to
    /// publish (the commitment).
    fn start_hand(&mut self, round: RoundId, before: &G::State, first_input: Value) -> Option<Value> {
        if let Some(open) = &self.hand {
            tracing::error!(table_id = %self.id, round = open.round.0, "a round started before the last one ended");
        }
        let key = format!("{}:{}:{}", self.id, self.epoch, round.0);
        let mut seed = None;
        let mut fair = None;
        let dealt = match self.kind {
            Kind::Table => {
                let client_seeds = self.seated.iter().map(|p| self.deps.fairness.client_seed(*p)).collect();
                let input = FairInput::Hand { hand_id: key.clone(), client_seeds };
                match Seed::from_os() {
                    Ok(s) => {
                        let rng = ServerSeed::from_revealed(s.clone()).round_rng(&input);
                        let commitment = s.commitment();
                        seed = Some(s);
                        fair = Some(input);
                        Some((rng, commitment))
                    }
                    Err(e) => {
                        tracing::error!(table_id = %self.id, %e, "no hand seed from the OS");
                        None
                    }
                }
            }
            // The commitment the nonce was drawn under, not the current one:
            // a rotation may come before the round ends.
            Kind::Session => {
                self.owner.and_then(|o| self.deps.fairness.next_round(o)).map(|(commitment, input, rng)| {
                    fair = Some(input);
                    (rng, commitment)
                })
            }
        };
        // Without a fair seed, a generator forked from the table's own
        // certified one deals (each fork advances it: no stream repeats).
        let (rng, commitment) = dealt.unwrap_or_else(|| {
            let rng = self.spare.fork();
            let commitment = rng.commitment();
            (rng, commitment)
        });
        let note = (self.kind == Kind::Table)
            .then(|| json!({ "type": "fair.commit", "round": key, "commitment": commitment.to_string() }));
        self.hand = Some(Hand {
            round,
            key,
            rng: Recording::new(rng),
            commitment,
            fair,
            seed,
            state_before: serde_json::to_value(before).unwrap_or(Value::Null),
            inputs: vec![first_input],
            stakes: Vec::new(),
            staked: false,
            players: self.seated.clone(),
            close: Close::Open,
            money_closed: false,
        });
        note
    }

    /// Carries out effects: money first (the table waits for it), then
    /// events and timers. Returns whether a stake of `origin` is pending.
    fn execute(
        &mut self,
        effects: &mut Effects<G>,
        origin: Option<(i64, Option<u64>)>,
        mut notes: Vec<Value>,
        ctx: &mut Context<Self>,
    ) -> bool {
        let mut money = Vec::new();
        let mut after = Vec::new();
        let mut refused = Vec::new();
        let mut ended = None;
        let mut deferred = false;
        for effect in effects.drain(..) {
            match effect {
                Effect::RoundStarted { .. } => {}
                Effect::Reserve { op, round, player, amount } => match &mut self.hand {
                    Some(hand) if hand.round == round => {
                        let pid = server_id(player);
                        hand.stakes.push(Stake { op, player, amount });
                        hand.players.insert(pid);
                        money.push(Money::Reserve {
                            op,
                            key: format!("{}:stake:{}", hand.key, op.0),
                            round_key: hand.key.clone(),
                            house: self.house.clone(),
                            currency: amount.currency.as_str().to_owned(),
                            player: pid,
                            amount: amount.minor,
                        });
                        if let Some((who, re)) = origin
                            && who == pid
                        {
                            self.replies.insert(op, (who, re));
                            deferred = true;
                        }
                    }
                    _ => {
                        tracing::error!(table_id = %self.id, round = round.0, "a stake outside the open round");
                        refused.push(op);
                    }
                },
                Effect::Settle { round, payouts } => match &mut self.hand {
                    Some(hand) if hand.round == round && hand.close == Close::Open => {
                        hand.close = Close::Settle(payouts)
                    }
                    _ => tracing::error!(table_id = %self.id, round = round.0, "a settlement outside the open round"),
                },
                Effect::Void { round } => match &mut self.hand {
                    Some(hand) if hand.round == round && hand.close == Close::Open => hand.close = Close::Void,
                    _ => tracing::error!(table_id = %self.id, round = round.0, "a void outside the open round"),
                },
                Effect::RoundEnded { round, outcome } => {
                    if self.hand.as_ref().is_some_and(|h| h.round == round) {
                        ended = Some(serde_json::to_value(outcome).unwrap_or(Value::Null));
                    } else {
                        tracing::error!(table_id = %self.id, round = round.0, "the end of a round that is not open");
                    }
                }
                other => after.push(other),
            }
        }
        if let Some(hand) = &mut self.hand
            && hand.close != Close::Open
            && !hand.money_closed
            && ended.is_none()
        {
            // Money closes now; the record follows when the round ends.
            if hand.staked {
                let payouts = match &hand.close {
                    Close::Settle(p) => Some(pairs(p)),
                    _ => None,
                };
                let what = if payouts.is_some() { "settle" } else { "void" };
                money.push(Money::Close { key: format!("{}:{what}", hand.key), round_key: hand.key.clone(), payouts });
            }
            hand.money_closed = true;
        }
        if let Some(outcome) = ended
            && let Some(hand) = self.hand.take()
        {
            let row = hand.record(G::ID, &self.id, outcome, now_ms());
            let close = match &hand.close {
                _ if hand.money_closed || !hand.staked => Owned::RecordOnly,
                Close::Settle(p) => Owned::Settle(pairs(p)),
                Close::Void => Owned::Void,
                Close::Open => Owned::RecordOnly,
            };
            let what = if matches!(close, Owned::Void) { "void" } else { "settle" };
            if let Some(seed) = &hand.seed {
                notes.push(
                    json!({ "type": "fair.reveal", "round": hand.key, "server_seed": hex::encode(seed.expose()) }),
                );
            }
            let checkpoint = Box::new(self.checkpoint(&after, notes.len()));
            self.hot.last_round = Some(hand.key.clone());
            money.push(Money::Finish { key: format!("{}:{what}", hand.key), close, row, checkpoint });
        }
        for op in refused.into_iter().rev() {
            let result = WalletResult::Refused { code: "internal_error".to_owned() };
            self.queue.push_front(Job::Wallet { op, result });
        }
        if money.is_empty() {
            self.after(after, notes, ctx);
            return deferred;
        }
        self.busy = true;
        let deps = self.deps.clone();
        let table = self.id.clone();
        let stalled = self.stalled.clone();
        ctx.spawn(run_money(deps, table, stalled, money).into_actor(self).map(move |answers, act, ctx| {
            act.after(after, notes, ctx);
            for (op, result) in answers.into_iter().rev() {
                act.queue.push_front(Job::Wallet { op, result });
            }
            act.busy = false;
            act.pump(ctx);
        }));
        deferred
    }

    /// Events and timers, once the money behind them has committed.
    fn after(&mut self, effects: Vec<Effect<G::Event, G::Outcome>>, notes: Vec<Value>, ctx: &mut Context<Self>) {
        let (commits, reveals): (Vec<Value>, Vec<Value>) = notes.into_iter().partition(|n| n["type"] == "fair.commit");
        for note in commits {
            self.publish(None, note);
        }
        for effect in effects {
            match effect {
                Effect::StartTimer { timer, after_ms } => self.start_timer(timer, after_ms, ctx),
                Effect::CancelTimer { timer } => {
                    if let Some((handle, _)) = self.timers.remove(&timer) {
                        ctx.cancel_future(handle);
                    }
                }
                Effect::Publish { to, event } => {
                    let to = match to {
                        Audience::All => None,
                        Audience::Player(p) => Some(server_id(p)),
                    };
                    self.publish(to, serde_json::to_value(event).unwrap_or(Value::Null));
                }
                _ => {}
            }
        }
        for note in reveals {
            self.publish(None, note);
        }
    }

    fn start_timer(&mut self, timer: TimerId, after_ms: u64, ctx: &mut Context<Self>) {
        if let Some((handle, _)) = self.timers.remove(&timer) {
            ctx.cancel_future(handle);
        }
        let after = Duration::from_millis(after_ms);
        let handle = ctx.run_later(after, move |act, ctx| {
            act.timers.remove(&timer);
            act.enqueue(Job::Timer(timer), ctx);
        });
        self.timers.insert(timer, (handle, Instant::now() + after));
    }

    /// The checkpoint as it will be once the effects in `after` (and
    /// `public_notes` table events) are carried out: their seq and timers.
    fn checkpoint(&self, after: &[Effect<G::Event, G::Outcome>], public_notes: usize) -> CheckpointRow {
        let now = Instant::now();
        let mut timers: Vec<(u32, u64)> = self
            .timers
            .iter()
            .map(|(t, (_, due))| (t.0, u64::try_from(due.saturating_duration_since(now).as_millis()).unwrap_or(0)))
            .collect();
        let mut seq = self.seq + public_notes as u64;
        for effect in after {
            match effect {
                Effect::StartTimer { timer, after_ms } => {
                    timers.retain(|t| t.0 != timer.0);
                    timers.push((timer.0, *after_ms));
                }
                Effect::CancelTimer { timer } => timers.retain(|t| t.0 != timer.0),
                Effect::Publish { to: Audience::All, .. } => seq += 1,
                _ => {}
            }
        }
        timers.sort_unstable();
        let saved = Saved { state: &*self.state, seated: self.seated.iter().copied().collect(), timers };
        self.checkpoint_row(seq, serde_json::to_string(&saved).unwrap_or_default(), false)
    }

    fn checkpoint_row(&self, seq: u64, checkpoint: String, closed: bool) -> CheckpointRow {
        CheckpointRow {
            table: self.id.clone(),
            game: G::ID.to_owned(),
            kind: match self.kind {
                Kind::Table => "table",
                Kind::Session => "session",
            }
            .to_owned(),
            owner: self.owner,
            spec: self.spec.to_string(),
            seq: i64::try_from(seq).unwrap_or(i64::MAX),
            checkpoint,
            closed,
            updated_at: now_ms(),
        }
    }

    /// Stores a checkpoint in the background (opening, closing): the next
    /// round boundary writes one in its settlement's transaction anyway.
    fn save_soon(&self, row: CheckpointRow) {
        let deps = self.deps.clone();
        actix::spawn(async move {
            if let Err(e) = deps.store.save_checkpoint(&row).await {
                deps.metrics.checkpoint_failures.with_label_values(&["durable"]).inc();
                tracing::error!(table_id = %row.table, %e, "checkpoint not saved");
            }
        });
    }

    fn publish(&mut self, to: Option<i64>, event: Value) {
        if to.is_none() {
            self.seq += 1;
        }
        let msg = ServerMsg::Event { table: self.id.clone(), seq: self.seq, event };
        self.broadcast(to, &msg);
    }

    /// Sends `msg` to `to` (everyone with `None`), keeps it for `resume`,
    /// and drops clients that do not read.
    fn broadcast(&mut self, to: Option<i64>, msg: &ServerMsg) {
        let text: ByteString = match serde_json::to_string(msg) {
            Ok(text) => text.into(),
            Err(e) => return tracing::error!(table_id = %self.id, %e, "unserialisable event"),
        };
        self.history.push_back(Logged { seq: self.seq, to, text: text.clone() });
        while self.history.len() > self.deps.settings.play.history {
            self.history.pop_front();
        }
        let mut slow = Vec::new();
        for (player, client) in &self.clients {
            if to.is_none_or(|p| p == *player) && !client.outbox.send(&text) {
                slow.push(*player);
            }
        }
        for player in slow {
            tracing::info!(table_id = %self.id, player_id = player, "dropped a client that does not read");
            self.clients.remove(&player);
        }
    }
}

fn pairs(payouts: &[croupier_sdk::Payout]) -> Vec<(i64, i64)> {
    payouts.iter().filter(|p| p.amount.minor > 0).map(|p| (server_id(p.player), p.amount.minor)).collect()
}

fn ok(client: &Client, re: Option<u64>) {
    client.outbox.send_msg(&ServerMsg::Ok { re });
}

fn fail(client: &Client, re: Option<u64>, code: &str, message: &str) {
    client.outbox.send_msg(&ServerMsg::Error { re, code: code.to_owned(), message: message.to_owned() });
}

/// Runs the money movements in order; answers the stakes. Settlements and
/// records are retried until they commit (their idempotency keys make a
/// retry safe): the table does not go on until they have.
async fn run_money(
    deps: Arc<Deps>,
    table: String,
    stalled: Arc<AtomicBool>,
    money: Vec<Money>,
) -> Vec<(OpId, WalletResult)> {
    let store = &deps.store;
    let metrics = &deps.metrics;
    let mut answers = Vec::new();
    for m in money {
        match m {
            Money::Reserve { op, key, round_key, house, currency, player, amount } => {
                let round = RoundRef { key: &round_key, house: &house, currency: &currency };
                let mut tries = Tries::default();
                let result = loop {
                    let result =
                        metrics.wallet_op("reserve", store.reserve(&key, round, player, amount, now_ms())).await;
                    match tries.after(&result) {
                        Some(wait) => {
                            if tries.unconfirmed {
                                stalled.store(true, Ordering::Relaxed);
                                tracing::error!(table_id = %table, player_id = player, "stake unconfirmed; asking again");
                            }
                            tokio::time::sleep(wait).await;
                        }
                        None => break result,
                    }
                };
                if tries.unconfirmed {
                    stalled.store(false, Ordering::Relaxed);
                }
                let answer = match result {
                    Ok(_) => WalletResult::Reserved,
                    Err(e) => {
                        tracing::info!(table_id = %table, player_id = player, %e, "stake refused");
                        WalletResult::Refused { code: refusal(&e).to_owned() }
                    }
                };
                answers.push((op, answer));
            }
            Money::Close { key, round_key, payouts } => {
                retry(&table, "settle", &stalled, || async {
                    match &payouts {
                        Some(p) => metrics.wallet_op("settle", store.settle(&key, &round_key, p, now_ms())).await,
                        None => metrics.wallet_op("void", store.void(&key, &round_key, now_ms())).await,
                    }
                    .map(|_| ())
                })
                .await;
            }
            Money::Finish { key, close, row, checkpoint } => {
                let close = match &close {
                    Owned::Settle(p) => RoundClose::Settle(p),
                    Owned::Void => RoundClose::Void,
                    Owned::RecordOnly => RoundClose::RecordOnly,
                };
                let started = Instant::now();
                retry(&table, "finish", &stalled, || async {
                    let finished = store.finish_round(&key, close, &row, Some(&checkpoint), now_ms());
                    let finished = metrics.wallet_op("settle", finished).await.map(|_| ());
                    if finished.is_err() {
                        metrics.checkpoint_failures.with_label_values(&["durable"]).inc();
                    }
                    finished
                })
                .await;
                metrics.checkpoint_lag.with_label_values(&["durable"]).observe(started.elapsed().as_secs_f64());
            }
        }
    }
    answers
}

/// The tries of one stake. A stake the database failed to take is refused
/// after three tries, unless one of them sent its commit and lost the answer
/// ([`StoreError::Unconfirmed`]): that stake may be held, so it is asked for
/// again (the idempotency key makes a landed one answer "held") until the
/// database says which, backing off up to 5 s. Refusing it instead could
/// leave a hold the table does not know of, which the round's settlement
/// would take as a lost stake.
#[derive(Debug, Default)]
struct Tries {
    made: u32,
    unconfirmed: bool,
}

impl Tries {
    /// How long to wait before the next try, or `None` when `result` is the
    /// answer.
    fn after<T>(&mut self, result: &Result<T, StoreError>) -> Option<Duration> {
        self.made += 1;
        match result {
            Err(StoreError::Unconfirmed(_)) => self.unconfirmed = true,
            Err(StoreError::Database(_)) => {}
            _ => return None,
        }
        if !self.unconfirmed && self.made >= 3 {
            return None;
        }
        Some(Duration::from_millis(50 << self.made.min(7)).min(Duration::from_secs(5)))
    }
}

/// Retries `op` while the database fails, backing off up to 5 s, with
/// `stalled` set meanwhile; other errors are logged (they mean a bug, and
/// retrying cannot fix them).
async fn retry<F, Fut>(table: &str, what: &str, stalled: &AtomicBool, op: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let mut wait = Duration::from_millis(50);
    loop {
        let result = op().await;
        stalled.store(matches!(result, Err(StoreError::Database(_) | StoreError::Unconfirmed(_))), Ordering::Relaxed);
        match result {
            Ok(()) => return,
            Err(StoreError::Database(e) | StoreError::Unconfirmed(e)) => {
                tracing::error!(table_id = %table, %e, what, "the database failed; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            Err(e) => return tracing::error!(table_id = %table, %e, what, "money operation refused"),
        }
    }
}

impl<G: Game> Actor for Table<G> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.deps.settings.play.queue.max(16));
        tracing::info!(table_id = %self.id, game = G::ID, kind = ?self.kind, restored = self.restored.is_some(), "opened");
        if let Some((seated, timers)) = self.restored.take() {
            // Back from a checkpoint: every seat is held for the grace
            // period (nobody is connected yet) and the game's timers go on.
            let grace = Duration::from_secs(self.deps.settings.play.reconnect_grace_secs);
            for player in seated {
                self.seated.insert(player);
                let handle = ctx.run_later(grace, move |act, ctx| act.enqueue(Job::GraceOver(player), ctx));
                self.away.insert(player, handle);
            }
            self.seated_count.store(self.seated.len(), Ordering::Relaxed);
            for (timer, after_ms) in timers {
                self.start_timer(TimerId(timer), after_ms, ctx);
            }
            if let Some(owner) = self.owner {
                let deps = self.deps.clone();
                actix::spawn(async move {
                    if let Err(e) = deps.fairness.ensure(owner).await {
                        tracing::error!(player_id = owner, %e, "no provably-fair seed for a restored session");
                    }
                });
            }
            return;
        }
        self.save_soon(self.checkpoint(&[], 0));
        let Some(owner) = self.owner else { return };
        // A session commits its owner's seed before anything else.
        self.busy = true;
        let deps = self.deps.clone();
        let fairness = async move { deps.fairness.ensure(owner).await };
        ctx.spawn(fairness.into_actor(self).map(move |ensured, act, ctx| {
            act.busy = false;
            if let Err(e) = ensured {
                tracing::error!(table_id = %act.id, %e, "no provably-fair seed: closing the session");
                for job in act.queue.drain(..) {
                    if let Job::Ask(req) = job {
                        fail(&req.client, req.re, "unavailable", "the session could not start; try again");
                    }
                }
                return ctx.stop();
            }
            match act.feed(Input::Join { player: player_id(owner), seat: None }, None, ctx) {
                Ok(_) => {
                    act.seated.insert(owner);
                    act.seated_count.store(1, Ordering::Relaxed);
                }
                Err(r) => tracing::error!(table_id = %act.id, code = r.code, "the game refused its owner"),
            }
            act.pump(ctx);
        }));
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        if self.kind == Kind::Session && self.closing {
            let mut row = self.checkpoint(&[], 0);
            row.closed = true;
            self.save_soon(row);
            let (cache, id, seq) = (self.deps.cache.clone(), self.id.clone(), self.seq);
            actix::spawn(async move {
                if let Err(e) = cache.drop_checkpoint(&id, seq).await {
                    tracing::warn!(table_id = %id, %e, "a closed session's hot checkpoint was not removed");
                }
            });
        }
        let map = match self.kind {
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
        if self.kind == Kind::Session && Some(req.client.player) != self.owner {
            return fail(&req.client, req.re, "unknown_session", "no such session of yours");
        }
        self.enqueue(Job::Ask(req), ctx);
    }
}

impl<G: Game> Handler<Halt> for Table<G> {
    type Result = actix::ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: Halt, _ctx: &mut Self::Context) -> Self::Result {
        let open = self.hand.as_ref().filter(|h| h.staked && !h.money_closed).map(|h| h.key.clone());
        // The last hot checkpoint, unless money is in flight (the state may
        // be ahead of the ledger then).
        let last = (!self.busy && self.hot.dirty_since.is_some())
            .then(|| serde_json::to_string(&self.hot_checkpoint()).ok())
            .flatten();
        let seq = self.seq;
        let deps = self.deps.clone();
        let table = self.id.clone();
        let void = async move {
            if let Some(text) = last
                && let Err(e) = deps.cache.put_checkpoint(&table, seq, &text).await
            {
                tracing::warn!(table_id = %table, %e, "stopping: last hot checkpoint not stored");
            }
            let Some(round) = open else { return };
            match deps.store.void(&format!("{round}:void"), &round, now_ms()).await {
                Ok(_) => tracing::info!(table_id = %table, round = %round, "stopping: round voided, stakes refunded"),
                Err(e) => tracing::warn!(table_id = %table, round = %round, %e, "stopping: round left to recovery"),
            }
        };
        Box::pin(void.into_actor(self).map(|(), _act, ctx| ctx.stop()))
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
        if !self.seated.contains(&player) {
            return;
        }
        let grace = Duration::from_secs(self.deps.settings.play.reconnect_grace_secs);
        let handle = ctx.run_later(grace, move |act, ctx| act.enqueue(Job::GraceOver(player), ctx));
        if let Some(old) = self.away.insert(player, handle) {
            ctx.cancel_future(old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down() -> Result<(), StoreError> {
        Err(StoreError::Database(sqlx::Error::PoolTimedOut))
    }

    fn lost() -> Result<(), StoreError> {
        Err(StoreError::Unconfirmed(sqlx::Error::PoolTimedOut))
    }

    #[test]
    fn a_stake_is_refused_after_three_failures_but_never_while_its_commit_is_unconfirmed() {
        let mut tries = Tries::default();
        assert!(tries.after(&down()).is_some());
        assert!(tries.after(&down()).is_some());
        assert_eq!(tries.after(&down()), None, "three failures before any commit: refused");

        let mut tries = Tries::default();
        assert!(tries.after(&down()).is_some());
        assert!(tries.after(&lost()).is_some());
        for _ in 0..20 {
            let wait = tries.after(&down());
            assert!(wait.is_some_and(|w| w <= Duration::from_secs(5)), "keeps asking, backing off: {wait:?}");
        }
        assert_eq!(tries.after(&Ok(())), None, "the database answered");

        let mut tries = Tries::default();
        assert_eq!(tries.after(&Err::<(), _>(StoreError::InsufficientFunds)), None, "a refusal is an answer");
    }
}
