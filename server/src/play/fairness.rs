//! Each player's provably-fair state: a committed server seed, their client
//! seed and a nonce per session round (the per-player scheme of
//! `croupier_rng::fair`). Live tables use the client seeds only: each hand
//! gets its own server seed (see [`super::table`]).
//!
//! A server seed is stored before its first use and stays secret until
//! revealed: at rotation, or at the next start for every seed in use when the
//! server stopped, so a seed never produces a second round with a nonce it
//! already used. This module never decides an outcome.

use std::sync::Arc;

use croupier_rng::fair::{ClientSeed, FairInput, ServerSeed};
use croupier_rng::{CertifiedRng, Commitment, RngError, Seed};
use dashmap::DashMap;
use serde::Serialize;

use crate::clock::Clock;
use crate::store::{FairSeedRow, Store, StoreError};

/// Why a fairness operation failed.
#[derive(Debug, thiserror::Error)]
pub enum FairError {
    /// The OS entropy source failed.
    #[error(transparent)]
    Rng(#[from] RngError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Current {
    seed: Seed,
    commitment: Commitment,
    client_seed: ClientSeed,
    nonce: u64,
}

/// A player's current commitment, as `GET /v1/fairness` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FairState {
    /// SHA-256 of the server seed in use, hex.
    pub server_seed_commitment: String,
    /// The player's client seed.
    pub client_seed: String,
    /// The next session round's nonce.
    pub nonce: u64,
}

/// A seed revealed by rotation.
#[derive(Debug, Clone, Serialize)]
pub struct RevealedSeed {
    /// The seed, hex.
    pub server_seed: String,
    /// Its commitment, published before use.
    pub commitment: String,
    /// The client seed used with it.
    pub client_seed: String,
    /// Session rounds played under it (nonces `0..rounds`); `None` when the
    /// server stopped while it was in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u64>,
}

/// Every player's seeds.
pub struct Fairness {
    store: Arc<dyn Store>,
    clock: Clock,
    players: DashMap<i64, Current>,
}

/// A client seed for players who never chose one: public and fixed, which is
/// all a client seed needs to be until the player picks their own.
fn default_client_seed(player: i64) -> ClientSeed {
    ClientSeed::new(format!("player-{player}")).unwrap_or_else(|_| unreachable_seed())
}

#[allow(clippy::expect_used)]
fn unreachable_seed() -> ClientSeed {
    // invariant: a constant printable ASCII seed of 7 characters is valid.
    ClientSeed::new("croupier").expect("a valid constant seed")
}

impl Fairness {
    /// Reveals every seed left in use by an earlier run (so none is reused)
    /// and starts empty.
    ///
    /// # Errors
    /// Database failures.
    pub async fn start(store: Arc<dyn Store>, clock: Clock) -> Result<Self, StoreError> {
        let revealed = store.reveal_fair_seeds(None, "", clock.now_ms()).await?;
        if revealed > 0 {
            tracing::info!(revealed, "revealed provably-fair seeds left in use by the previous run");
        }
        Ok(Self { store, clock, players: DashMap::new() })
    }

    async fn fresh(&self, player: i64, client_seed: ClientSeed) -> Result<Current, FairError> {
        let seed = Seed::from_os()?;
        let commitment = seed.commitment();
        let row = FairSeedRow {
            commitment: commitment.to_string(),
            user_id: player,
            seed: hex::encode(seed.expose()),
            client_seed: client_seed.as_str().to_owned(),
            created_at: self.clock.now_ms(),
            revealed_at: None,
        };
        self.store.insert_fair_seed(&row).await?;
        Ok(Current { seed, commitment, client_seed, nonce: 0 })
    }

    /// Makes sure `player` has a committed seed (stored before any use).
    ///
    /// # Errors
    /// Entropy or database failures.
    pub async fn ensure(&self, player: i64) -> Result<FairState, FairError> {
        if let Some(state) = self.state(player) {
            return Ok(state);
        }
        let current = self.fresh(player, default_client_seed(player)).await?;
        // A concurrent call may have won; keep the first, reveal ours unused.
        let entry = self.players.entry(player).or_insert(current);
        let state = view(&entry);
        drop(entry);
        Ok(state)
    }

    /// The player's current commitment, if they have one.
    pub fn state(&self, player: i64) -> Option<FairState> {
        self.players.get(&player).map(|c| view(&c))
    }

    /// The player's client seed (a fixed default until they choose one).
    pub fn client_seed(&self, player: i64) -> ClientSeed {
        self.players.get(&player).map_or_else(|| default_client_seed(player), |c| c.client_seed.clone())
    }

    /// The next session round of `player`: its commitment, what the seed is
    /// derived from, and the generator. `None` without [`Fairness::ensure`].
    pub fn next_round(&self, player: i64) -> Option<(Commitment, FairInput, CertifiedRng)> {
        let mut c = self.players.get_mut(&player)?;
        let input = FairInput::Round { client_seed: c.client_seed.clone(), nonce: c.nonce };
        c.nonce += 1;
        let rng = ServerSeed::from_revealed(c.seed.clone()).round_rng(&input);
        Some((c.commitment, input, rng))
    }

    /// Reveals the player's server seed and commits to a new one (with a new
    /// client seed if given).
    ///
    /// # Errors
    /// Entropy or database failures; nothing changed then.
    pub async fn rotate(
        &self,
        player: i64,
        client_seed: Option<ClientSeed>,
    ) -> Result<(RevealedSeed, FairState), FairError> {
        self.ensure(player).await?;
        let next_client = client_seed.unwrap_or_else(|| self.client_seed(player));
        let next = self.fresh(player, next_client).await?;
        let new_commitment = next.commitment;
        let old = self.players.insert(player, next);
        self.store.reveal_fair_seeds(Some(player), &new_commitment.to_string(), self.clock.now_ms()).await?;
        let old = old.ok_or(StoreError::NotFound("fair seed"))?;
        let revealed = RevealedSeed {
            server_seed: hex::encode(old.seed.expose()),
            commitment: old.commitment.to_string(),
            client_seed: old.client_seed.as_str().to_owned(),
            rounds: Some(old.nonce),
        };
        let state = self.state(player).ok_or(StoreError::NotFound("fair seed"))?;
        Ok((revealed, state))
    }
}

fn view(c: &Current) -> FairState {
    FairState {
        server_seed_commitment: c.commitment.to_string(),
        client_seed: c.client_seed.as_str().to_owned(),
        nonce: c.nonce,
    }
}
