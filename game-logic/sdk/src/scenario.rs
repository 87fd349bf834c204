//! Scenario files: a game tested with data, replayed by one generic runner.
//!
//! A scenario is a JSON file: the game's config, where the randomness comes
//! from (scripted `draws`, each `{range, value}`, or a `seed`), and a list of
//! steps. Each step feeds one input and may state the exact effects expected,
//! the rejection code expected, and what given viewers must see afterwards:
//!
//! ```json
//! {
//!   "description": "a winning call pays 1.95x",
//!   "config": { "currency": "EUR", "min_stake": 100, "max_stake": 10000, "win_num": 195, "win_den": 100 },
//!   "rng": { "draws": [ { "range": 2, "value": 0 } ] },
//!   "steps": [
//!     { "input": { "type": "join", "player": 1 }, "effects": [] },
//!     { "input": { "type": "action", "player": 1, "action": { "type": "flip", "call": "heads", "stake": 50 } },
//!       "rejected": "bet_out_of_limits" }
//!   ]
//! }
//! ```
//!
//! Every rejection, expected or not, is checked to leave the state unchanged
//! and the RNG untouched, and to carry a catalogued code (a shared
//! [`crate::ErrorCode`], one of [`Game::CODES`], or an internal one);
//! scripted draws must all be used, in order, with the ranges recorded. A
//! folder of scenarios must provoke each of the game's own codes.

use std::collections::BTreeSet;
use std::path::Path;

use croupier_rng::{CertifiedRng, DrawRecord, Replay, Seed};
use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;

use crate::codes::Code;
use crate::game::{Game, Input, Viewer};
use crate::testing::try_apply;

/// Where a scenario's randomness comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ScenarioRng {
    /// Exactly these draws, in order; the game must ask for these ranges.
    Draws(Vec<DrawRecord>),
    /// The certified generator with this explicit seed (64 hex digits).
    Seed(String),
}

/// A check of what one viewer sees after a step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewCheck {
    /// Who looks.
    pub viewer: Viewer,
    /// The exact view, as JSON.
    pub expect: Value,
}

/// One step of a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The input, in the game's `Input` JSON form.
    pub input: Value,
    /// The exact effects expected (omit to not check them).
    #[serde(default)]
    pub effects: Option<Value>,
    /// The rejection code expected (omit when the input must be accepted).
    #[serde(default)]
    pub rejected: Option<String>,
    /// Views to check after the step.
    #[serde(default)]
    pub views: Vec<ViewCheck>,
}

/// A scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// The game config, in the game's JSON form.
    pub config: Value,
    /// Randomness (default: no draws allowed).
    #[serde(default = "no_draws")]
    pub rng: ScenarioRng,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

fn no_draws() -> ScenarioRng {
    ScenarioRng::Draws(Vec::new())
}

/// Why a scenario failed; names the step and shows expected and actual.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScenarioError {
    /// The file is not a valid scenario for this game.
    #[error("invalid scenario: {0}")]
    Invalid(String),
    /// A step did not go as expected.
    #[error("step {step}: {problem}")]
    Step {
        /// Index of the step, from 0.
        step: usize,
        /// What differed.
        problem: String,
    },
    /// The scripted draws were not used exactly.
    #[error("draws: {0}")]
    Draws(String),
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// Runs one scenario (JSON text) against game `G`.
///
/// # Errors
/// [`ScenarioError`] describing the first difference.
pub fn run_scenario<G: Game>(json: &str) -> Result<(), ScenarioError> {
    play::<G>(json, &mut BTreeSet::new())
}

