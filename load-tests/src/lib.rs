//! `croupier-load`: QA's load generator. Virtual players ([`player`]) speak
//! the real protocol over real WebSockets to a running server and report
//! what players would feel ([`report`]): connect time, request → reply,
//! own action → its broadcast, round length, messages sent, received and
//! expected, errors by code and disconnects by close code.
//!
//! [`run`] provisions what the run needs through the HTTP API — an
//! operator's login, the tables (`load-GAME-N`, opened if missing), and the
//! players (in bulk through `POST /v1/admin/load/accounts` where the server
//! allows it, else by registering each) — then starts the players over the
//! ramp, and every player stops by itself at the end of the duration. It
//! never targets anything but loopback unless told to (the binary checks).
//! Against the [`reference`] fan-out server (`--reference`) nothing is
//! provisioned: players and rooms are named, not made.

pub mod player;
pub mod provision;
pub mod reference;
pub mod report;
pub mod stats;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

pub use report::Report;
use stats::{Live, Stats};

/// What a virtual player does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Sits at a roulette table and bets every round.
    Roulette,
    /// Sits at a blackjack table, bets every round, plays basic strategy.
    Blackjack,
    /// Opens a slots session and spins at `--rate`.
    Slots,
    /// Connects and only keeps its heartbeat.
    Idle,
    /// Watches a roulette table and chats at `--rate`.
    Chat,
    /// A weighted blend (`--mix`).
    Mixed,
}

impl Scenario {
    /// The table game this scenario plays at, if any.
    pub fn table_game(self) -> Option<&'static str> {
        match self {
            Scenario::Roulette | Scenario::Chat => Some("roulette"),
            Scenario::Blackjack => Some("blackjack"),
            _ => None,
        }
    }
}

/// One provisioned player.
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    /// Username.
    pub username: String,
    /// Player id.
    pub player: i64,
    /// Access token.
    pub token: String,
}

/// Everything one run needs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The server's base URL (`http://127.0.0.1:8080`; `ws://` is accepted).
    pub url: String,
    /// The scenario (for `Mixed`, the blend is `mix`).
    pub scenario: Scenario,
    /// Weights of the mixed scenario.
    pub mix: Vec<(Scenario, u32)>,
    /// Virtual players.
    pub players: usize,
    /// Tables per table game (0 = players / 6, at least 1).
    pub tables: usize,
    /// Time over which players connect.
    pub ramp: Duration,
    /// Table players: spread the tables' starts over this time instead of
    /// the ramp (zero: by the ramp). See `--stagger`.
    pub stagger: Duration,
    /// How long players play (from the first connection).
    pub duration: Duration,
    /// Actions per second per player for slots and chat (0 = as fast as
    /// answers come).
    pub rate: f64,
    /// Seed for the shape of play (scenario assignment, bet choice).
    pub seed: u64,
    /// Operator username and password (tables, accounts, deposits).
    pub operator: (String, String),
    /// Prefix of the players' usernames.
    pub prefix: String,
    /// Each player's deposit, minor units (EUR).
    pub deposit: i64,
    /// Config for the tables the run opens (a JSON object over the game's
    /// defaults; currency EUR).
    pub table_config: Option<serde_json::Value>,
    /// Local source addresses 127.0.0.1 .. 127.0.0.N to spread connections
    /// over (0 = one per 20,000 players).
    pub sources: usize,
    /// The target is the [`reference`] fan-out server: nothing is
    /// provisioned (chat and idle only).
    pub reference: bool,
}

impl Options {
    /// The scenario each player gets (mixed: by weight, deterministic).
    pub fn assignment(&self) -> Vec<Scenario> {
        if self.scenario != Scenario::Mixed {
            return vec![self.scenario; self.players];
        }
        let total: u32 = self.mix.iter().map(|(_, w)| *w).sum::<u32>().max(1);
        (0..self.players)
            .map(|i| {
                // Spread evenly: player i takes the slot i mod total.
                let mut slot = u32::try_from(i).unwrap_or(0) % total;
                for (s, w) in &self.mix {
                    if slot < *w {
                        return *s;
                    }
                    slot -= w;
                }
                Scenario::Idle
            })
            .collect()
    }
}

