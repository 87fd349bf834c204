//! Identity primitives: argon2id password hashes, JWT access tokens and
//! opaque refresh tokens. Pure functions and a key holder; no HTTP, no
//! database. Hashing is slow on purpose, so callers run it off the async
//! workers ([`hash_password`] and [`verify_password`] are blocking).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::store::Role;

/// A hash of a password nobody has, verified when the username is unknown so
/// that a login takes the same time either way (no user enumeration).
pub static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not a password anyone has").unwrap_or_default());

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` with argon2id and a fresh salt (blocking).
///
/// # Errors
/// Only if the hasher fails (it does not for any password length we accept).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Whether `password` matches the stored PHC string (blocking).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A new opaque refresh token: 256 random bits, URL-safe hex.
///
/// # Errors
/// The OS entropy source failed.
pub fn new_refresh_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// SHA-256 of a refresh token, hex: all the database ever holds.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// User id, as a string (JWT convention).
    pub sub: String,
    /// Username.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Expiry, Unix seconds.
    pub exp: u64,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Whether the account proved a second factor (its login took a TOTP
    /// or recovery code, or it has one confirmed since). Older tokens
    /// without it read as `false`.
    #[serde(default)]
    pub mfa: bool,
}

/// Why an access token was refused.
#[derive(Debug, Error)]
pub enum TokenError {
    /// Past its expiry.
    #[error("the access token has expired")]
    Expired,
    /// Bad signature, malformed, wrong algorithm.
    #[error("the access token is not valid")]
    Invalid,
    /// Its account was erased.
    #[error("{}", ERASED)]
    Erased,
}

/// What an erased account's token, request and connection are told.
pub const ERASED: &str = "this account was erased";

/// Signs and checks access tokens (HS256), refusing those of accounts
/// erased since they were issued (an access token is not stored anywhere,
/// so it cannot be revoked any other way; `app` names at start the
/// accounts erased within one token lifetime).
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Access token lifetime, seconds.
    pub access_secs: u64,
    erased: std::sync::Arc<dashmap::DashSet<i64>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("access_secs", &self.access_secs).finish_non_exhaustive()
    }
}

impl Tokens {
    /// A signer with `key` (at least 32 bytes, checked by settings).
    pub fn new(key: &[u8], access_secs: u64) -> Self {
        let (encoding, decoding) = (EncodingKey::from_secret(key), DecodingKey::from_secret(key));
        Self { encoding, decoding, access_secs, erased: std::sync::Arc::default() }
    }

    /// Refuses every token of `user` from now on (their account is being
    /// erased); `false` if it was refused already.
    pub fn refuse(&self, user: i64) -> bool {
        self.erased.insert(user)
    }

    /// Takes tokens of `user` again (their erasure was refused).
    pub fn admit(&self, user: i64) {
        self.erased.remove(&user);
    }

    /// An access token for `user`, valid from `now` (Unix seconds); `mfa`
    /// says whether a second factor was proved.
    ///
    /// # Errors
    /// Signing failed (it does not with an HMAC key).
    pub fn issue(
        &self,
        user_id: i64,
        username: &str,
        role: Role,
        now: u64,
        mfa: bool,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let (sub, name, exp) = (user_id.to_string(), username.to_owned(), now + self.access_secs);
        let claims = Claims { sub, name, role, exp, iat: now, mfa };
        jsonwebtoken::encode(&Header::default(), &claims, &self.encoding)
    }

    /// The claims of a valid, unexpired token of an account not erased.
    ///
    /// # Errors
    /// [`TokenError`].
    pub fn check(&self, token: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::default();
        validation.leeway = 0;
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map(|d| d.claims).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            },
        )?;
        match claims.sub.parse::<i64>() {
            Ok(user) if self.erased.contains(&user) => Err(TokenError::Erased),
            _ => Ok(claims),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a phc string"));
        assert_ne!(hash, hash_password("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn tokens_round_trip_and_fail_closed() {
        let tokens = Tokens::new(&[7; 32], 60);
        let now = 1_900_000_000;
        let t = tokens.issue(42, "ann", Role::Operator, now, true).unwrap();
        let claims = tokens.check(&t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((claims.sub.as_str(), claims.role, claims.exp, claims.mfa), ("42", Role::Operator, now + 60, true));
        let other = Tokens::new(&[8; 32], 60);
        assert!(matches!(other.check(&t), Err(TokenError::Invalid)), "another key");
        let old = tokens.issue(42, "ann", Role::Player, 1_000_000_000, false).unwrap();
        assert!(matches!(tokens.check(&old), Err(TokenError::Expired)));
        assert!(matches!(tokens.check("garbage"), Err(TokenError::Invalid)));
        let ben = tokens.issue(43, "ben", Role::Player, now, false).unwrap();
        assert!(tokens.refuse(42) && !tokens.refuse(42));
        assert!(matches!(tokens.clone().check(&t), Err(TokenError::Erased)), "shared by clones");
        assert!(tokens.check(&ben).is_ok(), "only that account's");
        tokens.admit(42);
        assert!(tokens.check(&t).is_ok());
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_refresh_token().unwrap(), new_refresh_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }
}
