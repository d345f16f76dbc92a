//! Accounts (partners and admins), their API keys, browser sessions, the audit log and the
//! usage meter.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Role,
    Tier,
    Status,
    PartnerSlug,
    WebhookSecretEnc,
    WebhookSecretPrevEnc,
    WebhookSecretPrevExpiresAt,
    AllowedDomains,
    EmbedTheme,
    InviteTokenHash,
    InviteExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    AccountId,
    Name,
    Prefix,
    KeyHash,
    Tier,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    Actor,
    Action,
    Target,
    Ip,
    UserAgent,
    Details,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UsageEvents {
    Table,
    Id,
    KeyId,
    AccountId,
    Route,
    Method,
    Status,
    LatencyMs,
    Target,
    IsScan,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(string_len(Accounts::Id, 32).primary_key())
                .col(string_len_uniq(Accounts::Email, 254))
                .col(string_len(Accounts::Name, 200))
                .col(string_len_null(Accounts::PasswordHash, 200))
                .col(string_len(Accounts::Role, 16))
                .col(string_len(Accounts::Tier, 16))
                .col(string_len(Accounts::Status, 16))
                .col(string_len_uniq(Accounts::PartnerSlug, 64))
                .col(text(Accounts::WebhookSecretEnc))
                .col(text_null(Accounts::WebhookSecretPrevEnc))
                .col(timestamp_with_time_zone_null(Accounts::WebhookSecretPrevExpiresAt))
                .col(text(Accounts::AllowedDomains).default("[]"))
                .col(string_len(Accounts::EmbedTheme, 8).default("dark"))
                .col(string_len_null(Accounts::InviteTokenHash, 64))
                .col(timestamp_with_time_zone_null(Accounts::InviteExpiresAt))
                .col(timestamp_with_time_zone(Accounts::CreatedAt))
                .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(string_len(ApiKeys::Id, 32).primary_key())
                .col(string_len(ApiKeys::AccountId, 32))
                .col(string_len(ApiKeys::Name, 100))
                .col(string_len(ApiKeys::Prefix, 32))
                .col(string_len_uniq(ApiKeys::KeyHash, 64))
                .col(string_len(ApiKeys::Tier, 16))
                .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::ExpiresAt))
                .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeys::Table, ApiKeys::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_api_keys_account")
                .table(ApiKeys::Table)
                .col(ApiKeys::AccountId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::Id, 64).primary_key())
                .col(text(Sessions::Data))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sessions_expires")
                .table(Sessions::Table)
                .col(Sessions::ExpiresAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(string_len(AuditLog::Actor, 254))
                .col(string_len(AuditLog::Action, 64))
                .col(string_len(AuditLog::Target, 254))
                .col(string_len_null(AuditLog::Ip, 64))
                .col(string_len_null(AuditLog::UserAgent, 512))
                .col(text_null(AuditLog::Details))
                .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_created")
                .table(AuditLog::Table)
                .col(AuditLog::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UsageEvents::Table)
                .col(big_pk_auto(UsageEvents::Id))
                .col(string_len(UsageEvents::KeyId, 32))
                .col(string_len(UsageEvents::AccountId, 32))
                .col(string_len(UsageEvents::Route, 128))
                .col(string_len(UsageEvents::Method, 8))
                .col(small_integer(UsageEvents::Status))
                .col(integer(UsageEvents::LatencyMs))
                .col(string_len_null(UsageEvents::Target, 512))
                .col(boolean(UsageEvents::IsScan).default(false))
                .col(timestamp_with_time_zone(UsageEvents::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_usage_account_time")
                .table(UsageEvents::Table)
                .col(UsageEvents::AccountId)
                .col(UsageEvents::CreatedAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            UsageEvents::Table.into_iden(),
            AuditLog::Table.into_iden(),
            Sessions::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Accounts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
