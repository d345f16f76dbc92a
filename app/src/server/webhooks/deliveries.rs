//! Deliveries: one per finished scan and matching endpoint (plus one to the scan's own
//! `callback_url`), queued in the durable job queue inside the transaction that finishes the
//! scan, so a crash cannot separate the two. The body is fixed at that moment and sent
//! byte-for-byte on every attempt; the id stays the same across retries.
//!
//! The functions the edges call (a test event, a redelivery, a replay, a cached scan's
//! callback) wake the delivery workers themselves once their jobs are committed, so no
//! caller can queue a delivery and forget to; inside a transaction ([`enqueue_for_scan`])
//! the wake-up is the committer's.

use std::time::Duration;

use aura_engine::ScanResult;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set, TransactionTrait,
};
use serde_json::json;

use super::events_of;
use crate::server::{
    config::Config,
    crypto,
    entities::{delivery, delivery_attempt, webhook},
    error::{ServiceError, ServiceResult},
    jobs::{self, JobKind},
    paging::{self, Cursor, PageRequest, Paged},
    scans::{self, Scan},
    state::AppState,
};
use crate::{events::StreamEvent, status::DeliveryStatus};

pub type Delivery = delivery::Model;
pub type Attempt = delivery_attempt::Model;

/// How a scan ended, for the webhook body.
pub enum Outcome<'a> {
    Completed(&'a ScanResult),
    Failed(&'a str),
}

impl Outcome<'_> {
    /// A webhook's event is the name of the stream's last event for the same outcome.
    pub fn event(&self) -> StreamEvent {
        match self {
            Outcome::Completed(_) => StreamEvent::ScanCompleted,
            Outcome::Failed(_) => StreamEvent::ScanFailed,
        }
    }
}

/// The contract's body: `{event, scan_id, score, grade, verdict, report_url, tags, red_flags,
/// green_flags}`; for `scan_failed` the score fields are null and `error` is added.
pub fn payload(config: &Config, scan: &Scan, outcome: &Outcome) -> String {
    let report_url = scans::report_url(config, &scan.id);
    let body = match outcome {
        Outcome::Completed(r) => json!({
            "event": outcome.event(),
            "scan_id": scan.id,
            "target": scan.target,
            "score": r.score,
            "grade": r.grade.as_str(),
            "verdict": r.verdict.as_str(),
            "report_url": report_url,
            "tags": r.tags,
            "red_flags": r.red_flags,
            "green_flags": r.green_flags,
        }),
        Outcome::Failed(error) => json!({
            "event": outcome.event(),
            "scan_id": scan.id,
            "target": scan.target,
            "score": null,
            "grade": null,
            "verdict": null,
            "report_url": report_url,
            "tags": [],
            "red_flags": [],
            "green_flags": [],
            "error": error,
        }),
    };
    body.to_string()
}

/// Attempts a delivery gets: the first plus one per configured retry delay.
pub fn max_attempts(config: &Config) -> i32 {
    1 + config.webhook_retry_delays.len() as i32
}

struct NewDelivery<'a> {
    account_id: &'a str,
    webhook_id: Option<&'a str>,
    url: &'a str,
    event: &'a str,
    scan_id: Option<&'a str>,
    payload: &'a str,
}

