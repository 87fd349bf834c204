//! `POST /v1/admin/load/accounts`: funded test accounts in bulk for the
//! load-test tool, with an access token each, so a run of thousands of
//! virtual players needs no password hashing. Allowed only to operators and
//! only when `load.test_accounts` is on — never in production config. The
//! accounts cannot log in (they have no password); the deposit's key is
//! derived from the account, so calling again with the same names funds
//! nothing twice. A call's accounts are created and funded in one
//! transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Authenticated, can};
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

async fn accounts(
    state: web::Data<AppState>,
    caller: Authenticated<can::LoadAccounts>,
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
    // One transaction for them all: the users in one statement, then a
    // deposit each.
    let names: Vec<String> = (first..=last).map(|n| format!("{prefix}-{n}")).collect();
    let users = match state
        .metrics
        .wallet_op("deposit", state.store.test_accounts(&names, NO_PASSWORD, amount, &currency, now))
        .await
    {
        Ok(users) => users,
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::UsernameTaken,
                format!("a name from {prefix}-{first} to {prefix}-{last} is taken by an account that is not a player"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let issued = u64::try_from(now / 1000).unwrap_or(0);
    let out = users
        .into_iter()
        .map(|user| {
            let token =
                state.tokens.issue(user.id, &user.username, Role::Player, issued, false).map_err(ApiError::internal)?;
            Ok(Account { username: user.username, player: user.id, token })
        })
        .collect::<Result<Vec<Account>, ApiError>>()?;
    tracing::info!(operator = caller.id, %prefix, first, count, amount, %currency, "test accounts created");
    Ok(HttpResponse::Ok().json(serde_json::json!({ "accounts": out, "expires_in": state.tokens.access_secs })))
}
