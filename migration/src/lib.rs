//! Schema migrations, one file per change, named by date and intent. The same migrations
//! serve SQLite and PostgreSQL: they use only portable column types through sea-query.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_accounts_and_keys;
mod m20261123_000002_scans_and_jobs;
mod m20261123_000003_webhooks;
mod m20261124_000001_api_key_scopes;
mod m20261202_000001_retention;
mod m20261202_000010_job_accounts;
mod m20261203_000001_usage_calls;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_accounts_and_keys::Migration),
            Box::new(m20261123_000002_scans_and_jobs::Migration),
            Box::new(m20261123_000003_webhooks::Migration),
            Box::new(m20261124_000001_api_key_scopes::Migration),
            Box::new(m20261202_000001_retention::Migration),
            Box::new(m20261202_000010_job_accounts::Migration),
            Box::new(m20261203_000001_usage_calls::Migration),
        ]
    }
}
