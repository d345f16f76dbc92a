use sea_orm::entity::prelude::*;

/// Usage totals of one account, UTC day and key id: what raw usage events become once they
/// are older than the retention (`AURA_RETENTION_USAGE_DAYS`), so the usage page and
/// `GET /v1/auth/usage` keep every day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_daily")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// An API key's id, or `dashboard` / `embed`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_id: String,
    pub requests: i64,
    pub scans: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
