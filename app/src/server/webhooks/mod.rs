//! Outbound webhooks: partners' endpoints (this module), the deliveries queued when a scan
//! ends ([`deliveries`]), how they are signed ([`signing`]) and sent ([`sender`]).

pub mod deliveries;
pub mod sender;
pub mod signing;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{
    accounts::Account,
    config::Config,
    crypto,
    entities::{account, webhook},
    error::{ServiceError, ServiceResult},
    outbound,
};
use crate::events::StreamEvent;

pub type Webhook = webhook::Model;

/// The events a webhook can subscribe to: the stream's last events, under the same names.
pub const EVENTS: [&str; 2] = [StreamEvent::ScanCompleted.as_str(), StreamEvent::ScanFailed.as_str()];
/// Endpoints per account.
pub const MAX_PER_ACCOUNT: u64 = 10;

pub fn events_of(w: &Webhook) -> Vec<String> {
    serde_json::from_str(&w.events).unwrap_or_default()
}

fn parse_events(events: Option<Vec<String>>) -> ServiceResult<Vec<String>> {
    let Some(mut events) = events else {
        return Ok(EVENTS.iter().map(|e| e.to_string()).collect());
    };
    if events.is_empty() {
        return Err(ServiceError::validation(
            "events must name at least one event, or be left out for all.",
        ));
    }
    if let Some(bad) = events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        return Err(ServiceError::validation(format!(
            "Unknown event `{bad}`; events are {}.",
            EVENTS.join(", ")
        )));
    }
    events.sort();
    events.dedup();
    Ok(events)
}

/// Registers an endpoint (its host is resolved and must be public unless private targets are
/// allowed).
pub async fn create(
    db: &impl ConnectionTrait,
    config: &Config,
    account_id: &str,
    url: &str,
    events: Option<Vec<String>>,
) -> ServiceResult<Webhook> {
    let url = outbound::validate(url, config.allow_private_targets).await?;
    let events = parse_events(events)?;
    let count = webhook::Entity::find()
        .filter(webhook::Column::AccountId.eq(account_id))
        .count(db)
        .await?;
    if count >= MAX_PER_ACCOUNT {
        return Err(ServiceError::validation(format!(
            "An account can register at most {MAX_PER_ACCOUNT} webhooks."
        )));
    }
    let row = webhook::ActiveModel {
        id: Set(crypto::random_id()),
        account_id: Set(account_id.to_owned()),
        url: Set(url.to_string()),
        events: Set(serde_json::to_string(&events).map_err(ServiceError::internal)?),
        created_at: Set(Utc::now()),
        failing_since: Set(None),
        disabled_at: Set(None),
        disabled_reason: Set(None),
    };
    Ok(row.insert(db).await?)
}

pub async fn list(db: &impl ConnectionTrait, account_id: &str) -> ServiceResult<Vec<Webhook>> {
    Ok(webhook::Entity::find()
        .filter(webhook::Column::AccountId.eq(account_id))
        .order_by_asc(webhook::Column::CreatedAt)
        .all(db)
        .await?)
}

/// One of the account's endpoints; another account's is "not found" (never revealed).
pub async fn get_owned(db: &impl ConnectionTrait, account_id: &str, id: &str) -> ServiceResult<Webhook> {
    webhook::Entity::find_by_id(id.to_owned())
        .filter(webhook::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("No webhook with this id.".into()))
}

pub async fn delete(db: &impl ConnectionTrait, account_id: &str, id: &str) -> ServiceResult<()> {
    let w = get_owned(db, account_id, id).await?;
    webhook::Entity::delete_by_id(w.id).exec(db).await?;
    Ok(())
}

/// Turns a disabled endpoint back on. Replaying what it missed is [`deliveries::replay`].
pub async fn enable(db: &impl ConnectionTrait, account_id: &str, id: &str) -> ServiceResult<Webhook> {
    let w = get_owned(db, account_id, id).await?;
    let mut am: webhook::ActiveModel = w.into();
    am.disabled_at = Set(None);
    am.disabled_reason = Set(None);
    am.failing_since = Set(None);
    Ok(am.update(db).await?)
}

/// Issues a new secret; the old one keeps signing beside it for `grace` (zero: not at all).
/// Returns the new secret, shown once.
pub async fn rotate_secret(
    db: &impl ConnectionTrait,
    config: &Config,
    account: Account,
    grace: std::time::Duration,
) -> ServiceResult<String> {
    let key = config.secret_key.expose();
    let secret = crypto::new_webhook_secret();
    let now = Utc::now();
    let mut am: account::ActiveModel = account.clone().into();
    if grace.is_zero() {
        am.webhook_secret_prev_enc = Set(None);
        am.webhook_secret_prev_expires_at = Set(None);
    } else {
        am.webhook_secret_prev_enc = Set(Some(account.webhook_secret_enc.clone()));
        am.webhook_secret_prev_expires_at = Set(Some(
            now + chrono::Duration::from_std(grace).map_err(ServiceError::internal)?,
        ));
    }
    am.webhook_secret_enc = Set(crypto::encrypt(key, &secret));
    am.updated_at = Set(now);
    am.update(db).await?;
    Ok(secret)
}

/// The current secret, decrypted (the dashboard's "reveal").
pub fn current_secret(config: &Config, account: &Account) -> ServiceResult<String> {
    crypto::decrypt(config.secret_key.expose(), &account.webhook_secret_enc).map_err(ServiceError::internal)
}
