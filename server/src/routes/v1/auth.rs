//! `/v1/auth`: registration, API keys, usage.

use std::net::SocketAddr;

use app::server::{
    accounts,
    accounts::keys::{self, ApiKey, Grants},
    accounts::tiers::Tier,
    accounts::usage,
    audit, limiter,
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{ConnectInfo, Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    Extension, Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    caller::Caller,
    page::{Page, PageParams},
};
use crate::error::{ApiError, ApiJson, ErrorBody, OptionalJson};

/// Where a request came from, for the audit log and per-address limits.
pub fn origin_of(headers: &HeaderMap, peer: Option<SocketAddr>) -> audit::Origin {
    audit::Origin::from_request(headers, peer)
}

/// Per-address protection of a public endpoint (shared with the browser forms).
pub async fn limit_address(
    state: &AppState,
    scope: &str,
    ip: Option<&str>,
    limit: u32,
    window_secs: u64,
) -> Result<(), ApiError> {
    limiter::limit_address(
        &*state.limiter,
        scope,
        ip,
        limit,
        std::time::Duration::from_secs(window_secs),
    )
    .await?;
    Ok(())
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    email: String,
    password: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct KeySummary {
    id: String,
    prefix: String,
    tier: String,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterResponse {
    account_id: String,
    partner_slug: String,
    /// The full API key: shown once.
    api_key: String,
    /// The account's webhook signing secret (`whsec_…`): shown once here.
    webhook_secret: String,
    key: KeySummary,
}

/// Create a partner account (free tier) with its first API key and webhook secret.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest, responses(
    (status = 201, body = RegisterResponse),
    (status = 409, description = "`email_taken`", body = ErrorBody),
    (status = 422, description = "`validation_failed`", body = ErrorBody),
    (status = 429, description = "too many sign-ups from this address", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<RegisterResponse>), ApiError> {
    let origin = origin_of(&headers, Some(peer));
    limit_address(&state, "register", origin.ip.as_deref(), 10, 3600).await?;
    let created = accounts::register(
        &state.db,
        &state.config,
        &body.email,
        &body.password,
        &body.name,
        &origin,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisterResponse {
            account_id: created.account.id,
            partner_slug: created.account.partner_slug,
            api_key: created.key.secret,
            webhook_secret: created.webhook_secret,
            key: KeySummary {
                id: created.key.model.id,
                prefix: created.key.model.prefix,
                tier: created.key.model.tier,
            },
        }),
    ))
}

/// A key scope (documentation only: the service parses the names, so an unknown one is a
/// 422 `validation_failed` naming it).
#[derive(Serialize, ToSchema)]
#[schema(as = Scope)]
#[allow(dead_code)]
enum ScopeName {
    /// `GET /v1/scan/{id}` (and its stream) with a key, `/scan/latest`, `/scan/lookup`, `GET /v1/scans`.
    #[serde(rename = "scans:read")]
    ScansRead,
    /// `POST /v1/scan/repo`, `/scan/x-profile`, `/scan/compare`.
    #[serde(rename = "scans:write")]
    ScansWrite,
    /// `/v1/auth/keys*`.
    #[serde(rename = "keys")]
    Keys,
    /// `/v1/webhooks*`.
    #[serde(rename = "webhooks")]
    Webhooks,
    /// `/v1/auth/usage`.
    #[serde(rename = "usage")]
    Usage,
    /// `/v1/embed/settings`.
    #[serde(rename = "embed")]
    Embed,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CreateKeyRequest {
    name: Option<String>,
    /// What the key may call (default: every scope). Not empty. Admin routes need a key with
    /// every scope.
    #[schema(value_type = Option<Vec<ScopeName>>)]
    scopes: Option<Vec<String>>,
    /// Browser origins the key may be used from (`https://host[:port]`, or
    /// `http://localhost[:port]`; at most 20). A request with an `Origin` header outside them
    /// gets 403 `origin_not_allowed`; one without `Origin` (server-side use) is allowed.
    /// Default: none, usable from any origin. Listed origins are also admitted by CORS.
    #[schema(example = json!(["https://terminal.example"]))]
    allowed_origins: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct NewKeyResponse {
    id: String,
    /// The full API key: shown once.
    api_key: String,
    prefix: String,
    name: String,
    tier: String,
    #[schema(value_type = Vec<ScopeName>)]
    scopes: Vec<String>,
    /// Empty: usable from any origin.
    allowed_origins: Vec<String>,
    created_at: DateTime<Utc>,
}

impl From<keys::NewKey> for NewKeyResponse {
    fn from(k: keys::NewKey) -> Self {
        let grants = Grants::of(&k.model);
        NewKeyResponse {
            id: k.model.id,
            api_key: k.secret,
            prefix: k.model.prefix,
            name: k.model.name,
            tier: k.model.tier,
            scopes: grants.scope_names(),
            allowed_origins: grants.allowed_origins,
            created_at: k.model.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct KeyInfo {
    id: String,
    prefix: String,
    name: String,
    tier: String,
    #[schema(value_type = Vec<ScopeName>)]
    scopes: Vec<String>,
    /// Empty: usable from any origin.
    allowed_origins: Vec<String>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<&ApiKey> for KeyInfo {
    fn from(k: &ApiKey) -> Self {
        // A rotated-out key whose grace period has ended reads as revoked at that moment.
        let revoked_at = k.revoked_at.or(k.expires_at.filter(|t| *t <= Utc::now()));
        let grants = Grants::of(k);
        KeyInfo {
            id: k.id.clone(),
            prefix: k.prefix.clone(),
            name: k.name.clone(),
            tier: k.tier.clone(),
            scopes: grants.scope_names(),
            allowed_origins: grants.allowed_origins,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at,
        }
    }
}

/// Create another API key for this account, optionally limited to some scopes and to
/// browser origins (a key for a web page should be both).
#[utoipa::path(post, path = "/v1/auth/keys", tag = "auth", request_body = CreateKeyRequest, security(("bearer" = [])),
    responses((status = 201, body = NewKeyResponse), (status = 401, body = ErrorBody),
        (status = 409, description = "`key_limit_reached`: the tier's active keys (free 3, pro 10, partner 50) are all in use", body = ErrorBody),
        (status = 422, description = "`validation_failed`: an unknown scope, an empty scope list, or an entry that is not an origin", body = ErrorBody)))]
pub async fn create_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    OptionalJson(body): OptionalJson<CreateKeyRequest>,
) -> Result<(StatusCode, Json<NewKeyResponse>), ApiError> {
    let grants = Grants::parse(body.scopes.as_deref(), body.allowed_origins.as_deref())?;
    let key = keys::create_capped(
        &state.db,
        &state.keys,
        &caller.actor(&headers, peer),
        body.name.as_deref(),
        &grants,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(key.into())))
}

/// List this account's keys, newest first (never a full key or a hash).
#[utoipa::path(get, path = "/v1/auth/keys", tag = "auth", params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<KeyInfo>, headers(("Link" = String, description = "`<absolute URL of the next page>; rel=\"next\"`, only when more rows follow"))), (status = 401, body = ErrorBody),
        (status = 422, description = "`validation_failed`: bad `limit` or `cursor`", body = ErrorBody)))]
