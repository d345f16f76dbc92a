//! The public surfaces served outside Leptos: badges, the report cards, oEmbed. (The report
//! and widget pages themselves are Leptos routes in `app`; who may frame the widget is
//! `middleware::embed_framing`.)

pub mod badges;
pub mod cards;
pub mod oembed;

use std::sync::Arc;

use app::server::state::AppState;
use axum::{
    http::{HeaderMap, HeaderValue},
    routing::get,
    Extension, Router,
};

/// Rendered cards kept in memory (each ~150 KB).
const CARDS_IN_MEMORY: usize = 256;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/badge/{owner}/{file}", get(badges::badge))
        .route("/v1/badge/{owner}/{file}", get(badges::badge))
        .route("/report/{id}/card.png", get(cards::card))
        .route("/v1/report/{id}/card.png", get(cards::card))
        .route("/oembed", get(oembed::oembed))
        .route("/v1/oembed", get(oembed::oembed))
        .layer(Extension(Arc::new(badges::BadgeCache::default())))
        .layer(Extension(Arc::new(aura_render::CardCache::new(CARDS_IN_MEMORY))))
}

/// `If-None-Match` against a strong validator (the weak comparison RFC 9110 prescribes for
/// this header: a `W/` prefix is ignored).
pub fn etag_matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(inm) = headers.get(axum::http::header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    let want = etag.to_str().unwrap_or_default();
    inm.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == want)
}
