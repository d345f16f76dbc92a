//! Shared state for the scale-out mode (`AURA_REDIS_URL`): the rate limiter's state and the
//! event bus (SSE fan-out, job wake-ups), so several instances behave as one.
//!
//! Outage policy: Redis is never required to serve. The connection is established in the
//! background and re-established after failures without a restart (the connection manager
//! reconnects on its own; commands time out after a short bound). While Redis is
//! unreachable, per-key API limits fail open (partners keep working; `rate_limiter_errors_total`
//! counts it), per-address protections of public endpoints fail open too, and events are
//! delivered in-process while event-stream subscribers on other instances catch up from the
//! database's event log.

pub mod bus;
pub mod limiter;

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// A connection manager that may not exist yet (Redis down at start-up).
#[derive(Clone)]
pub struct Redis {
    client: redis::Client,
    conn: Arc<RwLock<Option<ConnectionManager>>>,
}

impl Redis {
    /// Starts connecting in the background; returns at once.
    pub fn connect(url: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let me = Redis {
            client,
            conn: Arc::new(RwLock::new(None)),
        };
        let bg = me.clone();
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(200);
            loop {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_secs(2)))
                    .set_response_timeout(Some(Duration::from_millis(800)));
                match bg.client.get_connection_manager_with_config(config).await {
                    Ok(c) => {
                        *bg.conn.write().expect("redis lock") = Some(c);
                        tracing::info!("connected to Redis");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "Redis unreachable; retrying");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(10));
                    }
                }
            }
        });
        Ok(me)
    }

    /// The shared connection, once established.
    pub fn conn(&self) -> Option<ConnectionManager> {
        self.conn.read().expect("redis lock").clone()
    }

    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// Waits (up to `timeout`) for the first connection; for start-up logs and tests.
    pub async fn ready(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            if self.conn().is_some() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }
}
