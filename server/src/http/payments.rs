//! `/v1/wallet/deposits`, `/v1/wallet/withdrawals`, `/v1/wallet/payments`
//! and the provider's webhook, `/v1/payments/{provider}/webhook`.
//!
//! A deposit is started here and paid on the provider's page; only its
//! signed webhook credits the wallet, under the key `payment:ID`, so each
//! provider transaction is credited once whatever the order or repetition
//! of its events. A withdrawal is held in the wallet first (the round
//! `payout/ID`), waits for an operator above `payments.review_above`, is
//! paid out by the provider, and is settled (`payout.paid`) or handed back
//! (`payout.failed`) by its webhook: the wallet closes its round once, so
//! of two events racing for one withdrawal only one acts, and its status
//! follows (a status only moves forward, by a conditional update).
//! Operators' side: [`super::payouts`].

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use super::wallet::{check_money, tell_balance};
use crate::kyc::Action;
use crate::payments::{Event, EventKind, IntentRequest, Provider, WebhookError};
use crate::state::AppState;
use crate::store::{AuditEntry, NewPayment, PaymentRow, RoundRef, StoreError};

/// The account withdrawn money goes to (the house of `payout/ID` rounds).
pub const PAYOUTS: &str = "system:payouts";

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/wallet/deposits", web::post().to(deposit))
        .route("/wallet/withdrawals", web::post().to(withdraw))
        .route("/wallet/payments", web::get().to(mine))
        .route("/payments/{provider}/webhook", web::post().to(webhook));
}

/// `{"amount", "currency"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DepositBody {
    amount: i64,
    currency: String,
}

/// `{"amount", "currency", "destination", "otp"?}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WithdrawBody {
    amount: i64,
    currency: String,
    destination: String,
    #[serde(default)]
    otp: Option<String>,
}

/// The provider, or `503 payments_unavailable`.
pub(super) fn provider(state: &AppState) -> Result<Arc<dyn Provider>, ApiError> {
    state.payments.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::PaymentsUnavailable,
            "this server takes no payments: no provider is configured",
        )
    })
}

/// An audit line of a money movement of `payment`, done on its owner's
/// behalf (their request, or the provider's webhook about it).
pub(super) fn audit(state: &AppState, payment: &PaymentRow, action: &str, address: String) -> AuditEntry {
    let detail = json!({ "amount": payment.amount, "currency": payment.currency, "provider": payment.provider,
        "provider_ref": payment.provider_ref, "status": payment.status });
    AuditEntry {
        actor: payment.user_id,
        action: action.to_owned(),
        target: format!("payment:{}", payment.id),
        detail: detail.to_string(),
        address,
        at: state.now_ms(),
    }
}

/// Payment `id` as it stands now.
pub(super) async fn current(state: &AppState, id: i64) -> Result<PaymentRow, ApiError> {
    state
        .store
        .payment(id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownPayment, format!("no payment {id}")))
}

async fn deposit(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    body: web::Json<DepositBody>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&state)?;
    let DepositBody { amount, currency } = body.into_inner();
    check_money(&state, amount, &currency)?;
    super::kyc::gate(&state, caller.id, Action::Deposit).await?;
    // Held until the payment is recorded, so that two deposits racing are
    // checked against the limits one after the other.
    let _permit = state.guard.deposit_permit(caller.id, &currency, amount, state.now_ms()).await?.map_err(|code| {
        let message = match code {
            ErrorCode::DepositLimitReached => "that deposit would pass a deposit limit you set for this period",
            ErrorCode::CoolingOff => "you are taking a break: no deposits until your cool-off ends",
            _ => "you have excluded yourself from play: no deposits",
        };
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    })?;
    let new = NewPayment {
        user_id: caller.id,
        kind: "deposit",
        provider: provider.name(),
        amount,
        currency: &currency,
        status: "created",
        destination: None,
    };
    let payment = state.store.create_payment(&new, state.now_ms()).await?;
    let request = IntentRequest {
        reference: payment.reference(),
        amount,
        currency: currency.clone(),
        return_url: state.settings.payments.return_url.clone(),
    };
    match provider.create_intent(&request).await {
        Ok(intent) => {
            state.store.set_provider_ref(payment.id, &intent.provider_ref, state.now_ms()).await?;
            tracing::info!(user_id = caller.id, payment = payment.id, amount, %currency, "deposit started");
            // No event can come before the player pays at `redirect_url`,
            // which this answer carries: the row is as created.
            let payment = PaymentRow { provider_ref: Some(intent.provider_ref), ..payment };
            Ok(HttpResponse::Created().json(json!({ "payment": payment, "redirect_url": intent.redirect_url })))
        }
        Err(e) => {
            state.store.move_payment(payment.id, &["created"], "failed", state.now_ms()).await?;
            tracing::warn!(payment = payment.id, error = %e, "the provider did not start a deposit");
            Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                ErrorCode::ProviderUnavailable,
                "the payment provider did not answer: nothing was taken, try again",
            ))
        }
    }
}

