//! Play sessions, for reality checks and session time limits. A player's
//! play session begins when their socket signs in and lasts while they stay
//! connected or come back within `protection.session_break_secs`; so
//! reconnecting does not start a new one. When the player's session time
//! limit is reached, the session stops: every stake is refused until the
//! break after it has passed, connected or not, and only then does a new
//! session begin.
//!
//! Kept in memory, per node: a restart begins every session anew.

use dashmap::DashMap;

/// One player's play session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlaySession {
    started_at: i64,
    /// Open sockets (a replacing socket signs in before the old one goes).
    sockets: u32,
    /// When the last socket went.
    left_at: i64,
    /// Stopped by the session limit: no stake until then.
    stopped_until: Option<i64>,
}

impl PlaySession {
    fn new(now: i64, sockets: u32) -> Self {
        Self { started_at: now, sockets, left_at: now, stopped_until: None }
    }

    /// This session at `now` under a limit of `limit_ms`: stopped when the
    /// limit is reached, a new one once a stop's break has passed.
    fn at(&mut self, limit_ms: Option<i64>, break_ms: i64, now: i64) -> Now {
        if self.stopped_until.is_some_and(|until| until <= now) {
            *self = PlaySession::new(now, self.sockets);
        }
        if self.stopped_until.is_none()
            && let Some(limit) = limit_ms
            && now.saturating_sub(self.started_at) >= limit
        {
            self.stopped_until = Some(self.started_at.saturating_add(limit).saturating_add(break_ms));
        }
        Now {
            started_at: self.started_at,
            stops_at: limit_ms.map(|l| self.started_at.saturating_add(l)),
            resume_at: self.stopped_until,
        }
    }
}

/// A play session as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Unix ms it began.
    pub started_at: i64,
    /// When the limit stops it; `None`: no limit.
    pub stops_at: Option<i64>,
    /// Stopped: no stake until then.
    pub resume_at: Option<i64>,
}

/// Every player's play session on this node.
#[derive(Debug)]
pub struct Sessions {
    map: DashMap<i64, PlaySession>,
    break_ms: i64,
}

impl Sessions {
    /// Sessions with a break of `break_ms` between them.
    pub fn new(break_ms: i64) -> Self {
        Self { map: DashMap::new(), break_ms }
    }

    /// A socket of `player` signed in at `now`.
    pub fn connected(&self, player: i64, now: i64) {
        let mut s = self.map.entry(player).or_insert_with(|| PlaySession::new(now, 0));
        let away = s.sockets == 0 && now.saturating_sub(s.left_at) >= self.break_ms;
        if away && s.stopped_until.is_none_or(|until| until <= now) {
            *s = PlaySession::new(now, 0);
        }
        s.sockets += 1;
    }

    /// A socket of `player` went at `now`.
    pub fn disconnected(&self, player: i64, now: i64) {
        if let Some(mut s) = self.map.get_mut(&player) {
            s.sockets = s.sockets.saturating_sub(1);
            if s.sockets == 0 {
                s.left_at = now;
            }
        }
    }

    /// Forgets the sessions that are over at `now` (no socket for the
    /// break, and no stop still running).
    pub fn sweep(&self, now: i64) {
        let break_ms = self.break_ms;
        self.map.retain(|_, s| {
            s.sockets > 0 || now.saturating_sub(s.left_at) < break_ms || s.stopped_until.is_some_and(|u| u > now)
        });
    }

    /// `player`'s session at `now` under a limit of `limit_ms`, if they
    /// have one on this node.
    pub fn at(&self, player: i64, limit_ms: Option<i64>, now: i64) -> Option<Now> {
        self.map.get_mut(&player).map(|mut s| s.at(limit_ms, self.break_ms, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_survives_a_short_absence_and_stops_at_its_limit_until_the_break_is_over() {
        let sessions = Sessions::new(100);
        sessions.connected(1, 1_000);
        sessions.disconnected(1, 1_050);
        sessions.connected(1, 1_120);
        assert_eq!(sessions.at(1, None, 1_130).map(|n| n.started_at), Some(1_000), "back within the break");

        let limit = Some(500);
        assert_eq!(
            sessions.at(1, limit, 1_499),
            Some(Now { started_at: 1_000, stops_at: Some(1_500), resume_at: None })
        );
        let stopped = sessions.at(1, limit, 1_500);
        assert_eq!(stopped.and_then(|n| n.resume_at), Some(1_600), "the limit, then the break");
        sessions.disconnected(1, 1_510);
        sessions.connected(1, 1_590);
        assert_eq!(sessions.at(1, limit, 1_590).and_then(|n| n.resume_at), Some(1_600), "reconnecting does not help");
        let fresh = sessions.at(1, limit, 1_600);
        assert_eq!(fresh, Some(Now { started_at: 1_600, stops_at: Some(2_100), resume_at: None }), "a new session");

        sessions.disconnected(1, 1_700);
        sessions.connected(1, 1_800);
        assert_eq!(sessions.at(1, None, 1_800).map(|n| n.started_at), Some(1_800), "away for the break: new");
        assert_eq!(sessions.at(2, None, 1_800), None, "never connected here");

        sessions.connected(3, 1_800);
        sessions.disconnected(3, 1_850);
        sessions.disconnected(1, 1_850);
        assert_eq!(sessions.at(3, Some(100), 1_900).and_then(|n| n.resume_at), Some(2_000));
        sessions.sweep(1_949);
        assert!(sessions.at(1, None, 1_949).is_some(), "away for less than the break");
        sessions.sweep(1_950);
        assert!(sessions.at(1, None, 1_950).is_none(), "over: forgotten");
        assert!(sessions.at(3, Some(100), 1_950).is_some_and(|n| n.resume_at == Some(2_000)), "its stop still runs");
        sessions.sweep(2_000);
        assert!(sessions.at(3, None, 2_000).is_none());
    }
}
