//! Scan records: what is asked (`ScanRequest`), submitting it (the concurrent-scan cap, the
//! job, in one transaction, then waking the workers), the result cache, and the contract's
//! scan object.

pub mod dashboard;
pub mod embeds;
pub mod events;
pub mod feeds;
pub mod lifecycle;
pub mod reports;
pub mod reuse;
pub mod similarity;
pub mod stream_slots;
pub mod worker;

pub use reuse::{find_or_start, Reused};

use std::{collections::HashMap, time::Duration};

use aura_engine::{parse_repo_target_with, parse_x_handle, RepoTarget, ScanResult};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::server::{
    config::Config,
    crypto::random_id,
    db::statement,
    entities::scan,
    error::{ServiceError, ServiceResult},
    jobs::{self, JobKind},
    state::AppState,
};
use crate::status::ScanStatus;

pub type Scan = scan::Model;

/// Attempts a scan job gets (transient failures such as GitHub 5xx or rate limits).
pub const MAX_ATTEMPTS: i32 = 3;

/// What the worker needs to run a scan (stored as JSON with the scan).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScanRequest {
    /// `target` is re-parsed by the worker: `owner/repo` or a git URL.
    Repo {
        target: String,
    },
    XProfile {
        handle: String,
    },
    Compare {
        a: String,
        b: String,
    },
}

impl ScanRequest {
    pub fn kind(&self) -> &'static str {
        match self {
            ScanRequest::Repo { .. } => "repo",
            ScanRequest::XProfile { .. } => "x_profile",
            ScanRequest::Compare { .. } => "compare",
        }
    }
}

fn invalid_target(message: impl Into<String>) -> ServiceError {
    ServiceError::invalid("invalid_target", message)
}

fn request_form(t: &RepoTarget) -> String {
    match t {
        RepoTarget::GitHub { owner, repo } => format!("{owner}/{repo}"),
        RepoTarget::Git { url } => url.to_string(),
    }
}

/// A validated scan: its normalised target (the cache key) and request.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub target: String,
    pub request: ScanRequest,
}

/// `allow_private`: the server's `AURA_ALLOW_PRIVATE_TARGETS` (git hosts on IP addresses or
/// local names, over http too; see `aura_engine::parse_repo_target_with`).
pub fn prepare_repo(input: &str, allow_private: bool) -> ServiceResult<Prepared> {
    let t = parse_repo_target_with(input, allow_private).map_err(|e| invalid_target(e.to_string()))?;
    Ok(Prepared {
        target: t.normalized(),
        request: ScanRequest::Repo {
            target: request_form(&t),
        },
    })
}

pub fn prepare_x_profile(input: &str) -> ServiceResult<Prepared> {
    let handle = parse_x_handle(input).map_err(|e| invalid_target(e.to_string()))?;
    Ok(Prepared {
        target: format!("@{}", handle.to_ascii_lowercase()),
        request: ScanRequest::XProfile { handle },
    })
}

pub fn prepare_compare(a: &str, b: &str, allow_private: bool) -> ServiceResult<Prepared> {
    let ta = parse_repo_target_with(a, allow_private).map_err(|e| invalid_target(format!("url_a: {e}")))?;
    let tb = parse_repo_target_with(b, allow_private).map_err(|e| invalid_target(format!("url_b: {e}")))?;
    if ta.normalized() == tb.normalized() {
        return Err(invalid_target("url_a and url_b are the same repository."));
    }
    Ok(Prepared {
        target: format!("{} vs {}", ta.normalized(), tb.normalized()),
        request: ScanRequest::Compare {
            a: request_form(&ta),
            b: request_form(&tb),
        },
    })
}

/// Who asked, and the cap that applies to them.
#[derive(Clone, Debug, Default)]
pub struct Submitter {
    pub account_id: Option<String>,
    pub key_id: Option<String>,
    /// The tier's concurrent-scan limit (`None`: unlimited), counted per *account*: over all
    /// its keys, its dashboard and the widget scans charged to it, so more keys never mean
    /// more parallel scans.
    pub concurrent_limit: Option<u32>,
}

