//! Anti-money-laundering review: where the rules (`crate::aml`) look at the
//! money stream — a deposit credited, a withdrawal asked for, a sign-in —
//! and open cases, and the operators' queue of them,
//! `/v1/admin/aml/cases` (`review_aml`): list, read with its history,
//! escalate, note, close as cleared or reported. Every case opened and
//! every staff action is in the audit trail, and each staff action is a
//! line of the case's own history too.
//!
//! Screening never blocks money already moved: a deposit is credited
//! whatever its rules find. A withdrawal that raises a case waits for an
//! operator (`review`) instead of paying out, and one the rules could not
//! screen (the database failed) waits too.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;

use super::error::ApiError;
use super::extract::{Authenticated, can, page_limit};
use super::payments::is_token;
use super::payouts::{Queue, Reason};
use super::table_admin::reason;
use crate::aml::{Money, Suspicion, on_deposit, on_sign_in, on_withdrawal};
use crate::state::AppState;
use crate::store::{AmlCase, AuditEntry, CaseEvent, PaymentRow, StoreError};

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/aml/cases", web::get().to(queue))
        .route("/admin/aml/cases/{id}", web::get().to(one))
        .route("/admin/aml/cases/{id}/escalate", web::post().to(escalate))
        .route("/admin/aml/cases/{id}/close", web::post().to(close))
        .route("/admin/aml/cases/{id}/notes", web::post().to(note));
}

/// The device header a client may name itself by.
pub const DEVICE_HEADER: &str = "Croupier-Device";

fn ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// Opens the cases `found` about `user`, each audited (`aml.case_opened`,
/// on the player's behalf); how many were opened (a live case of the same
/// rule and subject takes the new facts as already known).
async fn raise(state: &AppState, user: i64, found: Vec<Suspicion>, address: &str) -> Result<usize, StoreError> {
    let mut opened = 0;
    for s in found {
        let now = state.now_ms();
        let Some(case) = state.store.open_case(user, (s.rule.as_str(), &s.subject), &s.detail, now).await? else {
            continue;
        };
        let detail = json!({ "rule": case.rule, "subject": case.subject, "detail": case.detail });
        let entry = AuditEntry {
            actor: user,
            action: "aml.case_opened".into(),
            target: format!("aml_case:{}", case.id),
            detail: detail.to_string(),
            address: address.to_owned(),
            at: now,
        };
        state.store.audit(&entry).await?;
        tracing::warn!(user_id = user, case = case.id, rule = %case.rule, "an AML case was opened");
        opened += 1;
    }
    Ok(opened)
}

/// Screens a deposit just credited. It is credited whatever is found; a
/// failure is logged, never the deposit's.
pub(super) async fn screen_deposit(state: &AppState, payment: &PaymentRow, address: &str) {
    let settings = &state.settings.aml;
    let screened = async {
        let since = state.now_ms() - ms(settings.velocity_window_secs);
        let recent = state.store.deposits_credited(payment.user_id, since).await?;
        let money = Money { id: payment.id, amount: payment.amount, currency: &payment.currency };
        raise(state, payment.user_id, on_deposit(settings, money, recent), address).await
    };
    if let Err(e) = screened.await {
        tracing::error!(payment = payment.id, error = %e, "a deposit was not screened for AML: the database failed");
    }
}

/// Screens a withdrawal just held: whether it must wait for an operator (a
/// case was opened, or it could not be screened).
pub(super) async fn screen_withdrawal(state: &AppState, payment: &PaymentRow, address: &str) -> bool {
    let settings = &state.settings.aml;
    let screened = async {
        let since = state.now_ms() - ms(settings.no_play_window_secs);
        let deposited = state.store.deposited_in(payment.user_id, &payment.currency, since).await?;
        let usage = state.store.play_usage(payment.user_id, &payment.currency, since).await?;
        let wagered = usage.days.iter().map(|d| d.wagered).sum::<i64>();
        let money = Money { id: payment.id, amount: payment.amount, currency: &payment.currency };
        raise(state, payment.user_id, on_withdrawal(settings, money, deposited, wagered), address).await
    };
    match screened.await {
        Ok(opened) => opened > 0,
        Err(e) => {
            tracing::error!(payment = payment.id, error = %e, "a withdrawal was not screened for AML: it waits for review");
            true
        }
    }
}

/// The device a request names (`Croupier-Device`), if any.
///
/// # Errors
/// `400 invalid_device`: not 1 to 64 of `A-Z a-z 0-9 _ -`.
pub(super) fn device(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(DEVICE_HEADER) else { return Ok(None) };
    match value.to_str() {
        Ok(v) if is_token(v) => Ok(Some(v.to_owned())),
        _ => Err(ApiError::bad_request(
            ErrorCode::InvalidDevice,
            format!("{DEVICE_HEADER} is 1 to 64 of A-Z a-z 0-9 _ -"),
        )),
    }
}

