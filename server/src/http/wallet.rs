//! `/v1/wallet*` and `/v1/admin/wallet/*`: a player's balances and history,
//! and operator deposits. Input is checked here (amount, currency, key,
//! paging) before the store is asked; the store does the money.

use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::{ErrorCode, ServerMsg};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated, can};
use crate::state::AppState;
use crate::store::{Receipt, TxLine};

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/wallet", web::get().to(balances))
        .route("/wallet/transactions", web::get().to(transactions))
        .route("/admin/wallet/deposit", web::post().to(deposit));
}

/// `{"username", "amount", "currency", "idempotency_key"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deposit {
    username: String,
    amount: i64,
    currency: String,
    idempotency_key: String,
}

/// `?limit=&cursor=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    limit: Option<u32>,
    cursor: Option<i64>,
}

#[derive(Debug, Serialize)]
struct History {
    transactions: Vec<TxLine>,
    next_cursor: Option<i64>,
}

/// Checks an idempotency key: 1 to 128 printable ASCII characters.
///
/// # Errors
/// `invalid_idempotency_key`.
pub fn check_key(key: &str) -> Result<(), ApiError> {
    if (1..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            ErrorCode::InvalidIdempotencyKey,
            "an idempotency key is 1 to 128 printable ASCII characters",
        ))
    }
}

/// Checks an amount (minor units, positive) and a currency (configured).
///
/// # Errors
/// `invalid_amount`, `unknown_currency`.
pub fn check_money(state: &AppState, amount: i64, currency: &str) -> Result<(), ApiError> {
    if amount <= 0 {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidAmount,
            "the amount must be a positive number of minor units",
        ));
    }
    check_currency(state, currency)
}

/// `400 unknown_currency` unless `currency` is one the wallet takes.
pub fn check_currency(state: &AppState, currency: &str) -> Result<(), ApiError> {
    if !state.settings.wallet.currencies.iter().any(|c| c == currency) {
        let known = state.settings.wallet.currencies.join(", ");
        return Err(ApiError::bad_request(ErrorCode::UnknownCurrency, format!("currency must be one of {known}")));
    }
    Ok(())
}

async fn deposit(
    state: web::Data<AppState>,
    caller: Authenticated<can::Deposit>,
    req: HttpRequest,
    body: web::Json<Deposit>,
) -> Result<HttpResponse, ApiError> {
    let Deposit { username, amount, currency, idempotency_key } = body.into_inner();
    check_money(&state, amount, &currency)?;
    check_key(&idempotency_key)?;
    let user = super::console::named(&state, &username).await?;
    let detail = serde_json::json!({ "username": user.username, "amount": amount, "currency": currency, "idempotency_key": idempotency_key });
    let audit = super::console::audit(&state, &caller, &req, "deposit", format!("user:{}", user.id), &detail);
    let deposit = state.store.staff_deposit(&idempotency_key, user.id, &currency, amount, &audit);
    let receipt: Receipt = state.metrics.wallet_op("deposit", deposit).await?;
    tracing::info!(operator = caller.id, user_id = user.id, amount, %currency, tx_id = receipt.tx_id, replayed = receipt.replayed, "deposit");
    if !receipt.replayed {
        tell_balance(&state, user.id, &currency).await;
    }
    Ok(HttpResponse::Ok().json(receipt))
}

/// Pushes `player`'s balance in `currency` to their socket, if they have
/// one. The money has moved already: a failure here is logged, never the
/// request's.
pub(super) async fn tell_balance(state: &AppState, player: i64, currency: &str) {
    let balances = match state.store.balances(player).await {
        Ok(balances) => balances,
        Err(e) => return tracing::warn!(player_id = player, %e, "balance not pushed: reading it failed"),
    };
    if let Some(b) = balances.into_iter().find(|b| b.currency == currency) {
        let msg = ServerMsg::Balance { currency: b.currency, available: b.available, held: b.held };
        state.registry.tell(player, &msg);
    }
}

async fn balances(state: web::Data<AppState>, caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    let balances = state.store.balances(caller.id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "balances": balances })))
}

async fn transactions(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let limit = super::extract::page_limit(page.limit, 50)?;
    let transactions = state.store.transactions(caller.id, page.cursor, limit).await?;
    let next_cursor = (transactions.len() == limit as usize).then(|| transactions.last().map(|t| t.id)).flatten();
    Ok(HttpResponse::Ok().json(History { transactions, next_cursor }))
}
