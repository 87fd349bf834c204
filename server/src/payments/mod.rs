//! Payment providers: the [`Provider`] trait an adapter implements (start a
//! deposit, send a payout, check a webhook), what a webhook tells
//! ([`Event`]), and the signature every webhook carries — an HMAC-SHA-256
//! of its timestamp and body under a shared secret, refused outside a
//! replay window. [`sandbox`] is the adapter of the sandbox provider, and
//! [`sandbox_server`] the sandbox itself: a separate endpoint with its own
//! API, hosted payment page and asynchronous webhooks, that behaves as a
//! real provider does (duplicates, out-of-order delivery, failures).
//!
//! Card data never reaches this server: a player pays on the provider's
//! own page, and we only ever see the provider's ids and events.

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;
use thiserror::Error;

pub mod hooks;
pub mod sandbox;
pub mod sandbox_server;

/// A secret setting: read from the environment, never printed.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "SecretText(empty)" } else { "SecretText(redacted)" })
    }
}

/// `[payments]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSettings {
    /// `""` (no payments) or `"sandbox"`.
    pub provider: String,
    /// The provider's API, e.g. `http://127.0.0.1:8090`.
    pub api_url: String,
    /// Our key at the provider (from `CROUPIER__PAYMENTS__API_KEY`).
    pub api_key: SecretText,
    /// The webhook signing secret (from `CROUPIER__PAYMENTS__WEBHOOK_SECRET`).
    pub webhook_secret: SecretText,
    /// Where the provider sends a player back after paying.
    pub return_url: String,
    /// A webhook signed further than this from now is refused.
    pub webhook_tolerance_secs: u64,
    /// Withdrawals above this many minor units wait for an operator.
    pub review_above: i64,
    /// A provider call not answered in this many milliseconds fails.
    pub timeout_ms: u64,
}

impl PaymentSettings {
    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<&'static str> {
        match self.provider.as_str() {
            "" => None,
            "sandbox" if self.api_url.is_empty() || self.api_key.0.is_empty() || self.webhook_secret.0.is_empty() => {
                Some(
                    "payments: the sandbox needs api_url, CROUPIER__PAYMENTS__API_KEY and CROUPIER__PAYMENTS__WEBHOOK_SECRET",
                )
            }
            "sandbox" if !(1..=3_600).contains(&self.webhook_tolerance_secs) => {
                Some("payments.webhook_tolerance_secs must be 1 to 3600")
            }
            "sandbox" if self.review_above < 0 || !(100..=120_000).contains(&self.timeout_ms) => {
                Some("payments.review_above must be 0 or more and payments.timeout_ms 100 to 120000")
            }
            "sandbox" => None,
            _ => Some("payments.provider must be \"\" (none) or \"sandbox\""),
        }
    }
}

/// A deposit to start at the provider.
#[derive(Debug, Clone)]
pub struct IntentRequest {
    /// Our reference (`pay-ID`), which every event about it carries back.
    pub reference: String,
    /// Minor units.
    pub amount: i64,
    /// Currency code.
    pub currency: String,
    /// Where the provider's page sends the player afterwards.
    pub return_url: String,
}

/// A started deposit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// The provider's id of it.
    pub provider_ref: String,
    /// The provider's page where the player pays.
    pub redirect_url: String,
}

/// A payout to send.
#[derive(Debug, Clone)]
pub struct PayoutRequest {
    /// Our reference (`pay-ID`); the provider pays one reference once.
    pub reference: String,
    /// Minor units.
    pub amount: i64,
    /// Currency code.
    pub currency: String,
    /// The provider's token of where the money goes.
    pub destination: String,
}

/// What a webhook says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The player is paying.
    PaymentPending,
    /// The money is ours: credit the player.
    PaymentSucceeded,
    /// The payment did not happen.
    PaymentFailed,
    /// The payout reached the player.
    PayoutPaid,
    /// The payout did not happen: the money goes back.
    PayoutFailed,
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
    /// The provider's id of the payment or payout.
    pub provider_ref: String,
    /// Minor units.
    pub amount: i64,
    /// Currency code.
    pub currency: String,
}

/// Why a provider call failed.
#[derive(Debug, Error)]
pub enum ProviderError {
    /// The provider could not be reached or did not answer in time.
    #[error("the payment provider did not answer: {0}")]
    Unreachable(String),
    /// The provider refused.
    #[error("the payment provider refused: {0}")]
    Refused(String),
}

