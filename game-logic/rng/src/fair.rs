//! Provably-fair mode.
//!
//! Before play the server publishes the SHA-256 commitment of a 32-byte server
//! seed. Each round's ChaCha20 seed is
//! `HMAC-SHA256(key = server_seed, msg = client_seed ":" nonce)` (nonce in
//! decimal). For a multi-player hand, one server seed per hand and
//! `msg = hand_id ":" hex(SHA-256(sorted client seeds joined by "\n"))`.
//! Rotating the seed reveals the old one, and anyone can then recompute every
//! draw of every round it produced ([`verify`]).

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::RngError;
use crate::certified::CertifiedRng;
use crate::record::DrawRecord;
use crate::sample::Draw;
use crate::secret::{Commitment, Seed};

/// A player's contribution to the round seed: 1 to 64 printable ASCII
/// characters without spaces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientSeed(String);

impl ClientSeed {
    /// The longest client seed accepted.
    pub const MAX_LEN: usize = 64;

    /// Validates a client seed.
    ///
    /// # Errors
    /// [`RngError::BadClientSeed`] when empty, too long, or holding characters
    /// outside printable ASCII (`!`..=`~`).
    pub fn new(text: impl Into<String>) -> Result<Self, RngError> {
        let text = text.into();
        let ok = !text.is_empty() && text.len() <= Self::MAX_LEN && text.bytes().all(|b| b.is_ascii_graphic());
        if ok { Ok(Self(text)) } else { Err(RngError::BadClientSeed) }
    }

    /// The seed text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientSeed {
    type Error = RngError;
    fn try_from(text: String) -> Result<Self, RngError> {
        Self::new(text)
    }
}

impl From<ClientSeed> for String {
    fn from(seed: ClientSeed) -> String {
        seed.0
    }
}

/// What a round's seed is derived from, besides the server seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FairInput {
    /// A single player's round: `client_seed ":" nonce`.
    Round {
        /// The player's seed.
        client_seed: ClientSeed,
        /// The round counter under this server seed.
        nonce: u64,
    },
    /// A multi-player hand: `hand_id ":" hex(SHA-256(sorted seeds, "\n"-joined))`.
    Hand {
        /// The hand's id.
        hand_id: String,
        /// Every seated player's seed, in any order.
        client_seeds: Vec<ClientSeed>,
    },
}

impl FairInput {
    /// The HMAC message for this input.
    pub fn message(&self) -> Vec<u8> {
        match self {
            FairInput::Round { client_seed, nonce } => format!("{}:{nonce}", client_seed.as_str()).into_bytes(),
            FairInput::Hand { hand_id, client_seeds } => {
                let mut seeds: Vec<&str> = client_seeds.iter().map(ClientSeed::as_str).collect();
                seeds.sort_unstable();
                let digest = Sha256::digest(seeds.join("\n").as_bytes());
                format!("{hand_id}:{}", hex::encode(digest)).into_bytes()
            }
        }
    }
}

/// A provably-fair server seed: secret until rotated, committed before use.
#[derive(Debug)]
pub struct ServerSeed(Seed);

impl ServerSeed {
    /// A fresh seed from the operating system.
    ///
    /// # Errors
    /// [`RngError::Entropy`] if the OS source fails.
    pub fn generate() -> Result<Self, RngError> {
        Ok(Self(Seed::from_os()?))
    }

    /// A revealed seed, for verification.
    pub fn from_revealed(seed: Seed) -> Self {
        Self(seed)
    }

    /// The commitment to publish before play.
    pub fn commitment(&self) -> Commitment {
        self.0.commitment()
    }

    /// The ChaCha20 seed for one round or hand.
    pub fn derive(&self, input: &FairInput) -> Seed {
        // invariant: HMAC accepts keys of any length, so this cannot fail.
        #[allow(clippy::expect_used)]
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.expose()).expect("HMAC takes any key length");
        mac.update(&input.message());
        Seed::from_bytes(mac.finalize().into_bytes().into())
    }

    /// The generator for one round or hand (never reseeds: the whole stream is
    /// determined by the committed seed and the input).
    pub fn round_rng(&self, input: &FairInput) -> CertifiedRng {
        CertifiedRng::from_seed(self.derive(input))
    }

    /// Ends this seed's use and reveals it, as 64 hex digits.
    pub fn reveal(self) -> String {
        hex::encode(self.0.expose())
    }
}

