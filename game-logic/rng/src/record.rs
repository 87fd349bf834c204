//! Recording and replaying draws, for round records and audits.
//!
//! A [`Recorder`] wraps any [`Draw`] and logs each draw's range and value in
//! order. A [`Replay`] feeds such a log back to a game, so a round can be
//! re-run from its record without the seed; any difference in the ranges the
//! game asks for is reported, never papered over.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::sample::Draw;

/// One draw: `value` was drawn from `0..range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DrawRecord {
    /// The exclusive upper bound asked for.
    pub range: u32,
    /// The outcome.
    pub value: u32,
}

/// Wraps a generator and records every draw.
#[derive(Debug)]
pub struct Recorder<D> {
    inner: D,
    draws: Vec<DrawRecord>,
}

impl<D: Draw> Recorder<D> {
    /// Starts recording draws made through `inner`.
    pub fn new(inner: D) -> Self {
        Self { inner, draws: Vec::new() }
    }

    /// The draws so far, in order.
    pub fn draws(&self) -> &[DrawRecord] {
        &self.draws
    }

    /// Takes the draws so far, leaving the log empty.
    pub fn take_draws(&mut self) -> Vec<DrawRecord> {
        std::mem::take(&mut self.draws)
    }

    /// Gives back the wrapped generator and the log.
    pub fn into_parts(self) -> (D, Vec<DrawRecord>) {
        (self.inner, self.draws)
    }
}

impl<D: Draw> Draw for Recorder<D> {
    #[inline]
    fn below(&mut self, n: u32) -> u32 {
        let value = self.inner.below(n);
        self.draws.push(DrawRecord { range: n, value });
        value
    }
}

/// Why a replay did not match its record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReplayError {
    /// The game asked for a different range than was recorded.
    #[error("draw {index}: the game asked for 0..{asked} but the record has 0..{recorded}")]
    RangeMismatch {
        /// Index of the draw.
        index: usize,
        /// Range asked for now.
        asked: u32,
        /// Range in the record.
        recorded: u32,
    },
    /// The record is shorter than the draws the game made.
    #[error("the game made more draws than the {recorded} recorded")]
    Exhausted {
        /// Draws in the record.
        recorded: usize,
    },
    /// The game made fewer draws than recorded.
    #[error("the game made {used} draws but {recorded} were recorded")]
    Unused {
        /// Draws made.
        used: usize,
        /// Draws in the record.
        recorded: usize,
    },
    /// A recorded value lies outside its own range.
    #[error("draw {index}: recorded value {value} is outside 0..{range}")]
    OutOfRange {
        /// Index of the draw.
        index: usize,
        /// The value.
        value: u32,
        /// The range.
        range: u32,
    },
}

/// Plays back recorded draws. A mismatch is remembered and reported by
/// [`Replay::finish`]; until then the replay answers `0` so the game can run
/// on (any range contains 0).
#[derive(Debug, Clone)]
pub struct Replay {
    draws: Vec<DrawRecord>,
    next: usize,
    error: Option<ReplayError>,
}

impl Replay {
    /// A replay of `draws`, in order.
    pub fn new(draws: Vec<DrawRecord>) -> Self {
        Self { draws, next: 0, error: None }
    }

    /// Draws used so far.
    pub fn used(&self) -> usize {
        self.next
    }

    /// Checks every recorded draw was used, exactly as recorded.
    ///
    /// # Errors
    /// The first [`ReplayError`] met.
    pub fn finish(self) -> Result<(), ReplayError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.next != self.draws.len() {
            return Err(ReplayError::Unused { used: self.next, recorded: self.draws.len() });
        }
        Ok(())
    }

    fn fail(&mut self, e: ReplayError) -> u32 {
        self.error.get_or_insert(e);
        0
    }
}

impl Draw for Replay {
    fn below(&mut self, n: u32) -> u32 {
        assert!(n != 0, "below(0): empty range");
        let index = self.next;
        let Some(&rec) = self.draws.get(index) else {
            return self.fail(ReplayError::Exhausted { recorded: self.draws.len() });
        };
        self.next += 1;
        if rec.range != n {
            return self.fail(ReplayError::RangeMismatch { index, asked: n, recorded: rec.range });
        }
        if rec.value >= rec.range {
            return self.fail(ReplayError::OutOfRange { index, value: rec.value, range: rec.range });
        }
        rec.value
    }
}
