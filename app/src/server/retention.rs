//! Retention: the periodic purge of what would otherwise grow for ever — audit log entries,
//! raw usage events (rolled into daily totals first), scans' progress events and finished
//! webhook deliveries — after the periods of `AURA_RETENTION_*` ([`Retention`]).
//!
//! **One instance at a time.** The purge is a job in the durable queue (kind `retention`),
//! one row that reschedules itself every `AURA_RETENTION_INTERVAL_SECS`: every worker
//! process polls for it, one claims it under a lease (as scans and deliveries are claimed),
//! renews the lease between batches, and puts it back for the next run. A worker that dies
//! mid-purge stops renewing; another takes over once the lease lapses.
//!
//! **Never a long lock.** Everything is deleted in batches of at most [`BATCH`] rows (100
//! scans' events), each its own short statement or transaction, so writers wait at most one
//! batch. Nothing still in use is deleted: a pending delivery, a queued or running scan's
//! events, the outcome event a finished scan's stream replays.

use std::{
    future::Future,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::{sync::watch, task::JoinHandle};

use super::{
    accounts::usage_totals,
    audit,
    config::Retention,
    jobs::{self, Job, JobKind},
    scans::events,
    state::AppState,
    webhooks::deliveries,
};

/// Rows per batch: small enough that a batch is a few milliseconds of locking.
pub const BATCH: u64 = 1_000;
/// Scans per batch of the scan-events purge (each has a handful of progress events).
const SCANS_PER_BATCH: u64 = 100;
/// How long a claim of the purge lasts without renewal; renewed after every batch.
const LEASE: Duration = Duration::from_secs(60);
/// How often an idle worker looks whether the purge is due (at most; sooner with a shorter
/// interval). One indexed `UPDATE` that finds nothing.
const POLL: Duration = Duration::from_secs(60);
/// The wait before another try after a failed run (a database blip).
const AFTER_FAILURE: Duration = Duration::from_secs(300);

/// What one purge removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub audit: u64,
    /// Raw usage events rolled into daily totals (and deleted).
    pub usage_events: u64,
    pub scan_events: u64,
    pub deliveries: u64,
    /// Stopped before the end (lease lost or shutting down); the next run continues.
    pub interrupted: bool,
}

/// Runs one purge under `policy` as of `now`. After every batch `go_on` is asked whether to
/// continue (the job renews its lease there and checks for shutdown); `false` stops the
/// purge, the rest waits for the next run. Returns what was removed.
pub async fn purge<F>(
    db: &DatabaseConnection,
    policy: &Retention,
    now: DateTime<Utc>,
    mut go_on: impl FnMut() -> F,
) -> Result<Purged, DbErr>
where
    F: Future<Output = bool>,
{
    let mut done = Purged::default();
    let stop = &mut done.interrupted;
    if let Some(cutoff) = Retention::cutoff(policy.audit_days, now) {
        done.audit = batches(&mut go_on, stop, BATCH, || audit::purge_batch(db, cutoff, BATCH)).await?;
    }
    if let Some(cutoff) = Retention::cutoff(policy.usage_days, now) {
        done.usage_events = batches(&mut go_on, stop, BATCH, || {
            usage_totals::roll_up_batch(db, cutoff, BATCH)
        })
        .await?;
    }
    if let Some(cutoff) = Retention::cutoff(policy.scan_events_days, now) {
        // A batch of scans removes an unknown number of events: go on until one finds none.
        done.scan_events = batches(&mut go_on, stop, 1, || {
            events::purge_ended_batch(db, cutoff, SCANS_PER_BATCH)
        })
        .await?;
    }
    if let Some(cutoff) = Retention::cutoff(policy.deliveries_days, now) {
        done.deliveries = batches(&mut go_on, stop, BATCH, || deliveries::purge_batch(db, cutoff, BATCH)).await?;
    }
    Ok(done)
}

