//! `/v1/admin/withdrawals*`: the operators' side of withdrawals — the
//! queue of those waiting for review, approving one (it is paid out) or
//! rejecting one (its hold goes back to the player), each with a reason,
//! in the audit trail. Also [`send`], the payout call both sides use: the
//! provider pays one reference once, so sending again (an operator's
//! second approval after the provider did not answer) never pays twice.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;

use super::error::ApiError;
use super::extract::{Authenticated, can, page_limit};
use super::payments::{current, provider};
use super::table_admin::reason;
use super::wallet::tell_balance;
use crate::payments::{PayoutRequest, Provider};
use crate::state::AppState;
use crate::store::PaymentRow;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/withdrawals", web::get().to(queue))
        .route("/admin/withdrawals/{id}/approve", web::post().to(approve))
        .route("/admin/withdrawals/{id}/reject", web::post().to(reject));
}

/// `?status=&limit=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Queue {
    pub status: Option<String>,
    pub limit: Option<u32>,
}

/// `{"reason"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Reason {
    pub reason: String,
}

/// Asks the provider to pay `payment` (an approved withdrawal) out; it is
/// `paying` once the provider took it. A provider that does not answer
/// leaves it `approved`, its money held, for an operator to approve again.
///
/// # Errors
/// Database failures.
pub async fn send(state: &AppState, provider: &dyn Provider, payment: &PaymentRow) -> Result<(), ApiError> {
    let request = PayoutRequest {
        reference: payment.reference(),
        amount: payment.amount,
        currency: payment.currency.clone(),
        destination: payment.destination.clone().unwrap_or_default(),
    };
    match provider.payout(&request).await {
        Ok(provider_ref) => {
            state.store.set_provider_ref(payment.id, &provider_ref, state.now_ms()).await?;
            state.store.move_payment(payment.id, &["approved"], "paying", state.now_ms()).await?;
        }
        Err(e) => tracing::warn!(payment = payment.id, error = %e, "a payout was not sent: it stays approved"),
    }
    Ok(())
}

async fn queue(
    state: web::Data<AppState>,
    _caller: Authenticated<can::ReviewPayments>,
    query: web::Query<Queue>,
) -> Result<HttpResponse, ApiError> {
    let status = query.status.clone().unwrap_or_else(|| "review".into());
    let known = ["holding", "review", "approved", "paying", "paid", "failed", "rejected"];
    if !known.contains(&status.as_str()) {
        return Err(ApiError::bad_request(ErrorCode::InvalidQuery, format!("status is one of {}", known.join(", "))));
    }
    let withdrawals = state.store.payments_in("withdrawal", &status, page_limit(query.limit, 50)?).await?;
    let mut withdrawals = serde_json::to_value(withdrawals).map_err(ApiError::internal)?;
    super::console::with_names(&state, &mut withdrawals, "user_id", "username").await?;
    Ok(HttpResponse::Ok().json(json!({ "withdrawals": withdrawals })))
}

/// Withdrawal `id`, or `404 unknown_payment`.
async fn withdrawal(state: &AppState, id: i64) -> Result<PaymentRow, ApiError> {
    let payment = current(state, id).await?;
    if payment.kind != "withdrawal" {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownPayment, format!("no withdrawal {id}")));
    }
    Ok(payment)
}

/// The audit line of an operator's `action` on `payment`, with its reason.
fn staff_line(
    state: &AppState,
    caller: &Authenticated<can::ReviewPayments>,
    req: &HttpRequest,
    action: &str,
    payment: &PaymentRow,
    why: &str,
) -> crate::store::AuditEntry {
    let detail = json!({ "reason": why, "amount": payment.amount, "currency": payment.currency });
    super::console::audit(state, caller, req, action, format!("payment:{}", payment.id), &detail)
}

fn not_in_review(payment: &PaymentRow) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::NotInReview,
        format!("withdrawal {} is {}, not waiting for review", payment.id, payment.status),
    )
}

async fn approve(
    state: web::Data<AppState>,
    caller: Authenticated<can::ReviewPayments>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<Reason>,
) -> Result<HttpResponse, ApiError> {
    let why = reason(&body.reason)?;
    let provider = provider(&state)?;
    let payment = withdrawal(&state, *id).await?;
    // Approved already: its payout is sent again (the provider pays once).
    if !state.store.move_payment(payment.id, &["review"], "approved", state.now_ms()).await?
        && payment.status != "approved"
    {
        return Err(not_in_review(&payment));
    }
    state.store.audit(&staff_line(&state, &caller, &req, "withdrawal.approve", &payment, &why)).await?;
    // What `send` reads (reference, amount, destination) never changes.
    send(&state, provider.as_ref(), &payment).await?;
    tracing::info!(operator = caller.id, payment = payment.id, "withdrawal approved");
    Ok(HttpResponse::Ok().json(json!({ "payment": current(&state, payment.id).await? })))
}

async fn reject(
    state: web::Data<AppState>,
    caller: Authenticated<can::ReviewPayments>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<Reason>,
) -> Result<HttpResponse, ApiError> {
    let why = reason(&body.reason)?;
    let payment = withdrawal(&state, *id).await?;
    // The status moves first: of an approval and a rejection racing, one
    // wins. Rejected already: the hold is handed back again (a no-op once
    // it has been), so a rejection cut short can be finished.
    let fresh = state.store.move_payment(payment.id, &["review"], "rejected", state.now_ms()).await?;
    if !fresh && payment.status != "rejected" {
        return Err(not_in_review(&payment));
    }
    let round = payment.payout_round();
    state.store.void(&format!("{round}:void"), &round, state.now_ms()).await?;
    if fresh {
        state.store.audit(&staff_line(&state, &caller, &req, "withdrawal.reject", &payment, &why)).await?;
        tell_balance(&state, payment.user_id, &payment.currency).await;
    }
    tracing::info!(operator = caller.id, payment = payment.id, "withdrawal rejected; its hold returned");
    Ok(HttpResponse::Ok().json(json!({ "payment": current(&state, payment.id).await? })))
}
