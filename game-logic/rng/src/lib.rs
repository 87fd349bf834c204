//! Croupier's certified random number generator.
//!
//! The one source of randomness for every game outcome. A testing lab should
//! be able to read this crate on its own:
//!
//! - [`CertifiedRng`]: ChaCha20 (20 rounds, `rand_chacha` pinned exactly),
//!   seeded with 256 bits from the OS, reseeded on a schedule with each reseed
//!   committed by SHA-256, cycled in the background.
//! - [`sample`]: the pinned, unbiased mapping from raw words to outcomes
//!   (`below`, `shuffle`, weighted picks). No `% n`, no floats.
//! - [`Recorder`] / [`Replay`]: every draw of a round is recorded and can be
//!   replayed for audit.
//! - [`fair`]: provably-fair seed commitment, derivation and verification.
//! - [`Seed`], [`Position`], [`SealingKey`]: secrets that never print and are
//!   only persisted encrypted (AES-256-GCM).
//!
//! This crate must never log, print or serialise a seed or generator state in
//! the clear, and must never gain another seeding path.

pub mod certified;
pub mod fair;
pub mod record;
pub mod sample;
pub mod secret;

pub use certified::{CertifiedRng, Reseed, ReseedPolicy, ReseedReason};
pub use record::{DrawRecord, Recorder, Replay, ReplayError};
pub use sample::{Draw, WeightError, WeightedTable, pick_weighted, shuffle};
pub use secret::{Commitment, Position, SealError, SealedPosition, SealingKey, Seed};

/// Errors from seeding and parsing. Never carries secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RngError {
    /// The operating system's entropy source failed.
    #[error("the operating system's entropy source failed: {0}")]
    Entropy(String),
    /// A seed was not 64 hex digits.
    #[error("a seed must be exactly 64 hex digits (32 bytes)")]
    BadSeed,
    /// A commitment was not 64 hex digits.
    #[error("a commitment must be exactly 64 hex digits (a SHA-256)")]
    BadCommitment,
    /// A client seed broke the rules of [`fair::ClientSeed::new`].
    #[error("a client seed must be 1 to 64 printable ASCII characters without spaces")]
    BadClientSeed,
}
