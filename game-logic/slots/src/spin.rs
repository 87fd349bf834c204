//! One spin: reel stops to window, and the window to wins.
//!
//! Lines pay left to right from the first reel. A wild substitutes for every
//! regular symbol; a line pays the better of its run of wilds (as wilds) and
//! its run of the first non-wild symbol (wilds included). A scatter never
//! substitutes and breaks a line; scatters pay anywhere in the window, times
//! the total bet.

use croupier_rng::{Draw, WeightedTable};
use serde::{Deserialize, Serialize};

use crate::config::{Config, FreeSpins, Kind, REELS, ROWS};

/// The symbols shown: `window[reel][row]`.
pub type Window = [[u8; ROWS]; REELS];

/// A winning line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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

/// A validated [`Config`] laid out for play: strips as symbol bytes (with
/// the first rows repeated at the end, so a window never wraps), symbol kinds
/// as bit sets and the weighted tables ready, so a spin never looks at the
/// config itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    tables: Vec<WeightedTable>,
    strips: Vec<Vec<u8>>,
    /// Bit `s` set: symbol `s` is wild (resp. regular).
    wild: u64,
    regular: u64,
    pays: Vec<[i64; REELS]>,
    lines: Vec<[u8; REELS]>,
    /// The scatter symbol and its pays (times the total bet, in line bets).
    scatter: Option<(u8, [i64; REELS])>,
}

impl Machine {
    /// Prepares `config`, which must have passed [`Config::validate`].
    pub fn new(config: &Config) -> Self {
        let bits = |kind: Kind| {
            config.symbols.iter().enumerate().filter(|(_, s)| s.kind == kind).fold(0u64, |m, (i, _)| m | 1 << i)
        };
        let scatter = config.symbols.iter().position(|s| s.kind == Kind::Scatter);
        Self {
            // invariant: validate checked every strip's weights.
            tables: (config.reels.iter())
                .filter_map(|strip| WeightedTable::new(&strip.iter().map(|s| s.weight).collect::<Vec<_>>()).ok())
                .collect(),
            strips: (config.reels.iter())
                .map(|strip| strip.iter().chain(&strip[..ROWS - 1]).map(|s| s.symbol).collect())
                .collect(),
            wild: bits(Kind::Wild),
            regular: bits(Kind::Regular),
            pays: config.symbols.iter().map(|s| s.pays).collect(),
            lines: config.lines.clone(),
            scatter: scatter.map(|i| (i as u8, config.symbols[i].pays)),
        }
    }

    /// Draws the five stops, one weighted pick per reel.
    pub fn draw_stops(&self, rng: &mut (impl Draw + ?Sized)) -> [u32; REELS] {
        let mut stops = [0u32; REELS];
        for (stop, table) in stops.iter_mut().zip(&self.tables) {
            // A strip has far fewer than 2^32 stops (validated weights fit u32).
            *stop = table.pick(rng) as u32;
        }
        stops
    }

    /// The window for the given stops (each stop shows itself and the next two).
    pub fn window(&self, stops: &[u32; REELS]) -> Window {
        std::array::from_fn(|reel| {
            let at = stops[reel] as usize;
            std::array::from_fn(|row| self.strips[reel][at + row])
        })
    }

    /// The paying run of a line's symbols (up to five, from reel 1):
    /// (symbol, length, pay in line bets), or `None` when it pays nothing.
    pub fn line_pay(&self, symbols: &[u8]) -> Option<(u8, u8, i64)> {
        let is = |set: u64, s: u8| set >> s & 1 != 0;
        // Most lines end here: no line symbol pays fewer than three (the
        // config is validated so), so with no wild on the first three reels
        // those three must match.
        if let [a, b, c, ..] = *symbols
            && (self.wild >> a | self.wild >> b | self.wild >> c) & 1 == 0
            && (a != b || b != c)
        {
            return None;
        }
        let pay = |s: u8, n: usize| self.pays[usize::from(s)][n - 1];
        let wilds = symbols.iter().take_while(|&&s| is(self.wild, s)).count();
        let mut best = (wilds > 0).then(|| (symbols[0], wilds as u8, pay(symbols[0], wilds)));
        if let Some(&first) = symbols.get(wilds)
            && is(self.regular, first)
        {
            let run = wilds + 1 + symbols[wilds + 1..].iter().take_while(|&&s| s == first || is(self.wild, s)).count();
            let p = pay(first, run);
            if best.is_none_or(|(_, _, b)| p > b) {
                best = Some((first, run as u8, p));
            }
        }
        best.filter(|&(_, _, p)| p > 0)
    }

