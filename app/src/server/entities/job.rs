use sea_orm::entity::prelude::*;

use crate::status::{JobKind, JobStatus};

/// A unit of background work (a scan or a webhook delivery) in the durable queue.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stored as `scan`, `delivery` or `retention`.
    pub kind: JobKind,
    /// The scan or delivery id (`retention` for the retention job).
    pub ref_id: String,
    /// The account the job works for (its fair share of the workers); `None` for an
    /// anonymous visitor's scan and for jobs queued before accounts were recorded.
    pub account_id: Option<String>,
    /// `queued`, `running`, `done`, `failed` (permanent error) or `dead` (attempts used up).
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    /// Unix milliseconds before which the job is not claimed.
    pub run_at: i64,
    /// Unix milliseconds when a running job's claim lapses (its worker is presumed dead).
    pub lease_until: Option<i64>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
