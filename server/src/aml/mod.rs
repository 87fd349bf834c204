//! Anti-money-laundering rules over the money stream. Each rule looks at
//! one event — a deposit credited, a withdrawal asked for, a sign-in — with
//! the facts the store gives (`crate::http::aml` gathers them) and says
//! whether it raises a [`Suspicion`]; a suspicion opens a case in the
//! review queue (one live case per player, rule and subject), and a
//! withdrawal that raises one waits for an operator instead of paying out.
//!
//! The rules, `[aml]` in `config/default.toml`:
//! - `large_transaction`: one deposit or withdrawal of at least
//!   `large_amount` minor units;
//! - `velocity`: `velocity_deposits` deposits credited or more within
//!   `velocity_window_secs`;
//! - `deposit_without_play`: a withdrawal while the player has wagered less
//!   than `no_play_percent` of what they deposited in that currency within
//!   `no_play_window_secs`;
//! - `shared_address`, `shared_device`: `accounts_per_address` accounts or
//!   more signing in from one address (or one device) within
//!   `address_window_secs`.
//!
//! The rules decide nothing about money and read no outcome: they only
//! raise cases for people to look at.

use serde::Deserialize;
use serde_json::{Value, json};

/// `[aml]`; a threshold of 0 turns its rule off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmlSettings {
    /// A single deposit or withdrawal of at least this many minor units.
    pub large_amount: i64,
    /// This many deposits credited within `velocity_window_secs`.
    pub velocity_deposits: u32,
    /// The velocity window.
    pub velocity_window_secs: u64,
    /// A withdrawal after wagering less than this percent of the deposits.
    pub no_play_percent: u32,
    /// The window deposits and wagers are summed over for it.
    pub no_play_window_secs: u64,
    /// This many accounts signing in from one address or device.
    pub accounts_per_address: u32,
    /// The window sign-ins are counted over.
    pub address_window_secs: u64,
}

impl AmlSettings {
    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<&'static str> {
        let windows = [self.velocity_window_secs, self.no_play_window_secs, self.address_window_secs];
        if self.large_amount < 0 {
            Some("aml.large_amount must be 0 (off) or more")
        } else if windows.iter().any(|w| !(1..=31_536_000).contains(w)) {
            Some("aml.velocity_window_secs, no_play_window_secs and address_window_secs must be 1 to 31536000")
        } else if self.no_play_percent > 1_000 {
            Some("aml.no_play_percent must be 0 (off) to 1000")
        } else {
            None
        }
    }
}

/// A rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// One large deposit or withdrawal.
    LargeTransaction,
    /// Many deposits in a short time.
    Velocity,
    /// Money in and out again with little play between.
    DepositWithoutPlay,
    /// Many accounts from one address.
    SharedAddress,
    /// Many accounts from one device.
    SharedDevice,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 5] =
        [Rule::LargeTransaction, Rule::Velocity, Rule::DepositWithoutPlay, Rule::SharedAddress, Rule::SharedDevice];

    /// As stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Rule::LargeTransaction => "large_transaction",
            Rule::Velocity => "velocity",
            Rule::DepositWithoutPlay => "deposit_without_play",
            Rule::SharedAddress => "shared_address",
            Rule::SharedDevice => "shared_device",
        }
    }
}

/// What a rule saw: the case to open.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspicion {
    /// Which rule.
    pub rule: Rule,
    /// What it is about (`payment:ID`, `address:…`, `velocity`): one live
    /// case per player, rule and subject.
    pub subject: String,
    /// The facts it saw.
    pub detail: Value,
}

/// A payment as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Money<'a> {
    /// Our id of it.
    pub id: i64,
    /// Minor units.
    pub amount: i64,
    /// Currency code.
    pub currency: &'a str,
}

fn large(settings: &AmlSettings, kind: &str, m: Money<'_>) -> Option<Suspicion> {
    (settings.large_amount > 0 && m.amount >= settings.large_amount).then(|| Suspicion {
        rule: Rule::LargeTransaction,
        subject: format!("payment:{}", m.id),
        detail: json!({ "kind": kind, "amount": m.amount, "currency": m.currency, "threshold": settings.large_amount }),
    })
}

/// The suspicions a deposit credited raises, with `recent` deposits
/// credited (itself included) within the velocity window.
pub fn on_deposit(settings: &AmlSettings, m: Money<'_>, recent: i64) -> Vec<Suspicion> {
    let mut out: Vec<Suspicion> = large(settings, "deposit", m).into_iter().collect();
    if settings.velocity_deposits > 0 && recent >= i64::from(settings.velocity_deposits) {
        out.push(Suspicion {
            rule: Rule::Velocity,
            subject: "velocity".into(),
            detail: json!({ "deposits": recent, "window_secs": settings.velocity_window_secs,
                "threshold": settings.velocity_deposits }),
        });
    }
    out
}

