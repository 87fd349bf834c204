//! The certified generator: ChaCha20 (20 rounds), one per table or session.
//!
//! Seeding paths are deliberately few: 256 bits from the operating system
//! ([`CertifiedRng::from_os`]), provably-fair derivation
//! ([`crate::fair`]), and an explicit [`Position`] for verification and
//! tests. There is no constructor from a `u64`, the time or a pid.
//!
//! An OS-seeded generator reseeds itself on a schedule ([`ReseedPolicy`]) and
//! records each reseed with the SHA-256 commitment of the new seed. Its owner
//! calls [`CertifiedRng::tick`] from a timer, which applies the time-based
//! reseed and *background cycling*: the stream advances by an unpredictable
//! number of words, so the position a draw lands on cannot be timed.

use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::RngError;
use crate::sample::{Draw, below_with};
use crate::secret::{Commitment, Position, Seed};

/// When an OS-seeded generator draws a fresh seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReseedPolicy {
    /// Reseed after this many raw 32-bit words (a `below` draw uses one,
    /// rarely two; 4 bytes of raw output are one), checked at each
    /// [`CertifiedRng::tick`] and raw-byte read. `None`: never by count.
    /// Default: 1,000,000.
    pub max_draws: Option<u64>,
    /// Reseed when the seed is older than this, checked by
    /// [`CertifiedRng::tick`]. `None`: never by age. Default: one hour.
    #[serde(with = "opt_secs")]
    pub max_age: Option<Duration>,
    /// Background cycling: each [`CertifiedRng::tick`] skips `1..=cycle_max_words`
    /// words, the count drawn from OS entropy. `0` turns cycling off.
    /// Default: 64.
    pub cycle_max_words: u32,
}

impl Default for ReseedPolicy {
    fn default() -> Self {
        Self { max_draws: Some(1_000_000), max_age: Some(Duration::from_secs(3600)), cycle_max_words: 64 }
    }
}

impl ReseedPolicy {
    /// Never reseed and never cycle: for explicit seeds, whose point is that
    /// the stream is reproducible.
    pub const fn never() -> Self {
        Self { max_draws: None, max_age: None, cycle_max_words: 0 }
    }
}

mod opt_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(v: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_some(&d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_secs))
    }
}

/// Why a reseed happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReseedReason {
    /// The generator's first seed.
    Initial,
    /// [`ReseedPolicy::max_draws`] was reached.
    DrawCount,
    /// [`ReseedPolicy::max_age`] was reached.
    Age,
    /// The owner asked for it.
    Manual,
}

/// One reseed, for the audit trail: never the seed, only its commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reseed {
    /// Draws made by this generator before the new seed took effect.
    pub after_draws: u64,
    /// SHA-256 of the new seed.
    pub commitment: Commitment,
    /// Why it happened.
    pub reason: ReseedReason,
}

/// The certified generator. See the module documentation.
pub struct CertifiedRng {
    core: ChaCha20Rng,
    policy: ReseedPolicy,
    commitment: Commitment,
    /// The core's word position when the current seed took effect.
    seed_pos: u128,
    /// Words skipped by background cycling under the current seed.
    skipped: u128,
    /// Words used under earlier seeds.
    words_before_seed: u64,
    seeded_at: Instant,
    reseeds: Vec<Reseed>,
    reseed_failures: u64,
}

