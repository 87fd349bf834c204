//! A player's own limits and exclusions as data, and the rules of player
//! protection as pure functions over them (`crate::protect` enforces them;
//! `crate::store` keeps them, so this sits below both): which calendar
//! period a moment falls in, which limit is in force, how a change
//! to a limit takes effect (a tighter one at once, a looser one only after
//! the cooling period), and how an exclusion may change (longer, never
//! shorter). No clock, no database: every function is given `now`.
//!
//! Periods are calendar periods in UTC: the day from midnight, the week
//! from Monday midnight, the month from the 1st at midnight.

use serde::{Deserialize, Serialize};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The longest reality-check interval and session limit, in seconds: a day.
pub const MAX_INTERVAL_SECS: u64 = 86_400;

/// `[protection]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectionSettings {
    /// A looser limit (or none) takes effect this many seconds after the
    /// player asks.
    pub raise_cooling_secs: u64,
    /// How long a node trusts its copy of a player's limits and figures.
    pub refresh_secs: u64,
    /// The longest cool-off, in days.
    pub cool_off_max_days: u32,
    /// The shortest self-exclusion that is not for good, in days.
    pub self_exclusion_min_days: u32,
    /// A reality check every this many seconds of a play session for a
    /// player who chose none (0: none).
    pub reality_check_secs: u64,
    /// A play session ends when its player has been away this long; after
    /// a session limit stops one, no stake until this long has passed.
    pub session_break_secs: u64,
    /// The shortest reality-check interval and session limit a player may
    /// choose, in seconds.
    pub min_interval_secs: u64,
}

impl ProtectionSettings {
    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<&'static str> {
        if self.refresh_secs == 0 || self.refresh_secs > 3_600 {
            Some("protection.refresh_secs must be 1 to 3600")
        } else if self.raise_cooling_secs > 90 * 86_400 {
            Some("protection.raise_cooling_secs must be at most 90 days")
        } else if self.cool_off_max_days == 0 || self.self_exclusion_min_days == 0 {
            Some("protection.cool_off_max_days and protection.self_exclusion_min_days must be at least 1")
        } else if self.min_interval_secs == 0 || self.min_interval_secs > MAX_INTERVAL_SECS {
            Some("protection.min_interval_secs must be 1 to 86400")
        } else if self.reality_check_secs > MAX_INTERVAL_SECS || self.session_break_secs > MAX_INTERVAL_SECS {
            Some("protection.reality_check_secs and protection.session_break_secs must be at most 86400")
        } else {
            None
        }
    }
}

/// What a limit caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// Money paid in through the payment provider.
    Deposit,
    /// Stakes lost, less winnings (stakes still in play count as lost).
    Loss,
    /// Stakes placed (a voided stake is given back).
    Wager,
}

impl LimitKind {
    /// The name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Deposit => "deposit",
            LimitKind::Loss => "loss",
            LimitKind::Wager => "wager",
        }
    }

    /// The kind named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        [LimitKind::Deposit, LimitKind::Loss, LimitKind::Wager].into_iter().find(|k| k.as_str() == text)
    }
}

/// The calendar period a limit counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// From midnight UTC.
    Day,
    /// From Monday midnight UTC.
    Week,
    /// From the 1st at midnight UTC.
    Month,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    /// The name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The period named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        Period::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The day number (days since 1970-01-01) on which the period holding
    /// day `day` began.
    pub fn first_day(self, day: i64) -> i64 {
        match self {
            Period::Day => day,
            // 1970-01-01 was a Thursday: day -3 was a Monday.
            Period::Week => day - (day + 3).rem_euclid(7),
            Period::Month => month_start(day),
        }
    }

    /// Unix milliseconds at which the period holding `now` began.
    pub fn start(self, now: i64) -> i64 {
        self.first_day(day_of(now)) * DAY_MS
    }
}

/// The day number of Unix milliseconds `at`.
pub fn day_of(at: i64) -> i64 {
    at.div_euclid(DAY_MS)
}

/// The first day of the month holding day `day`.
fn month_start(day: i64) -> i64 {
    // Days past what `time` can name (beyond the year 9999) stay as they are.
    let date = time::Date::from_julian_day(i32::try_from(day + 2_440_588).unwrap_or(i32::MAX));
    match date.and_then(|d| d.replace_day(1)) {
        Ok(first) => i64::from(first.to_julian_day()) - 2_440_588,
        Err(_) => day,
    }
}

