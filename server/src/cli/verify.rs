//! `croupier verify ROUND`: replays a round from its record and confirms the
//! outcome, stakes and payouts; for a provably-fair round whose seed is
//! revealed, recomputes every draw from the seed and checks it against the
//! commitment published before play. The round is replayed under the config
//! its record names (stored once, with the first round that named it).
//! Exits non-zero on any difference.

use anyhow::{Context, bail};
use clap::Args;
use croupier_rng::Seed;
use croupier_sdk::record::RoundRecord;
use croupier_server::games::GAMES;
use croupier_server::settings::Settings;
use croupier_server::store;
use sha2::Digest;

/// `croupier verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The round key, e.g. `roulette-1:9f2c01aa77b3:32` (from the round's
    /// events, `GET /v1/rounds`, or the wallet history).
    round: String,
}

/// Runs `croupier verify`.
///
/// # Errors
/// The round is unknown, its game is not compiled in, or it does not verify.
pub fn run(args: &VerifyArgs, settings: &Settings) -> anyhow::Result<()> {
    super::runtime()?.block_on(async {
        let store = store::open(&settings.database).await?;
        let row = store.round_record(&args.round).await?.with_context(|| format!("no round {:?}", args.round))?;
        let record: RoundRecord = serde_json::from_str(&row.record).context("the stored record does not parse")?;
        if let Some(voided) = &record.voided {
            println!(
                "croupier: round {} was voided ({}): its {} stakes were refunded, and it has no play to replay",
                args.round,
                voided.reason,
                record.stakes.len()
            );
            return Ok(());
        }
        let game = GAMES.iter().find(|g| g.id == row.game).with_context(|| format!("game {:?} is not in this build", row.game))?;
        let config = match &record.config {
            None => None,
            Some(hash) => {
                let stored = store
                    .game_config(hash)
                    .await?
                    .with_context(|| format!("the config {hash} that round {} names is not stored", args.round))?;
                // The rules: the stored bytes hash to the fingerprint the record names.
                let digest = hex::encode(sha2::Sha256::digest(stored.text.as_bytes()));
                if !digest.eq_ignore_ascii_case(hash) {
                    bail!("round {} names config {hash}, but the config stored under it hashes to {digest}", args.round);
                }
                let text: serde_json::Value =
                    serde_json::from_str(&stored.text).context("the stored config does not parse")?;
                Some(text)
            }
        };
        (game.replay)(&record, config.as_ref())
            .map_err(|e| anyhow::anyhow!("round {} does not replay: {e}", args.round))?;
        println!(
            "croupier: round {} replays: {} inputs, {} draws, {} stakes, {} payouts, the same outcome",
            args.round,
            record.inputs.len(),
            record.draws.len(),
            record.stakes.len(),
            record.payouts.len()
        );
        if let Some(hash) = &record.config {
            println!("croupier: played under config {hash}, and the config stored under it hashes to it");
        }
        let Some(fair) = &record.rng.fair else {
            println!("croupier: drawn from the certified generator (commitment {})", record.rng.commitment);
            return Ok(());
        };
        let revealed = match &record.rng.revealed {
            Some(seed) => Some(seed.clone()),
            None => store
                .fair_seed(&record.rng.commitment.to_string())
                .await?
                .filter(|s| s.revealed_at.is_some())
                .map(|s| s.seed),
        };
        let Some(seed) = revealed else {
            println!(
                "croupier: provably fair; the server seed (commitment {}) is not revealed yet: the player reveals it with POST /v1/fairness/rotate",
                record.rng.commitment
            );
            return Ok(());
        };
        let seed = Seed::from_hex(&seed).map_err(|e| anyhow::anyhow!("the revealed seed is not 64 hex digits: {e}"))?;
        if let Err(e) = croupier_rng::fair::verify(&seed, &record.rng.commitment, fair, &record.draws) {
            bail!("round {} fails the provably-fair check: {e}", args.round);
        }
        println!(
            "croupier: provably fair: the revealed seed matches commitment {} and reproduces all {} draws",
            record.rng.commitment,
            record.draws.len()
        );
        Ok(())
    })
}
