//! The exact theoretical RTP and hit frequency of a machine.
//!
//! Not estimated: the base game is computed by enumeration over the reel
//! strips' stop weights, and the free-spin feature is solved analytically.
//!
//! - Line return: for each line, the probability of every 5-tuple of symbols
//!   on its rows (reels are independent) times that tuple's pay.
//! - Scatter return and trigger probability: the distribution of the scatter
//!   count is the convolution of each reel's chance of showing a scatter.
//! - Free spins: the expected number of spins a trigger plays, with
//!   retriggers and the cap, by dynamic programming over (spins left, spins
//!   awarded); by Wald's identity the feature returns that many times the
//!   expected return of one free spin (the base return times the multiplier).
//! - Hit frequency (share of paid spins that win anything): enumerated over
//!   the stops of reels 1–3, since every line win is decided by them, with the
//!   scatter count of reels 4–5 convolved in.

use serde::Serialize;

use crate::config::{Config, Kind, REELS, ROWS};
use crate::spin::Machine;

/// A machine's theoretical figures, per unit of total bet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rtp {
    /// Line wins of one paid spin.
    pub base_lines: f64,
    /// Scatter wins of one paid spin.
    pub base_scatters: f64,
    /// Chance a paid spin triggers free spins.
    pub trigger_probability: f64,
    /// Free spins played per trigger, retriggers and cap included.
    pub expected_free_spins: f64,
    /// Return of one free spin (multiplier included).
    pub free_spin_return: f64,
    /// The total: base + trigger probability x free spins x free spin return.
    pub total: f64,
    /// Share of paid spins that win something (or trigger free spins).
    pub hit_frequency: f64,
}

/// P(symbol `s` shows at `row`) for each reel: `dist[reel][row][s]`.
fn symbol_distribution(c: &Config) -> Vec<[Vec<f64>; ROWS]> {
    c.reels
        .iter()
        .map(|strip| {
            let total: f64 = strip.iter().map(|s| f64::from(s.weight)).sum();
            std::array::from_fn(|row| {
                let mut p = vec![0.0; c.symbols.len()];
                for (k, stop) in strip.iter().enumerate() {
                    p[usize::from(strip[(k + row) % strip.len()].symbol)] += f64::from(stop.weight) / total;
                }
                p
            })
        })
        .collect()
}

/// P(reel shows a scatter) per reel (at most one per window, by validation).
fn scatter_chance(c: &Config) -> Vec<f64> {
    let is_scatter = |s: u8| c.symbols[usize::from(s)].kind == Kind::Scatter;
    c.reels
        .iter()
        .map(|strip| {
            let total: f64 = strip.iter().map(|s| f64::from(s.weight)).sum();
            (0..strip.len())
                .filter(|&k| (0..ROWS).any(|r| is_scatter(strip[(k + r) % strip.len()].symbol)))
                .map(|k| f64::from(strip[k].weight) / total)
                .sum()
        })
        .collect()
}

/// Distribution of the number of reels (among `chances`) showing a scatter.
fn convolve(chances: &[f64]) -> Vec<f64> {
    let mut dist = vec![1.0];
    for &q in chances {
        let mut next = vec![0.0; dist.len() + 1];
        for (n, &p) in dist.iter().enumerate() {
            next[n] += p * (1.0 - q);
            next[n + 1] += p * q;
        }
        dist = next;
    }
    dist
}

/// Expected free spins played per trigger.
pub fn expected_free_spins(award: u32, cap: u32, p: f64) -> f64 {
    let cap = cap as usize;
    // e[a][r]: expected spins still to play with r left after a awarded so far.
    let mut e = vec![vec![0.0; cap + 1]; cap + 1];
    for a in (award as usize..=cap).rev() {
        let add = (award as usize).min(cap - a);
        for r in 1..=a {
            let retrigger = if add > 0 { e[a + add][r - 1 + add] } else { e[a][r - 1] };
            e[a][r] = 1.0 + p * retrigger + (1.0 - p) * e[a][r - 1];
        }
    }
    e[award as usize][award as usize]
}

