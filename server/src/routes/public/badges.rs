//! `GET /badge/{owner}/{repo}.svg` (and `/v1/badge/…`): shields-style trust badges.
//!
//! A fresh result answers the score badge with `Cache-Control: max-age=3600` and a strong
//! `ETag` (304 on a matching `If-None-Match`). Without one, the badge joins a scan in flight
//! or queues one, attributed to no account and limited per address, and answers a
//! "scanning" badge that caches briefly. Anything that is not a repository name gets the
//! "invalid" badge: an image URL in a README must never turn into a 500.
//!
//! Badges are the hottest public route (every README view), so answered score badges are
//! kept in memory for up to a minute, each in every encoding with its whole answer's headers
//! built once, and a hit is answered in front of the router (`front`): a map lookup and a
//! copy of those headers, no database query, no layer.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use app::server::{
    error::ServiceError,
    scans::reports,
    scans::{self, Reused, Submitter},
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{ConnectInfo, Path, Request},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use chrono::Utc;

use super::encoded::Encoded;
use crate::{
    middleware::{
        metrics::RouteMetrics,
        security_headers::{insert_fixed, SecurityConfig},
    },
    routes::v1::auth::limit_address,
};

/// New scans one address may queue through badges per hour.
const SCANS_PER_ADDRESS_HOUR: u32 = 30;
/// How long an answered score badge is served from memory.
const MEMORY_TTL: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 10_000;
/// A failure this recent is shown instead of queuing the same scan again.
const FAILURE_HOLD: Duration = Duration::from_secs(600);

/// Where a badge's request came: the README path or its `/v1` twin (the metrics' routes).
pub const ROUTE: &str = "/badge/{owner}/{file}";
pub const V1_ROUTE: &str = "/v1/badge/{owner}/{file}";

/// `Vary` of a badge: by encoding; on `/v1` also by what CORS reads, a second value as
/// `tower_http::cors` appends it to every `/v1` answer (so a cache in front never hands one
/// origin's answer to another). [`BadgeCache::hit`] answers without that layer, so it
/// appends the same value itself.
const VARY: &str = "accept-encoding";
const CORS_VARY: &str = "origin, access-control-request-method, access-control-request-headers";

/// A score badge in each encoding, with its answers' headers built once ([`Encoded`]).
struct Cached {
    svg: Encoded,
    until: Instant,
}

impl Cached {
    fn new(svg: String, until: Instant, security: SecurityConfig) -> Self {
        let mut always = HeaderMap::with_capacity(8);
        always.insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
        always.insert(header::VARY, HeaderValue::from_static(VARY));
        insert_fixed(&mut always, security, true);
        let mut content = HeaderMap::with_capacity(2);
        content.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
        content.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SVG_CSP));
        Self {
            svg: Encoded::new(Bytes::from(svg), BROTLI_QUALITY, &always, &content),
            until,
        }
    }
}

/// Brotli quality for a badge (about a kilobyte, compressed once per minute at most).
const BROTLI_QUALITY: u32 = 9;

/// Score badges answered recently, by normalised target, and the application a miss needs.
/// A hit is answered in front of the router ([`BadgeCache::hit`], `front::serve`); the
/// handler answers the rest and fills the cache.
pub struct BadgeCache {
    state: AppState,
    security: SecurityConfig,
    metrics: Arc<RouteMetrics>,
    map: RwLock<HashMap<String, Arc<Cached>>>,
}

impl BadgeCache {
    pub fn new(state: AppState, security: SecurityConfig) -> Arc<Self> {
        Arc::new(Self {
            state,
            security,
            metrics: RouteMetrics::new(&[ROUTE, V1_ROUTE]),
            map: RwLock::default(),
        })
    }

    fn get(&self, target: &str) -> Option<Arc<Cached>> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(target).filter(|c| c.until > Instant::now()).cloned()
    }

    fn put(&self, target: String, c: Arc<Cached>) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            let now = Instant::now();
            map.retain(|_, c| c.until > now);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(target, c);
    }

    /// A score badge held in memory, answered before routing: one map lookup and a copy of
    /// prebuilt headers. `None` hands the request to the router, which answers everything
    /// else the same way it always does: misses, other methods, names that are not plainly
    /// `owner/repo` (percent-encoded ones are decoded there), and on `/v1` a request with a
    /// key (checked and metered there) or an `Origin` (CORS).
    pub fn hit(&self, req: &Request) -> Option<Response> {
        let method = req.method();
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let path = req.uri().path();
        let (route, rest) = match path.strip_prefix("/v1/badge/") {
            Some(rest) => {
                let h = req.headers();
                if h.contains_key(header::AUTHORIZATION) || h.contains_key(header::ORIGIN) {
                    return None;
                }
                (V1_ROUTE, rest)
            }
            None => (ROUTE, path.strip_prefix("/badge/")?),
        };
        let (owner, file) = rest.split_once('/')?;
        if rest.contains('%') {
            return None;
        }
        let start = Instant::now();
        let c = self.get(&prepared(owner, file)?.target)?;
        let mut res = c.svg.respond(req.headers(), method == Method::HEAD);
        if route == V1_ROUTE {
            res.headers_mut()
                .append(header::VARY, HeaderValue::from_static(CORS_VARY));
        }
        self.metrics.record(route, method, res.status(), start.elapsed());
        Some(res)
    }
}

