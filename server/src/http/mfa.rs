//! `/v1/me/mfa*`: a TOTP second factor — enrol (with the password; the
//! answer carries the secret and its `otpauth://` URI), confirm with a first
//! code (the answer carries ten single-use recovery codes, shown once),
//! look at it, remove it (with the password and a code). Also
//! [`second_factor`], which login and every step-up (a password change)
//! call: a TOTP code is taken once per time step, a recovery code once.
//! Wrong passwords and wrong codes count as failed logins
//! (`crate::throttle`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;

use super::auth::{throttled, verify};
use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::mfa;
use crate::state::AppState;
use crate::store::User;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/mfa", web::get().to(status))
        .route("/me/mfa/totp", web::post().to(enrol))
        .route("/me/mfa/totp/confirm", web::post().to(confirm))
        .route("/me/mfa/totp", web::delete().to(remove));
}

/// `{"password"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Password {
    password: String,
}

/// `{"code"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Code {
    code: String,
}

/// `{"password", "otp"}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Removal {
    password: String,
    otp: String,
}

/// Whether `user` has a confirmed second factor.
///
/// # Errors
/// Database failures.
pub async fn enrolled(state: &AppState, user: i64) -> Result<bool, ApiError> {
    Ok(state.store.totp(user).await?.is_some_and(|t| t.confirmed_at.is_some()))
}

/// Checks `otp` (a TOTP code or a recovery code) against `user`'s
/// confirmed second factor and takes it; `false` for a wrong, used or
/// replayed one.
///
/// # Errors
/// Database failures.
pub async fn second_factor(state: &AppState, user: i64, otp: &str) -> Result<bool, ApiError> {
    let now = state.now_ms();
    if mfa::is_recovery_code(otp) {
        return Ok(state.store.take_recovery_code(user, &mfa::recovery_hash(otp), now).await?);
    }
    let Some(totp) = state.store.totp(user).await?.filter(|t| t.confirmed_at.is_some()) else { return Ok(false) };
    let now_secs = u64::try_from(now / 1000).unwrap_or(0);
    match mfa::step_of(&totp.secret, otp, now_secs) {
        Some(step) => Ok(state.store.take_totp_step(user, step).await?),
        None => Ok(false),
    }
}

/// When `user` has a second factor, checks and takes `otp` (answering
/// `status` with `mfa_required` without one, `invalid_mfa_code` for a bad
/// one, which counts as a failed login from `address`); whether they have
/// one.
///
/// # Errors
/// Those refusals; database failures.
pub async fn step_up(
    state: &AppState,
    user: &User,
    otp: Option<&str>,
    address: std::net::IpAddr,
    status: StatusCode,
) -> Result<bool, ApiError> {
    if !enrolled(state, user.id).await? {
        return Ok(false);
    }
    let Some(otp) = otp else {
        return Err(ApiError::new(status, ErrorCode::MfaRequired, "send the code of your authenticator as otp"));
    };
    if !second_factor(state, user.id, otp).await? {
        state.logins.failed(&user.username, address);
        return Err(ApiError::new(status, ErrorCode::InvalidMfaCode, "that code is wrong or was used already"));
    }
    Ok(true)
}

/// The caller's account, and its password checked: a stolen access token
/// must not become a password oracle, so a wrong one counts as a failed
/// login (and a locked account is refused before any check).
pub(super) async fn with_password(
    state: &AppState,
    caller: &Authenticated<AnyRole>,
    req: &HttpRequest,
    password: String,
) -> Result<User, ApiError> {
    let user = super::auth::account(state, caller.id).await?;
    let address = state.proxies.of(req);
    state.logins.check(&user.username, address).map_err(throttled)?;
    if !verify(password, user.password_hash.clone()).await? {
        state.logins.failed(&user.username, address);
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::WrongPassword, "the password is wrong"));
    }
    Ok(user)
}

async fn status(state: web::Data<AppState>, caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    let totp = match state.store.totp(caller.id).await? {
        None => "off",
        Some(t) if t.confirmed_at.is_none() => "pending",
        Some(_) => "on",
    };
    let left = state.store.recovery_codes_left(caller.id).await?;
    Ok(HttpResponse::Ok().json(json!({ "totp": totp, "recovery_codes_left": left })))
}

async fn enrol(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
    body: web::Json<Password>,
) -> Result<HttpResponse, ApiError> {
    let user = with_password(&state, &caller, &req, body.into_inner().password).await?;
    let secret = mfa::new_secret().map_err(ApiError::internal)?;
    let uri = mfa::uri(&secret, &user.username).map_err(ApiError::internal)?;
    if !state.store.begin_totp(user.id, &secret, state.now_ms()).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::MfaEnabled,
            "a second factor is on already: remove it first",
        ));
    }
    tracing::info!(user_id = user.id, "TOTP enrolment started");
    Ok(HttpResponse::Ok().json(json!({ "secret": secret, "otpauth_uri": uri })))
}

async fn confirm(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
    body: web::Json<Code>,
) -> Result<HttpResponse, ApiError> {
    let address = state.proxies.of(&req);
    state.logins.check(&caller.username, address).map_err(throttled)?;
    let pending = state.store.totp(caller.id).await?.filter(|t| t.confirmed_at.is_none());
    let Some(pending) = pending else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::MfaNotPending,
            "no enrolment is waiting: start one first",
        ));
    };
    let now = state.now_ms();
    let Some(step) = mfa::step_of(&pending.secret, &body.code, u64::try_from(now / 1000).unwrap_or(0)) else {
        state.logins.failed(&caller.username, address);
        return Err(ApiError::bad_request(ErrorCode::InvalidMfaCode, "that is not the code the app shows now"));
    };
    let codes = mfa::recovery_codes().map_err(ApiError::internal)?;
    let hashes: Vec<String> = codes.iter().map(|c| mfa::recovery_hash(c)).collect();
    if !state.store.confirm_totp(caller.id, step, &hashes, now).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::MfaNotPending,
            "that enrolment was confirmed already",
        ));
    }
    tracing::info!(user_id = caller.id, "TOTP confirmed");
    Ok(HttpResponse::Ok().json(json!({ "recovery_codes": codes })))
}

async fn remove(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
    body: web::Json<Removal>,
) -> Result<HttpResponse, ApiError> {
    let Removal { password, otp } = body.into_inner();
    let user = with_password(&state, &caller, &req, password).await?;
    // A pending enrolment goes with the password alone.
    step_up(&state, &user, Some(&otp), state.proxies.of(&req), StatusCode::FORBIDDEN).await?;
    state.store.remove_totp(user.id).await?;
    tracing::info!(user_id = user.id, "TOTP removed");
    Ok(HttpResponse::NoContent().finish())
}
