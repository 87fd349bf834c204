//! `croupier simulate GAME`: plays many rounds of a registered game and
//! reports the measured RTP with its 99.9% confidence interval next to the
//! game's theoretical RTP, and in math mode the same for each of the game's
//! bets. Shows a progress bar on a terminal.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, anyhow};
use clap::Args;
use croupier_rng::Seed;
use croupier_sdk::sim::{SimOptions, SimReport};
use indicatif::{ProgressBar, ProgressStyle};

use croupier_server::games;
use croupier_server::settings::Settings;

/// `croupier simulate`
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Game id (see the list in the error for an unknown id).
    game: String,
    /// Rounds to play.
    #[arg(long, default_value_t = 1_000_000)]
    rounds: u64,
    /// Explicit seed (64 hex digits) for a reproducible run; default: OS entropy.
    #[arg(long, value_name = "HEX")]
    seed: Option<String>,
    /// Worker threads (default: `simulate.threads` from settings; 0 = one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Exit non-zero when the theoretical RTP (of the game, or in math mode
    /// of any bet) lies outside its 99.9% interval.
    #[arg(long)]
    check: bool,
    /// `table`: every round through the table protocol, money contract
    /// policed; `math`: straight through the game's round function (same
    /// rounds for a seed, several times faster; every shipped game has it).
    #[arg(long, value_enum, default_value_t = ModeArg::Table)]
    mode: ModeArg,
}

/// `--mode`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ModeArg {
    Table,
    Math,
}

/// Runs the simulation and prints the report.
///
/// # Errors
/// Unknown game, bad seed, or a simulation failure (a broken game contract).
pub fn run(args: SimulateArgs, settings: &Settings) -> anyhow::Result<()> {
    let entry = games::find(&args.game)
        .ok_or_else(|| anyhow!("unknown game {:?}; registered games:{}", args.game, games::listing()))?;
    let simulate = match args.mode {
        ModeArg::Table => entry.simulate,
        ModeArg::Math => entry
            .simulate_math
            .ok_or_else(|| anyhow!("{} has no math mode; simulate it with --mode table (the default)", entry.id))?,
    };
    let mut options = SimOptions::new(args.rounds);
    match args.threads.unwrap_or(settings.simulate.threads) {
        0 => {}
        n => options.threads = n,
    }
    if let Some(hex) = &args.seed {
        options.seed = Some(Seed::from_hex(hex).context("--seed")?);
    }
    let progress = AtomicU64::new(0);
    let bar = ProgressBar::new(args.rounds);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} rounds ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(entry.id);
    let result = std::thread::scope(|scope| {
        let worker = scope.spawn(|| simulate(&options, &progress));
        while !worker.is_finished() {
            bar.set_position(progress.load(Ordering::Relaxed));
            std::thread::sleep(Duration::from_millis(100));
        }
        worker.join().map_err(|_| anyhow!("the simulation thread panicked"))
    })?;
    bar.finish_and_clear();
    let report = result.with_context(|| format!("simulating {}", entry.id))?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_table(&report);
    }
    if args.check && !report.all_within_ci() {
        anyhow::bail!("{}", check_failure(&report));
    }
    Ok(())
}

/// What `--check` says when a theoretical RTP lies outside its interval.
fn check_failure(r: &SimReport) -> String {
    let mut out = Vec::new();
    if !r.within_ci {
        out.push(format!(
            "theoretical RTP {:.6} is outside the 99.9% interval [{:.6}, {:.6}]",
            r.theoretical_rtp, r.rtp_ci_low, r.rtp_ci_high
        ));
    }
    for b in r.bets.iter().filter(|b| !b.within_ci) {
        out.push(format!(
            "bet {}: theoretical RTP {:.6} is outside the 99.9% interval [{:.6}, {:.6}]",
            b.name, b.theoretical_rtp, b.rtp_ci_low, b.rtp_ci_high
        ));
    }
    out.join("; ")
}

fn print_table(r: &SimReport) {
    println!("game             {}", r.game);
    println!("mode             {:?}", r.mode);
    println!("rounds           {}", r.rounds);
    println!("staked           {} (minor units)", r.staked);
    println!("paid             {} (minor units)", r.paid);
    println!("measured RTP     {:.6}", r.rtp);
    println!("99.9% interval   [{:.6}, {:.6}]", r.rtp_ci_low, r.rtp_ci_high);
    println!(
        "theoretical RTP  {:.6} ({})",
        r.theoretical_rtp,
        if r.within_ci { "inside the interval" } else { "OUTSIDE the interval" }
    );
    println!("speed            {:.0} rounds/s on {} threads", r.rounds_per_sec, r.threads);
    println!("seed             {}", if r.seeded { "explicit (reproducible)" } else { "OS entropy" });
    if r.bets.len() > 1 {
        println!();
        println!("{:<16} {:>12} {:>10} {:>25} {:>12}", "bet", "rounds", "RTP", "99.9% interval", "theoretical");
        for b in &r.bets {
            println!(
                "{:<16} {:>12} {:>10.6} {:>25} {:>12.6}{}",
                b.name,
                b.rounds,
                b.rtp,
                format!("[{:.6}, {:.6}]", b.rtp_ci_low, b.rtp_ci_high),
                b.theoretical_rtp,
                if b.within_ci { "" } else { "  OUTSIDE" }
            );
        }
    }
}
