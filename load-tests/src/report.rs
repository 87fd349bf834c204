//! The run's report: a JSON document (`--json PATH`) to keep and compare,
//! a human-readable table, and the deltas against an earlier report
//! (`--baseline PATH`). Pure: it formats, it does no IO.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::stats::{Counts, Stats, Summary};
use crate::{Options, Scenario};

/// One run, as reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The scenario run.
    pub scenario: Scenario,
    /// Players per scenario.
    pub players: BTreeMap<Scenario, usize>,
    /// Seconds from the first connection to the last player's end.
    pub seconds: f64,
    /// Latencies (milliseconds) by name: `connect`, `reply.KIND`,
    /// `broadcast.KIND`, `round.GAME`.
    pub latency_ms: BTreeMap<String, Summary>,
    /// Messages, broadcasts expected and seen, rounds, errors, disconnects.
    #[serde(flatten)]
    pub counts: Counts,
}

impl std::ops::Deref for Report {
    type Target = Counts;

    fn deref(&self) -> &Counts {
        &self.counts
    }
}

impl Report {
    /// The report of a run.
    pub fn new(opts: &Options, assignment: &[Scenario], total: &Stats, elapsed: Duration) -> Self {
        let mut players = BTreeMap::new();
        for s in assignment {
            *players.entry(*s).or_default() += 1;
        }
        Self {
            scenario: opts.scenario,
            players,
            seconds: elapsed.as_secs_f64(),
            latency_ms: total.summaries(),
            counts: total.counts.clone(),
        }
    }

    /// Errors and early disconnects, in all.
    pub fn problems(&self) -> u64 {
        self.errors.values().sum::<u64>() + self.disconnects.values().sum::<u64>()
    }

    fn per_second(&self, n: u64) -> f64 {
        if self.seconds > 0.0 { n as f64 / self.seconds } else { 0.0 }
    }

    /// The human-readable table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let players: Vec<String> = self.players.iter().map(|(s, n)| format!("{n} {}", name(*s))).collect();
        let _ = writeln!(out, "players: {} — {:.1} s", players.join(", "), self.seconds);
        let _ = writeln!(
            out,
            "{:<18} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "latency (ms)", "count", "p50", "p90", "p99", "p99.9", "max"
        );
        for (name, s) in &self.latency_ms {
            let _ = writeln!(
                out,
                "{name:<18} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                s.count, s.p50, s.p90, s.p99, s.p999, s.max
            );
        }
        let _ = writeln!(
            out,
            "messages: {} sent ({:.0}/s), {} received ({:.0}/s)",
            self.sent,
            self.per_second(self.sent),
            self.received,
            self.per_second(self.received)
        );
        let _ = writeln!(out, "own broadcasts: {} of {} expected", self.received_broadcasts, self.expected_broadcasts);
        let _ = writeln!(out, "rounds seen: {}", self.rounds);
        let list = |m: &BTreeMap<String, u64>| {
            if m.is_empty() {
                "none".to_owned()
            } else {
                m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
            }
        };
        let _ = writeln!(out, "errors: {}", list(&self.errors));
        let _ = writeln!(out, "disconnects: {}", list(&self.disconnects));
        out
    }

    /// Each figure next to `base`'s, with the change.
    pub fn deltas(&self, base: &Report) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{:<26} {:>11} {:>11} {:>9}", "against the baseline", "baseline", "now", "change");
        let mut row = |what: String, was: f64, now: f64| {
            let change = if was == 0.0 { "—".to_owned() } else { format!("{:+.1}%", (now - was) / was * 100.0) };
            let _ = writeln!(out, "{what:<26} {was:>11.2} {now:>11.2} {change:>9}");
        };
        for (name, s) in &self.latency_ms {
            if let Some(b) = base.latency_ms.get(name) {
                row(format!("{name} p50"), b.p50, s.p50);
                row(format!("{name} p99"), b.p99, s.p99);
            }
        }
        row("sent/s".to_owned(), base.per_second(base.sent), self.per_second(self.sent));
        row("received/s".to_owned(), base.per_second(base.received), self.per_second(self.received));
        row("errors".to_owned(), base.problems() as f64, self.problems() as f64);
        out
    }
}

fn name(s: Scenario) -> &'static str {
    match s {
        Scenario::Roulette => "roulette",
        Scenario::Blackjack => "blackjack",
        Scenario::Slots => "slots",
        Scenario::Idle => "idle",
        Scenario::Chat => "chat",
        Scenario::Mixed => "mixed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(p50: f64, sent: u64) -> Report {
        let s = Summary { count: 10, mean: p50, p50, p90: p50, p99: p50 * 2.0, p999: p50 * 2.0, max: p50 * 3.0 };
        Report {
            scenario: Scenario::Roulette,
            players: BTreeMap::from([(Scenario::Roulette, 10)]),
            seconds: 10.0,
            latency_ms: BTreeMap::from([("reply.bet".to_owned(), s)]),
            counts: Counts {
                sent,
                received: sent * 3,
                expected_broadcasts: 5,
                received_broadcasts: 5,
                rounds: 4,
                ..Counts::default()
            },
        }
    }

    #[test]
    fn the_table_and_the_deltas_show_the_figures() {
        let now = report(12.0, 200);
        let table = now.table();
        assert!(table.contains("reply.bet"), "{table}");
        assert!(table.contains("12.00"), "{table}");
        assert!(table.contains("200 sent (20/s)"), "{table}");
        let deltas = now.deltas(&report(10.0, 100));
        assert!(deltas.contains("reply.bet p50") && deltas.contains("+20.0%"), "{deltas}");
        assert!(deltas.contains("sent/s") && deltas.contains("+100.0%"), "{deltas}");
        let json = serde_json::to_string(&now).unwrap_or_default();
        assert_eq!(serde_json::from_str::<Report>(&json).ok(), Some(now));
    }
}
