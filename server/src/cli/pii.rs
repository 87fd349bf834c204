//! `croupier pii status` (how many profiles each key seals, and whether
//! every one of those keys is configured) and `croupier pii rotate` (re-seals
//! every profile under an older key with the first key of
//! `CROUPIER_PII_KEYS`, in batches, showing progress; run it after putting a
//! new key first, then drop the old one). Never prints personal data.

use anyhow::{Context, bail};
use clap::Subcommand;
use croupier_server::pii::{PII_KEYS_ENV, PiiKeys};
use croupier_server::settings::Settings;
use croupier_server::store::{self, Store};

/// Profiles re-sealed per batch.
const BATCH: u32 = 500;

/// `croupier pii ...`
#[derive(Debug, Subcommand)]
pub enum PiiCommand {
    /// How many profiles each key seals; non-zero exit when one of those
    /// keys is not configured.
    Status,
    /// Re-seal every profile under the first configured key.
    Rotate,
}

fn keys(settings: &Settings) -> anyhow::Result<PiiKeys> {
    let Some(text) = &settings.pii_keys else { bail!("{PII_KEYS_ENV} is not set: there is no key to seal with") };
    Ok(PiiKeys::parse(&text.expose())?)
}

/// Runs `croupier pii ...`.
///
/// # Errors
/// No keys, a profile under a key that is not configured, or the database.
pub fn run(cmd: PiiCommand, settings: &Settings) -> anyhow::Result<()> {
    let keys = keys(settings)?;
    super::runtime()?.block_on(async {
        let store = store::open(&settings.database).await?;
        match cmd {
            PiiCommand::Status => status(store.as_ref(), &keys).await,
            PiiCommand::Rotate => rotate(store.as_ref(), &keys).await,
        }
    })
}

async fn status(store: &dyn Store, keys: &PiiKeys) -> anyhow::Result<()> {
    let counts = store.profile_keys().await?;
    let ids = keys.ids();
    println!("croupier: sealing key: {}", keys.current());
    let mut missing = Vec::new();
    for (id, n) in &counts {
        let note = if ids.contains(&id.as_str()) { "" } else { "  (not configured: these cannot be read)" };
        println!("croupier: key {id}: {n} profile(s){note}");
        if !note.is_empty() {
            missing.push(id.clone());
        }
    }
    if counts.is_empty() {
        println!("croupier: no profiles");
    }
    if !missing.is_empty() {
        bail!("profiles are sealed under key(s) {missing:?}, which {PII_KEYS_ENV} does not hold");
    }
    Ok(())
}

async fn rotate(store: &dyn Store, keys: &PiiKeys) -> anyhow::Result<()> {
    let current = keys.current();
    let total: i64 = store.profile_keys().await?.iter().filter(|(id, _)| id != current).map(|(_, n)| n).sum();
    let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(0));
    bar.set_style(
        indicatif::ProgressStyle::with_template("croupier: re-sealing {pos}/{len} profiles [{bar:30}] {eta}")
            .context("progress template")?,
    );
    let (mut resealed, mut skipped) = (0u64, 0u64);
    loop {
        let batch = store.profiles_to_reseal(current, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for row in batch {
            let profile = keys
                .open(row.user_id, &row.key_id, &row.data)
                .with_context(|| format!("the profile of user {}", row.user_id))?;
            let sealed = keys.seal(row.user_id, &profile)?;
            // A profile changed meanwhile is sealed with the current key already.
            if store.reseal_profile(row.user_id, &row.key_id, &sealed).await? {
                resealed += 1;
            } else {
                skipped += 1;
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    println!("croupier: re-sealed {resealed} profile(s) under key {current} ({skipped} changed meanwhile)");
    Ok(())
}
