//! Per-IP rate limiting of the `/v1` API (actix-governor: a token bucket per
//! client address as [`crate::address`] reads it, IPv6 grouped by /56). Over the limit a client gets 429
//! with `Retry-After` and our error shape, code `rate_limited`. Health and
//! metrics are not limited.

use actix_governor::governor::NotUntil;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::{KeyExtractor, SimpleKeyExtractionError};
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder};
use croupier_protocol::ErrorCode;

use crate::address::Proxies;

/// The client's address (see [`crate::address`]; IPv6 grouped by /56 as
/// actix-governor's own extractor does), with our 429 response.
#[derive(Debug, Clone)]
pub struct ClientIp(pub Proxies);

impl KeyExtractor for ClientIp {
    type Key = std::net::IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        Ok(match self.0.client(req.peer_addr(), req.headers()) {
            std::net::IpAddr::V6(v6) => {
                let [a, b, c, d, ..] = v6.segments();
                std::net::IpAddr::V6(std::net::Ipv6Addr::new(a, b, c, d & 0xff00, 0, 0, 0, 0))
            }
            v4 => v4,
        })
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        mut response: HttpResponseBuilder,
    ) -> HttpResponse {
        // Whole seconds, rounded up: a client that waits this long is let in.
        let wait = negative.wait_time_from(DefaultClock::default().now());
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        response.status(StatusCode::TOO_MANY_REQUESTS).insert_header(("Retry-After", secs.to_string())).json(
            serde_json::json!({
                "error": { "code": ErrorCode::RateLimited.as_str(), "message": format!("too many requests: retry in {secs} s") }
            }),
        )
    }
}