/// Creates the scan and its job in one transaction. With a cap, the account's unfinished
/// scans are counted *after* inserting under a lock that serialises one account's submissions
/// (the SQLite write lock taken by the insert; a transaction-scoped advisory lock on
/// PostgreSQL), so concurrent submissions can never exceed the cap. Once committed, the workers are woken
/// here: a queued scan never waits for the poll because a caller forgot to.
#[tracing::instrument(name = "scan_submit", skip_all, fields(target = %p.target))]
pub async fn submit(
    state: &AppState,
    p: Prepared,
    who: Submitter,
    callback_url: Option<String>,
) -> ServiceResult<Scan> {
    let txn = state.db.begin().await?;
    // Only a capped submission of an account is counted (and so serialised).
    let capped = who.concurrent_limit.and(who.account_id.as_deref());
    if let (Some(account), DbBackend::Postgres) = (capped, txn.get_database_backend()) {
        let lock = format!("scan-cap-account:{account}");
        txn.execute_raw(statement(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended(?, 7))",
            vec![lock.into()],
        ))
        .await?;
    }
    let now = Utc::now();
    let model = scan::ActiveModel {
        id: Set(random_id()),
        kind: Set(p.request.kind().to_owned()),
        target: Set(p.target),
        request: Set(serde_json::to_string(&p.request).map_err(ServiceError::internal)?),
        account_id: Set(who.account_id.clone()),
        key_id: Set(who.key_id.clone()),
        // Every later change of the status goes through `lifecycle`.
        status: Set(ScanStatus::Queued),
        progress: Set(0),
        result: Set(None),
        error: Set(None),
        callback_url: Set(callback_url),
        attempts: Set(0),
        created_at: Set(now),
        started_at: Set(None),
        completed_at: Set(None),
    };
    let scan = scan::Entity::insert(model).exec_with_returning(&txn).await?;
    if let (Some(account), Some(limit)) = (capped, who.concurrent_limit) {
        let open = scan::Entity::find()
            .filter(scan::Column::AccountId.eq(account))
            .filter(scan::Column::Status.is_in(ScanStatus::UNFINISHED))
            .count(&txn)
            .await?;
        if open > u64::from(limit) {
            txn.rollback().await?;
            return Err(ServiceError::TooMany {
                code: "concurrent_scan_limit",
                message: format!(
                    "This account already has {limit} scan{} in progress (over all its keys, its dashboard and \
                     its widget), the most its tier allows; wait for one to finish.",
                    if limit == 1 { "" } else { "s" }
                ),
                retry_after_secs: 5,
            });
        }
    }
    jobs::enqueue(
        &txn,
        JobKind::Scan,
        &scan.id,
        scan.account_id.as_deref(),
        MAX_ATTEMPTS,
        Duration::ZERO,
    )
    .await?;
    txn.commit().await?;
    state.bus.notify_jobs().await;
    Ok(scan)
}

/// The newest completed scan of this kind and target, if younger than `ttl`.
pub async fn find_cached(
    db: &impl ConnectionTrait,
    kind: &str,
    target: &str,
    ttl: Duration,
) -> ServiceResult<Option<Scan>> {
    if ttl.is_zero() {
        return Ok(None);
    }
    let since = Utc::now() - chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    Ok(scan::Entity::find()
        .filter(scan::Column::Kind.eq(kind))
        .filter(scan::Column::Target.eq(target))
        .filter(scan::Column::Status.eq(ScanStatus::Completed))
        .filter(scan::Column::CompletedAt.gte(since))
        .order_by_desc(scan::Column::CompletedAt)
        .one(db)
        .await?)
}

/// The newest completed scan of this kind and target, whatever its age (`GET /v1/scan/latest`).
pub async fn latest_completed(db: &impl ConnectionTrait, kind: &str, target: &str) -> ServiceResult<Option<Scan>> {
    Ok(scan::Entity::find()
        .filter(scan::Column::Kind.eq(kind))
        .filter(scan::Column::Target.eq(target))
        .filter(scan::Column::Status.eq(ScanStatus::Completed))
        .order_by_desc(scan::Column::CompletedAt)
        .order_by_desc(scan::Column::CreatedAt)
        .one(db)
        .await?)
}

/// The newest completed scan of each of `targets` (of one kind), whatever its age, in one
/// query: a window function keeps one row per target (served by `idx_scans_cache`), so a
/// target scanned a thousand times still costs one row. Targets never completed are absent.
/// The SQL spells [`ScanStatus::Completed`] out (`'completed'`), its stored spelling.
pub async fn latest_completed_of(
    db: &impl ConnectionTrait,
    kind: &str,
    targets: &[String],
) -> ServiceResult<HashMap<String, Scan>> {
    let mut distinct: Vec<&String> = targets.iter().collect();
    distinct.sort();
    distinct.dedup();
    if distinct.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = vec!["?"; distinct.len()].join(", ");
    let sql = format!(
        "SELECT * FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.target \
         ORDER BY s.completed_at DESC, s.created_at DESC, s.id DESC) AS newest \
         FROM scans s WHERE s.kind = ? AND s.status = 'completed' AND s.target IN ({placeholders})) latest \
         WHERE newest = 1"
    );
    let mut values: Vec<sea_orm::Value> = vec![kind.into()];
    values.extend(distinct.into_iter().map(|t| t.as_str().into()));
    let rows = scan::Entity::find()
        .from_raw_sql(statement(db.get_database_backend(), &sql, values))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|s| (s.target.clone(), s)).collect())
}

