//! The partner REST API, `/v1`. Each domain is a module; each handler carries its
//! `#[utoipa::path]` so `/openapi.json` describes exactly what is routed.

pub mod admin;
pub mod auth;
pub mod caller;
pub mod embed_settings;

use app::server::state::AppState;
use axum::middleware::from_fn_with_state;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    // Admin routes: the key layer (below) runs first, then the admin check.
    let admin = OpenApiRouter::new()
        .routes(routes!(admin::create_partner, admin::list_partners))
        .routes(routes!(admin::update_partner))
        .routes(routes!(admin::audit_log))
        .route_layer(from_fn_with_state(state.clone(), admin::require_admin));
    let protected = OpenApiRouter::new()
        .routes(routes!(auth::create_key, auth::list_keys))
        .routes(routes!(auth::rotate_key))
        .routes(routes!(auth::delete_key))
        .routes(routes!(auth::usage))
        .routes(routes!(embed_settings::get_settings, embed_settings::put_settings))
        .merge(admin)
        .route_layer(from_fn_with_state(state.clone(), caller::require_key));
    OpenApiRouter::new().routes(routes!(auth::register)).merge(protected)
}
