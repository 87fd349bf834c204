//! Personal data at rest: a player's profile (email, name, phone, address,
//! document number) is sealed with AES-256-GCM under a key from the
//! environment ([`PII_KEYS_ENV`]) before it reaches the database, bound to
//! its owner (the user id is the associated data, so a sealed profile moved
//! to another account does not open). The email is also kept as a blind
//! index (an HMAC under a key derived from the same key), so an account can
//! be found by its email without decrypting every row.
//!
//! Keys rotate: the variable lists `id:key` pairs, the first seals, every
//! one opens, and `croupier pii rotate` re-seals the rows under an older
//! one. Nothing here is ever printed: [`PiiKeys`] and [`Profile`] redact
//! themselves in `Debug`, and no error carries a value.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

/// The environment variable holding the keys: `id:HEX[,id:HEX...]`, each
/// key 64 hex digits (256 bits), each id 1 to 16 of `a-z 0-9 -`; the first
/// seals.
pub const PII_KEYS_ENV: &str = "CROUPIER_PII_KEYS";

/// Associated data of every sealed profile: what it is, and whose.
const LABEL: &[u8] = b"croupier pii profile v1|";

/// What the email index key is derived with.
const INDEX_LABEL: &[u8] = b"croupier pii email index v1";

/// Why personal data could not be sealed or opened. Never carries the data.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PiiError {
    /// The keys variable is malformed (the message says how, without a key).
    #[error("{PII_KEYS_ENV}: {0}")]
    BadKeys(String),
    /// A row sealed under a key id that is not configured.
    #[error("personal data sealed under key {0:?}, which {PII_KEYS_ENV} does not hold")]
    UnknownKey(String),
    /// The data does not open: a wrong key, another owner, or tampering.
    #[error("personal data does not decrypt (wrong key, moved or tampered)")]
    Crypto,
    /// No nonce could be drawn from the OS.
    #[error("no entropy for a nonce")]
    Entropy,
}

/// One key and its id.
struct Key {
    id: String,
    key: Zeroizing<[u8; 32]>,
    /// HMAC key of the email index, derived from `key`.
    index: Zeroizing<[u8; 32]>,
}

/// The configured keys; the first seals.
pub struct PiiKeys {
    keys: Vec<Key>,
}

