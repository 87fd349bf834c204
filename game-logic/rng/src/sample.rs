//! Unbiased mapping of raw generator words to game outcomes.
//!
//! This is the only code that turns random words into numbers a game uses.
//! It is ours and pinned, rather than `rand`'s distributions, because those may
//! change output between releases and accept a small bias by default.
//!
//! - [`below`](Draw::below) uses Lemire's multiply-shift with rejection: a raw
//!   word is discarded only when it falls outside the zone that maps every
//!   outcome equally often. Never `word % n`, never floating point.
//! - [`shuffle`] is Fisher–Yates on `below`.
//! - [`WeightedTable`] / [`pick_weighted`] pick an index with probability
//!   exactly proportional to integer weights, with one `below(total)` draw.
//!
//! No outcome is ever discarded or redrawn because of its value, and draws are
//! used in the order they are generated. The mapping core is generic over the
//! word width so tests can drive it with an 8- or 16-bit source and enumerate
//! the whole domain (see `tests/unbiased.rs`).

use thiserror::Error;

/// Anything a game can draw uniform integers from.
///
/// Games receive `&mut dyn Draw`; the server passes the certified generator
/// (usually wrapped in a [`Recorder`](crate::Recorder)), and verification
/// passes a [`Replay`](crate::Replay) of recorded draws.
pub trait Draw {
    /// Returns a uniformly distributed integer in `0..n`.
    ///
    /// # Panics
    /// If `n == 0`: an empty range has no outcome, and that is a bug in the
    /// calling game, never something a player or config can cause (configs are
    /// validated before a game runs).
    fn below(&mut self, n: u32) -> u32;
}

impl<D: Draw + ?Sized> Draw for &mut D {
    fn below(&mut self, n: u32) -> u32 {
        (**self).below(n)
    }
}

/// An unsigned machine word the mapping works on (`u8`, `u16`, `u32`, `u64`).
pub trait Word: Copy + Ord + core::fmt::Debug {
    /// The zero word.
    const ZERO: Self;
    /// Full product `self * n` as (high word, low word).
    fn widening_mul(self, n: Self) -> (Self, Self);
    /// `2^BITS mod n`, the number of low words that must be rejected.
    fn reject_threshold(n: Self) -> Self;
}

macro_rules! word {
    ($w:ty, $wide:ty) => {
        impl Word for $w {
            const ZERO: Self = 0;
            #[inline]
            fn widening_mul(self, n: Self) -> (Self, Self) {
                let m = <$wide>::from(self) * <$wide>::from(n);
                // Truncations are the point: split the double-width product.
                ((m >> <$w>::BITS) as $w, m as $w)
            }
            #[inline]
            fn reject_threshold(n: Self) -> Self {
                // (2^BITS - n) mod n == 2^BITS mod n. This `%` computes the
                // size of the biased zone once; it never maps an outcome.
                n.wrapping_neg() % n
            }
        }
    };
}
word!(u8, u16);
word!(u16, u32);
word!(u32, u64);
word!(u64, u128);

/// Maps one raw word to an outcome in `0..n`, or `None` when the word falls
/// in the rejection zone and must be discarded.
///
/// Every outcome is produced by exactly `floor(2^BITS / n)` words.
#[inline]
pub fn map_word<W: Word>(word: W, n: W) -> Option<W> {
    let (hi, lo) = word.widening_mul(n);
    // Fast path: lo >= n can never be in the rejection zone (threshold < n).
    if lo < n && lo < W::reject_threshold(n) {
        return None;
    }
    Some(hi)
}

/// Draws from `next_word` until a word maps into `0..n` (see [`map_word`]).
///
/// # Panics
/// If `n` is zero.
#[inline]
pub fn below_with<W: Word>(mut next_word: impl FnMut() -> W, n: W) -> W {
    assert!(n != W::ZERO, "below(0): empty range");
    loop {
        if let Some(v) = map_word(next_word(), n) {
            return v;
        }
    }
}

/// Shuffles `items` in place with Fisher–Yates (Durstenfeld), drawing
/// `below(i + 1)` for `i` from the last index down to 1.
///
/// # Panics
/// If `items` has more than `u32::MAX` elements (no game shuffles that many).
pub fn shuffle<T, D: Draw + ?Sized>(rng: &mut D, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let bound = u32::try_from(i + 1).unwrap_or_else(|_| panic!("shuffle: too many items"));
        let j = rng.below(bound) as usize;
        items.swap(i, j);
    }
}

/// Why a set of weights cannot be sampled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WeightError {
    /// No weights, or all of them zero.
    #[error("weights are empty or all zero")]
    Empty,
    /// The weights add up to more than `u32::MAX`.
    #[error("weights sum to {0}, more than the maximum {max}", max = u32::MAX)]
    TooLarge(u64),
}

