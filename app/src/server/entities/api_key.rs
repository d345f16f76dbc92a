use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: String,
    pub name: String,
    /// Display prefix, e.g. `aura_pk_pro_a1b2c3d4`; never enough to use the key.
    pub prefix: String,
    /// Lower-case hex SHA-256 of the full key.
    pub key_hash: String,
    /// The tier written into the key's text when it was made.
    pub tier: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    /// JSON array of scope names (`scans:read`, …); see [`crate::api_scopes::Scope`].
    pub scopes: String,
    /// JSON array of the browser origins the key may be used from; empty: any.
    pub allowed_origins: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id"
    )]
    Account,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
