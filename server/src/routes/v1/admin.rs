//! `/v1/admin`: partner onboarding, tier and status changes, the audit log. Needs an admin
//! account's key: the key layer answers 401/403 first, then [`require_admin`] refuses (and
//! audits) any other account with 403 `forbidden`.

use std::net::SocketAddr;

use app::server::{
    accounts::admin::{self, NewPartner, PartnerQuery, PartnerUpdate, RoleFilter},
    audit::{self, AuditQuery},
    entities::audit_log,
    state::AppState,
};
use axum::{
    extract::{ConnectInfo, Path, Request, State},
    http::{HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Extension, Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    auth::origin_of,
    caller::Caller,
    page::{Listed, Page, PageParams},
};
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody, OptionalJson};

/// Route layer of every admin route, inside the key layer.
pub async fn require_admin(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(caller): Extension<Caller>,
    req: Request,
    next: Next,
) -> Response {
    if let Err(e) = admin::require_admin(&caller.account) {
        let target = format!("{} {}", req.method(), req.uri().path());
        audit::record(
            &state.db,
            &caller.account.email,
            "admin.denied",
            &target,
            &origin_of(req.headers(), Some(peer)),
            None,
        )
        .await;
        return ApiError::from(e).into_response();
    }
    next.run(req).await
}

/// A partner (or admin) account as the admin API shows it.
#[derive(Serialize, ToSchema)]
pub struct Partner {
    account_id: String,
    name: String,
    email: String,
    /// `partner` or `admin`.
    role: String,
    /// `free`, `pro`, `partner` or `internal`.
    tier: String,
    /// `active` or `suspended`.
    status: String,
    partner_slug: String,
    created_at: DateTime<Utc>,
}

