//! Typed settings: the built-in `config/default.toml`, an optional file given
//! with `--config`, then `CROUPIER__SECTION__KEY` environment variables
//! (`DATABASE_URL` and `REDIS_URL` as shorthands below them).
//!
//! Validated at load: an unknown key or a bad value is an error naming the
//! key and where it came from. Secrets never come from a settings file: the
//! JWT key only from the environment or a key file, a database password only
//! from an environment URL. This module never opens a connection.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use croupier_rng::ReseedPolicy;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::Deserialize;

/// The built-in defaults, so the binary works from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// The environment variable holding the JWT signing key.
pub const JWT_SECRET_ENV: &str = "CROUPIER__AUTH__JWT_SECRET";

/// All settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `[server]`
    pub server: ServerSettings,
    /// `[database]`
    pub database: DatabaseSettings,
    /// `[redis]`
    pub redis: RedisSettings,
    /// `[auth]`
    pub auth: AuthSettings,
    /// `[rate_limit]`
    pub rate_limit: RateLimitSettings,
    /// `[ws]`
    pub ws: WsSettings,
    /// `[wallet]`
    pub wallet: WalletSettings,
    /// The certified RNG's schedule.
    pub rng: RngSettings,
    /// `croupier simulate`.
    pub simulate: SimulateSettings,
    /// `[play]`: tables and sessions.
    pub play: PlaySettings,
    /// `[load]`: what load tests may do.
    pub load: LoadSettings,
    /// `[[tables]]`: the live tables opened at start.
    #[serde(default)]
    pub tables: Vec<TableSpec>,
    /// `[sessions.GAME]`: the config of every session of a single-player
    /// game (omitted keys take the game's defaults).
    #[serde(default)]
    pub sessions: std::collections::BTreeMap<String, serde_json::Value>,
    /// The JWT signing key, from [`JWT_SECRET_ENV`] or `auth.jwt_secret_file`;
    /// `None`: a random key per start.
    #[serde(skip)]
    pub jwt_secret: Option<Secret>,
    /// `[mail]`: where mail (password resets) goes.
    pub mail: crate::notify::MailSettings,
    /// `[payments]`: the payment provider.
    pub payments: crate::payments::PaymentSettings,
    /// `[kyc]`: the identity provider and what needs a verified identity.
    pub kyc: crate::kyc::KycSettings,
    /// `[aml]`: the anti-money-laundering rules.
    pub aml: crate::aml::AmlSettings,
    /// `[protection]`: players' own limits and exclusions.
    pub protection: crate::limits::ProtectionSettings,
    /// The keys that seal personal data, from [`crate::pii::PII_KEYS_ENV`]
    /// (`id:HEX[,id:HEX…]`); `None`: profiles are off.
    #[serde(skip)]
    pub pii_keys: Option<Secret>,
}

/// A secret: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

impl Secret {
    /// The secret as text (a key list); lossy for bytes that are not UTF-8,
    /// which then fail the parser that reads them.
    pub fn expose(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

/// Log output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Listen address.
    pub host: String,
    /// Port; 0 = any free port.
    pub port: u16,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
    /// Connections the kernel queues before they are accepted (capped by
    /// `net.core.somaxconn`).
    pub backlog: u32,
    /// Grace period for in-flight requests at shutdown, seconds.
    pub shutdown_grace_secs: u64,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Log format.
    pub log_format: LogFormat,
    /// Proxies (addresses or CIDR blocks) whose `client_ip_header` names
    /// the client; empty = trust no header.
    pub trusted_proxies: Vec<String>,
    /// The header a trusted proxy names the client in.
    pub client_ip_header: String,
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Postgres URL; empty = SQLite at `sqlite_path`.
    pub url: String,
    /// The embedded database's file.
    pub sqlite_path: PathBuf,
    /// Pool size.
    pub max_connections: u32,
    /// Wait for a pooled connection, milliseconds.
    pub acquire_timeout_ms: u64,
}

/// `[redis]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// Redis URL; empty = in-process cache.
    pub url: String,
    /// Prefix of every key.
    pub key_prefix: String,
}