/// Whether `text` is a token as providers and clients name things: 1 to
/// 64 of `A-Z a-z 0-9 _ -` (a payout destination, a device).
pub(super) fn is_token(text: &str) -> bool {
    (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
}

/// A destination token: 1 to 64 of `A-Z a-z 0-9 _ -`.
fn check_destination(text: &str) -> Result<(), ApiError> {
    if is_token(text) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            ErrorCode::InvalidDestination,
            "destination is the provider's token of your payout account: 1 to 64 of A-Z a-z 0-9 _ -",
        ))
    }
}

async fn withdraw(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
    body: web::Json<WithdrawBody>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&state)?;
    let WithdrawBody { amount, currency, destination, otp } = body.into_inner();
    check_money(&state, amount, &currency)?;
    check_destination(&destination)?;
    super::kyc::gate(&state, caller.id, Action::Withdraw).await?;
    let user = super::auth::account(&state, caller.id).await?;
    let address = state.proxies.of(&req);
    state.logins.check(&user.username, address).map_err(super::auth::throttled)?;
    // Step-up: with a second factor on, money leaves only with a code.
    super::mfa::step_up(&state, &user, otp.as_deref(), address, StatusCode::FORBIDDEN).await?;
    let new = NewPayment {
        user_id: user.id,
        kind: "withdrawal",
        provider: provider.name(),
        amount,
        currency: &currency,
        status: "holding",
        destination: Some(&destination),
    };
    let payment = state.store.create_payment(&new, state.now_ms()).await?;
    let round_key = payment.payout_round();
    let round = RoundRef { key: &round_key, house: PAYOUTS, currency: &currency };
    let hold = state.store.reserve(&format!("{round_key}:hold"), round, user.id, amount, state.now_ms()).await;
    if let Err(e) = hold {
        // Refused or failed before its commit: it held nothing. (A lost
        // commit answer keeps the row, `holding`, for an operator to see.)
        if !matches!(e, StoreError::Unconfirmed(_)) {
            state.store.drop_payment(payment.id, "holding").await?;
        }
        return Err(e.into());
    }
    state.store.audit(&audit(&state, &payment, "withdrawal.hold", address.to_string())).await?;
    tell_balance(&state, user.id, &currency).await;
    // Above the threshold, or raising an AML case, it waits for an operator.
    let flagged = super::aml::screen_withdrawal(&state, &payment, &address.to_string()).await;
    let review = amount > state.settings.payments.review_above || flagged;
    let next = if review { "review" } else { "approved" };
    state.store.move_payment(payment.id, &["holding"], next, state.now_ms()).await?;
    tracing::info!(user_id = user.id, payment = payment.id, amount, %currency, review, "withdrawal held");
    if !review {
        super::payouts::send(&state, provider.as_ref(), &payment).await?;
    }
    Ok(HttpResponse::Created().json(json!({ "payment": current(&state, payment.id).await? })))
}

async fn mine(state: web::Data<AppState>, caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(json!({ "payments": state.store.payments_of(caller.id, 100).await? })))
}

async fn webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    name: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&state)?;
    if name.as_str() != provider.name() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such payment provider"));
    }
    let signature = req.headers().get(provider.signature_header()).and_then(|v| v.to_str().ok());
    let event = provider.verify_webhook(signature, &body, state.now_ms() / 1000).map_err(refused_webhook)?;
    let address = state.proxies.of(&req).to_string();
    let (payment, outcome) = apply(&state, provider.name(), &event, address).await?;
    let kind = format!("{:?}", event.kind);
    let fresh = state.store.record_event(provider.name(), &event.id, payment, &kind, outcome, state.now_ms()).await?;
    let outcome = if fresh { outcome } else { "duplicate" };
    tracing::info!(event = %event.id, ?payment, kind = %kind, outcome, "webhook");
    Ok(HttpResponse::Ok().json(json!({ "outcome": outcome })))
}