/// Runs one scenario, adding the codes it was refused with to `refused`.
fn play<G: Game>(json: &str, refused: &mut BTreeSet<&'static str>) -> Result<(), ScenarioError> {
    let scenario: Scenario = serde_json::from_str(json).map_err(|e| ScenarioError::Invalid(e.to_string()))?;
    let config: G::Config =
        serde_json::from_value(scenario.config).map_err(|e| ScenarioError::Invalid(format!("config: {e}")))?;
    G::validate_config(&config).map_err(|e| ScenarioError::Invalid(e.to_string()))?;
    let mut state = G::new_table(&config);
    let mut replay = None;
    let mut seeded = None;
    match scenario.rng {
        ScenarioRng::Draws(draws) => replay = Some(Replay::new(draws)),
        ScenarioRng::Seed(hex) => {
            let seed = Seed::from_hex(&hex).map_err(|e| ScenarioError::Invalid(format!("rng.seed: {e}")))?;
            seeded = Some(CertifiedRng::from_seed(seed));
        }
    }
    for (step, s) in scenario.steps.into_iter().enumerate() {
        let fail = |problem: String| ScenarioError::Step { step, problem };
        let input: Input<G::Action> =
            serde_json::from_value(s.input).map_err(|e| fail(format!("invalid input: {e}")))?;
        let rng: &mut dyn croupier_rng::Draw = match (&mut replay, &mut seeded) {
            (Some(r), _) => r,
            (None, Some(r)) => r,
            // invariant: exactly one of the two is set above.
            (None, None) => return Err(fail("no rng".into())),
        };
        match (try_apply::<G>(&mut state, input, rng), &s.rejected) {
            (Ok(effects), None) => {
                if let Some(expected) = &s.effects {
                    let actual = serde_json::to_value(&effects).map_err(|e| fail(e.to_string()))?;
                    if &actual != expected {
                        return Err(fail(format!(
                            "effects differ\nexpected: {}\nactual:   {}",
                            pretty(expected),
                            pretty(&actual)
                        )));
                    }
                }
            }
            (Ok(effects), Some(code)) => {
                return Err(fail(format!("expected rejection {code:?}, but accepted with {effects:?}")));
            }
            (Err(r), expected) => {
                if !r.is_clean() {
                    return Err(fail(format!(
                        "rejection {} broke the contract (state changed: {}, draws made: {})",
                        r.rejected, r.state_changed, r.draws_made
                    )));
                }
                if expected.as_deref() != Some(r.rejected.code.as_str()) {
                    return Err(fail(format!("unexpected rejection {} (expected {expected:?})", r.rejected)));
                }
                let code = r.rejected.code;
                if !(code.is_shared() || code.is_internal() || G::CODES.contains(&code)) {
                    return Err(fail(format!(
                        "refused with `{code}`, which is neither a shared ErrorCode nor one of {}'s CODES",
                        G::ID
                    )));
                }
                refused.insert(code.as_str());
            }
        }
        for check in &s.views {
            let actual = serde_json::to_value(G::view(&state, check.viewer)).map_err(|e| fail(e.to_string()))?;
            if actual != check.expect {
                return Err(fail(format!(
                    "view for {:?} differs\nexpected: {}\nactual:   {}",
                    check.viewer,
                    pretty(&check.expect),
                    pretty(&actual)
                )));
            }
        }
    }
    if let Some(r) = replay {
        r.finish().map_err(|e| ScenarioError::Draws(e.to_string()))?;
    }
    Ok(())
}

/// Runs every `*.json` scenario in `dir` against `G` and returns how many ran.
///
/// # Errors
/// A report naming every failing file, an error if the folder holds no
/// scenario (a test over an empty folder would prove nothing), and one
/// naming each of the game's own codes that is malformed, clashes with a
/// shared or internal code, or that no scenario provokes (a code listed
/// that can never be sent).
pub fn run_scenario_dir<G: Game>(dir: &Path) -> Result<usize, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no *.json scenarios", dir.display()));
    }
    let mut refused = BTreeSet::new();
    let mut failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let result = std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|text| play::<G>(&text, &mut refused).map_err(|e| e.to_string()));
            result.err().map(|e| format!("{}: {e}", path.display()))
        })
        .collect();
    // A code is unprovoked only if every scenario ran to its end.
    let all_ran = failures.is_empty();
    for code in G::CODES {
        if !Code::well_formed(code.as_str()) {
            failures.push(format!("{}::CODES: `{code}` is not 3 to 40 of a-z and _", G::ID));
        } else if code.is_shared() || code.is_internal() {
            failures.push(format!("{}::CODES: `{code}` is a shared or internal code, not the game's own", G::ID));
        } else if all_ran && !refused.contains(code.as_str()) {
            failures.push(format!("{}::CODES: no scenario in {} is refused with `{code}`", G::ID, dir.display()));
        }
    }
    if failures.is_empty() { Ok(files.len()) } else { Err(failures.join("\n\n")) }
}
