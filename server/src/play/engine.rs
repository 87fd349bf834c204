//! The table engine: the pure, actor-free core of a live table or a
//! single-player session.
//!
//! It takes one [`Cue`] (a request, a timer, a wallet answer, a player gone)
//! and the time, and returns a [`Step`]: the money to move, the replies to
//! send at once, the numbered events to send once that money has committed,
//! the timers to arm or cancel, and whether the table closes. The round's
//! durable checkpoint travels inside its settlement, taken from the engine
//! as it is after the step, never predicted. A rejected input leaves the
//! game state and the generator exactly as they were; a game that panics is
//! put back the same way — without a copy of the state per input
//! ([`super::rollback`]). Randomness comes only from the certified
//! generators it is given ([`Seeds`] for each round, a spare between rounds).
//!
//! It never does IO, never reads a clock, and knows nothing of actix, the
//! database or a socket: the shell ([`super::table`]) carries steps out, and
//! tests drive it directly with scenario files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use croupier_protocol::{ErrorCode, ServerMsg, TableInfo};
use croupier_rng::fair::FairInput;
use croupier_rng::{CertifiedRng, Commitment, Seed};
use croupier_sdk::record::Stake;
use croupier_sdk::{Audience, Effect, Effects, Game, Input, OpId, PlayerId, Rejected, RoundId, TimerId, WalletResult};
use serde_json::{Value, json};

use super::checkpoint;
use super::log::EventLog;
use super::money::Money;
use super::round::{Hand, Recording};
pub use super::step::{Arm, Cue, Dealt, Due, Reply, Seeds, Setup, Slot, Step};
use crate::store::{CheckpointRow, RoundClose};

/// A live table or a session of game `G`.
pub struct Engine<G: Game> {
    pub(super) setup: Setup,
    pub(super) state: G::State,
    pub(super) seats: u8,
    pub(super) seated: BTreeSet<i64>,
    /// Seated players who are away, and when their grace ends.
    pub(super) away: BTreeMap<i64, i64>,
    /// Game timers: when each fires, and which arming it is.
    pub(super) timers: BTreeMap<TimerId, (i64, u64)>,
    pub(super) armed: u64,
    pub(super) log: EventLog,
    pub(super) hand: Option<Hand>,
    pub(super) spare: Recording,
    pub(super) seeds: Box<dyn Seeds>,
    /// Stakes whose answer goes to the player who asked.
    pub(super) replies: HashMap<OpId, (i64, Option<u64>)>,
    pub(super) effects: Effects<G>,
    pub(super) last_round: Option<String>,
    pub(super) restored: bool,
    pub(super) closed: bool,
    /// The durable checkpoint of the last round boundary (or of the
    /// opening), which voiding a round goes back to.
    pub(super) boundary: Option<CheckpointRow>,
    /// `setup.spec` as its checkpoints hold it, serialised once.
    pub(super) spec_text: String,
    /// The config, which a state read back is resumed with.
    pub(super) config: Arc<G::Config>,
}

/// What an accepted input's effects need, serialised before anything
/// changes: a failure here refuses the input instead of writing a default.
struct Prepared {
    /// The state before the input (taken outside a round only), for the
    /// record of a round the input opens.
    state_before: Option<Value>,
    events: Vec<(Option<i64>, Value)>,
    ended: Option<Value>,
    /// The generator of the round this input opens, if it drew with it.
    opened: Option<Opening>,
}

/// A round about to open: its key and generator, and what a player needs
/// to verify it.
pub(super) struct Opening {
    pub(super) round: RoundId,
    pub(super) key: String,
    pub(super) rng: Recording,
    pub(super) commitment: Commitment,
    pub(super) fair: Option<FairInput>,
    pub(super) seed: Option<Seed>,
}

/// Applies one input, a panic in the game counting as a refusal.
fn apply<G: Game>(
    id: &str,
    state: &mut G::State,
    input: Input<G::Action>,
    rng: &mut Recording,
    effects: &mut Effects<G>,
    step: &mut Step,
) -> Result<(), Rejected> {
    match catch_unwind(AssertUnwindSafe(|| G::apply(state, input, rng, effects))) {
        Ok(result) => result,
        Err(_) => {
            step.panicked = true;
            tracing::error!(table_id = %id, "the game panicked: the table is put back as it was before that input");
            Err(internal())
        }
    }
}

/// The player a game named, as the server numbers them.
fn server_id(player: PlayerId) -> Result<i64, String> {
    i64::try_from(player.0).map_err(|_| format!("player {} is out of range", player.0))
}