/// The answer to a webhook refused for `e` (payments' and identity's).
pub(super) fn refused_webhook(e: WebhookError) -> ApiError {
    tracing::warn!(error = %e, "a webhook was refused");
    match e {
        WebhookError::BadSignature => ApiError::bad_request(ErrorCode::InvalidSignature, e.to_string()),
        WebhookError::Stale(_) => ApiError::bad_request(ErrorCode::StaleWebhook, e.to_string()),
        WebhookError::Malformed(_) => ApiError::bad_request(ErrorCode::InvalidWebhook, e.to_string()),
    }
}

/// Carries out `event`; (its payment, what it did).
async fn apply(
    state: &AppState,
    provider: &str,
    event: &Event,
    address: String,
) -> Result<(Option<i64>, &'static str), ApiError> {
    let id = event.reference.strip_prefix("pay-").and_then(|n| n.parse::<i64>().ok());
    let Some(payment) = (match id {
        Some(id) => state.store.payment(id).await?,
        None => None,
    }) else {
        tracing::warn!(reference = %event.reference, "a webhook about no payment of ours");
        return Ok((None, "unknown_payment"));
    };
    let id = Some(payment.id);
    let deposit = payment.kind == "deposit";
    let expected = match event.kind {
        EventKind::PaymentPending | EventKind::PaymentSucceeded | EventKind::PaymentFailed => deposit,
        EventKind::PayoutPaid | EventKind::PayoutFailed => !deposit,
        EventKind::Other => return Ok((id, "ignored")),
    };
    if !expected || payment.provider != provider || payment.amount != event.amount || payment.currency != event.currency
    {
        tracing::error!(payment = payment.id, event = %event.id, "a webhook does not match its payment: nothing done");
        state.store.audit(&audit(state, &payment, "payment.mismatch", address)).await?;
        return Ok((id, "mismatch"));
    }
    let now = state.now_ms();
    let store = &state.store;
    let round = payment.payout_round();
    let outcome = match event.kind {
        EventKind::PaymentSucceeded => {
            // Credited once: the key is the payment's, whatever the event.
            let entry = audit(state, &payment, "payment.deposit", address.clone());
            let key = format!("payment:{}", payment.id);
            let receipt = store.staff_deposit(&key, payment.user_id, &payment.currency, payment.amount, &entry).await?;
            store.move_payment(payment.id, &["created", "pending", "failed"], "succeeded", now).await?;
            if receipt.replayed {
                "duplicate"
            } else {
                tell_balance(state, payment.user_id, &payment.currency).await;
                super::aml::screen_deposit(state, &payment, &address).await;
                "credited"
            }
        }
        EventKind::PaymentPending => moved(store.move_payment(payment.id, &["created"], "pending", now).await?),
        EventKind::PaymentFailed => {
            moved(store.move_payment(payment.id, &["created", "pending"], "failed", now).await?)
        }
        // The money moves first: the wallet closes the round `payout/ID`
        // once, settled or voided, so of two events racing one acts.
        EventKind::PayoutPaid => match store.settle(&format!("{round}:settle"), &round, &[], now).await {
            Ok(receipt) => {
                store.move_payment(payment.id, &["approved", "paying"], "paid", now).await?;
                if !receipt.replayed {
                    store.audit(&audit(state, &payment, "withdrawal.paid", address)).await?;
                }
                "settled"
            }
            Err(StoreError::RoundClosed(_)) => {
                tracing::error!(payment = payment.id, status = %payment.status, "paid out, but the hold was returned");
                store.audit(&audit(state, &payment, "withdrawal.conflict", address)).await?;
                "conflict"
            }
            Err(e) => return Err(e.into()),
        },
        EventKind::PayoutFailed => match store.void(&format!("{round}:void"), &round, now).await {
            Ok(receipt) => {
                store.move_payment(payment.id, &["approved", "paying"], "failed", now).await?;
                if !receipt.replayed {
                    store.audit(&audit(state, &payment, "withdrawal.returned", address)).await?;
                    tell_balance(state, payment.user_id, &payment.currency).await;
                }
                "returned"
            }
            Err(StoreError::RoundClosed(_)) => "ignored",
            Err(e) => return Err(e.into()),
        },
        EventKind::Other => "ignored",
    };
    Ok((id, outcome))
}

/// `applied` or, for an event that came after a later one, `ignored`.
fn moved(did: bool) -> &'static str {
    if did { "applied" } else { "ignored" }
}
