//! `/v1/auth/*` and `/v1/me*`: register, login, refresh (rotating), logout,
//! who am I, change password. Bodies are strict (unknown fields are
//! refused); password hashing runs on the blocking pool, never on an async
//! worker; login answers an unknown username and a wrong password the same
//! way and in the same time, and failed logins lock their account and
//! address for a while (`crate::throttle`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::auth::{self, DUMMY_HASH};
use crate::state::AppState;
use crate::store::{RefreshRecord, Role, Rotation, User};

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/register", web::post().to(register))
        .route("/auth/login", web::post().to(login))
        .route("/auth/refresh", web::post().to(refresh))
        .route("/auth/logout", web::post().to(logout))
        .route("/me", web::get().to(me))
        .route("/me/password", web::post().to(change_password));
}

/// `{"username", "password", "otp"?}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    username: String,
    password: String,
    /// A TOTP or recovery code, for an account with a second factor.
    #[serde(default)]
    otp: Option<String>,
}

/// `{"refresh_token"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    refresh_token: String,
}

/// `{"current_password", "new_password", "otp"?}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
    /// A TOTP or recovery code, for an account with a second factor.
    #[serde(default)]
    otp: Option<String>,
}

/// The OAuth 2.0 token response.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: u64,
}

/// An account as its owner sees it.
#[derive(Debug, Serialize)]
pub struct Me {
    id: i64,
    username: String,
    role: Role,
    created_at: i64,
}

impl From<User> for Me {
    fn from(u: User) -> Self {
        Self { id: u.id, username: u.username, role: u.role, created_at: u.created_at }
    }
}

/// Lower-cases and checks a username: 3 to 32 of `a-z 0-9 _ . -`.
///
/// # Errors
/// `invalid_username`.
pub fn normalise_username(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
    if ok {
        Ok(name)
    } else {
        Err(ApiError::bad_request(ErrorCode::InvalidUsername, "a username is 3 to 32 letters, digits, '_', '.' or '-'"))
    }
}

/// Checks a new password's length against the settings.
///
/// # Errors
/// `invalid_password`.
pub fn check_password(state: &AppState, password: &str) -> Result<(), ApiError> {
    let (min, max) = (state.settings.auth.min_password_len, state.settings.auth.max_password_len);
    let n = password.chars().count();
    if n < min || n > max {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidPassword,
            format!("a password is {min} to {max} characters"),
        ));
    }
    Ok(())
}

/// Hashes on the blocking pool.
///
/// # Errors
/// `internal_error` if the pool or the hasher fails.
pub async fn hash(password: String) -> Result<String, ApiError> {
    web::block(move || auth::hash_password(&password)).await.map_err(ApiError::internal)?.map_err(ApiError::internal)
}

/// Checks a password on the blocking pool.
///
/// # Errors
/// `internal_error` if the pool fails.
pub(super) async fn verify(password: String, phc: String) -> Result<bool, ApiError> {
    web::block(move || auth::verify_password(&password, &phc)).await.map_err(ApiError::internal)
}

async fn register(state: web::Data<AppState>, body: web::Json<Credentials>) -> Result<HttpResponse, ApiError> {
    let Credentials { username, password, otp } = body.into_inner();
    if otp.is_some() {
        return Err(ApiError::bad_request(ErrorCode::InvalidBody, "a new account has no second factor yet"));
    }
    let username = normalise_username(&username)?;
    check_password(&state, &password)?;
    let phc = hash(password).await?;
    let user = state.store.create_user(&username, &phc, Role::Player, state.now_ms()).await.map_err(|e| match e {
        crate::store::StoreError::Conflict(_) => {
            ApiError::new(StatusCode::CONFLICT, ErrorCode::UsernameTaken, "that username is taken")
        }
        e => e.into(),
    })?;
    tracing::info!(user_id = user.id, "registered");
    Ok(HttpResponse::Created().json(Me::from(user)))
}

/// Issues an access token and a refresh token of a new family; `mfa`:
/// whether the login proved a second factor.
async fn issue(state: &AppState, user: &User, mfa: bool) -> Result<TokenResponse, ApiError> {
    let refresh_token = auth::new_refresh_token().map_err(ApiError::internal)?;
    let now = state.now_ms();
    let access_token =
        state.tokens.issue(user.id, &user.username, user.role, (now / 1000) as u64, mfa).map_err(ApiError::internal)?;
    let record = RefreshRecord {
        token_hash: auth::token_hash(&refresh_token),
        user_id: user.id,
        family: auth::new_refresh_token().map_err(ApiError::internal)?,
        expires_at: now + (state.settings.auth.refresh_token_secs * 1000) as i64,
    };
    state.store.insert_refresh(&record).await?;
    Ok(TokenResponse { access_token, refresh_token, token_type: "Bearer", expires_in: state.tokens.access_secs })
}

