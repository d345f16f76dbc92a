//! `GET /report/{id}/card.png` (and `/v1/report/{id}/card.png`): the report's 1200×630
//! `og:image`. X/Twitter and Discord show no SVG previews, hence a PNG. A card takes ~50 ms
//! to draw, so it is drawn off the async runtime, once per content (the cache key covers
//! everything the card shows), and then served from memory.

use std::sync::Arc;

use app::server::{scans, scans::reports, state::AppState};
use app::status::ScanStatus;
use aura_render::{CardCache, CardData};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};

use super::etag_matches;

/// Everything a card shows, owned (the render happens on a blocking thread).
struct Card {
    target: String,
    score: Option<u8>,
    grade: Option<String>,
    verdict: Option<String>,
    summary: String,
    flags: Vec<(String, String)>,
    status: ScanStatus,
}

impl Card {
    fn with_data<R>(&self, f: impl FnOnce(&CardData<'_>) -> R) -> R {
        let flags: Vec<(&str, &str)> = self.flags.iter().map(|(s, t)| (s.as_str(), t.as_str())).collect();
        f(&CardData {
            target: &self.target,
            score: self.score,
            grade: self.grade.as_deref(),
            verdict: self.verdict.as_deref(),
            summary: &self.summary,
            flags: &flags,
            status: self.status.as_str(),
        })
    }
}

fn card_of(s: &scans::Scan) -> Card {
    let result = if s.status == ScanStatus::Completed {
        reports::result_of(s)
    } else {
        None
    };
    let summary = match (&result, s.status) {
        (Some(r), _) => r.summary.clone(),
        (None, ScanStatus::Failed) => "The scan failed.".to_string(),
        (None, _) => "Scan in progress…".to_string(),
    };
    Card {
        target: s.target.clone(),
        score: result.as_ref().map(|r| r.score),
        grade: result.as_ref().map(|r| r.grade.clone()),
        verdict: result.as_ref().map(|r| r.verdict.clone()),
        summary,
        flags: result
            .as_ref()
            .map(|r| {
                r.top_flags(3)
                    .into_iter()
                    .filter(|(red, _)| *red)
                    .map(|(_, f)| (f.severity, f.title))
                    .collect()
            })
            .unwrap_or_default(),
        status: s.status,
    }
}

/// The report's 1200×630 PNG card (its `og:image`).
#[utoipa::path(get, path = "/v1/report/{id}/card.png", tag = "embeds", params(("id" = String, Path)), responses(
    (status = 200, content_type = "image/png", description = "the card"),
    (status = 304, description = "not modified"),
    (status = 404, description = "no scan with this id")))]
#[allow(dead_code)]
pub fn card_doc() {}

pub async fn card(
    State(state): State<AppState>,
    Extension(cache): Extension<Arc<CardCache>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let scan = match scans::get(&state.db, &id).await {
        Ok(s) => s,
        Err(app::server::error::ServiceError::NotFound(_)) => {
            return (StatusCode::NOT_FOUND, "No scan with this id.").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "card: reading the scan failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let card = card_of(&scan);
    let key = card.with_data(aura_render::card_key);
    let etag = HeaderValue::from_str(&format!("\"{key}\"")).expect("hex key");
    // A finished scan's card never changes; an unfinished one changes at the outcome.
    let cache_control = HeaderValue::from_static(if !scan.status.is_finished() {
        "public, max-age=30"
    } else {
        "public, max-age=86400"
    });
    if etag_matches(&headers, &etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache_control)],
        )
            .into_response();
    }
    let png = match cache.get(&key) {
        Some(png) => png,
        None => {
            let cache = cache.clone();
            let rendered =
                tokio::task::spawn_blocking(move || card.with_data(|d| cache.get_or_render(d).map(|(_, png)| png)))
                    .await;
            match rendered {
                Ok(Ok(png)) => png,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "card render failed");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
                Err(e) => {
                    tracing::error!(error = %e, "card render panicked");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            }
        }
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache_control),
        ],
        axum::body::Bytes::from_owner(ArcBytes(png)),
    )
        .into_response()
}

/// Lets the cached `Arc<[u8]>` be the response body without copying it.
struct ArcBytes(Arc<[u8]>);
impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
