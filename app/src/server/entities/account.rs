use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Stored lower-case; unique.
    pub email: String,
    pub name: String,
    /// argon2id PHC string; `None` until an invited partner sets a password.
    pub password_hash: Option<String>,
    pub role: String,
    pub tier: String,
    pub status: String,
    pub partner_slug: String,
    /// The account's `whsec_…` webhook secret, encrypted with the master key.
    pub webhook_secret_enc: String,
    pub webhook_secret_prev_enc: Option<String>,
    pub webhook_secret_prev_expires_at: Option<DateTimeUtc>,
    /// JSON array of allowed embed origins.
    pub allowed_domains: String,
    pub embed_theme: String,
    pub invite_token_hash: Option<String>,
    pub invite_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
