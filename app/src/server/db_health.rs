//! A circuit breaker for the database. Once a request meets an unreachable database, every
//! request answers 503 with `Retry-After` at once instead of waiting out the pool's acquire
//! timeout (which would tie up a connection and a task per request for the whole outage);
//! one background probe per instance pings the database and closes the breaker as soon as
//! it answers, so the service recovers by itself.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use sea_orm::DatabaseConnection;

/// Response header by which a handler or server function reports "the database was
/// unreachable" to the breaker's middleware, which strips it before the response leaves.
pub const UNAVAILABLE_HEADER: &str = "x-aura-database-unavailable";

/// How often the probe pings while the breaker is open.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// A ping that takes longer than this counts as down.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone, Default)]
pub struct DbHealth(Arc<Inner>);

#[derive(Default)]
struct Inner {
    down: AtomicBool,
    probing: AtomicBool,
}

impl DbHealth {
    pub fn is_down(&self) -> bool {
        self.0.down.load(Ordering::Acquire)
    }

    /// Opens the breaker and starts the probe (one at a time) that closes it.
    pub fn trip(&self, db: &DatabaseConnection) {
        self.0.down.store(true, Ordering::Release);
        if self.0.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::warn!("database unreachable: answering 503 until it responds again");
        let (me, db) = (self.clone(), db.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                if matches!(tokio::time::timeout(PING_TIMEOUT, db.ping()).await, Ok(Ok(()))) {
                    me.0.down.store(false, Ordering::Release);
                    me.0.probing.store(false, Ordering::Release);
                    tracing::info!("database reachable again");
                    return;
                }
            }
        });
    }
}
