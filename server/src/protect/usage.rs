//! One player's play figures in one currency, as the guard follows them:
//! stakes and losses per UTC day since the earlier of this week's and this
//! month's start, and the stakes held in open rounds. A stake counts as
//! wagered and as in play when admitted; its round's close turns it into a
//! loss (less what the round paid the player) or takes it back (a void).
//! For a loss limit a stake in play counts as lost, so no outcome can take
//! the player past it.

use std::collections::{BTreeMap, HashMap};

use croupier_protocol::ErrorCode;

use crate::limits::{LimitKind, Period, day_of};
use crate::store::{PlayUsage, RoundClose};

/// Stakes and losses of one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Day {
    wagered: i64,
    lost: i64,
}

/// See the module.
#[derive(Debug, Default)]
pub struct Usage {
    days: BTreeMap<i64, Day>,
    open: HashMap<String, i64>,
}

impl From<PlayUsage> for Usage {
    fn from(read: PlayUsage) -> Self {
        let days = read.days.into_iter().map(|d| (d.day, Day { wagered: d.wagered, lost: d.lost })).collect();
        Self { days, open: read.open.into_iter().collect() }
    }
}

impl Usage {
    /// Refuses a stake of `amount` that would take the player past one of
    /// `limits` (kind, period, minor units) at `now`.
    pub fn check(&mut self, limits: &[(LimitKind, Period, i64)], amount: i64, now: i64) -> Result<(), ErrorCode> {
        for &(kind, period, cap) in limits {
            if self.used(kind, period, now).saturating_add(amount) > cap {
                return Err(match kind {
                    LimitKind::Loss => ErrorCode::LossLimitReached,
                    _ => ErrorCode::WagerLimitReached,
                });
            }
        }
        Ok(())
    }

    /// What counts against a limit of `kind` over `period` at `now`: the
    /// stakes placed in it, or the losses in it plus every stake in play.
    pub fn used(&mut self, kind: LimitKind, period: Period, now: i64) -> i64 {
        let today = day_of(now);
        let first = period.first_day(today);
        self.prune(day_of(super::window_start(now)));
        let days = self.days.range(first..=today).map(|(_, d)| *d);
        match kind {
            LimitKind::Wager => days.map(|d| d.wagered).sum(),
            LimitKind::Loss => days.map(|d| d.lost).sum::<i64>() + self.open.values().sum::<i64>(),
            LimitKind::Deposit => 0,
        }
    }

    /// Counts an admitted stake at `now`.
    pub fn stake(&mut self, round: &str, amount: i64, now: i64) {
        self.days.entry(day_of(now)).or_default().wagered += amount;
        *self.open.entry(round.to_owned()).or_default() += amount;
    }

    /// Takes back a stake admitted on `day` that the wallet refused.
    pub fn unstake(&mut self, round: &str, amount: i64, day: i64) {
        if let Some(d) = self.days.get_mut(&day) {
            d.wagered -= amount;
        }
        if let Some(held) = self.open.get_mut(round) {
            *held -= amount;
            if *held <= 0 {
                self.open.remove(round);
            }
        }
    }

    /// `round` closed at `now`: `player`'s stakes in it are lost less what
    /// it paid them, or given back.
    pub fn close(&mut self, round: &str, player: i64, close: &RoundClose, now: i64) {
        let Some(staked) = self.open.remove(round) else { return };
        let day = self.days.entry(day_of(now)).or_default();
        match close {
            RoundClose::Settle(payouts) => {
                let paid: i64 = payouts.iter().filter(|(p, _)| *p == player).map(|(_, a)| a).sum();
                day.lost += staked - paid;
            }
            RoundClose::Void => day.wagered -= staked,
            RoundClose::RecordOnly => {}
        }
    }

    /// The rounds holding stakes.
    pub fn open_rounds(&self) -> impl Iterator<Item = &String> {
        self.open.keys()
    }

    /// Forgets days before `first`.
    fn prune(&mut self, first: i64) {
        while let Some(entry) = self.days.first_entry() {
            if *entry.key() >= first {
                break;
            }
            entry.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::DAY_MS;

    #[test]
    fn stakes_count_at_once_and_rounds_turn_them_into_losses_or_give_them_back() {
        let now = 20_000 * DAY_MS + 5;
        let mut u = Usage::default();
        let limits = [(LimitKind::Wager, Period::Day, 100), (LimitKind::Loss, Period::Week, 60)];
        assert_eq!(u.check(&limits, 50, now), Ok(()));
        u.stake("r1", 50, now);
        assert_eq!(u.check(&limits, 20, now), Err(ErrorCode::LossLimitReached), "50 in play counts as lost");
        u.close("r1", 7, &RoundClose::Settle(vec![(7, 80), (8, 1_000)]), now);
        assert_eq!(u.used(LimitKind::Loss, Period::Week, now), -30, "won 30: another player's payout is not ours");
        assert_eq!(u.used(LimitKind::Wager, Period::Day, now), 50);
        assert_eq!(u.check(&limits, 51, now), Err(ErrorCode::WagerLimitReached));
        assert_eq!(u.check(&limits, 50, now), Ok(()), "exactly at the limit is allowed");

        u.stake("r2", 40, now);
        u.close("r2", 7, &RoundClose::Void, now);
        assert_eq!(u.used(LimitKind::Wager, Period::Day, now), 50, "a voided stake is given back");
        u.stake("r3", 30, now);
        u.unstake("r3", 30, day_of(now));
        assert_eq!((u.used(LimitKind::Wager, Period::Day, now), u.open_rounds().count()), (50, 0), "refused");

        let tomorrow = now + DAY_MS;
        assert_eq!(u.used(LimitKind::Wager, Period::Day, tomorrow), 0, "a new day");
        assert_eq!(u.used(LimitKind::Wager, Period::Month, tomorrow), 50, "the same month");
    }
}
