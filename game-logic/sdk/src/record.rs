//! The round record: everything needed to audit and replay one round.
//!
//! Written by the server when a round ends; returned to the round's players
//! and replayed by `croupier verify`. It holds the RNG's public commitment and
//! every draw, never the seed (except a provably-fair seed after it has been
//! revealed by rotation).

use croupier_rng::fair::FairInput;
use croupier_rng::{Commitment, DrawRecord, Replay};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::game::{Effect, Game, Input, OpId, Payout, PlayerId, RoundId, WalletResult};
use crate::money::Money;

/// A stake taken in a round (held by the wallet: one the wallet refused is
/// not listed; its refusal is among the round's inputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stake {
    /// The wallet operation that held it.
    pub op: OpId,
    /// Whose.
    pub player: PlayerId,
    /// How much.
    pub amount: Money,
}

/// How the round's randomness can be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RngEvidence {
    /// SHA-256 commitment of the seed in use when the round drew.
    pub commitment: Commitment,
    /// For provably-fair rounds: what the round seed was derived from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fair: Option<FairInput>,
    /// The provably-fair server seed (64 hex digits) once revealed: a live
    /// table reveals each hand's seed when the hand ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revealed: Option<String>,
}

/// One round, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    /// Game id.
    pub game: String,
    /// Table or session id.
    pub table: String,
    /// Round id within the table.
    pub round: RoundId,
    /// RNG commitment (and provably-fair inputs).
    pub rng: RngEvidence,
    /// Every draw, in order.
    pub draws: Vec<DrawRecord>,
    /// The fingerprint (SHA-256 of its JSON, hex) of the config the round
    /// was played under, which the server stores once for every round of
    /// it. Absent in records written before configs were stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The game state when the round's first input arrived (JSON), as the
    /// game serialises it (without what [`Game::resume`] gives back).
    pub state_before: Value,
    /// Every input of the round, in order (the game's `Input` JSON).
    pub inputs: Vec<Value>,
    /// The outcome (the game's `Outcome` JSON).
    pub outcome: Value,
    /// Stakes held.
    pub stakes: Vec<Stake>,
    /// Payouts, stake included.
    pub payouts: Vec<Payout>,
    /// Set when staff voided the round while it was in play: every stake
    /// listed was refunded, and nothing of the round's play is kept (no
    /// draws, inputs, state or outcome; the table went back to where it
    /// stood before the round, so what was dealt in it is dealt again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<Voided>,
}

/// Why a round was voided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voided {
    /// The reason staff gave.
    pub reason: String,
}

/// Why a replay disagreed with its record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReplayMismatch {
    /// The record does not parse as this game's types.
    #[error("the record does not fit game {game}: {message}")]
    Malformed {
        /// The game.
        game: &'static str,
        /// What failed.
        message: String,
    },
    /// An input was rejected on replay.
    #[error("input {index} was rejected on replay: {code}")]
    Rejected {
        /// Index of the input.
        index: usize,
        /// The rejection code.
        code: String,
    },
    /// The draws differ.
    #[error(transparent)]
    Draws(#[from] croupier_rng::ReplayError),
    /// The round was voided: it has no play to replay.
    #[error("the round was voided ({reason}): its stakes were refunded and it has no play to replay")]
    Voided {
        /// The reason staff gave.
        reason: String,
    },
    /// Stakes, payouts or outcome differ.
    #[error("{what} differ: recorded {recorded}, replayed {replayed}")]
    Differs {
        /// What differs.
        what: &'static str,
        /// Recorded value (JSON).
        recorded: String,
        /// Replayed value (JSON).
        replayed: String,
    },
}

/// Replays `record` through game `G` from its recorded draws and checks the
/// stakes, payouts and outcome come out exactly as recorded. `config` is
/// the config the record names, which the state is resumed with
/// ([`Game::resume`]); a game whose state carries all it needs replays
/// without it.
///
/// # Errors
/// [`ReplayMismatch`] naming the first difference.
pub fn replay<G: Game>(record: &RoundRecord, config: Option<&G::Config>) -> Result<(), ReplayMismatch> {
    let malformed = |message: String| ReplayMismatch::Malformed { game: G::ID, message };
    if let Some(voided) = &record.voided {
        return Err(ReplayMismatch::Voided { reason: voided.reason.clone() });
    }
    let mut state: G::State =
        serde_json::from_value(record.state_before.clone()).map_err(|e| malformed(format!("state: {e}")))?;
    if let Some(config) = config {
        G::resume(&mut state, config);
    }
    let mut draws = Replay::new(record.draws.clone());
    let (mut stakes, mut payouts, mut outcome) = (Vec::new(), Vec::new(), Value::Null);
    let mut effects = Vec::new();
    let mut refused = Vec::new();
    for (index, raw) in record.inputs.iter().enumerate() {
        let input: Input<G::Action> =
            serde_json::from_value(raw.clone()).map_err(|e| malformed(format!("input {index}: {e}")))?;
        if let Input::Wallet { op, result: WalletResult::Refused { .. } } = &input {
            refused.push(*op);
        }
        G::apply(&mut state, input, &mut draws, &mut effects)
            .map_err(|r| ReplayMismatch::Rejected { index, code: r.code.to_string() })?;
        for effect in effects.drain(..) {
            match effect {
                Effect::Reserve { op, round, player, amount } if round == record.round => {
                    stakes.push(Stake { op, player, amount });
                }
                Effect::Settle { round, payouts: p } if round == record.round => payouts.extend(p),
                Effect::RoundEnded { round, outcome: o } if round == record.round => {
                    outcome = serde_json::to_value(o).map_err(|e| malformed(e.to_string()))?;
                }
                _ => {}
            }
        }
    }
    draws.finish()?;
    // A stake the wallet refused was never taken.
    stakes.retain(|s| !refused.contains(&s.op));
    if stakes != record.stakes {
        return Err(ReplayMismatch::Differs {
            what: "stakes",
            recorded: json(&record.stakes),
            replayed: json(&stakes),
        });
    }
    if payouts != record.payouts {
        return Err(ReplayMismatch::Differs {
            what: "payouts",
            recorded: json(&record.payouts),
            replayed: json(&payouts),
        });
    }
    // Compared as the game's type, so a record written in an earlier form of
    // the same outcome (money as `{minor, currency}`) still matches.
    let typed = |v: &Value| serde_json::from_value::<Option<G::Outcome>>(v.clone()).ok();
    let same = outcome == record.outcome || typed(&outcome).is_some_and(|o| Some(o) == typed(&record.outcome));
    if !same {
        return Err(ReplayMismatch::Differs {
            what: "outcome",
            recorded: record.outcome.to_string(),
            replayed: outcome.to_string(),
        });
    }
    Ok(())
}

/// JSON text of a value, for mismatch messages.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
