//! The application: everything a running server holds ([`AppState`]) and
//! [`Application`], which builds it from settings, binds the listener (port 0
//! picks a free port, so tests run the real server) and runs until stopped.
//! actix stops it gracefully on SIGTERM/SIGINT, giving in-flight requests
//! `server.shutdown_grace_secs`; tests stop it through [`Application::handle`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::auth::Tokens;
use crate::cache::Cache;
use crate::games::{GAMES, GameEntry};
use crate::metrics::Metrics;
use crate::play::fairness::Fairness;
use crate::play::hot::{self, HotCheckpoint};
use crate::play::{Deps, Lobby};
use crate::settings::Settings;
use crate::store::{self, Store};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// Redis or the in-process stand-in.
    pub cache: Cache,
    /// Access-token signer.
    pub tokens: Tokens,
    /// The settings the server started with.
    pub settings: Arc<Settings>,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Live tables and sessions.
    pub lobby: Arc<Lobby>,
    /// Who is connected over `/v1/ws`.
    pub registry: Arc<crate::ws::Registry>,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    /// The database is this server's until it has stopped.
    _claim: store::Claim,
}

/// Claims the database, waiting a moment for a server that has just stopped
/// (its hold is released as its connection closes).
///
/// # Errors
/// Another live server holds the database, or the database fails.
async fn claim(store: &Arc<dyn Store>) -> anyhow::Result<store::Claim> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        if let Some(claim) = store.claim().await.context("claiming the database")? {
            return Ok(claim);
        }
        if std::time::Instant::now() >= deadline {
            anyhow::bail!(
                "another croupier server is running on this database: stop it first (one server per database until table ownership across nodes lands)"
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

impl Application {
    /// Opens the database (applying migrations) and the cache, and binds the
    /// listener.
    ///
    /// # Errors
    /// The database or cache is unreachable, a migration fails, or the
    /// address cannot be bound.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_games(settings, Vec::new()).await
    }

    /// [`Application::build`] with `extra` games registered besides the
    /// built-in ones (a studio's own games, or tests' special games).
    ///
    /// # Errors
    /// As [`Application::build`], and a `[[tables]]` entry that cannot open.
    pub async fn build_with_games(settings: Settings, extra: Vec<GameEntry>) -> anyhow::Result<Self> {
        let store = store::open(&settings.database).await?;
        // Before anything reads or reveals what a live server may be using.
        let claim = claim(&store).await?;
        let cache = Cache::open(&settings.redis.url, &settings.redis.key_prefix)?;
        let key = match &settings.jwt_secret {
            Some(secret) => secret.0.clone(),
            None => {
                tracing::warn!("no JWT key configured: using a random one, so tokens die with this process");
                let mut key = vec![0u8; 32];
                getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("drawing a JWT key: {e}"))?;
                key
            }
        };
        let settings = Arc::new(settings);
        let metrics = Metrics::new().context("registering metrics")?;
        let fairness = Fairness::start(store.clone()).await.context("revealing provably-fair seeds")?;
        let deps = Arc::new(Deps {
            store: store.clone(),
            cache: cache.clone(),
            metrics: metrics.clone(),
            settings: settings.clone(),
            fairness: Arc::new(fairness),
            tables: dashmap::DashMap::new(),
            sessions: dashmap::DashMap::new(),
        });
        let games = GAMES.iter().cloned().chain(extra).collect();
        let lobby = Arc::new(Lobby::new(deps, games, settings.play.arbiters));
        for (game, config) in &settings.sessions {
            let entry = lobby.games().iter().find(|g| g.id == game && g.kind == Some(crate::play::Kind::Session));
            let entry = entry.with_context(|| format!("[sessions.{game}]: no single-player game {game:?}"))?;
            (entry.check)(config).map_err(|e| anyhow::anyhow!("[sessions.{game}]: {e}"))?;
        }
        restore(&lobby, &store, &cache, &settings).await?;
        let state = AppState {
            store,
            cache,
            tokens: Tokens::new(&key, settings.auth.access_token_secs),
            metrics,
            settings,
            lobby,
            registry: Arc::new(crate::ws::Registry::default()),
        };
        let s = &state.settings.server;
        let listener = listen(&s.host, s.port, s.backlog).with_context(|| format!("binding {}:{}", s.host, s.port))?;
        let port = listener.local_addr()?.port();
        let server = server(state.clone(), listener)?;
        Ok(Self { port, server, state, _claim: claim })
    }

    /// The bound port (the real one when the settings said 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests use its store directly).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops the server: `handle().stop(true)` drains in-flight requests.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (by signal or handle).
    ///
    /// # Errors
    /// The server failed.
    pub async fn run(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let state = self.state.clone();
        let on_signal = actix_web::rt::spawn(async move {
            if shutdown_signal().await.is_ok() {
                state.stop_gracefully().await;
                handle.stop(true).await;
            }
        });
        let served = self.server.await;
        on_signal.abort();
        // Stopped by its handle (tests) or after the graceful stop: halt
        // whatever still runs; an unsettled round is voided at the next start.
        self.state.lobby.stop();
        served
    }
}

