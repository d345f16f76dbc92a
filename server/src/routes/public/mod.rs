//! The public surfaces served outside the Leptos router: badges, the report cards, oEmbed and
//! the embed widget's pages (`widget`: a page and a bundle of their own). (The report pages
//! are Leptos routes in `app`; who may frame the widget is `middleware::embed_framing`.)

pub mod badges;
pub mod cards;
pub mod oembed;
pub mod widget;

use std::sync::Arc;

use app::server::state::AppState;
use axum::{
    http::{HeaderMap, HeaderValue},
    routing::get,
    Extension, Router,
};

/// The `/v1` twins of the public surfaces in `/openapi.json` (the contract asks for every
/// `/v1` route there). The pages are HTML routed here (`widget`) and by Leptos (reports), so
/// they are described, not built, through utoipa.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    badges::badge_doc,
    cards::card_doc,
    oembed::oembed_doc,
    pages::report,
    pages::embed_scan,
    pages::embed_result
))]
pub struct PublicDoc;

/// Descriptions of the HTML pages served under `/v1`.
#[allow(dead_code)]
mod pages {
    /// The shareable report page (HTML, readable without JavaScript; OpenGraph tags).
    #[utoipa::path(get, path = "/v1/report/{id}", tag = "embeds", params(("id" = String, Path)), responses(
        (status = 200, content_type = "text/html", description = "the report"),
        (status = 404, content_type = "text/html", description = "no scan with this id")))]
    pub fn report() {}

    /// The embeddable widget: starts or reuses a scan of `repo` for `partner`.
    /// Framable only by the partner's registered origins (`frame-ancestors`).
    #[utoipa::path(get, path = "/v1/embed/scan", tag = "embeds", params(
        ("repo" = String, Query, description = "`owner/repo`"),
        ("partner" = Option<String>, Query, description = "the partner's slug"),
        ("theme" = Option<String>, Query, description = "`dark` or `light` (default: the partner's setting)"),
        ("compact" = Option<bool>, Query, description = "`true`: fits 300×200")),
        responses((status = 200, content_type = "text/html", description = "the widget")))]
    pub fn embed_scan() {}

    /// The embeddable widget for one scan.
    #[utoipa::path(get, path = "/v1/embed/result/{id}", tag = "embeds", params(
        ("id" = String, Path), ("partner" = Option<String>, Query), ("theme" = Option<String>, Query), ("compact" = Option<bool>, Query)),
        responses((status = 200, content_type = "text/html", description = "the widget")))]
    pub fn embed_result() {}
}

/// Rendered cards kept in memory (each ~150 KB).
const CARDS_IN_MEMORY: usize = 256;

pub fn router(state: &AppState) -> Router<AppState> {
    // Under `/v1` a key that is sent is checked (a revoked one is 401) and metered, as on
    // the API's other public routes; nobody needs one.
    let v1 = Router::new()
        .route("/v1/badge/{owner}/{file}", get(badges::badge))
        .route("/v1/report/{id}/card.png", get(cards::card))
        .route("/v1/oembed", get(oembed::oembed))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::routes::v1::caller::optional_key,
        ))
        .layer(axum::middleware::from_fn(crate::middleware::json_errors::json_errors));
    // The widget's pages take no key, under `/v1` either (they run in strangers' browsers).
    Router::new()
        .route("/embed/scan", get(widget::scan))
        .route("/v1/embed/scan", get(widget::scan))
        .route("/embed/result/{id}", get(widget::result))
        .route("/v1/embed/result/{id}", get(widget::result))
        .route("/badge/{owner}/{file}", get(badges::badge))
        .route("/report/{id}/card.png", get(cards::card))
        .route("/oembed", get(oembed::oembed))
        .merge(v1)
        .layer(Extension(Arc::new(badges::BadgeCache::default())))
        .layer(Extension(Arc::new(aura_render::CardCache::new(CARDS_IN_MEMORY))))
}

/// `If-None-Match` against a strong validator (the weak comparison RFC 9110 prescribes for
/// this header: a `W/` prefix is ignored).
pub fn etag_matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(inm) = headers
        .get(axum::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let want = etag.to_str().unwrap_or_default();
    inm.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == want)
}
