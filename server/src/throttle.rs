//! Failed logins, counted per account and per client address (governor's
//! keyed GCRA limiters: a burst of failures, then one more per recovery
//! period). A failure the limiter refuses locks its account or address
//! until the limiter would take one again; a locked login is answered
//! `429 login_throttled` with `Retry-After`, before any password is
//! checked. An unknown username is counted and locked exactly as a real
//! one, so the answers never tell which accounts exist. Only failures
//! count: a player who types their password right is never slowed.
//!
//! The counts live in this process: with several nodes, each counts the
//! failures it saw.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_governor::governor::clock::{Clock, DefaultClock};
use actix_governor::governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use dashmap::DashMap;

use crate::settings::AuthSettings;

/// How often (in failures) forgotten keys are swept.
const SWEEP_EVERY: u64 = 1024;

/// One scope's failures: a keyed limiter and the keys it locked.
struct Scope<K: Hash + Eq + Clone> {
    failures: DefaultKeyedRateLimiter<K>,
    locked: DashMap<K, Instant>,
}

impl<K: Hash + Eq + Clone> Scope<K> {
    fn new(burst: u32, recover_secs: u64) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let period = Duration::from_secs(recover_secs.max(1));
        let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN));
        Self { failures: RateLimiter::keyed(quota.allow_burst(burst)), locked: DashMap::new() }
    }

    fn locked_for(&self, key: &K, now: Instant) -> Option<Duration> {
        let until = *self.locked.get(key)?;
        if until > now {
            return Some(until - now);
        }
        self.locked.remove(key);
        None
    }

    fn fail(&self, key: &K, now: Instant) {
        if let Err(refused) = self.failures.check_key(key) {
            let wait = refused.wait_time_from(DefaultClock::default().now());
            self.locked.insert(key.clone(), now + wait);
        }
    }

    fn sweep(&self, now: Instant) {
        self.failures.retain_recent();
        self.locked.retain(|_, until| *until > now);
    }
}

/// Why a login is not even tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// How long until it may be, rounded up to whole seconds.
    pub retry_after_secs: u64,
}

/// Failed logins per account and per address.
pub struct LoginThrottle {
    accounts: Scope<String>,
    addresses: Scope<IpAddr>,
    failures: AtomicU64,
}

impl LoginThrottle {
    /// The throttle the settings describe (`auth.login_*`).
    pub fn new(s: &AuthSettings) -> Self {
        Self {
            accounts: Scope::new(s.login_failures_per_account, s.login_account_recover_secs),
            addresses: Scope::new(s.login_failures_per_address, s.login_address_recover_secs),
            failures: AtomicU64::new(0),
        }
    }

    /// Whether a login to `account` (the name as typed, normalised) from
    /// `address` must wait.
    pub fn check(&self, account: &str, address: IpAddr) -> Result<(), Throttled> {
        let now = Instant::now();
        let wait = [self.accounts.locked_for(&account.to_owned(), now), self.addresses.locked_for(&address, now)]
            .into_iter()
            .flatten()
            .max();
        match wait {
            None => Ok(()),
            Some(wait) => Err(Throttled { retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0) }),
        }
    }

    /// Counts a failed login to `account` from `address`.
    pub fn failed(&self, account: &str, address: IpAddr) {
        let now = Instant::now();
        self.accounts.fail(&account.to_owned(), now);
        self.addresses.fail(&address, now);
        if self.failures.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.accounts.sweep(now);
            self.addresses.sweep(now);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn throttle(per_account: u32, per_address: u32) -> LoginThrottle {
        let mut s = crate::settings::Settings::defaults().unwrap().auth;
        s.login_failures_per_account = per_account;
        s.login_failures_per_address = per_address;
        LoginThrottle::new(&s)
    }

    #[test]
    fn an_account_locks_after_its_burst_and_others_do_not() {
        let t = throttle(3, 100);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(t.check("alice", ip).is_ok());
            t.failed("alice", ip);
        }
        assert!(t.check("alice", ip).is_ok(), "the burst itself does not lock");
        t.failed("alice", ip);
        let locked = t.check("alice", ip).unwrap_err();
        assert!((1..=60).contains(&locked.retry_after_secs), "{locked:?}");
        assert!(t.check("bob", ip).is_ok(), "another account is not locked");
        assert!(t.check("alice", "10.0.0.2".parse().unwrap()).is_err(), "the account is locked from anywhere");
    }

    #[test]
    fn an_address_locks_across_accounts() {
        let t = throttle(100, 4);
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        for n in 0..5 {
            t.failed(&format!("user{n}"), ip);
        }
        assert!(t.check("fresh", ip).is_err(), "the address is locked for every account");
        assert!(t.check("fresh", "10.0.0.10".parse().unwrap()).is_ok());
    }
}