impl From<app::server::accounts::Account> for Partner {
    fn from(a: app::server::accounts::Account) -> Self {
        Partner {
            account_id: a.id,
            name: a.name,
            email: a.email,
            role: a.role,
            tier: a.tier,
            status: a.status,
            partner_slug: a.partner_slug,
            created_at: a.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CreatePartnerRequest {
    name: String,
    email: String,
    /// `free`, `pro`, `partner` or `internal`.
    tier: String,
    /// Origins allowed to embed the widget: `https://host[:port]` or `http://localhost[:port]`.
    #[serde(default)]
    allowed_domains: Vec<String>,
    /// The partner's public slug (names it in widget URLs): 3 to 32 of `a-z0-9-`. Default:
    /// made from the name, with a random suffix.
    #[serde(default)]
    partner_slug: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatePartnerResponse {
    account_id: String,
    partner_slug: String,
    /// The partner's first API key: shown once.
    api_key: String,
    /// The partner's webhook signing secret (`whsec_…`): shown once.
    webhook_secret: String,
    /// Link for the partner to set a password (valid 7 days, single use).
    invite_url: String,
}

/// Onboard a partner: account, first API key, webhook secret and an invitation link.
#[utoipa::path(post, path = "/v1/admin/partners", tag = "admin", request_body = CreatePartnerRequest, security(("bearer" = [])),
    responses(
        (status = 201, body = CreatePartnerResponse),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin account", body = ErrorBody),
        (status = 409, description = "`email_taken`, `slug_taken`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: bad email, tier, domain or slug", body = ErrorBody)))]
pub async fn create_partner(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreatePartnerRequest>,
) -> Result<(StatusCode, Json<CreatePartnerResponse>), ApiError> {
    let new = NewPartner {
        name: body.name,
        email: body.email,
        tier: body.tier,
        allowed_domains: body.allowed_domains,
        partner_slug: body.partner_slug,
    };
    let done = admin::onboard_partner(&state.db, &state.config, &caller.actor(&headers, peer), new).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatePartnerResponse {
            account_id: done.account.id,
            partner_slug: done.account.partner_slug,
            api_key: done.key.secret,
            webhook_secret: done.webhook_secret,
            invite_url: done.invite_url,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct InviteResponse {
    /// Link for the partner to set a (new) password: valid 7 days, single use.
    invite_url: String,
}

/// Re-issue a partner's invitation.
///
/// A new link replaces every earlier one (an expired onboarding continues; a lost link stops
/// working). Also how an admin resets a partner's password: the partner sets a new one
/// through the link, which ends the sessions opened with the old one.
#[utoipa::path(post, path = "/v1/admin/partners/{account_id}/invite", tag = "admin", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "account id")),
    responses(
        (status = 201, body = InviteResponse),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin account", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`validation_failed`: the account is an admin", body = ErrorBody)))]
pub async fn invite_partner(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
) -> Result<(StatusCode, Json<InviteResponse>), ApiError> {
    let invite_url = admin::reinvite(
        &state.db,
        &state.config,
        &state.keys,
        &caller.actor(&headers, peer),
        &account_id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(InviteResponse { invite_url })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerListParams {
    /// `partner` (default), `admin` or `all`.
    role: Option<String>,
    /// Case-insensitive part of the name, email or slug.
    q: Option<String>,
}

/// List partner accounts, newest first.
#[utoipa::path(get, path = "/v1/admin/partners", tag = "admin", params(PartnerListParams, PageParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<Partner>, headers(("Link" = String, description = "`<absolute URL of the next page>; rel=\"next\"`, only when more rows follow"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "`validation_failed`: bad `role`, `limit` or `cursor`", body = ErrorBody)))]
pub async fn list_partners(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<PartnerListParams>,
    page: Page,
) -> Result<Listed<Partner>, ApiError> {
    let role = match params.role.as_deref() {
        None | Some("") | Some("partner") => RoleFilter::Partners,
        Some("admin") => RoleFilter::Admins,
        Some("all") => RoleFilter::All,
        Some(_) => return Err(ApiError::validation("role is `partner`, `admin` or `all`.")),
    };
    let rows = admin::list_partners_page(&state.db, PartnerQuery { role, search: params.q }, &page.request).await?;
    Ok(page.respond(&state.config.public_url, rows.map(Partner::from)))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct UpdatePartnerRequest {
    /// New tier; limits follow from the next request.
    tier: Option<String>,
    /// `active` or `suspended`; a suspended account's keys get 403.
    status: Option<String>,
}

/// Change a partner's tier or status.
#[utoipa::path(patch, path = "/v1/admin/partners/{account_id}", tag = "admin", request_body = UpdatePartnerRequest, security(("bearer" = [])),
    params(("account_id" = String, Path, description = "account id")),
    responses(
        (status = 200, body = Partner),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`validation_failed`: bad tier or status, or suspending yourself", body = ErrorBody)))]
pub async fn update_partner(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
    OptionalJson(body): OptionalJson<UpdatePartnerRequest>,
) -> Result<Json<Partner>, ApiError> {
    let change = PartnerUpdate {
        tier: body.tier,
        status: body.status,
    };
    let account = admin::update_partner(
        &state.db,
        &state.keys,
        &caller.actor(&headers, peer),
        &account_id,
        change,
    )
    .await?;
    Ok(Json(account.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries by this actor (an email, `cli` or `system`).
    actor: Option<String>,
    /// Only this action, e.g. `partner.update`.
    action: Option<String>,
    /// Only entries about this target (usually an account id).
    target: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    id: i64,
    actor: String,
    action: String,
    target: String,
    ip: Option<String>,
    user_agent: Option<String>,
    /// What changed, when the action records it (e.g. tier before and after).
    #[schema(value_type = Option<Object>)]
    details: Option<serde_json::Value>,
    created_at: DateTime<Utc>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(m: audit_log::Model) -> Self {
        AuditEntry {
            id: m.id,
            actor: m.actor,
            action: m.action,
            target: m.target,
            ip: m.ip,
            user_agent: m.user_agent,
            details: m.details.and_then(|d| serde_json::from_str(&d).ok()),
            created_at: m.created_at,
        }
    }
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", params(AuditParams, PageParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditEntry>, headers(("Link" = String, description = "`<absolute URL of the next page>; rel=\"next\"`, only when more rows follow"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "`validation_failed`: `limit` is not a number from 1 to 200, or a bad `cursor`", body = ErrorBody)))]
pub async fn audit_log(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<AuditParams>,
    page: Page,
) -> Result<Listed<AuditEntry>, ApiError> {
    let query = AuditQuery {
        limit: None,
        actor: params.actor,
        action: params.action,
        target: params.target,
    };
    let rows = audit::list_page(&state.db, query, &page.request).await?;
    Ok(page.respond(&state.config.public_url, rows.map(AuditEntry::from)))
}

#[derive(Serialize, ToSchema)]
pub struct JobBody {
    id: i64,
    /// `scan`, `delivery` or `retention` (the periodic retention purge, one job that
    /// reschedules itself).
    kind: String,
    /// The scan or delivery id; `retention` for the retention job.
    ref_id: String,
    /// `queued`, `running`, `done`, `failed` or `dead`.
    status: String,
    attempts: i32,
    max_attempts: i32,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<app::server::jobs::Job> for JobBody {
    fn from(j: app::server::jobs::Job) -> Self {
        JobBody {
            id: j.id,
            kind: j.kind.to_string(),
            ref_id: j.ref_id,
            status: j.status.to_string(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
            created_at: j.created_at,
            updated_at: j.updated_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// Jobs in this state: `queued`, `running`, `done`, `failed` or `dead` (default: the
    /// dead-letter queue).
    status: Option<String>,
}

/// Background jobs by state, newest first; `dead` lists the dead-letter queue.
#[utoipa::path(get, path = "/v1/admin/jobs", tag = "admin", params(JobQuery, PageParams), security(("bearer" = [])), responses(
    (status = 200, body = [JobBody], headers(("Link" = String, description = "`<absolute URL of the next page>; rel=\"next\"`, only when more rows follow"))), (status = 403, body = ErrorBody),
    (status = 422, description = "`validation_failed`: bad `limit` or `cursor`", body = ErrorBody)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<JobQuery>,
    page: Page,
) -> Result<Listed<JobBody>, ApiError> {
    use app::server::jobs::{self, JobStatus};
    // A state no job can be in lists none (rather than being an error).
    let status = q
        .status
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| JobStatus::Dead.to_string());
    let jobs = jobs::list_page(&state.db, &status, &page.request).await?;
    Ok(page.respond(&state.config.public_url, jobs.map(JobBody::from)))
}

/// Run a dead or failed job again from a clean slate (its scan goes back to `queued`).
#[utoipa::path(post, path = "/v1/admin/jobs/{id}/retry", tag = "admin", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 202, body = JobBody), (status = 404, body = ErrorBody)))]
pub async fn retry_job(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<JobBody>), ApiError> {
    let job = app::server::accounts::admin::rerun_job(&state, id)
        .await?
        .ok_or_else(|| ApiError::not_found("No dead or failed job with this id."))?;
    audit::record(
        &state.db,
        &caller.account.email,
        "job.retry",
        &format!("{} {}", job.kind, job.ref_id),
        &origin_of(&headers, Some(peer)),
        None,
    )
    .await;
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}
