//! What the sandbox providers (payments, identity) share: their bearer
//! key, their ids, and their webhooks — signed `t=UNIX,v1=HMAC` over the
//! timestamp and body, sent after the answer, retried (5 tries, backing
//! off) until answered 2xx, and every attempt kept for `GET
//! /v1/deliveries` with its exact header and body, as a provider's
//! dashboard lists them.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::json;

/// One webhook attempt, as `GET /v1/deliveries` lists it.
#[derive(Clone, Serialize)]
pub struct Delivery {
    event: String,
    #[serde(rename = "type")]
    kind: String,
    signature: String,
    body: String,
    status: u16,
}

/// An event to send: `(event id, type, data)`.
pub type Outgoing = (String, String, serde_json::Value);

/// A sandbox's key, ids and webhook sender.
pub struct Hooks {
    api_key: String,
    secret: Vec<u8>,
    url: String,
    header: &'static str,
    http: reqwest::Client,
    next: AtomicU64,
    deliveries: Mutex<Vec<Delivery>>,
}

impl Hooks {
    /// Webhooks to `url`, signed with `secret` in the header `header`; the
    /// API takes `api_key`.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(api_key: String, secret: Vec<u8>, url: String, header: &'static str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        Ok(Self { api_key, secret, url, header, http, next: AtomicU64::new(1), deliveries: Mutex::new(Vec::new()) })
    }

    /// A fresh id, `PREFIX_000001`.
    pub fn id(&self, prefix: &str) -> String {
        format!("{prefix}_{:06}", self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// Whether `req` carries the API key (or the refusal to send).
    ///
    /// # Errors
    /// `401` without it.
    pub fn authorised(&self, req: &HttpRequest) -> Result<(), HttpResponse> {
        let sent = req.headers().get("authorization").and_then(|v| v.to_str().ok());
        if sent == Some(format!("Bearer {}", self.api_key).as_str()) {
            Ok(())
        } else {
            Err(refuse(StatusCode::UNAUTHORIZED, "a bearer API key is required"))
        }
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Vec<Delivery>> {
        lock(&self.deliveries)
    }

    /// Delivers `events` in order, each retried until answered 2xx.
    pub async fn deliver(&self, events: Vec<Outgoing>) {
        for (event, kind, object) in events {
            let body = json!({ "id": event, "type": kind, "created": now_secs(), "data": object }).to_string();
            for attempt in 0..5u32 {
                let signature = super::sign(&self.secret, now_secs(), body.as_bytes());
                let sent = self
                    .http
                    .post(&self.url)
                    .header(self.header, &signature)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                let status = sent.as_ref().map_or(0, |r| r.status().as_u16());
                let delivery =
                    Delivery { event: event.clone(), kind: kind.clone(), signature, body: body.clone(), status };
                self.log().push(delivery);
                if (200..300).contains(&status) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
        }
    }

    /// `GET /v1/deliveries`: every attempt so far.
    pub fn deliveries(&self, req: &HttpRequest) -> HttpResponse {
        if let Err(no) = self.authorised(req) {
            return no;
        }
        HttpResponse::Ok().json(json!({ "deliveries": self.log().clone() }))
    }
}

/// `mutex`, locked: a poisoned one is still usable (the sandbox keeps
/// serving).
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An error answer `{"error": why}`.
pub fn refuse(status: StatusCode, why: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": why }))
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
