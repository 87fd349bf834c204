//! `/v1/me/kyc` and the identity provider's webhook,
//! `/v1/kyc/{provider}/webhook`: a player starts an identity check, shows
//! their documents on the provider's page, and the provider's signed
//! webhooks move the check to `verified` or `rejected`. [`gate`] holds
//! deposits and withdrawals to the least status `[kyc]` sets for them; the
//! guard (`crate::protect`) holds stakes to `kyc.play`, and is told of every
//! change here. A check's status only moves forward, so webhooks repeated
//! or out of order cannot move it back, and every change is audited.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde_json::json;

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::kyc::{Action, CheckRequest, Event, EventKind, Level, Status, Verifier};
use crate::state::AppState;
use crate::store::{AuditEntry, KycCheck};

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/kyc", web::get().to(mine))
        .route("/me/kyc", web::post().to(start))
        .route("/kyc/{provider}/webhook", web::post().to(webhook));
}

/// Refuses `action` (`403 kyc_required`) unless `user`'s verification
/// status meets the least `[kyc]` sets for it.
pub(super) async fn gate(state: &AppState, user: i64, action: Action) -> Result<(), ApiError> {
    let least = state.settings.kyc.required(action);
    if least == Level::None {
        return Ok(());
    }
    let status = state.store.kyc_status(user).await?;
    if status.meets(least) {
        return Ok(());
    }
    let needs = if least == Level::Verified { "a verified identity" } else { "an identity check started" };
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::KycRequired,
        format!(
            "{} need {needs}, and yours is {}: verify it first (POST /v1/me/kyc)",
            action.as_str(),
            status.as_str()
        ),
    ))
}

/// The verifier, or `503 kyc_unavailable`.
fn verifier(state: &AppState) -> Result<Arc<dyn Verifier>, ApiError> {
    state.kyc.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::KycUnavailable,
            "this server verifies no identities: no provider is configured",
        )
    })
}

/// An audit line of `check` becoming `action`, on its owner's behalf.
fn audit(state: &AppState, check: &KycCheck, action: &str, status: &str, address: String) -> AuditEntry {
    let detail = json!({ "provider": check.provider, "provider_ref": check.provider_ref, "status": status });
    AuditEntry {
        actor: check.user_id,
        action: action.to_owned(),
        target: format!("kyc:{}", check.id),
        detail: detail.to_string(),
        address,
        at: state.now_ms(),
    }
}

async fn mine(state: web::Data<AppState>, caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(kyc_of(&state, caller.id).await?))
}

/// What `GET /v1/me/kyc` answers for `player` (the console's player page
/// shows it too).
pub(super) async fn kyc_of(state: &AppState, player: i64) -> Result<serde_json::Value, ApiError> {
    let kyc = &state.settings.kyc;
    Ok(json!({
        "status": state.store.kyc_status(player).await?,
        "required": { "deposit": kyc.deposit, "withdraw": kyc.withdraw, "play": kyc.play },
        "checks": state.store.checks_of(player, 10).await?,
    }))
}

async fn start(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let verifier = verifier(&state)?;
    if state.store.kyc_status(caller.id).await? == Status::Verified {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::AlreadyVerified,
            "your identity is verified already",
        ));
    }
    // A check under way is handed back, not started twice.
    if let Some(check) = state.store.checks_of(caller.id, 1).await?.pop()
        && check.status == "pending"
        && let Some(url) = check.redirect_url.clone()
    {
        return Ok(HttpResponse::Ok().json(json!({ "check": check, "redirect_url": url })));
    }
    let check = state.store.create_check(caller.id, verifier.name(), state.now_ms()).await?;
    let request = CheckRequest { reference: check.reference(), return_url: state.settings.kyc.return_url.clone() };
    match verifier.start(&request).await {
        Ok(started) => {
            let now = state.now_ms();
            state.store.start_check(check.id, &started.provider_ref, &started.redirect_url, now).await?;
            let check = KycCheck {
                status: "pending".into(),
                provider_ref: Some(started.provider_ref),
                redirect_url: Some(started.redirect_url.clone()),
                updated_at: now,
                ..check
            };
            let address = state.proxies.of(&req).to_string();
            state.store.audit(&audit(&state, &check, "kyc.start", "pending", address)).await?;
            state.guard.kyc_changed(caller.id, Status::Pending);
            tracing::info!(user_id = caller.id, check = check.id, "identity check started");
            Ok(HttpResponse::Created().json(json!({ "check": check, "redirect_url": started.redirect_url })))
        }
        Err(e) => {
            state.store.move_check(check.id, &["created"], "failed", None, state.now_ms()).await?;
            tracing::warn!(check = check.id, error = %e, "the provider did not start an identity check");
            Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                ErrorCode::ProviderUnavailable,
                "the identity provider did not answer: try again",
            ))
        }
    }
}

async fn webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    name: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let verifier = verifier(&state)?;
    if name.as_str() != verifier.name() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such identity provider"));
    }
    let signature = req.headers().get(verifier.signature_header()).and_then(|v| v.to_str().ok());
    let event =
        verifier.verify_webhook(signature, &body, state.now_ms() / 1000).map_err(super::payments::refused_webhook)?;
    let address = state.proxies.of(&req).to_string();
    let (check, outcome) = apply(&state, verifier.name(), &event, address).await?;
    let kind = format!("{:?}", event.kind);
    let fresh = state.store.record_kyc_event(verifier.name(), &event.id, check, &kind, outcome, state.now_ms()).await?;
    let outcome = if fresh { outcome } else { "duplicate" };
    tracing::info!(event = %event.id, ?check, kind = %kind, outcome, "identity webhook");
    Ok(HttpResponse::Ok().json(json!({ "outcome": outcome })))
}

/// Carries out `event`; (its check, what it did).
async fn apply(
    state: &AppState,
    provider: &str,
    event: &Event,
    address: String,
) -> Result<(Option<i64>, &'static str), ApiError> {
    let id = event.reference.strip_prefix("kyc-").and_then(|n| n.parse::<i64>().ok());
    let Some(check) = (match id {
        Some(id) => state.store.check(id).await?,
        None => None,
    }) else {
        tracing::warn!(reference = %event.reference, "an identity webhook about no check of ours");
        return Ok((None, "unknown_check"));
    };
    let id = Some(check.id);
    if check.provider != provider || check.provider_ref.as_ref().is_some_and(|r| *r != event.provider_ref) {
        tracing::error!(check = check.id, event = %event.id, "an identity webhook does not match its check");
        state.store.audit(&audit(state, &check, "kyc.mismatch", &check.status, address)).await?;
        return Ok((id, "mismatch"));
    }
    let open = ["created", "pending"];
    let now = state.now_ms();
    let (to, action) = match event.kind {
        EventKind::Processing => ("pending", None),
        EventKind::Verified => ("verified", Some("kyc.verified")),
        EventKind::Rejected => ("rejected", Some("kyc.rejected")),
        EventKind::Other => return Ok((id, "ignored")),
    };
    let reason = event.reason.as_deref().map(|r| r.chars().take(200).collect::<String>());
    if !state.store.move_check(check.id, &open, to, reason.as_deref(), now).await? {
        // A later event came first: this one changes nothing.
        return Ok((id, "ignored"));
    }
    let Some(action) = action else { return Ok((id, "applied")) };
    state.store.audit(&audit(state, &check, action, to, address)).await?;
    let status = state.store.kyc_status(check.user_id).await?;
    state.guard.kyc_changed(check.user_id, status);
    tracing::info!(user_id = check.user_id, check = check.id, status = status.as_str(), "identity check decided");
    Ok((id, to))
}
