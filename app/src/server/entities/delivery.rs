use sea_orm::entity::prelude::*;

use crate::status::DeliveryStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    /// Also the `X-AuraSecurity-Delivery` and `webhook-id` header: stable across retries.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: String,
    pub webhook_id: Option<String>,
    pub url: String,
    pub event: String,
    pub scan_id: Option<String>,
    pub payload: String,
    /// Stored as `pending`, `sent` or `failed`.
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_status_code: Option<i16>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
