//! Identity verification (KYC): each player's verification status, what a
//! provider adapter does ([`Verifier`]: start a check, read its signed
//! webhooks), the `[kyc]` settings with the least status deposits,
//! withdrawals and play each require, and the sandbox provider
//! ([`sandbox`], its adapter; [`sandbox_server`], the provider itself).
//!
//! A player's documents never reach this server: they are shown on the
//! provider's own page, and we only ever see the provider's ids, the
//! outcome and, for a rejection, its reason.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::payments::{ProviderError, SecretText, WebhookError};

pub mod sandbox;
pub mod sandbox_server;

/// Where a player's verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No check was started (or every one failed to start).
    None,
    /// A check is with the provider.
    Pending,
    /// The provider verified the player's identity.
    Verified,
    /// The provider's last check refused it; the player may start another.
    Rejected,
}

impl Status {
    /// Whether a player in this status may do what needs `least`.
    pub fn meets(self, least: Level) -> bool {
        let rank = match self {
            Status::None | Status::Rejected => Level::None,
            Status::Pending => Level::Pending,
            Status::Verified => Level::Verified,
        };
        rank >= least
    }

    /// As stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::None => "none",
            Status::Pending => "pending",
            Status::Verified => "verified",
            Status::Rejected => "rejected",
        }
    }
}

/// The least status an action needs, in `[kyc]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Anyone.
    None,
    /// A check started and not refused.
    Pending,
    /// A verified identity.
    Verified,
}

impl Level {
    /// As written in settings and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Pending => "pending",
            Level::Verified => "verified",
        }
    }
}

/// What a player does that a status may gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Paying in through the provider.
    Deposit,
    /// Paying out through the provider.
    Withdraw,
    /// Staking at a table or session.
    Play,
}

impl Action {
    /// As a message names it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Deposit => "deposits",
            Action::Withdraw => "withdrawals",
            Action::Play => "play",
        }
    }
}

/// `[kyc]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KycSettings {
    /// `""` (no provider) or `"sandbox"`.
    pub provider: String,
    /// The provider's API, e.g. `http://127.0.0.1:8091`.
    pub api_url: String,
    /// Our key at the provider (from `CROUPIER__KYC__API_KEY`).
    pub api_key: SecretText,
    /// The webhook signing secret (from `CROUPIER__KYC__WEBHOOK_SECRET`).
    pub webhook_secret: SecretText,
    /// Where the provider sends a player back after the check.
    pub return_url: String,
    /// A webhook signed further than this from now is refused.
    pub webhook_tolerance_secs: u64,
    /// A provider call not answered in this many milliseconds fails.
    pub timeout_ms: u64,
    /// The least status a deposit needs.
    pub deposit: Level,
    /// The least status a withdrawal needs.
    pub withdraw: Level,
    /// The least status a stake needs.
    pub play: Level,
}

impl KycSettings {
    /// The least status `action` needs.
    pub fn required(&self, action: Action) -> Level {
        match action {
            Action::Deposit => self.deposit,
            Action::Withdraw => self.withdraw,
            Action::Play => self.play,
        }
    }

    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<&'static str> {
        let gated = [self.deposit, self.withdraw, self.play].iter().any(|l| *l != Level::None);
        match self.provider.as_str() {
            "" if gated => Some("kyc.deposit, kyc.withdraw and kyc.play above \"none\" need a kyc.provider"),
            "" => None,
            "sandbox" if self.api_url.is_empty() || self.api_key.0.is_empty() || self.webhook_secret.0.is_empty() => {
                Some("kyc: the sandbox needs api_url, CROUPIER__KYC__API_KEY and CROUPIER__KYC__WEBHOOK_SECRET")
            }
            "sandbox" if !(1..=3_600).contains(&self.webhook_tolerance_secs) => {
                Some("kyc.webhook_tolerance_secs must be 1 to 3600")
            }
            "sandbox" if !(100..=120_000).contains(&self.timeout_ms) => Some("kyc.timeout_ms must be 100 to 120000"),
            "sandbox" => None,
            _ => Some("kyc.provider must be \"\" (none) or \"sandbox\""),
        }
    }
}

/// A check to start at the provider.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// Our reference (`kyc-ID`), which every event about it carries back.
    pub reference: String,
    /// Where the provider's page sends the player afterwards.
    pub return_url: String,
}

/// A started check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The provider's id of it.
    pub provider_ref: String,
    /// The provider's page where the player shows their documents.
    pub redirect_url: String,
}

/// What a webhook says happened to a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The provider is looking at the documents.
    Processing,
    /// The identity is verified.
    Verified,
    /// The check refused it.
    Rejected,
    /// Something we do not act on.
    Other,
}

/// A verified webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The provider's event id (the same id on every redelivery).
    pub id: String,
    /// What happened.
    pub kind: EventKind,
    /// Our reference.
    pub reference: String,
    /// The provider's id of the check.
    pub provider_ref: String,
    /// Why a check was refused, in the provider's words.
    pub reason: Option<String>,
}

/// An identity verification provider.
#[async_trait]
pub trait Verifier: Send + Sync {
    /// Its name, as the webhook route names it (`/v1/kyc/NAME/webhook`).
    fn name(&self) -> &'static str;

    /// The header its webhooks carry their signature in.
    fn signature_header(&self) -> &'static str;

    /// Starts a check; the player shows their documents at its page.
    ///
    /// # Errors
    /// [`ProviderError`].
    async fn start(&self, request: &CheckRequest) -> Result<Started, ProviderError>;

    /// Checks a webhook's signature (at `now_secs`) and reads it.
    ///
    /// # Errors
    /// [`WebhookError`].
    fn verify_webhook(&self, signature: Option<&str>, body: &[u8], now_secs: i64) -> Result<Event, WebhookError>;
}

/// The verifier `settings` name, if any.
///
/// # Errors
/// An unknown provider or an unusable setting.
pub fn from_settings(settings: &KycSettings) -> anyhow::Result<Option<std::sync::Arc<dyn Verifier>>> {
    if let Some(problem) = settings.problem() {
        anyhow::bail!("invalid settings: {problem}");
    }
    Ok(match settings.provider.as_str() {
        "sandbox" => Some(std::sync::Arc::new(sandbox::Sandbox::new(settings)?)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_meets_the_levels_at_or_below_it() {
        let all = [Level::None, Level::Pending, Level::Verified];
        let met = |s: Status| all.iter().filter(|l| s.meets(**l)).count();
        assert_eq!(met(Status::None), 1);
        assert_eq!(met(Status::Rejected), 1, "a refused check counts as none");
        assert_eq!(met(Status::Pending), 2);
        assert_eq!(met(Status::Verified), 3);
        assert!(!Status::Pending.meets(Level::Verified));
    }
}
