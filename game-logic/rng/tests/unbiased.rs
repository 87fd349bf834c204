//! Exhaustive unbiasedness: the production mapping code (`below`, `shuffle`,
//! `pick_weighted`) driven by a source that enumerates its whole 8- or 16-bit
//! domain. Every outcome must appear exactly equally often (in proportion to
//! its weight for weighted picks) among the words that are not rejected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_rng::sample::{Word, below_with};
use croupier_rng::{Draw, WeightedTable, shuffle};

/// A source of small words: plays `words` in order, then marks an overrun and
/// answers the all-ones word (which every range accepts), so a run that
/// needed more words than given can be recognised and left out: exactly the
/// runs in which some word was rejected.
struct Enumerated<W> {
    words: Vec<W>,
    next: usize,
    overrun: bool,
}

impl<W: Word> Enumerated<W> {
    fn new(words: Vec<W>) -> Self {
        Self { words, next: 0, overrun: false }
    }
}

macro_rules! draw_for {
    ($w:ty) => {
        impl Draw for Enumerated<$w> {
            fn below(&mut self, n: u32) -> u32 {
                let n = <$w>::try_from(n).expect("range fits the word");
                let words = &self.words;
                let (next, overrun) = (&mut self.next, &mut self.overrun);
                let v = below_with(
                    || match words.get(*next) {
                        Some(&w) => {
                            *next += 1;
                            w
                        }
                        None => {
                            *overrun = true;
                            <$w>::MAX
                        }
                    },
                    n,
                );
                u32::from(v)
            }
        }
    };
}
draw_for!(u8);
draw_for!(u16);

fn counts_over_u16_domain(n: u32, mut f: impl FnMut(&mut Enumerated<u16>) -> usize) -> Vec<u64> {
    let mut counts = vec![0u64; n as usize];
    for w in 0..=u16::MAX {
        let mut src = Enumerated::new(vec![w]);
        let outcome = f(&mut src);
        if !src.overrun {
            counts[outcome] += 1;
        }
    }
    counts
}

#[test]
fn below_is_exactly_uniform_over_the_16_bit_domain() {
    let ranges = (1..=1000).chain([1024, 4093, 32767, 32768, 32769, 65535]);
    for n in ranges {
        let counts = counts_over_u16_domain(n, |src| src.below(n) as usize);
        let expected = 65536 / u64::from(n);
        assert!(
            counts.iter().all(|&c| c == expected),
            "below({n}): counts differ: min {:?} max {:?}",
            counts.iter().min(),
            counts.iter().max()
        );
    }
}

#[test]
fn below_rejects_only_outside_the_equal_zone() {
    // Exactly 2^16 mod n words are discarded; no more.
    for n in [3u32, 37, 52, 1000, 40000] {
        let counts = counts_over_u16_domain(n, |src| src.below(n) as usize);
        let accepted: u64 = counts.iter().sum();
        assert_eq!(65536 - accepted, 65536 % u64::from(n), "n={n}");
    }
}

#[test]
fn pick_weighted_is_exactly_proportional_over_the_16_bit_domain() {
    for weights in [vec![1u32, 2, 3, 5, 0, 7], vec![30, 25, 20, 10, 8, 5, 2], vec![1], vec![0, 0, 9], vec![1000, 1, 1]]
    {
        let table = WeightedTable::new(&weights).unwrap();
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let counts = counts_over_u16_domain(weights.len() as u32, |src| table.pick(src));
        let per_unit = 65536 / total;
        for (i, (&c, &w)) in counts.iter().zip(&weights).enumerate() {
            assert_eq!(c, u64::from(w) * per_unit, "weights {weights:?}, index {i}");
        }
    }
}

#[test]
fn shuffle_of_four_is_exactly_uniform_over_all_8_bit_word_triples() {
    // Fisher–Yates on 4 cards draws below(4), below(3), below(2).
    let mut counts = std::collections::HashMap::<[u8; 4], u64>::new();
    for a in 0..=u8::MAX {
        for b in 0..=u8::MAX {
            for c in 0..=u8::MAX {
                let mut src = Enumerated::new(vec![a, b, c]);
                let mut cards = [0u8, 1, 2, 3];
                shuffle(&mut src, &mut cards);
                if !src.overrun {
                    *counts.entry(cards).or_default() += 1;
                }
            }
        }
    }
    assert_eq!(counts.len(), 24, "every permutation occurs");
    // Accepted words: 256 for below(4), 255 for below(3), 256 for below(2).
    let expected = 256 * 255 * 256 / 24;
    assert!(counts.values().all(|&c| c == expected), "{counts:?}");
}