/// The suspicions a withdrawal raises, with what the player `deposited`
/// and `wagered` in its currency within the no-play window.
pub fn on_withdrawal(settings: &AmlSettings, m: Money<'_>, deposited: i64, wagered: i64) -> Vec<Suspicion> {
    let mut out: Vec<Suspicion> = large(settings, "withdrawal", m).into_iter().collect();
    let percent = i128::from(settings.no_play_percent);
    if percent > 0 && deposited > 0 && i128::from(wagered) * 100 < i128::from(deposited) * percent {
        out.push(Suspicion {
            rule: Rule::DepositWithoutPlay,
            subject: format!("payment:{}", m.id),
            detail: json!({ "amount": m.amount, "currency": m.currency, "deposited": deposited, "wagered": wagered,
                "window_secs": settings.no_play_window_secs, "percent": settings.no_play_percent }),
        });
    }
    out
}

/// The suspicion a sign-in raises when `accounts` accounts (the player's
/// included) signed in from its `address` (`device`: from its device)
/// within the window.
pub fn on_sign_in(settings: &AmlSettings, device: bool, value: &str, accounts: i64) -> Option<Suspicion> {
    let (rule, what) = if device { (Rule::SharedDevice, "device") } else { (Rule::SharedAddress, "address") };
    (settings.accounts_per_address > 0 && accounts >= i64::from(settings.accounts_per_address)).then(|| Suspicion {
        rule,
        subject: format!("{what}:{value}"),
        detail: json!({ what: value, "accounts": accounts, "window_secs": settings.address_window_secs,
            "threshold": settings.accounts_per_address }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> AmlSettings {
        AmlSettings {
            large_amount: 1_000,
            velocity_deposits: 3,
            velocity_window_secs: 3_600,
            no_play_percent: 50,
            no_play_window_secs: 86_400,
            accounts_per_address: 3,
            address_window_secs: 86_400,
        }
    }

    fn rules(s: &[Suspicion]) -> Vec<&'static str> {
        s.iter().map(|s| s.rule.as_str()).collect()
    }

    #[test]
    fn each_rule_fires_at_its_threshold_and_not_below() {
        let s = settings();
        let m = |amount| Money { id: 7, amount, currency: "EUR" };
        assert_eq!(rules(&on_deposit(&s, m(999), 2)), Vec::<&str>::new());
        assert_eq!(rules(&on_deposit(&s, m(1_000), 2)), ["large_transaction"]);
        assert_eq!(rules(&on_deposit(&s, m(10), 3)), ["velocity"]);
        assert_eq!(on_deposit(&s, m(1_000), 2)[0].subject, "payment:7");
        // Wagered 49% of deposits: suspicious; 50%: not.
        assert_eq!(rules(&on_withdrawal(&s, m(10), 1_000, 499)), ["deposit_without_play"]);
        assert_eq!(rules(&on_withdrawal(&s, m(10), 1_000, 500)), Vec::<&str>::new());
        assert_eq!(rules(&on_withdrawal(&s, m(10), 0, 0)), Vec::<&str>::new(), "no deposits: nothing to launder");
        assert_eq!(rules(&on_withdrawal(&s, m(5_000), 1_000, 0)), ["large_transaction", "deposit_without_play"]);
        assert_eq!(on_sign_in(&s, false, "10.0.0.1", 2), None);
        let shared = on_sign_in(&s, false, "10.0.0.1", 3).unwrap();
        assert_eq!((shared.rule, shared.subject.as_str()), (Rule::SharedAddress, "address:10.0.0.1"));
        assert_eq!(on_sign_in(&s, true, "dev-1", 3).unwrap().rule, Rule::SharedDevice);
    }

    #[test]
    fn a_threshold_of_zero_turns_its_rule_off() {
        let s = AmlSettings {
            large_amount: 0,
            velocity_deposits: 0,
            no_play_percent: 0,
            accounts_per_address: 0,
            ..settings()
        };
        let m = Money { id: 1, amount: i64::MAX, currency: "EUR" };
        assert!(on_deposit(&s, m, 1_000).is_empty());
        assert!(on_withdrawal(&s, m, i64::MAX, 0).is_empty());
        assert_eq!(on_sign_in(&s, false, "a", 1_000), None);
        assert_eq!(s.problem(), None);
        assert!(AmlSettings { velocity_window_secs: 0, ..settings() }.problem().is_some());
    }
}
