//! Scans, their event log (SSE replay and resume), the similarity index, and the durable job
//! queue shared by scans and webhook deliveries.
//!
//! Job times (`run_at`, `lease_until`) are integer unix milliseconds: the claim query compares
//! them with a bound parameter, which works the same on SQLite and PostgreSQL.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Scans {
    Table,
    Id,
    Kind,
    Target,
    Request,
    AccountId,
    KeyId,
    Status,
    Progress,
    Result,
    Error,
    CallbackUrl,
    Attempts,
    CreatedAt,
    StartedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum ScanEvents {
    Table,
    ScanId,
    Seq,
    Event,
    Data,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Fingerprints {
    Table,
    ScanId,
    Target,
    Sketch,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FingerprintKeys {
    Table,
    Key,
    ScanId,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    RefId,
    Status,
    Attempts,
    MaxAttempts,
    RunAt,
    LeaseUntil,
    LockedBy,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Scans::Table)
                .col(string_len(Scans::Id, 32).primary_key())
                .col(string_len(Scans::Kind, 16))
                // Normalised target: `owner/repo`, a canonical git URL, `@handle`, `a vs b`.
                .col(string_len(Scans::Target, 1024))
                // What the engine needs to run it again (JSON), e.g. both sides of a compare.
                .col(text(Scans::Request))
                .col(string_len_null(Scans::AccountId, 32))
                .col(string_len_null(Scans::KeyId, 32))
                .col(string_len(Scans::Status, 16))
                .col(small_integer(Scans::Progress).default(0))
                .col(text_null(Scans::Result))
                .col(text_null(Scans::Error))
                .col(string_len_null(Scans::CallbackUrl, 2048))
                .col(integer(Scans::Attempts).default(0))
                .col(timestamp_with_time_zone(Scans::CreatedAt))
                .col(timestamp_with_time_zone_null(Scans::StartedAt))
                .col(timestamp_with_time_zone_null(Scans::CompletedAt))
                .to_owned(),
        )
        .await?;
        // The cache lookup: newest completed scan of one target.
        m.create_index(
            Index::create()
                .name("idx_scans_cache")
                .table(Scans::Table)
                .col(Scans::Kind)
                .col(Scans::Target)
                .col(Scans::Status)
                .col(Scans::CompletedAt)
                .to_owned(),
        )
        .await?;
        // The concurrent-scan cap counts a key's unfinished scans.
        m.create_index(
            Index::create()
                .name("idx_scans_key_status")
                .table(Scans::Table)
                .col(Scans::KeyId)
                .col(Scans::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_scans_account_created")
                .table(Scans::Table)
                .col(Scans::AccountId)
                .col(Scans::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ScanEvents::Table)
                .col(string_len(ScanEvents::ScanId, 32))
                .col(integer(ScanEvents::Seq))
                .col(string_len(ScanEvents::Event, 32))
                .col(text(ScanEvents::Data))
                .col(timestamp_with_time_zone(ScanEvents::CreatedAt))
                .primary_key(Index::create().col(ScanEvents::ScanId).col(ScanEvents::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .from(ScanEvents::Table, ScanEvents::ScanId)
                        .to(Scans::Table, Scans::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Fingerprints::Table)
                .col(string_len(Fingerprints::ScanId, 32).primary_key())
                .col(string_len(Fingerprints::Target, 1024))
                .col(text(Fingerprints::Sketch))
                .col(timestamp_with_time_zone(Fingerprints::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Fingerprints::Table, Fingerprints::ScanId)
                        .to(Scans::Table, Scans::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_fingerprints_target")
                .table(Fingerprints::Table)
                .col(Fingerprints::Target)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FingerprintKeys::Table)
                .col(string_len(FingerprintKeys::Key, 40))
                .col(string_len(FingerprintKeys::ScanId, 32))
                .primary_key(Index::create().col(FingerprintKeys::Key).col(FingerprintKeys::ScanId))
                .foreign_key(
                    ForeignKey::create()
                        .from(FingerprintKeys::Table, FingerprintKeys::ScanId)
                        .to(Fingerprints::Table, Fingerprints::ScanId)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(big_pk_auto(Jobs::Id))
                .col(string_len(Jobs::Kind, 16))
                .col(string_len(Jobs::RefId, 32))
                // queued | running | done | failed | dead
                .col(string_len(Jobs::Status, 16))
                .col(integer(Jobs::Attempts).default(0))
                .col(integer(Jobs::MaxAttempts))
                .col(big_integer(Jobs::RunAt))
                .col(big_integer_null(Jobs::LeaseUntil))
                .col(string_len_null(Jobs::LockedBy, 64))
                .col(text_null(Jobs::LastError))
                .col(timestamp_with_time_zone(Jobs::CreatedAt))
                .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_jobs_claim")
                .table(Jobs::Table)
                .col(Jobs::Status)
                .col(Jobs::RunAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_jobs_ref")
                .table(Jobs::Table)
                .col(Jobs::Kind)
                .col(Jobs::RefId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Jobs::Table.into_iden(),
            FingerprintKeys::Table.into_iden(),
            Fingerprints::Table.into_iden(),
            ScanEvents::Table.into_iden(),
            Scans::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
