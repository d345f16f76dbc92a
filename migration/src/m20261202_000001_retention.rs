//! Retention: daily usage totals (raw usage events older than the retention are rolled into
//! them before they are deleted, so the usage charts keep every day), the indexes the
//! periodic purge walks by age, and at most one retention job in the queue.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsageDaily {
    Table,
    AccountId,
    Day,
    KeyId,
    Requests,
    Scans,
}

#[derive(DeriveIden)]
enum UsageEvents {
    Table,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Scans {
    Table,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per account, UTC day and key id (an API key's id, `dashboard` or `embed`).
        // The usage summary reads an account's days: the key's leading columns.
        m.create_table(
            Table::create()
                .table(UsageDaily::Table)
                .col(string_len(UsageDaily::AccountId, 32))
                .col(date(UsageDaily::Day))
                .col(string_len(UsageDaily::KeyId, 32))
                .col(big_integer(UsageDaily::Requests).default(0))
                .col(big_integer(UsageDaily::Scans).default(0))
                .primary_key(
                    Index::create()
                        .col(UsageDaily::AccountId)
                        .col(UsageDaily::Day)
                        .col(UsageDaily::KeyId),
                )
                .to_owned(),
        )
        .await?;
        // The purge finds old rows by age alone; the existing indexes lead with the account.
        m.create_index(
            Index::create()
                .name("idx_usage_created")
                .table(UsageEvents::Table)
                .col(UsageEvents::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_deliveries_updated")
                .table(Deliveries::Table)
                .col(Deliveries::UpdatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_scans_completed")
                .table(Scans::Table)
                .col(Scans::CompletedAt)
                .to_owned(),
        )
        .await?;
        // The retention job is one row that reschedules itself; whichever instance starts
        // first inserts it, the others' inserts hit this index and do nothing. A partial
        // index: the same SQL on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX idx_jobs_one_retention ON jobs (kind) WHERE kind = 'retention'")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX idx_jobs_one_retention")
            .await?;
        for (name, table) in [
            ("idx_scans_completed", Scans::Table.into_iden()),
            ("idx_deliveries_updated", Deliveries::Table.into_iden()),
            ("idx_usage_created", UsageEvents::Table.into_iden()),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        m.drop_table(Table::drop().table(UsageDaily::Table).to_owned()).await
    }
}
