//! `/v1/webhooks`: endpoints, the delivery log, redelivery and replay, secret rotation.

use std::net::SocketAddr;

use app::server::{
    state::AppState,
    webhooks::{self, deliveries, Webhook},
};
use axum::{
    extract::{ConnectInfo, Path, State},
    http::{HeaderMap, StatusCode},
    Extension, Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    caller::Caller,
    page::{Listed, Page, PageParams},
};
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody, OptionalJson};

#[derive(Deserialize, ToSchema)]
pub struct CreateWebhook {
    /// `https://` URL whose host resolves to public addresses.
    url: String,
    /// Subset of `scan_completed`, `scan_failed`; default both.
    events: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookBody {
    id: String,
    url: String,
    events: Vec<String>,
    created_at: DateTime<Utc>,
    /// Set while every delivery since then has failed.
    failing_since: Option<DateTime<Utc>>,
    /// Set when the endpoint was disabled for failing continuously; see `disabled_reason`.
    disabled_at: Option<DateTime<Utc>>,
    disabled_reason: Option<String>,
}

impl From<Webhook> for WebhookBody {
    fn from(w: Webhook) -> Self {
        WebhookBody {
            events: webhooks::events_of(&w),
            id: w.id,
            url: w.url,
            created_at: w.created_at,
            failing_since: w.failing_since,
            disabled_at: w.disabled_at,
            disabled_reason: w.disabled_reason,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryBody {
    id: String,
    /// Null for deliveries to a scan's own `callback_url`.
    webhook_id: Option<String>,
    url: String,
    event: String,
    scan_id: Option<String>,
    /// `pending`, `sent` or `failed`.
    status: String,
    attempts: i32,
    last_status_code: Option<i16>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<deliveries::Delivery> for DeliveryBody {
    fn from(d: deliveries::Delivery) -> Self {
        DeliveryBody {
            id: d.id,
            webhook_id: d.webhook_id,
            url: d.url,
            event: d.event,
            scan_id: d.scan_id,
            status: d.status.to_string(),
            attempts: d.attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AttemptBody {
    attempt: i32,
    status_code: Option<i16>,
    error: Option<String>,
    /// Our own SSRF guard refused the address.
    guard_refused: bool,
    latency_ms: i32,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    delivery: DeliveryBody,
    /// The exact JSON body sent.
    payload: serde_json::Value,
    attempts_log: Vec<AttemptBody>,
}

/// Register a webhook endpoint.
#[utoipa::path(post, path = "/v1/webhooks", tag = "webhooks", request_body = CreateWebhook, security(("bearer" = [])), responses(
    (status = 201, body = WebhookBody),
    (status = 422, description = "`invalid_url` (not https, private or loopback address), `validation_failed`", body = ErrorBody)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateWebhook>,
) -> Result<(StatusCode, Json<WebhookBody>), ApiError> {
    let actor = caller.actor(&headers, peer);
    let w = webhooks::create(&state.db, &state.config, &actor, &body.url, body.events).await?;
    Ok((StatusCode::CREATED, Json(w.into())))
}

/// List the account's webhook endpoints, newest first.
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks", params(PageParams), security(("bearer" = [])), responses(
    (status = 200, body = [WebhookBody], headers(("Link" = String, description = "`<absolute URL of the next page>; rel=\"next\"`, only when more rows follow"))),
    (status = 422, description = "`validation_failed`: bad `limit` or `cursor`", body = ErrorBody)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    page: Page,
) -> Result<Listed<WebhookBody>, ApiError> {
    let hooks = webhooks::list_page(&state.db, &caller.account.id, &page.request).await?;
    Ok(page.respond(&state.config.public_url, hooks.map(WebhookBody::from)))
}

/// Remove a webhook endpoint.
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])), responses(
    (status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete(&state.db, &caller.actor(&headers, peer), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct EnableWebhook {
    /// Also re-queue the deliveries that failed or were skipped while it was down.
    #[serde(default)]
    replay: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EnableResult {
    webhook: WebhookBody,
    /// Deliveries re-queued (at most 1,000 per call).
    replayed: usize,
    /// More failed deliveries of this endpoint remain: re-queue them with
    /// `POST /v1/webhooks/deliveries/replay` (`webhook_id` set).
    replay_more: bool,
}

/// Re-enable an endpoint that was disabled for failing, optionally replaying what it missed.
#[utoipa::path(post, path = "/v1/webhooks/{id}/enable", tag = "webhooks", params(("id" = String, Path)), request_body = EnableWebhook, security(("bearer" = [])), responses(
    (status = 200, body = EnableResult), (status = 404, body = ErrorBody)))]
pub async fn enable_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<EnableWebhook>,
) -> Result<Json<EnableResult>, ApiError> {
    let done = webhooks::enable(&state, &caller.actor(&headers, peer), &id, body.replay).await?;
    Ok(Json(EnableResult {
        webhook: done.webhook.into(),
        replayed: done.replayed.queued,
        replay_more: done.replayed.more,
    }))
}

/// Send a `test` event to an endpoint.
#[utoipa::path(post, path = "/v1/webhooks/{id}/test", tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])), responses(
    (status = 202, body = DeliveryBody), (status = 404, body = ErrorBody)))]
