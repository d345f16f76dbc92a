//! Usage rows count calls: the meter writes one row per key, route, method, status, target and
//! UTC day for each batch it writes, with how many calls it stands for, instead of one row per
//! call. A flood of identical calls then costs the database a row per batch, not a row per
//! call. Rows written before this change are one call each.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsageEvents {
    Table,
    Calls,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(UsageEvents::Table)
                .add_column(integer(UsageEvents::Calls).default(1))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(UsageEvents::Table)
                .drop_column(UsageEvents::Calls)
                .to_owned(),
        )
        .await
    }
}
