//! The `croupier` command: the game server and its operator tools.
//!
//! Parses the command line, loads settings and hands off to one subcommand.
//! It must never hold game or money logic itself; that lives in the library
//! crates and in the server's modules.

use clap::{Parser, Subcommand};

use croupier_server::settings;

mod cli;

/// Croupier: a real-time game server for casino-style games.
#[derive(Debug, Parser)]
#[command(name = "croupier", version, about)]
struct Cli {
    /// Settings file (TOML) layered over the built-in `config/default.toml`,
    /// e.g. `config/production.example.toml`.
    #[arg(long, global = true, value_name = "PATH", env = "CROUPIER_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server until SIGTERM/SIGINT.
    Serve(cli::serve::ServeArgs),
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage accounts without the HTTP API.
    #[command(subcommand)]
    User(cli::admin::UserCommand),
    /// Verify the whole wallet ledger; exits non-zero on a violation.
    LedgerCheck,
    /// Verify the audit trail's hash chain; exits non-zero on a broken link.
    AuditCheck,
    /// Personal data at rest: its keys and their rotation.
    #[command(subcommand)]
    Pii(cli::pii::PiiCommand),
    /// Run the sandbox payment provider (development and tests only).
    SandboxPay(cli::sandbox_pay::SandboxArgs),
    /// Run the sandbox identity (KYC) provider (development and tests only).
    SandboxKyc(cli::sandbox_pay::SandboxArgs),
    /// Certified RNG tools for test labs.
    #[command(subcommand)]
    Rng(cli::rng::RngCommand),
    /// Play many rounds of a game and report its measured RTP.
    Simulate(cli::simulate::SimulateArgs),
    /// Replay a round from its record and check its outcome and, once the
    /// seed is revealed, its provably-fair draws; non-zero on a difference.
    Verify(cli::verify::VerifyArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = settings::Settings::load(cli.config.as_deref()).and_then(|settings| match cli.command {
        Command::Serve(args) => cli::serve::serve(args, settings),
        Command::Migrate => cli::serve::migrate(&settings),
        Command::User(cmd) => cli::admin::user(cmd, &settings),
        Command::LedgerCheck => cli::admin::ledger_check(&settings),
        Command::AuditCheck => cli::admin::audit_check(&settings),
        Command::Pii(cmd) => cli::pii::run(cmd, &settings),
        Command::SandboxPay(args) => cli::sandbox_pay::run(args, &settings),
        Command::SandboxKyc(args) => cli::sandbox_pay::run_kyc(args, &settings),
        Command::Rng(cmd) => cli::rng::run(cmd, &settings),
        Command::Simulate(args) => cli::simulate::run(args, &settings),
        Command::Verify(args) => cli::verify::run(&args, &settings),
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("croupier: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