/// Inserts the delivery and, unless its endpoint is disabled, its job.
async fn insert(
    db: &impl ConnectionTrait,
    config: &Config,
    d: NewDelivery<'_>,
    disabled: bool,
) -> ServiceResult<Delivery> {
    let now = Utc::now();
    let row = delivery::ActiveModel {
        id: Set(crypto::random_id()),
        account_id: Set(d.account_id.to_owned()),
        webhook_id: Set(d.webhook_id.map(str::to_owned)),
        url: Set(d.url.to_owned()),
        event: Set(d.event.to_owned()),
        scan_id: Set(d.scan_id.map(str::to_owned)),
        payload: Set(d.payload.to_owned()),
        status: Set(if disabled {
            DeliveryStatus::Failed
        } else {
            DeliveryStatus::Pending
        }),
        attempts: Set(0),
        last_status_code: Set(None),
        // Kept so re-enabling the endpoint can replay what it missed.
        last_error: Set(disabled.then(|| "Not sent: the endpoint is disabled.".to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    if !disabled {
        jobs::enqueue(
            db,
            JobKind::Delivery,
            &row.id,
            Some(&row.account_id),
            max_attempts(config),
            Duration::ZERO,
        )
        .await?;
    }
    Ok(row)
}

/// Queues the outcome of a scan for its callback URL and every subscribed endpoint of its
/// account. Call inside the transaction that stores the outcome.
pub async fn enqueue_for_scan(
    db: &impl ConnectionTrait,
    config: &Config,
    scan: &Scan,
    outcome: &Outcome<'_>,
) -> ServiceResult<usize> {
    let Some(account_id) = scan.account_id.as_deref() else {
        return Ok(0);
    };
    let event = outcome.event().as_str();
    let body = payload(config, scan, outcome);
    let mut n = 0;
    if let Some(url) = scan.callback_url.as_deref() {
        insert_callback(db, config, account_id, url, scan, event, &body).await?;
        n += 1;
    }
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::AccountId.eq(account_id))
        .all(db)
        .await?;
    for w in hooks.iter().filter(|w| events_of(w).iter().any(|e| e == event)) {
        let d = NewDelivery {
            account_id,
            webhook_id: Some(&w.id),
            url: &w.url,
            event,
            scan_id: Some(&scan.id),
            payload: &body,
        };
        insert(db, config, d, w.disabled_at.is_some()).await?;
        n += 1;
    }
    Ok(n)
}

/// Queues the outcome of `scan` for one `callback_url`, charged to `account_id` and signed
/// with its secret, and wakes the workers: a cached answer's callback (`POST /v1/scan/repo`
/// answered from the cache with a `callback_url` of its own), built like a finished scan's
/// own (from [`enqueue_for_scan`]) so both get the same body and signatures. The delivery
/// and its job are stored together.
pub async fn enqueue_callback(
    state: &AppState,
    account_id: &str,
    url: &str,
    scan: &Scan,
    outcome: &Outcome<'_>,
) -> ServiceResult<Delivery> {
    let config = &state.config;
    let txn = state.db.begin().await?;
    let d = insert_callback(
        &txn,
        config,
        account_id,
        url,
        scan,
        outcome.event().as_str(),
        &payload(config, scan, outcome),
    )
    .await?;
    txn.commit().await?;
    state.bus.notify_jobs().await;
    Ok(d)
}

/// One callback delivery of an already built body.
async fn insert_callback(
    db: &impl ConnectionTrait,
    config: &Config,
    account_id: &str,
    url: &str,
    scan: &Scan,
    event: &str,
    body: &str,
) -> ServiceResult<Delivery> {
    let d = NewDelivery {
        account_id,
        webhook_id: None,
        url,
        event,
        scan_id: Some(&scan.id),
        payload: body,
    };
    insert(db, config, d, false).await
}

/// Queues a `test` event to one of the account's endpoints (the dashboard's "send a test
/// event") and wakes the workers.
pub async fn send_test(state: &AppState, account_id: &str, webhook_id: &str) -> ServiceResult<Delivery> {
    let w = super::get_owned(&state.db, account_id, webhook_id).await?;
    let body = json!({
        "event": "test",
        "scan_id": null,
        "score": null,
        "grade": null,
        "verdict": null,
        "report_url": null,
        "tags": [],
        "red_flags": [],
        "green_flags": [],
        "message": "A test delivery from AuraSecurity. Verify its signature as you would a real one.",
    })
    .to_string();
    let d = NewDelivery {
        account_id: &w.account_id,
        webhook_id: Some(&w.id),
        url: &w.url,
        event: "test",
        scan_id: None,
        payload: &body,
    };
    let d = insert(&state.db, &state.config, d, false).await?;
    state.bus.notify_jobs().await;
    Ok(d)
}

#[derive(Default, Clone, Debug)]
pub struct Filter {
    pub status: Option<String>,
    pub webhook_id: Option<String>,
    pub limit: Option<u64>,
}

/// The account's deliveries matching `f` (its `limit` aside).
fn filtered(account_id: &str, f: Filter) -> Select<delivery::Entity> {
    let mut q = delivery::Entity::find().filter(delivery::Column::AccountId.eq(account_id));
    if let Some(s) = f.status {
        // A status no delivery can have matches none (rather than being an error).
        q = match s.parse::<DeliveryStatus>() {
            Ok(s) => q.filter(delivery::Column::Status.eq(s)),
            Err(_) => q.filter(delivery::Column::Id.is_null()),
        };
    }
    if let Some(w) = f.webhook_id {
        q = q.filter(delivery::Column::WebhookId.eq(w));
    }
    q
}

/// The account's deliveries, newest first.
pub async fn list(db: &impl ConnectionTrait, account_id: &str, f: Filter) -> ServiceResult<Vec<Delivery>> {
    let limit = f.limit.unwrap_or(100).clamp(1, 1000);
    Ok(filtered(account_id, f)
        .order_by_desc(delivery::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// One page of the account's deliveries matching `f`, newest first (`GET /v1/webhooks/deliveries`);
/// the page's size comes from `page`, not `f.limit`.
pub async fn list_page(
    db: &impl ConnectionTrait,
    account_id: &str,
    f: Filter,
    page: &PageRequest,
) -> ServiceResult<Paged<Delivery>> {
    let sel = filtered(account_id, f);
    let sel = paging::keyset(
        sel,
        delivery::Column::CreatedAt,
        delivery::Column::Id,
        page,
        paging::text_id,
    )?;
    paging::fetch(db, sel, page.limit, |d| Cursor::new(d.created_at, &d.id)).await
}

pub async fn get_owned(db: &impl ConnectionTrait, account_id: &str, id: &str) -> ServiceResult<Delivery> {
    delivery::Entity::find_by_id(id.to_owned())
        .filter(delivery::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("No delivery with this id.".into()))
}

pub async fn attempts(db: &impl ConnectionTrait, delivery_id: &str) -> ServiceResult<Vec<Attempt>> {
    Ok(delivery_attempt::Entity::find()
        .filter(delivery_attempt::Column::DeliveryId.eq(delivery_id))
        .order_by_asc(delivery_attempt::Column::Id)
        .all(db)
        .await?)
}

/// A new attempt with the same delivery id (and the same body), now.
/// Sends a delivery once more. A delivery still pending (its job queued, running or waiting
/// for a retry) is 409 `already_pending`: a caller looping on redeliver cannot pile jobs up in
/// the shared queue. The check and the change are one conditional update, so two racing
/// calls cannot both pass it.
pub async fn redeliver(state: &AppState, account_id: &str, id: &str) -> ServiceResult<Delivery> {
    let d = get_owned(&state.db, account_id, id).await?;
    let claimed = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::Status,
            sea_orm::sea_query::Expr::value(DeliveryStatus::Pending),
        )
        .col_expr(delivery::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(delivery::Column::Id.eq(&d.id))
        .filter(delivery::Column::Status.ne(DeliveryStatus::Pending))
        .exec(&state.db)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(ServiceError::Conflict {
            code: "already_pending",
            message: "This delivery is already queued or being retried; wait for its outcome.".into(),
        });
    }
    jobs::enqueue(
        &state.db,
        JobKind::Delivery,
        &d.id,
        Some(&d.account_id),
        1,
        Duration::ZERO,
    )
    .await?;
    state.bus.notify_jobs().await;
    get_owned(&state.db, account_id, id).await
}

async fn requeue(db: &impl ConnectionTrait, d: Delivery, attempts: i32) -> ServiceResult<Delivery> {
    let mut am: delivery::ActiveModel = d.into();
    am.status = Set(DeliveryStatus::Pending);
    am.updated_at = Set(Utc::now());
    let d = am.update(db).await?;
    jobs::enqueue(
        db,
        JobKind::Delivery,
        &d.id,
        Some(&d.account_id),
        attempts,
        Duration::ZERO,
    )
    .await?;
    Ok(d)
}

/// Deliveries one replay re-queues at most. A replay's work, and what it adds to the queue
/// every partner shares, stays bounded per call; the answer says whether more remain, and
/// each further call is another rate-limited call.
pub const REPLAY_BATCH: usize = 1_000;

/// What a replay did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Deliveries re-queued by this call (at most [`REPLAY_BATCH`]).
    pub queued: usize,
    /// More failed deliveries match: call again to re-queue the next batch.
    pub more: bool,
}

/// Re-queues the account's failed deliveries created since `since` (optionally of one of
/// its endpoints: another account's is "not found"), oldest first and at most
/// [`REPLAY_BATCH`] of them, each with a full retry schedule, and wakes the workers.
pub async fn replay(
    state: &AppState,
    account_id: &str,
    since: DateTime<Utc>,
    webhook_id: Option<&str>,
) -> ServiceResult<Replayed> {
    if let Some(w) = webhook_id {
        super::get_owned(&state.db, account_id, w).await?;
    }
    let done = requeue_failed(&state.db, &state.config, account_id, since, webhook_id).await?;
    state.bus.notify_jobs().await;
    Ok(done)
}

/// [`replay`]'s work, without the ownership check or the wake-up (re-enabling an endpoint
/// does both itself). One transaction: a delivery is never left `pending` without its job.
pub(super) async fn requeue_failed(
    db: &DatabaseConnection,
    config: &Config,
    account_id: &str,
    since: DateTime<Utc>,
    webhook_id: Option<&str>,
) -> ServiceResult<Replayed> {
    let mut q = delivery::Entity::find()
        .filter(delivery::Column::AccountId.eq(account_id))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Failed))
        .filter(delivery::Column::CreatedAt.gte(since));
    if let Some(w) = webhook_id {
        q = q.filter(delivery::Column::WebhookId.eq(w));
    }
    // One row past the batch tells whether more remain.
    let mut failed = q
        .order_by_asc(delivery::Column::CreatedAt)
        .order_by_asc(delivery::Column::Id)
        .limit(REPLAY_BATCH as u64 + 1)
        .all(db)
        .await?;
    let more = failed.len() > REPLAY_BATCH;
    failed.truncate(REPLAY_BATCH);
    let queued = failed.len();
    let txn = crate::server::db::begin_write(db).await?;
    for d in failed {
        requeue(&txn, d, max_attempts(config)).await?;
    }
    txn.commit().await?;
    Ok(Replayed { queued, more })
}

/// Deletes at most `batch` finished deliveries (sent or failed, never one still pending) last
/// changed before `cutoff`, with their attempts and their finished jobs (the retention purge,
/// `AURA_RETENTION_DELIVERIES_DAYS`), in one short transaction. Returns how many deliveries;
/// fewer than `batch`: none is left.
pub async fn purge_batch(db: &DatabaseConnection, cutoff: DateTime<Utc>, batch: u64) -> Result<u64, sea_orm::DbErr> {
    use crate::server::entities::job;

    let finished = [DeliveryStatus::Sent, DeliveryStatus::Failed];
    let txn = crate::server::db::begin_write(db).await?;
    let ids: Vec<String> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Id)
        .filter(delivery::Column::Status.is_in(finished))
        .filter(delivery::Column::UpdatedAt.lt(cutoff))
        .order_by_asc(delivery::Column::UpdatedAt)
        .limit(batch)
        .into_tuple()
        .all(&txn)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    delivery_attempt::Entity::delete_many()
        .filter(delivery_attempt::Column::DeliveryId.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    // A queued or running job means a redelivery raced in: it and its delivery stay.
    job::Entity::delete_many()
        .filter(job::Column::Kind.eq(JobKind::Delivery))
        .filter(job::Column::RefId.is_in(ids.clone()))
        .filter(job::Column::Status.is_not_in([jobs::JobStatus::Queued, jobs::JobStatus::Running]))
        .exec(&txn)
        .await?;
    let res = delivery::Entity::delete_many()
        .filter(delivery::Column::Id.is_in(ids))
        .filter(delivery::Column::Status.is_in(finished))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(res.rows_affected)
}
