//! Security headers on every response, and the nonce-based Content-Security-Policy on every
//! HTML response.
//!
//! A fresh nonce is minted per request and put in the request's extensions, where the Leptos
//! shell finds it for its hydration scripts. Scripts run only with that nonce or from our own
//! origin; `'wasm-unsafe-eval'` lets the hydrate bundle compile, and no `'unsafe-inline'` is
//! ever allowed for scripts. Styles allow inline attributes (progress bars set widths), which
//! cannot execute code.
//!
//! Embed routes are framed by partners: their handler puts the allowed origins in the
//! internal `x-aura-frame-ancestors` header, which this layer turns into `frame-ancestors`
//! and removes; they get no `X-Frame-Options`. Every other response is `DENY`.

use std::sync::Arc;

use app::server::http::CspNonce;
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use base64::Engine as _;

pub const FRAME_ANCESTORS_HEADER: &str = "x-aura-frame-ancestors";

#[derive(Clone, Copy)]
pub struct SecurityConfig {
    pub hsts: bool,
}

pub async fn security_headers(State(cfg): State<SecurityConfig>, mut req: Request, next: Next) -> Response {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("OS randomness");
    let nonce: Arc<str> = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes).into();
    req.extensions_mut().insert(CspNonce(nonce.clone()));

    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let frame_ancestors = headers.remove(FRAME_ANCESTORS_HEADER);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if frame_ancestors.is_none() {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if cfg.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if is_html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let ancestors = frame_ancestors
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .unwrap_or("'none'");
        let csp = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors {ancestors}"
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}
