//! The hot cache: Redis when `redis.url` is set, else an in-process stand-in
//! (one node only). It answers readiness and holds the hot tier of table
//! checkpoints: one per table, written after every change, conditional on
//! seq so a stale writer never overwrites a newer checkpoint. It never holds
//! money: the database is the record, and a cache that is down never stops
//! play (writes fail fast, within the response timeout, and are retried by
//! their writer).

use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// The longest any cache call may take.
const DEADLINE: Duration = Duration::from_secs(1);

/// Writes `row` (ARGV[2]) at seq ARGV[1] unless the stored seq is higher,
/// and indexes the key; 1 when written.
const PUT: &str = r"
local cur = redis.call('HGET', KEYS[1], 'seq')
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'row', ARGV[2])
redis.call('SADD', KEYS[2], KEYS[1])
return 1
";

/// Removes the checkpoint unless a newer one (higher seq than ARGV[1]) is
/// stored; 1 when removed.
const DROP: &str = r"
local cur = redis.call('HGET', KEYS[1], 'seq')
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], KEYS[1])
return 1
";

/// Redis or the in-process stand-in.
#[derive(Clone)]
pub enum Cache {
    /// A Redis connection (reconnects by itself) and the key prefix.
    Redis {
        /// The connection.
        conn: ConnectionManager,
        /// Prefix of every key (`redis.key_prefix`).
        prefix: Arc<str>,
        /// The scripts, loaded once.
        scripts: Arc<(redis::Script, redis::Script)>,
    },
    /// Nothing to connect to: checkpoints live in this process.
    Local(Arc<DashMap<String, (u64, String)>>),
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cache::Redis { .. } => "Cache::Redis",
            Cache::Local(_) => "Cache::Local",
        })
    }
}

impl Cache {
    /// Connects to `url` (lazily: a Redis that is down at start is reported
    /// by readiness and retried, it does not stop the server), or the
    /// stand-in when `url` is empty.
    ///
    /// # Errors
    /// A bad URL.
    pub fn open(url: &str, prefix: &str) -> anyhow::Result<Self> {
        if url.is_empty() {
            return Ok(Cache::Local(Arc::default()));
        }
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("bad redis.url: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_max_delay(Duration::from_secs(2))
            // A request during an outage fails at once rather than waiting
            // out a series of reconnects; the next request tries again.
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| anyhow::anyhow!("setting up the Redis connection: {e}"))?;
        let scripts = Arc::new((redis::Script::new(PUT), redis::Script::new(DROP)));
        Ok(Cache::Redis { conn, prefix: prefix.into(), scripts })
    }

    /// Round trip (readiness).
    ///
    /// # Errors
    /// Redis does not answer.
    pub async fn ping(&self) -> Result<(), redis::RedisError> {
        match self {
            Cache::Redis { conn, .. } => {
                let mut conn = conn.clone();
                Self::within(redis::cmd("PING").query_async::<String>(&mut conn)).await.map(drop)
            }
            Cache::Local(_) => Ok(()),
        }
    }

    /// Runs `op` within [`DEADLINE`]: whatever the connection is doing, a
    /// caller hears back in time.
    async fn within<T>(op: impl Future<Output = redis::RedisResult<T>>) -> redis::RedisResult<T> {
        tokio::time::timeout(DEADLINE, op).await.unwrap_or_else(|_| {
            Err(redis::RedisError::from(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "Redis did not answer in time",
            )))
        })
    }

    fn keys(prefix: &str, table: &str) -> (String, String) {
        (format!("{prefix}checkpoint:{table}"), format!("{prefix}checkpoints"))
    }

    /// Stores `table`'s hot checkpoint `row` at `seq` unless a newer one is
    /// stored; `true` when written.
    ///
    /// # Errors
    /// Redis failed or did not answer in time.
    pub async fn put_checkpoint(&self, table: &str, seq: u64, row: &str) -> Result<bool, redis::RedisError> {
        match self {
            Cache::Redis { conn, prefix, scripts } => {
                let (key, index) = Self::keys(prefix, table);
                let mut conn = conn.clone();
                let mut put = scripts.0.key(key);
                put.key(index).arg(seq).arg(row);
                Ok(Self::within(put.invoke_async::<i64>(&mut conn)).await? == 1)
            }
            Cache::Local(map) => {
                let mut entry = map.entry(table.to_owned()).or_insert((0, String::new()));
                if entry.0 > seq {
                    return Ok(false);
                }
                *entry = (seq, row.to_owned());
                Ok(true)
            }
        }
    }

    /// Removes `table`'s hot checkpoint unless one newer than `seq` is
    /// stored.
    ///
    /// # Errors
    /// Redis failed or did not answer in time.
    pub async fn drop_checkpoint(&self, table: &str, seq: u64) -> Result<(), redis::RedisError> {
        match self {
            Cache::Redis { conn, prefix, scripts } => {
                let (key, index) = Self::keys(prefix, table);
                let mut conn = conn.clone();
                let mut drop_it = scripts.1.key(key);
                drop_it.key(index).arg(seq);
                Self::within(drop_it.invoke_async::<i64>(&mut conn)).await.map(drop)
            }
            Cache::Local(map) => {
                map.remove_if(table, |_, (stored, _)| *stored <= seq);
                Ok(())
            }
        }
    }

    /// Every hot checkpoint stored: (seq, row).
    ///
    /// # Errors
    /// Redis failed or did not answer in time.
    pub async fn checkpoints(&self) -> Result<Vec<(u64, String)>, redis::RedisError> {
        match self {
            Cache::Redis { conn, prefix, .. } => {
                let mut conn = conn.clone();
                let index = format!("{prefix}checkpoints");
                let keys: Vec<String> = Self::within(redis::cmd("SMEMBERS").arg(&index).query_async(&mut conn)).await?;
                let mut out = Vec::with_capacity(keys.len());
                for chunk in keys.chunks(256) {
                    let mut pipe = redis::pipe();
                    for key in chunk {
                        pipe.cmd("HMGET").arg(key).arg("seq").arg("row");
                    }
                    let rows: Vec<(Option<u64>, Option<String>)> = Self::within(pipe.query_async(&mut conn)).await?;
                    out.extend(rows.into_iter().filter_map(|(seq, row)| Some((seq?, row?))));
                }
                Ok(out)
            }
            Cache::Local(map) => Ok(map.iter().map(|e| e.value().clone()).collect()),
        }
    }
}