pub async fn test_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryBody>), ApiError> {
    let d = deliveries::send_test(&state, &caller.account.id, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(d.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state: `pending`, `sent` or `failed`.
    status: Option<String>,
    /// Only deliveries to this endpoint.
    webhook_id: Option<String>,
}

/// The delivery log, newest first.
#[utoipa::path(get, path = "/v1/webhooks/deliveries", tag = "webhooks", params(DeliveryQuery, PageParams), security(("bearer" = [])), responses(
    (status = 200, body = [DeliveryBody], headers(("Link" = String, description = "`<absolute URL of the next page>; rel=\"next\"`, only when more rows follow"))),
    (status = 422, description = "`validation_failed`: bad `limit` or `cursor`", body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
    page: Page,
) -> Result<Listed<DeliveryBody>, ApiError> {
    let f = deliveries::Filter {
        status: q.status.filter(|s| !s.is_empty()),
        webhook_id: q.webhook_id.filter(|s| !s.is_empty()),
        limit: None,
    };
    let rows = deliveries::list_page(&state.db, &caller.account.id, f, &page.request).await?;
    Ok(page.respond(&state.config.public_url, rows.map(DeliveryBody::from)))
}

/// One delivery with its exact body and every attempt.
#[utoipa::path(get, path = "/v1/webhooks/deliveries/{id}", tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])), responses(
    (status = 200, body = DeliveryDetail), (status = 404, body = ErrorBody)))]
pub async fn get_delivery(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    let d = deliveries::get_owned(&state.db, &caller.account.id, &id).await?;
    let attempts = deliveries::attempts(&state.db, &d.id).await?;
    let payload = serde_json::from_str(&d.payload).unwrap_or_default();
    Ok(Json(DeliveryDetail {
        delivery: d.into(),
        payload,
        attempts_log: attempts
            .into_iter()
            .map(|a| AttemptBody {
                attempt: a.attempt,
                status_code: a.status_code,
                error: a.error,
                guard_refused: a.guard_refused,
                latency_ms: a.latency_ms,
                created_at: a.created_at,
            })
            .collect(),
    }))
}

/// Send a delivery again now: a new attempt with the same delivery id and body.
#[utoipa::path(post, path = "/v1/webhooks/deliveries/{id}/redeliver", tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])), responses(
    (status = 202, body = DeliveryBody), (status = 404, body = ErrorBody),
    (status = 409, description = "`already_pending`: the delivery is queued or being retried", body = ErrorBody)))]
pub async fn redeliver(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryBody>), ApiError> {
    let d = deliveries::redeliver(&state, &caller.account.id, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(d.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplayRequest {
    /// Re-queue failed deliveries created at or after this time.
    since: DateTime<Utc>,
    webhook_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReplayResult {
    /// Deliveries re-queued by this call: at most 1,000.
    queued: usize,
    /// More failed deliveries match: call again (each call is one rate-limited call) to
    /// re-queue the next ones.
    more: bool,
}

/// Re-queue the failed deliveries since a time, oldest first, each with a full retry
/// schedule: at most 1,000 per call; `more` says whether another call would find more.
#[utoipa::path(post, path = "/v1/webhooks/deliveries/replay", tag = "webhooks", request_body = ReplayRequest, security(("bearer" = [])), responses(
    (status = 202, body = ReplayResult), (status = 404, description = "`not_found`: `webhook_id` is not one of the account's", body = ErrorBody)))]
pub async fn replay(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<ReplayRequest>,
) -> Result<(StatusCode, Json<ReplayResult>), ApiError> {
    let done = deliveries::replay(&state, &caller.account.id, body.since, body.webhook_id.as_deref()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ReplayResult {
            queued: done.queued,
            more: done.more,
        }),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RotateSecret {
    /// Seconds the old secret keeps signing beside the new one (default 0).
    grace_period_secs: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct SecretBody {
    /// `whsec_…`: shown once.
    webhook_secret: String,
}

/// Rotate the account's webhook signing secret.
#[utoipa::path(post, path = "/v1/webhooks/secret/rotate", tag = "webhooks", request_body = RotateSecret, security(("bearer" = [])), responses(
    (status = 200, body = SecretBody), (status = 422, body = ErrorBody)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    OptionalJson(body): OptionalJson<RotateSecret>,
) -> Result<Json<SecretBody>, ApiError> {
    let grace = std::time::Duration::from_secs(body.grace_period_secs.unwrap_or(0));
    let secret = webhooks::rotate_secret(
        &state.db,
        &state.config,
        &state.keys,
        &caller.actor(&headers, peer),
        grace,
    )
    .await?;
    Ok(Json(SecretBody { webhook_secret: secret }))
}