/// A server player id as the game numbers it.
pub(super) fn player_id(player: i64) -> Result<PlayerId, Rejected> {
    u64::try_from(player).map(PlayerId).map_err(|_| Rejected::new(ErrorCode::InvalidPlayer, "not a player id"))
}

fn internal() -> Rejected {
    Rejected::new(ErrorCode::InternalError, "the table could not process that; nothing changed")
}

impl<G: Game> Engine<G> {
    /// A table of `config`, fresh or from `restore` (a checkpoint that does
    /// not fit is logged and not used). `spare` deals between rounds.
    pub fn new(
        setup: Setup,
        config: &G::Config,
        spare: CertifiedRng,
        seeds: Box<dyn Seeds>,
        restore: Option<&CheckpointRow>,
        now: i64,
    ) -> Self {
        let mut engine = Self {
            state: G::new_table(config),
            seats: G::seats(config),
            seated: BTreeSet::new(),
            away: BTreeMap::new(),
            timers: BTreeMap::new(),
            armed: 0,
            log: EventLog::new(setup.seq_floor, setup.history, !setup.kind.closes_when_abandoned()),
            hand: None,
            spare: Recording::new(spare),
            seeds,
            replies: HashMap::new(),
            effects: Vec::new(),
            last_round: None,
            restored: false,
            closed: false,
            boundary: None,
            spec_text: setup.spec.to_string(),
            config: Arc::new(config.clone()),
            setup,
        };
        if let Some(row) = restore {
            engine.restore(row, now);
        }
        if !engine.restored {
            engine.boundary = engine.checkpoint(now).ok();
        }
        engine
    }

    fn restore(&mut self, row: &CheckpointRow, now: i64) {
        // Never below the checkpoint's, even if its state cannot be used,
        // so a later checkpoint is never older than a stored one.
        let seq = u64::try_from(row.seq).unwrap_or(0).max(self.log.seq());
        self.log = EventLog::new(seq, self.setup.history, !self.setup.kind.closes_when_abandoned());
        let saved = match checkpoint::read::<G::State>(row, G::ID, &self.setup.spec) {
            Ok(saved) => saved,
            Err(e) => {
                let id = &self.setup.id;
                return tracing::warn!(table_id = %id, %e, "the checkpoint is not used: the table starts afresh");
            }
        };
        self.restored = true;
        self.boundary = Some(row.clone());
        self.state = saved.state;
        G::resume(&mut self.state, &self.config);
        self.seated = saved.seated.into_iter().collect();
        let deadlines: BTreeMap<i64, i64> = saved.away.into_iter().collect();
        let grace = i64::try_from(self.setup.grace_ms).unwrap_or(i64::MAX);
        // Nobody is connected yet: every seat (and a session's owner, seated
        // or not) is held until its grace ends, keeping a deadline that an
        // earlier run had already set.
        let owner = self.setup.owner.filter(|_| self.setup.kind.closes_when_abandoned());
        for player in self.seated.iter().copied().chain(owner) {
            let at = deadlines.get(&player).copied().unwrap_or_else(|| now.saturating_add(grace));
            self.away.insert(player, at);
        }
        for (timer, left) in saved.timers {
            self.armed += 1;
            let left = i64::try_from(left).unwrap_or(i64::MAX);
            self.timers.insert(TimerId(timer), (now.saturating_add(left), self.armed));
        }
    }

    /// Whether the engine came back from a checkpoint.
    pub fn restored(&self) -> bool {
        self.restored
    }

    /// Every timer the engine keeps, to arm at a start.
    pub fn arms(&self, now: i64) -> Vec<Arm> {
        let left = |at: i64| u64::try_from(at.saturating_sub(now)).unwrap_or(0);
        let game = self
            .timers
            .iter()
            .map(|(timer, (at, armed))| Arm::Start(Due::Game { timer: *timer, armed: *armed }, left(*at)));
        let grace = self.away.iter().map(|(player, at)| Arm::Start(Due::Grace { player: *player, at: *at }, left(*at)));
        game.chain(grace).collect()
    }

    /// Ticks the table's own generator (reseed schedule, background
    /// cycling) at `now`; returns its reseeds. A round's generator is never
    /// ticked: it is derived from committed seeds and must stay recomputable.
    pub fn tick(&mut self, now: std::time::Instant) -> Vec<croupier_rng::Reseed> {
        self.spare.tick(now)
    }

    /// The last seq given out.
    pub fn seq(&self) -> u64 {
        self.log.seq()
    }

