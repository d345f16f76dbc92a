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
    Json(Info {
        name: "AuraSecurity",
        version: env!("CARGO_PKG_VERSION"),
    })
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
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: "up",
            }),
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
                database: "down",
            }),
        ),
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
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics token required\n",
            )
                .into_response();
        }
    }
    record_queue_depth(&state).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        crate::middleware::metrics::handle().render(),
    )
        .into_response()
}

/// `job_queue_depth{kind,state}` and `job_queue_oldest_ready_seconds{kind}`, read from the
/// database at scrape time: the queue is shared by every instance, so any instance reports
/// the whole of it, and autoscaling or alerts can use whichever they scrape. Every kind and
/// state is set, to zero when empty, so no series outlives its jobs. While the database does
/// not answer, the last values stay (with a warning in the log; `/health` says why).
async fn record_queue_depth(state: &AppState) {
    use app::server::jobs;
    let rows = match tokio::time::timeout(std::time::Duration::from_secs(2), jobs::depth(&state.db)).await {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) => return tracing::warn!(error = %e, "reading the job queue depth failed"),
        Err(_) => return tracing::warn!("reading the job queue depth timed out"),
    };
    let now = jobs::now_ms();
    for &kind in jobs::JobKind::ALL {
        for st in jobs::DEPTH_STATES {
            let n = rows
                .iter()
                .find(|r| r.kind == kind && r.state == st)
                .map_or(0, |r| r.jobs);
            metrics::gauge!("job_queue_depth", "kind" => kind.as_str(), "state" => st).set(n as f64);
        }
        let oldest = rows
            .iter()
            .find(|r| r.kind == kind && r.state == "ready")
            .and_then(|r| r.oldest_run_at);
        let age = oldest.map_or(0.0, |t| (now - t).max(0) as f64 / 1000.0);
        metrics::gauge!("job_queue_oldest_ready_seconds", "kind" => kind.as_str()).set(age);
    }
}
