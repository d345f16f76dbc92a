//! `GET /oembed?url={report URL}&format=json`: oEmbed for report pages, discovered through the
//! `<link rel="alternate" type="application/json+oembed">` each report carries. The answer is
//! a `photo` (the report's PNG card): chat and CMS tools can show it anywhere, whereas a
//! `rich` iframe would be refused by the widget's `frame-ancestors` outside partner sites.

use app::server::{scans, scans::reports, state::AppState};
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct OEmbedQuery {
    url: Option<String>,
    format: Option<String>,
    maxwidth: Option<u32>,
    maxheight: Option<u32>,
}

const W: u32 = aura_render::CARD_WIDTH;
const H: u32 = aura_render::CARD_HEIGHT;

/// The scan id of a report URL on this site (`/report/{id}` or `/v1/report/{id}`).
fn report_id<'a>(public_url: &str, url: &'a str) -> Option<&'a str> {
    let path = url.strip_prefix(public_url)?;
    let id = path
        .strip_prefix("/report/")
        .or_else(|| path.strip_prefix("/v1/report/"))?;
    let id = id.split(['?', '#']).next()?.trim_end_matches('/');
    scans::looks_like_id(id).then_some(id)
}

/// The card's size within `maxwidth`×`maxheight`, keeping its 1200:630 ratio.
fn fit(maxwidth: Option<u32>, maxheight: Option<u32>) -> (u32, u32) {
    let mut scale = 1.0f64;
    if let Some(mw) = maxwidth.filter(|w| *w > 0) {
        scale = scale.min(f64::from(mw) / f64::from(W));
    }
    if let Some(mh) = maxheight.filter(|h| *h > 0) {
        scale = scale.min(f64::from(mh) / f64::from(H));
    }
    (
        (f64::from(W) * scale).floor().max(1.0) as u32,
        (f64::from(H) * scale).floor().max(1.0) as u32,
    )
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": {"code": if status == StatusCode::NOT_IMPLEMENTED { "unsupported_format" } else { "not_found" }, "message": message}})))
        .into_response()
}

/// oEmbed for report pages: the card as a `photo`.
#[utoipa::path(get, path = "/v1/oembed", tag = "embeds", params(
    ("url" = String, Query, description = "a report URL"), ("format" = Option<String>, Query, description = "`json` (the only format)"),
    ("maxwidth" = Option<u32>, Query), ("maxheight" = Option<u32>, Query)), responses(
    (status = 200, description = "oEmbed 1.0 `photo` response"),
    (status = 404, description = "not a report of this site"),
    (status = 501, description = "unsupported format")))]
#[allow(dead_code)]
pub fn oembed_doc() {}

pub async fn oembed(State(state): State<AppState>, Query(q): Query<OEmbedQuery>) -> Response {
    // An empty `format=` is no format: JSON, the default.
    if q.format.as_deref().is_some_and(|f| !f.is_empty() && f != "json") {
        return error(StatusCode::NOT_IMPLEMENTED, "Only format=json is supported.");
    }
    let Some(id) = q.url.as_deref().and_then(|u| report_id(&state.config.public_url, u)) else {
        return error(
            StatusCode::NOT_FOUND,
            "url must be the address of an AuraSecurity report.",
        );
    };
    let scan = match scans::get(&state.db, id).await {
        Ok(s) => s,
        Err(app::server::error::ServiceError::NotFound(_)) => {
            return error(StatusCode::NOT_FOUND, "No report at this address.")
        }
        Err(e) => {
            tracing::error!(error = %e, "oembed: reading the scan failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let report = reports::report(&state.config, &scan);
    let (width, height) = fit(q.maxwidth, q.maxheight);
    // The thumbnail is the card itself, at its own size.
    let (tw, th) = (W, H);
    let body = json!({
        "version": "1.0",
        "type": "photo",
        "title": report.share_title(),
        "provider_name": "AuraSecurity",
        "provider_url": state.config.public_url,
        "url": report.card_url,
        "width": width,
        "height": height,
        "thumbnail_url": report.card_url,
        "thumbnail_width": tw,
        "thumbnail_height": th,
        "cache_age": if report.is_finished() { 86400 } else { 60 },
    });
    ([(header::CACHE_CONTROL, "public, max-age=300")], Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_sites_report_urls_are_accepted() {
        let id = "0123456789abcdef0123456789abcdef";
        let base = "https://aura.example";
        assert_eq!(report_id(base, &format!("{base}/report/{id}")), Some(id));
        assert_eq!(report_id(base, &format!("{base}/v1/report/{id}?x=1")), Some(id));
        assert_eq!(report_id(base, &format!("https://evil.example/report/{id}")), None);
        assert_eq!(report_id(base, &format!("{base}/report/../{id}")), None);
    }

    #[test]
    fn sizes_keep_the_ratio() {
        assert_eq!(fit(None, None), (1200, 630));
        assert_eq!(fit(Some(600), None), (600, 315));
        assert_eq!(fit(Some(600), Some(100)), (190, 100));
    }
}
