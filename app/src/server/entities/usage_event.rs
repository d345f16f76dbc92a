use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub key_id: String,
    pub account_id: String,
    /// Route pattern, e.g. `/v1/scan/{id}`.
    pub route: String,
    pub method: String,
    pub status: i16,
    pub latency_ms: i32,
    pub target: Option<String>,
    pub is_scan: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
