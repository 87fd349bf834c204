//! Operator commands that talk to the database directly, without the HTTP
//! API: `croupier user create` (bootstraps the first operator) and
//! `croupier ledger-check` (verifies the whole ledger; non-zero exit on the
//! first violation) and `croupier audit-check` (walks the audit trail's hash
//! chain; non-zero exit on the first broken link).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use croupier_server::auth;
use croupier_server::clock::Clock;
use croupier_server::settings::Settings;
use croupier_server::store::{self, Role};

/// `croupier user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account with any role.
    Create(CreateUser),
}

/// `croupier user create`
#[derive(Debug, Args)]
pub struct CreateUser {
    /// Username (3 to 32 of a-z 0-9 _ . -).
    #[arg(long)]
    username: String,
    /// player, support, operator, admin or auditor.
    #[arg(long)]
    role: String,
    /// File holding the password (one line; never on the command line).
    #[arg(long, value_name = "PATH")]
    password_file: PathBuf,
}

/// Runs `croupier user ...`.
///
/// # Errors
/// Bad input, a taken username, or an unreachable database.
pub fn user(cmd: UserCommand, settings: &Settings) -> anyhow::Result<()> {
    let UserCommand::Create(args) = cmd;
    let Some(role) = Role::parse(&args.role) else {
        bail!("--role must be player, support, operator, admin or auditor, not {:?}", args.role);
    };
    let username = croupier_server::http::auth::normalise_username(&args.username)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let password = std::fs::read_to_string(&args.password_file)
        .with_context(|| format!("reading {}", args.password_file.display()))?;
    let password = password.trim_end_matches(['\r', '\n']);
    let (min, max) = (settings.auth.min_password_len, settings.auth.max_password_len);
    if !(min..=max).contains(&password.chars().count()) {
        bail!("the password must be {min} to {max} characters");
    }
    let hash = auth::hash_password(password).map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    super::runtime()?.block_on(async {
        let store = store::open(&settings.database).await?;
        let user = store.create_user(&username, &hash, role, Clock::system().now_ms()).await.map_err(|e| match e {
            store::StoreError::Conflict(_) => anyhow::anyhow!("the username {username:?} is taken"),
            e => e.into(),
        })?;
        println!("croupier: created {} {:?} (id {})", role.as_str(), user.username, user.id);
        Ok(())
    })
}

/// Runs `croupier ledger-check`.
///
/// # Errors
/// A violation (named) or an unreachable database.
pub fn ledger_check(settings: &Settings) -> anyhow::Result<()> {
    super::runtime()?.block_on(async {
        let store = store::open(&settings.database).await?;
        let violations = store.ledger_violations(20).await?;
        if let Some(first) = violations.first() {
            for v in &violations {
                eprintln!("croupier: ledger violation: {v}");
            }
            bail!("the ledger is inconsistent: {first} ({} violation(s) shown)", violations.len());
        }
        println!("croupier: ledger ok: every transaction sums to zero, every balance matches its entries, no hold outlives its round");
        Ok(())
    })
}

/// Runs `croupier audit-check`.
///
/// # Errors
/// A broken link (named) or an unreachable database.
pub fn audit_check(settings: &Settings) -> anyhow::Result<()> {
    super::runtime()?.block_on(async {
        let store = store::open(&settings.database).await?;
        let check = store.verify_audit().await?;
        if let Some((id, why)) = &check.broken {
            bail!("the audit trail is broken at line {id}: {why} ({} line(s) checked)", check.lines);
        }
        println!(
            "croupier: audit trail ok: {} line(s) chained, head {} ({} older line(s) unchained); keep the head elsewhere to catch lines removed from the end",
            check.lines, check.head, check.unchained
        );
        Ok(())
    })
}
