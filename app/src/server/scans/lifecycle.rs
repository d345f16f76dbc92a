//! Every change of a scan's status, in one place: a scan is created `queued` by
//! [`super::submit`]; from then on only these functions move it, so the states a scan can go
//! through (and what each transition also clears or stamps) can be read here at once.
//!
//! ```text
//! queued ──start──▶ running ──complete──▶ completed
//!    ▲                 │ └────fail──────▶ failed
//!    └────requeue──────┘  (retry, release at shutdown)
//! completed/failed ──rerun──▶ queued  (an admin re-runs the job)
//! ```
//!
//! The caller passes the connection: the outcome is written inside the transaction that also
//! completes the job and stores the final event.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use sea_orm::{sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::Scan;
use crate::{server::entities::scan, status::ScanStatus};

/// `running`: a worker claimed the scan's job (`attempts` is the job's). `started_at` keeps
/// the first attempt's time across retries.
pub async fn start(db: &impl ConnectionTrait, s: &Scan, attempts: i32) -> Result<(), DbErr> {
    scan::ActiveModel {
        id: Set(s.id.clone()),
        status: Set(ScanStatus::Running),
        attempts: Set(attempts),
        started_at: Set(Some(s.started_at.unwrap_or_else(Utc::now))),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Back to `queued` while its job waits again: a transient failure to retry, or a running
/// scan released at shutdown. Progress and `started_at` stay.
pub async fn requeue(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    scan::ActiveModel {
        id: Set(id.to_owned()),
        status: Set(ScanStatus::Queued),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// `completed` with its result (the engine's `ScanResult` as JSON) at 100 %.
pub async fn complete(db: &impl ConnectionTrait, id: &str, result_json: String) -> Result<(), DbErr> {
    scan::ActiveModel {
        id: Set(id.to_owned()),
        status: Set(ScanStatus::Completed),
        progress: Set(100),
        result: Set(Some(result_json)),
        error: Set(None),
        completed_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// `failed` for good, with the message shown to the user.
pub async fn fail(db: &impl ConnectionTrait, id: &str, message: &str) -> Result<(), DbErr> {
    scan::ActiveModel {
        id: Set(id.to_owned()),
        status: Set(ScanStatus::Failed),
        error: Set(Some(message.to_owned())),
        completed_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Back to `queued` from a finished state because its job is re-run (the admin's retry): the
/// old error and completion time go; the event log keeps the earlier attempt's events.
/// A missing scan is not an error (the job is re-run regardless).
pub async fn rerun(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    scan::Entity::update_many()
        .col_expr(scan::Column::Status, Expr::value(ScanStatus::Queued))
        .col_expr(scan::Column::Error, Expr::value(Option::<String>::None))
        .col_expr(
            scan::Column::CompletedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(scan::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Counts finished scans sent back to `queued` in this process ([`rerun`], once committed).
/// Whatever keeps a rendering of a finished scan (the report cache) compares it on use and
/// checks the record again when it moved; other instances notice within their own recheck
/// interval.
static FINISHED_REOPENED: AtomicU64 = AtomicU64::new(0);

/// The current count of [`FINISHED_REOPENED`].
pub fn finished_reopened() -> u64 {
    FINISHED_REOPENED.load(Ordering::Acquire)
}

/// Records that a finished scan went back to `queued`; call after the commit, so a reader
/// that rechecks sees the new status.
pub fn note_finished_reopened() {
    FINISHED_REOPENED.fetch_add(1, Ordering::AcqRel);
}