/// Runs `batch` until it removes fewer than `full` rows (nothing older is left), asking
/// `go_on` between batches; once told to stop, runs nothing more. Returns the rows removed.
async fn batches<F, B>(
    go_on: &mut impl FnMut() -> F,
    stopped: &mut bool,
    full: u64,
    mut batch: impl FnMut() -> B,
) -> Result<u64, DbErr>
where
    F: Future<Output = bool>,
    B: Future<Output = Result<u64, DbErr>>,
{
    let mut total = 0;
    while !*stopped {
        let n = batch().await?;
        total += n;
        if n < full || n == 0 {
            break;
        }
        if !go_on().await {
            *stopped = true;
        }
    }
    Ok(total)
}

/// Starts the purge's worker on this worker process: it makes sure the retention job exists,
/// then claims it whenever it is due, runs [`purge`] and reschedules it. Stops at shutdown.
pub fn spawn(state: &AppState, shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    let state = state.clone();
    let claimer = jobs::Claimer::new(JobKind::Retention, 1);
    tokio::spawn(async move { run(state, claimer, shutdown).await })
}

async fn run(state: AppState, claimer: jobs::Claimer, mut shutdown: watch::Receiver<bool>) {
    let worker = claimer.worker_id(0);
    let policy = state.config.retention;
    let poll = POLL.min(policy.interval);
    let mut ensured = false;
    while !*shutdown.borrow() {
        if !ensured {
            match jobs::ensure_periodic(&state.db, JobKind::Retention).await {
                Ok(()) => ensured = true,
                Err(e) => tracing::warn!(error = %e, "queueing the retention job failed; retrying"),
            }
        }
        match claimer.claim(&state.db, &worker, LEASE).await {
            Ok(Some(job)) => run_job(&state, &job, &policy, &shutdown).await,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "claiming the retention job failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// One claimed run: purge, renewing the lease between batches, then reschedule.
async fn run_job(state: &AppState, job: &Job, policy: &Retention, shutdown: &watch::Receiver<bool>) {
    let db = &state.db;
    let lease_lost = AtomicBool::new(false);
    let go_on = || {
        let lost = &lease_lost;
        async move {
            if *shutdown.borrow() {
                return false;
            }
            let renewed = jobs::renew(db, job, LEASE).await.unwrap_or(false);
            if !renewed {
                lost.store(true, Ordering::Relaxed);
            }
            renewed
        }
    };
    let started = std::time::Instant::now();
    let outcome = purge(db, policy, Utc::now(), go_on).await;
    if lease_lost.load(Ordering::Relaxed) {
        // Another worker owns the job now; it continues.
        tracing::warn!("retention purge lost its lease; another worker continues");
        return;
    }
    let (delay, error) = match &outcome {
        Ok(p) => {
            tracing::info!(
                audit = p.audit,
                usage_events = p.usage_events,
                scan_events = p.scan_events,
                deliveries = p.deliveries,
                interrupted = p.interrupted,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "retention purge"
            );
            metrics::counter!("retention_purged_total", "table" => "audit_log").increment(p.audit);
            metrics::counter!("retention_purged_total", "table" => "usage_events").increment(p.usage_events);
            metrics::counter!("retention_purged_total", "table" => "scan_events").increment(p.scan_events);
            metrics::counter!("retention_purged_total", "table" => "deliveries").increment(p.deliveries);
            // Cut short by shutdown: the next worker to start picks it up at once.
            let delay = if p.interrupted { Duration::ZERO } else { policy.interval };
            (delay, None)
        }
        Err(e) => {
            tracing::warn!(error = %e, "retention purge failed; retrying later");
            (AFTER_FAILURE.min(policy.interval), Some(e.to_string()))
        }
    };
    if let Err(e) = jobs::reschedule(db, job, delay, error.as_deref()).await {
        // The lease lapses and the job is claimed again.
        tracing::warn!(error = %e, "rescheduling the retention job failed");
    }
}
