use sea_orm::entity::prelude::*;

use crate::events::StreamEvent;

/// One server-sent event of a scan, kept so a subscriber on any instance can replay and
/// resume (`Last-Event-ID` = `seq`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scan_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub scan_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    /// The SSE `event:` name, stored as its wire spelling.
    pub event: StreamEvent,
    /// The event's JSON `data`.
    pub data: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
