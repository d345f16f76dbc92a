//! The partner REST API, `/v1`. Each domain is a module; each handler carries its
//! `#[utoipa::path]` so `/openapi.json` describes exactly what is routed.

pub mod admin;
pub mod auth;
pub mod caller;
pub mod embed_settings;
pub mod page;
pub mod scans;
pub mod webhooks;

use app::server::state::AppState;
use axum::{
    middleware::{from_fn, from_fn_with_state},
    Extension,
};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The `/v1` routes. Each handler's `#[utoipa::path]` names its whole path: nesting under
/// `/v1` would strip and restore the prefix on every request, for nothing. Each group has one
/// route layer that checks the key (if the group takes one) and gives axum's own errors (a
/// 405, an extractor's 400) the contract's JSON body; a keyed call passes no other `/v1` layer.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    // Admin routes: the key layer (below) runs first, then the admin check.
    let admin = OpenApiRouter::new()
        .routes(routes!(admin::create_partner, admin::list_partners))
        .routes(routes!(admin::update_partner))
        .routes(routes!(admin::invite_partner))
        .routes(routes!(admin::audit_log))
        .routes(routes!(admin::list_jobs))
        .routes(routes!(admin::retry_job))
        .route_layer(from_fn_with_state(state.clone(), admin::require_admin));
    let protected = OpenApiRouter::new()
        .routes(routes!(auth::create_key, auth::list_keys))
        .routes(routes!(auth::rotate_key))
        .routes(routes!(auth::delete_key))
        .routes(routes!(auth::usage))
        .routes(routes!(scans::scan_repo))
        .routes(routes!(scans::scan_x_profile))
        .routes(routes!(scans::scan_compare))
        .routes(routes!(scans::latest_scan))
        .routes(routes!(scans::lookup_scans))
        .routes(routes!(scans::list_scans))
        .routes(routes!(webhooks::create_webhook, webhooks::list_webhooks))
        .routes(routes!(webhooks::delete_webhook))
        .routes(routes!(webhooks::enable_webhook))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::get_delivery))
        .routes(routes!(webhooks::redeliver))
        .routes(routes!(webhooks::replay))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(embed_settings::get_settings, embed_settings::put_settings))
        .merge(admin)
        .route_layer(from_fn_with_state(state.clone(), caller::require_key));
    // Reports are public; a key that is sent is still checked and metered.
    let public = OpenApiRouter::new()
        .routes(routes!(scans::get_scan))
        .route_layer(Extension(scans::scan_records()))
        .route_layer(from_fn_with_state(state.clone(), caller::optional_key));
    let open = OpenApiRouter::new()
        .routes(routes!(auth::register))
        .route_layer(from_fn(crate::middleware::json_errors::json_errors));
    open.merge(protected).merge(public)
}

/// The event stream, public like a scan's record (a key that is sent is checked and
/// metered), routed apart from [`router`] because it lives for minutes: `routes::router` gives
/// it every layer but compression, whose response wrapper (≈ 6 KiB, boxed for the response's
/// whole life even though `text/event-stream` is never compressed) would be a fifth of each
/// open stream's memory.
pub fn streams(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(scans::stream_scan))
        .route_layer(from_fn_with_state(state.clone(), caller::optional_key))
}
