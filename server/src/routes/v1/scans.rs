//! `/v1/scan`: submit scans (202 at once; the workers run them), read them, follow them live.

use std::{convert::Infallible, sync::Arc, time::Duration};

use app::server::{
    accounts,
    error::ServiceError,
    outbound,
    scans::events::{self, ScanEvent, StreamEvent},
    scans::feeds,
    scans::stream_slots::Slot as StreamSlot,
    scans::{self, Prepared, Scan, ScanView, Submitter},
    state::AppState,
    webhooks::deliveries::{self, Outcome},
};
use app::status::ScanStatus;
use axum::{
    body::Bytes,
    extract::{ConnectInfo, Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Extension, Json,
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use utoipa::{IntoParams, ToSchema};

use super::{
    caller::{Caller, Metered},
    page::{Listed, Page, PageParams},
};
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::routes::finished_cache::{FinishedCache, Record};

#[derive(Deserialize, ToSchema)]
pub struct RepoScanRequest {
    /// `https://github.com/{owner}/{repo}`, `{owner}/{repo}`, or an `https` git URL.
    url: String,
    /// Receives the outcome as a signed webhook.
    callback_url: Option<String>,
    /// Scan again even when a recent result is cached.
    #[serde(default)]
    fresh: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct XProfileScanRequest {
    /// `@handle`, `handle` or `https://x.com/handle`.
    handle: String,
    callback_url: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CompareScanRequest {
    url_a: String,
    url_b: String,
    callback_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    scan_id: String,
    /// Always `queued`.
    status: &'static str,
    stream_url: String,
    report_url: String,
}

/// The contract's scan object (see `GET /v1/scan/{id}`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ScanObject {
    scan_id: String,
    /// `repo`, `x_profile` or `compare`.
    kind: String,
    target: String,
    /// `queued`, `running`, `completed` or `failed`.
    status: String,
    progress: u8,
    created_at: String,
    completed_at: Option<String>,
    report_url: String,
    stream_url: String,
    cached: Option<bool>,
    error: Option<String>,
    /// `{score, grade, verdict, summary, tags, red_flags, green_flags, checks}`.
    result: Option<serde_json::Value>,
}

fn metered(mut res: Response, target: &str) -> Response {
    res.extensions_mut().insert(Metered {
        target: Some(target.to_owned()),
        is_scan: true,
    });
    res
}

/// A read (latest, lookup): metered as a call, never as a scan.
fn metered_read(mut res: Response, target: Option<&str>) -> Response {
    res.extensions_mut().insert(Metered {
        target: target.map(str::to_owned),
        is_scan: false,
    });
    res
}

async fn callback(state: &AppState, url: Option<&str>) -> Result<Option<String>, ApiError> {
    match url.map(str::trim).filter(|u| !u.is_empty()) {
        None => Ok(None),
        Some(u) => Ok(Some(
            outbound::validate(u, state.config.allow_private_targets)
                .await?
                .to_string(),
        )),
    }
}

/// Queues a prepared scan for the caller and answers 202.
async fn accept(
    state: &AppState,
    caller: &Caller,
    p: Prepared,
    callback_url: Option<String>,
) -> Result<Response, ApiError> {
    let target = p.target.clone();
    let limits = accounts::tier(&caller.account).limits();
    let who = Submitter {
        account_id: Some(caller.account.id.clone()),
        key_id: Some(caller.key.id.clone()),
        concurrent_limit: limits.concurrent_scans,
    };
    let scan = match scans::submit(state, p, who, callback_url).await {
        Ok(s) => s,
        // Refused scans are metered too, with their target.
        Err(e) => return Ok(metered(ApiError::from(e).into_response(), &target)),
    };
    let body = Accepted {
        status: ScanStatus::Queued.as_str(),
        stream_url: scans::stream_url(&state.config, &scan.id),
        report_url: scans::report_url(&state.config, &scan.id),
        scan_id: scan.id,
    };
    Ok(metered((StatusCode::ACCEPTED, Json(body)).into_response(), &target))
}

/// Queues a cached scan's outcome for the caller's `callback_url`: the very function a
/// finishing scan queues its own callback with, so the body and signatures are the same.
/// The delivery and its job are stored together. `false` when the stored result cannot be
/// read (then the caller gets a fresh scan instead).
async fn deliver_cached(state: &AppState, caller: &Caller, url: &str, hit: &Scan) -> Result<bool, ApiError> {
    let Some(result) = scans::result_of(hit) else {
        return Ok(false);
    };
    deliveries::enqueue_callback(state, &caller.account.id, url, hit, &Outcome::Completed(&result)).await?;
    Ok(true)
}

/// Scan a repository.
///
/// Answers 202 at once; follow `stream_url` or poll `GET /v1/scan/{id}`. A completed scan of
/// the same repository younger than the cache TTL is returned instead (200, `cached: true`)
/// unless `fresh` is true. A cached answer keeps its `callback_url`: the outcome is queued
/// for it at once, with the same body (`event: scan_completed`) and signatures as a scan
/// that has just finished.
#[utoipa::path(post, path = "/v1/scan/repo", tag = "scans", request_body = RepoScanRequest, security(("bearer" = [])), responses(
    (status = 202, body = Accepted),
    (status = 200, description = "cached result; a `callback_url` gets its delivery at once", body = ScanObject),
    (status = 422, description = "`invalid_target`, `invalid_url`", body = ErrorBody),
    (status = 429, description = "`rate_limited`, `daily_quota_exceeded`, `concurrent_scan_limit`", body = ErrorBody)))]