/// `[auth]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Access token lifetime, seconds.
    pub access_token_secs: u64,
    /// Refresh token lifetime, seconds.
    pub refresh_token_secs: u64,
    /// File holding the JWT key; empty = environment or random.
    pub jwt_secret_file: PathBuf,
    /// Shortest password, characters.
    pub min_password_len: usize,
    /// Longest password, characters.
    pub max_password_len: usize,
    /// Failed logins to one account before it is locked.
    pub login_failures_per_account: u32,
    /// After that, one more failure per this many seconds.
    pub login_account_recover_secs: u64,
    /// Failed logins from one client address (to any accounts) before it
    /// is locked.
    pub login_failures_per_address: u32,
    /// After that, one more failure per this many seconds.
    pub login_address_recover_secs: u64,
    /// Staff-only routes refuse an access token whose login proved no
    /// second factor.
    pub staff_mfa_required: bool,
    /// A password reset token's lifetime, seconds.
    pub reset_token_secs: u64,
    /// A reset asked for again within this many seconds sends no new mail.
    pub reset_resend_secs: u64,
}

/// `[ws]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WsSettings {
    /// `auth` must arrive within this, milliseconds.
    pub auth_deadline_ms: u64,
    /// The heartbeat's interval, milliseconds: a connection silent this
    /// long is pinged (at most half of `timeout_ms`).
    pub heartbeat_ms: u64,
    /// Silence after which a connection is dropped, milliseconds.
    pub timeout_ms: u64,
    /// Largest frame (and message), bytes.
    pub max_frame_bytes: usize,
    /// Messages waiting to be written before the client counts as not reading.
    pub outbound_queue: usize,
    /// Sustained messages per second a client may send.
    pub messages_per_second: u32,
    /// Messages a client may send at once.
    pub message_burst: u32,
    /// Bad messages before the connection is closed.
    pub max_strikes: u32,
}

/// `[rate_limit]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Whether `/v1` is limited.
    pub enabled: bool,
    /// Sustained requests per second per client address.
    pub per_second: u64,
    /// Requests a client may send at once before the rate applies.
    pub burst: u32,
}

/// `[wallet]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletSettings {
    /// Accepted currency codes.
    pub currencies: Vec<String>,
    /// House accounts shared by single-player sessions, per currency.
    pub session_house_shards: u32,
    /// Group commit: at most this many money operations in one batch.
    pub batch_max_ops: usize,
    /// Group commit: how long a batch waits for more operations after its
    /// first, in microseconds (0: it takes what is queued and goes).
    pub batch_wait_us: u64,
    /// Group commit: batches in flight at once on Postgres (SQLite: one).
    pub batch_lanes: usize,
}

/// `[rng]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RngSettings {
    /// Draws between reseeds (0 = never by count).
    pub reseed_after_draws: u64,
    /// Seconds between reseeds (0 = never by age).
    pub reseed_after_secs: u64,
    /// Background cycling bound in words (0 = off).
    pub cycle_max_words: u32,
    /// Tick interval in milliseconds.
    pub tick_ms: u64,
}

impl RngSettings {
    /// The generator policy these settings describe.
    pub fn policy(&self) -> ReseedPolicy {
        ReseedPolicy {
            max_draws: (self.reseed_after_draws > 0).then_some(self.reseed_after_draws),
            max_age: (self.reseed_after_secs > 0).then(|| Duration::from_secs(self.reseed_after_secs)),
            cycle_max_words: self.cycle_max_words,
        }
    }
}

/// `[load]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSettings {
    /// Whether `POST /v1/admin/load/accounts` may create funded test
    /// accounts. Never in production.
    pub test_accounts: bool,
    /// The most accounts one call creates.
    pub max_accounts_per_call: u32,
}