impl core::fmt::Debug for CertifiedRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The commitment is public; the seed and position are not.
        f.debug_struct("CertifiedRng")
            .field("commitment", &self.commitment)
            .field("draws", &self.draws())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl CertifiedRng {
    /// A generator seeded with 256 bits from the operating system.
    ///
    /// # Errors
    /// [`RngError::Entropy`] if the OS entropy source fails.
    pub fn from_os(policy: ReseedPolicy) -> Result<Self, RngError> {
        let seed = Seed::from_os()?;
        let mut rng = Self::build(Position::new(seed, 0, 0), policy);
        rng.reseeds.push(Reseed { after_draws: 0, commitment: rng.commitment, reason: ReseedReason::Initial });
        Ok(rng)
    }

    /// A generator at an explicit position, for verification and tests. It
    /// never reseeds or cycles, so its outputs are reproducible.
    pub fn from_position(position: &Position) -> Self {
        Self::build(position.clone(), ReseedPolicy::never())
    }

    /// A generator at the start of stream 0 of an explicit seed (see
    /// [`CertifiedRng::from_position`]).
    pub fn from_seed(seed: Seed) -> Self {
        Self::from_position(&Position::new(seed, 0, 0))
    }

    fn build(position: Position, policy: ReseedPolicy) -> Self {
        let mut core = ChaCha20Rng::from_seed(position.seed.0);
        core.set_stream(position.stream);
        core.set_word_pos(position.word_pos);
        Self {
            core,
            policy,
            commitment: position.commitment(),
            seed_pos: position.word_pos,
            skipped: 0,
            words_before_seed: 0,
            seeded_at: Instant::now(),
            reseeds: Vec::new(),
            reseed_failures: 0,
        }
    }

    /// The current position; restoring it with
    /// [`CertifiedRng::from_position`] gives exactly the same future outputs.
    /// Secret: seal it before persisting it.
    pub fn position(&self) -> Position {
        Position::new(Seed(self.core.get_seed()), self.core.get_stream(), self.core.get_word_pos())
    }

    /// The commitment (SHA-256) of the current seed.
    pub fn commitment(&self) -> Commitment {
        self.commitment
    }

    /// Raw 32-bit words used since construction (a `below` draw uses one,
    /// rarely two; background cycling's skipped words are not counted).
    pub fn draws(&self) -> u64 {
        let under_seed = self.core.get_word_pos().wrapping_sub(self.seed_pos).wrapping_sub(self.skipped);
        self.words_before_seed.wrapping_add(under_seed as u64)
    }

    /// Reseeds that failed because the OS source failed (the generator then
    /// keeps its current, still secure, stream and tries again later).
    pub fn reseed_failures(&self) -> u64 {
        self.reseed_failures
    }

    /// Takes the reseeds recorded since the last call, for the audit trail.
    pub fn take_reseeds(&mut self) -> Vec<Reseed> {
        std::mem::take(&mut self.reseeds)
    }

    /// Draws a fresh OS seed now.
    ///
    /// # Errors
    /// [`RngError::Entropy`] if the OS entropy source fails; the generator
    /// then keeps its current stream.
    pub fn reseed(&mut self) -> Result<Commitment, RngError> {
        self.reseed_for(ReseedReason::Manual)
    }

    fn reseed_for(&mut self, reason: ReseedReason) -> Result<Commitment, RngError> {
        let seed = match Seed::from_os() {
            Ok(seed) => seed,
            Err(e) => {
                self.reseed_failures += 1;
                return Err(e);
            }
        };
        self.words_before_seed = self.draws();
        self.core = ChaCha20Rng::from_seed(seed.0);
        self.seed_pos = 0;
        self.skipped = 0;
        self.commitment = seed.commitment();
        self.seeded_at = Instant::now();
        self.reseeds.push(Reseed { after_draws: self.draws(), commitment: self.commitment, reason });
        Ok(self.commitment)
    }

    /// Timer hook, called by the owner (e.g. every 250 ms): applies the
    /// reseed schedule (words used and seed age), then cycles the stream by
    /// `1..=cycle_max_words` words.
    ///
    /// The count-based reseed is checked here (and after raw-byte reads)
    /// rather than on every draw, so a draw costs what a bare ChaCha20 word
    /// costs; a generator may thus run past `max_draws` by the draws of one
    /// tick interval.
    pub fn tick(&mut self, now: Instant) {
        let aged = self.policy.max_age.is_some_and(|max| now.saturating_duration_since(self.seeded_at) >= max);
        if aged {
            // A failure is counted in `reseed_failures`; play goes on.
            let _ = self.reseed_for(ReseedReason::Age);
        } else {
            self.reseed_if_due();
        }
        self.cycle();
    }

    /// Reseeds once `max_draws` words have been used under this seed.
    fn reseed_if_due(&mut self) {
        if let Some(max) = self.policy.max_draws
            && self.draws().wrapping_sub(self.words_before_seed) >= max
            && self.reseed_for(ReseedReason::DrawCount).is_err()
        {
            // Counted in `reseed_failures`; tried again at the next check.
        }
    }

    /// Background cycling: skips an OS-random number of words in
    /// `1..=cycle_max_words`. Does nothing when cycling is off.
    pub fn cycle(&mut self) {
        let max = self.policy.cycle_max_words;
        if max == 0 {
            return;
        }
        let core = &mut self.core;
        let mut fallback = 0u128;
        let os_word = || {
            let mut raw = [0u8; 4];
            match getrandom::fill(&mut raw) {
                Ok(()) => u32::from_le_bytes(raw),
                // No OS entropy: fall back to the generator itself.
                Err(_) => {
                    fallback += 1;
                    core.next_u32()
                }
            }
        };
        let skip = u128::from(below_with(os_word, max)) + 1;
        let pos = self.core.get_word_pos();
        self.core.set_word_pos(pos.wrapping_add(skip));
        self.skipped += skip + fallback;
    }

    /// Fills `buf` with the raw ChaCha20 keystream (no scaling); then applies
    /// the count-based reseed schedule.
    pub fn fill_bytes(&mut self, buf: &mut [u8]) {
        self.core.fill_bytes(buf);
        self.reseed_if_due();
    }

    /// The next raw 32-bit word (no scaling).
    pub fn next_u32(&mut self) -> u32 {
        self.core.next_u32()
    }
}

impl Draw for CertifiedRng {
    #[inline]
    fn below(&mut self, n: u32) -> u32 {
        let core = &mut self.core;
        below_with(|| core.next_u32(), n)
    }
}
