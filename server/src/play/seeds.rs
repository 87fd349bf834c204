//! Where a round's generator comes from on a real server: a live hand gets
//! a fresh committed seed from the OS, mixed with the seated players' client
//! seeds; a session round the owner's committed seed and next nonce. The
//! engine asks through [`Seeds`]; tests give it their own.

use std::collections::BTreeSet;
use std::sync::Arc;

use croupier_rng::Seed;
use croupier_rng::fair::{FairInput, ServerSeed};

use super::engine::{Dealt, Seeds};
use super::fairness::Fairness;
use super::policy::Kind;

/// The server's [`Seeds`].
pub struct ServerSeeds {
    fairness: Arc<Fairness>,
    kind: Kind,
}

impl ServerSeeds {
    /// Seeds for tables or sessions of `kind`.
    pub fn new(fairness: Arc<Fairness>, kind: Kind) -> Self {
        Self { fairness, kind }
    }
}

impl Seeds for ServerSeeds {
    fn round(&mut self, key: &str, owner: Option<i64>, seated: &BTreeSet<i64>) -> Option<Dealt> {
        match self.kind {
            Kind::Table => {
                let client_seeds = seated.iter().map(|p| self.fairness.client_seed(*p)).collect();
                let input = FairInput::Hand { hand_id: key.to_owned(), client_seeds };
                let seed =
                    Seed::from_os().map_err(|e| tracing::error!(round = %key, %e, "no hand seed from the OS")).ok()?;
                let rng = ServerSeed::from_revealed(seed.clone()).round_rng(&input);
                Some(Dealt { rng, commitment: seed.commitment(), fair: Some(input), seed: Some(seed) })
            }
            // The commitment the nonce was drawn under, not the current one:
            // a rotation may come before the round ends.
            Kind::Session => {
                let (commitment, input, rng) = self.fairness.next_round(owner?)?;
                Some(Dealt { rng, commitment, fair: Some(input), seed: None })
            }
        }
    }
}