pub async fn list_keys(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    page: Page,
) -> Result<Response, ApiError> {
    let listed = state
        .keys
        .key_list_page(&state.db, &caller.account.id, &page.request)
        .await?;
    // Rendered once per cached page: the calls that list it while it is fresh share the bytes.
    let body = listed.rendered(|keys| {
        let infos: Vec<KeyInfo> = keys.items.iter().map(KeyInfo::from).collect();
        serde_json::to_vec(&infos)
            .map(Bytes::from)
            .map_err(|e| ApiError::internal(format!("key list: {e}")))
    })?;
    Ok(page.respond_rendered(&state.config.public_url, body, listed.keys.next.as_ref()))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RotateRequest {
    /// Seconds the old key keeps working (default 0: it stops at once).
    expire_old_in_secs: Option<u64>,
}

/// Replace a key (same name, scopes and allowed origins); the old one stops working after
/// `expire_old_in_secs`.
#[utoipa::path(post, path = "/v1/auth/keys/{id}/rotate", tag = "auth", request_body = RotateRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "key id")),
    responses((status = 201, body = NewKeyResponse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rotate_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<RotateRequest>,
) -> Result<(StatusCode, Json<NewKeyResponse>), ApiError> {
    let grace = body.expire_old_in_secs.unwrap_or(0);
    let key = keys::rotate(&state.db, &state.keys, &caller.actor(&headers, peer), &id, grace).await?;
    Ok((StatusCode::CREATED, Json(key.into())))
}

/// Revoke a key: it gets 401 from the next request on.
#[utoipa::path(delete, path = "/v1/auth/keys/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "key id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    keys::revoke(&state.db, &state.keys, &caller.actor(&headers, peer), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct LimitsBody {
    /// `null` when unlimited.
    per_minute: Option<u32>,
    per_day: Option<u32>,
    concurrent_scans: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct TodayBody {
    requests: u64,
    scans: u64,
}

#[derive(Serialize, ToSchema)]
pub struct DailyBody {
    date: String,
    requests: u64,
    scans: u64,
}

#[derive(Serialize, ToSchema)]
pub struct TopRepoBody {
    target: String,
    scans: u64,
}

#[derive(Serialize, ToSchema)]
pub struct UsageResponse {
    tier: String,
    limits: LimitsBody,
    today: TodayBody,
    /// The last 30 UTC days, oldest first.
    daily: Vec<DailyBody>,
    top_repos: Vec<TopRepoBody>,
}

/// This account's usage: today, the last 30 days, and the most scanned repositories.
#[utoipa::path(get, path = "/v1/auth/usage", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UsageResponse), (status = 401, body = ErrorBody)))]
pub async fn usage(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<UsageResponse>, ApiError> {
    state.meter.flush().await;
    let tier: Tier = accounts::tier(&caller.account);
    let l = tier.limits();
    let s = usage::summary(&state.db, &caller.account.id, 30).await?;
    Ok(Json(UsageResponse {
        tier: tier.as_str().into(),
        limits: LimitsBody {
            per_minute: l.per_minute,
            per_day: l.per_day,
            concurrent_scans: l.concurrent_scans,
        },
        today: TodayBody {
            requests: s.today.requests,
            scans: s.today.scans,
        },
        daily: s
            .daily
            .into_iter()
            .map(|d| DailyBody {
                date: d.date,
                requests: d.requests,
                scans: d.scans,
            })
            .collect(),
        top_repos: s
            .top_repos
            .into_iter()
            .map(|r| TopRepoBody {
                target: r.target,
                scans: r.scans,
            })
            .collect(),
    }))
}
