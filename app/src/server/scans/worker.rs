//! Scan workers: claim a scan job, run the engine, stream progress, store the outcome.
//!
//! Each worker holds at most one job, so `AURA_SCAN_WORKERS` bounds the scans running in a
//! process. A claimed job's lease is renewed while the engine runs; if renewal finds the job
//! taken over (this worker stalled past its lease), the run is abandoned without writing.
//! On shutdown a running scan gets a grace period to finish, then its job is released for
//! another worker (the attempt does not count). The outcome, its final event and the job's
//! completion are one transaction, so a crash leaves either all of them or none.

use std::{future::Future, time::Duration};

use aura_engine::{parse_repo_target_with, ProgressSink, ScanError, ScanResult};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use tokio::{sync::mpsc, sync::watch, task::JoinHandle};

use crate::server::{
    entities::scan,
    jobs::{self, Job, JobKind},
    scans::events::{self, ScanEvent, StreamEvent},
    scans::similarity,
    scans::{self, lifecycle, Scan, ScanRequest},
    state::AppState,
    webhooks::deliveries::{self, Outcome},
};
use crate::status::ScanStatus;

/// Idle workers look for due jobs this often even without a wake-up (delayed retries,
/// jobs queued by another instance without a shared bus).
const POLL: Duration = Duration::from_secs(2);
/// How long a running scan may take to finish once shutdown begins before it is released.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Starts `config.scan_workers` workers. They stop when `shutdown` turns true.
pub fn spawn_scan_workers(state: &AppState, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let claimer = jobs::Claimer::new(JobKind::Scan, state.config.scan_workers);
    (0..state.config.scan_workers)
        .map(|i| {
            let worker = Worker {
                state: state.clone(),
                id: claimer.worker_id(i),
                claimer: claimer.clone(),
            };
            tokio::spawn(worker.run(shutdown.clone()))
        })
        .collect()
}

struct Worker {
    state: AppState,
    id: String,
    claimer: jobs::Claimer,
}

// One value per scan run, moved once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Ending {
    Finished(Result<(ScanResult, Option<aura_engine::Fingerprint>), ScanError>),
    LeaseLost,
    Shutdown,
}

impl Worker {
    async fn run(self, shutdown: watch::Receiver<bool>) {
        let this = &self;
        let watching = shutdown.clone();
        jobs::work(
            &self.state,
            &self.claimer,
            &self.id,
            self.state.config.job_lease,
            POLL,
            shutdown,
            move |job| {
                // Its own receiver: the running scan watches for shutdown to release its job.
                let mut shutdown = watching.clone();
                async move { this.run_job(job, &mut shutdown).await }
            },
        )
        .await;
    }

