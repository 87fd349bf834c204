//! `croupier rng export`: the certified generator's output for test labs.
//!
//! `--bytes` writes the raw ChaCha20 stream (before any scaling), e.g. for
//! `croupier rng export --bytes 1000000000 | dieharder -a -g 200 -Y 1`;
//! `--below N --count K` writes K outcomes of the production `below(N)`
//! mapping, one per line. Without `--seed` the generator is seeded from the
//! OS and reseeds on the configured schedule, exactly as a table's does.
//! The seed is never printed.

use std::io::{self, Write};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use croupier_rng::{CertifiedRng, Draw, Seed};

use croupier_server::settings::Settings;

/// `croupier rng ...`
#[derive(Debug, Subcommand)]
pub enum RngCommand {
    /// Write generator output to stdout.
    Export(ExportArgs),
}

/// `croupier rng export`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["bytes", "below", "stream"])))]
pub struct ExportArgs {
    /// Write this many raw bytes.
    #[arg(long, value_name = "N")]
    bytes: Option<u64>,
    /// Write raw bytes until stdout is closed (for batteries that read as much
    /// as they need).
    #[arg(long)]
    stream: bool,
    /// Write outcomes of `below(N)` (1 <= N <= 4294967295), one per line.
    #[arg(long, value_name = "N", requires = "count")]
    below: Option<u32>,
    /// How many `--below` outcomes to write.
    #[arg(long, value_name = "K")]
    count: Option<u64>,
    /// Explicit seed, 64 hex digits (verification only; default: OS entropy).
    #[arg(long, value_name = "HEX")]
    seed: Option<String>,
}

/// Runs an `rng` subcommand.
///
/// # Errors
/// Bad arguments, OS entropy failure, or a write error other than a closed pipe.
pub fn run(cmd: RngCommand, settings: &Settings) -> anyhow::Result<()> {
    match cmd {
        RngCommand::Export(args) => export(args, settings),
    }
}

fn export(args: ExportArgs, settings: &Settings) -> anyhow::Result<()> {
    let mut rng = match &args.seed {
        Some(hex) => CertifiedRng::from_seed(Seed::from_hex(hex).context("--seed")?),
        None => CertifiedRng::from_os(settings.rng.policy()).context("seeding from the OS")?,
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = if let Some(n) = args.below {
        if n == 0 {
            bail!("--below must be at least 1");
        }
        write_below(&mut rng, &mut out, n, args.count.unwrap_or(0))
    } else {
        write_bytes(&mut rng, &mut out, args.bytes)
    };
    match result.and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // The reader had enough (e.g. `| head`, or a battery that stopped).
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("writing to stdout"),
    }
}

fn write_bytes(rng: &mut CertifiedRng, out: &mut impl Write, limit: Option<u64>) -> io::Result<()> {
    let mut buf = vec![0u8; 1 << 16];
    let mut left = limit;
    loop {
        let n = match left {
            Some(0) => return Ok(()),
            Some(l) => buf.len().min(usize::try_from(l).unwrap_or(usize::MAX)),
            None => buf.len(),
        };
        rng.fill_bytes(&mut buf[..n]);
        out.write_all(&buf[..n])?;
        if let Some(l) = left.as_mut() {
            *l -= n as u64;
        }
    }
}

fn write_below(rng: &mut CertifiedRng, out: &mut impl Write, n: u32, count: u64) -> io::Result<()> {
    for _ in 0..count {
        writeln!(out, "{}", rng.below(n))?;
    }
    Ok(())
}