/// Records a sign-in and screens the accounts seen from its address and
/// device. A failure is logged; the sign-in stands.
pub(super) async fn screen_sign_in(state: &AppState, user: i64, address: &str, device: Option<&str>) {
    let settings = &state.settings.aml;
    let screened = async {
        let now = state.now_ms();
        let since = now - ms(settings.address_window_secs);
        state.store.record_sign_in(user, address, device, (now, since)).await?;
        let mut found: Vec<Suspicion> = Vec::new();
        for (is_device, value) in [(false, Some(address)), (true, device)] {
            let Some(value) = value else { continue };
            let accounts = state.store.accounts_from(value, is_device, since).await?;
            found.extend(on_sign_in(settings, is_device, value, accounts));
        }
        raise(state, user, found, address).await
    };
    if let Err(e) = screened.await {
        tracing::error!(user_id = user, error = %e, "a sign-in was not screened for AML: the database failed");
    }
}

async fn queue(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ReviewAml>,
    query: web::Query<Queue>,
) -> Result<HttpResponse, ApiError> {
    let status = query.status.clone().unwrap_or_else(|| "open".into());
    if !["open", "escalated", "closed"].contains(&status.as_str()) {
        return Err(ApiError::bad_request(ErrorCode::InvalidQuery, "status is one of open, escalated, closed"));
    }
    let mut cases = serde_json::to_value(state.store.aml_cases(&status, page_limit(query.limit, 50)?).await?)
        .map_err(ApiError::internal)?;
    super::console::with_names(&state, &mut cases, "user_id", "username").await?;
    Ok(HttpResponse::Ok().json(json!({ "cases": cases })))
}

/// Case `id`, or `404 unknown_case`.
async fn case(state: &AppState, id: i64) -> Result<AmlCase, ApiError> {
    state
        .store
        .aml_case(id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownCase, format!("no AML case {id}")))
}

/// Case `id` with its history.
async fn shown(state: &AppState, id: i64) -> Result<HttpResponse, ApiError> {
    let mut case = serde_json::to_value(case(state, id).await?).map_err(ApiError::internal)?;
    let mut history = serde_json::to_value(state.store.case_history(id).await?).map_err(ApiError::internal)?;
    super::console::with_names(state, &mut case, "user_id", "username").await?;
    super::console::with_names(state, &mut history, "actor", "actor_name").await?;
    Ok(HttpResponse::Ok().json(json!({ "case": case, "history": history })))
}

async fn one(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ReviewAml>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    shown(&state, *id).await
}

/// `{"outcome", "reason"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Closing {
    outcome: String,
    reason: String,
}

/// `{"note"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    note: String,
}

/// Carries out a staff `action` on case `id`: moves it from `from` to `to`
/// (with `outcome`) and writes the history and audit lines; `409
/// invalid_case_state` when it is not in `from`.
async fn act(
    state: &AppState,
    caller: &Authenticated<can::ReviewAml>,
    req: &HttpRequest,
    id: i64,
    (from, to, outcome): (&[&str], &str, Option<&str>),
    (action, why): (&str, String),
) -> Result<HttpResponse, ApiError> {
    let found = case(state, id).await?;
    let event = CaseEvent { actor: caller.id, action: action.to_owned(), note: why.clone(), at: state.now_ms() };
    if !state.store.move_case(id, (from, to), outcome, &event).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::InvalidCaseState,
            format!("AML case {id} is {}: it cannot be {to} now", found.status),
        ));
    }
    let detail = json!({ "reason": why, "outcome": outcome, "user_id": found.user_id, "rule": found.rule });
    let line = super::console::audit(state, caller, req, &format!("aml.{action}"), format!("aml_case:{id}"), &detail);
    state.store.audit(&line).await?;
    tracing::info!(staff = caller.id, case = id, action, "AML case moved");
    shown(state, id).await
}

async fn escalate(
    state: web::Data<AppState>,
    caller: Authenticated<can::ReviewAml>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<Reason>,
) -> Result<HttpResponse, ApiError> {
    let why = reason(&body.reason)?;
    act(&state, &caller, &req, *id, (&["open"], "escalated", None), ("escalate", why)).await
}

async fn close(
    state: web::Data<AppState>,
    caller: Authenticated<can::ReviewAml>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<Closing>,
) -> Result<HttpResponse, ApiError> {
    let why = reason(&body.reason)?;
    let outcome = match body.outcome.as_str() {
        o @ ("cleared" | "reported") => o,
        _ => return Err(ApiError::bad_request(ErrorCode::InvalidOutcome, "outcome is cleared or reported")),
    };
    act(&state, &caller, &req, *id, (&["open", "escalated"], "closed", Some(outcome)), ("close", why)).await
}

async fn note(
    state: web::Data<AppState>,
    caller: Authenticated<can::ReviewAml>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<Note>,
) -> Result<HttpResponse, ApiError> {
    let text = reason(&body.note)?;
    let found = case(&state, *id).await?;
    let event = CaseEvent { actor: caller.id, action: "note".into(), note: text.clone(), at: state.now_ms() };
    state.store.note_case(found.id, &event).await?;
    let detail = json!({ "note": text, "user_id": found.user_id });
    let line = super::console::audit(&state, &caller, &req, "aml.note", format!("aml_case:{}", found.id), &detail);
    state.store.audit(&line).await?;
    shown(&state, found.id).await
}
