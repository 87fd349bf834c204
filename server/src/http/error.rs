//! The one error shape of the HTTP API:
//! `{"error": {"code": "snake_case_code", "message": "..."}}`, with a stable
//! code per failure (a `croupier_protocol::ErrorCode`; each is listed in
//! docs/api.md, and a test checks every code is documented). Handlers return
//! [`ApiError`]; this module turns it and actix's own extractor failures
//! (bad JSON, oversized bodies) into that shape. It never logs secrets: an
//! internal error is logged here and answered with a generic message.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use croupier_protocol::ErrorCode;
use serde::Serialize;

use crate::store::StoreError;

/// A failed request: status, stable code, human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable, machine-readable.
    pub code: ErrorCode,
    /// For people.
    pub message: String,
    /// Seconds to wait before trying again (`Retry-After`), if any.
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }

    /// The same, with `Retry-After: secs`.
    #[must_use]
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// 400 with `code`.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401 `unauthorized` (or a more precise code).
    pub fn unauthorized(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 401 `account_erased`: the caller's account was erased.
    pub fn account_erased() -> Self {
        Self::unauthorized(ErrorCode::AccountErased, crate::auth::ERASED)
    }

    /// 500 `internal_error`; the cause goes to the log, not the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError, "something went wrong on our side")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status)
            .json(Body { error: Inner { code: self.code.as_str(), message: &self.message } });
        if let Some(secs) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let status = match &e {
            StoreError::NotFound(_) | StoreError::UnknownRound(_) => StatusCode::NOT_FOUND,
            StoreError::PayoutWithoutStake(_) | StoreError::InvalidAmount(_) | StoreError::CurrencyMismatch(_) => {
                StatusCode::BAD_REQUEST
            }
            StoreError::Conflict(_)
            | StoreError::InsufficientFunds
            | StoreError::RoundClosed(_)
            | StoreError::KeyReused(_) => StatusCode::CONFLICT,
            StoreError::Database(_) | StoreError::Unconfirmed(_) | StoreError::Corrupt(_) => return Self::internal(e),
        };
        let message = match &e {
            StoreError::Conflict(what) => format!("that {what} is taken"),
            StoreError::NotFound(what) => format!("no such {what}"),
            StoreError::InsufficientFunds => "the available balance is too low".to_owned(),
            StoreError::UnknownRound(round) => format!("no stake was held in round {round}"),
            StoreError::RoundClosed(round) => format!("round {round} is already settled or voided"),
            StoreError::KeyReused(key) => format!("idempotency key {key:?} was already used for a different request"),
            other => other.to_string(),
        };
        Self::new(status, e.code(), message)
    }
}

/// Maps actix's JSON extractor failures to our shape.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let e = match &err {
        J::OverflowKnownLength { .. } | J::Overflow { .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge, "the request body is too large")
        }
        J::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
        ),
        J::Deserialize(d) if d.is_data() => ApiError::bad_request(ErrorCode::InvalidBody, d.to_string()),
        J::Deserialize(d) => ApiError::bad_request(ErrorCode::MalformedJson, d.to_string()),
        other => ApiError::bad_request(ErrorCode::MalformedJson, other.to_string()),
    };
    e.into()
}

/// Maps query-string failures to our shape.
pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::bad_request(ErrorCode::InvalidQuery, err.to_string()).into()
}

/// Maps path failures (e.g. a non-numeric id) to our shape.
pub fn path_error(err: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, err.to_string()).into()
}