    /// Scatters anywhere in `w`.
    pub fn scatters(&self, w: &Window) -> u8 {
        self.scatter.map_or(0, |(scatter, _)| w.iter().flatten().filter(|&&s| s == scatter).count() as u8)
    }

    /// The lines of `w` that may pay, as bits (bit `i`: line `i`). Most lines
    /// fail the first check of [`Machine::line_pay`] (no wild on the first
    /// three reels, and those three differ), which looks at the first three
    /// reels only; that check is made here for every line without a branch.
    pub fn open_lines(&self, w: &Window) -> u64 {
        let mut open = 0u64;
        let is_wild = |s: u8| self.wild >> s & 1 != 0;
        for (i, line) in self.lines.iter().enumerate() {
            let [a, b, c] = std::array::from_fn(|reel| w[reel][usize::from(line[reel]) % ROWS]);
            let look = is_wild(a) | is_wild(b) | is_wild(c) | ((a == b) & (b == c));
            // Config::validate allows at most 64 lines.
            open |= u64::from(look) << (i & 63);
        }
        open
    }

    /// Calls `paid(line, symbol, count, pays)` for each paying line of `w`
    /// among the `open` ones.
    fn paying_lines(&self, w: &Window, mut open: u64, mut paid: impl FnMut(usize, u8, u8, i64)) {
        while open != 0 {
            let i = open.trailing_zeros() as usize;
            open &= open - 1;
            let Some(line) = self.lines.get(i) else { break };
            let symbols: [u8; REELS] = std::array::from_fn(|reel| w[reel][usize::from(line[reel]) % ROWS]);
            if let Some((symbol, count, pays)) = self.line_pay(&symbols) {
                paid(i, symbol, count, pays);
            }
        }
    }

    /// [`Machine::open_lines`] for every stop of the first three reels, for
    /// the simulator: one look-up per spin instead of a pass over the lines.
    /// `None` when the table would pass 2^20 entries (8 MiB).
    pub fn open_lines_table(&self) -> Option<OpenLines> {
        let lens: [usize; 3] = std::array::from_fn(|reel| self.strips[reel].len() + 1 - ROWS);
        let entries = lens.iter().try_fold(1usize, |n, &len| n.checked_mul(len)).filter(|&n| n <= 1 << 20)?;
        let mut masks = Vec::with_capacity(entries);
        for s0 in 0..lens[0] {
            for s1 in 0..lens[1] {
                for s2 in 0..lens[2] {
                    // Reels 4 and 5 do not matter to the check.
                    masks.push(self.open_lines(&self.window(&[s0 as u32, s1 as u32, s2 as u32, 0, 0])));
                }
            }
        }
        Some(OpenLines { masks, strides: [lens[1] * lens[2], lens[2]] })
    }

    /// The win of `line_units` line bets plus `n` scatters, at `line_bet`
    /// and `multiplier`.
    fn total_win(&self, line_units: i64, n: u8, line_bet: i64, multiplier: i64) -> i64 {
        let scatter_units = match self.scatter {
            Some((_, pays)) if n > 0 => pays[usize::from(n) - 1] * self.lines.len() as i64,
            _ => 0,
        };
        // invariant: Config::validate bounds the largest win so this cannot overflow.
        (line_units + scatter_units) * line_bet * multiplier
    }

    /// Evaluates the spin at `stops` for `line_bet`, with win `multiplier`.
    /// Free spins are not awarded here (the caller applies the cap).
    pub fn evaluate(&self, stops: [u32; REELS], line_bet: i64, multiplier: i64) -> SpinResult {
        let w = self.window(&stops);
        let mut lines = Vec::new();
        let mut line_units = 0i64;
        self.paying_lines(&w, self.open_lines(&w), |i, symbol, count, pays| {
            line_units += pays;
            lines.push(LineWin { line: i as u8, symbol, count, pays });
        });
        let n = self.scatters(&w);
        let win = self.total_win(line_units, n, line_bet, multiplier);
        SpinResult { stops, window: w, lines, scatters: n, win, free_spins_awarded: 0 }
    }

    /// What [`Machine::evaluate`] would find, win and scatters only: the
    /// simulator's evaluation, which keeps nothing else. With `table`
    /// ([`Machine::open_lines_table`]) the open lines are looked up.
    pub fn win(&self, stops: [u32; REELS], line_bet: i64, multiplier: i64, table: Option<&OpenLines>) -> Win {
        let w = self.window(&stops);
        let open = table.and_then(|t| t.get(&stops)).unwrap_or_else(|| self.open_lines(&w));
        let mut line_units = 0i64;
        self.paying_lines(&w, open, |_, _, _, pays| line_units += pays);
        let scatters = self.scatters(&w);
        Win { win: self.total_win(line_units, scatters, line_bet, multiplier), scatters }
    }

