//! What staff do to a table, as the engine takes it: void the round in
//! progress (its stakes refunded, the table back where it stood at the
//! round's start), take a new config between rounds, close for good. Each
//! announces itself to everyone at the table with a numbered event —
//! `round.voided`, `table.config`, `table.closed` — sent once the money
//! behind it has committed. The shell ([`super::table`]) decides when: never
//! with money in flight, a new config and a close only at a round boundary.

use std::sync::Arc;

use croupier_protocol::ErrorCode;
use croupier_sdk::{Game, TimerId};
use serde_json::{Value, json};

use super::engine::{Arm, Due, Engine, Slot, Step};
use super::money::Money;
use super::{Kind, checkpoint};
use crate::store::{CheckpointRow, GameConfig, RoundClose};

/// Why a staff action was not taken; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The stable code.
    pub code: ErrorCode,
    /// What to tell the operator.
    pub message: String,
}

impl Refusal {
    /// A refusal with `code`, telling `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// A config checked against the game, ready to take.
pub struct NewConfig<G: Game> {
    /// As the game reads it.
    pub config: G::Config,
    /// As checkpoints and listings hold it (every key filled in).
    pub spec: Value,
    /// As round records name it.
    pub named: GameConfig,
}

impl<G: Game> NewConfig<G> {
    /// Reads and checks `spec` as opening a table of `G` would.
    ///
    /// # Errors
    /// `invalid_config`, naming what does not fit.
    pub fn read(spec: &Value) -> Result<Self, Refusal> {
        let bad = |e: String| Refusal::new(ErrorCode::InvalidConfig, format!("invalid {} config: {e}", G::ID));
        let config: G::Config = serde_json::from_value(spec.clone()).map_err(|e| bad(e.to_string()))?;
        G::validate_config(&config).map_err(|e| bad(e.message))?;
        let spec = serde_json::to_value(&config).map_err(|e| bad(e.to_string()))?;
        let named = GameConfig::of(G::ID, &config).map_err(|e| bad(e.to_string()))?;
        Ok(Self { config, spec, named })
    }
}

impl<G: Game> Engine<G> {
    /// How a request is refused once the table or session has closed.
    pub(super) fn closed_refusal(&self) -> (ErrorCode, &'static str) {
        match self.setup.kind {
            Kind::Table => (ErrorCode::UnknownTable, "this table has closed"),
            Kind::Session => (ErrorCode::UnknownSession, "this session is closed"),
        }
    }

    /// The open round's key, and whether the wallet holds stakes in it.
    pub fn open_round(&self) -> Option<(&str, bool)> {
        self.hand.as_ref().map(|h| (h.key.as_str(), h.staked))
    }

    /// No round is open, or the one open holds no stake and has none asked
    /// for: the table may close without a round to settle or refund.
    pub fn at_boundary(&self) -> bool {
        self.hand.as_ref().is_none_or(|h| h.stakes.is_empty() && !h.staked)
    }

    /// Voids round `round`, open now, for `reason`: the wallet refunds its
    /// stakes in the transaction that writes the round's record, marked
    /// voided with the reason, and the table goes back to its last round boundary (the
    /// state, seats and timers of its last durable checkpoint), as a
    /// restart would bring it back. Whoever sat down during the round is
    /// seated again (which may open the next round at once); whoever left
    /// it has their seat held for the reconnect grace.
    /// The shell calls it with no money in flight.
    ///
    /// # Errors
    /// `round_not_open` when that round is not the one in progress (it
    /// ended, or never was); `internal_error` without a boundary to go back
    /// to.
    pub fn void_round(&mut self, round: &str, reason: &str, now: i64, step: &mut Step) -> Result<(), Refusal> {
        let open = self.hand.as_ref().filter(|h| h.key == round && !h.money_closed);
        let Some(staked) = open.map(|h| h.staked) else {
            return Err(Refusal::new(ErrorCode::RoundNotOpen, format!("{round} is not in progress at this table")));
        };
        let unusable = |e: String| {
            tracing::error!(table_id = %self.setup.id, %e, "no round boundary to go back to");
            Refusal::new(ErrorCode::InternalError, "the table cannot go back to the round's start; nothing was voided")
        };
        let boundary = self.boundary.as_ref().ok_or_else(|| unusable("none kept".to_owned()))?;
        let saved = checkpoint::read::<G::State>(boundary, G::ID, &self.setup.spec).map_err(unusable)?;
        let voided = self.hand.take().map(|h| h.void_record(G::ID, &self.setup.id, &self.setup.config, reason, now));
        self.state = saved.state;
        // The game deals the voided round's number again: a new epoch keeps
        // its key (and its wallet round) new.
        self.setup.epoch = super::table::epoch(now);
        G::resume(&mut self.state, &self.config);
        for timer in std::mem::take(&mut self.timers).into_keys() {
            step.timers.push(Arm::Cancel(Slot::Game(timer)));
        }
        for (timer, left) in saved.timers {
            self.armed += 1;
            let at = now.saturating_add(i64::try_from(left).unwrap_or(i64::MAX));
            self.timers.insert(TimerId(timer), (at, self.armed));
            step.timers.push(Arm::Start(Due::Game { timer: TimerId(timer), armed: self.armed }, left));
        }
        let seated: std::collections::BTreeSet<i64> = saved.seated.into_iter().collect();
        let grace = i64::try_from(self.setup.grace_ms).unwrap_or(i64::MAX);
        for player in seated.difference(&self.seated) {
            let at = now.saturating_add(grace);
            self.away.insert(*player, at);
            step.timers.push(Arm::Start(Due::Grace { player: *player, at }, self.setup.grace_ms));
        }
        let newcomers: Vec<i64> = self.seated.difference(&seated).copied().collect();
        self.seated = seated;
        self.replies.clear();
        self.publish(None, json!({ "type": "round.voided", "round": round, "reason": reason }), step);
        // The refund, the record marked voided and the table as it now
        // stands go in one transaction.
        let (key, round) = (format!("{round}:void"), round.to_owned());
        let close = if staked { RoundClose::Void } else { RoundClose::RecordOnly };
        let checkpoint = self.checkpoint(now).map_err(|e| {
            tracing::error!(table_id = %self.setup.id, %e, "a voided round's record was not written: the table's state does not serialise");
        });
        match voided.zip(checkpoint.ok()) {
            Some((row, checkpoint)) => {
                self.boundary = Some(checkpoint.clone());
                step.money.push(Money::Close { key, round, close, record: Some(Box::new((row, checkpoint))) });
            }
            // The refund goes without the record rather than not at all.
            None if staked => step.money.push(Money::Close { key, round, close, record: None }),
            None => {}
        }
        for player in newcomers {
            self.sit_again(player, now, step);
        }
        step.changed = true;
        Ok(())
    }