/// `[play]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaySettings {
    /// Threads running tables and sessions (0 = one per core).
    pub arbiters: usize,
    /// Seconds a disconnected player's seat and bets are held.
    pub reconnect_grace_secs: u64,
    /// Events each table keeps for `resume`.
    pub history: usize,
    /// Inputs a table queues while a money movement is in flight.
    pub queue: usize,
    /// Longest chat line, in characters.
    pub chat_max_chars: usize,
    /// Chat lines per player per second, sustained.
    pub chat_per_second: u32,
    /// Chat lines a player may send at once.
    pub chat_burst: u32,
    /// Open single-player sessions per player.
    pub max_sessions_per_player: usize,
}

/// One `[[tables]]` entry: a live table opened at start.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// Unique id: 1 to 40 of `a-z`, `0-9`, `-`.
    pub id: String,
    /// Game id (`roulette`, `blackjack`, ...).
    pub game: String,
    /// The game's config (limits, timers); omitted keys take the game's
    /// defaults.
    #[serde(default = "empty_object")]
    pub config: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

impl TableSpec {
    /// Whether `id` is a valid table id.
    pub fn valid_id(id: &str) -> bool {
        (1..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }
}

/// `[simulate]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulateSettings {
    /// Worker threads (0 = one per core).
    pub threads: usize,
}