    // One span per scan run, so every line the engine and worker log names its scan and attempt.
    #[tracing::instrument(name = "scan_job", skip_all, fields(scan_id = %job.ref_id, job_id = job.id, attempt = job.attempts))]
    async fn run_job(&self, job: Job, shutdown: &mut watch::Receiver<bool>) {
        let db = &self.state.db;
        let scan = match scans::get(db, &job.ref_id).await {
            Ok(s) => s,
            Err(crate::server::error::ServiceError::NotFound(_)) => {
                let _ = jobs::finish_failed(db, &job, false, "scan record missing").await;
                return;
            }
            Err(e) => {
                // Leave the job to its lease: it is claimed again once the database answers.
                tracing::warn!(job = job.id, error = %e, "loading a scan failed");
                return;
            }
        };
        if scan.status.is_finished() {
            let _ = jobs::complete(db, &job).await;
            return;
        }
        metrics::counter!("scan_jobs_claimed_total").increment(1);
        if job.attempts > job.max_attempts {
            // Claimed again after its worker died on the last attempt: a poison job.
            let msg = format!("The scan was interrupted {} times; giving up.", job.max_attempts);
            self.finish_failed(&job, &scan, &msg, true).await;
            return;
        }
        if let Err(e) = lifecycle::start(db, &scan, job.attempts).await {
            tracing::warn!(scan = %scan.id, error = %e, "marking a scan running failed");
            return;
        }
        let last_seq = match events::last(db, &scan.id).await {
            Ok(e) => e.map(|e| e.seq).unwrap_or(0),
            Err(e) => {
                tracing::warn!(scan = %scan.id, error = %e, "reading scan events failed");
                return;
            }
        };
        let (sink, writer) = ProgressWriter::start(self.state.clone(), scan.id.clone(), last_seq, scan.progress);
        if last_seq == 0 {
            sink.send(
                StreamEvent::ScanStarted,
                json!({"scanId": scan.id, "repo": scan.target}),
            );
        }

        let started = std::time::Instant::now();
        let ending = self.supervise(&job, self.execute(&scan, &sink), shutdown).await;
        drop(sink);
        let (seq, percent) = writer.await.unwrap_or((last_seq, scan.progress));
        metrics::histogram!("scan_duration_seconds").record(started.elapsed().as_secs_f64());

        match ending {
            Ending::Finished(Ok((result, fp))) => self.finish_completed(&job, &scan, seq, result, fp).await,
            Ending::Finished(Err(e)) if e.is_retryable() && job.attempts < job.max_attempts => {
                let delays = &self.state.config.scan_retry_delays;
                let delay = delays
                    .get(job.attempts as usize - 1)
                    .or(delays.last())
                    .copied()
                    .unwrap_or(Duration::ZERO);
                let msg = format!("{} Retrying in {} s.", e.message, delay.as_secs());
                tracing::info!(scan = %scan.id, attempt = job.attempts, error = %e.message, "transient scan failure; retrying");
                if let Ok(true) = jobs::retry(db, &job, delay, &e.message).await {
                    let _ = lifecycle::requeue(db, &scan.id).await;
                    self.emit(ScanEvent {
                        scan_id: scan.id.clone(),
                        seq: seq + 1,
                        event: StreamEvent::Progress,
                        data: json!({"percent": percent, "message": msg}),
                    })
                    .await;
                }
            }
            Ending::Finished(Err(e)) => {
                let dead = e.is_retryable();
                let msg = if dead {
                    format!("{} (gave up after {} attempts)", e.message, job.attempts)
                } else {
                    e.message.clone()
                };
                self.finish_failed_at(&job, &scan, seq, &msg, dead).await;
            }
            Ending::LeaseLost => {
                tracing::warn!(scan = %scan.id, "lease lost; another worker owns this scan now");
            }
            Ending::Shutdown => {
                if let Ok(true) = jobs::release(db, &job).await {
                    let _ = lifecycle::requeue(db, &scan.id).await;
                    tracing::info!(scan = %scan.id, "released a running scan at shutdown");
                }
            }
        }
    }

    /// Runs `work` while renewing the lease; stops early when the lease is lost or when
    /// shutdown has lasted longer than the grace period.
    async fn supervise<F>(&self, job: &Job, work: F, shutdown: &mut watch::Receiver<bool>) -> Ending
    where
        F: Future<Output = Result<(ScanResult, Option<aura_engine::Fingerprint>), ScanError>>,
    {
        tokio::pin!(work);
        let lease = self.state.config.job_lease;
        // Renewed every quarter of the lease, so one missed renewal never loses the claim.
        let mut renew = tokio::time::interval(lease / 4);
        renew.tick().await;
        let far = tokio::time::Instant::now() + Duration::from_secs(365 * 24 * 3600);
        let deadline = tokio::time::sleep_until(far);
        tokio::pin!(deadline);
        let mut draining = false;
        loop {
            // Checked each turn, not only through `changed()`: a shutdown that arrived while a
            // renewal was being awaited must still start the grace period.
            if *shutdown.borrow() && !draining {
                draining = true;
                deadline.as_mut().reset(tokio::time::Instant::now() + SHUTDOWN_GRACE);
            }
            tokio::select! {
                r = &mut work => return Ending::Finished(r),
                _ = renew.tick() => match jobs::renew(&self.state.db, job, lease).await {
                    Ok(true) => {}
                    Ok(false) => return Ending::LeaseLost,
                    // A database hiccup: keep running; the next tick tries again.
                    Err(e) => tracing::warn!(job = job.id, error = %e, "lease renewal failed"),
                },
                // Wakes the loop, whose first step starts the grace period. A dropped sender
                // can never say "stop": stop watching it and let the scan finish.
                changed = shutdown.changed(), if !draining => {
                    if changed.is_err() {
                        draining = true;
                    }
                }
                _ = &mut deadline => return Ending::Shutdown,
            }
        }
    }

