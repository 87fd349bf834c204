//! A player's GDPR rights over their data. `GET /v1/me/export`: everything
//! we hold about the caller, as the rights of access and to data
//! portability ask — one machine-readable JSON attachment, its sections
//! listed by `crate::store::export`, their personal data opened, and what
//! is withheld named with why. `POST /v1/me/erase`: the right to erasure —
//! with the password (and a code, with a second factor on), once no money
//! is theirs and no payment is under way, their personal data is deleted
//! or pseudonymised and what the law keeps is named with why
//! (`crate::store::erase`); their tokens are refused from that moment and
//! their socket closed. Both are audited.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;

use super::console::audit;
use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::state::AppState;
use crate::store::Role;
use crate::store::erase::{KEPT, Refusal, STEPS};

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/export", web::get().to(export)).route("/me/erase", web::post().to(erase));
}

/// `{"password", "otp"?}` (no `Debug`: it holds secrets).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Erasure {
    password: String,
    #[serde(default)]
    otp: Option<String>,
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
    let entry = audit(
        &state,
        &caller,
        &req,
        "gdpr.export",
        format!("user:{}", caller.id),
        &json!({ "sections": sections.len() }),
    );
    let now = entry.at;
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

async fn erase(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
    body: web::Json<Erasure>,
) -> Result<HttpResponse, ApiError> {
    if caller.role != Role::Player {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "only a player's account is erased this way: a staff account is closed by its operator",
        ));
    }
    let Erasure { password, otp } = body.into_inner();
    let user = super::mfa::with_password(&state, &caller, &req, password).await?;
    super::mfa::step_up(&state, &user, otp.as_deref(), state.proxies.of(&req), StatusCode::FORBIDDEN).await?;
    // From here no request of theirs is taken, so none moves money while
    // the store checks there is none; a second erasure meanwhile is the
    // same account's, erased or being erased.
    if !state.tokens.refuse(user.id) {
        return Err(refused(&Refusal::Gone));
    }
    let entry = audit(&state, &caller, &req, "gdpr.erase", format!("user:{}", user.id), &json!({}));
    match state.store.erase(user.id, entry.at, &entry).await {
        Ok(Ok(())) => {}
        Ok(Err(Refusal::Gone)) => return Err(refused(&Refusal::Gone)),
        Ok(Err(refusal)) => {
            state.tokens.admit(user.id);
            return Err(refused(&refusal));
        }
        Err(e) => {
            state.tokens.admit(user.id);
            return Err(e.into());
        }
    }
    state.registry.erased(user.id);
    tracing::info!(user_id = user.id, "account erased");
    let erased: Vec<&str> = STEPS.iter().map(|s| s.what).collect();
    let kept: Vec<_> = KEPT.iter().map(|(table, why)| json!({ "table": table, "why": why })).collect();
    Ok(HttpResponse::Ok().json(json!({ "status": "erased", "user_id": user.id, "erased": erased, "kept": kept })))
}

/// The answer to a refused erasure.
fn refused(refusal: &Refusal) -> ApiError {
    match refusal {
        Refusal::Balance { currency } => ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::BalanceNotEmpty,
            format!("money in {currency} is still yours: withdraw it first, then ask again"),
        ),
        Refusal::Payment { id, kind, status } => ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::PaymentOpen,
            format!("your {kind} {id} is {status}: ask again once it is finished"),
        ),
        Refusal::Gone => ApiError::account_erased(),
    }
}
