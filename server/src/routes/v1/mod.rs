//! The partner REST API, `/v1`. Each domain is a module; each handler carries its
//! `#[utoipa::path]` so `/openapi.json` describes exactly what is routed.

use app::server::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
