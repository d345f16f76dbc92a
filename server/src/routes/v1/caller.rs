//! Bearer-key authentication, key scopes and origins, per-key rate limits and usage
//! metering for `/v1`.
//!
//! One middleware does it all, in this order: resolve the key (401/403; from the verified-key
//! cache when it holds the key, see `app::server::accounts::key_cache`), check the key's
//! scopes against the route ([`needs`], 403 `insufficient_scope`) and the browser `Origin`
//! against the key's `allowed_origins` (403 `origin_not_allowed`), admit the call against the
//! account's *current* tier (429), run the handler, then stamp the rate-limit headers on the
//! response and meter the call off the request path. A call refused for its scope or origin
//! is metered (with its 403) but uses no rate-limit room.
//!
//! Origins: a key with `allowed_origins` is refused when the request carries an `Origin`
//! outside them; a request without `Origin` (a server, a bot) may use it. A key without
//! `allowed_origins` may be used from any origin, as before: whether a browser may read the
//! answer is then up to CORS, which admits only registered origins (see `cors_layer`).

use std::{sync::Arc, time::Instant};

use app::api_scopes::Scope;
use app::server::{
    accounts::keys::{ApiKey, AuthFailure, Grants, VerifyError},
    accounts::tiers::Limits,
    accounts::usage::UsageEvent,
    accounts::{self, Account},
    audit::{Actor, Origin},
    limiter::{self, secs_ceil, Decision, Rule, Window},
    state::AppState,
};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{error::ApiError, middleware::json_errors::as_json};

/// The authenticated caller, put in the request's extensions. Shared with the verified-key
/// cache (so a hit copies two pointers); any change to these rows empties every cache.
#[derive(Clone, Debug)]
pub struct Caller {
    pub account: Arc<Account>,
    pub key: Arc<ApiKey>,
}

impl Caller {
    /// The caller's account acting from this request, for services that audit what they do.
    pub fn actor(&self, headers: &HeaderMap, peer: std::net::SocketAddr) -> Actor {
        Actor::new((*self.account).clone(), Origin::from_request(headers, Some(peer)))
    }
}

/// What a handler tells the meter about the call (the scan target), via response extensions.
#[derive(Clone, Debug)]
pub struct Metered {
    pub target: Option<String>,
    pub is_scan: bool,
}

/// What a route asks of the key that calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    Scope(Scope),
    /// Every scope: the admin routes, and any route not listed in [`needs`] (fail closed).
    AllScopes,
}

/// The scope each `/v1` route needs, in one table (`route` as routed, with or without the
/// `/v1` prefix). Registration needs no key; admin routes need a key with every scope (on top
/// of the admin role), as does any route missing from this table.
pub fn needs(method: &Method, route: &str) -> Needs {
    let route = route.strip_prefix("/v1").unwrap_or(route);
    // A HEAD is the GET without its body.
    let method = if method == Method::HEAD { &Method::GET } else { method };
    let under = |prefix: &str| route == prefix || route.strip_prefix(prefix).is_some_and(|r| r.starts_with('/'));
    let scope = match *method {
        Method::POST if matches!(route, "/scan/repo" | "/scan/x-profile" | "/scan/compare") => Scope::ScansWrite,
        // Lookup starts nothing: a batch read.
        Method::POST if route == "/scan/lookup" => Scope::ScansRead,
        Method::GET if matches!(route, "/scan/latest" | "/scan/{id}" | "/scan/{id}/stream" | "/scans") => {
            Scope::ScansRead
        }
        _ if under("/auth/keys") => Scope::Keys,
        _ if route == "/auth/usage" => Scope::Usage,
        _ if under("/webhooks") => Scope::Webhooks,
        _ if route == "/embed/settings" => Scope::Embed,
        _ => return Needs::AllScopes,
    };
    Needs::Scope(scope)
}

/// 403 `insufficient_scope` or `origin_not_allowed` when the key may not make this call.
fn refusal(grants: &Grants, method: &Method, route: &str, origin: Option<&str>) -> Option<ApiError> {
    let missing = match needs(method, route) {
        Needs::Scope(s) => (!grants.allows(s)).then(|| format!("the `{s}` scope")),
        Needs::AllScopes => (!grants.has_all_scopes()).then(|| "every scope".to_string()),
    };
    if let Some(wanted) = missing {
        return Some(ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("This key lacks {wanted}, which this call needs."),
        ));
    }
    if !grants.allows_origin(origin) {
        return Some(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "This key may not be used from this origin; add it to the key's allowed_origins.",
        ));
    }
    None
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Route layer of the routes that need a key. It also gives the errors axum answers itself
/// the contract's JSON body ([`json_errors`](crate::middleware::json_errors)), so a keyed call
/// passes one layer, not two.
pub async fn require_key(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    as_json(&method, authenticate(state, req, next, true).await).await
}

/// For public routes: no key is fine, but a key that is sent is checked and metered. JSON
/// errors as in [`require_key`].
pub async fn optional_key(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    as_json(&method, authenticate(state, req, next, false).await).await
}

