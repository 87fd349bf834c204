//! Staff actions on a running table (the operator console), as the actor
//! carries them out, and how a table or session closes. Nothing is done
//! with money in flight: voiding the round in progress waits for it (a
//! little), a new config waits for no round to be open, and a close for a
//! round boundary — each then taken by the engine ([`crate::play::admin`])
//! as one step, whose money commits before its event goes out.

use std::sync::atomic::Ordering;
use std::time::Duration;

use actix::{ActorContext, ActorFutureExt, AsyncContext, Context, Handler, WrapFuture};
use croupier_protocol::ErrorCode;
use croupier_sdk::Game;
use serde::Serialize;
use serde_json::Value;

use super::{CLOSE_LINGER, Table};
use crate::play::Kind;
use crate::play::admin::{NewConfig, Refusal};
use crate::play::engine::Step;

/// What staff ask of a table.
#[derive(actix::Message)]
#[rtype(result = "Result<Answer, Refusal>")]
pub enum Admin {
    /// How it stands: its config, the round in progress, what waits.
    Inspect,
    /// Close for good at the next round boundary.
    Close {
        /// Told to everyone at the table.
        reason: String,
    },
    /// Take a new config (every key; see [`NewConfig::read`]) once no round
    /// is open.
    Reconfigure {
        /// The config.
        spec: Value,
    },
    /// Void the round in progress, refunding its stakes.
    Void {
        /// Its key.
        round: String,
        /// Told to everyone at the table.
        reason: String,
    },
}

/// How a staff action went.
#[derive(Debug)]
pub enum Answer {
    /// The table as it stands (for [`Admin::Inspect`]).
    Status(TableStatus),
    /// Done (for a void: the refund has committed).
    Done,
    /// Taken, and carried out when the table gets there (a round boundary;
    /// for a void, once the wallet confirms the refund).
    Later,
}

/// A table as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TableStatus {
    /// Table id.
    pub table: String,
    /// Game id.
    pub game: &'static str,
    /// The config it plays now, every key filled in.
    pub config: Value,
    /// Players seated.
    pub seated: usize,
    /// The round in progress.
    pub round: Option<String>,
    /// Whether the wallet holds stakes in it.
    pub staked: bool,
    /// A close waiting for the round boundary, with its reason.
    pub closing: Option<String>,
    /// A config waiting for no round to be open.
    pub pending_config: Option<Value>,
}

/// Staff actions waiting for the table to get to a round boundary.
pub(super) struct Pending<G: Game> {
    close: Option<String>,
    config: Option<Box<NewConfig<G>>>,
}

impl<G: Game> Default for Pending<G> {
    fn default() -> Self {
        Self { close: None, config: None }
    }
}

/// How long a void waits for money in flight before it is refused, and
/// then for its own refund before it answers `Later`.
const VOID_WAIT: Duration = Duration::from_secs(5);

impl<G: Game> Table<G> {
    /// A closed session or table, answering what is already on its way,
    /// then stopped once no money is in flight and its last checkpoint
    /// (marked closed, so no start brings it back) is stored. A session
    /// leaves the lobby at once (new requests find no such session); a
    /// table keeps its id until it has stopped, so no new table of that id
    /// can open before its last checkpoint is written.
    pub(super) fn close(&mut self, ctx: &mut Context<Self>) {
        if self.closing {
            return;
        }
        self.closing = true;
        if self.engine.setup.kind == Kind::Session {
            self.deps.sessions.remove(&self.id);
        }
        self.stop_when_idle(ctx);
    }

    fn stop_when_idle(&mut self, ctx: &mut Context<Self>) {
        ctx.run_later(CLOSE_LINGER, |act, ctx| {
            if act.busy() || !act.flights.is_empty() {
                return act.stop_when_idle(ctx);
            }
            let row = act.engine.checkpoint(act.deps.clock.now_ms());
            let (deps, id, seq) = (act.deps.clone(), act.id.clone(), act.engine.seq());
            let last = async move {
                match row {
                    Ok(row) => {
                        if let Err(e) = deps.store.save_checkpoint(&row).await {
                            deps.metrics.checkpoint_failures.with_label_values(&["durable"]).inc();
                            tracing::error!(table_id = %id, %e, "the closing checkpoint was not saved");
                        }
                    }
                    Err(e) => tracing::error!(table_id = %id, %e, "unserialisable checkpoint"),
                }
                if let Err(e) = deps.cache.drop_checkpoint(&id, seq).await {
                    tracing::warn!(table_id = %id, %e, "a closed table's hot checkpoint was not removed");
                }
            };
            ctx.spawn(last.into_actor(act).map(|(), _act, ctx| ctx.stop()));
        });
    }

    /// Carries out what waits and can be done now: a new config once no
    /// round is open, a close at a round boundary — never with money in
    /// flight.
    pub(super) fn admin_due(&mut self, ctx: &mut Context<Self>) {
        if self.halting || self.closing || self.busy() || !self.flights.is_empty() {
            return;
        }
        let now = self.deps.clock.now_ms();
        if self.engine.open_round().is_none()
            && let Some(new) = self.admin.config.take()
        {
            let (spec, seats) = (new.spec.clone(), G::seats(&new.config));
            let mut step = Step::default();
            match self.engine.reconfigure(*new, now, &mut step) {
                Ok(row) => {
                    if let Some(mut listed) = self.deps.tables.get_mut(&self.id) {
                        listed.config = std::sync::Arc::new(spec);
                        listed.seats = seats;
                    }
                    tracing::info!(table_id = %self.id, "a new config is taken");
                    self.save_soon(row);
                    self.carry_out(step, None, ctx);
                }
                Err(r) => {
                    tracing::warn!(table_id = %self.id, code = %r.code, message = %r.message, "a new config was not taken")
                }
            }
        }
        if self.engine.at_boundary()
            && let Some(reason) = self.admin.close.take()
        {
            let mut step = Step::default();
            self.engine.shut(&reason, &mut step);
            tracing::info!(table_id = %self.id, %reason, "closed by staff");
            self.carry_out(step, None, ctx);
        }
    }

