//! The verified-key caches' epoch without Redis ([`super::key_cache`]).
//!
//! The epoch must reach every process that can change the database, not only this one: the
//! admin command (`server admin create`, which may revoke a promoted partner's keys) is a
//! process of its own, and several server processes may share one SQLite file. So:
//! - **SQLite file**: the epoch is a counter in a file beside the database
//!   (`<database>-key-epoch`), mapped into memory by every process that uses the database
//!   ([`SharedCounter`]). A change increments it after its commit; every call with a key reads
//!   it with one atomic load (no system call, no database). Every process using the database
//!   file finds it, with no extra configuration.
//! - **In-memory SQLite** (one process only): an atomic.
//! - **PostgreSQL without Redis**: nothing reaches every instance and the admin command
//!   cheaply, so keys are not cached there (each call reads the database, as before); set
//!   `AURA_REDIS_URL` to cache them.
//!
//! Rate limits are decided by the in-process limiter in the same call.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use super::key_cache::{EpochGate, Gate, KeyCache};
use crate::server::limiter::{Decision, LimiterError, MemoryLimiter, RateLimiter, Rule};
use crate::server::shared_counter::SharedCounter;

enum Epoch {
    Memory(AtomicU64),
    /// The file beside the database, mapped.
    File(SharedCounter),
}

/// The epoch gate of a single machine: the in-process limiter plus a local epoch.
pub struct LocalGate {
    limiter: Arc<MemoryLimiter>,
    epoch: Epoch,
}

impl LocalGate {
    /// An epoch only this process sees: for an in-memory database, and tests.
    pub fn in_memory(limiter: Arc<MemoryLimiter>) -> Self {
        LocalGate {
            limiter,
            epoch: Epoch::Memory(AtomicU64::new(0)),
        }
    }

    /// The epoch file of the SQLite database at `db` (created when missing).
    pub fn beside(db: &Path, limiter: Arc<MemoryLimiter>) -> std::io::Result<Self> {
        Ok(LocalGate {
            limiter,
            epoch: Epoch::File(SharedCounter::open(&epoch_file(db))?),
        })
    }

    fn current(&self) -> u64 {
        match &self.epoch {
            Epoch::Memory(n) => n.load(Ordering::SeqCst),
            Epoch::File(counter) => counter.load(),
        }
    }
}

pub fn epoch_file(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-key-epoch");
    PathBuf::from(name)
}

#[async_trait::async_trait]
impl EpochGate for LocalGate {
    async fn admit(&self, rules: &[Rule], expected: Option<u64>) -> Result<Gate, LimiterError> {
        let epoch = self.current();
        if expected.is_some_and(|e| e != epoch) {
            return Ok(Gate::Stale { epoch });
        }
        let decision = if rules.is_empty() {
            Decision {
                allowed: true,
                states: Vec::new(),
                denied_by: None,
            }
        } else {
            self.limiter.acquire(rules).await?
        };
        Ok(Gate::Decided { decision, epoch })
    }

    async fn bump(&self) -> Result<(), LimiterError> {
        match &self.epoch {
            Epoch::Memory(n) => {
                n.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            Epoch::File(counter) => {
                counter.bump();
                Ok(())
            }
        }
    }
}

/// The key cache of a process without Redis, for the database at `database_url`, on the
/// in-process `limiter`; and whether changes made through it reach every other process that
/// may cache keys (false only when the SQLite epoch file cannot be opened: then this process
/// does not cache either, and says why).
pub fn local(database_url: &str, limiter: Arc<MemoryLimiter>) -> (KeyCache, bool) {
    let uncached = |limiter| KeyCache::with_capacity(Arc::new(LocalGate::in_memory(limiter)), 0);
    if !database_url.starts_with("sqlite:") {
        tracing::info!("PostgreSQL without AURA_REDIS_URL: API keys are verified against the database on every call");
        return (uncached(limiter), true);
    }
    match crate::server::db::sqlite_path(database_url) {
        None => (KeyCache::new(Arc::new(LocalGate::in_memory(limiter))), true),
        Some(db) => match LocalGate::beside(&db, limiter.clone()) {
            Ok(gate) => (KeyCache::new(Arc::new(gate)), true),
            Err(e) => {
                tracing::warn!(error = %e, file = %epoch_file(&db).display(),
                    "cannot open the key epoch file: API keys are verified against the database on every call");
                (uncached(limiter), false)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn epoch(g: &LocalGate) -> u64 {
        match g.admit(&[], None).await.unwrap() {
            Gate::Decided { epoch, .. } => epoch,
            Gate::Stale { .. } => unreachable!(),
        }
    }

    #[tokio::test]
    async fn a_bump_through_one_handle_of_the_file_is_seen_through_another() {
        let db = std::env::temp_dir().join(format!("aura-{}.db", crate::server::crypto::random_id()));
        // Two processes' handles on the same database.
        let server = LocalGate::beside(&db, Arc::default()).unwrap();
        let cli = LocalGate::beside(&db, Arc::default()).unwrap();
        let seen = epoch(&server).await;
        cli.bump().await.unwrap();
        assert!(matches!(
            server.admit(&[], Some(seen)).await.unwrap(),
            Gate::Stale { epoch } if epoch == seen + 1
        ));
        assert_eq!(epoch(&cli).await, seen + 1);
        std::fs::remove_file(epoch_file(&db)).unwrap();
    }
}
