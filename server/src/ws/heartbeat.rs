//! The heartbeat of every connection on one worker thread, kept by one
//! timer instead of one per connection. Every `ws.heartbeat_ms` the sweep
//! looks at each connection of its thread: one heard from within the
//! interval is left alone (its own traffic shows it is there), one silent
//! for longer gets a WebSocket ping, and one silent for longer than
//! `ws.timeout_ms` is told to close. So an idle server with idle but
//! talking clients wakes once per interval per thread, not once per
//! connection, and pings go straight into a connection's outbound queue
//! without waking its actor.
//!
//! Silence is judged only on a sweep that came on time (within two
//! intervals of the last): a late sweep means the thread was stalled, and
//! frames the clients sent meanwhile may still be unread in their sockets.
//! The sweep stops when its thread has no connections and starts again with
//! the next one.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use actix::{Message, Recipient};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::clients::Out;

/// The sweep found the connection silent past the timeout.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Silent;

/// One connection as the sweep sees it.
struct Beat {
    heard: Cell<Instant>,
    out: mpsc::Sender<Out>,
    silent: Recipient<Silent>,
}

/// The connections of one thread with one setting of interval and timeout.
struct Sweep {
    every: Duration,
    timeout: Duration,
    beats: RefCell<HashMap<u64, Rc<Beat>>>,
    task: RefCell<Option<tokio::task::JoinHandle<()>>>,
}

thread_local! {
    static SWEEPS: RefCell<Vec<Rc<Sweep>>> = const { RefCell::new(Vec::new()) };
}

/// A connection's place in its thread's sweep; leaves it when dropped.
pub struct Heartbeat {
    conn: u64,
    beat: Rc<Beat>,
    sweep: Rc<Sweep>,
}

impl Heartbeat {
    /// Joins connection `conn` to this thread's sweep (starting it if it is
    /// not running): pings go to `out`, a timeout to `silent`.
    pub fn join(
        conn: u64,
        every: Duration,
        timeout: Duration,
        out: mpsc::Sender<Out>,
        silent: Recipient<Silent>,
    ) -> Self {
        let sweep = SWEEPS.with(|sweeps| {
            let mut sweeps = sweeps.borrow_mut();
            match sweeps.iter().find(|s| s.every == every && s.timeout == timeout) {
                Some(sweep) => sweep.clone(),
                None => {
                    let sweep = Rc::new(Sweep {
                        every,
                        timeout,
                        beats: RefCell::new(HashMap::new()),
                        task: RefCell::new(None),
                    });
                    sweeps.push(sweep.clone());
                    sweep
                }
            }
        });
        let beat = Rc::new(Beat { heard: Cell::new(Instant::now()), out, silent });
        sweep.beats.borrow_mut().insert(conn, beat.clone());
        let running = sweep.task.borrow().as_ref().is_some_and(|task| !task.is_finished());
        if !running {
            let task = actix::spawn(run(sweep.clone()));
            *sweep.task.borrow_mut() = Some(task);
        }
        Self { conn, beat, sweep }
    }

    /// Something arrived from the client.
    pub fn heard(&self) {
        self.beat.heard.set(Instant::now());
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.sweep.beats.borrow_mut().remove(&self.conn);
    }
}

async fn run(sweep: Rc<Sweep>) {
    let mut ticks = tokio::time::interval_at(Instant::now() + sweep.every, sweep.every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last = Instant::now();
    loop {
        ticks.tick().await;
        let now = Instant::now();
        let since_tick = now.duration_since(std::mem::replace(&mut last, now));
        let beats = sweep.beats.borrow();
        if beats.is_empty() {
            return;
        }
        for beat in beats.values() {
            let silent_for = now.duration_since(beat.heard.get());
            if heartbeat_missed(since_tick, silent_for, sweep.every, sweep.timeout) {
                beat.silent.do_send(Silent);
            } else if silent_for >= sweep.every {
                // A full queue means the client is not reading: its own
                // traffic or the timeout decides, not this ping.
                let _ = beat.out.try_send(Out::Ping);
            }
        }
    }
}

/// Whether a client went silent: nothing heard for longer than `timeout`,
/// judged only on a sweep that came on time (within two intervals of the
/// last).
fn heartbeat_missed(since_tick: Duration, since_heard: Duration, every: Duration, timeout: Duration) -> bool {
    since_tick <= every.saturating_mul(2) && since_heard > timeout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_judged_only_on_a_sweep_that_came_on_time() {
        let ms = Duration::from_millis;
        let (every, timeout) = (ms(1_000), ms(3_000));
        assert!(!heartbeat_missed(ms(1_000), ms(2_000), every, timeout), "heard recently");
        assert!(heartbeat_missed(ms(1_000), ms(3_001), every, timeout), "silent too long, sweep on time");
        assert!(heartbeat_missed(ms(2_000), ms(9_000), every, timeout), "two intervals is still on time");
        assert!(!heartbeat_missed(ms(2_001), ms(9_000), every, timeout), "a late sweep: the thread stalled");
    }
}