/// Why a webhook was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum WebhookError {
    /// No signature, or one that does not match.
    #[error("the signature is missing or wrong")]
    BadSignature,
    /// Signed outside the replay window.
    #[error("the webhook was signed {0} s from now, outside the replay window")]
    Stale(i64),
    /// The body is not an event.
    #[error("the body is not an event: {0}")]
    Malformed(String),
}

/// A payment provider.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Its name, as the webhook route names it (`/v1/payments/NAME/webhook`).
    fn name(&self) -> &'static str;

    /// The header its webhooks carry their signature in.
    fn signature_header(&self) -> &'static str;

    /// Starts a deposit; the player pays at the intent's page.
    ///
    /// # Errors
    /// [`ProviderError`].
    async fn create_intent(&self, request: &IntentRequest) -> Result<Intent, ProviderError>;

    /// Sends a payout; its outcome comes as a webhook. Idempotent per
    /// reference: asking again pays nothing twice.
    ///
    /// # Errors
    /// [`ProviderError`].
    async fn payout(&self, request: &PayoutRequest) -> Result<String, ProviderError>;

    /// Checks a webhook's signature (at `now_secs`) and reads it.
    ///
    /// # Errors
    /// [`WebhookError`].
    fn verify_webhook(&self, signature: Option<&str>, body: &[u8], now_secs: i64) -> Result<Event, WebhookError>;
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // invariant: HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header of `body` sent at `timestamp`: `t=…,v1=…`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

/// Checks a `t=…,v1=…[,v1=…]` header against `body` (constant time), and
/// that `t` is within `tolerance_secs` of `now_secs`.
///
/// # Errors
/// [`WebhookError::BadSignature`], [`WebhookError::Stale`].
pub fn verify_signature(
    secret: &[u8],
    header: Option<&str>,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: u64,
) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::BadSignature)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signatures.extend(hex::decode(s).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::BadSignature)?;
    if !signatures.iter().any(|s| mac(secret, timestamp, body).verify_slice(s).is_ok()) {
        return Err(WebhookError::BadSignature);
    }
    let skew = now_secs - timestamp;
    if skew.unsigned_abs() > tolerance_secs {
        return Err(WebhookError::Stale(skew));
    }
    Ok(())
}

/// The provider `settings` name, if any.
///
/// # Errors
/// An unknown provider or an unusable setting.
pub fn from_settings(settings: &PaymentSettings) -> anyhow::Result<Option<std::sync::Arc<dyn Provider>>> {
    if let Some(problem) = settings.problem() {
        anyhow::bail!("invalid settings: {problem}");
    }
    Ok(match settings.provider.as_str() {
        "sandbox" => Some(std::sync::Arc::new(sandbox::Sandbox::new(settings)?)),
        _ => None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn signatures_hold_only_for_their_body_secret_and_window() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(b"whsec", 1_000, body);
        assert_eq!(verify_signature(b"whsec", Some(&header), body, 1_100, 300), Ok(()));
        let bad = Err(WebhookError::BadSignature);
        assert_eq!(verify_signature(b"other", Some(&header), body, 1_100, 300), bad);
        assert_eq!(verify_signature(b"whsec", Some(&header), br#"{"id":"evt_2"}"#, 1_100, 300), bad);
        assert_eq!(verify_signature(b"whsec", None, body, 1_100, 300), bad);
        assert_eq!(verify_signature(b"whsec", Some("t=1000,v1=zz"), body, 1_100, 300), bad);
        // A changed timestamp breaks the signature; an old one is stale.
        let moved = header.replace("t=1000", "t=1200");
        assert_eq!(verify_signature(b"whsec", Some(&moved), body, 1_200, 300), bad);
        assert_eq!(verify_signature(b"whsec", Some(&header), body, 1_301, 300), Err(WebhookError::Stale(301)));
        assert_eq!(verify_signature(b"whsec", Some(&header), body, 600, 300), Err(WebhookError::Stale(-400)));
        // During a secret rotation a header may carry two signatures.
        let both = format!("{header},v1={}", "00".repeat(32));
        assert_eq!(verify_signature(b"whsec", Some(&both), body, 1_000, 300), Ok(()));
    }
}
