//! Putting a table's game state back after an input the game refused or
//! panicked on, without copying the state for every input.
//!
//! Outside a round the engine serialises the state before an input (which
//! it needs anyway: an input may open a round, whose record starts from
//! that state) and reads it back to undo the input. Inside a round nothing
//! is copied: the round already logs every input it accepted and every
//! draw, so undoing an input replays the round from its last base (the
//! state it started from, or a snapshot taken every [`REBASE`] inputs)
//! through those inputs, with the draws as recorded — what `croupier
//! verify` does with a round record. The generator itself is rewound by
//! the caller, to its mark before the input.

use std::panic::{AssertUnwindSafe, catch_unwind};

use croupier_rng::Replay;
use croupier_sdk::{Game, Input};
use serde::Deserialize;
use serde_json::Value;

use super::engine::Engine;
use super::round::Base;

/// Inputs of a round between two snapshots: undoing an input replays at
/// most this many.
pub const REBASE: usize = 64;

impl<G: Game> Engine<G> {
    /// What undoing the next input starts from: outside a round, the state
    /// as it is; inside one, nothing (the round's log is enough).
    ///
    /// # Errors
    /// The state does not serialise.
    pub(super) fn snapshot(&self) -> Result<Option<Value>, serde_json::Error> {
        match self.hand {
            Some(_) => Ok(None),
            None => serde_json::to_value(&self.state).map(Some),
        }
    }

    /// The state read back from `value`, with what the game keeps out of
    /// its serialised form.
    fn read_state(&self, value: &Value) -> Result<G::State, String> {
        let mut state = G::State::deserialize(value).map_err(|e| e.to_string())?;
        G::resume(&mut state, &self.config);
        Ok(state)
    }

    /// Puts the state back as it was before the input just refused: from
    /// `before` (outside a round), or by replaying the open round.
    pub(super) fn put_back(&mut self, before: Option<&Value>) {
        let rebuilt = match (before, &self.hand) {
            (Some(before), _) => self.read_state(before),
            (None, Some(_)) => self.replay_round(),
            (None, None) => Err("no snapshot and no round to rebuild from".to_owned()),
        };
        match rebuilt {
            Ok(state) => self.state = state,
            Err(e) => {
                tracing::error!(table_id = %self.setup.id, %e, "the state could not be put back after a refused input")
            }
        }
    }

    /// The open round's state before its last input was tried: its base
    /// replayed through the inputs accepted since, with their draws.
    fn replay_round(&self) -> Result<G::State, String> {
        let hand = self.hand.as_ref().ok_or("no round is open")?;
        let (state, inputs, draws) = match &hand.base {
            Some(Base { state, inputs, draws }) => (state, *inputs, *draws),
            None => (&hand.state_before, 0, 0),
        };
        let mut state = self.read_state(state)?;
        let recorded = hand.rng.log().get(draws..).ok_or("the base is past the draws")?;
        let mut replay = Replay::new(recorded.to_vec());
        let mut effects = Vec::new();
        for raw in hand.inputs.get(inputs..).ok_or("the base is past the inputs")? {
            let input = Input::<G::Action>::deserialize(raw).map_err(|e| e.to_string())?;
            let applied = catch_unwind(AssertUnwindSafe(|| G::apply(&mut state, input, &mut replay, &mut effects)));
            match applied {
                Ok(Ok(())) => effects.clear(),
                Ok(Err(r)) => return Err(format!("an accepted input is refused on replay: {}", r.code)),
                Err(_) => return Err("the game panicked replaying an accepted input".to_owned()),
            }
        }
        replay.finish().map_err(|e| e.to_string())?;
        Ok(state)
    }

    /// After an accepted input: a fresh base for the open round once
    /// [`REBASE`] inputs have gone by since the last.
    pub(super) fn rebase(&mut self) {
        let Some(hand) = &self.hand else { return };
        let since = hand.base.as_ref().map_or(0, |b| b.inputs);
        if hand.inputs.len() < since + REBASE {
            return;
        }
        match serde_json::to_value(&self.state) {
            Ok(state) => {
                if let Some(hand) = &mut self.hand {
                    hand.base = Some(Base { state, inputs: hand.inputs.len(), draws: hand.rng.log().len() });
                }
            }
            Err(e) => tracing::error!(table_id = %self.setup.id, %e, "the round's state does not serialise"),
        }
    }
}
