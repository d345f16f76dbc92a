//! Outbound webhooks: registered endpoints, deliveries (one per event and endpoint, stable id
//! across retries) and the log of every attempt.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    AccountId,
    Url,
    Events,
    CreatedAt,
    FailingSince,
    DisabledAt,
    DisabledReason,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    AccountId,
    WebhookId,
    Url,
    Event,
    ScanId,
    Payload,
    Status,
    Attempts,
    LastStatusCode,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DeliveryAttempts {
    Table,
    Id,
    DeliveryId,
    Attempt,
    StatusCode,
    Error,
    GuardRefused,
    LatencyMs,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Webhooks::Table)
                .col(string_len(Webhooks::Id, 32).primary_key())
                .col(string_len(Webhooks::AccountId, 32))
                .col(string_len(Webhooks::Url, 2048))
                // JSON array of event names.
                .col(text(Webhooks::Events))
                .col(timestamp_with_time_zone(Webhooks::CreatedAt))
                // Start of the current run of failed deliveries (endpoint health).
                .col(timestamp_with_time_zone_null(Webhooks::FailingSince))
                .col(timestamp_with_time_zone_null(Webhooks::DisabledAt))
                .col(text_null(Webhooks::DisabledReason))
                .foreign_key(
                    ForeignKey::create()
                        .from(Webhooks::Table, Webhooks::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhooks_account")
                .table(Webhooks::Table)
                .col(Webhooks::AccountId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Deliveries::Table)
                .col(string_len(Deliveries::Id, 32).primary_key())
                .col(string_len(Deliveries::AccountId, 32))
                // Null for a scan's own `callback_url`, and once its webhook is deleted.
                .col(string_len_null(Deliveries::WebhookId, 32))
                .col(string_len(Deliveries::Url, 2048))
                .col(string_len(Deliveries::Event, 32))
                .col(string_len_null(Deliveries::ScanId, 32))
                // The exact body sent on every attempt.
                .col(text(Deliveries::Payload))
                // pending | sent | failed
                .col(string_len(Deliveries::Status, 16))
                .col(integer(Deliveries::Attempts).default(0))
                .col(small_integer_null(Deliveries::LastStatusCode))
                .col(text_null(Deliveries::LastError))
                .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                .col(timestamp_with_time_zone(Deliveries::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Deliveries::Table, Deliveries::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_deliveries_account_created")
                .table(Deliveries::Table)
                .col(Deliveries::AccountId)
                .col(Deliveries::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_deliveries_webhook")
                .table(Deliveries::Table)
                .col(Deliveries::WebhookId)
                .col(Deliveries::Status)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DeliveryAttempts::Table)
                .col(big_pk_auto(DeliveryAttempts::Id))
                .col(string_len(DeliveryAttempts::DeliveryId, 32))
                .col(integer(DeliveryAttempts::Attempt))
                .col(small_integer_null(DeliveryAttempts::StatusCode))
                .col(text_null(DeliveryAttempts::Error))
                // Our own SSRF guard refused the address (not the receiver's fault).
                .col(boolean(DeliveryAttempts::GuardRefused).default(false))
                .col(integer(DeliveryAttempts::LatencyMs))
                .col(timestamp_with_time_zone(DeliveryAttempts::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(DeliveryAttempts::Table, DeliveryAttempts::DeliveryId)
                        .to(Deliveries::Table, Deliveries::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attempts_delivery")
                .table(DeliveryAttempts::Table)
                .col(DeliveryAttempts::DeliveryId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            DeliveryAttempts::Table.into_iden(),
            Deliveries::Table.into_iden(),
            Webhooks::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
