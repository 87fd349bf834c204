//! Killing a process mid-batch: this test runs its own binary as a writer
//! (`CROUPIER_BATCH_WRITER=1`) that commits batches of stakes to real
//! Postgres through `Wallet::commit_batch`, and kills it with SIGKILL at
//! random instants, 8 times. Then every batch the writer started is all
//! there or all absent (never some of its stakes), every batch it reported
//! committed is there, the ledger checks out, and each player's `held` is
//! exactly the stakes found. Bounded: a few seconds.
//!
//! Batch `b` is `SIZE` stakes of 1 into round `crash-batch:b` (keys
//! `cb-b-i`) from the players in turn; the writer prints `start b` before
//! the commit and `done b` after it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Db, TestDb};
use croupier_server::store::batch::WalletOp;
use croupier_server::store::{self, Role, RoundRef};
use sqlx::{Connection, Row};

const SIZE: usize = 200;
const DEPOSIT: i64 = 1_000_000;
const WRITER: &str = "CROUPIER_BATCH_WRITER";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    if std::env::var_os(WRITER).is_some() {
        runtime.block_on(writer());
    } else {
        runtime.block_on(kills_leave_whole_batches());
        println!("batch_crash: ok");
    }
}

fn arg(name: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().expect(name)
}

async fn writer() {
    let first: u64 = arg("--first").parse().unwrap();
    let users: Vec<i64> = arg("--users").split(',').map(|u| u.parse().unwrap()).collect();
    let mut settings = croupier_server::settings::Settings::defaults().unwrap();
    settings.database.url = std::env::var("DATABASE_URL").unwrap();
    let store = store::open(&settings.database).await.unwrap();
    let mut out = std::io::stdout();
    for b in first.. {
        let round = format!("crash-batch:{b}");
        let at = RoundRef { key: &round, house: "crash-batch", currency: "EUR" };
        let ops: Vec<WalletOp> =
            (0..SIZE).map(|i| WalletOp::reserve(&format!("cb-{b}-{i}"), at, users[i % users.len()], 1)).collect();
        writeln!(out, "start {b}").unwrap();
        out.flush().unwrap();
        match store.commit_batch(&ops, 0).await {
            Ok(results) if results.iter().all(|r| matches!(r, Ok(Some(r)) if !r.replayed)) => {}
            other => {
                eprintln!("batch writer: batch {b}: {other:?}");
                std::process::exit(2);
            }
        }
        writeln!(out, "done {b}").unwrap();
        out.flush().unwrap();
    }
}

/// Kill instants, from a seed printed for a rerun.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

async fn kills_leave_whole_batches() {
    let (_db, settings) = TestDb::create(Db::Postgres).await;
    let url = settings.database.url.clone();
    let store = store::open(&settings.database).await.unwrap();
    let mut users = Vec::new();
    for p in 0..8 {
        let id = store.create_user(&format!("writer{p}"), "h", Role::Player, 0).await.unwrap().id;
        store.deposit(&format!("dep-{p}"), id, "EUR", DEPOSIT, 0).await.unwrap();
        users.push(id);
    }
    let users_arg = users.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let seed = std::env::var("CROUPIER_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    println!("batch_crash: seed {seed} (CROUPIER_CRASH_SEED reruns it)");
    let mut lcg = Lcg(seed);
    let (mut started, mut done) = (BTreeSet::new(), BTreeSet::new());
    let mut killed_in_flight = 0;
    let mut next = 0u64;
    for cycle in 0..8 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(WRITER, "1")
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .args(["--first", &next.to_string(), "--users", &users_arg])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines, heard) = mpsc::channel::<String>();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        // Once it has committed a batch, kill it at a random instant.
        let give_up = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while !seen.iter().any(|l: &String| l.starts_with("done")) {
            assert!(Instant::now() < give_up, "cycle {cycle}: the writer committed nothing in 30 s: {seen:?}");
            if let Ok(line) = heard.recv_timeout(Duration::from_millis(100)) {
                seen.push(line);
            }
            assert!(child.try_wait().unwrap().is_none(), "cycle {cycle}: the writer ended by itself: {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(lcg.below(300))).await;
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        seen.extend(heard.try_iter());
        let (mut last_start, mut last_done) = (None, None);
        for line in &seen {
            let (what, b) = line.split_once(' ').unwrap();
            let b: u64 = b.parse().unwrap();
            if what == "start" {
                started.insert(b);
                last_start = Some(b);
            } else {
                done.insert(b);
                last_done = Some(b);
            }
        }
        if last_start > last_done {
            killed_in_flight += 1;
        }
        next = last_start.unwrap() + 1;
    }
    assert!(killed_in_flight > 0, "no kill landed while a batch was in flight");

    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut held_total = 0;
    for &b in &started {
        let round = format!("crash-batch:{b}");
        let count = |table: &str| format!("SELECT COUNT(*) AS n FROM {table} WHERE round_key = $1");
        let stakes: i64 =
            sqlx::query(&count("wallet_transactions")).bind(&round).fetch_one(&mut conn).await.unwrap().get("n");
        let holds: i64 = sqlx::query(&count("wallet_holds")).bind(&round).fetch_one(&mut conn).await.unwrap().get("n");
        assert!(stakes == 0 || stakes == SIZE as i64, "batch {b}: {stakes} of its {SIZE} stakes landed");
        assert_eq!(holds, stakes, "batch {b}: every stake that landed holds its money");
        if done.contains(&b) {
            assert_eq!(stakes, SIZE as i64, "batch {b} was reported committed");
        }
        held_total += stakes;
    }
    println!(
        "batch_crash: {} batches started, {} reported committed, {killed_in_flight} of 8 kills mid-batch",
        started.len(),
        done.len()
    );
    let violations = store.ledger_violations(10).await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    let mut held_seen = 0;
    for &user in &users {
        let balance = store.balances(user).await.unwrap();
        assert_eq!(balance.len(), 1);
        assert_eq!(balance[0].available + balance[0].held, DEPOSIT, "player {user}: money appeared or vanished");
        held_seen += balance[0].held;
    }
    assert_eq!(held_seen, held_total, "the players hold exactly the stakes that landed");
}
