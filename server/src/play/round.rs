//! One round in progress at a table: its key, its generator (every draw
//! recorded), the inputs it took and the stakes and payouts it named, so the
//! table can write the round record in the same transaction as the money;
//! and how the engine opens one (its generator, its commitment announced).
//! Nothing here talks to the database or a client.

use std::collections::BTreeSet;
use std::sync::Arc;

use croupier_rng::fair::FairInput;
use croupier_rng::{CertifiedRng, Commitment, Draw, DrawRecord, Position, Seed};
use croupier_sdk::record::{RngEvidence, RoundRecord, Stake, Voided};
use croupier_sdk::{Game, Payout, RoundId};
use serde_json::{Value, json};

use super::engine::{Dealt, Engine, Opening, Step};

use crate::store::{GameConfig, RoundClose, RoundRow};

/// A generator that logs every draw; it can be put back to an earlier point
/// (after a game panicked mid-input) so the log and the stream stay in step.
pub struct Recording {
    rng: CertifiedRng,
    draws: Vec<DrawRecord>,
}

/// Where a [`Recording`] was, to go back to.
pub struct Mark {
    position: Position,
    /// Draws logged at the mark.
    pub draws: usize,
}

impl Recording {
    pub fn new(rng: CertifiedRng) -> Self {
        Self { rng, draws: Vec::new() }
    }

    pub fn mark(&self) -> Mark {
        Mark { position: self.rng.position(), draws: self.draws.len() }
    }

    pub fn rewind(&mut self, mark: &Mark) {
        self.rng = CertifiedRng::from_position(&mark.position);
        self.draws.truncate(mark.draws);
    }

    /// The generator's timer hook (its reseed schedule and background
    /// cycling); returns the reseeds it made, for the audit trail.
    pub fn tick(&mut self, now: std::time::Instant) -> Vec<croupier_rng::Reseed> {
        self.rng.tick(now);
        self.rng.take_reseeds()
    }

    /// Every draw logged so far.
    pub fn log(&self) -> &[DrawRecord] {
        &self.draws
    }

    /// A new generator seeded from 32 bytes of this one (which moves on):
    /// every fork deals a different stream. Not logged as draws.
    pub fn fork(&mut self) -> CertifiedRng {
        let mut bytes = [0u8; 32];
        self.rng.fill_bytes(&mut bytes);
        CertifiedRng::from_seed(Seed::from_bytes(bytes))
    }
}

impl Draw for Recording {
    fn below(&mut self, n: u32) -> u32 {
        let value = self.rng.below(n);
        self.draws.push(DrawRecord { range: n, value });
        value
    }
}

/// A snapshot of a round's state part way through: what undoing an input
/// replays from, instead of the round's start (see `super::rollback`).
pub struct Base {
    /// The state (serialised) after `inputs` inputs and `draws` draws.
    pub state: Value,
    pub inputs: usize,
    pub draws: usize,
}

/// A round from its start to its record.
pub struct Hand {
    pub round: RoundId,
    /// Unique across restarts: `table:epoch:round`.
    pub key: String,
    pub rng: Recording,
    pub commitment: Commitment,
    pub fair: Option<FairInput>,
    /// A live hand's own seed, revealed when the hand ends.
    pub seed: Option<Seed>,
    pub state_before: Value,
    pub inputs: Vec<Value>,
    pub stakes: Vec<Stake>,
    /// Some stake was confirmed by the wallet (so the wallet knows the round).
    pub staked: bool,
    /// Everyone seated during the round or staking in it.
    pub players: BTreeSet<i64>,
    /// How the game closed the round's money (`None`: not yet).
    pub close: Option<RoundClose>,
    /// The payouts the game named, for the record.
    pub payouts: Vec<Payout>,
    /// The wallet has been asked to close the round (settled or voided).
    pub money_closed: bool,
    /// The latest snapshot of the round's state (`None`: `state_before`).
    pub base: Option<Base>,
}

