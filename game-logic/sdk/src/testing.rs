//! Helpers for game authors' tests: applying an input while checking the
//! SDK's contract that a rejected input changes nothing and draws nothing.

use croupier_rng::Draw;

use crate::game::{Effects, Game, Input, Rejected};

/// Counts the draws made through it.
pub(crate) struct Counting<'a> {
    pub inner: &'a mut dyn Draw,
    pub draws: usize,
}

impl Draw for Counting<'_> {
    fn below(&mut self, n: u32) -> u32 {
        self.draws += 1;
        self.inner.below(n)
    }
}

/// A rejection, with what the contract checks found.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// What the game said.
    pub rejected: Rejected,
    /// Whether the state differed afterwards (a contract breach).
    pub state_changed: bool,
    /// Draws made before rejecting (must be 0).
    pub draws_made: usize,
}

impl Rejection {
    /// Whether the game kept the contract.
    pub fn is_clean(&self) -> bool {
        !self.state_changed && self.draws_made == 0
    }
}

/// Applies `input`; on rejection, reports whether the state changed or the
/// RNG was used. Compares states by their serialised form (checkpoints are
/// what must not change).
///
/// # Errors
/// The [`Rejection`] when the game refused the input.
pub fn try_apply<G: Game>(
    state: &mut G::State,
    input: Input<G::Action>,
    rng: &mut dyn Draw,
) -> Result<Effects<G>, Rejection> {
    let before = serde_json::to_value(&*state).ok();
    let mut counting = Counting {
        inner: rng,
        draws: 0,
    };
    match G::apply(state, input, &mut counting) {
        Ok(effects) => Ok(effects),
        Err(rejected) => {
            let after = serde_json::to_value(&*state).ok();
            Err(Rejection {
                rejected,
                state_changed: before != after || before.is_none(),
                draws_made: counting.draws,
            })
        }
    }
}

/// Asserts that `input` is rejected without changing `state` or drawing, and
/// returns the rejection.
///
/// # Panics
/// If the input is accepted, or the game breaks the contract.
pub fn assert_rejected_unchanged<G: Game>(
    state: &G::State,
    input: Input<G::Action>,
    rng: &mut dyn Draw,
) -> Rejected {
    let mut copy = state.clone();
    match try_apply::<G>(&mut copy, input.clone(), rng) {
        Ok(effects) => panic!("{input:?} was accepted, with effects {effects:?}"),
        Err(r) => {
            assert!(
                !r.state_changed,
                "{input:?} was rejected ({}) but changed the state",
                r.rejected
            );
            assert_eq!(
                r.draws_made, 0,
                "{input:?} was rejected ({}) after drawing",
                r.rejected
            );
            r.rejected
        }
    }
}
