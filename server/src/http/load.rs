//! `POST /v1/admin/load/accounts`: funded test accounts in bulk for the
//! load-test tool, with an access token each, so a run of thousands of
//! virtual players needs no password hashing. Allowed only to operators and
//! only when `load.test_accounts` is on — never in production config. The
//! accounts cannot log in (they have no password); the deposit's key is
//! derived from the account, so calling again with the same names funds
//! nothing twice.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use croupier_protocol::ErrorCode;
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Authenticated, Staff};
use super::wallet::check_money;
use crate::state::AppState;
use crate::store::{Role, StoreError};

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/load/accounts", web::post().to(accounts));
}

/// `{"prefix", "first", "count", "amount", "currency"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Accounts {
    /// Usernames are `PREFIX-N`.
    prefix: String,
    /// The first N (default 0).
    #[serde(default)]
    first: u32,
    /// How many.
    count: u32,
    /// Each account's deposit, minor units.
    amount: i64,
    currency: String,
}

#[derive(Debug, Serialize)]
struct Account {
    username: String,
    player: i64,
    token: String,
}

/// A password hash no password matches: these accounts cannot log in.
const NO_PASSWORD: &str = "!load-test-account";

/// Creates (or finds) the player `username`, funds it once with `amount`,
/// and signs it in.
async fn test_account(
    state: &AppState,
    username: &str,
    amount: i64,
    currency: &str,
    now: i64,
) -> Result<Account, ApiError> {
    let user = match state.store.create_user(username, NO_PASSWORD, Role::Player, now).await {
        Ok(user) => user,
        Err(StoreError::Conflict(_)) => match state.store.user_by_name(username).await? {
            Some(user) if user.role == Role::Player => user,
            _ => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::UsernameTaken,
                    format!("{username} is taken"),
                ));
            }
        },
        Err(e) => return Err(e.into()),
    };
    let key = format!("load:{}:{amount}:{currency}", user.id);
    state.metrics.wallet_op("deposit", state.store.deposit(&key, user.id, currency, amount, now)).await?;
    let token = state
        .tokens
        .issue(user.id, &user.username, Role::Player, u64::try_from(now / 1000).unwrap_or(0))
        .map_err(ApiError::internal)?;
    Ok(Account { username: username.to_owned(), player: user.id, token })
}

async fn accounts(
    state: web::Data<AppState>,
    caller: Authenticated<Staff>,
    body: web::Json<Accounts>,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.load.test_accounts {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::TestAccountsDisabled,
            "this server does not create test accounts (load.test_accounts is off)",
        ));
    }
    let Accounts { prefix, first, count, amount, currency } = body.into_inner();
    let max = state.settings.load.max_accounts_per_call;
    if !(1..=max).contains(&count) {
        return Err(ApiError::bad_request(ErrorCode::InvalidCount, format!("count must be 1 to {max}")));
    }
    check_money(&state, amount, &currency)?;
    let last = first
        .checked_add(count - 1)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidCount, "first + count overflows"))?;
    // Check the longest name: every other one is shorter.
    let longest = super::auth::normalise_username(&format!("{prefix}-{last}"))?;
    if longest != format!("{prefix}-{last}") {
        return Err(ApiError::bad_request(ErrorCode::InvalidUsername, "the prefix must be lower case"));
    }
    let now = state.now_ms();
    // A few at a time: each account is two commits, and the database
    // commits concurrent transactions together.
    let parallel = usize::try_from(state.settings.database.max_connections / 2).unwrap_or(1).max(1);
    let state = &state;
    let prefix = &prefix;
    let currency = &currency;
    let out: Vec<Account> = futures_util::stream::iter(first..=last)
        .map(|n| async move { test_account(state, &format!("{prefix}-{n}"), amount, currency, now).await })
        .buffered(parallel)
        .try_collect()
        .await?;
    tracing::info!(operator = caller.id, %prefix, first, count, amount, %currency, "test accounts created");
    Ok(HttpResponse::Ok().json(serde_json::json!({ "accounts": out, "expires_in": state.tokens.access_secs })))
}