/// Integer weights prepared for repeated exact sampling (e.g. a slot reel
/// strip): cumulative sums, one `below(total)` draw and a binary search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedTable {
    cumulative: Vec<u32>,
    /// For a small table (total at most [`DIRECT_MAX_TOTAL`], at most 256
    /// entries): the index each draw `0..total` picks, so a pick is one
    /// look-up instead of a search, with the same result. Empty otherwise.
    direct: Vec<u8>,
}

/// The largest total weight a [`WeightedTable`] maps draws to indices for
/// directly (4 KiB at most per table).
pub const DIRECT_MAX_TOTAL: u32 = 4096;

impl WeightedTable {
    /// Prepares `weights` for sampling. Zero weights are allowed and never
    /// picked.
    ///
    /// # Errors
    /// [`WeightError`] when the weights are empty, all zero, or sum past
    /// `u32::MAX`.
    pub fn new(weights: &[u32]) -> Result<Self, WeightError> {
        let mut cumulative = Vec::with_capacity(weights.len());
        let mut total: u64 = 0;
        for &w in weights {
            total += u64::from(w);
            let t = u32::try_from(total).map_err(|_| WeightError::TooLarge(total))?;
            cumulative.push(t);
        }
        if total == 0 {
            return Err(WeightError::Empty);
        }
        let mut direct = Vec::new();
        if total <= u64::from(DIRECT_MAX_TOTAL) && weights.len() <= 256 {
            for (i, &w) in weights.iter().enumerate() {
                // i < 256 was just checked.
                direct.extend(std::iter::repeat_n(i as u8, w as usize));
            }
        }
        Ok(Self { cumulative, direct })
    }

    /// The sum of all weights.
    pub fn total(&self) -> u32 {
        // invariant: `new` rejects empty tables, so there is a last element.
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// Picks an index with probability `weights[i] / total`.
    pub fn pick<D: Draw + ?Sized>(&self, rng: &mut D) -> usize {
        let r = rng.below(self.total());
        match self.direct.get(r as usize) {
            Some(&i) => usize::from(i),
            // First index whose cumulative sum exceeds r.
            None => self.cumulative.partition_point(|&c| c <= r),
        }
    }
}

/// One-off weighted pick; build a [`WeightedTable`] when sampling the same
/// weights repeatedly.
///
/// # Errors
/// As [`WeightedTable::new`].
pub fn pick_weighted<D: Draw + ?Sized>(rng: &mut D, weights: &[u32]) -> Result<usize, WeightError> {
    Ok(WeightedTable::new(weights)?.pick(rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_word_accepts_exactly_floor_domain_over_n_per_outcome() {
        for n in 1u16..=300 {
            let mut counts = vec![0u32; n as usize];
            for w in 0u16..=u16::MAX {
                if let Some(v) = map_word(w, n) {
                    counts[v as usize] += 1;
                }
            }
            let expected = (1u32 << 16) / u32::from(n);
            assert!(counts.iter().all(|&c| c == expected), "n={n}: {counts:?}");
        }
    }

    /// Hands out the given values as draws.
    struct Fixed(std::vec::IntoIter<u32>);

    impl Draw for Fixed {
        fn below(&mut self, n: u32) -> u32 {
            let v = self.0.next().unwrap_or(0);
            assert!(v < n);
            v
        }
    }

    #[test]
    fn direct_lookup_picks_what_the_search_picks_for_every_draw() {
        // Zero weights in the middle and at the ends; a table just at the
        // direct limit and one just past it (searched).
        let tables: [Vec<u32>; 4] = [
            vec![0, 3, 0, 0, 5, 1, 0],
            vec![20, 20, 20, 12, 8, 6, 5, 5, 17, 20, 20, 20, 12, 8, 6, 5, 5, 17],
            vec![1000, 1000, 1000, 1096],
            vec![1000, 1000, 1000, 1097],
        ];
        for weights in &tables {
            let table = WeightedTable::new(weights).unwrap();
            let total = table.total();
            assert_eq!(table.direct.is_empty(), total > DIRECT_MAX_TOTAL, "{weights:?}");
            let mut draws = Fixed((0..total).collect::<Vec<_>>().into_iter());
            for r in 0..total {
                let searched = table.cumulative.partition_point(|&c| c <= r);
                assert_eq!(table.pick(&mut draws), searched, "draw {r} of {weights:?}");
                assert!(weights[searched] > 0);
            }
        }
    }

    #[test]
    fn weighted_table_rejects_bad_weights() {
        assert_eq!(WeightedTable::new(&[]), Err(WeightError::Empty));
        assert_eq!(WeightedTable::new(&[0, 0]), Err(WeightError::Empty));
        assert_eq!(WeightedTable::new(&[u32::MAX, 1]), Err(WeightError::TooLarge(1u64 << 32)));
    }
}
