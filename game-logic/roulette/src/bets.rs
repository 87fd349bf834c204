//! Bet spots of the European layout, their validation and their payouts.
//!
//! A spot covers a set of numbers (a 37-bit mask). A winning spot returns
//! `stake * 36 / covered` (stake included): 35:1 for a straight up to 1:1 for
//! an even-money bet, so every spot's RTP is exactly 36/37. Only legal groups
//! are accepted: a split of two numbers that do not touch on the layout, a
//! corner that is not a square, and so on, are rejected.

use serde::{Deserialize, Serialize};

/// The red numbers of the European wheel; every other number but 0 is black.
pub const RED: [u8; 18] = [1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36];

/// Where a bet is placed. Number groups are given as the numbers they cover,
/// in any order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Spot {
    /// One number, 0–36. Pays 35:1.
    Straight {
        /// The number.
        number: u8,
    },
    /// Two numbers next to each other on the layout (or 0 with 1, 2 or 3). Pays 17:1.
    Split {
        /// The numbers.
        numbers: [u8; 2],
    },
    /// A row of three (or the trios 0-1-2 and 0-2-3). Pays 11:1.
    Street {
        /// The numbers.
        numbers: [u8; 3],
    },
    /// A square of four (or 0-1-2-3, "first four"). Pays 8:1.
    Corner {
        /// The numbers.
        numbers: [u8; 4],
    },
    /// Two adjacent rows of three. Pays 5:1.
    SixLine {
        /// The numbers.
        numbers: [u8; 6],
    },
    /// A column, 1–3 (column 1 is 1, 4, ..., 34). Pays 2:1.
    Column {
        /// Which column.
        column: u8,
    },
    /// A dozen, 1–3 (1–12, 13–24, 25–36). Pays 2:1.
    Dozen {
        /// Which dozen.
        dozen: u8,
    },
    /// The 18 red numbers. Pays 1:1.
    Red,
    /// The 18 black numbers. Pays 1:1.
    Black,
    /// Odd numbers 1–35. Pays 1:1.
    Odd,
    /// Even numbers 2–36 (not 0). Pays 1:1.
    Even,
    /// 1–18. Pays 1:1.
    Low,
    /// 19–36. Pays 1:1.
    High,
}

fn mask_of(numbers: &[u8]) -> u64 {
    numbers.iter().fold(0, |m, &n| m | 1 << n)
}

/// The outside bets' masks, computed once at compile time (they are on the
/// hot path of every spin).
const fn outside_mask(kind: u8) -> u64 {
    let mut mask = 0u64;
    let mut n = 1u8;
    while n <= 36 {
        let mut red = false;
        let mut i = 0;
        while i < RED.len() {
            red |= RED[i] == n;
            i += 1;
        }
        let hit = match kind {
            0 => red,
            1 => !red,
            2 => n % 2 == 1,
            3 => n.is_multiple_of(2),
            4 => n <= 18,
            5 => n >= 19,
            6..=8 => (n - 1) % 3 == kind - 6,
            _ => (n - 1) / 12 == kind - 9,
        };
        if hit {
            mask |= 1 << n;
        }
        n += 1;
    }
    mask
}
const RED_MASK: u64 = outside_mask(0);
const BLACK_MASK: u64 = outside_mask(1);
const ODD_MASK: u64 = outside_mask(2);
const EVEN_MASK: u64 = outside_mask(3);
const LOW_MASK: u64 = outside_mask(4);
const HIGH_MASK: u64 = outside_mask(5);
const COLUMN_MASKS: [u64; 3] = [outside_mask(6), outside_mask(7), outside_mask(8)];
const DOZEN_MASKS: [u64; 3] = [outside_mask(9), outside_mask(10), outside_mask(11)];

/// Sorted copy of a group, or `None` if a number repeats or exceeds 36.
fn sorted<const N: usize>(numbers: [u8; N]) -> Option<[u8; N]> {
    let mut s = numbers;
    s.sort_unstable();
    let distinct = s.windows(2).all(|w| w[0] < w[1]);
    (distinct && s.iter().all(|&n| n <= 36)).then_some(s)
}

/// Column of a number 1–36, from 0 (the column of 1) to 2.
fn col(n: u8) -> u8 {
    (n - 1) % 3
}

