//! The table's checkpoint writes: hot checkpoints to the cache after every
//! change, coalesced with one write in flight and retried with back-off, and
//! durable checkpoints saved in the background at opening and closing.

use std::time::Duration;

use tokio::time::Instant;

use actix::{ActorFutureExt, AsyncContext, Context, SpawnHandle, WrapFuture};
use croupier_sdk::Game;

use super::Table;
use crate::store::CheckpointRow;

/// Hot checkpoints are coalesced: at most one write is in flight, and each
/// write carries the table as it is when the write starts, so the newest
/// state always wins and a burst of events costs one write per round trip.
#[derive(Default)]
pub(super) struct HotWriter {
    /// When the oldest change not yet in a stored hot checkpoint was made.
    pub(super) dirty_since: Option<Instant>,
    pub(super) in_flight: bool,
    /// Back-off after a failed write; zero while writes succeed.
    backoff: Duration,
    /// A retry is scheduled.
    pub(super) retry: Option<SpawnHandle>,
}

impl<G: Game> Table<G> {
    /// Writes a hot checkpoint if something changed, no write is in flight
    /// or waiting to be retried, and no money is in flight (the state may
    /// then be ahead of the ledger; the flight's end writes it). A failed
    /// write is counted, logged once per outage and retried with back-off;
    /// play never waits for it.
    pub(super) fn flush_hot(&mut self, ctx: &mut Context<Self>) {
        if self.busy() || !self.flights.is_empty() || self.closing || self.hot.in_flight || self.hot.retry.is_some() {
            return;
        }
        let Some(since) = self.hot.dirty_since.take() else { return };
        let text = match self.engine.hot_checkpoint(self.deps.clock.now_ms()).and_then(|hot| hot.to_text()) {
            Ok(text) => text,
            Err(e) => return tracing::error!(table_id = %self.id, %e, "unserialisable hot checkpoint"),
        };
        self.hot.in_flight = true;
        let cache = self.deps.cache.clone();
        let id = self.id.clone();
        let seq = self.engine.seq();
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

    /// Stores a checkpoint in the background (opening, closing): the next
    /// round boundary writes one in its settlement's transaction anyway.
    pub(super) fn save_soon(&self, row: CheckpointRow) {
        let deps = self.deps.clone();
        actix::spawn(async move {
            if let Err(e) = deps.store.save_checkpoint(&row).await {
                deps.metrics.checkpoint_failures.with_label_values(&["durable"]).inc();
                tracing::error!(table_id = %row.table, %e, "checkpoint not saved");
            }
        });
    }
}