/// SIGTERM or SIGINT.
async fn shutdown_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        interrupted = tokio::signal::ctrl_c() => interrupted?,
    }
    Ok(())
}

impl AppState {
    /// The graceful stop: every client is told `server_restarting` and
    /// closed, and every table and session stops, refunding a round that
    /// holds stakes but has not settled (its betting window closes with
    /// nothing lost), all within `server.shutdown_grace_secs`.
    pub async fn stop_gracefully(&self) {
        tracing::info!("stopping: telling clients, closing the tables");
        self.registry.restarting();
        let deadline = std::time::Duration::from_secs(self.settings.server.shutdown_grace_secs);
        if tokio::time::timeout(deadline, self.lobby.halt_all()).await.is_err() {
            tracing::warn!("some tables did not stop in time; their rounds are voided at the next start");
        }
    }
}

/// Recovery at start. Every wallet round still open belongs to a run that
/// stopped mid-round (nothing is running yet): its settlement never
/// committed, so neither did its record or its outcome's announcement; it
/// is voided and its stakes refunded (idempotent: the void's key is the
/// round's own). Then every table comes back from its newest usable
/// checkpoint — the durable one (the last round boundary) or a newer hot one
/// taken between rounds (see [`crate::play::hot`]) — declared tables first,
/// then those an operator opened and open sessions; a declared table
/// without a checkpoint starts afresh. A cache that does not answer leaves
/// the durable tier alone to recover from.
async fn restore(lobby: &Lobby, store: &Arc<dyn Store>, cache: &Cache, settings: &Settings) -> anyhow::Result<()> {
    let metrics = &lobby.deps().metrics;
    for round in store.open_rounds().await.context("listing open rounds")? {
        match store.void(&format!("{round}:void"), &round, now_ms()).await {
            Ok(_) => {
                tracing::warn!(round = %round, "voided a round interrupted by the last stop; stakes refunded");
                metrics.recoveries.with_label_values(&["voided_round"]).inc();
            }
            Err(e) => tracing::error!(round = %round, %e, "could not void an interrupted round"),
        }
    }
    let durable = store.checkpoints().await.context("reading checkpoints")?;
    let hot: Vec<HotCheckpoint> = match cache.checkpoints().await {
        Ok(rows) => rows
            .into_iter()
            .filter_map(|(_, text)| match serde_json::from_str(&text) {
                Ok(hot) => Some(hot),
                Err(e) => {
                    tracing::warn!(%e, "an unreadable hot checkpoint is ignored");
                    None
                }
            })
            .collect(),
        Err(e) => {
            tracing::warn!(%e, "the cache did not answer: recovering from the durable checkpoints alone");
            Vec::new()
        }
    };
    let mut recorded = std::collections::HashSet::new();
    for key in hot.iter().filter_map(|h| h.last_round.as_deref()) {
        if store.round_record(key).await.context("reading a round record")?.is_some() {
            recorded.insert(key.to_owned());
        }
    }
    let declared: Vec<&str> = settings.tables.iter().map(|t| t.id.as_str()).collect();
    let (mut checkpoints, skipped) = hot::choose(durable, &declared, hot, |key| recorded.contains(key));
    for (table, why) in skipped {
        tracing::info!(table_id = %table, ?why, "a hot checkpoint is not used");
        if why == hot::Skipped::Unknown
            && let Err(e) = cache.drop_checkpoint(&table, u64::MAX).await
        {
            tracing::warn!(table_id = %table, %e, "a stale hot checkpoint was not removed");
        }
    }
    let opened = |row: Option<&(crate::store::CheckpointRow, bool)>, what: &str| {
        if let Some((_, from_hot)) = row {
            metrics.recoveries.with_label_values(&[what]).inc();
            if *from_hot {
                metrics.recoveries.with_label_values(&["from_hot_checkpoint"]).inc();
            }
        }
    };
    for spec in &settings.tables {
        let restore = checkpoints.remove(&spec.id);
        opened(restore.as_ref(), "table");
        lobby
            .open_table_from(spec, restore.as_ref().map(|(row, _)| row))
            .with_context(|| format!("opening table {:?} from [[tables]]", spec.id))?;
    }
    for chosen in checkpoints.values() {
        let row = &chosen.0;
        match lobby.restore(row) {
            Ok(_) => opened(Some(chosen), row.kind.as_str()),
            Err(e) => tracing::error!(table_id = %row.table, %e, "could not bring a table back"),
        };
    }
    Ok(())
}