impl Spot {
    /// The kind of bet, as the wire's `type` names it (`straight`, `red`).
    pub fn kind(&self) -> &'static str {
        match self {
            Spot::Straight { .. } => "straight",
            Spot::Split { .. } => "split",
            Spot::Street { .. } => "street",
            Spot::Corner { .. } => "corner",
            Spot::SixLine { .. } => "six_line",
            Spot::Column { .. } => "column",
            Spot::Dozen { .. } => "dozen",
            Spot::Red => "red",
            Spot::Black => "black",
            Spot::Odd => "odd",
            Spot::Even => "even",
            Spot::Low => "low",
            Spot::High => "high",
        }
    }

    /// The numbers this spot covers, as a mask (bit `n` for number `n`), or
    /// `None` if the spot is not a legal group.
    pub fn coverage(&self) -> Option<u64> {
        match *self {
            Spot::Straight { number } => (number <= 36).then(|| 1 << number),
            Spot::Split { numbers } => sorted(numbers)
                .filter(|&[a, b]| {
                    (a == 0 && (1..=3).contains(&b)) || (a >= 1 && (b == a + 3 || (b == a + 1 && col(a) != 2)))
                })
                .map(|s| mask_of(&s)),
            Spot::Street { numbers } => sorted(numbers)
                .filter(|&[a, b, c]| {
                    [a, b, c] == [0, 1, 2]
                        || [a, b, c] == [0, 2, 3]
                        || (a >= 1 && col(a) == 0 && b == a + 1 && c == a + 2)
                })
                .map(|s| mask_of(&s)),
            Spot::Corner { numbers } => sorted(numbers)
                .filter(|&[a, b, c, d]| {
                    [a, b, c, d] == [0, 1, 2, 3] || (a >= 1 && col(a) != 2 && b == a + 1 && c == a + 3 && d == a + 4)
                })
                .map(|s| mask_of(&s)),
            Spot::SixLine { numbers } => sorted(numbers)
                .filter(|s| s[0] >= 1 && col(s[0]) == 0 && s.iter().zip(s[0]..).all(|(&n, want)| n == want))
                .map(|s| mask_of(&s)),
            Spot::Column { column } => COLUMN_MASKS.get(usize::from(column).wrapping_sub(1)).copied(),
            Spot::Dozen { dozen } => DOZEN_MASKS.get(usize::from(dozen).wrapping_sub(1)).copied(),
            Spot::Red => Some(RED_MASK),
            Spot::Black => Some(BLACK_MASK),
            Spot::Odd => Some(ODD_MASK),
            Spot::Even => Some(EVEN_MASK),
            Spot::Low => Some(LOW_MASK),
            Spot::High => Some(HIGH_MASK),
        }
    }

    /// What a winning stake returns, stake included, as a multiple of it:
    /// `36 / covered` (36 for a straight, 2 for even money).
    pub fn return_multiple(mask: u64) -> i64 {
        // A legal mask covers 1, 2, 3, 4, 6, 12 or 18 numbers: all divide 36.
        36 / i64::from(mask.count_ones().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every legal spot on the layout, found by brute force over all groups.
    fn all_legal() -> Vec<(Spot, u64)> {
        let mut spots = vec![];
        let n = 0u8..=36;
        for a in n.clone() {
            spots.push(Spot::Straight { number: a });
            for b in a + 1..=36 {
                spots.push(Spot::Split { numbers: [a, b] });
                for c in b + 1..=36 {
                    spots.push(Spot::Street { numbers: [a, b, c] });
                }
            }
            if a <= 33 {
                spots.push(Spot::Corner { numbers: [a, a + 1, a + 3, a + 4] });
                spots.push(Spot::Corner { numbers: [a, a + 1, a + 2, a + 3] });
            }
            if a <= 31 {
                spots.push(Spot::SixLine { numbers: [a, a + 1, a + 2, a + 3, a + 4, a + 5] });
            }
        }
        for k in 0..=4 {
            spots.push(Spot::Column { column: k });
            spots.push(Spot::Dozen { dozen: k });
        }
        spots.extend([Spot::Red, Spot::Black, Spot::Odd, Spot::Even, Spot::Low, Spot::High]);
        spots.into_iter().filter_map(|s| s.coverage().map(|m| (s, m))).collect()
    }

    #[test]
    fn the_layout_has_the_standard_number_of_each_group() {
        let spots = all_legal();
        let count = |f: fn(&Spot) -> bool| spots.iter().filter(|(s, _)| f(s)).count();
        assert_eq!(count(|s| matches!(s, Spot::Straight { .. })), 37);
        assert_eq!(count(|s| matches!(s, Spot::Split { .. })), 57 + 3);
        assert_eq!(count(|s| matches!(s, Spot::Street { .. })), 12 + 2);
        assert_eq!(count(|s| matches!(s, Spot::Corner { .. })), 22 + 1);
        assert_eq!(count(|s| matches!(s, Spot::SixLine { .. })), 11);
        assert_eq!(count(|s| matches!(s, Spot::Column { .. } | Spot::Dozen { .. })), 6);
    }

    #[test]
    fn every_spot_returns_exactly_36_over_37() {
        for (spot, mask) in all_legal() {
            let total: i64 = (0..37).filter(|n| mask & 1 << n != 0).map(|_| Spot::return_multiple(mask)).sum();
            assert_eq!(total, 36, "{spot:?}");
        }
    }

    #[test]
    fn illegal_groups_are_refused() {
        for spot in [
            Spot::Straight { number: 37 },
            // Found by the game_action fuzz target: 1 << 74 overflowed
            // before the range was checked (a panic where overflow is checked).
            Spot::Straight { number: 74 },
            Spot::Straight { number: 255 },
            Spot::Split { numbers: [3, 4] },
            Spot::Split { numbers: [1, 5] },
            Spot::Split { numbers: [0, 4] },
            Spot::Split { numbers: [7, 7] },
            Spot::Street { numbers: [2, 3, 4] },
            Spot::Street { numbers: [0, 1, 3] },
            Spot::Corner { numbers: [3, 4, 6, 7] },
            Spot::Corner { numbers: [0, 1, 3, 4] },
            Spot::SixLine { numbers: [2, 3, 4, 5, 6, 7] },
            Spot::SixLine { numbers: [34, 35, 36, 37, 38, 39] },
            Spot::Column { column: 0 },
            Spot::Dozen { dozen: 4 },
        ] {
            assert_eq!(spot.coverage(), None, "{spot:?}");
        }
        assert!(Spot::Split { numbers: [20, 17] }.coverage().is_some(), "order does not matter");
    }

    fn mask_where(pred: impl Fn(u8) -> bool) -> u64 {
        (1..=36).filter(|&n| pred(n)).fold(0, |m, n| m | 1 << n)
    }

    #[test]
    fn compile_time_masks_match_their_definitions() {
        assert_eq!(RED_MASK, mask_of(&RED));
        assert_eq!(BLACK_MASK, mask_where(|n| !RED.contains(&n)));
        assert_eq!(ODD_MASK, mask_where(|n| n % 2 == 1));
        assert_eq!(EVEN_MASK, mask_where(|n| n % 2 == 0));
        assert_eq!(LOW_MASK, mask_where(|n| n <= 18));
        assert_eq!(HIGH_MASK, mask_where(|n| n >= 19));
        for k in 1..=3u8 {
            assert_eq!(COLUMN_MASKS[usize::from(k) - 1], mask_where(|n| col(n) + 1 == k));
            assert_eq!(DOZEN_MASKS[usize::from(k) - 1], mask_where(|n| (n - 1) / 12 + 1 == k));
        }
    }

    #[test]
    fn outside_bets_cover_the_right_numbers() {
        let cover = |s: Spot| s.coverage().map(u64::count_ones);
        for s in [Spot::Red, Spot::Black, Spot::Odd, Spot::Even, Spot::Low, Spot::High] {
            assert_eq!(cover(s), Some(18), "{s:?}");
            assert_eq!(s.coverage().unwrap_or(1) & 1, 0, "{s:?} loses on zero");
        }
        assert_eq!(Spot::Red.coverage().unwrap_or(0) & Spot::Black.coverage().unwrap_or(0), 0);
        assert_eq!(
            Spot::Column { column: 1 }.coverage(),
            Some(mask_of(&[1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34]))
        );
        assert_eq!(Spot::Dozen { dozen: 3 }.coverage(), Some(mask_where(|n| n >= 25)));
    }
}