    /// Seats again, as its sit did, a player who sat down during a voided
    /// round (the table went back to before it); their seat is lost if the
    /// game no longer has one for them.
    fn sit_again(&mut self, player: i64, now: i64, step: &mut Step) {
        if self.away.remove(&player).is_some() {
            step.timers.push(Arm::Cancel(Slot::Grace(player)));
        }
        let Ok(pid) = super::engine::player_id(player) else { return };
        self.seated.insert(player);
        if let Err(r) = self.feed(croupier_sdk::Input::Join { player: pid, seat: None }, None, now, step) {
            self.seated.remove(&player);
            tracing::warn!(table_id = %self.setup.id, player, code = %r.code, "a player lost their seat to a void");
        }
    }

    /// Takes `new` as the table's config: the game takes it in its state
    /// (or refuses), and rounds from now on are dealt and recorded under
    /// it. Returns the durable checkpoint of the table as it is now, the new
    /// round boundary. The shell calls it with no round open.
    ///
    /// # Errors
    /// `table_busy` with a round open; `config_fixed` for a change the game
    /// does not take in place; `internal_error` for a state that no longer
    /// serialises.
    pub fn reconfigure(&mut self, new: NewConfig<G>, now: i64, step: &mut Step) -> Result<CheckpointRow, Refusal> {
        if self.hand.is_some() {
            return Err(Refusal::new(ErrorCode::TableBusy, "a round is in progress"));
        }
        let before = self.snapshot().map_err(|e| Refusal::new(ErrorCode::InternalError, e.to_string()))?;
        G::reconfigure(&mut self.state, &new.config).map_err(|r| {
            self.put_back(before.as_ref());
            Refusal::new(ErrorCode::ConfigFixed, r.message)
        })?;
        self.seats = G::seats(&new.config);
        self.config = Arc::new(new.config);
        self.spec_text = new.spec.to_string();
        self.setup.spec = Arc::new(new.spec.clone());
        self.setup.config = Arc::new(new.named);
        self.publish(None, json!({ "type": "table.config", "config": new.spec }), step);
        step.changed = true;
        let row = self.checkpoint(now).map_err(|e| Refusal::new(ErrorCode::InternalError, e.to_string()))?;
        self.boundary = Some(row.clone());
        Ok(row)
    }

    /// Closes the table for good, for `reason`: every seat is given up, no
    /// request is taken any more, and the shell stops it. The shell calls
    /// it at a round boundary.
    pub fn shut(&mut self, reason: &str, step: &mut Step) {
        for player in std::mem::take(&mut self.away).into_keys() {
            step.timers.push(Arm::Cancel(Slot::Grace(player)));
        }
        for timer in std::mem::take(&mut self.timers).into_keys() {
            step.timers.push(Arm::Cancel(Slot::Game(timer)));
        }
        self.publish(None, json!({ "type": "table.closed", "reason": reason }), step);
        self.closed = true;
        step.close = true;
        step.changed = true;
    }
}
