//! The database breaker's edge ([`app::server::db_health`]): while it is open, requests that
//! would need the database answer 503 `service_unavailable` with `Retry-After` at once; a
//! response marked "database unavailable" opens it. Service endpoints (`/health`, `/info`,
//! `/metrics`) and static assets pass through, so monitors see the real state.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::server::{db_health::UNAVAILABLE_HEADER, state::AppState};

use crate::error::ApiError;

fn needs_database(path: &str) -> bool {
    !matches!(
        path,
        "/health" | "/info" | "/metrics" | "/openapi.json" | "/docs" | "/favicon.svg"
    ) && !path.starts_with("/pkg/")
        && !path.starts_with("/vendor/")
}

pub async fn breaker(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.db_health.is_down() && needs_database(req.uri().path()) {
        return ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The service is temporarily unavailable; retry shortly.",
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
        .into_response();
    }
    let mut res = next.run(req).await;
    if res.headers_mut().remove(UNAVAILABLE_HEADER).is_some() {
        state.db_health.trip(&state.db);
    }
    res
}
