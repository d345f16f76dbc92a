//! Renderings of completed scans kept in memory: a report page (`public::report_cache`) and a
//! scan's API record (`v1::scans::get_scan`) are made once per completed scan and served from
//! here, with no database read on the way.
//!
//! A completed scan changes only if an admin re-runs its job (`scans::lifecycle::rerun`: the
//! job would have to be dead or failed, which a completed scan's is not, but the state machine
//! allows it); nothing deletes scans. So an entry is checked against the scan's record at
//! once after such a re-run through this instance (`lifecycle::finished_reopened`), and at
//! most every [`RECHECK`] otherwise, which is how other instances notice; a change drops the
//! entry (the next request renders anew or answers from the record), and a missing record
//! drops it too. While the database is unreachable, entries are served as they are.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::{Duration, Instant},
};

use app::{
    server::{
        error::{ServiceError, ServiceResult},
        scans::{self, lifecycle, Scan},
        state::AppState,
    },
    status::ScanStatus,
};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

/// How long an entry is served before it is checked against the scan's record again.
pub const RECHECK: Duration = Duration::from_secs(60);

/// One completed scan's rendering.
pub struct Entry<V> {
    pub value: V,
    /// The record it was made from, compared with the record when rechecked.
    completed_at: Option<DateTime<Utc>>,
    size: usize,
    last_used: AtomicU64,
    checked_ms: AtomicU64,
    checked_reopened: AtomicU64,
}

/// A scan's record, with the re-run count read before it (so a re-run committed in between
/// is noticed on the next hit): what a rendering is made from.
pub struct Record {
    pub scan: Scan,
    reopened: u64,
}

impl Record {
    pub async fn read(db: &DatabaseConnection, id: &str) -> ServiceResult<Self> {
        let reopened = lifecycle::finished_reopened();
        let scan = scans::get(db, id).await?;
        Ok(Self { scan, reopened })
    }

    /// What an entry made from this record is checked against, when the record is one to
    /// keep renderings of (a completed scan's).
    pub fn stamp(&self) -> Option<Stamp> {
        (self.scan.status == ScanStatus::Completed).then_some(Stamp {
            completed_at: self.scan.completed_at,
            reopened: self.reopened,
        })
    }
}

/// The record an entry was made from, as far as a recheck compares it.
#[derive(Clone, Copy)]
pub struct Stamp {
    completed_at: Option<DateTime<Utc>>,
    reopened: u64,
}

/// Renderings by key (a request path, a scan id), bounded in bytes and entries; past either
/// bound the least recently served go.
pub struct FinishedCache<V> {
    origin: Instant,
    max_bytes: usize,
    max_entries: usize,
    inner: RwLock<Entries<V>>,
}

struct Entries<V> {
    map: HashMap<Box<str>, Arc<Entry<V>>>,
    bytes: usize,
}

impl<V> FinishedCache<V> {
    pub fn new(max_bytes: usize, max_entries: usize) -> Self {
        Self {
            origin: Instant::now(),
            max_bytes,
            max_entries,
            inner: RwLock::new(Entries {
                map: HashMap::new(),
                bytes: 0,
            }),
        }
    }

    /// The entry under `key`, a rendering of scan `id`, while it still is that scan's
    /// (checked against the record when due, see the module's notes).
    pub async fn get(&self, state: &AppState, key: &str, id: &str) -> Option<Arc<Entry<V>>> {
        let e = self.peek(key)?;
        let now = self.now_ms();
        let reopened = lifecycle::finished_reopened();
        let due = now.saturating_sub(e.checked_ms.load(Ordering::Relaxed)) >= RECHECK.as_millis() as u64
            || e.checked_reopened.load(Ordering::Relaxed) != reopened;
        if !due || state.db_health.is_down() {
            return Some(e);
        }
        match scans::get(&state.db, id).await {
            Ok(s) if s.status == ScanStatus::Completed && s.completed_at == e.completed_at => {
                e.checked_ms.store(now, Ordering::Relaxed);
                e.checked_reopened.store(reopened, Ordering::Relaxed);
                Some(e)
            }
            Ok(_) | Err(ServiceError::NotFound(_)) => {
                self.remove(key);
                None
            }
            Err(err) => {
                // The rendering is still the scan it was; try again on the next request.
                tracing::warn!(error = %err, "finished cache: checking a scan failed");
                Some(e)
            }
        }
    }

