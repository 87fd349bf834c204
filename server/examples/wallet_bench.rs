//! Wallet throughput: reserve+settle pairs per second with N concurrent
//! players on Postgres (a fresh database, dropped afterwards), the ledger
//! checked at the end. Not a test: run it and compare with `pgbench -N` on
//! the same machine (docs/benchmarks.md has both).
//!
//! `cargo run --release -p croupier-server --example wallet_bench -- [--players 16] [--houses 4] [--seconds 10] [--group [--max-ops 512] [--wait-us 1000] [--lanes 2]]`
//! (`--group`: through group commit, batches of at most `--max-ops`
//! (512) closing `--wait-us` (1000) after their first operation, `--lanes`
//! (2) of them in flight at once; without it, each operation is its own
//! commit).
//! with `DATABASE_URL` pointing at a Postgres server (its `postgres`
//! database, or any database the user may create databases from).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use croupier_server::clock::Clock;
use croupier_server::group::{GroupCommit, Limits};
use croupier_server::metrics::Metrics;
use croupier_server::settings::Settings;
use croupier_server::store::batch::WalletOp;
use croupier_server::store::{self, Role, RoundClose, RoundRef};
use sqlx::Connection;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, |v| v.parse().expect(name))
}

#[tokio::main]
async fn main() {
    let (players, houses, seconds) = (arg("--players", 16), arg("--houses", 4), arg("--seconds", 10));
    let grouped = std::env::args().any(|a| a == "--group");
    let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("croupier_bench_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("Postgres at DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    let mut settings = Settings::defaults().unwrap();
    settings.database.url = url.to_string();
    settings.database.max_connections = u32::try_from(players.min(32)).unwrap();
    let store = store::open(&settings.database).await.unwrap();
    let limits = Limits {
        max_ops: usize::try_from(arg("--max-ops", 512)).unwrap(),
        wait: Duration::from_micros(arg("--wait-us", 1000)),
        lanes: usize::try_from(arg("--lanes", 2)).unwrap(),
    };
    let metrics = Metrics::new().unwrap();
    let group = GroupCommit::start(store.clone(), Clock::system(), metrics.clone(), limits);

    let mut ids = Vec::new();
    for p in 0..players {
        let user = store.create_user(&format!("bench{p}"), "x", Role::Player, 0).await.unwrap();
        store.deposit(&format!("fund-{p}"), user.id, "EUR", 1_000_000_000_000, 0).await.unwrap();
        ids.push(user.id);
    }
    let how = if grouped { "group commit" } else { "a commit per operation" };
    eprintln!("wallet_bench: {players} players, {houses} house accounts, {seconds} s on Postgres, {how}");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(p, &user)| {
            let (store, group) = (store.clone(), group.clone());
            tokio::spawn(async move {
                let house = format!("bench-table-{}", p as u64 % houses);
                let mut latencies = Vec::new();
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let round_key = format!("{house}:{p}:{n}");
                    let round = RoundRef { key: &round_key, house: &house, currency: "EUR" };
                    // Every other round wins even money.
                    let payout: &[(i64, i64)] = if n.is_multiple_of(2) { &[(user, 200)] } else { &[] };
                    let (reserve, settle) = (format!("r-{round_key}"), format!("s-{round_key}"));
                    if grouped {
                        group.submit(&house, WalletOp::reserve(&reserve, round, user, 100)).await.unwrap();
                        let close = RoundClose::Settle(payout.to_vec());
                        group.submit(&house, WalletOp::close(&settle, &round_key, close, None)).await.unwrap();
                    } else {
                        store.reserve(&reserve, round, user, 100, 0).await.unwrap();
                        store.settle(&settle, &round_key, payout, 0).await.unwrap();
                    }
                    latencies.push(t.elapsed());
                    n += 1;
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "wallet_bench: {} reserve+settle pairs in {elapsed:.1} s = {:.0} pairs/s; per pair p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99)
    );
    if grouped {
        let batches = metrics.wallet_batch_ops.get_sample_count();
        let mean = metrics.wallet_batch_ops.get_sample_sum() / batches.max(1) as f64;
        println!("wallet_bench: {batches} batches, {mean:.1} operations each on average");
    }
    drop(group);
    let violations = store.ledger_violations(5).await.unwrap();
    println!(
        "wallet_bench: ledger check: {}",
        if violations.is_empty() { "ok".to_owned() } else { format!("{violations:?}") }
    );
    drop(store);
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut conn).await.unwrap();
}
