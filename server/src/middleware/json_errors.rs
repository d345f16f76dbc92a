//! The REST API answers every error with the contract's JSON body. Handlers do so through
//! `ApiError`; this layer covers what axum's own extractors answer before a handler runs
//! (a path segment that is not a number, a query string that does not parse: plain-text
//! 400s, an empty 405) by rewriting a plain-text or empty error into
//! `{"error": {"code", "message"}}`.

use axum::{
    body::to_bytes,
    extract::Request,
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::error::ApiError;

/// Extractor messages are a line or two; anything longer is cut rather than buffered.
const MAX_MESSAGE: usize = 4096;

pub async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    as_json(&method, next.run(req).await).await
}

/// The rewrite itself, for layers that do more around the call (`v1::caller`'s key check):
/// one layer instead of two on every keyed call.
pub async fn as_json(method: &Method, res: Response) -> Response {
    let status = res.status();
    // Plain text, or no body type at all (axum's 405 is empty).
    let plain = match res.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(v) => v.to_str().is_ok_and(|ct| ct.starts_with("text/plain")),
    };
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = to_bytes(body, MAX_MESSAGE)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        s if s.is_server_error() => "internal_error",
        _ => "invalid_request",
    };
    let message = match (status, text.is_empty()) {
        // axum adds `Allow` to the answer after every route layer, so it is not here to quote.
        (StatusCode::METHOD_NOT_ALLOWED, true) => {
            format!("{method} is not allowed on this route; its `Allow` header lists the methods it takes.")
        }
        (_, true) => status.canonical_reason().unwrap_or("Error").to_string(),
        (_, false) => text,
    };
    let mut rewritten = ApiError::new(status, code, message).into_response();
    // Keep what the original answer said beyond its body (Allow, Retry-After…).
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().entry(name).or_insert(value.clone());
        }
    }
    rewritten
}