    /// Whether no money is in flight, waiting up to `within` for it.
    fn settled(&self, within: Duration) -> impl Future<Output = bool> + use<G> {
        let (busy, flying) = (self.busy.clone(), self.flights.counter());
        async move {
            let until = tokio::time::Instant::now() + within;
            loop {
                if !busy.load(Ordering::Relaxed) && flying.load(Ordering::Relaxed) == 0 {
                    return true;
                }
                if tokio::time::Instant::now() >= until {
                    return false;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }

    /// The config as the lobby lists it, every key filled in.
    fn listed_config(&self) -> Value {
        let map = match self.engine.setup.kind {
            Kind::Table => &self.deps.tables,
            Kind::Session => &self.deps.sessions,
        };
        map.get(&self.id).map_or_else(|| self.engine.setup.spec.as_ref().clone(), |t| t.config.as_ref().clone())
    }

    fn status(&self) -> TableStatus {
        let open = self.engine.open_round();
        TableStatus {
            table: self.id.clone(),
            game: G::ID,
            config: self.listed_config(),
            seated: self.engine.seated(),
            round: open.map(|(key, _)| key.to_owned()),
            staked: open.is_some_and(|(_, staked)| staked),
            closing: self.admin.close.clone(),
            pending_config: self.admin.config.as_ref().map(|c| c.spec.clone()),
        }
    }
}

impl<G: Game> Handler<Admin> for Table<G> {
    type Result = actix::ResponseActFuture<Self, Result<Answer, Refusal>>;

    fn handle(&mut self, ask: Admin, ctx: &mut Self::Context) -> Self::Result {
        let now = |answer: Result<Answer, Refusal>| -> Self::Result { Box::pin(actix::fut::ready(answer)) };
        if self.halting {
            return now(Err(Refusal::new(
                ErrorCode::ServerRestarting,
                "the server is restarting: try again in a moment",
            )));
        }
        if self.closing {
            let (code, message) = self.engine.closed_refusal();
            return now(Err(Refusal::new(code, message)));
        }
        if self.engine.setup.kind != Kind::Table && !matches!(ask, Admin::Inspect | Admin::Void { .. }) {
            return now(Err(Refusal::new(ErrorCode::NotATableGame, "sessions are closed by their player")));
        }
        match ask {
            Admin::Inspect => now(Ok(Answer::Status(self.status()))),
            Admin::Close { reason } => {
                self.admin.close = Some(reason);
                self.admin_due(ctx);
                if !self.closing {
                    return now(Ok(Answer::Later));
                }
                // Closed now: said so once the closed checkpoint is stored,
                // so that no start, even after a crash, brings it back.
                let (row, store, id) =
                    (self.engine.checkpoint(self.deps.clock.now_ms()), self.deps.store.clone(), self.id.clone());
                let durable = async move {
                    let saved = match row {
                        Ok(row) => store.save_checkpoint(&row).await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    match saved {
                        Ok(()) => Ok(Answer::Done),
                        Err(e) => {
                            tracing::warn!(table_id = %id, %e, "closed, but not yet stored: the table stores it as it stops");
                            Ok(Answer::Later)
                        }
                    }
                };
                Box::pin(durable.into_actor(self))
            }
            Admin::Reconfigure { spec } => {
                let new = match NewConfig::<G>::read(&spec) {
                    Ok(new) => new,
                    Err(r) => return now(Err(r)),
                };
                // Tried on a copy first: a change the game refuses is
                // refused now, not at the boundary.
                let mut trial = self.engine.state.clone();
                if let Err(r) = G::reconfigure(&mut trial, &new.config) {
                    return now(Err(Refusal::new(ErrorCode::ConfigFixed, r.message)));
                }
                self.admin.config = Some(Box::new(new));
                self.admin_due(ctx);
                now(Ok(if self.admin.config.is_none() { Answer::Done } else { Answer::Later }))
            }
            Admin::Void { round, reason } => {
                Box::pin(self.settled(VOID_WAIT).into_actor(self).then(move |settled, act, ctx| {
                    let mut step = Step::default();
                    let voided = match settled {
                        false => Err(Refusal::new(ErrorCode::TableBusy, "money is in flight at this table; try again")),
                        true if act.halting || act.closing => {
                            Err(Refusal::new(ErrorCode::RoundNotOpen, "the table is stopping"))
                        }
                        true => act.engine.void_round(&round, &reason, act.deps.clock.now_ms(), &mut step),
                    };
                    if voided.is_ok() {
                        tracing::info!(table_id = %act.id, %round, %reason, "round voided by staff");
                        act.carry_out(step, None, ctx);
                        act.pump(ctx);
                    }
                    let refunded = act.settled(VOID_WAIT);
                    async move {
                        voided?;
                        Ok(if refunded.await { Answer::Done } else { Answer::Later })
                    }
                    .into_actor(act)
                }))
            }
        }
    }
}
