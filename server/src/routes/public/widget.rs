//! The embed widget's pages: `/embed/scan?repo=&partner=&theme=&compact=` and
//! `/embed/result/{id}` (and their `/v1` twins). Served outside the application's router: the
//! page loads the widget's own small bundle (`aura_widget`), not the application's.
//!
//! This handler only reads the request, asks the embed service for the scan
//! (`app::server::scans::embeds`, which starts, reuses, limits and meters) and renders
//! (`app::pages::embed`). Framing (`frame-ancestors`), the CSP with its nonce and the other
//! security headers come from the layers every page goes through
//! (`middleware::embed_framing`, `middleware::security_headers`).

use std::net::SocketAddr;

use app::{
    reports::Embed,
    server::{http::CspNonce, scans::embeds, state::AppState},
};
use axum::{
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};

/// The widget's pages and their `/v1` twins. They take no key, under `/v1` either: they run
/// in strangers' browsers.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/embed/scan", get(scan))
        .route("/v1/embed/scan", get(scan))
        .route("/embed/result/{id}", get(result))
        .route("/v1/embed/result/{id}", get(result))
}

/// The query's value of `name`, if not empty (the first one when repeated).
fn param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

pub async fn scan(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    nonce: Option<Extension<CspNonce>>,
) -> Response {
    page(state, None, query, peer, nonce).await
}

pub async fn result(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    nonce: Option<Extension<CspNonce>>,
) -> Response {
    page(state, Some(id), query, peer, nonce).await
}

async fn page(
    state: AppState,
    id: Option<String>,
    query: Option<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    nonce: Option<Extension<CspNonce>>,
) -> Response {
    let q = query.as_deref();
    let req = embeds::EmbedRequest {
        // The scan widget names a repository; the result widget an id (its path only).
        repo: if id.is_none() { param(q, "repo") } else { None },
        id,
        partner: param(q, "partner"),
        theme: param(q, "theme"),
        ip: peer.map(|Extension(ConnectInfo(addr))| addr.ip().to_string()),
    };
    let embed = embeds::load(&state, req).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "embed widget: loading the scan failed");
        Embed {
            report: None,
            problem: Some("The scan service is unavailable; please retry.".into()),
            status: 503,
            theme: "dark".into(),
        }
    });
    let status = StatusCode::from_u16(embed.status).unwrap_or(StatusCode::OK);
    let stylesheet = stylesheet_url(&state.leptos);
    let html = app::pages::embed::render(
        embed,
        param(q, "compact").as_deref() == Some("true"),
        nonce.as_ref().map(|Extension(n)| &*n.0),
        &stylesheet,
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// The site's stylesheet, as the application's pages link it (`/pkg/aurasecurity.css`).
fn stylesheet_url(options: &leptos::config::LeptosOptions) -> String {
    format!("{}{}.css", options.site_pkg_dir_route_base(), options.output_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_like_the_pages_did() {
        let q = Some("repo=acme%2Forbit&partner=&compact=true&theme=light&repo=other/x");
        assert_eq!(param(q, "repo").as_deref(), Some("acme/orbit"));
        assert_eq!(param(q, "partner"), None, "empty is absent");
        assert_eq!(param(q, "compact").as_deref(), Some("true"));
        assert_eq!(param(None, "repo"), None);
    }
}
