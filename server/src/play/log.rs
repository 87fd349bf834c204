//! A table's event log: the per-table `seq` and the bounded history that
//! `resume` replays from.
//!
//! Every event takes the next seq, whoever may see it. A viewer not entitled
//! to one (another player's private event) gets a `skip` marker with the
//! same seq instead, so every viewer's sequence is contiguous and a gap
//! always means a missed message. Each event is serialised once, for its
//! audience, and its marker once for everyone else. Nothing here knows a
//! game or a connection.

use std::collections::VecDeque;

use bytestring::ByteString;
use croupier_protocol::ServerMsg;

/// One numbered event as kept for `resume` and sent after its money.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Its seq.
    pub seq: u64,
    /// Its one viewer (`None`: everyone).
    pub to: Option<i64>,
    /// The message, serialised.
    pub text: ByteString,
    /// The `skip` marker for viewers other than `to` (`None` when public).
    pub marker: Option<ByteString>,
}

impl Logged {
    /// What `player` receives of this event.
    pub fn for_viewer(&self, player: i64) -> Option<&ByteString> {
        match self.to {
            Some(to) if to != player => self.marker.as_ref(),
            _ => Some(&self.text),
        }
    }
}

/// What `resume` gives back.
#[derive(Debug)]
pub enum Resumed<'a> {
    /// Every event after the client's `last_seq`, in order.
    Replay(Vec<&'a ByteString>),
    /// Too far back (or ahead): the client needs a snapshot.
    Resync,
}

/// The seq and the kept history of one table.
#[derive(Debug)]
pub struct EventLog {
    seq: u64,
    kept: VecDeque<Logged>,
    capacity: usize,
    /// Others may watch: a private event needs its `skip` marker (a
    /// session's only viewer is its player).
    markers: bool,
}

/// Why an event could not be logged.
#[derive(Debug, thiserror::Error)]
#[error("unserialisable event: {0}")]
pub struct Unserialisable(#[from] serde_json::Error);

impl EventLog {
    /// A log whose last seq was `seq`, keeping `capacity` events, with
    /// `skip` markers for viewers other than a private event's when
    /// `markers` (a table; not a session, whose only viewer is its player).
    pub fn new(seq: u64, capacity: usize, markers: bool) -> Self {
        Self { seq, kept: VecDeque::new(), capacity, markers }
    }

    /// The last seq given out.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Numbers, serialises and keeps one event built by `build` from its
    /// seq; returns it for sending.
    ///
    /// # Errors
    /// The message does not serialise; nothing is numbered then.
    pub fn push(
        &mut self,
        table: &str,
        to: Option<i64>,
        build: impl FnOnce(u64) -> ServerMsg,
    ) -> Result<Logged, Unserialisable> {
        let seq = self.seq + 1;
        let text: ByteString = serde_json::to_string(&build(seq))?.into();
        let marker = match to {
            Some(_) if self.markers => {
                Some(serde_json::to_string(&ServerMsg::Skip { table: table.to_owned(), seq })?.into())
            }
            _ => None,
        };
        self.seq = seq;
        let logged = Logged { seq, to, text, marker };
        self.kept.push_back(logged.clone());
        while self.kept.len() > self.capacity {
            self.kept.pop_front();
        }
        Ok(logged)
    }

    /// What a client that saw up to `last_seq` missed, as `player` may see
    /// it.
    pub fn since(&self, last_seq: u64, player: i64) -> Resumed<'_> {
        if last_seq > self.seq {
            return Resumed::Resync;
        }
        let first = self.kept.front().map_or(self.seq + 1, |l| l.seq);
        if last_seq + 1 < first {
            return Resumed::Resync;
        }
        Resumed::Replay(self.kept.iter().filter(|l| l.seq > last_seq).filter_map(|l| l.for_viewer(player)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn event(table: &str) -> impl FnOnce(u64) -> ServerMsg {
        let table = table.to_owned();
        move |seq| ServerMsg::Event { table, seq, event: json!({ "n": seq }) }
    }

    fn seqs(resumed: &Resumed<'_>) -> Vec<(u64, String)> {
        let Resumed::Replay(texts) = resumed else { return Vec::new() };
        texts
            .iter()
            .map(|t| {
                let v: Value = serde_json::from_str(t).unwrap_or_default();
                (v["seq"].as_u64().unwrap_or(0), v["type"].as_str().unwrap_or("").to_owned())
            })
            .collect()
    }

    #[test]
    fn a_private_event_takes_its_own_seq_and_others_get_a_marker() {
        let mut log = EventLog::new(10, 8, true);
        log.push("t", None, event("t")).ok();
        let private = log.push("t", Some(7), event("t"));
        log.push("t", None, event("t")).ok();
        assert_eq!(private.map(|l| l.seq).ok(), Some(12));
        assert_eq!(log.seq(), 13);
        let own = seqs(&log.since(10, 7));
        assert_eq!(own, [(11, "event".into()), (12, "event".into()), (13, "event".into())]);
        let other = seqs(&log.since(10, 8));
        assert_eq!(other, [(11, "event".into()), (12, "skip".into()), (13, "event".into())]);
    }

    #[test]
    fn resume_replays_what_is_kept_and_resyncs_past_it() {
        let mut log = EventLog::new(0, 3, true);
        for _ in 0..5 {
            log.push("t", None, event("t")).ok();
        }
        assert_eq!(seqs(&log.since(2, 1)).len(), 3, "events 3, 4, 5 are kept");
        assert!(matches!(log.since(1, 1), Resumed::Resync), "event 2 is gone");
        assert!(matches!(log.since(6, 1), Resumed::Resync), "ahead of the table");
        assert!(matches!(log.since(5, 1), Resumed::Replay(v) if v.is_empty()), "up to date");
    }
}
