//! A run's running sums: exact money totals (integers) and the per-round
//! moments the RTP interval needs (statistics only, floating point). Merged
//! block by block in block order, so a run's report depends on its seed alone.
//! In math mode the same sums are kept for each of the game's bets.

use serde::Serialize;

use super::Z_999;
use crate::math::{Bet, RoundBets};

/// One bet's measured return (math mode; [`crate::math::MathRounds::bets`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BetReport {
    /// The bet's name.
    pub name: String,
    /// Rounds in which it was staked.
    pub rounds: u64,
    /// Total staked on it, minor units.
    pub staked: i128,
    /// Total it paid back, stake included, minor units.
    pub paid: i128,
    /// `paid / staked`.
    pub rtp: f64,
    /// Lower end of the 99.9% confidence interval of its RTP.
    pub rtp_ci_low: f64,
    /// Upper end of the 99.9% confidence interval of its RTP.
    pub rtp_ci_high: f64,
    /// Its declared RTP.
    pub theoretical_rtp: f64,
    /// Whether `theoretical_rtp` lies inside the interval.
    pub within_ci: bool,
}

impl BetReport {
    pub(super) fn new(bet: &Bet, totals: &Totals) -> Self {
        let (rtp, low, high) = totals.rtp_interval();
        Self {
            name: bet.name.to_owned(),
            rounds: totals.rounds,
            staked: totals.staked,
            paid: totals.paid,
            rtp,
            rtp_ci_low: low,
            rtp_ci_high: high,
            theoretical_rtp: bet.theoretical_rtp,
            within_ci: low <= bet.theoretical_rtp && bet.theoretical_rtp <= high,
        }
    }
}

/// A block's sums: the run's, and (math mode, several bets) each bet's.
#[derive(Debug, Default, Clone)]
pub(super) struct Tally {
    pub(super) total: Totals,
    /// Empty unless the game declares more than one bet (one bet's sums are
    /// the total's).
    pub(super) bets: Vec<Totals>,
}

impl Tally {
    /// Sums for a game of `bets` bets.
    pub(super) fn new(bets: usize) -> Self {
        Self { total: Totals::default(), bets: if bets > 1 { vec![Totals::default(); bets] } else { vec![] } }
    }

    pub(super) fn add_round(&mut self, round: &RoundBets) {
        let total = round.total();
        self.total.add_money(total.staked, total.paid);
        if self.bets.is_empty() {
            return;
        }
        for (bet, money) in round.touched() {
            // A bet counts in the rounds that staked it (or, a game's bug
            // that the figures then show, paid it).
            if money.staked != 0 || money.paid != 0 {
                self.bets[bet].add_money(money.staked, money.paid);
            }
        }
    }

    pub(super) fn merge(&mut self, o: &Tally) {
        self.total.merge(&o.total);
        if self.bets.len() < o.bets.len() {
            self.bets.resize(o.bets.len(), Totals::default());
        }
        for (sums, other) in self.bets.iter_mut().zip(&o.bets) {
            sums.merge(other);
        }
    }

