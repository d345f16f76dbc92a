//! The durable job queue shared by scans and webhook deliveries.
//!
//! A job is claimed by one worker with a lease (`lease_until`); the worker renews it while it
//! runs. A worker that dies stops renewing, the lease lapses, and the job is claimed again, so
//! nothing is lost. Claiming is one atomic `UPDATE … RETURNING`: on PostgreSQL the candidate
//! row is picked with `FOR UPDATE SKIP LOCKED` (many workers never block on each other), on
//! SQLite the single writer makes the statement atomic by itself. Every state change after
//! the claim is conditional on still holding it (`locked_by` and `attempts`), so a worker
//! whose lease was taken over cannot overwrite the new owner's work.

use std::{future::Future, sync::Arc, time::Duration};

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use tokio::sync::watch;

use super::{db::statement, entities::job, state::AppState};
pub use crate::status::{JobKind, JobStatus};

pub type Job = job::Model;

/// How the workers of one kind on one instance claim jobs, fairly across accounts.
///
/// One account's backlog (thousands of deliveries to an endpoint that never answers, scans
/// of slow git servers) must not take every worker: an account may hold at most
/// `per_account` of this instance's workers of the kind (half of them, rounded up), and among
/// the due jobs the one whose account holds the fewest goes first, oldest first within that.
/// So the other half of the workers stays free for everyone else, and a newcomer goes ahead
/// of a backlog as soon as a worker frees up. Each instance counts its own workers (their
/// `locked_by` starts with its prefix) and serializes its own claims (`gate`), so its counts
/// are exact without any lock shared between instances.
#[derive(Clone)]
pub struct Claimer {
    kind: JobKind,
    instance: String,
    per_account: i64,
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl Claimer {
    /// The claimer shared by an instance's `workers` workers of `kind`.
    pub fn new(kind: JobKind, workers: usize) -> Self {
        Self::with_share(kind, workers.div_ceil(2).max(1))
    }

    /// A claimer that lets one account hold up to `per_account` workers.
    pub fn with_share(kind: JobKind, per_account: usize) -> Self {
        Claimer {
            kind,
            instance: crate::server::crypto::random_id()[..8].to_owned(),
            per_account: per_account as i64,
            gate: Arc::default(),
        }
    }

    /// The `locked_by` name of this instance's `i`th worker.
    pub fn worker_id(&self, i: usize) -> String {
        format!("{}-{}-{i}", self.instance, self.kind.as_str())
    }

    /// Claims the next due job for `worker` (see [`claim`]).
    pub async fn claim(&self, db: &impl ConnectionTrait, worker: &str, lease: Duration) -> Result<Option<Job>, DbErr> {
        let _turn = self.gate.lock().await;
        claim(db, self, worker, lease).await
    }
}

/// The loop every worker runs (scan and delivery workers alike): claim a job through
/// `claimer`, hand it to `run`, and with the queue empty wait for a wake-up (a job queued on
/// any instance), the `poll` interval (delayed retries, lapsed leases) or shutdown. Returns
/// once `shutdown` turns true; the job in hand is `run`'s to finish or release.
pub async fn work<F, Fut>(
    state: &AppState,
    claimer: &Claimer,
    worker: &str,
    lease: Duration,
    poll: Duration,
    mut shutdown: watch::Receiver<bool>,
    mut run: F,
) where
    F: FnMut(Job) -> Fut,
    Fut: Future<Output = ()>,
{
    tracing::debug!(worker, "worker started");
    while !*shutdown.borrow() {
        // Armed before claiming, so a job queued between the claim and the wait still wakes us.
        let signal = state.bus.hub().jobs_signal().notified();
        tokio::pin!(signal);
        signal.as_mut().enable();
        match claimer.claim(&state.db, worker, lease).await {
            Ok(Some(job)) => {
                run(job).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(worker, error = %e, "claiming a job failed"),
        }
        tokio::select! {
            _ = &mut signal => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
    tracing::debug!(worker, "worker stopped");
}

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Queues a job to run after `delay` (inside the caller's transaction when given one), on
/// behalf of `account_id` (its fair share of the workers, see [`Claimer`]).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    kind: JobKind,
    ref_id: &str,
    account_id: Option<&str>,
    max_attempts: i32,
    delay: Duration,
) -> Result<i64, DbErr> {
    let now = Utc::now();
    let res = job::Entity::insert(job::ActiveModel {
        kind: Set(kind),
        ref_id: Set(ref_id.to_owned()),
        account_id: Set(account_id.map(str::to_owned)),
        status: Set(JobStatus::Queued),
        attempts: Set(0),
        max_attempts: Set(max_attempts),
        run_at: Set(now.timestamp_millis() + delay.as_millis() as i64),
        lease_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(res.last_insert_id)
}

/// Queues the one job of a periodic `kind` (its `ref_id` is the kind's name) unless it is
/// already there, in whatever state: a unique index (`idx_jobs_one_retention`) makes the
/// insert of every instance but the first do nothing, so instances starting together still
/// make one. Due at once: a fresh deployment purges at start-up.
pub async fn ensure_periodic(db: &impl ConnectionTrait, kind: JobKind) -> Result<(), DbErr> {
    let now = Utc::now();
    let sql = "INSERT INTO jobs (kind, ref_id, status, attempts, max_attempts, run_at, created_at, updated_at) \
               VALUES (?, ?, 'queued', 0, 1, ?, ?, ?) ON CONFLICT DO NOTHING";
    let values = vec![
        kind.into(),
        kind.as_str().into(),
        now.timestamp_millis().into(),
        now.into(),
        now.into(),
    ];
    db.execute_raw(statement(db.get_database_backend(), sql, values))
        .await?;
    Ok(())
}

/// Puts a periodic job back in the queue for its next run after `delay`, as new (its
/// attempts start again: a periodic job never runs out of them); `error` tells an admin why
/// the last run failed. `false`: the lease was lost and nothing was changed.
pub async fn reschedule(
    db: &impl ConnectionTrait,
    job: &Job,
    delay: Duration,
    error: Option<&str>,
) -> Result<bool, DbErr> {
    update_owned(
        db,
        job,
        job::ActiveModel {
            status: Set(JobStatus::Queued),
            attempts: Set(0),
            run_at: Set(now_ms() + delay.as_millis() as i64),
            lease_until: Set(None),
            locked_by: Set(None),
            last_error: Set(error.map(str::to_owned)),
            ..Default::default()
        },
    )
    .await
}

/// Claims the next due job of the claimer's kind (queued and due, or running with a lapsed
/// lease) whose account holds fewer than its share of the claimer's instance's workers,
/// preferring the account holding the fewest, then the oldest job. Call through
/// [`Claimer::claim`], which serializes an instance's claims so the counts hold.
/// The SQL spells the states out (`'queued'`, `'running'`): they are [`JobStatus`]'s stored
/// spellings, kept literal so the statement stays one constant text per backend. A job with
/// no account counts as the anonymous account's.
async fn claim(
    db: &impl ConnectionTrait,
    claimer: &Claimer,
    worker: &str,
    lease: Duration,
) -> Result<Option<Job>, DbErr> {
    let backend = db.get_database_backend();
    let now = now_ms();
    let skip_locked = if backend == DbBackend::Postgres {
        " FOR UPDATE OF j SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?, lease_until = ?, updated_at = ? \
         WHERE id = (SELECT j.id FROM jobs j \
           LEFT JOIN (SELECT COALESCE(account_id, '') AS owner, COUNT(*) AS held FROM jobs \
             WHERE kind = ? AND status = 'running' AND lease_until >= ? AND locked_by LIKE ? \
             GROUP BY COALESCE(account_id, '')) busy ON busy.owner = COALESCE(j.account_id, '') \
           WHERE j.kind = ? AND ((j.status = 'queued' AND j.run_at <= ?) OR (j.status = 'running' AND j.lease_until < ?)) \
             AND COALESCE(busy.held, 0) < ? \
           ORDER BY COALESCE(busy.held, 0), j.run_at, j.id LIMIT 1{skip_locked}) \
         RETURNING *"
    );
    let stmt = statement(
        backend,
        &sql,
        vec![
            worker.into(),
            (now + lease.as_millis() as i64).into(),
            Utc::now().into(),
            claimer.kind.into(),
            now.into(),
            format!("{}-%", claimer.instance).into(),
            claimer.kind.into(),
            now.into(),
            now.into(),
            claimer.per_account.into(),
        ],
    );
    match db.query_one_raw(stmt).await? {
        Some(row) => Ok(Some(Job::from_query_result(&row, "")?)),
        None => Ok(None),
    }
}

/// Conditions every post-claim update on still owning this attempt of the job.
fn owned(job: &Job) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(job::Column::Id.eq(job.id))
        .add(job::Column::Status.eq(JobStatus::Running))
        .add(job::Column::LockedBy.eq(job.locked_by.clone()))
        .add(job::Column::Attempts.eq(job.attempts))
}

async fn update_owned(db: &impl ConnectionTrait, job: &Job, mut am: job::ActiveModel) -> Result<bool, DbErr> {
    am.updated_at = Set(Utc::now());
    let res = job::Entity::update_many().set(am).filter(owned(job)).exec(db).await?;
    Ok(res.rows_affected == 1)
}

/// Extends the lease. `false`: the lease was lost (another worker owns the job now).
pub async fn renew(db: &impl ConnectionTrait, job: &Job, lease: Duration) -> Result<bool, DbErr> {
    update_owned(
        db,
        job,
        job::ActiveModel {
            lease_until: Set(Some(now_ms() + lease.as_millis() as i64)),
            ..Default::default()
        },
    )
    .await
}

/// Marks the job done. `false`: the lease was lost and nothing was changed.
pub async fn complete(db: &impl ConnectionTrait, job: &Job) -> Result<bool, DbErr> {
    update_owned(
        db,
        job,
        job::ActiveModel {
            status: Set(JobStatus::Done),
            lease_until: Set(None),
            last_error: Set(None),
            ..Default::default()
        },
    )
    .await
}

/// Schedules another attempt after `delay`.
pub async fn retry(db: &impl ConnectionTrait, job: &Job, delay: Duration, error: &str) -> Result<bool, DbErr> {
    update_owned(
        db,
        job,
        job::ActiveModel {
            status: Set(JobStatus::Queued),
            run_at: Set(now_ms() + delay.as_millis() as i64),
            lease_until: Set(None),
            locked_by: Set(None),
            last_error: Set(Some(error.to_owned())),
            ..Default::default()
        },
    )
    .await
}

/// Ends the job for good: `failed` (a permanent error) or `dead` (attempts used up; visible
/// and re-runnable with [`requeue`]).
pub async fn finish_failed(db: &impl ConnectionTrait, job: &Job, dead: bool, error: &str) -> Result<bool, DbErr> {
    update_owned(
        db,
        job,
        job::ActiveModel {
            status: Set(if dead { JobStatus::Dead } else { JobStatus::Failed }),
            lease_until: Set(None),
            last_error: Set(Some(error.to_owned())),
            ..Default::default()
        },
    )
    .await
}

/// Hands a claimed job back untouched (graceful shutdown): the attempt does not count.
pub async fn release(db: &impl ConnectionTrait, job: &Job) -> Result<bool, DbErr> {
    update_owned(
        db,
        job,
        job::ActiveModel {
            status: Set(JobStatus::Queued),
            attempts: Set(job.attempts - 1),
            run_at: Set(now_ms()),
            lease_until: Set(None),
            locked_by: Set(None),
            ..Default::default()
        },
    )
    .await
}

/// Runs a finished (dead or failed) job again from a clean slate.
pub async fn requeue(db: &impl ConnectionTrait, id: i64) -> Result<Option<Job>, DbErr> {
    let res = job::Entity::update_many()
        .set(job::ActiveModel {
            status: Set(JobStatus::Queued),
            attempts: Set(0),
            run_at: Set(now_ms()),
            lease_until: Set(None),
            locked_by: Set(None),
            updated_at: Set(Utc::now()),
            ..Default::default()
        })
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.is_in([JobStatus::Dead, JobStatus::Failed]))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    job::Entity::find_by_id(id).one(db).await
}

/// Jobs in one state, newest first (the dead-letter view).
pub async fn list(db: &impl ConnectionTrait, status: JobStatus, limit: u64) -> Result<Vec<Job>, DbErr> {
    job::Entity::find()
        .filter(job::Column::Status.eq(status))
        .order_by_desc(job::Column::UpdatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// One page of the jobs in one state, newest first by creation (`GET /v1/admin/jobs`).
pub async fn list_page(
    db: &impl ConnectionTrait,
    status: &str,
    page: &crate::server::paging::PageRequest,
) -> crate::server::error::ServiceResult<crate::server::paging::Paged<Job>> {
    use crate::server::paging::{self, Cursor};
    let sel = job::Entity::find().filter(job::Column::Status.eq(status));
    let sel = paging::keyset(sel, job::Column::CreatedAt, job::Column::Id, page, paging::numeric_id)?;
    paging::fetch(db, sel, page.limit, |j| Cursor::new(j.created_at, j.id)).await
}

/// The newest job for a scan or delivery.
pub async fn for_ref(db: &impl ConnectionTrait, kind: JobKind, ref_id: &str) -> Result<Option<Job>, DbErr> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::RefId.eq(ref_id))
        .order_by_desc(job::Column::Id)
        .one(db)
        .await
}

/// Jobs of one kind in one state, with the oldest `run_at` among them.
#[derive(Debug, FromQueryResult)]
pub struct Depth {
    pub kind: JobKind,
    /// `ready` (queued, due now), `delayed` (queued until a retry's time), `running` or `dead`.
    pub state: String,
    pub jobs: i64,
    pub oldest_run_at: Option<i64>,
}

/// The states `depth` reports. Finished jobs are not counted: neither `done` nor `failed` (a
/// scan that failed for good, e.g. a repository that does not exist, is an answer, not work).
/// `ready` and `delayed` split [`JobStatus::Queued`] by `run_at`; they are metric labels, not
/// stored states.
pub const DEPTH_STATES: [&str; 4] = [
    "ready",
    "delayed",
    JobStatus::Running.as_str(),
    JobStatus::Dead.as_str(),
];

/// The queue at a glance, the figure to scale workers and alert on: jobs per kind and state.
/// One grouped query over unfinished and dead-lettered jobs, which the claim index covers,
/// so it stays cheap however many finished jobs the table holds (dead letters wait for an
/// admin and stay few). Its SQL spells [`JobStatus`]'s stored states out, as [`claim`]'s does.
pub async fn depth(db: &impl ConnectionTrait) -> Result<Vec<Depth>, DbErr> {
    let sql = "SELECT kind, \
                 CASE WHEN status = 'queued' AND run_at > ? THEN 'delayed' WHEN status = 'queued' THEN 'ready' ELSE status END AS state, \
                 COUNT(*) AS jobs, MIN(run_at) AS oldest_run_at \
               FROM jobs WHERE status IN ('queued', 'running', 'dead') GROUP BY 1, 2";
    Depth::find_by_statement(statement(db.get_database_backend(), sql, vec![now_ms().into()]))
        .all(db)
        .await
}

/// Running jobs of a kind (for metrics and tests of the concurrency bound).
pub async fn running(db: &impl ConnectionTrait, kind: JobKind) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Status.eq(JobStatus::Running))
        .count(db)
        .await
}