/// A listening socket on `host:port` with `backlog` (std's `bind` always
/// asks for 128, which a burst of connects overflows).
fn listen(host: &str, port: u16, backlog: u32) -> anyhow::Result<TcpListener> {
    use std::net::ToSocketAddrs;
    let addr = (host, port).to_socket_addrs()?.next().ok_or_else(|| anyhow::anyhow!("{host} has no address"))?;
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
    Ok(socket.into())
}

fn server(state: AppState, listener: TcpListener) -> anyhow::Result<Server> {
    let s = state.settings.server.clone();
    let limit = crate::http::RateLimit::new(&state.settings.rate_limit)?;
    let registry = web::Data::new(state.registry.clone());
    let data = web::Data::new(state);
    let mut http = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(registry.clone())
            .wrap_fn(|req, srv| {
                let started = Instant::now();
                let method = req.method().to_string();
                let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
                let metrics = req.app_data::<web::Data<AppState>>().map(|d| d.metrics.clone());
                let call = srv.call(req);
                async move {
                    let res = call.await?;
                    if let Some(m) = metrics {
                        let status = res.status().as_u16().to_string();
                        m.http_requests.with_label_values(&[method.as_str(), route.as_str(), status.as_str()]).inc();
                        m.http_latency
                            .with_label_values(&[method.as_str(), route.as_str()])
                            .observe(started.elapsed().as_secs_f64());
                    }
                    Ok(res)
                }
            })
            .wrap(TracingLogger::default())
            .configure(|cfg| crate::http::configure(cfg, s.max_body_bytes, &limit))
    })
    .shutdown_timeout(s.shutdown_grace_secs)
    // Signals are ours: clients and tables are told before the listener goes.
    .disable_signals();
    if s.workers > 0 {
        http = http.workers(s.workers);
    }
    Ok(http.listen(listener)?.run())
}

#[cfg(test)]
mod tests {
    use std::net::TcpStream;
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_listener_queues_as_many_connects_as_its_backlog() {
        // Nothing accepts: every connect that completes sits in the queue.
        // std's bind (backlog 128) would time out from the 130th on.
        // The kernel caps a backlog at net.core.somaxconn (4096 on current
        // kernels); below 300 the test asks for that many.
        let cap = std::fs::read_to_string("/proc/sys/net/core/somaxconn").ok().and_then(|s| s.trim().parse().ok());
        let n: usize = cap.unwrap_or(4096).min(300);
        let listener = listen("127.0.0.1", 0, 400).unwrap();
        let addr = listener.local_addr().unwrap();
        let queued: Vec<TcpStream> = (0..n)
            .map(|i| {
                TcpStream::connect_timeout(&addr, Duration::from_millis(500))
                    .unwrap_or_else(|e| panic!("connect {i} not queued: {e}"))
            })
            .collect();
        assert_eq!(queued.len(), n);
    }
}
