//! `croupier-load`: drive virtual players against a running Croupier server
//! and report what they felt. Refuses anything but loopback unless
//! `--allow-remote` is given; stops by itself after `--duration`. See
//! docs/load-testing.md.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use croupier_load::{Options, Report, Scenario, is_loopback, target_host};
use indicatif::{ProgressBar, ProgressStyle};

/// Drive virtual players against a running Croupier server.
#[derive(Debug, Parser)]
#[command(name = "croupier-load", version, about)]
struct Args {
    /// The scenario.
    #[arg(value_enum, default_value = "roulette")]
    scenario: Scenario,
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Virtual players.
    #[arg(long, default_value_t = 100)]
    players: usize,
    /// Tables per table game (0 = one per 6 players).
    #[arg(long, default_value_t = 0)]
    tables: usize,
    /// Seconds over which players connect.
    #[arg(long, default_value_t = 5.0)]
    ramp: f64,
    /// Seconds over which the tables' starts are spread (0: none). The
    /// players of table t of n connect at stagger * t / n, 50 ms apart,
    /// instead of by the ramp, so the tables' rounds run out of step as
    /// real tables do; give it about a round's length. Without it every
    /// table's first players arrive within the ramp's first seconds and
    /// the rounds run in step (synchronised bursts).
    #[arg(long, default_value_t = 0.0)]
    stagger: f64,
    /// Seconds of play.
    #[arg(long, default_value_t = 60.0)]
    duration: f64,
    /// Actions per second per player for slots and chat (0 = slots as fast
    /// as answers come, chat 0.5).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Seed for the shape of play.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The mixed scenario's weights, e.g. `roulette=3,blackjack=1,slots=2,idle=1`.
    #[arg(long, default_value = "roulette=4,blackjack=2,slots=3,idle=1")]
    mix: String,
    /// Operator username (opens tables, makes and funds players).
    #[arg(long, default_value = "operator")]
    operator: String,
    /// File holding the operator's password (else $CROUPIER_LOAD_PASSWORD).
    #[arg(long)]
    password_file: Option<std::path::PathBuf>,
    /// Prefix of the players' usernames.
    #[arg(long, default_value = "load")]
    prefix: String,
    /// Each player's deposit, minor units.
    #[arg(long, default_value_t = 10_000_000)]
    deposit: i64,
    /// Config for the tables this run opens (JSON object), e.g. `{"betting_ms": 3000}`.
    #[arg(long)]
    table_config: Option<String>,
    /// Local addresses 127.0.0.1..N to connect from (0 = one per 20,000 players).
    #[arg(long, default_value_t = 0)]
    sources: usize,
    /// Write the JSON report here.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Print the changes against this earlier JSON report.
    #[arg(long)]
    baseline: Option<std::path::PathBuf>,
    /// The target is the reference fan-out server (`--example fanout`):
    /// provision nothing (chat and idle only; no operator password needed).
    #[arg(long)]
    reference: bool,
    /// Allow a target outside 127.0.0.0/8 and ::1.
    #[arg(long)]
    allow_remote: bool,
}

fn parse_mix(text: &str) -> anyhow::Result<Vec<(Scenario, u32)>> {
    text.split(',')
        .map(|part| {
            let (name, weight) = part.split_once('=').with_context(|| format!("--mix: {part:?} is not NAME=WEIGHT"))?;
            let scenario = <Scenario as clap::ValueEnum>::from_str(name.trim(), true)
                .map_err(|e| anyhow::anyhow!("--mix: {e}"))?;
            if scenario == Scenario::Mixed {
                bail!("--mix: mixed cannot be part of a mix");
            }
            Ok((scenario, weight.trim().parse().with_context(|| format!("--mix: bad weight in {part:?}"))?))
        })
        .collect()
}

fn options(args: &Args) -> anyhow::Result<Options> {
    let host = target_host(&args.url)?;
    if !is_loopback(&host) && !args.allow_remote {
        bail!("refusing to load {host}: not loopback (pass --allow-remote to override)");
    }
    let finite = |x: f64, min: f64| x.is_finite() && x >= min;
    if args.players == 0
        || !finite(args.duration, f64::MIN_POSITIVE)
        || !finite(args.ramp, 0.0)
        || !finite(args.stagger, 0.0)
        || !finite(args.rate, 0.0)
    {
        bail!("--players and --duration must be positive, --ramp, --stagger and --rate not negative");
    }
    let password = match &args.password_file {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        None if args.reference => String::new(),
        None => std::env::var("CROUPIER_LOAD_PASSWORD")
            .context("the operator's password: pass --password-file or set CROUPIER_LOAD_PASSWORD")?,
    };
    let table_config = match &args.table_config {
        Some(text) => Some(serde_json::from_str(text).context("--table-config is not JSON")?),
        None => None,
    };
    Ok(Options {
        url: args.url.clone(),
        scenario: args.scenario,
        mix: parse_mix(&args.mix)?,
        players: args.players,
        tables: args.tables,
        ramp: Duration::from_secs_f64(args.ramp),
        stagger: Duration::from_secs_f64(args.stagger),
        duration: Duration::from_secs_f64(args.duration),
        rate: args.rate,
        seed: args.seed,
        operator: (args.operator.clone(), password.trim_end_matches(['\n', '\r']).to_owned()),
        prefix: args.prefix.clone(),
        deposit: args.deposit,
        table_config,
        sources: args.sources,
        reference: args.reference,
    })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let opts = options(&args)?;
    let baseline: Option<Report> = match &args.baseline {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Some(
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a croupier-load report", path.display()))?,
            )
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let total = opts.duration + opts.ramp;
    let bar = ProgressBar::new(total.as_secs());
    let tty = std::io::stderr().is_terminal();
    if tty {
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} s  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut last = (0u64, 0u64);
    let report = runtime.block_on(croupier_load::run(opts, |p| {
        let line = format!(
            "{} connected, {} msgs/s out, {} msgs/s in, {} errors",
            p.connected,
            p.sent - last.0,
            p.received - last.1,
            p.errors
        );
        last = (p.sent, p.received);
        bar.set_position(p.elapsed.as_secs());
        if tty {
            bar.set_message(line);
        } else if p.elapsed.as_secs() % 10 == 0 {
            eprintln!("croupier-load: {:>4} s  {line}", p.elapsed.as_secs());
        }
    }))?;
    bar.finish_and_clear();
    print!("{}", report.table());
    if let Some(base) = &baseline {
        print!("{}", report.deltas(base));
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("croupier-load: report written to {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_parses_and_bad_ones_are_refused() {
        assert_eq!(parse_mix("roulette=3, slots=1").unwrap(), vec![(Scenario::Roulette, 3), (Scenario::Slots, 1)]);
        assert!(parse_mix("roulette").is_err());
        assert!(parse_mix("poker=1").is_err());
        assert!(parse_mix("mixed=1").is_err());
    }

    #[test]
    fn remote_targets_are_refused_without_allow_remote() {
        let args = Args::parse_from(["croupier-load", "--url", "http://10.1.2.3:8080"]);
        let err = options(&args).unwrap_err().to_string();
        assert!(err.contains("not loopback"), "{err}");
    }
}
