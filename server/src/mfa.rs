//! Second factors, as pure functions over totp-rs: new TOTP secrets and
//! their `otpauth://` URIs (what an authenticator app scans), which time
//! step a code belongs to (RFC 6238: SHA-1, 6 digits, 30 s steps, one step
//! of drift either way), and recovery codes — random, shown once, stored
//! only as SHA-256 (they carry 50 bits of entropy each, so a slow hash buys
//! nothing). No database and no HTTP here.

use totp_rs::{Algorithm, Secret, TOTP};

/// The issuer authenticator apps show.
pub const ISSUER: &str = "Croupier";

/// Seconds per step.
const STEP: u64 = 30;

/// Recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;

/// Letters of a recovery code: no 0/o, 1/l/i to misread.
const ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";

fn totp(secret: &[u8], account: &str) -> Result<TOTP, String> {
    TOTP::new(Algorithm::SHA1, 6, 0, STEP, secret.to_vec(), Some(ISSUER.to_owned()), account.to_owned())
        .map_err(|e| e.to_string())
}

/// A new secret (160 random bits, as RFC 4226 recommends), base32.
///
/// # Errors
/// The OS entropy source failed.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes)?;
    Ok(Secret::Raw(bytes.to_vec()).to_encoded().to_string())
}

/// The `otpauth://totp/...` URI of `secret` for `account`.
///
/// # Errors
/// A secret that is not base32 of at least 128 bits.
pub fn uri(secret: &str, account: &str) -> Result<String, String> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().map_err(|e| format!("{e:?}"))?;
    Ok(totp(&bytes, account)?.get_url())
}

/// The time step (Unix seconds / 30) of the step `code` is valid for at
/// `now_secs` — this one, the one before or the one after — or `None`.
pub fn step_of(secret: &str, code: &str, now_secs: u64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    let totp = totp(&bytes, "").ok()?;
    let now = now_secs / STEP;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| totp.check(code, step * STEP))
        .and_then(|step| i64::try_from(step).ok())
}

/// The code of `secret` at `at_secs` (tests act as the authenticator app).
///
/// # Errors
/// A secret that is not base32 of at least 128 bits.
pub fn code_at(secret: &str, at_secs: u64) -> Result<String, String> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().map_err(|e| format!("{e:?}"))?;
    Ok(totp(&bytes, "")?.generate(at_secs))
}

/// Fresh recovery codes, `xxxxx-xxxxx` from [`ALPHABET`].
///
/// # Errors
/// The OS entropy source failed.
pub fn recovery_codes() -> Result<Vec<String>, getrandom::Error> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut letters = String::with_capacity(10);
        while letters.len() < 10 {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes)?;
            letters.extend(bytes.iter().filter_map(|b| letter(*b)).take(10 - letters.len()));
        }
        codes.push(format!("{}-{}", &letters[..5], &letters[5..]));
    }
    Ok(codes)
}

/// The letter a random byte gives, each letter equally often: a byte of
/// 248 (8 × 31) or more gives none, and is drawn again.
fn letter(byte: u8) -> Option<char> {
    const EVEN: u8 = 248;
    (byte < EVEN).then(|| char::from(ALPHABET[usize::from(byte % 31)]))
}

/// What the database keeps of a recovery code: SHA-256 of it as typed,
/// lower case, without spaces or dashes.
pub fn recovery_hash(code: &str) -> String {
    let plain: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    crate::auth::token_hash(&plain.to_lowercase())
}

/// Whether `text` looks like a recovery code rather than a TOTP code.
pub fn is_recovery_code(text: &str) -> bool {
    text.trim().len() > 6
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_code_is_valid_for_its_step_and_one_either_side() {
        let secret = new_secret().unwrap();
        let at = 1_900_000_000;
        let code = code_at(&secret, at).unwrap();
        let step = i64::try_from(at / STEP).unwrap();
        assert_eq!(step_of(&secret, &code, at), Some(step));
        assert_eq!(step_of(&secret, &code, at + STEP), Some(step), "a step late");
        assert_eq!(step_of(&secret, &code, at - STEP), Some(step), "a step early");
        assert_eq!(step_of(&secret, &code, at + 3 * STEP), None, "too late");
        assert_eq!(step_of(&new_secret().unwrap(), &code, at), None, "another secret");
        assert_eq!(step_of(&secret, "12345", at), None);
        assert_eq!(step_of(&secret, "abcdef", at), None);
    }

    #[test]
    fn the_uri_names_the_issuer_account_and_secret() {
        let secret = new_secret().unwrap();
        let uri = uri(&secret, "alice").unwrap();
        assert!(uri.starts_with("otpauth://totp/Croupier:alice?"), "{uri}");
        assert!(uri.contains(&format!("secret={secret}")), "{uri}");
        assert!(uri.contains("issuer=Croupier"), "{uri}");
    }

    #[test]
    fn every_letter_of_a_recovery_code_is_as_likely() {
        let mut counts = std::collections::BTreeMap::new();
        for byte in 0..=u8::MAX {
            if let Some(c) = letter(byte) {
                *counts.entry(c).or_insert(0) += 1;
            }
        }
        assert_eq!(counts.len(), ALPHABET.len());
        assert!(counts.values().all(|n| *n == 8), "{counts:?}");
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_as_typed_loosely() {
        let codes = recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        let c = &codes[0];
        assert_eq!(c.len(), 11);
        assert_eq!(recovery_hash(c), recovery_hash(&c.to_uppercase().replace('-', " ")));
        assert_ne!(recovery_hash(c), recovery_hash(&codes[1]));
        assert!(is_recovery_code(c) && !is_recovery_code("123456"));
    }
}