impl std::fmt::Debug for PiiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        write!(f, "PiiKeys({ids:?}, keys redacted)")
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // invariant: HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl PiiKeys {
    /// Parses `id:HEX[,id:HEX...]`.
    ///
    /// # Errors
    /// [`PiiError::BadKeys`] naming the problem (never a key).
    pub fn parse(text: &str) -> Result<Self, PiiError> {
        let mut keys: Vec<Key> = Vec::new();
        for (n, pair) in text.split(',').map(str::trim).enumerate() {
            let bad = |why: &str| PiiError::BadKeys(format!("entry {}: {why}", n + 1));
            let (id, hex_key) = pair.split_once(':').ok_or_else(|| bad("is not id:key"))?;
            let id_ok = (1..=16).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !id_ok {
                return Err(bad("the id must be 1 to 16 of a-z 0-9 -"));
            }
            if keys.iter().any(|k| k.id == id) {
                return Err(bad("the id is used twice"));
            }
            let mut key = Zeroizing::new([0u8; 32]);
            hex::decode_to_slice(hex_key.trim(), key.as_mut()).map_err(|_| bad("the key must be 64 hex digits"))?;
            let index = Zeroizing::new(hmac(key.as_ref(), &[INDEX_LABEL]));
            keys.push(Key { id: id.to_owned(), key, index });
        }
        Ok(Self { keys })
    }

    /// The id of the key that seals.
    pub fn current(&self) -> &str {
        // invariant: parse never returns an empty list (one entry at least).
        self.keys.first().map_or("", |k| k.id.as_str())
    }

    /// Every configured key id, the sealing one first.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    fn key(&self, id: &str) -> Result<&Key, PiiError> {
        self.keys.iter().find(|k| k.id == id).ok_or_else(|| PiiError::UnknownKey(id.to_owned()))
    }

    /// Seals `profile` of `user` under the current key.
    ///
    /// # Errors
    /// [`PiiError::Entropy`], [`PiiError::Crypto`].
    pub fn seal(&self, user: i64, profile: &Profile) -> Result<Sealed, PiiError> {
        let key = self.keys.first().ok_or(PiiError::BadKeys("no key".into()))?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|_| PiiError::Entropy)?;
        let plain = Zeroizing::new(serde_json::to_vec(profile).map_err(|_| PiiError::Crypto)?);
        let aad = [LABEL, user.to_string().as_bytes()].concat();
        let cipher = Aes256Gcm::new(&(*key.key).into());
        let sealed =
            cipher.encrypt(&Nonce::from(nonce), Payload { msg: &plain, aad: &aad }).map_err(|_| PiiError::Crypto)?;
        let email_index = profile.email.as_deref().map(|e| email_index(key, e));
        Ok(Sealed { key_id: key.id.clone(), data: hex::encode([&nonce[..], &sealed].concat()), email_index })
    }

    /// Opens the profile of `user` sealed under `key_id` as `data`.
    ///
    /// # Errors
    /// [`PiiError::UnknownKey`], [`PiiError::Crypto`].
    pub fn open(&self, user: i64, key_id: &str, data: &str) -> Result<Profile, PiiError> {
        let key = self.key(key_id)?;
        let bytes = hex::decode(data).map_err(|_| PiiError::Crypto)?;
        if bytes.len() < 12 {
            return Err(PiiError::Crypto);
        }
        let (nonce, sealed) = bytes.split_at(12);
        let mut nonce_bytes = [0u8; 12];
        nonce_bytes.copy_from_slice(nonce);
        let aad = [LABEL, user.to_string().as_bytes()].concat();
        let cipher = Aes256Gcm::new(&(*key.key).into());
        let mut plain = cipher
            .decrypt(&Nonce::from(nonce_bytes), Payload { msg: sealed, aad: &aad })
            .map_err(|_| PiiError::Crypto)?;
        let profile = serde_json::from_slice(&plain).map_err(|_| PiiError::Crypto);
        plain.zeroize();
        profile
    }

    /// The blind indexes `email` has under each configured key (a row
    /// keeps the one of the key it is sealed under).
    pub fn email_indexes(&self, email: &str) -> Vec<String> {
        self.keys.iter().map(|k| email_index(k, email)).collect()
    }
}

/// The blind index of `email` under `key`: case and surrounding spaces do
/// not count.
fn email_index(key: &Key, email: &str) -> String {
    hex::encode(hmac(key.index.as_ref(), &[email.trim().to_lowercase().as_bytes()]))
}

/// A sealed profile, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The id of the key it is sealed under.
    pub key_id: String,
    /// Hex of nonce and ciphertext.
    pub data: String,
    /// The email's blind index under that key, if it has an email.
    pub email_index: Option<String>,
}

/// A player's personal data. Every field is optional; none is ever logged.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Where mail (a password reset) goes.
    #[serde(default)]
    pub email: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Postal address.
    #[serde(default)]
    pub address: Option<String>,
    /// An identity document's number.
    #[serde(default)]
    pub document_number: Option<String>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Profile(<redacted>)")
    }
}

impl Profile {
    /// Checks each field, trimming it and turning an empty one into none;
    /// the error names the field (never its value).
    ///
    /// # Errors
    /// A message naming the field that is wrong and how.
    pub fn validated(self) -> Result<Self, String> {
        fn field(value: Option<String>, name: &str, max: usize) -> Result<Option<String>, String> {
            let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else { return Ok(None) };
            if value.chars().count() > max {
                return Err(format!("{name} is longer than {max} characters"));
            }
            if value.chars().any(|c| c.is_control() && !(name == "address" && c == '\n')) {
                return Err(format!("{name} holds a control character"));
            }
            Ok(Some(value))
        }
        let email = field(self.email, "email", 254)?;
        if let Some(email) = &email {
            valid_email(email)?;
        }
        let phone = field(self.phone, "phone", 32)?;
        if phone.as_deref().is_some_and(|p| !p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))) {
            return Err("phone may hold only digits, spaces and + - ( ) .".into());
        }
        Ok(Self {
            email,
            name: field(self.name, "name", 200)?,
            phone,
            address: field(self.address, "address", 500)?,
            document_number: field(self.document_number, "document_number", 64)?,
        })
    }
}