impl Hand {
    /// The record of the ended round, as stored.
    pub fn record(self, game: &str, table: &str, config: &Arc<GameConfig>, outcome: Value, now: i64) -> RoundRow {
        let payouts = match &self.close {
            Some(RoundClose::Settle(_)) => self.payouts,
            _ => Vec::new(),
        };
        let record = RoundRecord {
            game: game.to_owned(),
            table: table.to_owned(),
            round: self.round,
            rng: RngEvidence {
                commitment: self.commitment,
                fair: self.fair,
                revealed: self.seed.as_ref().map(|s| hex::encode(s.expose())),
            },
            draws: self.rng.draws,
            config: Some(config.hash.clone()),
            state_before: self.state_before,
            inputs: self.inputs,
            outcome,
            stakes: self.stakes,
            payouts,
            voided: None,
        };
        stored(self.key, &self.players, &record, config, now)
    }

    /// The record of a round staff voided while it was in play: who staked
    /// what (all of it refunded) and why, and nothing of the play itself
    /// (no draws, inputs, state or outcome, nor a seed revealed): the table
    /// goes back to where it stood before the round and deals what was
    /// dealt in it again.
    pub fn void_record(self, game: &str, table: &str, config: &Arc<GameConfig>, reason: &str, now: i64) -> RoundRow {
        let record = RoundRecord {
            game: game.to_owned(),
            table: table.to_owned(),
            round: self.round,
            rng: RngEvidence { commitment: self.commitment, fair: self.fair, revealed: None },
            draws: Vec::new(),
            config: Some(config.hash.clone()),
            state_before: Value::Null,
            inputs: Vec::new(),
            outcome: Value::Null,
            stakes: self.stakes,
            payouts: Vec::new(),
            voided: Some(Voided { reason: reason.to_owned() }),
        };
        stored(self.key, &self.players, &record, config, now)
    }
}

/// A record as the store keeps it.
fn stored(key: String, players: &BTreeSet<i64>, record: &RoundRecord, config: &Arc<GameConfig>, now: i64) -> RoundRow {
    // invariant: a record is JSON values, numbers and strings (no map with
    // non-string keys, no custom serialiser that can fail).
    #[allow(clippy::expect_used)]
    let text = serde_json::to_string(record).expect("a round record always serialises");
    RoundRow {
        key,
        table: record.table.clone(),
        game: record.game.clone(),
        players: players.iter().copied().collect(),
        record: text,
        created_at: now,
        config: Some(config.clone()),
    }
}

impl<G: Game> Engine<G> {
    /// The generator of round `round`, about to open: from a committed seed,
    /// or (without one) forked from the table's own certified generator
    /// (each fork advances it: no stream repeats).
    pub(super) fn opening(&mut self, round: RoundId) -> Opening {
        let key = format!("{}:{}:{}", self.setup.id, self.setup.epoch, round.0);
        let dealt = self.seeds.round(&key, self.setup.owner, &self.seated).unwrap_or_else(|| {
            let rng = self.spare.fork();
            Dealt { commitment: rng.commitment(), rng, fair: None, seed: None }
        });
        let Dealt { rng, commitment, fair, seed } = dealt;
        Opening { round, key, rng: Recording::new(rng), commitment, fair, seed }
    }

    /// Opens the round record with its generator, and announces the
    /// commitment it is bound by.
    pub(super) fn start_hand(&mut self, opening: Opening, state_before: Value, first_input: Value, step: &mut Step) {
        if let Some(open) = &self.hand {
            tracing::error!(table_id = %self.setup.id, round = open.round.0, "a round started before the last one ended");
        }
        let Opening { round, key, rng, commitment, fair, seed } = opening;
        if self.setup.kind.announces_seeds() {
            let note = json!({ "type": "fair.commit", "round": key, "commitment": commitment.to_string() });
            self.publish(None, note, step);
        }
        self.hand = Some(Hand {
            round,
            key,
            rng,
            commitment,
            fair,
            seed,
            state_before,
            inputs: vec![first_input],
            stakes: Vec::new(),
            staked: false,
            players: self.seated.clone(),
            close: None,
            payouts: Vec::new(),
            money_closed: false,
            base: None,
        });
    }
}
