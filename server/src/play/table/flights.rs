//! The table's money in flight: each step's money is a flight, from when it
//! is sent until every operation of it has answered. Stakes fly without
//! holding the table (more stakes may follow them into the next batch); a
//! flight that closes a round holds the table until it has committed. The
//! table asks here whether anything is in flight (no hot checkpoint, no stop
//! meanwhile) and which stakes have waited long enough that their players
//! should hear `pending`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use croupier_sdk::OpId;
use tokio::time::Instant;

struct Flight {
    id: u64,
    since: Instant,
    /// Its stakes' players were told their answers are late.
    told: bool,
    /// Its stakes.
    stakes: Vec<OpId>,
    /// It holds the table (it closes a round).
    holds: bool,
}

/// The flights of one table.
#[derive(Default)]
pub(super) struct Flights {
    list: Vec<Flight>,
    next: u64,
    /// How many are in flight, for waiting outside the actor (a stop).
    count: Arc<AtomicUsize>,
}

impl Flights {
    /// A flight carrying `stakes` (and holding the table when `holds`)
    /// leaves now; its id.
    pub(super) fn start(&mut self, stakes: Vec<OpId>, holds: bool) -> u64 {
        self.next += 1;
        self.list.push(Flight { id: self.next, since: Instant::now(), told: false, stakes, holds });
        self.count.store(self.list.len(), Ordering::Relaxed);
        self.next
    }

    /// Flight `id` has answered.
    pub(super) fn finish(&mut self, id: u64) {
        self.list.retain(|f| f.id != id);
        self.count.store(self.list.len(), Ordering::Relaxed);
    }

    /// Nothing is in flight.
    pub(super) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Some flight has waited `within` or longer.
    pub(super) fn late(&self, within: Duration) -> bool {
        self.list.iter().any(|f| f.since.elapsed() >= within)
    }

    /// A flight that holds the table has waited `within` or longer.
    pub(super) fn holding_late(&self, within: Duration) -> bool {
        self.list.iter().any(|f| f.holds && f.since.elapsed() >= within)
    }

    /// The stakes of flights that have now waited `within` or longer and
    /// were not reported before.
    pub(super) fn newly_late(&mut self, within: Duration) -> Vec<OpId> {
        let mut late = Vec::new();
        for flight in self.list.iter_mut().filter(|f| !f.told && f.since.elapsed() >= within) {
            flight.told = true;
            late.extend(flight.stakes.iter().copied());
        }
        late
    }

    /// The number in flight, readable from anywhere.
    pub(super) fn counter(&self) -> Arc<AtomicUsize> {
        self.count.clone()
    }
}