    async fn execute(
        &self,
        scan: &Scan,
        sink: &ChannelSink,
    ) -> Result<(ScanResult, Option<aura_engine::Fingerprint>), ScanError> {
        let request: ScanRequest = serde_json::from_str(&scan.request)
            .map_err(|e| ScanError::permanent(format!("Unreadable scan request: {e}")))?;
        let engine = &self.state.engine;
        let private = self.state.config.allow_private_targets;
        let parse = |t: &str| parse_repo_target_with(t, private).map_err(|e| ScanError::permanent(e.to_string()));
        match request {
            ScanRequest::Repo { target } => {
                let t = parse(&target)?;
                let mut outcome = engine.scan_repo(&t, sink).await?;
                match similarity::near_duplicate(&self.state.db, &scan.target, &outcome.fingerprint).await {
                    Ok(Some(m)) => similarity::apply(&mut outcome.result, &t.display_name(), &m),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(scan = %scan.id, error = %e, "similarity lookup failed"),
                }
                Ok((outcome.result, Some(outcome.fingerprint)))
            }
            ScanRequest::XProfile { handle } => Ok((engine.scan_x_profile(&handle, sink).await?, None)),
            ScanRequest::Compare { a, b } => {
                let ta = parse(&a)?;
                let tb = parse(&b)?;
                Ok((engine.compare(&ta, &tb, sink).await?, None))
            }
        }
    }

    async fn emit(&self, ev: ScanEvent) {
        match events::store(&self.state.db, &ev).await {
            Ok(()) => self.state.bus.publish(&ev).await,
            Err(e) => tracing::warn!(scan = %ev.scan_id, error = %e, "storing a scan event failed"),
        }
    }

    async fn finish_completed(
        &self,
        job: &Job,
        s: &Scan,
        seq: i32,
        result: ScanResult,
        fp: Option<aura_engine::Fingerprint>,
    ) {
        let ev = ScanEvent {
            scan_id: s.id.clone(),
            seq: seq + 1,
            event: StreamEvent::ScanCompleted,
            data: json!({
                "scanId": s.id,
                "score": result.score,
                "grade": result.grade.as_str(),
                "verdict": result.verdict.as_str(),
                "reportUrl": scans::report_url(&self.state.config, &s.id),
            }),
        };
        let db = &self.state.db;
        let res: Result<bool, DbErr> = async {
            let txn = db.begin().await?;
            if !jobs::complete(&txn, job).await? {
                txn.rollback().await?;
                return Ok(false);
            }
            let json = serde_json::to_string(&result).map_err(|e| DbErr::Custom(e.to_string()))?;
            lifecycle::complete(&txn, &s.id, json).await?;
            events::store(&txn, &ev).await?;
            if let Some(fp) = &fp {
                similarity::index(&txn, &s.id, &s.target, fp).await?;
            }
            deliveries::enqueue_for_scan(&txn, &self.state.config, s, &Outcome::Completed(&result))
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            txn.commit().await?;
            Ok(true)
        }
        .await;
        self.after_finish(s, ev, res, ScanStatus::Completed).await;
    }

    async fn finish_failed(&self, job: &Job, s: &Scan, message: &str, dead: bool) {
        let seq = events::last(&self.state.db, &s.id)
            .await
            .ok()
            .flatten()
            .map(|e| e.seq)
            .unwrap_or(0);
        self.finish_failed_at(job, s, seq, message, dead).await
    }

