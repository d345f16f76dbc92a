//! Outbound webhooks: partners' endpoints (this module), the deliveries queued when a scan
//! ends ([`deliveries`]), how they are signed ([`signing`]) and sent ([`sender`]).
//!
//! What a partner does to its endpoints and its signing secret is audited here, from the
//! [`Actor`] the REST route or the dashboard hands in, and whatever queues deliveries wakes
//! the delivery workers itself once its rows are committed: the edges only call.

pub mod deliveries;
pub mod sender;
pub mod signing;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{
    accounts::{key_cache::KeyCache, login, Account},
    audit::Actor,
    config::Config,
    crypto,
    entities::{account, webhook},
    error::{ServiceError, ServiceResult},
    outbound,
    paging::{self, Cursor, PageRequest, Paged},
    state::AppState,
};
use crate::events::StreamEvent;

pub type Webhook = webhook::Model;

/// The events a webhook can subscribe to: the stream's last events, under the same names.
pub const EVENTS: [&str; 2] = [StreamEvent::ScanCompleted.as_str(), StreamEvent::ScanFailed.as_str()];
/// Endpoints per account.
pub const MAX_PER_ACCOUNT: u64 = 10;
/// The longest a rotated-out secret may keep signing beside the new one.
pub const MAX_SECRET_GRACE: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

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
/// allowed). Audited as `webhook.create`.
pub async fn create(
    db: &impl ConnectionTrait,
    config: &Config,
    actor: &Actor,
    url: &str,
    events: Option<Vec<String>>,
) -> ServiceResult<Webhook> {
    let account_id = actor.account.id.as_str();
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
    let w = row.insert(db).await?;
    actor.record(db, "webhook.create", &w.url, None).await;
    Ok(w)
}

pub async fn list(db: &impl ConnectionTrait, account_id: &str) -> ServiceResult<Vec<Webhook>> {
    Ok(webhook::Entity::find()
        .filter(webhook::Column::AccountId.eq(account_id))
        .order_by_asc(webhook::Column::CreatedAt)
        .all(db)
        .await?)
}

/// One page of the account's endpoints, newest first (`GET /v1/webhooks`).
pub async fn list_page(
    db: &impl ConnectionTrait,
    account_id: &str,
    page: &PageRequest,
) -> ServiceResult<Paged<Webhook>> {
    let sel = webhook::Entity::find().filter(webhook::Column::AccountId.eq(account_id));
    let sel = paging::keyset(
        sel,
        webhook::Column::CreatedAt,
        webhook::Column::Id,
        page,
        paging::text_id,
    )?;
    paging::fetch(db, sel, page.limit, |w| Cursor::new(w.created_at, &w.id)).await
}

/// One of the account's endpoints; another account's is "not found" (never revealed).
pub async fn get_owned(db: &impl ConnectionTrait, account_id: &str, id: &str) -> ServiceResult<Webhook> {
    webhook::Entity::find_by_id(id.to_owned())
        .filter(webhook::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("No webhook with this id.".into()))
}

/// Removes one of the actor's endpoints, audited as `webhook.delete` (with its URL).
pub async fn delete(db: &impl ConnectionTrait, actor: &Actor, id: &str) -> ServiceResult<()> {
    let w = get_owned(db, &actor.account.id, id).await?;
    webhook::Entity::delete_by_id(w.id).exec(db).await?;
    actor.record(db, "webhook.delete", &w.url, None).await;
    Ok(())
}

pub struct Enabled {
    pub webhook: Webhook,
    /// What the replay re-queued (nothing without `replay`), at most
    /// [`deliveries::REPLAY_BATCH`]; `more` when further failed deliveries remain for
    /// `POST /v1/webhooks/deliveries/replay`.
    pub replayed: deliveries::Replayed,
}

/// Turns a disabled endpoint back on; with `replay`, the deliveries that failed (or were
/// skipped) since it started failing are queued again ([`deliveries::replay`]'s rule and
/// bound) and the workers woken. Audited as `webhook.enable` with the count.
pub async fn enable(state: &AppState, actor: &Actor, id: &str, replay: bool) -> ServiceResult<Enabled> {
    let db = &state.db;
    let account_id = actor.account.id.as_str();
    let w = get_owned(db, account_id, id).await?;
    let since = w.failing_since.or(w.disabled_at).unwrap_or(w.created_at);
    let mut am: webhook::ActiveModel = w.into();
    am.disabled_at = Set(None);
    am.disabled_reason = Set(None);
    am.failing_since = Set(None);
    let w = am.update(db).await?;
    let replayed = if replay {
        deliveries::requeue_failed(db, &state.config, account_id, since, Some(&w.id)).await?
    } else {
        deliveries::Replayed::default()
    };
    let details = serde_json::json!({ "replayed": replayed.queued, "more": replayed.more });
    actor.record(db, "webhook.enable", &w.url, Some(details)).await;
    state.bus.notify_jobs().await;
    Ok(Enabled { webhook: w, replayed })
}

/// Issues a new secret for the actor's account; the old one keeps signing beside it for
/// `grace` (zero: not at all; at most [`MAX_SECRET_GRACE`]). Audited as
/// `webhook.secret_rotate`. Returns the new secret, shown once.
#[tracing::instrument(name = "webhook_secret_rotate", skip_all)]
pub async fn rotate_secret(
    db: &impl ConnectionTrait,
    config: &Config,
    cache: &KeyCache,
    actor: &Actor,
    grace: std::time::Duration,
) -> ServiceResult<String> {
    if grace > MAX_SECRET_GRACE {
        return Err(ServiceError::validation("grace_period_secs may be at most 30 days."));
    }
    let account = actor.account.clone();
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
    // The next rotation keeps the current secret from the caller's (cached) account row.
    cache.changed().await;
    let details = serde_json::json!({ "grace_period_secs": grace.as_secs() });
    actor
        .record(db, "webhook.secret_rotate", &account.id, Some(details))
        .await;
    Ok(secret)
}

/// The current secret, decrypted (the dashboard's "reveal"), for the account's password
/// asked again ([`login::confirm_password`]: a hijacked browser session alone does not
/// yield the secret). No password is 422 before any check; every wrong one is audited as
/// `webhook.secret_reveal_failure` (422), every reveal as `webhook.secret_reveal`.
pub async fn reveal_secret(state: &AppState, actor: &Actor, password: &str) -> ServiceResult<String> {
    if password.is_empty() {
        return Err(ServiceError::invalid(
            "password_required",
            "Enter your password to reveal the secret.",
        ));
    }
    login::confirm_password(state, actor, password, "webhook.secret_reveal_failure").await?;
    let secret = current_secret(&state.config, &actor.account)?;
    actor
        .record(&state.db, "webhook.secret_reveal", &actor.account.id, None)
        .await;
    Ok(secret)
}

fn current_secret(config: &Config, account: &Account) -> ServiceResult<String> {
    crypto::decrypt(config.secret_key.expose(), &account.webhook_secret_enc).map_err(ServiceError::internal)
}
