//! The exact RTP calculator agrees with brute force: on a small machine every
//! combination of stops is played through the game's own spin evaluation,
//! and the free-spin feature is checked against a direct recursion.

#![allow(clippy::unwrap_used)]

use croupier_slots::config::{REELS, Stop};
use croupier_slots::spin::Machine;
use croupier_slots::{Config, rtp};

/// A small machine: 6 stops per reel, so 6^5 = 7776 combinations.
fn small() -> Config {
    let mut c = Config::default();
    let strips: [[(u8, u32); 6]; REELS] = [
        [(0, 3), (7, 1), (8, 2), (1, 4), (6, 1), (0, 2)],
        [(6, 2), (0, 1), (1, 3), (8, 1), (7, 2), (2, 2)],
        [(0, 1), (6, 3), (8, 2), (2, 1), (0, 2), (7, 1)],
        [(1, 2), (0, 2), (6, 1), (8, 3), (3, 2), (7, 1)],
        [(6, 1), (8, 1), (0, 4), (0, 1), (7, 2), (1, 2)],
    ];
    c.reels = strips.iter().map(|s| s.iter().map(|&(symbol, weight)| Stop { symbol, weight }).collect()).collect();
    c.validate().unwrap();
    c
}

#[test]
fn base_game_and_hit_frequency_match_brute_force() {
    let c = small();
    let totals: Vec<u64> = c.reels.iter().map(|s| s.iter().map(|x| u64::from(x.weight)).sum()).collect();
    let denominator: u64 = totals.iter().product();
    let (mut win_units, mut hits, mut triggers) = (0u128, 0u64, 0u64);
    let mut stops = [0u32; REELS];
    let machine = Machine::new(&c);
    for code in 0..6u32.pow(REELS as u32) {
        let mut rest = code;
        let mut weight = 1u64;
        for (reel, stop) in stops.iter_mut().enumerate() {
            *stop = rest % 6;
            rest /= 6;
            weight *= u64::from(c.reels[reel][*stop as usize].weight);
        }
        // Line bet 1: the win is in line bets.
        let spin = machine.evaluate(stops, 1, 1);
        win_units += u128::from(weight) * spin.win as u128;
        let triggered = spin.scatters >= c.free_spins.min_scatters;
        hits += weight * u64::from(spin.win > 0 || triggered);
        triggers += weight * u64::from(triggered);
    }
    let lines = c.lines.len() as f64;
    let base = win_units as f64 / denominator as f64 / lines;
    let exact = rtp::exact(&c);
    assert!((exact.base_lines + exact.base_scatters - base).abs() < 1e-12, "{exact:?} vs {base}");
    assert!((exact.hit_frequency - hits as f64 / denominator as f64).abs() < 1e-12);
    assert!((exact.trigger_probability - triggers as f64 / denominator as f64).abs() < 1e-12);
    assert!(exact.trigger_probability > 0.01 && exact.base_scatters > 0.0, "the small machine exercises scatters");
}

/// Expected free spins by plain recursion over (left, awarded).
fn recurse(left: u32, awarded: u32, award: u32, cap: u32, p: f64) -> f64 {
    if left == 0 {
        return 0.0;
    }
    let add = award.min(cap - awarded);
    1.0 + p * recurse(left - 1 + add, awarded + add, award, cap, p)
        + (1.0 - p) * recurse(left - 1, awarded, award, cap, p)
}

#[test]
fn free_spin_feature_matches_the_recursion() {
    for (award, cap, p) in [(3, 7, 0.3), (2, 8, 0.5), (4, 4, 0.9), (1, 6, 0.2)] {
        let dp = rtp::expected_free_spins(award, cap, p);
        let direct = recurse(award, award, award, cap, p);
        assert!((dp - direct).abs() < 1e-9, "award {award} cap {cap} p {p}: {dp} vs {direct}");
    }
}

#[test]
fn the_default_machine_is_tuned_to_about_96_percent() {
    let r = rtp::exact(&Config::default());
    assert!((0.955..=0.965).contains(&r.total), "{r:?}");
    let composed = r.base_lines + r.base_scatters + r.trigger_probability * r.expected_free_spins * r.free_spin_return;
    assert!((composed - r.total).abs() < 1e-12);
}
