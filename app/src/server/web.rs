//! What every server function needs: the application state, the caller's session and
//! account, where the request came from, and service errors turned into messages with the
//! right HTTP status.
//!
//! Server functions run inside the Leptos owner set up by `leptos_routes_with_context`,
//! which provides the [`AppState`] and the request's `Parts` (whose extensions hold the
//! tower-sessions [`Session`] and the peer address) as context, both when the browser calls
//! them over HTTP and when a page calls them while rendering on the server.

use std::net::SocketAddr;

use axum::{
    extract::ConnectInfo,
    http::{header, request::Parts, StatusCode},
};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use super::{
    accounts::{self, Account},
    audit::{Actor, Origin},
    crypto,
    error::ServiceError,
    state::AppState,
};

/// Session key of the logged-in account's id.
pub const SESSION_ACCOUNT: &str = "account_id";
/// `accounts::password_fingerprint` of the account when the session was opened.
const SESSION_PASSWORD: &str = "password";
/// When the session was opened by a login (Unix seconds).
pub const SESSION_LOGIN_AT: &str = "login_at";
/// A session ends this long after its login however busy it is (its idle expiry,
/// `SESSION_IDLE_DAYS` in the server's routes, ends it sooner when unused).
pub const SESSION_ABSOLUTE_DAYS: i64 = 30;
pub const NOT_LOGGED_IN: &str = "Please log in.";

pub fn app_state() -> Result<AppState, ServerFnError> {
    use_context::<AppState>().ok_or_else(|| ServerFnError::new("The application state is missing."))
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The caller's session. Missing only on routes outside the session layer (static files and
/// the 404 fallback), where callers treat the visitor as anonymous.
pub fn session() -> Option<Session> {
    parts()?.extensions.get::<Session>().cloned()
}

/// The logged-in `account` acting from this request, for services that audit what they do.
pub fn actor(account: Account) -> Actor {
    Actor::new(account, request_origin())
}

pub fn request_origin() -> Origin {
    match parts() {
        Some(p) => Origin::from_request(&p.headers, p.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)),
        None => Origin::default(),
    }
}

/// True when a plain HTML form (no JavaScript) posted to a server function: its answer is
/// a redirect, so whatever must be shown afterwards goes through the session.
pub fn is_plain_form_post() -> bool {
    parts().is_some_and(|p| {
        p.uri.path().starts_with("/api/")
            && p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("text/html"))
    })
}

/// A failure with its HTTP status. The status is set only for server-function calls made by
/// the hydrated page: a page rendering on the server keeps its own status, and a plain form
/// post must stay the redirect back to its form, which shows the message.
pub fn fail(status: StatusCode, message: impl Into<String>) -> ServerFnError {
    let called_over_http = parts().is_some_and(|p| p.uri.path().starts_with("/api/"));
    if called_over_http && !is_plain_form_post() {
        if let Some(res) = use_context::<ResponseOptions>() {
            res.set_status(status);
        }
    }
    ServerFnError::new(message.into())
}

/// A service error as a failure with the error's own status ([`ServiceError::status`]) and
/// a message safe to show.
pub fn service_error(e: ServiceError) -> ServerFnError {
    let status = e.status();
    match &e {
        ServiceError::TooMany { retry_after_secs, .. } | ServiceError::TooBusy { retry_after_secs, .. } => {
            if let Some(res) = use_context::<ResponseOptions>() {
                if !is_plain_form_post() {
                    res.insert_header(header::RETRY_AFTER, (*retry_after_secs).into());
                }
            }
        }
        ServiceError::Db(_) if status == StatusCode::SERVICE_UNAVAILABLE => {
            tracing::warn!(error = %e, "server function: database unavailable");
            if let Some(res) = use_context::<ResponseOptions>() {
                res.insert_header(
                    header::HeaderName::from_static(crate::server::db_health::UNAVAILABLE_HEADER),
                    header::HeaderValue::from_static("1"),
                );
            }
        }
        ServiceError::Db(_) | ServiceError::Internal(_) => tracing::error!(error = %e, "server function failed"),
        _ => {}
    }
    fail(status, e.public_message())
}

fn session_error(e: tower_sessions::session::Error) -> ServerFnError {
    tracing::error!(error = %e, "session store");
    fail(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side; please retry.",
    )
}

