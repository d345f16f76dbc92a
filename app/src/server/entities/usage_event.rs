use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_events")]
/// Calls of one key to one route with one outcome, written together by the meter (one row per
/// write batch; a row written before `calls` existed is one call).
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub key_id: String,
    pub account_id: String,
    /// Route pattern, e.g. `/v1/scan/{id}`.
    pub route: String,
    pub method: String,
    pub status: i16,
    /// The slowest of the row's calls.
    pub latency_ms: i32,
    pub target: Option<String>,
    pub is_scan: bool,
    /// When the row's first call was answered; all its calls fall on the same UTC day.
    pub created_at: DateTimeUtc,
    /// How many calls the row stands for.
    pub calls: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