async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let Credentials { username, password, otp } = body.into_inner();
    let device = super::aml::device(&req)?;
    let bad = || ApiError::unauthorized(ErrorCode::InvalidCredentials, "wrong username or password");
    // A name that is no username is counted as typed: it is refused the same way.
    let name = normalise_username(&username).ok();
    let account = name.clone().unwrap_or_else(|| username.trim().to_lowercase());
    let address = state.proxies.of(&req);
    if let Err(t) = state.logins.check(&account, address) {
        state.metrics.logins_throttled.inc();
        return Err(throttled(t));
    }
    let user = match name {
        Some(name) => state.store.user_by_name(&name).await?,
        None => None,
    };
    // The same work whether or not the user exists.
    let phc = user.as_ref().map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let matches = verify(password, phc).await?;
    let Some(user) = user.filter(|_| matches) else {
        state.logins.failed(&account, address);
        return Err(bad());
    };
    let mfa = super::mfa::step_up(&state, &user, otp.as_deref(), address, StatusCode::UNAUTHORIZED).await?;
    super::aml::screen_sign_in(&state, user.id, &address.to_string(), device.as_deref()).await;
    Ok(HttpResponse::Ok().json(issue(&state, &user, mfa).await?))
}

/// `429 login_throttled` with `Retry-After`.
pub(super) fn throttled(t: crate::throttle::Throttled) -> ApiError {
    let secs = t.retry_after_secs;
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::LoginThrottled,
        format!("too many failed logins: try again in {secs} s"),
    )
    .retry_after(secs)
}

async fn refresh(state: web::Data<AppState>, body: web::Json<RefreshBody>) -> Result<HttpResponse, ApiError> {
    let presented = auth::token_hash(&body.refresh_token);
    let successor = auth::new_refresh_token().map_err(ApiError::internal)?;
    let now = state.now_ms();
    let record = RefreshRecord {
        token_hash: auth::token_hash(&successor),
        user_id: 0, // the store keeps the presented token's owner and family
        family: String::new(),
        expires_at: now + (state.settings.auth.refresh_token_secs * 1000) as i64,
    };
    let invalid = |message: &str| ApiError::unauthorized(ErrorCode::InvalidRefreshToken, message);
    let user_id = match state.store.rotate_refresh(&presented, &record, now).await? {
        Rotation::Rotated { user_id } => user_id,
        Rotation::Unknown => return Err(invalid("unknown refresh token")),
        Rotation::Expired => return Err(invalid("the refresh token has expired: log in again")),
        Rotation::Revoked => return Err(invalid("the refresh token was revoked: log in again")),
        Rotation::Reused => {
            tracing::warn!("refresh token reused: its family is revoked");
            return Err(invalid("the refresh token was already used; every session from that login is signed out"));
        }
    };
    let Some(user) = state.store.user_by_id(user_id).await? else { return Err(invalid("unknown user")) };
    // A login with a second factor proved it; one without has since, if
    // the account confirmed one (the confirming code proved it).
    let mfa = super::mfa::enrolled(&state, user.id).await?;
    let access_token =
        state.tokens.issue(user.id, &user.username, user.role, (now / 1000) as u64, mfa).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token,
        refresh_token: successor,
        token_type: "Bearer",
        expires_in: state.tokens.access_secs,
    }))
}

async fn logout(state: web::Data<AppState>, body: web::Json<RefreshBody>) -> Result<HttpResponse, ApiError> {
    // Idempotent: logging out twice, or with an unknown token, is not an error.
    state.store.revoke_family_of(&auth::token_hash(&body.refresh_token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The account `id` of a valid token; `401 invalid_token` once it is gone,
/// `401 account_erased` once it is erased.
pub(super) async fn account(state: &AppState, id: i64) -> Result<User, ApiError> {
    match state.store.user_by_id(id).await? {
        None => Err(ApiError::unauthorized(ErrorCode::InvalidToken, "that account no longer exists")),
        Some(user) if crate::store::erase::is_erased(&user.username) => Err(ApiError::account_erased()),
        Some(user) => Ok(user),
    }
}

async fn me(state: web::Data<AppState>, caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(Me::from(account(&state, caller.id).await?)))
}

async fn change_password(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let PasswordChange { current_password, new_password, otp } = body.into_inner();
    check_password(&state, &new_password)?;
    let user = super::mfa::with_password(&state, &caller, &req, current_password).await?;
    let address = state.proxies.of(&req);
    // Step-up: with a second factor, a code too.
    super::mfa::step_up(&state, &user, otp.as_deref(), address, StatusCode::FORBIDDEN).await?;
    let phc = hash(new_password).await?;
    state.store.set_password(user.id, &phc).await?;
    tracing::info!(user_id = user.id, "password changed; refresh tokens revoked");
    Ok(HttpResponse::NoContent().finish())
}