/// An unfinished scan of this target (badges and embeds join it instead of starting another).
pub async fn find_in_flight(db: &impl ConnectionTrait, kind: &str, target: &str) -> ServiceResult<Option<Scan>> {
    Ok(scan::Entity::find()
        .filter(scan::Column::Kind.eq(kind))
        .filter(scan::Column::Target.eq(target))
        .filter(scan::Column::Status.is_in(ScanStatus::UNFINISHED))
        .order_by_desc(scan::Column::CreatedAt)
        .one(db)
        .await?)
}

/// The newest scan of this target, whatever its state (badges use it to notice a recent
/// failure instead of queuing the same doomed scan on every view).
pub async fn latest(db: &impl ConnectionTrait, kind: &str, target: &str) -> ServiceResult<Option<Scan>> {
    Ok(scan::Entity::find()
        .filter(scan::Column::Kind.eq(kind))
        .filter(scan::Column::Target.eq(target))
        .order_by_desc(scan::Column::CreatedAt)
        .one(db)
        .await?)
}

/// Scan ids are 32 lowercase hex characters; anything else cannot exist.
pub fn looks_like_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> ServiceResult<Scan> {
    if !looks_like_id(id) {
        return Err(ServiceError::NotFound("No scan with this id.".into()));
    }
    scan::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("No scan with this id.".into()))
}

/// An account's recent scans, newest first (the dashboard).
pub async fn recent_for_account(db: &impl ConnectionTrait, account_id: &str, limit: u64) -> ServiceResult<Vec<Scan>> {
    use sea_orm::QuerySelect;
    Ok(scan::Entity::find()
        .filter(scan::Column::AccountId.eq(account_id))
        .order_by_desc(scan::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// One page of the scans an account submitted, newest first (`GET /v1/scans`).
pub async fn list_page(
    db: &impl ConnectionTrait,
    account_id: &str,
    page: &crate::server::paging::PageRequest,
) -> ServiceResult<crate::server::paging::Paged<Scan>> {
    use crate::server::paging::{self, Cursor};
    let sel = scan::Entity::find().filter(scan::Column::AccountId.eq(account_id));
    let sel = paging::keyset(sel, scan::Column::CreatedAt, scan::Column::Id, page, paging::text_id)?;
    paging::fetch(db, sel, page.limit, |s| Cursor::new(s.created_at, &s.id)).await
}

pub fn result_of(s: &Scan) -> Option<ScanResult> {
    s.result.as_deref().and_then(|r| serde_json::from_str(r).ok())
}

pub fn report_url(config: &Config, id: &str) -> String {
    format!("{}/report/{id}", config.public_url)
}

pub fn stream_url(config: &Config, id: &str) -> String {
    format!("{}/v1/scan/{id}/stream", config.public_url)
}

/// The contract's scan object.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ScanView {
    pub scan_id: String,
    pub kind: String,
    pub target: String,
    /// Serialised as the stored spelling (`queued`…), as the contract has it.
    pub status: ScanStatus,
    pub progress: u8,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub report_url: String,
    pub stream_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ScanResult>,
}

pub fn view(config: &Config, s: &Scan, cached: Option<bool>) -> ScanView {
    ScanView {
        scan_id: s.id.clone(),
        kind: s.kind.clone(),
        target: s.target.clone(),
        status: s.status,
        progress: s.progress.clamp(0, 100) as u8,
        created_at: s.created_at,
        completed_at: s.completed_at,
        report_url: report_url(config, &s.id),
        stream_url: stream_url(config, &s.id),
        cached,
        error: s.error.clone(),
        result: result_of(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_normalise_and_bad_ones_are_invalid_target() {
        let p = prepare_repo("https://github.com/Coral-XYZ/Anchor", false).unwrap();
        assert_eq!(p.target, "coral-xyz/anchor");
        assert_eq!(
            p.request,
            ScanRequest::Repo {
                target: "Coral-XYZ/Anchor".into()
            }
        );
        assert_eq!(
            prepare_repo("coral-xyz/anchor", false).unwrap().target,
            "coral-xyz/anchor"
        );
        for bad in [
            "",
            "not a repo",
            "ftp://github.com/a/b",
            "https://github.com/a",
            "javascript:alert(1)",
        ] {
            assert!(
                matches!(
                    prepare_repo(bad, false),
                    Err(ServiceError::Invalid {
                        code: "invalid_target",
                        ..
                    })
                ),
                "{bad}"
            );
        }
        assert!(prepare_compare("a/b", "A/B", false).is_err());
        assert_eq!(prepare_compare("a/b", "c/d", false).unwrap().target, "a/b vs c/d");
        assert_eq!(prepare_x_profile("@Solana").unwrap().target, "@solana");
    }

    #[test]
    fn ids_are_checked_before_the_database() {
        assert!(looks_like_id(&random_id()));
        assert!(!looks_like_id("../../etc/passwd"));
        assert!(!looks_like_id("ABCDEF0123456789ABCDEF0123456789"));
    }
}