async fn authenticate(state: AppState, mut req: Request, next: Next, required: bool) -> Response {
    let Some(token) = bearer(req.headers()).map(str::to_owned) else {
        if required {
            return ApiError::unauthorized("An API key is required: send `Authorization: Bearer <key>`.")
                .into_response();
        }
        return next.run(req).await;
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let method = req.method().clone();
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("invalid"));

    // The key, and the call's limits decided in the same step (which also tells whether the
    // cached key may still be trusted). A call refused for its scope or origin is checked with
    // no rules: it is not charged, and no rate-limit headers go out.
    let mut refused_for = None;
    let mut rules = Vec::new();
    let admitted = state
        .keys
        .verify_and_admit(&state.db, &token, |v| {
            refused_for = refusal(&v.grants, &method, &route, origin);
            rules = rules_for(&v.key.id, &v.account.id, &accounts::tier(&v.account).limits());
            if refused_for.is_some() {
                Vec::new()
            } else {
                rules.clone()
            }
        })
        .await;
    let (verified, decision) = match admitted {
        Ok(a) => (a.verified, a.decision),
        Err(VerifyError::Auth(AuthFailure::Invalid)) => {
            return ApiError::unauthorized("The API key is invalid, revoked or expired.").into_response()
        }
        Err(VerifyError::Auth(AuthFailure::Suspended)) => {
            return ApiError::forbidden("This account is suspended.").into_response()
        }
        Err(VerifyError::Db(e)) => return ApiError::from(e).into_response(),
    };
    let (account, key) = (verified.account, verified.key);
    let decision = if refused_for.is_some() {
        Decision {
            allowed: false,
            states: Vec::new(),
            denied_by: None,
        }
    } else {
        limiter::fail_open(decision)
    };
    let start = Instant::now();

    let mut res = if let Some(e) = refused_for {
        e.into_response()
    } else if decision.allowed {
        req.extensions_mut().insert(Caller {
            account: account.clone(),
            key: key.clone(),
        });
        next.run(req).await
    } else {
        // The limiter's own refusal (`daily_quota_exceeded` or `rate_limited`, with
        // `Retry-After`), worded as the dashboard words it.
        limiter::refusal(&rules, &decision)
            .map(ApiError::from)
            .unwrap_or_else(|| ApiError::internal("refused without a rule"))
            .into_response()
    };
    stamp_headers(res.headers_mut(), &rules, &decision);
    if !required {
        // A public answer that carries this key's limits must not be served from a shared
        // cache to callers without it.
        res.headers_mut()
            .append(header::VARY, HeaderValue::from_static("authorization"));
    }

    let metered = res.extensions().get::<Metered>().cloned();
    state.meter.record(UsageEvent {
        key_id: key.id.clone(),
        account_id: account.id.clone(),
        route,
        method: method.as_str().to_owned(),
        status: res.status().as_u16(),
        latency_ms: start.elapsed().as_millis().min(u32::MAX as u128) as u32,
        target: metered.as_ref().and_then(|m| m.target.clone()),
        is_scan: metered.is_some_and(|m| m.is_scan),
        at: chrono::Utc::now(),
    });
    res
}

/// The per-minute window is per key (the seed's rule); the daily quota is per account, shared
/// by all its keys, so more keys never mean more calls.
fn rules_for(key_id: &str, account_id: &str, limits: &Limits) -> Vec<Rule> {
    app::server::limiter::call_rules(format!("key:{key_id}:minute"), account_id, limits)
}

/// `X-RateLimit-*` describe the binding window (the refusing one, else the one with the
/// least room); `RateLimit-Policy` and `RateLimit` (IETF httpapi draft, structured fields)
/// describe both windows.
fn stamp_headers(h: &mut HeaderMap, rules: &[Rule], d: &Decision) {
    if rules.is_empty() || d.states.len() != rules.len() {
        return;
    }
    let binding = d.denied_by.unwrap_or_else(|| {
        (0..rules.len())
            .min_by_key(|&i| (d.states[i].remaining, i))
            .unwrap_or(0)
    });
    let s = &d.states[binding];
    h.insert("x-ratelimit-limit", HeaderValue::from(s.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(s.remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(secs_ceil(s.reset_after)));
    let name = |w: &Window| match w {
        Window::UtcDay => ("day", 86_400u64),
        Window::Sliding(d) => ("minute", d.as_secs()),
    };
    let policy: Vec<String> = rules
        .iter()
        .map(|r| {
            let (n, w) = name(&r.window);
            format!("\"{n}\";q={};w={w}", r.limit)
        })
        .collect();
    let current: Vec<String> = rules
        .iter()
        .zip(&d.states)
        .map(|(r, s)| {
            format!(
                "\"{}\";r={};t={}",
                name(&r.window).0,
                s.remaining,
                secs_ceil(s.reset_after)
            )
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&policy.join(", ")) {
        h.insert("ratelimit-policy", v);
    }
    if let Ok(v) = HeaderValue::from_str(&current.join(", ")) {
        h.insert("ratelimit", v);
    }
}
