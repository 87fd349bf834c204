//! `croupier-load`: QA's load generator (virtual players over the real
//! protocol). This first version only validates its target: it refuses
//! anything but loopback unless `--allow-remote` is given. The scenarios, the
//! measurements and the report arrive with the load-test issue.

use std::net::IpAddr;

use anyhow::{Context, bail};
use clap::Parser;

/// Drive virtual players against a running Croupier server.
#[derive(Debug, Parser)]
#[command(name = "croupier-load", version, about)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080")]
    url: String,
    /// Allow a target outside 127.0.0.0/8 and ::1.
    #[arg(long)]
    allow_remote: bool,
}

fn target_host(url: &str) -> anyhow::Result<String> {
    let rest = url.split_once("://").map(|(_, r)| r).context("the URL has no scheme")?;
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    Ok(host.to_owned())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let host = target_host(&args.url)?;
    if !is_loopback(&host) && !args.allow_remote {
        bail!("refusing to load {host}: not loopback (pass --allow-remote to override)");
    }
    bail!("no scenarios yet: croupier-load is filled in by the load-test issue")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_pass_without_allow_remote() {
        for (url, ok) in [
            ("ws://127.0.0.1:8080/v1/ws", true),
            ("ws://127.0.0.2", true),
            ("ws://localhost:1", true),
            ("ws://[::1]:8080", true),
            ("ws://10.0.0.1:8080", false),
            ("wss://example.com/v1/ws", false),
        ] {
            assert_eq!(is_loopback(&target_host(url).unwrap()), ok, "{url}");
        }
    }
}