/// A cap that binds at once when tightened and only after a cooling
/// period when loosened: the amount in force, and a looser one waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Cap {
    /// In force; `None`: no cap.
    pub amount: Option<i64>,
    /// A change waiting: the amount (`None`: the cap goes) and from when.
    pub pending: Option<Pending>,
}

/// A looser cap waiting for its cooling period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// The new amount; `None`: the cap is removed.
    pub amount: Option<i64>,
    /// Unix milliseconds from which it is in force.
    pub from: i64,
}

impl Cap {
    /// The amount in force at `now`.
    pub fn in_force(&self, now: i64) -> Option<i64> {
        match self.pending {
            Some(p) if p.from <= now => p.amount,
            _ => self.amount,
        }
    }

    /// This cap as it stands at `now`, with a pending change that has come
    /// into force taken in.
    pub fn settled(&self, now: i64) -> Cap {
        match self.pending {
            Some(p) if p.from <= now => Cap { amount: p.amount, pending: None },
            _ => *self,
        }
    }

    /// The cap after the player asks for `wanted` (`None`: none) at `now`:
    /// a tighter cap (or a first one) is in force at once and drops any
    /// looser one waiting; a looser one (or none) waits until `now +
    /// cooling_ms`, the one in force staying until then.
    pub fn change(&self, wanted: Option<i64>, now: i64, cooling_ms: i64) -> Cap {
        let current = self.settled(now);
        let tighter = match (current.amount, wanted) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(have), Some(want)) => want <= have,
        };
        if tighter {
            Cap { amount: wanted, pending: None }
        } else {
            Cap { pending: Some(Pending { amount: wanted, from: now.saturating_add(cooling_ms) }), ..current }
        }
    }
}

/// A limit as stored: what it caps, over which period, in which currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limit {
    /// What it caps.
    pub kind: LimitKind,
    /// Over which period.
    pub period: Period,
    /// In which currency.
    pub currency: String,
    /// Minor units.
    #[serde(flatten)]
    pub cap: Cap,
}

impl Limit {
    /// The minor units in force at `now`.
    pub fn in_force(&self, now: i64) -> Option<i64> {
        self.cap.in_force(now)
    }
}

/// A player's play-session rules as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionRules {
    /// A reality check every this many seconds; `None`: the server's
    /// default; `Some(0)`: none.
    pub reality_check_secs: Option<i64>,
    /// The session time limit, in seconds.
    pub limit: Cap,
}

/// Which exclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    /// A short break.
    CoolOff,
    /// A long one, or for good.
    SelfExclusion,
}

impl ExclusionKind {
    /// The name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionKind::CoolOff => "cool_off",
            ExclusionKind::SelfExclusion => "self_exclusion",
        }
    }

    /// The kind named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        [ExclusionKind::CoolOff, ExclusionKind::SelfExclusion].into_iter().find(|k| k.as_str() == text)
    }
}

/// An exclusion as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    /// Which.
    pub kind: ExclusionKind,
    /// Unix milliseconds it began.
    pub since: i64,
    /// Unix milliseconds it ends; `None`: never.
    pub until: Option<i64>,
}

impl Exclusion {
    /// Whether it is in force at `now`.
    pub fn active(&self, now: i64) -> bool {
        self.until.is_none_or(|u| now < u)
    }