    /// Players seated now.
    pub fn seated(&self) -> usize {
        self.seated.len()
    }

    /// The round holding stakes that the wallet has not been asked to close.
    pub fn staked_round(&self) -> Option<&str> {
        self.hand.as_ref().filter(|h| h.staked && !h.money_closed).map(|h| h.key.as_str())
    }

    /// Takes one cue at time `now` (Unix milliseconds).
    pub fn step(&mut self, cue: Cue, now: i64) -> Step {
        let mut step = Step::default();
        match cue {
            Cue::Ask { player, name, re, ask } => self.ask(player, &name, re, ask, now, &mut step),
            Cue::Due(Due::Game { timer, armed }) => {
                if self.timers.get(&timer).is_some_and(|(_, a)| *a == armed) {
                    self.timers.remove(&timer);
                    // A timer the game no longer expects is refused; nothing to say.
                    let _ = self.feed(Input::Timer { timer }, None, now, &mut step);
                }
            }
            Cue::Due(Due::Grace { player, at }) => self.grace_over(player, at, &mut step, now),
            Cue::Wallet { op, result } => self.wallet(op, result, now, &mut step),
            Cue::Gone { player } => self.gone(player, now, &mut step),
            Cue::Open => self.open(now, &mut step),
        }
        step
    }

    fn wallet(&mut self, op: OpId, result: WalletResult, now: i64, step: &mut Step) {
        if let Some(hand) = &mut self.hand {
            match result {
                WalletResult::Reserved => hand.staked = true,
                // Never taken: the record lists only stakes held.
                WalletResult::Refused { .. } => hand.stakes.retain(|s| s.op != op),
            }
        }
        if let Some((player, re)) = self.replies.remove(&op) {
            match &result {
                WalletResult::Reserved => step.ok(player, re),
                WalletResult::Refused { code } => step.fail(player, re, code, super::money::refusal_message(code)),
            }
        }
        if let Err(r) = self.feed(Input::Wallet { op, result }, None, now, step) {
            tracing::error!(table_id = %self.setup.id, op = op.0, code = %r.code, "the game refused a wallet answer");
        }
    }

    /// Feeds one input to the game and takes its effects. `origin` is the
    /// player (and request id) whose request this is: a stake of theirs it
    /// leads to is answered once the wallet holds it (`Ok(true)`).
    pub(super) fn feed(
        &mut self,
        input: Input<G::Action>,
        origin: Option<(i64, Option<u64>)>,
        now: i64,
        step: &mut Step,
    ) -> Result<bool, Rejected> {
        let logged = serde_json::to_value(&input).map_err(|e| {
            tracing::error!(table_id = %self.setup.id, %e, "an input that does not serialise is refused");
            internal()
        })?;
        // What undoing this input starts from (see `super::rollback`): the
        // state outside a round, nothing in one.
        let before = self.snapshot().map_err(|e| {
            tracing::error!(table_id = %self.setup.id, %e, "a state that does not serialise refuses every input");
            internal()
        })?;
        let mut effects = std::mem::take(&mut self.effects);
        effects.clear();
        // An input with no round open that opens one and draws is applied
        // again with that round's generator (rebuilt from its logged form:
        // no copy on the common path), so every draw of a round is the
        // round's own and recorded.
        let outside = self.hand.is_none();
        let rng = match &mut self.hand {
            Some(hand) => &mut hand.rng,
            None => &mut self.spare,
        };
        let mark = rng.mark();
        let mut result = apply::<G>(&self.setup.id, &mut self.state, input, rng, &mut effects, step);
        let mut opened = None;
        if result.is_ok() && outside && self.spare.log().len() > mark.draws {
            self.spare.rewind(&mark);
            self.put_back(before.as_ref());
            let started = effects.iter().find_map(|e| match e {
                Effect::RoundStarted { round } => Some(*round),
                _ => None,
            });
            result = match started {
                None => {
                    tracing::error!(table_id = %self.setup.id, "the game drew outside a round (a draw no record would hold): the input is refused");
                    Err(internal())
                }
                Some(round) => {
                    let mut opening = self.opening(round);
                    effects.clear();
                    let again = match <Input<G::Action> as serde::Deserialize>::deserialize(&logged) {
                        Ok(input) => {
                            apply::<G>(&self.setup.id, &mut self.state, input, &mut opening.rng, &mut effects, step)
                        }
                        Err(e) => {
                            tracing::error!(table_id = %self.setup.id, %e, "an input that does not read back is refused");
                            Err(internal())
                        }
                    };
                    let same = effects.iter().any(|e| matches!(e, Effect::RoundStarted { round: r } if *r == round));
                    opened = Some(opening);
                    match again {
                        Ok(()) if !same => {
                            tracing::error!(table_id = %self.setup.id, "the game opened no round, or another, when given the round's generator: the input is refused");
                            Err(internal())
                        }
                        other => other,
                    }
                }
            };
        }
        let result = result.and_then(|()| {
            self.prepare(&effects).map_err(|e| {
                tracing::error!(table_id = %self.setup.id, %e, "the game's effects cannot be recorded: the input is refused");
                internal()
            })
        });
        step.accepted = Some(result.is_ok());
        let mut prepared = match result {
            Ok(prepared) => prepared,
            Err(r) => {
                // Exactly as before: the state and the generator's position.
                let rng = match &mut self.hand {
                    Some(hand) => &mut hand.rng,
                    None => &mut self.spare,
                };
                rng.rewind(&mark);
                self.put_back(before.as_ref());
                self.effects = effects;
                return Err(r);
            }
        };
        step.changed = true;
        if let Some(hand) = &mut self.hand {
            hand.inputs.push(logged.clone());
        }
        prepared.opened = opened;
        prepared.state_before = before;
        let deferred = self.execute(&mut effects, prepared, logged, origin, now, step);
        self.effects = effects;
        self.rebase();
        Ok(deferred)
    }

