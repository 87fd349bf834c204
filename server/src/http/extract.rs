//! Who is calling: the `Authorization: Bearer <access token>` header checked
//! into an [`Authenticated`] user, with the permission a route needs in its
//! type (`Authenticated<can::ManageTables>`; `crate::roles` says which roles
//! have it). A missing, bad or expired token is 401; a valid token whose
//! role lacks the permission is 403, as is a staff route without a second
//! factor when `auth.staff_mfa_required` is on. Nothing here touches the database.

use croupier_protocol::ErrorCode;
use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use super::error::ApiError;
use crate::auth::TokenError;
use crate::roles::Permission;
use crate::state::AppState;
use crate::store::Role;

/// What a route needs beyond a valid token.
pub trait Allowed {
    /// The permission, if any (`crate::roles`).
    const NEEDS: Option<Permission>;
}

/// Any signed-in user (the routes of one's own account).
#[derive(Debug)]
pub enum AnyRole {}
impl Allowed for AnyRole {
    const NEEDS: Option<Permission> = None;
}

/// The staff permissions, one marker each, as routes name them:
/// `Authenticated<can::ManageTables>`.
pub mod can {
    use super::{Allowed, Permission};

    macro_rules! markers {
        ($($name:ident),+) => {$(
            #[doc = concat!("Needs `Permission::", stringify!($name), "`.")]
            #[derive(Debug)]
            pub enum $name {}
            impl Allowed for $name {
                const NEEDS: Option<Permission> = Some(Permission::$name);
            }
        )+};
    }
    markers!(ReadPlayers, Deposit, ManageTables, ReadAudit, LoadAccounts, ReviewPayments, ReviewAml);
}

/// A caller with a valid access token and an admitted role.
#[derive(Debug)]
pub struct Authenticated<R> {
    /// User id.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Role.
    pub role: Role,
    allowed: PhantomData<R>,
}

fn authenticate<R: Allowed>(req: &HttpRequest) -> Result<Authenticated<R>, ApiError> {
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("application state missing"))?;
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return Err(ApiError::unauthorized(
            ErrorCode::Unauthorized,
            "send an access token: Authorization: Bearer <token>",
        ));
    };
    let claims = state.tokens.check(token.trim()).map_err(|e| match e {
        TokenError::Expired => {
            ApiError::unauthorized(ErrorCode::TokenExpired, "the access token has expired: refresh it")
        }
        TokenError::Invalid => ApiError::unauthorized(ErrorCode::InvalidToken, "the access token is not valid"),
        TokenError::Erased => ApiError::account_erased(),
    })?;
    let id = claims
        .sub
        .parse()
        .map_err(|_| ApiError::unauthorized(ErrorCode::InvalidToken, "the access token is not valid"))?;
    let Some(needs) = R::NEEDS else {
        return Ok(Authenticated { id, username: claims.name, role: claims.role, allowed: PhantomData });
    };
    if !crate::roles::allows(claims.role, needs) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "your role may not do this"));
    }
    // Staff routes, when the settings ask, only for a login with a second
    // factor.
    if state.settings.auth.staff_mfa_required && !claims.mfa {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::MfaRequired,
            "staff routes need a login with a second factor: enrol at /v1/me/mfa/totp and sign in again",
        ));
    }
    Ok(Authenticated { id, username: claims.name, role: claims.role, allowed: PhantomData })
}

impl<R: Allowed> FromRequest for Authenticated<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

/// A page size from `?limit=`: `default` when absent, else 1 to 200.
///
/// # Errors
/// `invalid_query` for a limit outside 1 to 200.
pub fn page_limit(asked: Option<u32>, default: u32) -> Result<u32, super::error::ApiError> {
    let limit = asked.unwrap_or(default);
    if (1..=200).contains(&limit) {
        Ok(limit)
    } else {
        Err(super::error::ApiError::bad_request(croupier_protocol::ErrorCode::InvalidQuery, "limit must be 1 to 200"))
    }
}