    /// Plays a paid spin at `line_bet` and every free spin it triggers, in
    /// draw order, each spin evaluated by `eval` ([`Machine::evaluate`] or
    /// [`Machine::win`]). Hands each free spin to `free` and returns the paid
    /// spin and the total win of all of them.
    pub fn play<E: Evaluated>(
        &self,
        f: &FreeSpins,
        line_bet: i64,
        rng: &mut (impl Draw + ?Sized),
        eval: impl Fn(&Self, [u32; REELS], i64, i64) -> E,
        mut free: impl FnMut(E),
    ) -> (E, i64) {
        let mut spin = eval(self, self.draw_stops(rng), line_bet, 1);
        let mut awarded = 0u32;
        if spin.scatters() >= f.min_scatters {
            awarded = f.award;
            spin.award(f.award);
        }
        let mut total = spin.win();
        let mut left = awarded;
        while left > 0 {
            left -= 1;
            let mut next = eval(self, self.draw_stops(rng), line_bet, f.multiplier);
            if next.scatters() >= f.min_scatters {
                let add = f.award.min(f.cap - awarded);
                awarded += add;
                left += add;
                next.award(add);
            }
            total += next.win();
            free(next);
        }
        (spin, total)
    }
}

/// [`Machine::open_lines`] by the stops of the first three reels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLines {
    masks: Vec<u64>,
    strides: [usize; 2],
}

impl OpenLines {
    fn get(&self, stops: &[u32; REELS]) -> Option<u64> {
        let [a, b, c, ..] = stops.map(|s| s as usize);
        self.masks.get(a * self.strides[0] + b * self.strides[1] + c).copied()
    }
}

/// A spin's win and scatters, nothing else ([`Machine::win`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Win {
    /// Total win in minor units (multiplier included).
    pub win: i64,
    /// Scatters in the window.
    pub scatters: u8,
}

/// A spin's evaluation, in full or as its win alone.
pub trait Evaluated {
    /// Its win, minor units.
    fn win(&self) -> i64;
    /// Scatters in its window.
    fn scatters(&self) -> u8;
    /// Records the free spins it awarded.
    fn award(&mut self, spins: u32);
}

impl Evaluated for SpinResult {
    fn win(&self) -> i64 {
        self.win
    }
    fn scatters(&self) -> u8 {
        self.scatters
    }
    fn award(&mut self, spins: u32) {
        self.free_spins_awarded = spins;
    }
}

impl Evaluated for Win {
    fn win(&self) -> i64 {
        self.win
    }
    fn scatters(&self) -> u8 {
        self.scatters
    }
    fn award(&mut self, _spins: u32) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_pay_left_to_right_with_wild_substitution() {
        let m = Machine::new(&Config::default());
        let line_pay = |symbols: &[u8]| m.line_pay(symbols);
        // 0 cherry, 6 seven, 7 wild, 8 star.
        assert_eq!(line_pay(&[0, 0, 0, 1, 1]), Some((0, 3, 5)));
        assert_eq!(line_pay(&[7, 0, 0, 0, 0]), Some((0, 5, 50)));
        assert_eq!(line_pay(&[0, 0, 1, 0, 0]), None, "two of a kind pays nothing");
        assert_eq!(line_pay(&[1, 0, 0, 0, 0]), None, "runs start on reel 1");
        // Three wilds then sevens: 5 sevens (1000) beat 3 wilds (50).
        assert_eq!(line_pay(&[7, 7, 7, 6, 6]), Some((6, 5, 1000)));
        // Three wilds then cherries: 3 wilds (50) beat 5 cherries (50)? Equal: wilds kept.
        assert_eq!(line_pay(&[7, 7, 7, 0, 0]), Some((7, 3, 50)));
        // Four wilds then a cherry: 4 wilds (250) beat 5 cherries (50).
        assert_eq!(line_pay(&[7, 7, 7, 7, 0]), Some((7, 4, 250)));
        assert_eq!(line_pay(&[7, 7, 7, 7, 7]), Some((7, 5, 2500)));
        // A scatter breaks the line and never substitutes.
        assert_eq!(line_pay(&[0, 8, 0, 0, 0]), None);
        assert_eq!(line_pay(&[7, 7, 8, 0, 0]), None);
        assert_eq!(line_pay(&[8, 8, 8, 8, 8]), None);
    }
}