pub async fn scan_repo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<RepoScanRequest>,
) -> Result<Response, ApiError> {
    let p = scans::prepare_repo(&body.url, state.config.allow_private_targets)?;
    let callback_url = callback(&state, body.callback_url.as_deref()).await?;
    if !body.fresh {
        if let Some(hit) = scans::find_cached(&state.db, "repo", &p.target, state.config.scan_cache_ttl).await? {
            let served = match callback_url.as_deref() {
                None => true,
                Some(url) => deliver_cached(&state, &caller, url, &hit).await?,
            };
            if served {
                let view = scans::view(&state.config, &hit, Some(true));
                return Ok(metered(Json(view).into_response(), &p.target));
            }
        }
    }
    accept(&state, &caller, p, callback_url).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LatestQuery {
    /// `{owner}/{repo}`, `https://github.com/{owner}/{repo}`, or an `https` git URL (as for
    /// `POST /v1/scan/repo`).
    target: String,
}

/// The latest completed scan of a repository.
///
/// The newest completed scan of that target, whatever its age (the cache TTL does not
/// apply), in the same shape as `GET /v1/scan/{id}`. Starts nothing; metered as a call, not
/// a scan, so it never counts against the concurrent-scan cap.
#[utoipa::path(get, path = "/v1/scan/latest", tag = "scans", params(LatestQuery), security(("bearer" = [])), responses(
    (status = 200, body = ScanObject),
    (status = 404, description = "`not_found`: never scanned to completion", body = ErrorBody),
    (status = 422, description = "`invalid_target`; `validation_failed` without `target`", body = ErrorBody),
    (status = 429, description = "`rate_limited`, `daily_quota_exceeded`", body = ErrorBody)))]
pub async fn latest_scan(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LatestQuery>,
) -> Result<Response, ApiError> {
    let p = scans::prepare_repo(&q.target, state.config.allow_private_targets)?;
    let res = match scans::latest_completed(&state.db, "repo", &p.target).await? {
        Some(s) => Json(scans::view(&state.config, &s, None)).into_response(),
        None => ApiError::not_found(format!("{} has no completed scan.", p.target)).into_response(),
    };
    Ok(metered_read(res, Some(&p.target)))
}

/// Targets one lookup may ask about.
pub const MAX_LOOKUP_TARGETS: usize = 100;

