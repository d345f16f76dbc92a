//! Scan events: stored in `scan_events` (so any instance can replay and resume a stream) and
//! fanned out live through an [`EventBus`]. The in-process bus is a map of broadcast
//! channels, one per watched scan; the scale-out mode puts a Redis transport in front of the
//! same hub so a subscriber on one instance sees a scan run on another.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, Notify};

pub use crate::events::StreamEvent;
use crate::server::entities::scan_event;

/// One server-sent event of a scan. `seq` is the SSE `id:`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanEvent {
    pub scan_id: String,
    pub seq: i32,
    /// The SSE `event:` name (serialised as it, for the Redis bus too).
    pub event: StreamEvent,
    pub data: serde_json::Value,
}

impl ScanEvent {
    pub fn is_terminal(&self) -> bool {
        self.event.is_terminal()
    }
}

/// Stores an event (inside the caller's transaction when given one). Publish it after commit.
pub async fn store(db: &impl ConnectionTrait, ev: &ScanEvent) -> Result<(), DbErr> {
    scan_event::Entity::insert(scan_event::ActiveModel {
        scan_id: Set(ev.scan_id.clone()),
        seq: Set(ev.seq),
        event: Set(ev.event),
        data: Set(ev.data.to_string()),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await?;
    Ok(())
}

fn from_row(m: scan_event::Model) -> ScanEvent {
    ScanEvent {
        scan_id: m.scan_id,
        seq: m.seq,
        event: m.event,
        data: serde_json::from_str(&m.data).unwrap_or_default(),
    }
}

/// Stored events of a scan after `after_seq`, oldest first.
pub async fn since(db: &impl ConnectionTrait, scan_id: &str, after_seq: i32) -> Result<Vec<ScanEvent>, DbErr> {
    Ok(scan_event::Entity::find()
        .filter(scan_event::Column::ScanId.eq(scan_id))
        .filter(scan_event::Column::Seq.gt(after_seq))
        .order_by_asc(scan_event::Column::Seq)
        .limit(1000)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// The newest stored event of a scan.
pub async fn last(db: &impl ConnectionTrait, scan_id: &str) -> Result<Option<ScanEvent>, DbErr> {
    Ok(scan_event::Entity::find()
        .filter(scan_event::Column::ScanId.eq(scan_id))
        .order_by_desc(scan_event::Column::Seq)
        .one(db)
        .await?
        .map(from_row))
}

/// Deletes the progress of scans that ended before `ended_before`, at most `batch` scans at
/// a time (the retention purge, `AURA_RETENTION_SCAN_EVENTS_DAYS`): every stored event but
/// the outcome, which a finished scan's stream replays (and after which a re-run's events
/// are numbered). A queued or running scan's events are never touched: the statement itself
/// checks the scan is still finished. Returns how many events; `0`: none is left.
pub async fn purge_ended_batch(
    db: &impl ConnectionTrait,
    ended_before: chrono::DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbErr> {
    use sea_orm::sea_query::Query;

    use crate::{server::entities::scan, status::ScanStatus};

    let finished = [ScanStatus::Completed, ScanStatus::Failed];
    let progress: Vec<StreamEvent> = StreamEvent::ALL.iter().copied().filter(|e| !e.is_terminal()).collect();
    let with_progress = Query::select()
        .column(scan_event::Column::ScanId)
        .from(scan_event::Entity)
        .and_where(scan_event::Column::Event.is_in(progress.clone()))
        .to_owned();
    let ids: Vec<String> = scan::Entity::find()
        .select_only()
        .column(scan::Column::Id)
        .filter(scan::Column::Status.is_in(finished))
        .filter(scan::Column::CompletedAt.lt(ended_before))
        .filter(scan::Column::Id.in_subquery(with_progress))
        .limit(batch)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    // Checked again in the delete: a scan re-run since is queued or running, and kept.
    let still_finished = Query::select()
        .column(scan::Column::Id)
        .from(scan::Entity)
        .and_where(scan::Column::Id.is_in(ids))
        .and_where(scan::Column::Status.is_in(finished))
        .and_where(scan::Column::CompletedAt.lt(ended_before))
        .to_owned();
    let res = scan_event::Entity::delete_many()
        .filter(scan_event::Column::ScanId.in_subquery(still_finished))
        .filter(scan_event::Column::Event.is_in(progress))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// How events and job wake-ups travel between instances.
#[async_trait::async_trait]
pub trait EventBus: Send + Sync + 'static {
    /// Delivers a stored event to every subscriber of its scan, on every instance.
    async fn publish(&self, ev: &ScanEvent);
    /// Wakes idle workers (on every instance): a job is ready.
    async fn notify_jobs(&self);
    /// The local hub subscribers and workers listen on.
    fn hub(&self) -> &Hub;
}

/// Per-process fan-out: one broadcast channel per scan that has subscribers, plus the
/// workers' wake-up signal. A publish to a scan nobody watches costs one map lookup.
#[derive(Default)]
pub struct Hub {
    channels: Mutex<HashMap<String, broadcast::Sender<ScanEvent>>>,
    jobs: Notify,
    /// Log pollers running ([`super::feeds`]): one per watched, unfinished scan.
    pollers: Arc<std::sync::atomic::AtomicUsize>,
}

impl Hub {
    pub fn subscribe(&self, scan_id: &str) -> broadcast::Receiver<ScanEvent> {
        self.join(scan_id).0
    }

    /// Subscribes to a scan's channel, creating it if nobody on this instance watches the
    /// scan yet; then also returns a weak handle to the new channel (for its one log poller,
    /// [`super::feeds`]), which stops upgrading once the channel is dropped from the map.
    pub fn join(&self, scan_id: &str) -> (broadcast::Receiver<ScanEvent>, Option<broadcast::WeakSender<ScanEvent>>) {
        let mut map = self.channels.lock().expect("hub lock");
        // Drop channels whose subscribers have all gone, so the map only holds live scans.
        map.retain(|_, tx| tx.receiver_count() > 0);
        match map.get(scan_id) {
            Some(tx) => (tx.subscribe(), None),
            None => {
                let (tx, rx) = broadcast::channel(64);
                let weak = tx.downgrade();
                map.insert(scan_id.to_owned(), tx);
                (rx, Some(weak))
            }
        }
    }

    pub fn deliver(&self, ev: &ScanEvent) {
        let map = self.channels.lock().expect("hub lock");
        if let Some(tx) = map.get(&ev.scan_id) {
            let _ = tx.send(ev.clone());
        }
    }

    pub fn wake_workers(&self) {
        self.jobs.notify_waiters();
    }

    /// The wake-up signal. Workers create (and `enable`) a `notified()` future *before*
    /// looking for work, so a job queued between the look and the wait is not missed.
    pub fn jobs_signal(&self) -> &Notify {
        &self.jobs
    }

    /// Counts a log poller for as long as the returned guard lives.
    pub fn poller(&self) -> PollerRunning {
        self.pollers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        PollerRunning(self.pollers.clone())
    }

    /// Log pollers running on this instance.
    pub fn log_pollers(&self) -> usize {
        self.pollers.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Scans currently watched on this instance.
    pub fn watched(&self) -> usize {
        self.channels
            .lock()
            .expect("hub lock")
            .values()
            .filter(|tx| tx.receiver_count() > 0)
            .count()
    }
}

/// One running log poller, counted by its hub until dropped.
pub struct PollerRunning(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for PollerRunning {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The single-machine bus.
#[derive(Default)]
pub struct LocalBus {
    hub: Hub,
}

impl LocalBus {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
}

#[async_trait::async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, ev: &ScanEvent) {
        self.hub.deliver(ev);
    }
    async fn notify_jobs(&self) {
        self.hub.wake_workers();
    }
    fn hub(&self) -> &Hub {
        &self.hub
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fan_out_reaches_every_subscriber_of_that_scan_only() {
        let bus = LocalBus::new();
        let mut a = bus.hub().subscribe("s1");
        let mut b = bus.hub().subscribe("s1");
        let mut other = bus.hub().subscribe("s2");
        let ev = ScanEvent {
            scan_id: "s1".into(),
            seq: 1,
            event: StreamEvent::Progress,
            data: serde_json::json!({"percent": 5}),
        };
        bus.publish(&ev).await;
        assert_eq!(a.recv().await.unwrap(), ev);
        assert_eq!(b.recv().await.unwrap(), ev);
        assert!(other.try_recv().is_err());
        drop((a, b));
        let _c = bus.hub().subscribe("s3");
        assert_eq!(bus.hub().watched(), 2, "s1's channel is dropped once unwatched");
    }
}
