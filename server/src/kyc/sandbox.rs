//! The sandbox identity provider's adapter: its API over HTTP (`POST
//! /v1/verifications`, bearer key, with a deadline) and its webhooks
//! (`Sandbox-Signature: t=…,v1=…`, body `{"id", "type", "created", "data":
//! {"id", "reference", "reason"}}`).

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::{CheckRequest, Event, EventKind, KycSettings, Started, Verifier};
use crate::payments::sandbox::Api;
use crate::payments::{ProviderError, WebhookError};

/// The header the sandbox signs webhooks in.
pub const SIGNATURE_HEADER: &str = crate::payments::sandbox::SIGNATURE_HEADER;

/// The sandbox, as a verifier.
pub struct Sandbox {
    api: Api,
}

impl Sandbox {
    /// The adapter `settings` describe.
    ///
    /// # Errors
    /// An HTTP client that cannot be built.
    pub fn new(settings: &KycSettings) -> anyhow::Result<Self> {
        let webhooks = (settings.webhook_secret.0.as_str(), settings.webhook_tolerance_secs);
        Ok(Self { api: Api::new(&settings.api_url, &settings.api_key.0, settings.timeout_ms, webhooks)? })
    }
}

#[derive(Deserialize)]
struct CheckAnswer {
    id: String,
    redirect_url: String,
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
    #[serde(default)]
    reason: Option<String>,
}

#[async_trait]
impl Verifier for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn signature_header(&self) -> &'static str {
        SIGNATURE_HEADER
    }

    async fn start(&self, r: &CheckRequest) -> Result<Started, ProviderError> {
        let body = json!({ "reference": r.reference, "return_url": r.return_url });
        let answer: CheckAnswer = self.api.call("/v1/verifications", body).await?;
        Ok(Started { provider_ref: answer.id, redirect_url: answer.redirect_url })
    }

    fn verify_webhook(&self, signature: Option<&str>, body: &[u8], now_secs: i64) -> Result<Event, WebhookError> {
        let hook: Webhook = self.api.webhook(signature, body, now_secs)?;
        let kind = match hook.kind.as_str() {
            "verification.processing" => EventKind::Processing,
            "verification.verified" => EventKind::Verified,
            "verification.rejected" => EventKind::Rejected,
            _ => EventKind::Other,
        };
        let Object { id, reference, reason } = hook.data;
        Ok(Event { id: hook.id, kind, reference, provider_ref: id, reason })
    }
}