#[derive(Deserialize, ToSchema)]
pub struct LookupRequest {
    /// 1 to 100 repositories, each as `url` of `POST /v1/scan/repo` accepts.
    targets: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LookupResponse {
    /// One per requested target, in request order.
    results: Vec<LookupResult>,
}

#[derive(Serialize, ToSchema)]
pub struct LookupResult {
    /// The target exactly as sent.
    target: String,
    /// Its latest completed scan (any age); null when it was never scanned to completion or
    /// is not a valid target.
    #[schema(value_type = Option<ScanObject>)]
    scan: Option<ScanView>,
}

/// The latest completed scans of many repositories at once.
///
/// For each target, in request order, the newest completed scan whatever its age, or
/// `scan: null` when it was never scanned to completion. An invalid target also gets
/// `scan: null` instead of failing the batch. Starts nothing; metered as one call, not as
/// scans. 1–100 targets; none or more is 422 `validation_failed`.
#[utoipa::path(post, path = "/v1/scan/lookup", tag = "scans", request_body = LookupRequest, security(("bearer" = [])), responses(
    (status = 200, body = LookupResponse),
    (status = 422, description = "`validation_failed`: no targets, or more than 100", body = ErrorBody),
    (status = 429, description = "`rate_limited`, `daily_quota_exceeded`", body = ErrorBody)))]
pub async fn lookup_scans(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LookupRequest>,
) -> Result<Response, ApiError> {
    let n = body.targets.len();
    if n == 0 || n > MAX_LOOKUP_TARGETS {
        return Err(ApiError::validation(format!(
            "targets must list 1 to {MAX_LOOKUP_TARGETS} repositories; got {n}."
        )));
    }
    let normalised: Vec<Option<String>> = body
        .targets
        .iter()
        .map(|t| {
            scans::prepare_repo(t, state.config.allow_private_targets)
                .ok()
                .map(|p| p.target)
        })
        .collect();
    let wanted: Vec<String> = normalised.iter().flatten().cloned().collect();
    let found = scans::latest_completed_of(&state.db, "repo", &wanted).await?;
    let results = body
        .targets
        .into_iter()
        .zip(normalised)
        .map(|(target, key)| LookupResult {
            scan: key
                .and_then(|k| found.get(&k))
                .map(|s| scans::view(&state.config, s, None)),
            target,
        })
        .collect();
    Ok(metered_read(Json(LookupResponse { results }).into_response(), None))
}

/// Scan an X (Twitter) profile.
#[utoipa::path(post, path = "/v1/scan/x-profile", tag = "scans", request_body = XProfileScanRequest, security(("bearer" = [])), responses(
    (status = 202, body = Accepted),
    (status = 422, description = "`invalid_target`, `invalid_url`", body = ErrorBody),
    (status = 503, description = "`x_api_not_configured`", body = ErrorBody)))]
pub async fn scan_x_profile(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<XProfileScanRequest>,
) -> Result<Response, ApiError> {
    // Bad input is the caller's to fix whatever this server supports: checked first.
    let p = scans::prepare_x_profile(&body.handle)?;
    if state.config.x_bearer_token.is_none() {
        return Err(ServiceError::Unavailable {
            code: "x_api_not_configured",
            message: "X profile scans are not configured on this server (AURA_X_BEARER_TOKEN is unset).".into(),
        }
        .into());
    }
    let callback_url = callback(&state, body.callback_url.as_deref()).await?;
    accept(&state, &caller, p, callback_url).await
}

/// Compare two repositories (clone and rebrand detection).
#[utoipa::path(post, path = "/v1/scan/compare", tag = "scans", request_body = CompareScanRequest, security(("bearer" = [])), responses(
    (status = 202, body = Accepted),
    (status = 422, description = "`invalid_target`, `invalid_url`", body = ErrorBody)))]
pub async fn scan_compare(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<CompareScanRequest>,
) -> Result<Response, ApiError> {
    let p = scans::prepare_compare(&body.url_a, &body.url_b, state.config.allow_private_targets)?;
    let callback_url = callback(&state, body.callback_url.as_deref()).await?;
    accept(&state, &caller, p, callback_url).await
}

