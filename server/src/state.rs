//! What every request handler can reach ([`AppState`]), and the graceful
//! stop that runs on it. It sits below `http` and `ws`, which read it, and
//! `app`, which builds it.

use std::sync::Arc;

use crate::auth::Tokens;
use crate::cache::Cache;
use crate::clients::Registry;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::play::Lobby;
use crate::settings::Settings;
use crate::store::Store;

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
    pub registry: Arc<Registry>,
    /// The time.
    pub clock: Clock,
    /// Failed logins per account and address.
    pub logins: Arc<crate::throttle::LoginThrottle>,
    /// Whose word on a client's address is taken.
    pub proxies: Arc<crate::address::Proxies>,
    /// The keys that seal personal data; `None`: none configured, and
    /// profiles are off.
    pub pii: Option<Arc<crate::pii::PiiKeys>>,
    /// Where mail goes; `None`: nowhere, and password resets are off.
    pub mailer: Option<Arc<dyn crate::notify::Mailer>>,
    /// Players' own limits and exclusions (shared with the tables).
    pub guard: Arc<crate::protect::Guard>,
    /// The payment provider; `None`: payments are off.
    pub payments: Option<Arc<dyn crate::payments::Provider>>,
    /// The identity verification provider; `None`: KYC is off.
    pub kyc: Option<Arc<dyn crate::kyc::Verifier>>,
}

impl AppState {
    /// Milliseconds since the Unix epoch, by this server's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

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
