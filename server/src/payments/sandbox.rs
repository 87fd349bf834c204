//! The sandbox provider's adapter: its API over HTTP (`POST /v1/intents`,
//! `POST /v1/payouts`, bearer key), each call with a deadline, and its
//! webhooks (`Sandbox-Signature: t=…,v1=…`, body `{"id", "type", "created",
//! "data": {"id", "reference", "amount", "currency"}}`).

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::{
    Event, EventKind, Intent, IntentRequest, PaymentSettings, PayoutRequest, Provider, ProviderError, WebhookError,
};

/// The header the sandbox signs webhooks in.
pub const SIGNATURE_HEADER: &str = "Sandbox-Signature";

/// A sandbox's API (bearer key, a deadline on every call) and its signed
/// webhooks. Shared with the identity sandbox's adapter
/// (`crate::kyc::sandbox`).
pub struct Api {
    http: reqwest::Client,
    url: String,
    key: String,
    secret: Vec<u8>,
    tolerance_secs: u64,
}

impl Api {
    /// The API at `url` with our `key`, each call failing after
    /// `timeout_ms`; its webhooks signed with `secret`, refused outside
    /// `tolerance_secs` of now.
    ///
    /// # Errors
    /// An HTTP client that cannot be built.
    pub fn new(url: &str, key: &str, timeout_ms: u64, (secret, tolerance_secs): (&str, u64)) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let (url, key, secret) = (url.trim_end_matches('/').to_owned(), key.to_owned(), secret.as_bytes().to_vec());
        Ok(Self { http, url, key, secret, tolerance_secs })
    }

    /// A webhook's body as `T`, once its signature holds at `now_secs`.
    ///
    /// # Errors
    /// [`WebhookError`].
    pub fn webhook<T: for<'de> Deserialize<'de>>(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now_secs: i64,
    ) -> Result<T, WebhookError> {
        super::verify_signature(&self.secret, signature, body, now_secs, self.tolerance_secs)?;
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))
    }

    /// `POST path` with `body`, its answer read as `T`.
    ///
    /// # Errors
    /// [`ProviderError::Unreachable`] without an answer in time,
    /// [`ProviderError::Refused`] for a non-2xx or unreadable one.
    pub async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<T, ProviderError> {
        let answer = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .map_err(|e| ProviderError::Unreachable(e.without_url().to_string()))?;
        let status = answer.status();
        if !status.is_success() {
            let text = answer.text().await.unwrap_or_default();
            return Err(ProviderError::Refused(format!("{status}: {}", text.chars().take(200).collect::<String>())));
        }
        answer.json().await.map_err(|e| ProviderError::Refused(format!("an answer we cannot read: {e}")))
    }
}

/// The sandbox, as a provider.
pub struct Sandbox {
    api: Api,
}

impl Sandbox {
    /// The adapter `settings` describe.
    ///
    /// # Errors
    /// An HTTP client that cannot be built.
    pub fn new(settings: &PaymentSettings) -> anyhow::Result<Self> {
        let webhooks = (settings.webhook_secret.0.as_str(), settings.webhook_tolerance_secs);
        Ok(Self { api: Api::new(&settings.api_url, &settings.api_key.0, settings.timeout_ms, webhooks)? })
    }
}

#[derive(Deserialize)]
struct IntentAnswer {
    id: String,
    redirect_url: String,
}

#[derive(Deserialize)]
struct PayoutAnswer {
    id: String,
}

#[derive(Deserialize)]
struct Webhook {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: Object,
}

#[derive(Deserialize)]
struct Object {
    id: String,
    reference: String,
    amount: i64,
    currency: String,
}

#[async_trait]
impl Provider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn signature_header(&self) -> &'static str {
        SIGNATURE_HEADER
    }

    async fn create_intent(&self, r: &IntentRequest) -> Result<Intent, ProviderError> {
        let body =
            json!({ "reference": r.reference, "amount": r.amount, "currency": r.currency, "return_url": r.return_url });
        let answer: IntentAnswer = self.api.call("/v1/intents", body).await?;
        Ok(Intent { provider_ref: answer.id, redirect_url: answer.redirect_url })
    }

    async fn payout(&self, r: &PayoutRequest) -> Result<String, ProviderError> {
        let body = json!({ "reference": r.reference, "amount": r.amount, "currency": r.currency, "destination": r.destination });
        let answer: PayoutAnswer = self.api.call("/v1/payouts", body).await?;
        Ok(answer.id)
    }

    fn verify_webhook(&self, signature: Option<&str>, body: &[u8], now_secs: i64) -> Result<Event, WebhookError> {
        let hook: Webhook = self.api.webhook(signature, body, now_secs)?;
        let kind = match hook.kind.as_str() {
            "payment.pending" => EventKind::PaymentPending,
            "payment.succeeded" => EventKind::PaymentSucceeded,
            "payment.failed" => EventKind::PaymentFailed,
            "payout.paid" => EventKind::PayoutPaid,
            "payout.failed" => EventKind::PayoutFailed,
            _ => EventKind::Other,
        };
        let Object { id, reference, amount, currency } = hook.data;
        Ok(Event { id: hook.id, kind, reference, provider_ref: id, amount, currency })
    }
}
