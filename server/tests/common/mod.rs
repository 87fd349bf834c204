//! Test support: a real server on port 0 with its own database — a fresh
//! Postgres database (dropped afterwards) or a fresh SQLite file (deleted
//! afterwards) — and the real Redis under a unique key prefix. Services come
//! from `DATABASE_URL` / `REDIS_URL` (exported by `scripts/test`) or the
//! local defaults; a missing service fails the test, never skips it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod books;
pub mod proxy;
pub mod sandbox;
pub mod smtp;
pub mod ws;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use croupier_server::app::{self, Application, Setup, Stop};
use croupier_server::settings::{Secret, Settings};
use croupier_server::store::Store;
use serde_json::{Value, json};
use sqlx::Connection;

/// Which backend a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Postgres,
    Sqlite,
}

fn admin_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn unique(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("croupier_t_{tag}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A database created for one test and removed when dropped.
pub struct TestDb {
    pub kind: Db,
    /// Postgres: the database's URL and name.
    pg: Option<(String, String)>,
    /// SQLite: the folder holding the file.
    dir: Option<PathBuf>,
    /// The Redis URL and key prefix; its keys are removed when dropped.
    redis: (String, String),
}

impl TestDb {
    pub async fn create(kind: Db) -> (Self, Settings) {
        let mut settings = Settings::defaults().unwrap();
        settings.server.port = 0;
        settings.server.workers = 2;
        settings.jwt_secret = Some(Secret(vec![42; 32]));
        settings.redis.url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
        settings.redis.key_prefix = format!("{}:", unique("redis"));
        let redis = (settings.redis.url.clone(), settings.redis.key_prefix.clone());
        match kind {
            Db::Postgres => {
                let name = unique("db");
                let mut admin = sqlx::PgConnection::connect(&admin_url())
                    .await
                    .expect("Postgres must be reachable at DATABASE_URL (scripts/test arranges it)");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
                let mut url = url::Url::parse(&admin_url()).unwrap();
                url.set_path(&name);
                settings.database.url = url.to_string();
                (Self { kind, pg: Some((admin_url(), name)), dir: None, redis }, settings)
            }
            Db::Sqlite => {
                let dir = std::env::temp_dir().join(unique("sqlite"));
                settings.database.url = String::new();
                settings.database.sqlite_path = dir.join("croupier.db");
                (Self { kind, pg: None, dir: Some(dir), redis }, settings)
            }
        }
    }
}

impl TestDb {
    /// Runs raw SQL against this database (tests that tamper on purpose).
    pub async fn try_execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        if let Some((admin, name)) = &self.pg {
            let mut url = url::Url::parse(admin).unwrap();
            url.set_path(name);
            let mut c = sqlx::PgConnection::connect(url.as_str()).await?;
            sqlx::query(sql).execute(&mut c).await?;
        } else if let Some(dir) = &self.dir {
            let url = format!("sqlite://{}", dir.join("croupier.db").display());
            let mut c = sqlx::SqliteConnection::connect(&url).await?;
            sqlx::query(sql).execute(&mut c).await?;
        }
        Ok(())
    }

    /// As [`TestDb::try_execute`], failing the test on an error.
    pub async fn execute(&self, sql: &str) {
        self.try_execute(sql).await.unwrap();
    }
}

/// The `n` column of one row of `sql` (a `COUNT(*) AS n` query) in the
/// Postgres database at `url`.
pub async fn pg_count(url: &str, sql: &str) -> i64 {
    use sqlx::Row;
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query(sql).fetch_one(&mut db).await.unwrap().get("n")
}

/// Stakes still held in the Postgres database at `url`.
pub async fn held_stakes(url: &str) -> i64 {
    pg_count(url, "SELECT COUNT(*) AS n FROM wallet_holds WHERE status = 'held'").await
}

/// Every key under `prefix` in the Redis at `url`.
pub fn redis_keys(url: &str, prefix: &str) -> Vec<String> {
    let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
    redis::cmd("KEYS").arg(format!("{prefix}*")).query(&mut c).unwrap()
}

/// A field of a Redis hash.
pub fn redis_hget(url: &str, key: &str, field: &str) -> Option<String> {
    let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
    redis::cmd("HGET").arg(key).arg(field).query(&mut c).unwrap()
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        let (url, prefix) = &self.redis;
        if let Ok(mut c) = redis::Client::open(url.as_str()).and_then(|c| c.get_connection()) {
            let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query(&mut c).unwrap_or_default();
            if !keys.is_empty() {
                let _ = redis::cmd("DEL").arg(keys).query::<i64>(&mut c);
            }
        }
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs outside any runtime we may block: use a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
                    }
                });
            })
            .join();
        }
    }
}

/// A running server.
pub struct TestApp {
    pub settings: Settings,
    pub games: Vec<croupier_server::games::GameEntry>,
    pub base: String,
    pub http: reqwest::Client,
    pub store: Arc<dyn Store>,
    running: Running,
    database_url: String,
    _db: TestDb,
}

/// How a test stops its server, and waits until it has.
struct Running {
    stop: tokio::sync::oneshot::Sender<Stop>,
    served: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    async fn stop(self, how: Stop) {
        let _ = self.stop.send(how);
        self.served.await.unwrap().unwrap();
    }
}

