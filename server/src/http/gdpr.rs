//! `GET /v1/me/export`: everything we hold about the caller, as the GDPR's
//! right of access and to data portability ask — one machine-readable JSON
//! attachment, its sections listed by `crate::store::export`, their
//! personal data opened, and what is withheld named with why. Each export
//! is audited.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde_json::json;

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::state::AppState;
use crate::store::AuditEntry;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/export", web::get().to(export));
}

/// The export's format, which a reader checks first.
pub const FORMAT: &str = "croupier-export/1";

/// What no export holds, and why.
const WITHHELD: &[&str] = &[
    "your password: it is kept only as a one-way hash",
    "refresh, reset and recovery code tokens: they are kept only as one-way hashes",
    "your second factor's secret: it is a credential, not data about you",
    "provably-fair seeds not yet revealed: they would tell an outcome before it is dealt",
    "other players' parts of the rounds you played: each round's public record is at GET /v1/rounds/{round}",
    "anti-money-laundering review records, if any: the law forbids disclosing them",
];

async fn export(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let sections = state.store.export_of(caller.id).await?;
    let profile = match (state.store.sealed_profile(caller.id).await?, &state.pii) {
        (None, _) => None,
        (Some(row), Some(keys)) => Some(keys.open(caller.id, &row.key_id, &row.data).map_err(ApiError::internal)?),
        (Some(_), None) => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::PiiUnavailable,
                "your personal data is sealed and this server has no key to open it: ask its operator",
            ));
        }
    };
    let now = state.now_ms();
    let entry = AuditEntry {
        actor: caller.id,
        action: "gdpr.export".into(),
        target: format!("user:{}", caller.id),
        detail: json!({ "sections": sections.len() }).to_string(),
        address: state.proxies.of(&req).to_string(),
        at: now,
    };
    state.store.audit(&entry).await?;
    tracing::info!(user_id = caller.id, "data exported");
    let body = json!({
        "format": FORMAT,
        "exported_at": now,
        "user_id": caller.id,
        "profile": profile,
        "sections": sections,
        "withheld": WITHHELD,
    });
    Ok(HttpResponse::Ok()
        .insert_header(("content-disposition", format!("attachment; filename=\"croupier-export-{}.json\"", caller.id)))
        .json(body))
}
