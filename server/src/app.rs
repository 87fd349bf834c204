//! The application: [`Application`] builds everything a running server
//! holds ([`AppState`]) from settings and a [`Setup`] (extra games, the
//! clock), then [`Application::run`] serves on a listener the caller bound
//! ([`bind`]; port 0 picks a free one, so tests run the real server) until
//! the shutdown future it was given says how to stop: gracefully (clients
//! told, open rounds refunded, in-flight requests given
//! `server.shutdown_grace_secs`) or at once, as tests stop a server.

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::{Server, Service};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::auth::Tokens;
use crate::cache::Cache;
use crate::clock::Clock;
use crate::games::{GAMES, GameEntry};
use crate::group::{GroupCommit, Limits};
use crate::metrics::Metrics;
use crate::play::fairness::Fairness;
use crate::play::hot::{self, HotCheckpoint};
use crate::play::{Deps, Lobby};
use crate::settings::{ServerSettings, Settings};
pub use crate::state::AppState;
use crate::store::{self, Store};

/// What a server is built with besides its settings.
#[derive(Default)]
pub struct Setup {
    /// Games dealt besides the built-in ones (a studio's own, or tests').
    pub games: Vec<GameEntry>,
    /// The time (the system's by default; tests pass one that follows
    /// tokio's paused clock).
    pub clock: Clock,
    /// Tables and sessions run on the thread that builds the server instead
    /// of `play.arbiters` threads of their own, so a test under paused time
    /// drives their timers.
    pub tables_on_this_thread: bool,
    /// Where mail goes instead of `mail.smtp_url` (a provider's API, say).
    pub mailer: Option<Arc<dyn crate::notify::Mailer>>,
}

/// How a running server stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Clients are told `server_restarting`, open rounds are refunded, then
    /// the listener drains.
    Graceful,
    /// Everything stops where it is, as in a crash without the process
    /// dying: a round in progress is voided at the next start.
    Now,
}

/// A built, not yet running server.
pub struct Application {
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
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        if let Some(claim) = store.claim().await.context("claiming the database")? {
            return Ok(claim);
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!(
                "another croupier server is running on this database: stop it first (one server per database until table ownership across nodes lands)"
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

impl Application {
    /// Opens the database (applying migrations) and the cache, and brings
    /// back the tables.
    ///
    /// # Errors
    /// The database or cache is unreachable, or a migration fails.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, Setup::default()).await
    }

    /// [`Application::build`] with a [`Setup`].
    ///
    /// # Errors
    /// As [`Application::build`], and a `[[tables]]` entry that cannot open.
    pub async fn build_with(settings: Settings, setup: Setup) -> anyhow::Result<Self> {
        let Setup { games: extra, clock, tables_on_this_thread, mailer } = setup;
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
        let fairness = Fairness::start(store.clone(), clock).await.context("revealing provably-fair seeds")?;
        let limits = Limits {
            max_ops: settings.wallet.batch_max_ops,
            wait: Duration::from_micros(settings.wallet.batch_wait_us),
            lanes: settings.wallet.batch_lanes,
        };
        let guard = Arc::new(crate::protect::Guard::new(store.clone(), &settings.protection, settings.kyc.play));
        let deps = Arc::new(Deps {
            guard: guard.clone(),
            store: store.clone(),
            group: GroupCommit::start(store.clone(), clock, metrics.clone(), limits),
            cache: cache.clone(),
            metrics: metrics.clone(),
            settings: settings.clone(),
            fairness: Arc::new(fairness),
            clock,
            tables: dashmap::DashMap::new(),
            sessions: dashmap::DashMap::new(),
        });
        let games = GAMES.iter().cloned().chain(extra).collect();
        let lobby = if tables_on_this_thread {
            Lobby::on_this_thread(deps, games)
        } else {
            Lobby::new(deps, games, settings.play.arbiters)
        };
        let lobby = Arc::new(lobby);
        for (game, config) in &settings.sessions {
            let entry = lobby.games().iter().find(|g| g.id == game && g.kind == Some(crate::play::Kind::Session));
            let entry = entry.with_context(|| format!("[sessions.{game}]: no single-player game {game:?}"))?;
            (entry.check)(config).map_err(|e| anyhow::anyhow!("[sessions.{game}]: {e}"))?;
        }
        let proxies =
            crate::address::Proxies::new(&settings.server.trusted_proxies, &settings.server.client_ip_header)?;
        restore(&lobby, &store, &cache, &settings, clock).await?;
        let pii = match &settings.pii_keys {
            Some(text) => Some(Arc::new(crate::pii::PiiKeys::parse(&text.expose())?)),
            None => {
                tracing::warn!("no {} set: player profiles and password resets are off", crate::pii::PII_KEYS_ENV);
                None
            }
        };
        let tokens = Tokens::new(&key, settings.auth.access_token_secs);
        // Tokens issued before an erasure may outlive a restart.
        let lifetime_ms = i64::try_from(settings.auth.access_token_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        for user in store.erased_since(clock.now_ms().saturating_sub(lifetime_ms)).await? {
            tokens.refuse(user);
        }
        let smtp = crate::notify::Smtp::new(&settings.mail)?.map(|m| Arc::new(m) as Arc<dyn crate::notify::Mailer>);
        let state = AppState {
            guard,
            pii,
            mailer: mailer.or(smtp),
            payments: crate::payments::from_settings(&settings.payments)?,
            kyc: crate::kyc::from_settings(&settings.kyc)?,
            store,
            cache,
            tokens,
            logins: Arc::new(crate::throttle::LoginThrottle::new(&settings.auth)),
            proxies: Arc::new(proxies),
            metrics,
            settings,
            lobby,
            registry: Arc::new(crate::clients::Registry::default()),
            clock,
        };
        Ok(Self { state, _claim: claim })
    }

    /// The shared state (tests use its store directly).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves on `listener` until `shutdown` resolves, then stops as it says
    /// (the `croupier` command passes [`signalled`]: SIGTERM or SIGINT, then
    /// a graceful stop). Returns once everything has stopped.
    ///
    /// # Errors
    /// The listener cannot be served, or the server failed.
    pub async fn run(self, listener: TcpListener, shutdown: impl Future<Output = Stop>) -> anyhow::Result<()> {
        let server = server(self.state.clone(), listener)?;
        let handle = server.handle();
        let state = self.state.clone();
        let sweeper = sweep_every_minute(&self.state);
        let mut served = actix_web::rt::spawn(server);
        let served = tokio::select! {
            stop = shutdown => {
                if stop == Stop::Graceful {
                    state.stop_gracefully().await;
                }
                handle.stop(stop == Stop::Graceful).await;
                served.await
            }
            // It stopped by itself: only an error does that.
            done = &mut served => done,
        };
        let served = served.context("the server task failed")?;
        sweeper.abort();
        // Whatever still runs halts where it is; an unsettled round is
        // voided at the next start.
        self.state.lobby.stop();
        served.context("the server stopped with an error")
    }
}

/// Every minute, lets the player protection guard forget what it can
/// read again (`protect::Guard::sweep`).
fn sweep_every_minute(state: &AppState) -> tokio::task::JoinHandle<()> {
    let (guard, clock) = (Arc::downgrade(&state.guard), state.clock);
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let Some(guard) = guard.upgrade() else { return };
            guard.sweep(clock.now_ms());
        }
    })
}

