use sea_orm::entity::prelude::*;

use crate::status::ScanStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `repo`, `x_profile` or `compare`.
    pub kind: String,
    pub target: String,
    /// JSON of [`crate::server::scans::ScanRequest`].
    pub request: String,
    pub account_id: Option<String>,
    pub key_id: Option<String>,
    /// Stored as `queued`, `running`, `completed` or `failed`; changed only through
    /// `scans::lifecycle`.
    pub status: ScanStatus,
    pub progress: i16,
    /// JSON of the engine's `ScanResult` once completed.
    pub result: Option<String>,
    pub error: Option<String>,
    pub callback_url: Option<String>,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