/// Checks that `email` is one mailbox address (`local@domain`, RFC 5321).
///
/// # Errors
/// A message saying so.
pub fn valid_email(email: &str) -> Result<(), String> {
    email
        .parse::<lettre::Address>()
        .map(|_| ())
        .map_err(|_| "email is not an address of the form name@example.com".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const A: &str = "a:0000000000000000000000000000000000000000000000000000000000000001";
    const B: &str = "b:0000000000000000000000000000000000000000000000000000000000000002";

    fn profile() -> Profile {
        Profile { email: Some("Ann@Example.com".into()), name: Some("Ann Lee".into()), ..Profile::default() }
    }

    #[test]
    fn seals_and_opens_only_for_its_owner_and_key() {
        let keys = PiiKeys::parse(A).unwrap();
        let sealed = keys.seal(7, &profile()).unwrap();
        assert_eq!(sealed.key_id, "a");
        assert!(!sealed.data.contains(&hex::encode("Ann")));
        assert_eq!(keys.open(7, "a", &sealed.data).unwrap(), profile());
        assert_eq!(keys.open(8, "a", &sealed.data), Err(PiiError::Crypto), "another owner");
        assert_eq!(keys.open(7, "b", &sealed.data), Err(PiiError::UnknownKey("b".into())));
        let mut tampered = sealed.data.clone().into_bytes();
        tampered[30] = if tampered[30] == b'0' { b'1' } else { b'0' };
        assert_eq!(keys.open(7, "a", std::str::from_utf8(&tampered).unwrap()), Err(PiiError::Crypto));
        // Two seals of one profile differ (fresh nonces).
        assert_ne!(keys.seal(7, &profile()).unwrap().data, sealed.data);
    }

    #[test]
    fn rotation_keeps_old_rows_readable_and_indexes_per_key() {
        let old = PiiKeys::parse(A).unwrap();
        let sealed = old.seal(1, &profile()).unwrap();
        let both = PiiKeys::parse(&format!("{B},{A}")).unwrap();
        assert_eq!(both.current(), "b");
        assert_eq!(both.open(1, "a", &sealed.data).unwrap(), profile());
        let resealed = both.seal(1, &profile()).unwrap();
        assert_eq!(resealed.key_id, "b");
        let indexes = both.email_indexes(" ann@example.COM ");
        assert_eq!(indexes.len(), 2);
        assert!(indexes.contains(sealed.email_index.as_ref().unwrap()));
        assert!(indexes.contains(resealed.email_index.as_ref().unwrap()));
        assert_ne!(sealed.email_index, resealed.email_index);
    }

    #[test]
    fn bad_keys_are_named_without_the_key() {
        for (text, why) in [
            ("a", "is not id:key"),
            ("A:00", "the id must be"),
            ("a:00", "64 hex digits"),
            (&format!("{A},{A}") as &str, "used twice"),
        ] {
            let e = PiiKeys::parse(text).unwrap_err().to_string();
            assert!(e.contains(why), "{text}: {e}");
            assert!(!e.contains("0000000000"), "{e}");
        }
        assert!(!format!("{:?}", PiiKeys::parse(A).unwrap()).contains("0001"));
        assert_eq!(format!("{:?}", profile()), "Profile(<redacted>)");
    }

    #[test]
    fn profiles_are_checked_field_by_field() {
        let ok = Profile { phone: Some(" +44 (20) 7946-0958 ".into()), name: Some("  ".into()), ..profile() };
        let ok = ok.validated().unwrap();
        assert_eq!(ok.phone.as_deref(), Some("+44 (20) 7946-0958"));
        assert_eq!(ok.name, None);
        for (bad, field) in [
            (Profile { email: Some("no-at-sign".into()), ..Profile::default() }, "email"),
            (Profile { email: Some("a@b.c\r\nBcc: x@y.z".into()), ..Profile::default() }, "email"),
            (Profile { phone: Some("call me".into()), ..Profile::default() }, "phone"),
            (Profile { name: Some("x".repeat(201)), ..Profile::default() }, "name"),
            (Profile { document_number: Some("a\u{7}".into()), ..Profile::default() }, "document_number"),
        ] {
            let e = bad.validated().unwrap_err();
            assert!(e.starts_with(field), "{field}: {e}");
        }
    }
}
