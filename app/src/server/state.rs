//! The application state shared by axum handlers and server functions (which find it in
//! Leptos context, provided by `leptos_routes_with_context`).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::{
    accounts::key_cache::KeyCache, accounts::usage::Meter, config::Config, db_health::DbHealth, limiter::RateLimiter,
    scans::events::EventBus,
};

/// The process's shared services, behind one `Arc`: every `from_fn_with_state` layer and
/// handler takes its own clone per request, and an open event stream keeps one, so a clone is
/// one reference count, not one per service. Fields read through `Deref` (`state.db`).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

pub struct Services {
    pub leptos: LeptosOptions,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub limiter: Arc<dyn RateLimiter>,
    /// Verified API keys, checked against the shared epoch on every call
    /// ([`super::accounts::key_cache`]); services call `keys.changed()` after changing a key or
    /// an account.
    pub keys: Arc<KeyCache>,
    pub meter: Meter,
    pub engine: Arc<aura_engine::Engine>,
    /// Scan events and job wake-ups (in-process, or through Redis when scaled out).
    pub bus: Arc<dyn EventBus>,
    /// Caps on open event streams, per client address and for this instance.
    pub streams: Arc<super::scans::stream_slots::StreamSlots>,
    /// Open while the database is known to be unreachable (see [`DbHealth`]).
    pub db_health: DbHealth,
    /// Turns true when the process begins shutting down (workers wind down, event streams end).
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