    /// Keeps `value`, a rendering (of `size` bytes) of the record `from` stamps, under `key`.
    pub fn insert(&self, key: &str, from: Stamp, value: V, size: usize) -> Arc<Entry<V>> {
        let now = self.now_ms();
        let entry = Arc::new(Entry {
            value,
            completed_at: from.completed_at,
            size,
            last_used: AtomicU64::new(now),
            checked_ms: AtomicU64::new(now),
            checked_reopened: AtomicU64::new(from.reopened),
        });
        let mut all = self.inner.write().unwrap_or_else(|e| e.into_inner());
        all.bytes += size;
        if let Some(old) = all.map.insert(key.into(), entry.clone()) {
            all.bytes -= old.size;
        }
        if all.bytes > self.max_bytes || all.map.len() > self.max_entries {
            // Down to seven eighths at once, so a full cache does not sort on every insert.
            let mut by_age: Vec<(u64, Box<str>)> = all
                .map
                .iter()
                .map(|(k, e)| (e.last_used.load(Ordering::Relaxed), k.clone()))
                .collect();
            by_age.sort_unstable();
            for (_, key) in by_age {
                if all.bytes <= self.max_bytes - self.max_bytes / 8
                    && all.map.len() <= self.max_entries - self.max_entries / 8
                {
                    break;
                }
                if let Some(old) = all.map.remove(&key) {
                    all.bytes -= old.size;
                }
            }
        }
        entry
    }

    fn now_ms(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64
    }

    fn peek(&self, key: &str) -> Option<Arc<Entry<V>>> {
        let e = self
            .inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .get(key)
            .cloned()?;
        // Written at most once a millisecond, so a hot entry's line is not written per hit.
        let now = self.now_ms();
        if e.last_used.load(Ordering::Relaxed) != now {
            e.last_used.store(now, Ordering::Relaxed);
        }
        Some(e)
    }

    fn remove(&self, key: &str) {
        let mut all = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = all.map.remove(key) {
            all.bytes -= old.size;
        }
    }

    #[cfg(test)]
    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.inner.read().unwrap().map.keys().map(|k| k.to_string()).collect();
        keys.sort();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAMP: Stamp = Stamp {
        completed_at: None,
        reopened: 0,
    };

    #[test]
    fn the_least_recently_served_go_first_when_full() {
        let cache = FinishedCache::new(1_000, 4);
        for id in ["a", "b", "c", "d"] {
            cache.insert(id, STAMP, (), 100);
            std::thread::sleep(Duration::from_millis(2));
        }
        // `a` served again: `b` is now the oldest.
        assert!(cache.peek("a").is_some());
        std::thread::sleep(Duration::from_millis(2));
        cache.insert("e", STAMP, (), 100);
        assert_eq!(cache.keys(), ["a", "c", "d", "e"]);
        std::thread::sleep(Duration::from_millis(2));
        // Over the byte bound: down to seven eighths of it.
        cache.insert("big", STAMP, (), 800);
        let left = cache.inner.read().unwrap().bytes;
        assert!(left <= 875, "{left}");
        assert!(cache.keys().contains(&"big".to_string()));
    }

    #[test]
    fn replacing_an_entry_counts_its_bytes_once() {
        let cache = FinishedCache::new(1_000, 10);
        cache.insert("a", STAMP, (), 300);
        cache.insert("a", STAMP, (), 200);
        assert_eq!(cache.inner.read().unwrap().bytes, 200);
        cache.remove("a");
        assert_eq!(cache.inner.read().unwrap().bytes, 0);
    }
}