    async fn finish_failed_at(&self, job: &Job, s: &Scan, seq: i32, message: &str, dead: bool) {
        let ev = ScanEvent {
            scan_id: s.id.clone(),
            seq: seq + 1,
            event: StreamEvent::ScanFailed,
            data: json!({"scanId": s.id, "error": message}),
        };
        let db = &self.state.db;
        let res: Result<bool, DbErr> = async {
            let txn = db.begin().await?;
            if !jobs::finish_failed(&txn, job, dead, message).await? {
                txn.rollback().await?;
                return Ok(false);
            }
            lifecycle::fail(&txn, &s.id, message).await?;
            events::store(&txn, &ev).await?;
            deliveries::enqueue_for_scan(&txn, &self.state.config, s, &Outcome::Failed(message))
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            txn.commit().await?;
            Ok(true)
        }
        .await;
        self.after_finish(s, ev, res, ScanStatus::Failed).await;
    }

    async fn after_finish(&self, s: &Scan, ev: ScanEvent, res: Result<bool, DbErr>, outcome: ScanStatus) {
        match res {
            Ok(true) => {
                metrics::counter!("scans_finished_total", "outcome" => outcome.as_str()).increment(1);
                self.state.bus.publish(&ev).await;
                // Deliveries were queued with the outcome.
                self.state.bus.notify_jobs().await;
            }
            Ok(false) => tracing::warn!(scan = %s.id, "lease lost before storing the outcome; the new owner will"),
            // The job stays claimed until its lease lapses, then runs again.
            Err(e) => tracing::error!(scan = %s.id, error = %e, "storing a scan outcome failed"),
        }
    }
}

/// The engine's progress callback is synchronous; it hands events to a task that stores
/// and publishes them in order. Percent never goes down, even across retries.
#[derive(Clone)]
struct ChannelSink(mpsc::UnboundedSender<(StreamEvent, serde_json::Value)>);

impl ChannelSink {
    fn send(&self, event: StreamEvent, data: serde_json::Value) {
        let _ = self.0.send((event, data));
    }
}

impl ProgressSink for ChannelSink {
    fn progress(&self, percent: u8, message: &str) {
        self.send(StreamEvent::Progress, json!({"percent": percent, "message": message}));
    }
}

struct ProgressWriter;

impl ProgressWriter {
    /// Returns the sink and a task that resolves to the last stored sequence number and
    /// percent once every sender is dropped.
    fn start(state: AppState, scan_id: String, mut seq: i32, progress: i16) -> (ChannelSink, JoinHandle<(i32, i16)>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<(StreamEvent, serde_json::Value)>();
        let task = tokio::spawn(async move {
            let mut high = progress.clamp(0, 100);
            while let Some((event, mut data)) = rx.recv().await {
                if event == StreamEvent::Progress {
                    let p = data["percent"].as_i64().unwrap_or(0).clamp(0, 100) as i16;
                    // 100 is said by the final event, after the outcome is stored.
                    high = high.max(p.min(99));
                    data["percent"] = json!(high);
                }
                let ev = ScanEvent {
                    scan_id: scan_id.clone(),
                    seq: seq + 1,
                    event,
                    data,
                };
                if let Err(e) = store_progress(&state.db, &ev, high).await {
                    tracing::warn!(scan = %scan_id, error = %e, "storing progress failed");
                    continue;
                }
                seq += 1;
                state.bus.publish(&ev).await;
            }
            (seq, high)
        });
        (ChannelSink(tx), task)
    }
}

async fn store_progress(db: &DatabaseConnection, ev: &ScanEvent, percent: i16) -> Result<(), DbErr> {
    events::store(db, ev).await?;
    scan::Entity::update_many()
        .col_expr(scan::Column::Progress, sea_orm::sea_query::Expr::value(percent))
        .filter(sea_orm::ColumnTrait::eq(&scan::Column::Id, ev.scan_id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}
