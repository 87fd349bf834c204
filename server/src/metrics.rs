//! Prometheus metrics: HTTP requests and latencies by route pattern (never
//! by raw path, so ids do not explode the label set), and the database
//! pool, and wallet operations (count by outcome, latency) through
//! [`Metrics::wallet_op`], which every caller of the wallet goes through.
//! Rendering never blocks on anything but the registry's own lock.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use std::future::Future;
use std::time::Instant;

use crate::store::{Store, StoreError};

/// The server's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// `croupier_http_requests_total{method, route, status}`
    pub http_requests: IntCounterVec,
    /// `croupier_logins_throttled_total`
    pub logins_throttled: IntCounter,
    /// `croupier_http_request_duration_seconds{method, route}`
    pub http_latency: HistogramVec,
    /// `croupier_db_pool_connections{state}`: idle / in use.
    pub db_pool: IntGaugeVec,
    /// `croupier_wallet_operations_total{op, outcome}`
    pub wallet_ops: IntCounterVec,
    /// `croupier_wallet_operation_duration_seconds{op}`
    pub wallet_latency: HistogramVec,
    /// `croupier_ws_connections`: WebSocket connections open now.
    pub ws_connections: IntGauge,
    /// `croupier_wallet_batch_operations`: operations per group-commit batch.
    pub wallet_batch_ops: Histogram,
    /// `croupier_wallet_batch_duration_seconds`: one batch, begin to commit.
    pub wallet_batch_latency: Histogram,
    /// `croupier_table_inputs_total{game, outcome}`: accepted / rejected.
    pub table_inputs: IntCounterVec,
    /// `croupier_table_panics_total{game}`: inputs a game panicked on (the
    /// table was restored to its state before the input).
    pub table_panics: IntCounterVec,
    /// `croupier_recoveries_total{what}`: tables, sessions and interrupted
    /// rounds (voided) handled at start.
    pub recoveries: IntCounterVec,
    /// `croupier_checkpoint_failures_total{tier}`: checkpoint writes that
    /// failed, `durable` (the database; the one with a settlement is retried
    /// until it commits) or `hot` (the cache; retried with back-off).
    pub checkpoint_failures: IntCounterVec,
    /// `croupier_checkpoint_lag_seconds{tier}`: from a table's change to the
    /// checkpoint holding it being stored (`hot`: the oldest change a write
    /// carried; `durable`: a round's end to its settlement's commit).
    pub checkpoint_lag: HistogramVec,
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
        let wallet_ops = IntCounterVec::new(
            Opts::new("croupier_wallet_operations_total", "wallet operations by outcome"),
            &["op", "outcome"],
        )?;
        let wallet_latency = HistogramVec::new(
            HistogramOpts::new("croupier_wallet_operation_duration_seconds", "wallet operation latency")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]),
            &["op"],
        )?;
        let wallet_batch_ops = Histogram::with_opts(
            HistogramOpts::new("croupier_wallet_batch_operations", "operations per group-commit batch")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0]),
        )?;
        let wallet_batch_latency = Histogram::with_opts(
            HistogramOpts::new("croupier_wallet_batch_duration_seconds", "one group-commit batch, begin to commit")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]),
        )?;
        registry.register(Box::new(wallet_batch_ops.clone()))?;
        registry.register(Box::new(wallet_batch_latency.clone()))?;
        let table_inputs = IntCounterVec::new(
            Opts::new("croupier_table_inputs_total", "inputs fed to games by outcome"),
            &["game", "outcome"],
        )?;
        let table_panics =
            IntCounterVec::new(Opts::new("croupier_table_panics_total", "inputs a game panicked on"), &["game"])?;
        let recoveries =
            IntCounterVec::new(Opts::new("croupier_recoveries_total", "what recovery did at start"), &["what"])?;
        registry.register(Box::new(recoveries.clone()))?;
        let checkpoint_failures = IntCounterVec::new(
            Opts::new("croupier_checkpoint_failures_total", "checkpoint writes that failed"),
            &["tier"],
        )?;
        registry.register(Box::new(checkpoint_failures.clone()))?;
        let checkpoint_lag = HistogramVec::new(
            HistogramOpts::new("croupier_checkpoint_lag_seconds", "from a table's change to its checkpoint stored")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0]),
            &["tier"],
        )?;
        registry.register(Box::new(checkpoint_lag.clone()))?;
        let ws_connections = IntGauge::new("croupier_ws_connections", "WebSocket connections open now")?;
        registry.register(Box::new(ws_connections.clone()))?;
        let logins_throttled =
            IntCounter::new("croupier_logins_throttled_total", "logins refused for too many failures")?;
        registry.register(Box::new(logins_throttled.clone()))?;
        registry.register(Box::new(table_inputs.clone()))?;
        registry.register(Box::new(table_panics.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_latency.clone()))?;
        registry.register(Box::new(db_pool.clone()))?;
        registry.register(Box::new(wallet_ops.clone()))?;
        registry.register(Box::new(wallet_latency.clone()))?;
        Ok(Self {
            registry,
            http_requests,
            http_latency,
            db_pool,
            wallet_ops,
            wallet_latency,
            wallet_batch_ops,
            wallet_batch_latency,
            ws_connections,
            table_inputs,
            table_panics,
            recoveries,
            checkpoint_failures,
            checkpoint_lag,
            logins_throttled,
        })
    }

    /// Samples the pool gauges.
    pub fn observe_pool(&self, store: &dyn Store) {
        let (size, idle) = store.pool_size();
        self.db_pool.with_label_values(&["idle"]).set(i64::from(idle));
        self.db_pool.with_label_values(&["in_use"]).set(i64::from(size.saturating_sub(idle)));
    }

    /// Runs one wallet operation `op` (deposit, reserve, settle, void),
    /// counting it by outcome and timing it.
    ///
    /// # Errors
    /// Whatever the operation returns.
    pub async fn wallet_op<T>(
        &self,
        op: &'static str,
        operation: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let started = Instant::now();
        let result = operation.await;
        // A refusal is labelled with the code it travels under.
        let outcome = match &result {
            Ok(_) => "ok",
            Err(StoreError::Database(_) | StoreError::Unconfirmed(_) | StoreError::Corrupt(_)) => "error",
            Err(e) => e.code().as_str(),
        };
        self.wallet_ops.with_label_values(&[op, outcome]).inc();
        self.wallet_latency.with_label_values(&[op]).observe(started.elapsed().as_secs_f64());
        result
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
