//! Structured logs: human-readable by default, JSON lines with `AURA_LOG_FORMAT=json`.
//! Filter with `RUST_LOG` (default `info`).

use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        let _ = registry.with(fmt::layer().json().flatten_event(true)).try_init();
    } else {
        let _ = registry.with(fmt::layer().compact()).try_init();
    }
}

/// For operator commands: warnings and errors only, on stderr, so stdout stays machine-readable.
pub fn init_stderr(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        let _ = registry
            .with(fmt::layer().json().flatten_event(true).with_writer(std::io::stderr))
            .try_init();
    } else {
        let _ = registry
            .with(fmt::layer().compact().with_writer(std::io::stderr))
            .try_init();
    }
}

/// A request path as logs may show it: secrets that travel in a path (an invitation's token)
/// are cut off, so whoever reads the logs cannot set a partner's password.
pub fn loggable_path(path: &str) -> &str {
    for secret_after in ["/invite/"] {
        if let Some(rest) = path.strip_prefix(secret_after) {
            if !rest.is_empty() {
                return secret_after;
            }
        }
    }
    path
}

/// The span every request's log lines carry: method, the [`loggable_path`] and the request
/// id. Nothing else of the request: no query string, no headers (cookies hold session ids,
/// `Authorization` holds keys), no body.
pub fn http_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("http", method = %req.method(), path = %loggable_path(req.uri().path()), request_id = %id)
}

/// [`http_span`] around the handling of a request whose body is an event stream, but not
/// around the body: a span held for a stream's minutes keeps its registry slot and formatted
/// fields for each open stream. Logs what `TraceLayer` would at the default level: a server
/// error.
pub async fn trace_until_head(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use tracing::Instrument as _;
    let span = http_span(&req);
    let start = std::time::Instant::now();
    let res = next.run(req).instrument(span.clone()).await;
    if res.status().is_server_error() {
        span.in_scope(|| {
            tracing::error!(
                status = res.status().as_u16(),
                latency_ms = start.elapsed().as_millis() as u64,
                "response failed"
            )
        });
    }
    res
}

#[cfg(test)]
mod tests {
    use super::{http_span, loggable_path};
    use std::sync::{Arc, Mutex};

    /// Log output captured into a buffer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The request's log lines as the production formats write them (text and JSON), with
    /// a line logged inside the request's span.
    fn logged(req: &axum::http::Request<()>) -> String {
        use tracing_subscriber::{fmt, prelude::*};
        let out = Captured::default();
        for json in [false, true] {
            let writer = out.clone();
            let make = move || writer.clone();
            let layer = fmt::layer().with_writer(make).with_ansi(false);
            let subscriber: Box<dyn tracing::Subscriber + Send + Sync> = if json {
                Box::new(tracing_subscriber::registry().with(layer.json().flatten_event(true)))
            } else {
                Box::new(tracing_subscriber::registry().with(layer.compact()))
            };
            tracing::subscriber::with_default(subscriber, || {
                http_span(req).in_scope(|| tracing::info!("handled"));
            });
        }
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("handled") && text.contains("/invite/"), "{text}");
        text
    }

    #[test]
    fn invitation_tokens_never_reach_logs() {
        assert_eq!(loggable_path("/invite/0123abcd"), "/invite/");
        assert_eq!(loggable_path("/report/0123abcd"), "/report/0123abcd");
        assert_eq!(loggable_path("/invite/"), "/invite/");
    }

    #[test]
    fn request_logs_carry_no_invite_or_session_token() {
        let req = axum::http::Request::post("/invite/inv0token0secret?token=query0secret")
            .header("cookie", "aura_session=sess0secret")
            .header("authorization", "Bearer aura_pk_free_key0secret")
            .header("x-request-id", "req-1")
            .body(())
            .unwrap();
        let text = logged(&req);
        for secret in ["inv0token0secret", "query0secret", "sess0secret", "key0secret"] {
            assert!(!text.contains(secret), "{secret} logged: {text}");
        }
        assert!(text.contains("req-1"), "{text}");
    }

    /// An event stream's handler logs inside the request's span, and its server error is
    /// logged, as `TraceLayer` does for the other routes.
    #[tokio::test]
    async fn streams_log_within_the_request_span_until_their_head() {
        use axum::{http::StatusCode, middleware::from_fn, routing::get, Router};
        use tower::ServiceExt as _;
        use tracing_subscriber::{fmt, prelude::*};
        let out = Captured::default();
        let writer = out.clone();
        let layer = fmt::layer()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .compact();
        let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
        let app = Router::new()
            .route(
                "/v1/scan/{id}/stream",
                get(|| async {
                    tracing::warn!("opening the stream");
                    StatusCode::SERVICE_UNAVAILABLE
                }),
            )
            .layer(from_fn(super::trace_until_head));
        let req = axum::http::Request::get("/v1/scan/abc/stream")
            .header("x-request-id", "req-7")
            .body(axum::body::Body::empty())
            .unwrap();
        let res = app.oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let opening = text
            .lines()
            .find(|l| l.contains("opening the stream"))
            .unwrap_or_default();
        assert!(
            opening.contains("req-7") && opening.contains("/v1/scan/abc/stream"),
            "{text}"
        );
        let failed = text.lines().find(|l| l.contains("response failed")).unwrap_or_default();
        assert!(failed.contains("status=503") && failed.contains("req-7"), "{text}");
    }
}