/// The calling account's scans, newest first, each as `GET /v1/scan/{id}` shows it.
///
/// Lists the scans this account submitted (with any of its keys); a scan another account
/// started never appears, even when the same repository was scanned.
#[utoipa::path(get, path = "/v1/scans", tag = "scans", params(PageParams), security(("bearer" = [])), responses(
    (status = 200, body = [ScanObject], headers(("Link" = String, description = "`<absolute URL of the next page>; rel=\"next\"`, only when more rows follow"))),
    (status = 401, body = ErrorBody),
    (status = 422, description = "`validation_failed`: bad `limit` or `cursor`", body = ErrorBody)))]
pub async fn list_scans(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    page: Page,
) -> Result<Listed<ScanView>, ApiError> {
    let rows = scans::list_page(&state.db, &caller.account.id, &page.request).await?;
    Ok(page.respond(
        &state.config.public_url,
        rows.map(|s| scans::view(&state.config, &s, None)),
    ))
}

/// Completed scans' records as JSON, by scan id (see `finished_cache`): bots poll a scan
/// until it completes and then read it again and again (each of their users asking about a
/// popular repository), and a completed record does not change.
pub type ScanRecords = FinishedCache<Bytes>;
const RECORDS_MAX_BYTES: usize = 32 << 20;
const RECORDS_MAX_ENTRIES: usize = 8192;

pub fn scan_records() -> Arc<ScanRecords> {
    Arc::new(FinishedCache::new(RECORDS_MAX_BYTES, RECORDS_MAX_ENTRIES))
}

/// Read a scan. Public: scan ids are unguessable; a key, when sent, is checked and metered.
#[utoipa::path(get, path = "/v1/scan/{id}", tag = "scans", params(("id" = String, Path)), security((), ("bearer" = [])), responses(
    (status = 200, body = ScanObject),
    (status = 404, body = ErrorBody)))]
pub async fn get_scan(
    State(state): State<AppState>,
    Extension(records): Extension<Arc<ScanRecords>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let json = match records.get(&state, &id, &id).await {
        Some(kept) => kept.value.clone(),
        None => {
            let record = Record::read(&state.db, &id).await?;
            let json = Bytes::from(
                serde_json::to_vec(&scans::view(&state.config, &record.scan, None))
                    .map_err(|e| ApiError::internal(format!("writing the scan record: {e}")))?,
            );
            if let Some(stamp) = record.stamp() {
                records.insert(&id, stamp, json.clone(), json.len());
            }
            json
        }
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        json,
    )
        .into_response())
}

/// Follow a scan as server-sent events.
///
/// The description lists the events from [`StreamEvent`] ([`stream_description`]), so the
/// document names exactly what the worker sends.
#[utoipa::path(get, path = "/v1/scan/{id}/stream", tag = "scans", description = stream_description(), params(("id" = String, Path), ("Last-Event-ID" = Option<String>, Header)), security((), ("bearer" = [])), responses(
    (status = 200, content_type = "text/event-stream", description = "the event stream"),
    (status = 204, description = "finished, nothing after Last-Event-ID"),
    (status = 404, body = ErrorBody),
    (status = 429, description = "`too_many_streams`: the client address or this instance holds its cap of open streams; `Retry-After`", body = ErrorBody)))]
pub async fn stream_scan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scan = scans::get(&state.db, &id).await?;
    // Held by the pump for the stream's whole life.
    let slot = state.streams.take(Some(peer.ip()))?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i32>().ok())
        .filter(|n| *n >= 0);

    // Subscribe before reading the log, so nothing published in between is missed.
    let live = feeds::subscribe(&state, &scan.id);
    let finished = scan.status.is_finished();
    let backlog = match resume {
        Some(after) => events::since(&state.db, &scan.id, after).await?,
        None => {
            let all = events::since(&state.db, &scan.id, 0).await?;
            match all.iter().rposition(ScanEvent::is_terminal) {
                // A finished scan replays only its outcome.
                Some(i) if finished => vec![all[i].clone()],
                // A scan re-run after failing: only what came after the old outcome.
                Some(i) => all[i + 1..].to_vec(),
                None => all,
            }
        }
    };
    if resume.is_some() && backlog.is_empty() && finished {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }

    let follower = Follower {
        state: state.clone(),
        scan_id: scan.id.clone(),
        sent: resume.unwrap_or(0),
        queued: backlog.into(),
        live,
        stopping: state.stopping.clone(),
        done: false,
        _slot: slot,
        _gauge: SubscriberGauge::new(),
    };
    let stream = futures::stream::unfold(follower, |mut f| async move {
        f.next().await.map(|e| (Ok::<_, Infallible>(e), f))
    });
    let mut res = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("keep-alive"))
        .into_response();
    // Proxies such as nginx must not buffer the stream.
    res.headers_mut()
        .insert("x-accel-buffering", axum::http::HeaderValue::from_static("no"));
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    Ok(res)
}

