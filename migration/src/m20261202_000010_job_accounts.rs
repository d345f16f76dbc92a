//! Fair queues: each job names the account it works for, so claiming can keep one account's
//! backlog from taking every worker (`jobs::claim`). Jobs queued before this change, and
//! scans of anonymous visitors, have none and share one anonymous bucket.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    AccountId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Jobs::Table)
                .add_column(string_len_null(Jobs::AccountId, 64))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Jobs::Table)
                .drop_column(Jobs::AccountId)
                .to_owned(),
        )
        .await
    }
}
