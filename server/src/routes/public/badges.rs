//! `GET /badge/{owner}/{repo}.svg` (and `/v1/badge/…`): shields-style trust badges.
//!
//! A fresh result answers the score badge with `Cache-Control: max-age=3600` and a strong
//! `ETag` (304 on a matching `If-None-Match`). Without one, the badge joins a scan in flight
//! or queues one, attributed to no account and limited per address, and answers a
//! "scanning" badge that caches briefly. Anything that is not a repository name gets the
//! "invalid" badge: an image URL in a README must never turn into a 500.
//!
//! Badges are the hottest public route (every README view), so answered score badges are
//! kept in memory for up to a minute: a hit costs a map lookup, no database query.

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
    extract::{ConnectInfo, Path},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use chrono::Utc;
use sha2::{Digest, Sha256};

use super::IfNoneMatch;
use crate::routes::v1::auth::limit_address;

/// New scans one address may queue through badges per hour.
const SCANS_PER_ADDRESS_HOUR: u32 = 30;
/// How long an answered score badge is served from memory.
const MEMORY_TTL: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 10_000;
/// A failure this recent is shown instead of queuing the same scan again.
const FAILURE_HOLD: Duration = Duration::from_secs(600);

#[derive(Clone)]
struct Cached {
    svg: Bytes,
    etag: HeaderValue,
    until: Instant,
}

/// Score badges answered recently, by normalised target, and the application a miss needs.
/// The handler takes both from here rather than from `State<AppState>`, so a memory hit does
/// not clone the application's state.
pub struct BadgeCache {
    state: AppState,
    map: RwLock<HashMap<String, Cached>>,
}

impl BadgeCache {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            map: RwLock::default(),
        }
    }

    fn get(&self, target: &str) -> Option<Cached> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(target).filter(|c| c.until > Instant::now()).cloned()
    }

    fn put(&self, target: String, c: Cached) {
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
}

fn svg(status: StatusCode, body: impl Into<Bytes>, cache_control: &'static str) -> Response {
    let mut res = (status, body.into()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    // Opened directly, an SVG is a document: it may not run or load anything.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    res
}

fn score_response(c: &Cached, inm: &IfNoneMatch) -> Response {
    let mut res = if inm.matches(&c.etag) {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
        r
    } else {
        svg(StatusCode::OK, c.svg.clone(), "max-age=3600")
    };
    res.headers_mut().insert(header::ETAG, c.etag.clone());
    res
}

pub fn strong_etag(bytes: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(bytes);
    HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12]))).expect("hex is a valid header value")
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
    inm: IfNoneMatch,
) -> Response {
    let invalid = || svg(StatusCode::OK, aura_render::invalid_badge(), "max-age=3600");
    let Some(repo) = file.strip_suffix(".svg") else {
        return invalid();
    };
    // Only `owner/repo` of GitHub: a badge URL names no host.
    if owner.contains(':') || repo.contains(':') {
        return invalid();
    }
    let Ok(p) = scans::prepare_repo(&format!("{owner}/{repo}"), false) else {
        return invalid();
    };
    if let Some(c) = cache.get(&p.target) {
        return score_response(&c, &inm);
    }
    if cache.state.db_health.is_down() {
        return unavailable();
    }
    match answer(&cache.state, &cache, p, peer, &inm).await {
        Ok(res) => res,
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

async fn answer(
    state: &AppState,
    cache: &BadgeCache,
    p: scans::Prepared,
    peer: SocketAddr,
    inm: &IfNoneMatch,
) -> Result<Response, ServiceError> {
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
        Reused::Running(_) | Reused::Started(_) => return Ok(scanning()),
        Reused::Refused(res) => return Ok(res),
    };
    let r = reports::result_of(&hit).ok_or_else(|| ServiceError::internal("a cached scan's result is unreadable"))?;
    let body = aura_render::score_badge(r.score, &r.grade, &r.verdict);
    let etag = strong_etag(body.as_bytes());
    // Never serve from memory past the result's own freshness.
    let age = hit
        .completed_at
        .map(|t| (Utc::now() - t).to_std().unwrap_or_default())
        .unwrap_or_default();
    let left = state.config.scan_cache_ttl.saturating_sub(age).min(MEMORY_TTL);
    let c = Cached {
        svg: Bytes::from(body),
        etag,
        until: Instant::now() + left,
    };
    cache.put(target, c.clone());
    Ok(score_response(&c, inm))
}
