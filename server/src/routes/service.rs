//! Service endpoints for operators and load balancers: `/info`, `/health`, `/metrics`.

use app::server::state::AppState;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Info {
    name: &'static str,
    version: &'static str,
}

/// Name and version of the running service.
#[utoipa::path(get, path = "/info", tag = "service", responses((status = 200, body = Info)))]
pub async fn info() -> Json<Info> {
    Json(Info { name: "AuraSecurity", version: env!("CARGO_PKG_VERSION") })
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
}

/// 200 when the database answers, else 503.
#[utoipa::path(get, path = "/health", tag = "service", responses(
    (status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(3), state.db.ping()).await;
    match ping {
        Ok(Ok(())) => (StatusCode::OK, Json(Health { status: "ok", database: "up" })),
        _ => (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable", database: "down" })),
    }
}

/// Prometheus text format. With `AURA_METRICS_TOKEN` set, a matching bearer token is required.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !app::server::crypto::ct_eq(given.as_bytes(), token.expose().as_bytes()) {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "metrics token required\n")
                .into_response();
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        crate::middleware::metrics::handle().render(),
    )
        .into_response()
}
