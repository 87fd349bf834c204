//! The hot cache: Redis when `redis.url` is set, else an in-process stand-in
//! (one node only). Today it answers readiness; checkpoints and presence use
//! it when they land. It never holds money: the database is the record.

use redis::aio::ConnectionManager;

/// Redis or the in-process stand-in.
#[derive(Clone)]
pub enum Cache {
    /// A Redis connection (reconnects by itself).
    Redis(ConnectionManager),
    /// Nothing to connect to.
    Local,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cache::Redis(_) => "Cache::Redis",
            Cache::Local => "Cache::Local",
        })
    }
}

impl Cache {
    /// Connects to `url`, or the stand-in when it is empty.
    ///
    /// # Errors
    /// A bad URL or an unreachable server.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        if url.is_empty() {
            return Ok(Cache::Local);
        }
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("bad redis.url: {e}"))?;
        let manager = ConnectionManager::new(client).await.map_err(|e| anyhow::anyhow!("connecting to Redis: {e}"))?;
        Ok(Cache::Redis(manager))
    }

    /// Round trip (readiness).
    ///
    /// # Errors
    /// Redis does not answer.
    pub async fn ping(&self) -> Result<(), redis::RedisError> {
        match self {
            Cache::Redis(conn) => {
                let mut conn = conn.clone();
                redis::cmd("PING").query_async::<String>(&mut conn).await.map(drop)
            }
            Cache::Local => Ok(()),
        }
    }
}