    /// Whether `self` (in force or not) may be replaced by `new`: when it
    /// has ended, or `new` ends later.
    pub fn may_become(&self, new: &Exclusion, now: i64) -> bool {
        !self.active(now)
            || match (self.until, new.until) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(old), Some(new)) => new > old,
            }
    }

    /// What replaces `self` when `new` may: a self-exclusion in force stays
    /// one when extended by a cool-off.
    pub fn extended_by(&self, new: &Exclusion, now: i64) -> Exclusion {
        if self.active(now) && self.kind == ExclusionKind::SelfExclusion {
            Exclusion { kind: ExclusionKind::SelfExclusion, since: self.since, until: new.until }
        } else {
            *new
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix milliseconds of `y-m-d h:00` UTC.
    fn at(y: i32, m: u8, d: u8, h: u8) -> i64 {
        let month = time::Month::try_from(m).unwrap_or(time::Month::January);
        let date = time::Date::from_calendar_date(y, month, d).unwrap_or(time::Date::MIN);
        let t = date.with_hms(h, 0, 0).unwrap_or(time::PrimitiveDateTime::MIN).assume_utc();
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
    }

    #[test]
    fn periods_are_calendar_periods_in_utc() {
        // Monday 2026-12-07, 15:00.
        let now = at(2026, 12, 7, 15);
        assert_eq!(Period::Day.start(now), at(2026, 12, 7, 0));
        assert_eq!(Period::Week.start(now), at(2026, 12, 7, 0), "a Monday begins its week");
        assert_eq!(Period::Month.start(now), at(2026, 12, 1, 0));
        // Sunday 2027-01-03 23:00: the week began on Monday 2026-12-28.
        let sunday = at(2027, 1, 3, 23);
        assert_eq!(Period::Week.start(sunday), at(2026, 12, 28, 0));
        assert_eq!(Period::Month.start(sunday), at(2027, 1, 1, 0));
        // A leap day, and the first moment of a month.
        assert_eq!(Period::Month.start(at(2028, 2, 29, 12)), at(2028, 2, 1, 0));
        assert_eq!(Period::Month.start(at(2028, 3, 1, 0)), at(2028, 3, 1, 0));
        assert_eq!(Period::Day.start(at(2028, 3, 1, 0) - 1), at(2028, 2, 29, 0), "a millisecond earlier");
    }

    fn cap(amount: Option<i64>) -> Cap {
        Cap { amount, pending: None }
    }

    #[test]
    fn a_tighter_cap_is_in_force_at_once_and_a_looser_one_after_the_cooling_period() {
        let cooling = 1_000;
        let first = cap(None).change(Some(5_000), 10, cooling);
        assert_eq!((first.in_force(10), first.pending), (Some(5_000), None), "a first cap binds at once");

        let lower = first.change(Some(3_000), 20, cooling);
        assert_eq!((lower.in_force(20), lower.pending), (Some(3_000), None));

        let higher = lower.change(Some(9_000), 30, cooling);
        assert_eq!(higher.in_force(30), Some(3_000), "the looser one waits");
        assert_eq!(higher.in_force(1_029), Some(3_000));
        assert_eq!(higher.in_force(1_030), Some(9_000), "and binds when the cooling period ends");

        let removed = lower.change(None, 30, cooling);
        assert_eq!((removed.in_force(1_029), removed.in_force(1_030)), (Some(3_000), None), "removal waits too");

        let back = higher.change(Some(2_000), 40, cooling);
        assert_eq!((back.in_force(5_000), back.pending), (Some(2_000), None), "a tighter one drops the wait");

        let equal = higher.change(Some(3_000), 40, cooling);
        assert_eq!((equal.in_force(5_000), equal.pending), (Some(3_000), None), "the same amount is not looser");

        let later = higher.change(Some(4_000), 2_000, cooling);
        assert_eq!((later.amount, later.pending), (Some(4_000), None), "below the raise now in force: at once");
        let again = later.change(Some(10_000), 2_000, cooling);
        assert_eq!((again.in_force(2_999), again.in_force(3_000)), (Some(4_000), Some(10_000)));
    }

    fn ex(kind: ExclusionKind, since: i64, until: Option<i64>) -> Exclusion {
        Exclusion { kind, since, until }
    }

    #[test]
    fn an_exclusion_grows_and_never_shrinks() {
        use ExclusionKind::*;
        let now = 100;
        let cool = ex(CoolOff, 0, Some(500));
        assert!(cool.active(now) && !cool.active(500));
        assert!(!cool.may_become(&ex(CoolOff, now, Some(400)), now), "shorter");
        assert!(!cool.may_become(&ex(SelfExclusion, now, Some(500)), now), "not longer");
        assert!(cool.may_become(&ex(SelfExclusion, now, Some(501)), now));
        assert!(cool.may_become(&ex(CoolOff, now, None), now), "for good is longer");
        assert!(cool.may_become(&ex(CoolOff, 600, Some(700)), 600), "it ended: anything goes");

        let forever = ex(SelfExclusion, 0, None);
        assert!(!forever.may_become(&ex(SelfExclusion, now, None), now), "nothing is longer than for good");
        assert!(forever.active(i64::MAX));

        let long = ex(SelfExclusion, 0, Some(1_000));
        let extended = long.extended_by(&ex(CoolOff, now, Some(2_000)), now);
        assert_eq!(extended, ex(SelfExclusion, 0, Some(2_000)), "a self-exclusion stays one");
        assert_eq!(cool.extended_by(&ex(SelfExclusion, now, None), now), ex(SelfExclusion, now, None));
    }
}
