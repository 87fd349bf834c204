//! Secret values: seeds and generator positions, and their sealing.
//!
//! Nothing here implements `Serialize`, and every `Debug` prints a redaction,
//! so a seed cannot reach a log, an API response or an error by accident. The
//! only way to persist a position is [`SealingKey::seal`] (AES-256-GCM), and
//! the only public trace of a seed is its SHA-256 [`Commitment`].

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::RngError;

/// A 256-bit ChaCha20 key. Zeroed when dropped, never printed.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Seed(pub(crate) [u8; 32]);

impl Seed {
    /// 256 bits from the operating system's entropy source.
    ///
    /// # Errors
    /// [`RngError::Entropy`] if the OS source fails.
    pub fn from_os() -> Result<Self, RngError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| RngError::Entropy(e.to_string()))?;
        Ok(Self(bytes))
    }

    /// An explicit seed, for verification and tests only: production
    /// generators are seeded by [`Seed::from_os`] or provably-fair derivation.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 hex digits.
    ///
    /// # Errors
    /// [`RngError::BadSeed`] if the text is not exactly 32 hex-encoded bytes.
    pub fn from_hex(text: &str) -> Result<Self, RngError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| RngError::BadSeed)?;
        Ok(Self(bytes))
    }

    /// The public commitment to this seed.
    pub fn commitment(&self) -> Commitment {
        Commitment(Sha256::digest(self.0).into())
    }

    /// The raw bytes, for revealing a rotated provably-fair seed.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl core::fmt::Debug for Seed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Seed(<redacted>)")
    }
}

/// SHA-256 of a seed: published before the seed is used, so nobody can change
/// the seed afterwards unnoticed. Printed and serialised as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Commitment(pub [u8; 32]);

impl Commitment {
    /// Parses 64 hex digits.
    ///
    /// # Errors
    /// [`RngError::BadCommitment`] for anything else.
    pub fn from_hex(text: &str) -> Result<Self, RngError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| RngError::BadCommitment)?;
        Ok(Self(bytes))
    }
}

impl core::fmt::Display for Commitment {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl core::fmt::Debug for Commitment {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Commitment({self})")
    }
}

impl Serialize for Commitment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for Commitment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Commitment::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// Where a generator is: seed, ChaCha stream and word position. Restoring a
/// position gives exactly the same future outputs. Secret: never printed,
/// never serialised in the clear (see [`SealingKey`]).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Position {
    pub(crate) seed: Seed,
    /// ChaCha20 stream (nonce) number.
    pub stream: u64,
    /// Position in the stream, in 32-bit words.
    pub word_pos: u128,
}

impl Position {
    /// A position at the start of `stream` for an explicit seed.
    pub fn new(seed: Seed, stream: u64, word_pos: u128) -> Self {
        Self { seed, stream, word_pos }
    }

    /// The commitment of the position's seed.
    pub fn commitment(&self) -> Commitment {
        self.seed.commitment()
    }

    const ENCODED_LEN: usize = 32 + 8 + 16;

    fn encode(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[..32].copy_from_slice(&self.seed.0);
        out[32..40].copy_from_slice(&self.stream.to_le_bytes());
        out[40..].copy_from_slice(&self.word_pos.to_le_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::ENCODED_LEN {
            return None;
        }
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&bytes[..32]);
        let stream = u64::from_le_bytes(bytes[32..40].try_into().ok()?);
        let word_pos = u128::from_le_bytes(bytes[40..].try_into().ok()?);
        Some(Self::new(Seed(seed), stream, word_pos))
    }
}

impl core::fmt::Debug for Position {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Position(<redacted>)")
    }
}

/// The AES-256-GCM key that seals generator positions before they are
/// persisted. Loaded from the environment, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SealingKey([u8; 32]);

/// The environment variable [`SealingKey::from_env`] reads: 64 hex digits.
pub const SEALING_KEY_ENV: &str = "CROUPIER_RNG_SEALING_KEY";

const SEAL_LABEL: &[u8] = b"croupier-rng-position-v1:";

impl SealingKey {
    /// A key from 64 hex digits.
    ///
    /// # Errors
    /// [`SealError::BadKey`] when the text is not 32 hex-encoded bytes.
    pub fn from_hex(text: &str) -> Result<Self, SealError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| SealError::BadKey)?;
        Ok(Self(bytes))
    }

    /// The key from [`SEALING_KEY_ENV`].
    ///
    /// # Errors
    /// [`SealError::MissingKey`] when unset, [`SealError::BadKey`] when malformed.
    pub fn from_env() -> Result<Self, SealError> {
        let text = std::env::var(SEALING_KEY_ENV).map_err(|_| SealError::MissingKey)?;
        Self::from_hex(&text)
    }

    /// Encrypts `position`, binding it to `context` (e.g. the table id) so a
    /// sealed position cannot be moved to another table.
    ///
    /// # Errors
    /// [`SealError::Entropy`] if no nonce could be drawn from the OS.
    pub fn seal(&self, position: &Position, context: &[u8]) -> Result<SealedPosition, SealError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Entropy)?;
        let mut plain = position.encode();
        let aad = [SEAL_LABEL, context].concat();
        let cipher = Aes256Gcm::new(&self.0.into());
        let result = cipher.encrypt(&Nonce::from(nonce), Payload { msg: &plain, aad: &aad });
        plain.zeroize();
        let ciphertext = result.map_err(|_| SealError::Crypto)?;
        Ok(SealedPosition { nonce, ciphertext })
    }

    /// Decrypts a sealed position sealed with the same key and `context`.
    ///
    /// # Errors
    /// [`SealError::Crypto`] when the key or context is wrong or the data was
    /// tampered with.
    pub fn open(&self, sealed: &SealedPosition, context: &[u8]) -> Result<Position, SealError> {
        let aad = [SEAL_LABEL, context].concat();
        let cipher = Aes256Gcm::new(&self.0.into());
        let mut plain = cipher
            .decrypt(&Nonce::from(sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &aad })
            .map_err(|_| SealError::Crypto)?;
        let position = Position::decode(&plain).ok_or(SealError::Crypto);
        plain.zeroize();
        position
    }
}

impl core::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SealingKey(<redacted>)")
    }
}

/// An encrypted [`Position`], safe to store (serialised as hex strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedPosition {
    #[serde(with = "hex_array")]
    nonce: [u8; 12],
    #[serde(with = "hex::serde")]
    ciphertext: Vec<u8>,
}

mod hex_array {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 12], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 12], D::Error> {
        let text = String::deserialize(d)?;
        let mut out = [0u8; 12];
        hex::decode_to_slice(text, &mut out).map_err(serde::de::Error::custom)?;
        Ok(out)
    }
}

/// Why a position could not be sealed or opened. Never carries secret data.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SealError {
    /// The sealing key variable is not set.
    #[error("the RNG sealing key is not set ({SEALING_KEY_ENV})")]
    MissingKey,
    /// The sealing key is not 64 hex digits.
    #[error("the RNG sealing key must be 64 hex digits")]
    BadKey,
    /// The OS entropy source failed.
    #[error("the operating system's entropy source failed")]
    Entropy,
    /// Wrong key or context, or tampered data.
    #[error("sealed RNG position could not be opened (wrong key or context, or tampered)")]
    Crypto,
}