/// The logged-in account, or `None` for anonymous visitors. A session whose account is gone
/// or suspended, whose password changed since it was opened, or whose login is more than
/// [`SESSION_ABSOLUTE_DAYS`] old (or unknown) is ended on the spot.
pub async fn current_account_opt() -> Result<Option<Account>, ServerFnError> {
    let Some(session) = session() else { return Ok(None) };
    let Some(id) = session.get::<String>(SESSION_ACCOUNT).await.map_err(session_error)? else {
        return Ok(None);
    };
    let login_at = session.get::<i64>(SESSION_LOGIN_AT).await.map_err(session_error)?;
    let oldest = chrono::Utc::now() - chrono::Duration::days(SESSION_ABSOLUTE_DAYS);
    if login_at.is_none_or(|t| t < oldest.timestamp()) {
        session.flush().await.map_err(session_error)?;
        return Ok(None);
    }
    let opened_with = session.get::<String>(SESSION_PASSWORD).await.map_err(session_error)?;
    let state = app_state()?;
    match accounts::get(&state.db, &id).await {
        Ok(account)
            if !accounts::is_suspended(&account)
                && opened_with.as_deref() == Some(&accounts::password_fingerprint(&account)) =>
        {
            Ok(Some(account))
        }
        Ok(_) | Err(ServiceError::NotFound(_)) => {
            session.flush().await.map_err(session_error)?;
            Ok(None)
        }
        Err(e) => Err(service_error(e)),
    }
}

/// The logged-in account; 401 "Please log in." otherwise.
pub async fn current_account() -> Result<Account, ServerFnError> {
    current_account_opt()
        .await?
        .ok_or_else(|| fail(StatusCode::UNAUTHORIZED, NOT_LOGGED_IN))
}

/// Starts an authenticated session under a fresh id: an id planted or seen before login
/// (session fixation) never becomes a logged-in session. The login time is recorded for
/// the absolute lifetime ([`SESSION_ABSOLUTE_DAYS`]).
pub async fn start_session(account: &Account) -> Result<(), ServerFnError> {
    let session = session().ok_or_else(|| fail(StatusCode::INTERNAL_SERVER_ERROR, "Sessions are unavailable."))?;
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(SESSION_ACCOUNT, &account.id)
        .await
        .map_err(session_error)?;
    session
        .insert(SESSION_PASSWORD, accounts::password_fingerprint(account))
        .await
        .map_err(session_error)?;
    session
        .insert(SESSION_LOGIN_AT, chrono::Utc::now().timestamp())
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Deletes the session from the store and expires the cookie.
pub async fn end_session() -> Result<(), ServerFnError> {
    if let Some(session) = session() {
        session.flush().await.map_err(session_error)?;
    }
    Ok(())
}

/// Keeps a value for the next page render only (e.g. a new key after a form post without
/// JavaScript, whose response is a redirect). What waits in the session store is the value
/// encrypted under the master key ([`crypto::encrypt`]): a new key or secret shown once is
/// never written down in plaintext on its way to the page.
pub async fn flash_set<T: serde::Serialize>(key: &str, value: &T) -> Result<(), ServerFnError> {
    if let Some(session) = session() {
        let state = app_state()?;
        let json = serde_json::to_string(value).map_err(|e| service_error(ServiceError::internal(e)))?;
        let sealed = crypto::encrypt(state.config.secret_key.expose(), &json);
        session.insert(key, sealed).await.map_err(session_error)?;
    }
    Ok(())
}

/// A flash value as [`flash_set`] stored it; `None` when it cannot be opened (written under
/// another master key, or in plaintext before values were encrypted): it is dropped.
fn flash_open(state: &AppState, sealed: &serde_json::Value) -> Option<serde_json::Value> {
    let json = crypto::decrypt(state.config.secret_key.expose(), sealed.as_str()?).ok()?;
    serde_json::from_str(&json).ok()
}

/// Flash values taken during one request. A page rendering on the server may run a
/// resource more than once (or several components may ask); each must see what the first
/// took out of the session. Provided per request by the router.
#[derive(Clone, Default)]
pub struct RequestFlash(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, serde_json::Value>>>);

pub async fn flash_take<T: serde::de::DeserializeOwned>(key: &str) -> Result<Option<T>, ServerFnError> {
    let cache = use_context::<RequestFlash>();
    if let Some(v) = cache
        .as_ref()
        .and_then(|c| c.0.lock().expect("flash lock").get(key).cloned())
    {
        return Ok(serde_json::from_value(v).ok());
    }
    let Some(session) = session() else { return Ok(None) };
    let Some(sealed) = session.remove_value(key).await.map_err(session_error)? else {
        return Ok(None);
    };
    let Some(value) = flash_open(&app_state()?, &sealed) else {
        return Ok(None);
    };
    if let Some(c) = cache {
        c.0.lock().expect("flash lock").insert(key.to_string(), value.clone());
    }
    Ok(serde_json::from_value(value).ok())
}

/// A page rendering on the server sends the browser elsewhere (303). During hydration or
/// client-side navigation the caller navigates instead.
pub fn redirect_page(path: &str) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(StatusCode::SEE_OTHER);
        if let Ok(v) = path.parse() {
            res.insert_header(header::LOCATION, v);
        }
    }
}
