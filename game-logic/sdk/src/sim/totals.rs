//! A run's running sums: exact money totals (integers) and the per-round
//! moments the RTP interval needs (statistics only, floating point). Merged
//! block by block in block order, so a run's report depends on its seed alone.

use super::Z_999;

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
        let (x, y) = (float(paid), float(staked));
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
