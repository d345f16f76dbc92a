use sea_orm::entity::prelude::*;

/// The code fingerprint of a completed repository scan (the similarity index's rows).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fingerprints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub scan_id: String,
    pub target: String,
    /// JSON of the engine's `Fingerprint`.
    pub sketch: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
