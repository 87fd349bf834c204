//! A connection's watch over its player's play session, as pure logic: when
//! the next reality check is due, what to send after each look at the
//! session (`reality_check` when one is due, `session_limit` once when the
//! player's session time limit stops play) and when to look again: at the
//! next of these, and within a minute in any case (at once when the player
//! changes their rules: `clients::LookAgain`). The connection actor does the looking
//! (`crate::protect::Guard::session`) and the sending.

use croupier_protocol::{ServerMsg, SessionPlay};

use crate::protect::session::Now;

/// The longest wait between two looks, in ms.
pub const LOOK_EVERY_MS: i64 = 60_000;

/// One look at the session.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    /// Unix ms of the look.
    pub now: i64,
    /// The session.
    pub session: Now,
    /// The player's reality-check interval, ms; `None`: none.
    pub every: Option<i64>,
    /// The session's play, read when a reality check was due.
    pub play: Option<Vec<SessionPlay>>,
}

/// What a connection remembers between looks.
#[derive(Debug, Default, Clone, Copy)]
pub struct SessionWatch {
    /// The session (its start), the interval, and when its next reality
    /// check is due.
    next_check: Option<(i64, i64, i64)>,
    /// The stop already told (its `resume_at`).
    told_stop: Option<i64>,
}

impl SessionWatch {
    /// When `session`'s next reality check is due, if it gets any (none
    /// while the session is stopped).
    pub fn due(&self, session: &Now, every: Option<i64>) -> Option<i64> {
        let every = every.filter(|_| session.resume_at.is_none())?;
        match self.next_check {
            Some((started, was, at)) if started == session.started_at && was == every => Some(at),
            // A new session, or a new interval: counted from the start.
            _ => Some(session.started_at.saturating_add(every)),
        }
    }

    /// What to send after `look`, and how many ms until the next one.
    pub fn looked(&mut self, look: Look) -> (Vec<ServerMsg>, i64) {
        let Look { now, session, every, play } = look;
        let elapsed = |to: i64| u64::try_from(to.saturating_sub(session.started_at) / 1000).unwrap_or(0);
        let mut out = Vec::new();
        let mut next = self.due(&session, every);
        if let (Some(at), Some(every), Some(play)) = (next, every, play)
            && at <= now
            && every > 0
        {
            out.push(ServerMsg::RealityCheck {
                session_started_at: session.started_at,
                elapsed_secs: elapsed(now),
                play,
                stops_at: session.stops_at,
            });
            // The first due time after now (a late look skips those missed).
            next = Some(at.saturating_add((now.saturating_sub(at) / every + 1).saturating_mul(every)));
        }
        self.next_check = next.zip(every).map(|(at, every)| (session.started_at, every, at));
        if let Some(resume_at) = session.resume_at
            && self.told_stop != Some(resume_at)
        {
            self.told_stop = Some(resume_at);
            let stopped = session.stops_at.unwrap_or(now);
            out.push(ServerMsg::SessionLimit {
                session_started_at: session.started_at,
                elapsed_secs: elapsed(stopped),
                resume_at,
            });
        }
        let stops = session.stops_at.filter(|_| session.resume_at.is_none());
        let wake = [next, stops, session.resume_at]
            .into_iter()
            .flatten()
            .filter(|at| *at > now)
            .fold(now.saturating_add(LOOK_EVERY_MS), i64::min);
        (out, wake - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(now: i64, session: Now, play: bool) -> Look {
        Look { now, session, every: Some(1_000), play: play.then(Vec::new) }
    }

    #[test]
    fn reality_checks_come_every_interval_and_the_stop_is_told_once() {
        let running = Now { started_at: 10_000, stops_at: Some(13_500), resume_at: None };
        let mut watch = SessionWatch::default();
        assert_eq!(watch.due(&running, Some(1_000)), Some(11_000));
        let (sent, wait) = watch.looked(look(10_000, running, false));
        assert_eq!((sent.len(), wait), (0, 1_000), "nothing yet; look again when the first check is due");

        let (sent, wait) = watch.looked(look(11_000, running, true));
        assert!(matches!(sent[..], [ServerMsg::RealityCheck { elapsed_secs: 1, stops_at: Some(13_500), .. }]));
        assert_eq!(wait, 1_000);

        let (sent, wait) = watch.looked(look(12_700, running, true));
        assert!(matches!(sent[..], [ServerMsg::RealityCheck { elapsed_secs: 2, .. }]), "a late look still checks");
        assert_eq!(wait, 300, "the next due time after now, 13,000");

        let (_, wait) = watch.looked(look(13_200, running, false));
        assert_eq!(wait, 300, "the stop comes before the next check");

        let stopped = Now { resume_at: Some(14_500), ..running };
        assert_eq!(watch.due(&stopped, Some(1_000)), None, "no checks while stopped");
        let (sent, wait) = watch.looked(look(13_500, stopped, false));
        assert!(matches!(sent[..], [ServerMsg::SessionLimit { elapsed_secs: 3, resume_at: 14_500, .. }]), "{sent:?}");
        assert_eq!(wait, 1_000, "look again when play may resume");
        let (sent, _) = watch.looked(look(13_600, stopped, false));
        assert!(sent.is_empty(), "told once");

        let mut changed = SessionWatch::default();
        changed.looked(look(11_000, running, true));
        assert_eq!(changed.due(&running, Some(1_000)), Some(12_000));
        assert_eq!(changed.due(&running, Some(500)), Some(10_500), "a new interval counts from the start: due now");

        let next = Now { started_at: 14_500, stops_at: Some(18_000), resume_at: None };
        assert_eq!(watch.due(&next, Some(1_000)), Some(15_500), "a new session counts from its start");
        let (_, wait) = watch.looked(Look { now: 14_500, session: next, every: None, play: None });
        assert_eq!(wait, 3_500, "no checks: only the stop");
    }
}
