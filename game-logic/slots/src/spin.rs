//! One spin: reel stops to window, and the window to wins.
//!
//! Lines pay left to right from the first reel. A wild substitutes for every
//! regular symbol; a line pays the better of its run of wilds (as wilds) and
//! its run of the first non-wild symbol (wilds included). A scatter never
//! substitutes and breaks a line; scatters pay anywhere in the window, times
//! the total bet.

use croupier_rng::{Draw, WeightedTable};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Kind, REELS, ROWS};

/// The symbols shown: `window[reel][row]`.
pub type Window = [[u8; ROWS]; REELS];

/// The window for the given stops (each stop shows itself and the next two).
pub fn window(config: &Config, stops: &[u32; REELS]) -> Window {
    let mut w = [[0u8; ROWS]; REELS];
    for (reel, (strip, &stop)) in config.reels.iter().zip(stops).enumerate() {
        for (row, cell) in w[reel].iter_mut().enumerate() {
            *cell = strip[(stop as usize + row) % strip.len()].symbol;
        }
    }
    w
}

/// Draws the five stops, one weighted pick per reel.
pub fn draw_stops(tables: &[WeightedTable], rng: &mut dyn Draw) -> [u32; REELS] {
    let mut stops = [0u32; REELS];
    for (stop, table) in stops.iter_mut().zip(tables) {
        // A strip has far fewer than 2^32 stops (validated weights fit u32).
        *stop = table.pick(rng) as u32;
    }
    stops
}

/// The paying run of a line's symbols: (symbol, length, pay in line bets).
/// `None` when the line pays nothing.
pub fn line_pay(config: &Config, symbols: &[u8]) -> Option<(u8, u8, i64)> {
    let kind = |s: u8| config.symbols[usize::from(s)].kind;
    let pay = |s: u8, n: usize| {
        if n == 0 { 0 } else { config.symbols[usize::from(s)].pays[n - 1] }
    };
    let wilds = symbols.iter().take_while(|&&s| kind(s) == Kind::Wild).count();
    let mut best = (wilds > 0).then(|| (symbols[0], wilds as u8, pay(symbols[0], wilds)));
    if let Some(&first) = symbols.iter().find(|&&s| kind(s) != Kind::Wild)
        && kind(first) == Kind::Regular
    {
        let run = symbols.iter().take_while(|&&s| s == first || kind(s) == Kind::Wild).count();
        let p = pay(first, run);
        if best.is_none_or(|(_, _, b)| p > b) {
            best = Some((first, run as u8, p));
        }
    }
    best.filter(|&(_, _, p)| p > 0)
}

/// A winning line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineWin {
    /// Line index (0-based, as in the config).
    pub line: u8,
    /// The paying symbol.
    pub symbol: u8,
    /// How many in the run.
    pub count: u8,
    /// Pay in line bets.
    pub pays: i64,
}

/// What one spin showed and won.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpinResult {
    /// Where each reel stopped.
    pub stops: [u32; REELS],
    /// The window.
    pub window: Window,
    /// Winning lines.
    pub lines: Vec<LineWin>,
    /// Scatters in the window.
    pub scatters: u8,
    /// Total win in minor units (multiplier included).
    pub win: i64,
    /// Free spins this spin awarded.
    pub free_spins_awarded: u32,
}

/// Scatters anywhere in `w`.
pub fn scatters(config: &Config, w: &Window) -> u8 {
    w.iter().flatten().filter(|&&s| config.symbols[usize::from(s)].kind == Kind::Scatter).count() as u8
}

/// Evaluates the spin at `stops` for `line_bet`, with win `multiplier`.
/// Free spins are not awarded here (the caller applies the cap).
pub fn evaluate(config: &Config, stops: [u32; REELS], line_bet: i64, multiplier: i64) -> SpinResult {
    let w = window(config, &stops);
    let mut lines = Vec::new();
    let mut line_units = 0i64;
    for (i, line) in config.lines.iter().enumerate() {
        let symbols: [u8; REELS] = std::array::from_fn(|reel| w[reel][usize::from(line[reel])]);
        if let Some((symbol, count, pays)) = line_pay(config, &symbols) {
            line_units += pays;
            lines.push(LineWin { line: i as u8, symbol, count, pays });
        }
    }
    let n = scatters(config, &w);
    let scatter_units = match config.symbols.iter().find(|s| s.kind == Kind::Scatter) {
        Some(s) if n > 0 => s.pays[usize::from(n) - 1] * config.lines.len() as i64,
        _ => 0,
    };
    // invariant: Config::validate bounds the largest win so this cannot overflow.
    let win = (line_units + scatter_units) * line_bet * multiplier;
    SpinResult { stops, window: w, lines, scatters: n, win, free_spins_awarded: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_pay_left_to_right_with_wild_substitution() {
        let c = Config::default();
        // 0 cherry, 6 seven, 7 wild, 8 star.
        assert_eq!(line_pay(&c, &[0, 0, 0, 1, 1]), Some((0, 3, 5)));
        assert_eq!(line_pay(&c, &[7, 0, 0, 0, 0]), Some((0, 5, 50)));
        assert_eq!(line_pay(&c, &[0, 0, 1, 0, 0]), None, "two of a kind pays nothing");
        assert_eq!(line_pay(&c, &[1, 0, 0, 0, 0]), None, "runs start on reel 1");
        // Three wilds then sevens: 5 sevens (1000) beat 3 wilds (50).
        assert_eq!(line_pay(&c, &[7, 7, 7, 6, 6]), Some((6, 5, 1000)));
        // Three wilds then cherries: 3 wilds (50) beat 5 cherries (50)? Equal: wilds kept.
        assert_eq!(line_pay(&c, &[7, 7, 7, 0, 0]), Some((7, 3, 50)));
        // Four wilds then a cherry: 4 wilds (250) beat 5 cherries (50).
        assert_eq!(line_pay(&c, &[7, 7, 7, 7, 0]), Some((7, 4, 250)));
        assert_eq!(line_pay(&c, &[7, 7, 7, 7, 7]), Some((7, 5, 2500)));
        // A scatter breaks the line and never substitutes.
        assert_eq!(line_pay(&c, &[0, 8, 0, 0, 0]), None);
        assert_eq!(line_pay(&c, &[7, 7, 8, 0, 0]), None);
        assert_eq!(line_pay(&c, &[8, 8, 8, 8, 8]), None);
    }
}
