//! Security headers on every response, and the nonce-based Content-Security-Policy on every
//! HTML response.
//!
//! A fresh nonce is minted per request (not for the JSON API under `/v1`) and put in the
//! request's extensions, where the Leptos shell finds it for its hydration scripts. Scripts
//! run only with that nonce or from our own origin; `'wasm-unsafe-eval'` lets the hydrate
//! bundle compile, and no `'unsafe-inline'` is ever allowed for scripts. Styles allow inline
//! attributes (progress bars set widths), which cannot execute code.
//!
//! Embed routes are framed by partners: their handler puts the allowed origins in the
//! internal `x-aura-frame-ancestors` header, which this layer turns into `frame-ancestors`
//! and removes; they get no `X-Frame-Options`. Every other response is `DENY`.
//!
//! The public surfaces served as static content (badges, cards, oEmbed, cached reports) take
//! [`static_headers`] instead: the same fixed headers, no nonce (a cached report carries a
//! policy listing its inline scripts' hashes, `routes::public::report_cache`).

use std::sync::Arc;

use app::server::http::CspNonce;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};
use base64::Engine as _;

pub const FRAME_ANCESTORS_HEADER: &str = "x-aura-frame-ancestors";

#[derive(Clone, Copy)]
pub struct SecurityConfig {
    pub hsts: bool,
}

/// The pages' policy, with `script_sources` (a nonce or hashes) allowed beside our origin.
pub fn page_csp(script_sources: &str, frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {script_sources} 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    )
}

/// `nosniff`, `Referrer-Policy`, HSTS when configured, and `X-Frame-Options: DENY` unless
/// `deny_framing` is false (embeds). Values already present are kept.
pub fn insert_fixed(headers: &mut HeaderMap, cfg: SecurityConfig, deny_framing: bool) {
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    if deny_framing {
        headers
            .entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static("DENY"));
    }
    if cfg.hsts {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"))
}

pub async fn security_headers(State(cfg): State<SecurityConfig>, mut req: Request, next: Next) -> Response {
    // The API answers JSON (but for the widget's `/v1/embed` twins): it needs no nonce, and
    // minting one is a system call per request.
    let path = req.uri().path();
    let api = path.starts_with("/v1/") && !path.starts_with("/v1/embed/");
    let nonce = (!api).then(|| {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("OS randomness");
        let nonce: Arc<str> = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes).into();
        req.extensions_mut().insert(CspNonce(nonce.clone()));
        nonce
    });

    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let frame_ancestors = headers.remove(FRAME_ANCESTORS_HEADER);
    insert_fixed(headers, cfg, frame_ancestors.is_none());
    if is_html(headers) && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = match nonce {
            Some(nonce) => {
                let ancestors = frame_ancestors
                    .as_ref()
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("'none'");
                page_csp(&format!("'nonce-{nonce}'"), ancestors)
            }
            None => NO_SCRIPT_CSP.to_string(),
        };
        if let Ok(v) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

/// For an HTML answer with no nonce of its own: no script runs at all.
const NO_SCRIPT_CSP: &str =
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The static surfaces' layer: the fixed headers, nothing minted per request. Their
/// handlers set their own policy (an SVG's `default-src 'none'`, a cached report's hashes);
/// an HTML answer that came without one gets a policy that runs no script at all.
pub async fn static_headers(State(cfg): State<SecurityConfig>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    insert_fixed(headers, cfg, true);
    if is_html(headers) && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(NO_SCRIPT_CSP));
    }
    res
}