    /// Serialises what the effects will record and send, and checks every
    /// player they name.
    fn prepare(&self, effects: &Effects<G>) -> Result<Prepared, String> {
        let mut prepared = Prepared { state_before: None, events: Vec::new(), ended: None, opened: None };
        let text = |e: serde_json::Error| e.to_string();
        for effect in effects {
            match effect {
                Effect::Reserve { player, .. } => {
                    server_id(*player)?;
                }
                Effect::Settle { payouts, .. } => {
                    for p in payouts {
                        server_id(p.player)?;
                    }
                }
                Effect::Publish { to, event } => {
                    let to = match to {
                        Audience::All => None,
                        Audience::Player(p) => Some(server_id(*p)?),
                    };
                    prepared.events.push((to, serde_json::to_value(event).map_err(text)?));
                }
                Effect::RoundEnded { outcome, .. } => {
                    prepared.ended = Some(serde_json::to_value(outcome).map_err(text)?);
                    // The checkpoint in the settlement: its state must serialise.
                    serde_json::to_writer(std::io::sink(), &self.state).map_err(text)?;
                }
                Effect::RoundStarted { .. }
                | Effect::Void { .. }
                | Effect::StartTimer { .. }
                | Effect::CancelTimer { .. } => {}
            }
        }
        Ok(prepared)
    }

