//! `/v1/me/profile` and `/v1/auth/password/*`: a player's personal data
//! (sealed at rest by `crate::pii`; changing it takes the password, and a
//! code with a second factor on, since the email decides where a reset
//! goes) and the forgotten-password flow: a single-use token mailed to the
//! profile's email, which sets a new password and signs every session out.
//!
//! `forgot` answers the same, at once, whether or not an account has that
//! email: the lookup and the mail happen after the answer, so neither its
//! words nor its timing say which addresses are registered. Nothing here
//! logs an address, a name or a token.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use croupier_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;

use super::auth::{check_password, hash, throttled};
use super::error::ApiError;
use super::extract::{AnyRole, Authenticated};
use crate::auth;
use crate::notify::{Mail, Mailer};
use crate::pii::{self, PiiKeys, Profile};
use crate::state::AppState;

/// Registers the routes (under `/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/profile", web::get().to(get_profile))
        .route("/me/profile", web::put().to(put_profile))
        .route("/auth/password/forgot", web::post().to(forgot))
        .route("/auth/password/reset", web::post().to(reset));
}

/// `{"password", "otp"?, "profile": {…}}` (no `Debug`: it holds secrets).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileChange {
    password: String,
    #[serde(default)]
    otp: Option<String>,
    profile: Profile,
}

/// `{"email"}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Forgot {
    email: String,
}

/// `{"token", "new_password", "otp"?}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reset {
    token: String,
    new_password: String,
    #[serde(default)]
    otp: Option<String>,
}

/// The keys, or `503 pii_unavailable`.
fn keys(state: &AppState) -> Result<Arc<PiiKeys>, ApiError> {
    state.pii.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::PiiUnavailable,
            "this server keeps no personal data: its operator has set no key to seal it",
        )
    })
}

/// `user`'s profile, opened; an empty one if they have none.
async fn profile_of(state: &AppState, keys: &PiiKeys, user: i64) -> Result<Profile, ApiError> {
    match state.store.sealed_profile(user).await? {
        None => Ok(Profile::default()),
        Some(row) => keys.open(user, &row.key_id, &row.data).map_err(ApiError::internal),
    }
}

async fn get_profile(state: web::Data<AppState>, caller: Authenticated<AnyRole>) -> Result<HttpResponse, ApiError> {
    let keys = keys(&state)?;
    Ok(HttpResponse::Ok().json(profile_of(&state, &keys, caller.id).await?))
}

async fn put_profile(
    state: web::Data<AppState>,
    caller: Authenticated<AnyRole>,
    req: HttpRequest,
    body: web::Json<ProfileChange>,
) -> Result<HttpResponse, ApiError> {
    let keys = keys(&state)?;
    let ProfileChange { password, otp, profile } = body.into_inner();
    let profile = profile.validated().map_err(|m| ApiError::bad_request(ErrorCode::InvalidProfile, m))?;
    let user = super::mfa::with_password(&state, &caller, &req, password).await?;
    super::mfa::step_up(&state, &user, otp.as_deref(), state.proxies.of(&req), StatusCode::FORBIDDEN).await?;
    let sealed = keys.seal(user.id, &profile).map_err(ApiError::internal)?;
    state.store.put_profile(user.id, &sealed, state.now_ms()).await?;
    tracing::info!(user_id = user.id, key_id = %sealed.key_id, "profile changed");
    Ok(HttpResponse::Ok().json(profile))
}

async fn forgot(state: web::Data<AppState>, body: web::Json<Forgot>) -> Result<HttpResponse, ApiError> {
    let keys = keys(&state)?;
    let Some(mailer) = state.mailer.clone() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::MailUnavailable,
            "this server sends no mail: ask its operator to reset your password",
        ));
    };
    let email = body.into_inner().email.trim().to_owned();
    pii::valid_email(&email).map_err(|m| ApiError::bad_request(ErrorCode::InvalidEmail, m))?;
    let state = state.get_ref().clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = send_resets(&state, &keys, mailer.as_ref(), &email).await {
            tracing::warn!(error = %e.message, "a password reset was not sent");
        }
    });
    Ok(HttpResponse::Accepted()
        .json(json!({ "status": "accepted", "message": "if an account has that email, a reset link is on its way" })))
}

/// Mails a reset token to each account whose profile holds `email`, unless
/// one was mailed within `auth.reset_resend_secs`.
async fn send_resets(state: &AppState, keys: &PiiKeys, mailer: &dyn Mailer, email: &str) -> Result<(), ApiError> {
    let now = state.now_ms();
    let auth_settings = &state.settings.auth;
    let ttl_ms = i64::try_from(auth_settings.reset_token_secs * 1000).map_err(ApiError::internal)?;
    let resend_ms = i64::try_from(auth_settings.reset_resend_secs * 1000).map_err(ApiError::internal)?;
    for user in state.store.users_by_email_index(&keys.email_indexes(email)).await? {
        // The index matched; the sealed address is the one that decides.
        let to = profile_of(state, keys, user.id).await?.email.filter(|e| e.eq_ignore_ascii_case(email));
        let Some(to) = to else { continue };
        let token = auth::new_refresh_token().map_err(ApiError::internal)?;
        if !state.store.put_reset(user.id, &auth::token_hash(&token), now + ttl_ms, now, now - resend_ms).await? {
            tracing::info!(user_id = user.id, "password reset asked again too soon: no new mail");
            continue;
        }
        let minutes = auth_settings.reset_token_secs / 60;
        let link = state.settings.mail.reset_link.replace("{token}", &token);
        let body = format!(
            "Someone asked to reset the password of the account {name}.\n\n\
             To choose a new one, use this within {minutes} minutes (it works once):\n\n{link}\n\n\
             If it was not you, ignore this mail: your password stays as it is.\n",
            name = user.username,
        );
        let mail = Mail { to, subject: "Reset your password".into(), body };
        match mailer.send(mail).await {
            Ok(()) => tracing::info!(user_id = user.id, "password reset mailed"),
            Err(e) => tracing::warn!(user_id = user.id, error = %e, "password reset mail not sent"),
        }
    }
    Ok(())
}

async fn reset(state: web::Data<AppState>, req: HttpRequest, body: web::Json<Reset>) -> Result<HttpResponse, ApiError> {
    let Reset { token, new_password, otp } = body.into_inner();
    let invalid = || {
        ApiError::bad_request(ErrorCode::InvalidResetToken, "that reset link is unknown, used or expired: ask again")
    };
    check_password(&state, &new_password)?;
    let presented = auth::token_hash(&token);
    let Some(owner) = state.store.reset_owner(&presented, state.now_ms()).await? else { return Err(invalid()) };
    let user = super::auth::account(&state, owner).await?;
    let address = state.proxies.of(&req);
    state.logins.check(&user.username, address).map_err(throttled)?;
    // With a second factor on, the mailbox alone is not enough.
    super::mfa::step_up(&state, &user, otp.as_deref(), address, StatusCode::FORBIDDEN).await?;
    let phc = hash(new_password).await?;
    let Some(owner) = state.store.spend_reset(&presented, &phc, state.now_ms()).await? else { return Err(invalid()) };
    tracing::info!(user_id = owner, "password reset; refresh tokens revoked");
    Ok(HttpResponse::NoContent().finish())
}
