//! Prometheus metrics: HTTP requests and latencies by route pattern (never
//! by raw path, so ids do not explode the label set), and the database
//! pool. Wallet operations register here when the wallet lands. Rendering
//! never blocks on anything but the registry's own lock.

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::store::Store;

/// The server's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// `croupier_http_requests_total{method, route, status}`
    pub http_requests: IntCounterVec,
    /// `croupier_http_request_duration_seconds{method, route}`
    pub http_latency: HistogramVec,
    /// `croupier_db_pool_connections{state}`: idle / in use.
    pub db_pool: IntGaugeVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    ///
    /// # Errors
    /// A metric is defined twice (a programming error).
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new("croupier_http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )?;
        let http_latency = HistogramVec::new(
            HistogramOpts::new("croupier_http_request_duration_seconds", "HTTP request latency")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            &["method", "route"],
        )?;
        let db_pool =
            IntGaugeVec::new(Opts::new("croupier_db_pool_connections", "database pool connections"), &["state"])?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_latency.clone()))?;
        registry.register(Box::new(db_pool.clone()))?;
        Ok(Self { registry, http_requests, http_latency, db_pool })
    }

    /// Samples the pool gauges.
    pub fn observe_pool(&self, store: &dyn Store) {
        let (size, idle) = store.pool_size();
        self.db_pool.with_label_values(&["idle"]).set(i64::from(idle));
        self.db_pool.with_label_values(&["in_use"]).set(i64::from(size.saturating_sub(idle)));
    }

    /// The Prometheus text exposition.
    ///
    /// # Errors
    /// Encoding failed.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}