    /// Each of `bets` measured (none in table mode, where `bets` is empty).
    pub(super) fn bet_reports(&self, bets: &[Bet]) -> Vec<BetReport> {
        match bets {
            [one] => vec![BetReport::new(one, &self.total)],
            _ => bets.iter().zip(&self.bets).map(|(bet, sums)| BetReport::new(bet, sums)).collect(),
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Totals {
    pub(super) rounds: u64,
    pub(super) staked: i128,
    pub(super) paid: i128,
    // Per-round sums for the ratio estimator's variance (statistics only).
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Totals {
    pub(super) fn add_round(&mut self, staked: i128, paid: i128) {
        // Through i64 where it fits: a direct i128 conversion is a slow libcall.
        let float = |v: i128| i64::try_from(v).map_or_else(|_| v as f64, |v| v as f64);
        self.add(staked, paid, float(staked), float(paid));
    }

    /// [`Totals::add_round`] for one round's `i64` money (math mode): the
    /// same sums, with no conversion checks on the way.
    #[inline]
    pub(super) fn add_money(&mut self, staked: i64, paid: i64) {
        self.add(i128::from(staked), i128::from(paid), staked as f64, paid as f64);
    }

    #[inline]
    fn add(&mut self, staked: i128, paid: i128, y: f64, x: f64) {
        self.rounds += 1;
        self.staked += staked;
        self.paid += paid;
        self.sx += x;
        self.sy += y;
        self.sxx += x * x;
        self.syy += y * y;
        self.sxy += x * y;
    }

    pub(super) fn merge(&mut self, o: &Totals) {
        self.rounds += o.rounds;
        self.staked += o.staked;
        self.paid += o.paid;
        self.sx += o.sx;
        self.sy += o.sy;
        self.sxx += o.sxx;
        self.syy += o.syy;
        self.sxy += o.sxy;
    }

    /// RTP and its 99.9% interval: the ratio estimator R = sum(paid) /
    /// sum(staked) over rounds, with variance sum((x - R y)^2) / (n (n-1) ybar^2).
    pub(super) fn rtp_interval(&self) -> (f64, f64, f64) {
        if self.rounds < 2 || self.staked == 0 {
            return (f64::NAN, f64::NAN, f64::NAN);
        }
        let n = self.rounds as f64;
        let r = self.paid as f64 / self.staked as f64;
        let ss = (self.sxx - 2.0 * r * self.sxy + r * r * self.syy).max(0.0);
        let ybar = self.sy / n;
        let se = (ss / (n * (n - 1.0))).sqrt() / ybar;
        (r, r - Z_999 * se, r + Z_999 * se)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two bets declared at 100%: `generous` returns 120% and `stingy` 80%,
    /// each paying on every other round it is staked.
    fn two_bets(rounds: u64) -> (Vec<Bet>, Tally) {
        let bets = vec![Bet { name: "generous", theoretical_rtp: 1.0 }, Bet { name: "stingy", theoretical_rtp: 1.0 }];
        let mut tally = Tally::new(bets.len());
        let mut round = RoundBets::new(bets.len());
        for i in 0..rounds {
            round.clear();
            let (bet, win) = if (i / 2) % 2 == 0 { (0, 240) } else { (1, 160) };
            round.add(bet, 100, if i % 2 == 0 { win } else { 0 });
            tally.add_round(&round);
        }
        (bets, tally)
    }

    #[test]
    fn a_miscalibrated_bet_is_caught_though_the_total_is_right() {
        let (bets, tally) = two_bets(40_000);
        let (rtp, low, high) = tally.total.rtp_interval();
        assert!((rtp - 1.0).abs() < 1e-12 && low < 1.0 && 1.0 < high, "{rtp} [{low}, {high}]");
        let reports = tally.bet_reports(&bets);
        assert_eq!(
            reports.iter().map(|r| (r.name.as_str(), r.rounds)).collect::<Vec<_>>(),
            [("generous", 20_000), ("stingy", 20_000)]
        );
        assert!((reports[0].rtp - 1.2).abs() < 1e-12 && !reports[0].within_ci, "{:?}", reports[0]);
        assert!((reports[1].rtp - 0.8).abs() < 1e-12 && !reports[1].within_ci, "{:?}", reports[1]);
        assert_eq!(reports.iter().map(|r| r.staked).sum::<i128>(), tally.total.staked);
        assert_eq!(reports.iter().map(|r| r.paid).sum::<i128>(), tally.total.paid);
    }

    #[test]
    fn merged_blocks_give_the_sums_of_one_block() {
        let (bets, whole) = two_bets(1000);
        let (_, mut half) = two_bets(500);
        half.merge(&two_bets(500).1);
        assert_eq!(half.bet_reports(&bets), whole.bet_reports(&bets));
        // One declared bet is the run itself.
        let one = [Bet { name: "stake", theoretical_rtp: 1.0 }];
        let mut tally = Tally::new(1);
        let mut round = RoundBets::new(1);
        for paid in [0, 200, 0, 200] {
            round.clear();
            round.add(0, 100, paid);
            tally.add_round(&round);
        }
        let reports = tally.bet_reports(&one);
        assert_eq!((reports.len(), reports[0].rounds, reports[0].paid), (1, 4, 400));
    }
}
