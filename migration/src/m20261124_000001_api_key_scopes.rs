//! Browser-safe keys: each API key carries its scopes and, optionally, the browser origins
//! it may be used from. Both are JSON arrays of strings. Keys made before this change keep
//! every scope and no origin restriction.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Scopes,
    AllowedOrigins,
}

/// Every scope there was when this migration was written (existing keys could do all of it).
const ALL_SCOPES: &str = r#"["scans:read","scans:write","keys","webhooks","usage","embed"]"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        m.alter_table(
            Table::alter()
                .table(ApiKeys::Table)
                .add_column(text(ApiKeys::Scopes).default(ALL_SCOPES))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ApiKeys::Table)
                .add_column(text(ApiKeys::AllowedOrigins).default("[]"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ApiKeys::Table)
                .drop_column(ApiKeys::AllowedOrigins)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ApiKeys::Table)
                .drop_column(ApiKeys::Scopes)
                .to_owned(),
        )
        .await
    }
}