/// Resolves on SIGTERM or SIGINT with a graceful stop; the handlers are
/// installed when this is called, so a signal that comes while the server
/// is still starting is not lost.
///
/// # Errors
/// The signal handlers cannot be installed.
pub fn signalled() -> std::io::Result<impl Future<Output = Stop>> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
        Stop::Graceful
    })
}

/// The listening socket `server.host:server.port` asks for, with its
/// backlog.
///
/// # Errors
/// The address does not resolve or cannot be bound.
pub fn bind(server: &ServerSettings) -> anyhow::Result<TcpListener> {
    listen(&server.host, server.port, server.backlog)
        .with_context(|| format!("binding {}:{}", server.host, server.port))
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
async fn restore(
    lobby: &Lobby,
    store: &Arc<dyn Store>,
    cache: &Cache,
    settings: &Settings,
    clock: Clock,
) -> anyhow::Result<()> {
    let metrics = &lobby.deps().metrics;
    for round in store.open_rounds().await.context("listing open rounds")? {
        match store.void(&format!("{round}:void"), &round, clock.now_ms()).await {
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
            .filter_map(|(_, text)| match HotCheckpoint::from_text(&text) {
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
    let limit = crate::http::RateLimit::new(&state.settings.rate_limit, state.proxies.as_ref().clone())?;
    let data = web::Data::new(state);
    let mut http = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
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
    .on_connect(|conn, _| {
        no_delay(conn);
    })
    .shutdown_timeout(s.shutdown_grace_secs)
    // Signals are ours: clients and tables are told before the listener goes.
    .disable_signals();
    if s.workers > 0 {
        http = http.workers(s.workers);
    }
    Ok(http.listen(listener)?.run())
}

/// Replies and events are small frames written as they happen; with
/// Nagle's algorithm on, one waits behind the client's delayed ACK of the
/// one before (about 40 ms on Linux). So every accepted connection sends at
/// once. Returns whether `conn` was a TCP connection.
fn no_delay(conn: &dyn std::any::Any) -> bool {
    let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() else { return false };
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(%e, "TCP_NODELAY not set");
    }
    true
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

    #[actix_web::test]
    async fn accepted_connections_send_without_delay() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = TcpStream::connect(addr).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        accepted.set_nonblocking(true).unwrap();
        // What actix hands `on_connect` for a plain TCP listener.
        let accepted = actix_web::rt::net::TcpStream::from_std(accepted).unwrap();
        assert!(!accepted.nodelay().unwrap(), "Nagle is on by default");
        assert!(no_delay(&accepted));
        assert!(accepted.nodelay().unwrap());
        assert!(!no_delay(&42u8), "anything else is left alone");
    }
}