/// The repository a badge path names (`owner`, `repo.svg`); `None` for anything else (the
/// "invalid" badge).
fn prepared(owner: &str, file: &str) -> Option<scans::Prepared> {
    let repo = file.strip_suffix(".svg")?;
    // Only `owner/repo` of GitHub: a badge URL names no host.
    if owner.contains(':') || repo.contains(':') {
        return None;
    }
    scans::prepare_repo(&format!("{owner}/{repo}"), false).ok()
}

/// Opened directly, an SVG is a document: it may not run or load anything.
const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

fn svg(status: StatusCode, body: impl Into<Bytes>, cache_control: &'static str) -> Response {
    let mut res = (status, body.into()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SVG_CSP));
    res
}

/// A repository's trust badge (shields.io style SVG).
///
/// With a fresh result: the score badge, `Cache-Control: max-age=3600`, `ETag` (304 on
/// `If-None-Match`). Without one: a scan is queued (30 per address an hour) and a short-lived
/// "scanning" badge answers. Names that are not repositories get the "invalid" badge.
#[utoipa::path(get, path = "/v1/badge/{owner}/{repo}.svg", tag = "embeds", params(("owner" = String, Path), ("repo" = String, Path)), responses(
    (status = 200, content_type = "image/svg+xml", description = "the badge"),
    (status = 304, description = "not modified"),
    (status = 429, content_type = "image/svg+xml", description = "too many new scans from this address")))]
#[allow(dead_code)]
pub fn badge_doc() {}

pub async fn badge(
    Extension(cache): Extension<Arc<BadgeCache>>,
    Path((owner, file)): Path<(String, String)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: HeaderMap,
    method: Method,
) -> Response {
    let head = method == Method::HEAD;
    let Some(p) = prepared(&owner, &file) else {
        return svg(StatusCode::OK, aura_render::invalid_badge(), "max-age=3600");
    };
    if let Some(c) = cache.get(&p.target) {
        return c.svg.respond(&req, head);
    }
    if cache.state.db_health.is_down() {
        return unavailable();
    }
    match answer(&cache, p, peer).await {
        Ok(Ok(c)) => c.svg.respond(&req, head),
        Ok(Err(res)) => res,
        Err(e) => {
            tracing::error!(error = %e, "badge failed");
            unavailable()
        }
    }
}

fn unavailable() -> Response {
    svg(
        StatusCode::SERVICE_UNAVAILABLE,
        aura_render::badge_svg(aura_render::BADGE_LABEL, "unavailable", "grey"),
        "no-store",
    )
}

/// The score badge to keep and answer, or another answer (scanning, failed, limited).
async fn answer(
    cache: &BadgeCache,
    p: scans::Prepared,
    peer: SocketAddr,
) -> Result<Result<Arc<Cached>, Response>, ServiceError> {
    let state = &cache.state;
    let target = p.target.clone();
    let scanning = || svg(StatusCode::OK, aura_render::scanning_badge(), "max-age=15");
    // A badge may start a scan unless the last one failed just now, within its address's limit.
    let admit = || async {
        if let Some(last) = scans::latest(&state.db, "repo", &target).await? {
            let recent = last
                .completed_at
                .is_some_and(|t| (Utc::now() - t).to_std().unwrap_or_default() < FAILURE_HOLD);
            if last.status == app::status::ScanStatus::Failed && recent {
                return Ok(Err(svg(
                    StatusCode::OK,
                    aura_render::badge_svg(aura_render::BADGE_LABEL, "scan failed", "grey"),
                    "max-age=300",
                )));
            }
        }
        let ip = peer.ip().to_string();
        if limit_address(state, "badge", Some(&ip), SCANS_PER_ADDRESS_HOUR, 3600)
            .await
            .is_err()
        {
            let mut res = svg(
                StatusCode::TOO_MANY_REQUESTS,
                aura_render::badge_svg(aura_render::BADGE_LABEL, "try later", "grey"),
                "no-store",
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            return Ok(Err(res));
        }
        Ok(Ok(Submitter::default()))
    };
    let hit = match scans::find_or_start(state, p, admit).await? {
        Reused::Fresh(hit) => hit,
        Reused::Running(_) | Reused::Started(_) => return Ok(Err(scanning())),
        Reused::Refused(res) => return Ok(Err(res)),
    };
    let r = reports::result_of(&hit).ok_or_else(|| ServiceError::internal("a cached scan's result is unreadable"))?;
    let body = aura_render::score_badge(r.score, &r.grade, &r.verdict);
    // Never serve from memory past the result's own freshness.
    let age = hit
        .completed_at
        .map(|t| (Utc::now() - t).to_std().unwrap_or_default())
        .unwrap_or_default();
    let left = state.config.scan_cache_ttl.saturating_sub(age).min(MEMORY_TTL);
    let c = Arc::new(Cached::new(body, Instant::now() + left, cache.security));
    cache.put(target, c.clone());
    Ok(Ok(c))
}