/// The HTTP base and the WebSocket URL of `url`.
///
/// # Errors
/// Not an http(s) or ws(s) URL.
pub fn endpoints(url: &str) -> anyhow::Result<(String, String)> {
    let url = url.trim_end_matches('/');
    let (scheme, rest) = url.split_once("://").context("the URL has no scheme")?;
    let rest = rest.strip_suffix("/v1/ws").unwrap_or(rest);
    let (http, ws) = match scheme {
        "http" | "ws" => ("http", "ws"),
        "https" | "wss" => ("https", "wss"),
        other => bail!("unsupported scheme {other:?}: use http:// or ws://"),
    };
    Ok((format!("{http}://{rest}"), format!("{ws}://{rest}/v1/ws")))
}

/// The host of a URL (`[::1]` as `::1`).
///
/// # Errors
/// No scheme.
pub fn target_host(url: &str) -> anyhow::Result<String> {
    let rest = url.split_once("://").map(|(_, r)| r).context("the URL has no scheme")?;
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    Ok(host.to_owned())
}

/// Whether `host` is this machine (127.0.0.0/8, ::1, localhost).
pub fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A progress reading.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Since the first player started.
    pub elapsed: Duration,
    /// Players signed in now.
    pub connected: u64,
    /// Messages sent so far.
    pub sent: u64,
    /// Messages received so far.
    pub received: u64,
    /// Errors so far.
    pub errors: u64,
}

/// Runs the load: provisions, plays, and reports. `progress` is called
/// about once a second while players play.
///
/// # Errors
/// Provisioning failed (the server is unreachable, the operator cannot log
/// in, a table cannot be opened, accounts cannot be made).
pub async fn run(opts: Options, mut progress: impl FnMut(Progress)) -> anyhow::Result<Report> {
    let (http, ws_url) = endpoints(&opts.url)?;
    let host = target_host(&http)?;
    let port = http.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok()).unwrap_or(80);
    let addr: SocketAddr = (if host == "localhost" { "127.0.0.1" } else { host.as_str() }, port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {host}"))?
        .next()
        .with_context(|| format!("{host} has no address"))?;
    raise_file_limit(opts.players);
    let assignment = opts.assignment();
    let (tables, accounts) = if opts.reference {
        provision::named(&opts, &assignment)?
    } else {
        let api = provision::Api::login(&http, &opts.operator.0, &opts.operator.1).await?;
        (provision::tables(&api, &opts, &assignment).await?, provision::accounts(&api, &opts).await?)
    };
    let sources = match opts.sources {
        0 => opts.players.div_ceil(20_000).max(1),
        n => n,
    }
    .min(254);
    let plans = provision::plans(&opts, &assignment, &tables, sources);

    let live = Arc::new(Live::default());
    let started = Instant::now();
    let until = started + opts.duration;
    let mut handles = Vec::with_capacity(opts.players);
    for (account, plan) in accounts.into_iter().zip(plans) {
        let (url, live) = (ws_url.clone(), live.clone());
        handles.push(tokio::spawn(async move {
            tokio::time::sleep(plan.delay).await;
            player::play(addr, url, account, plan, until, live).await
        }));
    }
    let mut total = Stats::default();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let waiting = futures_util::future::join_all(handles);
    tokio::pin!(waiting);
    let results = loop {
        tokio::select! {
            results = &mut waiting => break results,
            _ = ticker.tick() => progress(Progress {
                elapsed: started.elapsed(),
                connected: Live::get(&live.connected),
                sent: Live::get(&live.sent),
                received: Live::get(&live.received),
                errors: Live::get(&live.errors),
            }),
        }
    };
    for result in results {
        match result {
            Ok(stats) => total.merge(&stats),
            Err(_) => total.error("player_task_failed"),
        }
    }
    let elapsed = started.elapsed();
    Ok(Report::new(&opts, &assignment, &total, elapsed))
}