/// Builds the server `settings` describe and serves it on a free port:
/// (base URL, its store, how to stop it).
async fn start(settings: &Settings, games: &[croupier_server::games::GameEntry]) -> (String, Arc<dyn Store>, Running) {
    let setup = Setup { games: games.to_vec(), ..Setup::default() };
    let app = Application::build_with(settings.clone(), setup).await.unwrap();
    let listener = app::bind(&settings.server).unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let store = app.state().store.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let served = actix_web::rt::spawn(app.run(listener, async move { stopped.await.unwrap_or(Stop::Now) }));
    (base, store, Running { stop, served })
}

impl TestApp {
    pub async fn spawn(kind: Db) -> Self {
        Self::spawn_with(kind, |_| {}).await
    }

    pub async fn spawn_with(kind: Db, tweak: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_with_games(kind, tweak, Vec::new()).await
    }

    pub async fn spawn_with_games(
        kind: Db,
        tweak: impl FnOnce(&mut Settings),
        games: Vec<croupier_server::games::GameEntry>,
    ) -> Self {
        let (db, mut settings) = TestDb::create(kind).await;
        tweak(&mut settings);
        let database_url = settings.database.url.clone();
        let (base, store, running) = start(&settings, &games).await;
        Self { settings, games, base, http: reqwest::Client::new(), store, running, database_url, _db: db }
    }

    /// Stops the server where it is (its tables stop mid-round) and, once
    /// it has stopped, starts a new one on the same database and Redis
    /// prefix, as after a crash.
    pub async fn restart(self) -> Self {
        self.restart_after(Stop::Now).await
    }

    /// Stops the server as `how` says and starts a new one on the same
    /// database and Redis prefix.
    pub async fn restart_after(self, how: Stop) -> Self {
        let Self { settings, games, http, store, running, database_url, _db, .. } = self;
        running.stop(how).await;
        drop(store);
        let (base, store, running) = start(&settings, &games).await;
        Self { settings, games, base, http, store, running, database_url, _db }
    }

    /// The Postgres URL of this app's database (empty for SQLite).
    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs JSON; returns (status, body or Null).
    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
        self.call(self.http.post(self.url(path)).json(body), token).await
    }

    /// PUTs JSON; returns (status, body or Null).
    pub async fn put(&self, path: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
        self.call(self.http.put(self.url(path)).json(body), token).await
    }

    /// PATCHes JSON; returns (status, body or Null).
    pub async fn patch(&self, path: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
        self.call(self.http.patch(self.url(path)).json(body), token).await
    }

    /// GETs; returns (status, body or Null).
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.call(self.http.get(self.url(path)), token).await
    }

    async fn call(&self, mut req: reqwest::RequestBuilder, token: Option<&str>) -> (u16, Value) {
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Credits `amount` EUR (or `currency`) to `player` from the system account.
    pub async fn fund(&self, player: i64, currency: &str, amount: i64) {
        let key = format!("fund-{player}-{currency}-{amount}");
        self.store.deposit(&key, player, currency, amount, 0).await.unwrap();
    }

    /// `player`'s available balance in `currency`.
    pub async fn available(&self, player: i64, currency: &str) -> i64 {
        let balances = self.store.balances(player).await.unwrap();
        balances.iter().find(|b| b.currency == currency).map_or(0, |b| b.available)
    }

    /// Registers `name` and logs in; returns the token response.
    pub async fn signed_in(&self, name: &str) -> Value {
        let creds = json!({ "username": name, "password": "a fine password" });
        let (status, body) = self.post("/v1/auth/register", &creds, None).await;
        assert_eq!(status, 201, "{body}");
        let (status, tokens) = self.post("/v1/auth/login", &creds, None).await;
        assert_eq!(status, 200, "{tokens}");
        tokens
    }

    /// Creates operator `name` and logs in; returns the access token.
    pub async fn operator_token(&self, name: &str) -> String {
        let hash = croupier_server::auth::hash_password("operator password").unwrap();
        self.store.create_user(name, &hash, croupier_server::store::Role::Operator, 0).await.unwrap();
        let creds = json!({ "username": name, "password": "operator password" });
        let (status, tokens) = self.post("/v1/auth/login", &creds, None).await;
        assert_eq!(status, 200, "{tokens}");
        tokens["access_token"].as_str().unwrap().to_owned()
    }

    /// Stops the server and waits until it has.
    pub async fn stop(self) {
        self.running.stop(Stop::Now).await;
    }
}

/// The real `croupier` binary, with nothing of the test's own environment
/// leaking into its settings.
pub fn croupier_binary() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_croupier"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CROUPIER__")
            || ["CROUPIER_CONFIG", "CROUPIER_PII_KEYS", "DATABASE_URL", "REDIS_URL"].contains(&key.as_str())
        {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Starts the real binary as `cmd` describes (`serve --port 0 ...`) and reads
/// the line it prints once listening: (process, port, that line).
pub fn serve_binary(mut cmd: std::process::Command) -> (std::process::Child, u16, String) {
    use std::io::BufRead;
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.split("127.0.0.1:").nth(1).and_then(|p| p.split_whitespace().next()).map(str::parse);
    let port = port.unwrap_or_else(|| panic!("the server printed no port: {line:?}")).unwrap();
    (child, port, line)
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}
