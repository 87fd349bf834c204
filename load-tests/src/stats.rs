//! What a run measures: latency histograms (HDR, microseconds) by name and
//! counters, kept per virtual player and merged at the end, plus the live
//! counters the progress line reads. Nothing here does IO.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Counters everyone updates while the run goes, for the progress line.
#[derive(Debug, Default)]
pub struct Live {
    /// Players signed in now.
    pub connected: AtomicU64,
    /// Messages sent so far.
    pub sent: AtomicU64,
    /// Messages received so far.
    pub received: AtomicU64,
    /// Error replies and failures so far.
    pub errors: AtomicU64,
}

impl Live {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Reads `counter`.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// One player's (or, merged, the run's) measurements.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    histograms: BTreeMap<&'static str, Histogram<u64>>,
    /// The counters.
    pub counts: Counts,
}

/// What a run counts (the report carries these as they are).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Messages sent.
    pub sent: u64,
    /// Messages received.
    pub received: u64,
    /// Broadcasts a player should see for its own accepted actions.
    pub expected_broadcasts: u64,
    /// Of those, seen.
    pub received_broadcasts: u64,
    /// Rounds a player saw start.
    pub rounds: u64,
    /// Error replies and failures, by code.
    pub errors: BTreeMap<String, u64>,
    /// Connections closed before the run ended, by close code.
    pub disconnects: BTreeMap<String, u64>,
}

impl Counts {
    fn merge(&mut self, other: &Counts) {
        self.sent += other.sent;
        self.received += other.received;
        self.expected_broadcasts += other.expected_broadcasts;
        self.received_broadcasts += other.received_broadcasts;
        self.rounds += other.rounds;
        for (code, n) in &other.errors {
            *self.errors.entry(code.clone()).or_default() += n;
        }
        for (code, n) in &other.disconnects {
            *self.disconnects.entry(code.clone()).or_default() += n;
        }
    }
}

impl Stats {
    /// Records one latency under `name`.
    pub fn record(&mut self, name: &'static str, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).max(1);
        let h = self.histograms.entry(name).or_insert_with(|| {
            // 1 µs to 1 hour at 3 significant digits.
            #[allow(clippy::expect_used)]
            // invariant: constant bounds that hdrhistogram accepts (low >= 1, high >= 2 * low, sigfig <= 5).
            Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds")
        });
        h.saturating_record(micros);
    }

    /// Counts an error by code.
    pub fn error(&mut self, code: &str) {
        *self.counts.errors.entry(code.to_owned()).or_default() += 1;
    }

    /// Counts an early disconnect by close code.
    pub fn disconnect(&mut self, code: &str) {
        *self.counts.disconnects.entry(code.to_owned()).or_default() += 1;
    }

    /// Adds `other` into this.
    pub fn merge(&mut self, other: &Stats) {
        for (name, h) in &other.histograms {
            match self.histograms.get_mut(name) {
                Some(mine) => {
                    let _ = mine.add(h);
                }
                None => {
                    self.histograms.insert(name, h.clone());
                }
            }
        }
        self.counts.merge(&other.counts);
    }

    /// The percentiles of every histogram, in milliseconds.
    pub fn summaries(&self) -> BTreeMap<String, Summary> {
        self.histograms.iter().map(|(name, h)| ((*name).to_owned(), Summary::of(h))).collect()
    }
}

/// Percentiles of one histogram, milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Samples.
    pub count: u64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest.
    pub max: f64,
}

impl Summary {
    fn of(h: &Histogram<u64>) -> Self {
        let ms = |micros: u64| micros as f64 / 1000.0;
        Self {
            count: h.len(),
            mean: h.mean() / 1000.0,
            p50: ms(h.value_at_quantile(0.5)),
            p90: ms(h.value_at_quantile(0.9)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_merging_count_every_sample() {
        let mut a = Stats::default();
        for ms in 1..=100 {
            a.record("reply.bet", Duration::from_millis(ms));
        }
        let mut b = Stats::default();
        b.record("reply.bet", Duration::from_millis(1000));
        b.error("insufficient_funds");
        b.counts.sent = 3;
        a.merge(&b);
        let s = &a.summaries()["reply.bet"];
        assert_eq!(s.count, 101);
        assert!((s.p50 - 51.0).abs() < 0.1, "{s:?}");
        assert!((s.max - 1000.0).abs() < 1.0, "{s:?}");
        assert_eq!(a.counts.errors["insufficient_funds"], 1);
        assert_eq!(a.counts.sent, 3);
    }
}