/// The stream's OpenAPI description: each [`StreamEvent`] with its `data:` keys, in order.
fn stream_description() -> String {
    let listed = |terminal: bool, sep: &str| {
        StreamEvent::ALL
            .iter()
            .filter(|e| e.is_terminal() == terminal)
            .map(|e| format!("`{}` `{}`", e.as_str(), e.data_shape()))
            .collect::<Vec<_>>()
            .join(sep)
    };
    format!(
        "Events: {}…, then {}. Each has an `id:`; send `Last-Event-ID` to resume. A finished scan \
         replays its last event and closes; a resume with nothing left answers 204 (which tells \
         `EventSource` to stop reconnecting).",
        listed(false, ", "),
        listed(true, " or "),
    )
}

fn sse_event(ev: &ScanEvent) -> Event {
    Event::default()
        .id(ev.seq.to_string())
        .event(ev.event.as_str())
        .data(ev.data.to_string())
}

/// One subscriber's stream: the stored backlog, then the scan's shared live channel in order,
/// re-reading the log only when a gap shows (a lagged receiver, a publish missed here; the
/// scan's one poller, [`feeds`], brings those in); ends after the outcome, when the client
/// leaves (the stream is dropped) or at shutdown. No task of its own: the connection drives it.
struct Follower {
    state: AppState,
    scan_id: String,
    sent: i32,
    queued: std::collections::VecDeque<ScanEvent>,
    live: tokio::sync::broadcast::Receiver<ScanEvent>,
    stopping: tokio::sync::watch::Receiver<bool>,
    done: bool,
    // Held for the stream's whole life: its place under the stream caps, and the gauge.
    _slot: StreamSlot,
    _gauge: SubscriberGauge,
}

impl Follower {
    async fn next(&mut self) -> Option<Event> {
        loop {
            if self.done {
                return None;
            }
            while let Some(ev) = self.queued.pop_front() {
                if ev.seq <= self.sent {
                    continue;
                }
                self.sent = ev.seq;
                self.done = ev.is_terminal();
                return Some(sse_event(&ev));
            }
            // Drained: give back its buffer (the backlog's, or grown by a live event) rather
            // than keep it for the stream's idle minutes.
            if self.queued.capacity() > 0 {
                self.queued = std::collections::VecDeque::new();
            }
            if *self.stopping.borrow_and_update() {
                return None;
            }
            let gap = tokio::select! {
                r = self.live.recv() => match r {
                    Ok(ev) if ev.seq <= self.sent => false,
                    Ok(ev) if ev.seq == self.sent + 1 => {
                        self.queued.push_back(ev);
                        false
                    }
                    // Missed something: the log has it.
                    Ok(_) | Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return None,
                },
                _ = self.stopping.changed() => return None,
            };
            if gap {
                // Boxed: this rare read's large future stays off every idle stream's state.
                match Box::pin(events::since(&self.state.db, &self.scan_id, self.sent)).await {
                    Ok(evs) => self.queued.extend(evs),
                    Err(e) => tracing::warn!(scan = %self.scan_id, error = %e, "reading scan events failed"),
                }
            }
        }
    }
}

/// Counts open streams in the `sse_subscribers` gauge for exactly as long as one lives.
struct SubscriberGauge;

impl SubscriberGauge {
    fn new() -> Self {
        metrics::gauge!("sse_subscribers").increment(1.0);
        SubscriberGauge
    }
}

impl Drop for SubscriberGauge {
    fn drop(&mut self) {
        metrics::gauge!("sse_subscribers").decrement(1.0);
    }
}