/// Lifts this process's open-file limit to what `players` connections need
/// (up to the hard limit); a failure is only a warning.
fn raise_file_limit(players: usize) {
    let want = u64::try_from(players).unwrap_or(u64::MAX).saturating_add(1024);
    if let Err(e) = rlimit::increase_nofile_limit(want) {
        eprintln!("croupier-load: could not raise the open-file limit: {e}");
    }
}

/// 127.0.0.(1 + i mod n).
pub fn source(i: usize, n: usize) -> IpAddr {
    let last = u8::try_from(1 + i % n.max(1)).unwrap_or(1);
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_pass() {
        for (url, ok) in [
            ("ws://127.0.0.1:8080/v1/ws", true),
            ("ws://127.0.0.2", true),
            ("http://localhost:1", true),
            ("ws://[::1]:8080", true),
            ("ws://10.0.0.1:8080", false),
            ("wss://example.com/v1/ws", false),
        ] {
            assert_eq!(is_loopback(&target_host(url).unwrap()), ok, "{url}");
        }
    }

    #[test]
    fn endpoints_accept_http_and_ws_forms() {
        let want = ("http://127.0.0.1:8080".to_owned(), "ws://127.0.0.1:8080/v1/ws".to_owned());
        for url in ["http://127.0.0.1:8080", "ws://127.0.0.1:8080/v1/ws", "http://127.0.0.1:8080/"] {
            assert_eq!(endpoints(url).unwrap(), want, "{url}");
        }
        assert!(endpoints("ftp://x").is_err());
    }

    fn options(scenario: Scenario, players: usize) -> Options {
        Options {
            url: String::new(),
            scenario,
            mix: Vec::new(),
            players,
            tables: 0,
            ramp: Duration::from_secs(4),
            stagger: Duration::ZERO,
            duration: Duration::ZERO,
            rate: 0.0,
            seed: 1,
            operator: (String::new(), String::new()),
            prefix: String::new(),
            deposit: 0,
            table_config: None,
            sources: 0,
            reference: false,
        }
    }

    #[test]
    fn a_stagger_spreads_the_tables_starts_and_the_ramp_does_not() {
        use std::collections::BTreeMap;
        let table = |i| provision::Table { id: format!("t{i}"), min_bet: 1, seats: 6 };
        let tables = BTreeMap::from([("roulette", vec![table(0), table(1)])]);
        let mut opts = options(Scenario::Roulette, 4);
        let delays = |opts: &Options| {
            provision::plans(opts, &opts.assignment(), &tables, 1).iter().map(|p| p.delay).collect::<Vec<_>>()
        };
        let ms = Duration::from_millis;
        // By the ramp: players 0..4 over 4 s, whatever their table.
        assert_eq!(delays(&opts), vec![ms(0), ms(1_000), ms(2_000), ms(3_000)]);
        // Staggered over 6 s: table 0 at 0, table 1 at 3 s, each table's
        // second player 50 ms after its first.
        opts.stagger = Duration::from_secs(6);
        assert_eq!(delays(&opts), vec![ms(0), ms(3_000), ms(50), ms(3_050)]);
    }

    #[test]
    fn a_mix_is_spread_by_weight() {
        let opts = Options { mix: vec![(Scenario::Roulette, 3), (Scenario::Slots, 1)], ..options(Scenario::Mixed, 8) };
        let a = opts.assignment();
        assert_eq!(a.iter().filter(|s| **s == Scenario::Roulette).count(), 6);
        assert_eq!(a.iter().filter(|s| **s == Scenario::Slots).count(), 2);
        assert_eq!(source(0, 3), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(source(4, 3), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    }
}
