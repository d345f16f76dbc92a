//! The audit log: who did what to which account, from where. Written for every login
//! success and failure, key change, admin action and refused admin attempt.
//!
//! An action's record is written by the service that performs it, from the [`Actor`] the
//! edge hands in: the REST routes and the dashboard's server functions call the same
//! service, so they cannot audit the same action differently (or forget to).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};

// The record type, not the accounts service: the audit log sits below every service.
use super::{
    entities::{account::Model as Account, audit_log},
    error::ServiceResult,
    paging::{self, Cursor, PageRequest, Paged},
};

/// Where a request came from, for the audit log.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Origin {
    /// The client's address (`ConnectInfo`: the TCP peer, or the client behind a trusted
    /// proxy as resolved by the server's outermost layer, never a header anyone could write)
    /// and the `User-Agent`.
    pub fn from_request(headers: &axum::http::HeaderMap, peer: Option<std::net::SocketAddr>) -> Self {
        Origin {
            ip: peer.map(|p| p.ip().to_string()),
            user_agent: headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }
}

/// Who performs an action (the account acting on what it owns, or an admin) and from where.
#[derive(Clone, Debug)]
pub struct Actor {
    pub account: Account,
    pub origin: Origin,
}

impl Actor {
    pub fn new(account: Account, origin: Origin) -> Self {
        Actor { account, origin }
    }

    /// Records an action of this actor on `target` (the log names the actor by email).
    pub async fn record(
        &self,
        db: &impl ConnectionTrait,
        action: &str,
        target: &str,
        details: Option<serde_json::Value>,
    ) {
        record(db, &self.account.email, action, target, &self.origin, details).await
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &str,
    action: &str,
    target: &str,
    origin: &Origin,
    details: Option<serde_json::Value>,
) {
    let entry = audit_log::ActiveModel {
        actor: Set(truncate(actor, 254)),
        action: Set(truncate(action, 64)),
        target: Set(truncate(target, 254)),
        ip: Set(origin.ip.as_deref().map(|s| truncate(s, 64))),
        user_agent: Set(origin.user_agent.as_deref().map(|s| truncate(s, 512))),
        details: Set(details.map(|d| d.to_string())),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    // The audit write must not fail the action it records; a failure is logged loudly.
    if let Err(e) = entry.insert(db).await {
        tracing::error!(error = %e, action, "audit log write failed");
    }
}

#[derive(Default)]
pub struct AuditQuery {
    pub limit: Option<u64>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
}

/// Entries matching the query's filters (its `limit` aside); empty filters match everything.
fn filtered(q: AuditQuery) -> Select<audit_log::Entity> {
    let mut sel = audit_log::Entity::find();
    if let Some(a) = q.actor.filter(|s| !s.is_empty()) {
        sel = sel.filter(audit_log::Column::Actor.eq(a));
    }
    if let Some(a) = q.action.filter(|s| !s.is_empty()) {
        sel = sel.filter(audit_log::Column::Action.eq(a));
    }
    if let Some(t) = q.target.filter(|s| !s.is_empty()) {
        sel = sel.filter(audit_log::Column::Target.eq(t));
    }
    sel
}

pub async fn list(db: &impl ConnectionTrait, q: AuditQuery) -> Result<Vec<audit_log::Model>, sea_orm::DbErr> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    filtered(q)
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// One page of the entries matching the query's filters, newest first (`GET /v1/admin/audit`);
/// the page's size comes from `page`, not `q.limit`.
pub async fn list_page(
    db: &impl ConnectionTrait,
    q: AuditQuery,
    page: &PageRequest,
) -> ServiceResult<Paged<audit_log::Model>> {
    let sel = paging::keyset(
        filtered(q),
        audit_log::Column::CreatedAt,
        audit_log::Column::Id,
        page,
        paging::numeric_id,
    )?;
    paging::fetch(db, sel, page.limit, |e| Cursor::new(e.created_at, e.id)).await
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Deletes at most `batch` entries recorded before `cutoff`, oldest first (the retention
/// purge, `AURA_RETENTION_AUDIT_DAYS`). Returns how many; fewer than `batch`: none is left.
pub async fn purge_batch(
    db: &impl ConnectionTrait,
    cutoff: chrono::DateTime<Utc>,
    batch: u64,
) -> Result<u64, sea_orm::DbErr> {
    let ids: Vec<i64> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Id)
        .filter(audit_log::Column::CreatedAt.lt(cutoff))
        .order_by_asc(audit_log::Column::Id)
        .limit(batch)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let res = audit_log::Entity::delete_many()
        .filter(audit_log::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