/// The machine's exact theoretical RTP and hit frequency.
pub fn exact(c: &Config) -> Rtp {
    let lines = c.lines.len() as f64;
    let machine = Machine::new(c);
    let dist = symbol_distribution(c);
    let n_sym = c.symbols.len();
    // Line return, in line bets, summed over lines, then per total bet.
    let mut line_units = 0.0;
    for line in &c.lines {
        let p = |reel: usize| &dist[reel][usize::from(line[reel])];
        let mut symbols = [0u8; REELS];
        for code in 0..n_sym.pow(REELS as u32) {
            let mut rest = code;
            let mut prob = 1.0;
            for (reel, s) in symbols.iter_mut().enumerate() {
                *s = (rest % n_sym) as u8;
                rest /= n_sym;
                prob *= p(reel)[usize::from(*s)];
            }
            if prob > 0.0
                && let Some((_, _, pays)) = machine.line_pay(&symbols)
            {
                line_units += prob * pays as f64;
            }
        }
    }
    let base_lines = line_units / lines;

    let chances = scatter_chance(c);
    let count = convolve(&chances);
    let scatter_pays = c.symbols.iter().find(|s| s.kind == Kind::Scatter).map(|s| s.pays);
    let base_scatters: f64 = match scatter_pays {
        Some(pays) => count.iter().enumerate().skip(1).map(|(n, p)| p * pays[n - 1] as f64).sum(),
        None => 0.0,
    };
    let f = &c.free_spins;
    let trigger_probability: f64 =
        if scatter_pays.is_some() { count.iter().skip(usize::from(f.min_scatters)).sum() } else { 0.0 };
    let expected = expected_free_spins(f.award, f.cap, trigger_probability);
    let free_spin_return = (base_lines + base_scatters) * f.multiplier as f64;
    Rtp {
        base_lines,
        base_scatters,
        trigger_probability,
        expected_free_spins: expected,
        free_spin_return,
        total: base_lines + base_scatters + trigger_probability * expected * free_spin_return,
        hit_frequency: hit_frequency(c, &machine, &chances, scatter_pays),
    }
}

fn hit_frequency(c: &Config, machine: &Machine, chances: &[f64], scatter_pays: Option<[i64; REELS]>) -> f64 {
    // Fewest scatters that win anything.
    let threshold = scatter_pays.map_or(usize::MAX, |pays| {
        (1..=REELS).find(|&n| pays[n - 1] > 0 || n >= usize::from(c.free_spins.min_scatters)).unwrap_or(usize::MAX)
    });
    let last_two = convolve(&chances[3..]);
    let is_scatter = |s: u8| c.symbols[usize::from(s)].kind == Kind::Scatter;
    let totals: Vec<f64> = c.reels.iter().map(|s| s.iter().map(|x| f64::from(x.weight)).sum()).collect();
    let (r0, r1, r2) = (&c.reels[0], &c.reels[1], &c.reels[2]);
    let sym = |strip: &[crate::config::Stop], k: usize, row: u8| strip[(k + usize::from(row)) % strip.len()].symbol;
    let mut hit = 0.0;
    for (a, sa) in r0.iter().enumerate() {
        for (b, sb) in r1.iter().enumerate() {
            for (d, sd) in r2.iter().enumerate() {
                let p = f64::from(sa.weight) / totals[0] * f64::from(sb.weight) / totals[1] * f64::from(sd.weight)
                    / totals[2];
                let line_win = c.lines.iter().any(|l| {
                    let prefix = [sym(r0, a, l[0]), sym(r1, b, l[1]), sym(r2, d, l[2])];
                    machine.line_pay(&prefix).is_some_and(|(_, n, _)| n >= 3)
                });
                if line_win {
                    hit += p;
                    continue;
                }
                let shown = (0..ROWS as u8)
                    .flat_map(|r| [sym(r0, a, r), sym(r1, b, r), sym(r2, d, r)])
                    .filter(|&s| is_scatter(s))
                    .count();
                let need = threshold.saturating_sub(shown);
                hit += p * last_two.iter().skip(need).sum::<f64>();
            }
        }
    }
    hit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_spins_without_retrigger_are_the_award() {
        assert_eq!(expected_free_spins(10, 50, 0.0), 10.0);
    }

    #[test]
    fn free_spins_with_certain_retrigger_hit_the_cap() {
        assert!((expected_free_spins(10, 50, 1.0) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn uncapped_retriggers_approach_the_geometric_mean() {
        // Without a cap, E = award / (1 - award * p) when award * p < 1.
        let (award, p) = (10, 0.01);
        let e = expected_free_spins(award, 2_000, p);
        let geometric = f64::from(award) / (1.0 - f64::from(award) * p);
        assert!((e - geometric).abs() < 1e-6, "{e} vs {geometric}");
    }
}