    /// Takes the effects of an accepted input: the round record, money,
    /// timers and events. Returns whether a stake of `origin` is pending.
    fn execute(
        &mut self,
        effects: &mut Effects<G>,
        mut prepared: Prepared,
        first_input: Value,
        origin: Option<(i64, Option<u64>)>,
        now: i64,
        step: &mut Step,
    ) -> bool {
        let id = self.setup.id.clone();
        let mut deferred = false;
        let mut ended = None;
        for effect in effects.drain(..) {
            match effect {
                Effect::RoundStarted { round } => {
                    let before = prepared.state_before.take().unwrap_or(Value::Null);
                    let opening = match prepared.opened.take() {
                        Some(opening) if opening.round == round => opening,
                        _ => self.opening(round),
                    };
                    self.start_hand(opening, before, first_input.clone(), step);
                }
                Effect::Reserve { op, round, player, amount } => match &mut self.hand {
                    Some(hand) if hand.round == round => {
                        // invariant: checked by `prepare`.
                        let pid = server_id(player).unwrap_or_default();
                        hand.stakes.push(Stake { op, player, amount });
                        hand.players.insert(pid);
                        step.money.push(Money::Stake {
                            op,
                            key: format!("{}:stake:{}", hand.key, op.0),
                            round: hand.key.clone(),
                            house: self.setup.house.clone(),
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
                        tracing::error!(table_id = %id, round = round.0, "a stake outside the open round");
                        step.refused.push(op);
                    }
                },
                Effect::Settle { round, payouts } => match &mut self.hand {
                    Some(hand) if hand.round == round && hand.close.is_none() => {
                        let pairs = payouts
                            .iter()
                            .filter(|p| p.amount.minor > 0)
                            .filter_map(|p| server_id(p.player).ok().map(|id| (id, p.amount.minor)))
                            .collect();
                        hand.close = Some(RoundClose::Settle(pairs));
                        hand.payouts = payouts;
                    }
                    _ => tracing::error!(table_id = %id, round = round.0, "a settlement outside the open round"),
                },
                Effect::Void { round } => match &mut self.hand {
                    Some(hand) if hand.round == round && hand.close.is_none() => hand.close = Some(RoundClose::Void),
                    _ => tracing::error!(table_id = %id, round = round.0, "a void outside the open round"),
                },
                Effect::RoundEnded { round, .. } => {
                    if self.hand.as_ref().is_some_and(|h| h.round == round) {
                        ended = prepared.ended.take();
                    } else {
                        tracing::error!(table_id = %id, round = round.0, "the end of a round that is not open");
                    }
                }
                Effect::StartTimer { timer, after_ms } => {
                    self.armed += 1;
                    let at = now.saturating_add(i64::try_from(after_ms).unwrap_or(i64::MAX));
                    self.timers.insert(timer, (at, self.armed));
                    step.timers.push(Arm::Start(Due::Game { timer, armed: self.armed }, after_ms));
                }
                Effect::CancelTimer { timer } => {
                    if self.timers.remove(&timer).is_some() {
                        step.timers.push(Arm::Cancel(Slot::Game(timer)));
                    }
                }
                Effect::Publish { .. } => {}
            }
        }
        for (to, event) in std::mem::take(&mut prepared.events) {
            self.publish(to, event, step);
        }
        if ended.is_none()
            && let Some(hand) = &mut self.hand
            && let Some(close) = hand.close.clone().filter(|_| !hand.money_closed)
        {
            // Money closes now; the record follows when the round ends.
            if hand.staked {
                let what = if close == RoundClose::Void { "void" } else { "settle" };
                step.money.push(Money::Close {
                    key: format!("{}:{what}", hand.key),
                    round: hand.key.clone(),
                    close,
                    record: None,
                });
            }
            hand.money_closed = true;
        }
        if let Some(outcome) = ended {
            self.finish_hand(outcome, now, step);
        }
        deferred
    }

    /// The round is over: its seed is revealed, and its money (if still
    /// open), its record and the checkpoint of the table as it is now go in
    /// one transaction.
    fn finish_hand(&mut self, outcome: Value, now: i64, step: &mut Step) {
        let Some(hand) = self.hand.take() else { return };
        if let Some(seed) = &hand.seed {
            let note = json!({ "type": "fair.reveal", "round": hand.key, "server_seed": hex::encode(seed.expose()) });
            self.publish(None, note, step);
        }
        let close = match &hand.close {
            _ if hand.money_closed || !hand.staked => RoundClose::RecordOnly,
            Some(close) => close.clone(),
            None => {
                // A game that ends a round holding stakes without closing it:
                // refund rather than leave the stakes held.
                tracing::error!(table_id = %self.setup.id, round = hand.round.0, "a round ended with its stakes unsettled: voided");
                RoundClose::Void
            }
        };
        let what = if close == RoundClose::Void { "void" } else { "settle" };
        self.last_round = Some(hand.key.clone());
        let (key, round) = (format!("{}:{what}", hand.key), hand.key.clone());
        let row = hand.record(G::ID, &self.setup.id, &self.setup.config, outcome, now);
        // invariant: `prepare` serialised this very state for this input.
        #[allow(clippy::expect_used)]
        let checkpoint = self.checkpoint(now).expect("the state serialised a moment ago");
        self.boundary = Some(checkpoint.clone());
        let record = Some(Box::new((row, checkpoint)));
        step.money.push(Money::Close { key, round, close, record });
    }

    /// Numbers an event and queues it for sending.
    pub(super) fn publish(&mut self, to: Option<i64>, event: Value, step: &mut Step) {
        let table = self.setup.id.clone();
        match self.log.push(&table, to, |seq| ServerMsg::Event { table: table.clone(), seq, event }) {
            Ok(logged) => step.events.push(logged),
            Err(e) => tracing::error!(table_id = %table, %e, "an event was not sent"),
        }
    }

    /// The table as the lobby lists it.
    pub fn info(&self) -> TableInfo {
        TableInfo {
            table: self.setup.id.clone(),
            game: G::ID.to_owned(),
            seats: self.seats,
            seated: u8::try_from(self.seated.len()).unwrap_or(u8::MAX),
        }
    }
}