/// A revealed server seed and what it covered, published at rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revealed {
    /// The seed, 64 hex digits.
    pub server_seed: String,
    /// The commitment published before the seed was used.
    pub commitment: Commitment,
    /// Rounds played under it: nonces `0..rounds`.
    pub rounds: u64,
}

/// One player's provably-fair sequence (e.g. a slots session): a committed
/// server seed, the player's client seed and a nonce per round. Rotating
/// reveals the old seed and commits to a new one.
#[derive(Debug)]
pub struct FairSession {
    server: ServerSeed,
    client_seed: ClientSeed,
    nonce: u64,
}

impl FairSession {
    /// Starts with a fresh server seed; publish [`FairSession::commitment`]
    /// before the first round.
    ///
    /// # Errors
    /// [`RngError::Entropy`] if the OS source fails.
    pub fn new(client_seed: ClientSeed) -> Result<Self, RngError> {
        Ok(Self { server: ServerSeed::generate()?, client_seed, nonce: 0 })
    }

    /// The commitment to the current server seed.
    pub fn commitment(&self) -> Commitment {
        self.server.commitment()
    }

    /// The next round's input and generator; the nonce then advances.
    pub fn next_round(&mut self) -> (FairInput, CertifiedRng) {
        let input = FairInput::Round { client_seed: self.client_seed.clone(), nonce: self.nonce };
        self.nonce += 1;
        let rng = self.server.round_rng(&input);
        (input, rng)
    }

    /// Reveals the current server seed and starts a new one (with a new client
    /// seed if given); nonces restart at 0.
    ///
    /// # Errors
    /// [`RngError::Entropy`] if the OS source fails; the session is unchanged.
    pub fn rotate(&mut self, client_seed: Option<ClientSeed>) -> Result<Revealed, RngError> {
        let next = ServerSeed::generate()?;
        let old = std::mem::replace(&mut self.server, next);
        let revealed = Revealed { commitment: old.commitment(), server_seed: old.reveal(), rounds: self.nonce };
        self.nonce = 0;
        if let Some(seed) = client_seed {
            self.client_seed = seed;
        }
        Ok(revealed)
    }
}

/// Why a provably-fair verification failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    /// The revealed seed does not hash to the published commitment.
    #[error("the revealed seed does not match the commitment")]
    CommitmentMismatch,
    /// A recomputed draw differs from the recorded one.
    #[error("draw {index}: recorded {recorded} but the seed gives {computed} (range 0..{range})")]
    DrawMismatch {
        /// Index of the draw.
        index: usize,
        /// The range of the draw.
        range: u32,
        /// The recorded value.
        recorded: u32,
        /// The value the revealed seed gives.
        computed: u32,
    },
    /// A recorded draw has an empty range.
    #[error("draw {index} has an empty range")]
    EmptyRange {
        /// Index of the draw.
        index: usize,
    },
}

/// Recomputes a round's draws from the revealed server seed and checks them
/// against the commitment published before play and the recorded draws.
///
/// # Errors
/// [`VerifyError`] naming the first thing that does not match.
pub fn verify(
    revealed: &Seed,
    commitment: &Commitment,
    input: &FairInput,
    draws: &[DrawRecord],
) -> Result<(), VerifyError> {
    if revealed.commitment() != *commitment {
        return Err(VerifyError::CommitmentMismatch);
    }
    let server = ServerSeed::from_revealed(revealed.clone());
    let mut rng = server.round_rng(input);
    for (index, d) in draws.iter().enumerate() {
        if d.range == 0 {
            return Err(VerifyError::EmptyRange { index });
        }
        let computed = rng.below(d.range);
        if computed != d.value {
            return Err(VerifyError::DrawMismatch { index, range: d.range, recorded: d.value, computed });
        }
    }
    Ok(())
}
