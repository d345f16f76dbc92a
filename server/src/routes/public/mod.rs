//! The public surfaces served outside Leptos: badges, the report cards, oEmbed, completed
//! reports as static content (`report_cache`), and the embed widget's pages (`widget`: a page
//! and a bundle of their own). (Live report pages are Leptos routes in `app`; who may frame the
//! widget is `middleware::embed_framing`.)
//!
//! Badges, cards, oEmbed and cached reports are what READMEs, chat previews and CDNs hit
//! hardest, and they answer from memory, so they sit in front of the application's stack
//! ([`router`]) instead of inside it: no nonce, no session, no request id, no tracing span, no
//! per-request timer, metrics from series resolved in advance; only what they need (the fixed
//! security headers, compression, and on the `/v1` twins the optional key, CORS and JSON
//! errors). Cached badges and completed reports are answered before even that, by the
//! router's first layer ([`front`]), from bytes and headers built once ([`encoded`]). The
//! widget's pages start scans and are framed by partners, so they go through the whole stack
//! ([`widget::routes`]).

pub mod badges;
pub mod cards;
pub mod encoded;
pub mod front;
pub mod oembed;
pub mod report_cache;
pub mod script_hashes;
pub mod widget;

use std::sync::Arc;

use app::server::state::AppState;
use axum::{
    http::{HeaderMap, HeaderValue},
    middleware::from_fn_with_state,
    routing::get,
    Extension, Router,
};
use tower_http::{compression::CompressionLayer, cors::CorsLayer};

use crate::middleware::{db_breaker, metrics, security_headers};

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

/// The routes of the static surfaces, each with only the layers it needs; the application
/// is their fallback (`routes::router`).
pub fn router(
    state: &AppState,
    security: security_headers::SecurityConfig,
    cors: CorsLayer,
    badge_cache: Arc<badges::BadgeCache>,
) -> Router<AppState> {
    const ROUTES: [&str; 6] = [
        "/badge/{owner}/{file}",
        "/report/{id}/card.png",
        "/oembed",
        "/v1/badge/{owner}/{file}",
        "/v1/report/{id}/card.png",
        "/v1/oembed",
    ];
    // Cards and oEmbed always read the database: while it is unreachable they answer 503 at
    // once. Badges answer from memory when they can, and check the breaker themselves.
    let breaker = || from_fn_with_state(state.clone(), db_breaker::breaker);
    let badge = get(badges::badge);
    let card = || get(cards::card).route_layer(breaker());
    let oembed = || get(oembed::oembed).route_layer(breaker());
    // Under `/v1` a key that is sent is checked (a revoked one is 401) and metered, as on
    // the API's other public routes; nobody needs one. CORS as on the rest of `/v1`.
    let v1 = Router::new()
        .route(ROUTES[3], badge.clone())
        .route(ROUTES[4], card())
        .route(ROUTES[5], oembed())
        // With the contract's JSON body for axum's own errors (a 405), as on the rest of `/v1`.
        .route_layer(from_fn_with_state(
            state.clone(),
            crate::routes::v1::caller::optional_key,
        ))
        .route_layer(cors);
    Router::new()
        .route(ROUTES[0], badge)
        .route(ROUTES[1], card())
        .route(ROUTES[2], oembed())
        .merge(v1)
        .route_layer(CompressionLayer::new())
        .route_layer(from_fn_with_state(security, security_headers::static_headers))
        .route_layer(Extension(badge_cache))
        .route_layer(Extension(Arc::new(aura_render::CardCache::new(CARDS_IN_MEMORY))))
        .route_layer(from_fn_with_state(
            metrics::RouteMetrics::new(&ROUTES),
            metrics::track_routes,
        ))
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
