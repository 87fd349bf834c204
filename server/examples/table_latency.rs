//! Live-table latency: N players on real WebSockets at roulette tables of 8,
//! each betting once a round; measures bet -> `ok` (the stake is held) and
//! bet -> its `bet_accepted` broadcast back at the player, and the server's
//! CPU. Not a test: a simple driver until the load-test tool lands.
//!
//! `cargo run --release -p croupier-server --example table_latency -- [--players 300] [--seconds 30]`
//! With `DATABASE_URL` set, a fresh Postgres database there (dropped
//! afterwards); without it, SQLite in a temporary folder. The server runs in
//! this process on its own threads (`actix-*`); the clients share the main
//! thread. Server CPU is the sum over the `actix-*` threads (HTTP/WebSocket
//! workers and table arbiters); the database's own CPU is not counted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use awc::ws::{Frame, Message};
use croupier_server::app::{self, Application, Stop};
use croupier_server::settings::{Secret, Settings, TableSpec};
use croupier_server::store::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sqlx::Connection;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, |v| v.parse().expect(name))
}

/// CPU seconds of this process's threads whose name starts with `prefix`
/// (all threads with `""`), from /proc.
fn cpu_seconds(prefix: &str) -> f64 {
    let tick = 100.0; // USER_HZ on Linux
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !name.starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // Fields after the parenthesised name: state is field 3; utime 14, stime 15.
        let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        total += field(14) + field(15);
    }
    total as f64 / tick
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[actix_web::main]
async fn main() {
    let (players, seconds) = (arg("--players", 300), arg("--seconds", 30));
    let tables = players.div_ceil(8);
    let mut settings = Settings::defaults().unwrap();
    settings.server.port = 0;
    settings.jwt_secret = Some(Secret(vec![7; 32]));
    settings.rate_limit.enabled = false;
    settings.play.arbiters = 0;
    let mut pg = None;
    let dir = std::env::temp_dir().join(format!("croupier-latency-{}", std::process::id()));
    match std::env::var("DATABASE_URL") {
        Ok(admin) => {
            let name = format!("croupier_latency_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("Postgres at DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
            let mut url = url::Url::parse(&admin).unwrap();
            url.set_path(&name);
            settings.database.url = url.to_string();
            settings.database.max_connections = 32;
            pg = Some((admin, name));
        }
        Err(_) => settings.database.sqlite_path = dir.join("latency.db"),
    }
    settings.tables = (0..tables)
        .map(|t| TableSpec {
            id: format!("lat-{t}"),
            game: "roulette".into(),
            config: json!({ "betting_ms": 1000, "result_ms": 200 }),
        })
        .collect();
    let backend = if pg.is_some() { "Postgres" } else { "SQLite" };
    let listener = app::bind(&settings.server).unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Application::build(settings).await.unwrap();
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let served = actix_web::rt::spawn(app.run(listener, async move { stopped.await.unwrap_or(Stop::Now) }));

    let hash = croupier_server::auth::hash_password("latency password").unwrap();
    let mut clients = Vec::new();
    for p in 0..players {
        let user = state.store.create_user(&format!("lat{p}"), &hash, Role::Player, 0).await.unwrap();
        state.store.deposit(&format!("fund-{p}"), user.id, "EUR", 1_000_000_000, 0).await.unwrap();
        let token = state.tokens.issue(user.id, &user.username, Role::Player, now_secs(), false).unwrap();
        clients.push((user.id, token, format!("lat-{}", p % tables)));
    }
    eprintln!("table_latency: {players} players at {tables} roulette tables, {seconds} s, {backend}");

    let ok_lat = Rc::new(RefCell::new(Vec::new()));
    let cast_lat = Rc::new(RefCell::new(Vec::new()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let (cpu_server0, cpu_all0) = (cpu_seconds("actix-"), cpu_seconds(""));
    let mut tasks = Vec::new();
    for (id, token, table) in clients {
        let (ok_lat, cast_lat) = (ok_lat.clone(), cast_lat.clone());
        tasks.push(actix_web::rt::spawn(async move {
            let (_, mut ws) = awc::Client::new().ws(format!("ws://127.0.0.1:{port}/v1/ws")).connect().await.unwrap();
            let send = |v: Value| Message::Text(v.to_string().into());
            ws.send(send(json!({ "type": "auth", "id": 1, "token": token }))).await.unwrap();
            ws.send(send(json!({ "type": "sit", "id": 2, "table": table }))).await.unwrap();
            let mut next_id = 10u64;
            let mut sent: Option<(u64, Instant)> = None;
            while Instant::now() < deadline {
                let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_secs(5), ws.next()).await else { break };
                let Frame::Text(bytes) = frame else { continue };
                let m: Value = serde_json::from_slice(&bytes).unwrap();
                let event = &m["event"]["type"];
                if event == "betting_open" {
                    next_id += 1;
                    let bet = json!({ "type": "act", "id": next_id, "table": table,
                        "action": { "type": "bet", "spot": { "type": "red" }, "amount": 100 } });
                    sent = Some((next_id, Instant::now()));
                    ws.send(send(bet)).await.unwrap();
                } else if m["type"] == "ok" && sent.is_some_and(|(i, _)| m["re"] == i) {
                    ok_lat.borrow_mut().push(sent.map(|(_, t)| t.elapsed()).unwrap_or_default());
                } else if event == "bet_accepted" && m["event"]["player"] == id {
                    cast_lat.borrow_mut().push(sent.map(|(_, t)| t.elapsed()).unwrap_or_default());
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let wall = started.elapsed().as_secs_f64();
    let (cpu_server, cpu_all) = (cpu_seconds("actix-") - cpu_server0, cpu_seconds("") - cpu_all0);
    let mut ok = ok_lat.borrow().clone();
    let mut cast = cast_lat.borrow().clone();
    ok.sort();
    cast.sort();
    println!("players {players}, tables {tables}, {wall:.1} s, {backend}");
    println!("bets accepted: {} ({:.0}/s)", ok.len(), ok.len() as f64 / wall);
    for (name, l) in [("bet -> ok (stake held)", &ok), ("bet -> bet_accepted broadcast", &cast)] {
        println!(
            "{name}: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            percentile(l, 0.5),
            percentile(l, 0.9),
            percentile(l, 0.99),
            percentile(l, 1.0)
        );
    }
    println!(
        "server CPU (actix threads): {:.1}% of one core; whole process incl. clients: {:.1}%",
        100.0 * cpu_server / wall,
        100.0 * cpu_all / wall
    );
    let violations = state.store.ledger_violations(5).await.unwrap();
    println!("ledger: {}", if violations.is_empty() { "ok".to_owned() } else { format!("{violations:?}") });
    let _ = stop.send(Stop::Now);
    served.await.unwrap().unwrap();
    if let Some((admin, name)) = pg {
        drop(state);
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut conn).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