impl Settings {
    /// Loads the layers from the process environment.
    ///
    /// # Errors
    /// An unreadable file, bad TOML, an unknown key, an invalid value or a
    /// secret in a settings file, each naming the key and its source.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        Self::load_with_env(path, |name| std::env::var(name).ok())
    }

    /// The built-in defaults alone (no file, no environment): for tests.
    ///
    /// # Errors
    /// Only if the built-in file is broken.
    pub fn defaults() -> anyhow::Result<Self> {
        let settings: Settings =
            Figment::from(Toml::string(DEFAULT_TOML)).extract().context("the built-in config/default.toml")?;
        settings.validate()?;
        Ok(settings)
    }

    fn load_with_env(path: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut files = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(p) = path {
            if !p.is_file() {
                bail!("settings file {} does not exist", p.display());
            }
            files = files.merge(Toml::file(p));
        }
        if files.find_value("auth.jwt_secret").is_ok() {
            bail!(
                "auth.jwt_secret is a secret and may not be in a settings file: set {JWT_SECRET_ENV} or auth.jwt_secret_file"
            );
        }
        for key in ["payments.api_key", "payments.webhook_secret", "kyc.api_key", "kyc.webhook_secret"] {
            if files.extract_inner::<String>(key).is_ok_and(|v| !v.is_empty()) {
                let var = format!("CROUPIER__{}", key.replace('.', "__").to_uppercase());
                bail!("{key} is a secret and may not be in a settings file: set {var}");
            }
        }
        if let Ok(url) = files.extract_inner::<String>("database.url")
            && url::Url::parse(&url).is_ok_and(|u| u.password().is_some())
        {
            bail!(
                "database.url in a settings file holds a password: set it in DATABASE_URL or CROUPIER__DATABASE__URL"
            );
        }
        if let Ok(url) = files.extract_inner::<String>("mail.smtp_url")
            && url::Url::parse(&url).is_ok_and(|u| u.password().is_some())
        {
            bail!("mail.smtp_url in a settings file holds a password: set it in CROUPIER__MAIL__SMTP_URL");
        }
        let mut figment = files;
        for (shorthand, key) in [("DATABASE_URL", "database.url"), ("REDIS_URL", "redis.url")] {
            if let Some(value) = env(shorthand) {
                figment = figment.merge(Serialized::default(key, value));
            }
        }
        let figment = figment.merge(
            Env::prefixed("CROUPIER__")
                .split("__")
                // The secret is read on its own below, never as a setting.
                .filter(|key| {
                    !["auth__jwt_secret", "auth.jwt_secret"].iter().any(|k| key.as_str().eq_ignore_ascii_case(k))
                }),
        );
        let mut settings: Settings = figment.extract().map_err(|e| anyhow::anyhow!("invalid settings: {e}"))?;
        settings.jwt_secret = match (env(JWT_SECRET_ENV), &settings.auth.jwt_secret_file) {
            (Some(key), _) => Some(Secret(key.into_bytes())),
            (None, file) if !file.as_os_str().is_empty() => Some(Secret(
                std::fs::read(file).with_context(|| format!("reading auth.jwt_secret_file {}", file.display()))?,
            )),
            (None, _) => None,
        };
        settings.pii_keys =
            env(crate::pii::PII_KEYS_ENV).filter(|k| !k.trim().is_empty()).map(|k| Secret(k.into_bytes()));
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let problem = if !(1..=1000).contains(&self.rng.tick_ms) {
            "rng.tick_ms must be 1 to 1000 (a table also answers late requests on its tick)"
        } else if self.server.max_body_bytes < 1024 {
            "server.max_body_bytes must be at least 1024"
        } else if !(1..=65_535).contains(&self.server.backlog) {
            "server.backlog must be 1 to 65535"
        } else if self.database.max_connections == 0 {
            "database.max_connections must be at least 1"
        } else if !(1..=86_400).contains(&self.auth.access_token_secs)
            || !(1..=31_536_000).contains(&self.auth.refresh_token_secs)
        {
            "auth.access_token_secs must be 1 to 86400 and auth.refresh_token_secs 1 to 31536000"
        } else if self.auth.min_password_len < 8 || self.auth.max_password_len < self.auth.min_password_len {
            "need 8 <= auth.min_password_len <= auth.max_password_len"
        } else if self.auth.login_failures_per_account == 0
            || self.auth.login_failures_per_address == 0
            || !(1..=86_400).contains(&self.auth.login_account_recover_secs)
            || !(1..=86_400).contains(&self.auth.login_address_recover_secs)
        {
            "auth.login_failures_per_* must be at least 1 and auth.login_*_recover_secs 1 to 86400"
        } else if self.jwt_secret.as_ref().is_some_and(|s| s.0.len() < 32) {
            "the JWT key must be at least 32 bytes"
        } else if !(60..=86_400).contains(&self.auth.reset_token_secs) || self.auth.reset_resend_secs > 3_600 {
            "auth.reset_token_secs must be 60 to 86400 and auth.reset_resend_secs at most 3600"
        } else if self.wallet.currencies.is_empty()
            || self.wallet.currencies.iter().any(|c| croupier_sdk::Currency::new(c).is_err())
        {
            "wallet.currencies must list at least one code of three capital letters"
        } else if self.ws.heartbeat_ms == 0 || self.ws.heartbeat_ms * 2 > self.ws.timeout_ms {
            "ws.heartbeat_ms must be at least 1 and at most half of ws.timeout_ms"
        } else if self.ws.auth_deadline_ms == 0 || self.ws.max_frame_bytes < 1024 || self.ws.outbound_queue == 0 {
            "ws.auth_deadline_ms and ws.outbound_queue must be at least 1, ws.max_frame_bytes at least 1024"
        } else if self.ws.messages_per_second == 0 || self.ws.message_burst == 0 || self.ws.max_strikes == 0 {
            "ws.messages_per_second, ws.message_burst and ws.max_strikes must be at least 1"
        } else if self.rate_limit.per_second == 0 || self.rate_limit.burst == 0 {
            "rate_limit.per_second and rate_limit.burst must be at least 1"
        } else if !(1..=20_000).contains(&self.load.max_accounts_per_call) {
            "load.max_accounts_per_call must be 1 to 20000"
        } else if self.wallet.session_house_shards == 0 {
            "wallet.session_house_shards must be at least 1"
        } else if !(1..=10_000).contains(&self.wallet.batch_max_ops) {
            "wallet.batch_max_ops must be 1 to 10000"
        } else if self.wallet.batch_wait_us > 100_000 {
            "wallet.batch_wait_us must be at most 100000 (100 ms)"
        } else if !(1..=16).contains(&self.wallet.batch_lanes) {
            "wallet.batch_lanes must be 1 to 16"
        } else if self.play.history == 0 || self.play.queue == 0 || self.play.chat_max_chars == 0 {
            "play.history, play.queue and play.chat_max_chars must be at least 1"
        } else if self.play.chat_per_second == 0 || self.play.chat_burst == 0 || self.play.max_sessions_per_player == 0
        {
            "play.chat_per_second, play.chat_burst and play.max_sessions_per_player must be at least 1"
        } else if let Some(t) = self.tables.iter().find(|t| !TableSpec::valid_id(&t.id)) {
            bail!("invalid settings: tables: id {:?} must be 1 to 40 of a-z, 0-9 and -", t.id)
        } else if let Some(t) =
            self.tables.iter().enumerate().find(|(i, t)| self.tables[..*i].iter().any(|o| o.id == t.id))
        {
            bail!("invalid settings: tables: id {:?} is declared twice", t.1.id)
        } else if !self.database.url.is_empty() && !self.database.url.starts_with("postgres") {
            "database.url must be a postgres:// URL (or empty for the embedded SQLite database)"
        } else if let Some(problem) = self.payments.problem().or(self.kyc.problem()).or(self.aml.problem()) {
            bail!("invalid settings: {problem}")
        } else if let Some(problem) = self.mail.problem() {
            bail!("invalid settings: {problem}")
        } else if let Some(problem) = self.protection.problem() {
            bail!("invalid settings: {problem}")
        } else if let Some(Err(e)) = self.pii_keys.as_ref().map(|k| crate::pii::PiiKeys::parse(&k.expose())) {
            bail!("invalid settings: {e}")
        } else {
            return Ok(());
        };
        bail!("invalid settings: {problem}")
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return its own large error.
mod tests {
    use super::*;

    /// Loads with exactly `vars` as the environment (in a figment jail, which
    /// also serialises the tests that touch the environment).
    fn load(path: Option<&Path>, vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let mut out = None;
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            for (k, v) in vars {
                jail.set_env(k, v);
            }
            out = Some(Settings::load_with_env(path, |name| std::env::var(name).ok()));
            Ok(())
        });
        out.unwrap()
    }

    #[test]
    fn built_in_defaults_load() {
        let s = Settings::defaults().unwrap();
        assert_eq!(s.rng.policy(), ReseedPolicy::default());
        assert_eq!(s.server.port, 8080);
        assert!(s.database.url.is_empty() && s.jwt_secret.is_none());
    }

    #[test]
    fn layers_override_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file("site.toml", "[server]\nport = 9000\nhost = \"0.0.0.0\"\n")?;
            jail.set_env("CROUPIER__SERVER__PORT", "9100");
            jail.set_env("DATABASE_URL", "postgres://a@h/one");
            let vars = |name: &str| std::env::var(name).ok();
            let s = Settings::load_with_env(Some(Path::new("site.toml")), vars).unwrap();
            assert_eq!((s.server.port, s.server.host.as_str()), (9100, "0.0.0.0"), "env beats the file");
            assert_eq!(s.database.url, "postgres://a@h/one", "DATABASE_URL is a shorthand");
            jail.set_env("CROUPIER__DATABASE__URL", "postgres://a@h/two");
            let s = Settings::load_with_env(Some(Path::new("site.toml")), vars).unwrap();
            assert_eq!(s.database.url, "postgres://a@h/two", "the full name beats the shorthand");
            Ok(())
        });
    }

    #[test]
    fn bad_values_and_unknown_keys_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file("bad.toml", "[rng]\nbogus_key = 1\n")?;
            let none = |_: &str| None;
            let err = format!("{:#}", Settings::load_with_env(Some(Path::new("bad.toml")), none).unwrap_err());
            assert!(err.contains("bogus_key"), "{err}");
            jail.set_env("CROUPIER__SERVER__PORT", "eighty");
            let vars = |name: &str| std::env::var(name).ok();
            let err = format!("{:#}", Settings::load_with_env(None, vars).unwrap_err());
            assert!(err.to_lowercase().contains("server.port") && err.contains("CROUPIER__"), "{err}");
            Ok(())
        });
        let err = format!("{:#}", load(Some(Path::new("/nonexistent.toml")), &[]).unwrap_err());
        assert!(err.contains("/nonexistent.toml"), "{err}");
        for tick in ["0", "1001"] {
            let err = format!("{:#}", load(None, &[("CROUPIER__RNG__TICK_MS", tick)]).unwrap_err());
            assert!(err.contains("rng.tick_ms must be 1 to 1000"), "{tick}: {err}");
        }
        assert!(load(None, &[("CROUPIER__RNG__TICK_MS", "1000")]).is_ok());
        for lanes in ["0", "17"] {
            let err = format!("{:#}", load(None, &[("CROUPIER__WALLET__BATCH_LANES", lanes)]).unwrap_err());
            assert!(err.contains("wallet.batch_lanes must be 1 to 16"), "{lanes}: {err}");
        }
        assert_eq!(load(None, &[]).unwrap().wallet.batch_lanes, 2, "the documented default");
    }

    #[test]
    fn secrets_stay_out_of_files() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file("s.toml", "[auth]\njwt_secret = \"abc\"\n")?;
            jail.create_file("p.toml", "[database]\nurl = \"postgres://u:hunter2@h/db\"\n")?;
            let none = |_: &str| None;
            let err = format!("{:#}", Settings::load_with_env(Some(Path::new("s.toml")), none).unwrap_err());
            assert!(err.contains("CROUPIER__AUTH__JWT_SECRET"), "{err}");
            let err = format!("{:#}", Settings::load_with_env(Some(Path::new("p.toml")), none).unwrap_err());
            assert!(err.contains("password") && !err.contains("hunter2"), "{err}");
            Ok(())
        });
        let key = "k".repeat(40);
        let s = load(None, &[(JWT_SECRET_ENV, &key)]).unwrap();
        assert_eq!(s.jwt_secret, Some(Secret(key.into_bytes())));
        assert!(!format!("{s:?}").contains("kkkk"), "secrets are redacted in Debug");
        let err = format!("{:#}", load(None, &[(JWT_SECRET_ENV, "short")]).unwrap_err());
        assert!(err.contains("32 bytes"), "{err}");
        let err = format!("{:#}", load(None, &[("CROUPIER_PII_KEYS", "k1:abcdef")]).unwrap_err());
        assert!(err.contains("64 hex digits") && !err.contains("abcdef"), "{err}");
        let keys = format!("k1:{}", "ab".repeat(32));
        assert!(!format!("{:?}", load(None, &[("CROUPIER_PII_KEYS", &keys)]).unwrap()).contains("abab"));
        let smtp = "smtps://u:hunter2@mail.example:465";
        let err = format!("{:#}", load(None, &[("CROUPIER__MAIL__RESET_LINK", "https://x.example/")]).unwrap_err());
        assert!(err.contains("{token}"), "{err}");
        assert!(load(None, &[("CROUPIER__MAIL__SMTP_URL", smtp)]).is_ok(), "from the environment it may");
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file("k.toml", "[payments]\nwebhook_secret = \"whsec_1\"\n")?;
            let err = format!("{:#}", Settings::load_with_env(Some(Path::new("k.toml")), |_| None).unwrap_err());
            assert!(err.contains("CROUPIER__PAYMENTS__WEBHOOK_SECRET") && !err.contains("whsec_1"), "{err}");
            jail.create_file("m.toml", &format!("[mail]\nsmtp_url = \"{smtp}\"\n"))?;
            let err = format!("{:#}", Settings::load_with_env(Some(Path::new("m.toml")), |_| None).unwrap_err());
            assert!(err.contains("CROUPIER__MAIL__SMTP_URL") && !err.contains("hunter2"), "{err}");
            Ok(())
        });
    }
}
