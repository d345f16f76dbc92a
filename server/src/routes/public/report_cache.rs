//! `GET /report/{id}` (and `/v1/report/{id}`) of a completed scan, served as static content.
//!
//! A completed scan's report does not change, so its page is rendered once per path, for
//! nobody in particular (no session, no nonce), and the bytes, with a gzip and a brotli
//! encoding of them, are kept in memory and served to everyone alike: a strong `ETag` per
//! encoding (304 on `If-None-Match`), [`CACHE_CONTROL`] so a CDN can hold it, and a
//! Content-Security-Policy that lists the sha256 of each inline script of those bytes
//! (`script_hashes`) instead of a nonce: the bytes and headers are the same for every viewer,
//! and no inline script runs unless it is one of the page's own.
//!
//! Everything else is handed to the application unchanged (per-request nonce, session,
//! tracing), marked `Cache-Control: no-cache`: queued, running and failed scans (their pages
//! change: a running one follows the stream and reloads into its report; a failed one may be
//! re-run), unknown ids (the 404 page), a database outage before the page was ever rendered,
//! and viewers with a session cookie, whose page header shows their account
//! (`private, no-cache`). The cached answer varies only by `Accept-Encoding`: some CDNs
//! (Akamai) store nothing that varies by more, so `Cookie` is not named; a CDN in front
//! bypasses its cache for requests with our session cookie instead (README).
//!
//! What the page shows depends on the scan, on `AURA_PUBLIC_URL` (the absolute share, card and
//! badge URLs; fixed for the life of the process, so not part of the key) and on the path it
//! was rendered for (`/report/…` or `/v1/report/…`, hence the key). Nothing in it depends on
//! the request: no query parameter is read (a query string is served the same page).
//!
//! A completed scan changes only if an admin re-runs it: entries are checked against the
//! scan's record as `finished_cache` says (at once after a re-run here, every minute
//! otherwise). While the database is unreachable, entries are served as they are.
//!
//! This runs in front of the router, so a hit costs a map lookup and a copy of headers built
//! with the page (`encoded`): no nonce, no session, no request id, no tracing span, and metrics
//! from series resolved in advance.

use std::{sync::Arc, time::Instant};

use app::server::state::AppState;
use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
    Router,
};
use tower::ServiceExt as _;

use super::{encoded::Encoded, script_hashes};
use crate::middleware::{
    metrics::RouteMetrics,
    security_headers::{insert_fixed, page_csp, SecurityConfig},
};
use crate::routes::finished_cache::{Entry, FinishedCache, Record};

/// A completed report: fresh for 5 minutes in any cache, then revalidated (a 304 from
/// memory here), and meanwhile served stale for up to a day while the revalidation runs.
pub const CACHE_CONTROL: &str = "public, max-age=300, stale-while-revalidate=86400";
/// Pages handed on: they change (a running scan) or are someone's (a session).
const DYNAMIC: &str = "no-cache";
const PERSONAL: &str = "private, no-cache";
/// Memory bounds, all encodings counted; past them the least recently served entries go.
const MAX_BYTES: usize = 64 << 20;
const MAX_ENTRIES: usize = 4096;
/// A page larger than this is not kept (it is served dynamically).
const MAX_PAGE: usize = 4 << 20;
/// Brotli quality: a page is compressed once, so nearly the best ratio, without quality 11's
/// tenfold time (a crawler walking every report pays it once per report).
const BROTLI_QUALITY: u32 = 9;

const ROUTE: &str = "/report/{id}";
const V1_ROUTE: &str = "/v1/report/{id}";

/// The cached report pages and what renders them. Shared as `Arc<Reports>`: the middleware
/// runs before routing (`front`), on every request.
pub struct Reports {
    state: AppState,
    security: SecurityConfig,
    /// The Leptos pages (with their session layer and guards), for the anonymous render.
    pages: Router,
    /// Report pages by request path.
    cache: FinishedCache<Encoded>,
    metrics: Arc<RouteMetrics>,
}

impl Reports {
    pub fn new(state: AppState, security: SecurityConfig, pages: Router) -> Arc<Self> {
        Arc::new(Self {
            state,
            security,
            pages,
            cache: FinishedCache::new(MAX_BYTES, MAX_ENTRIES),
            metrics: RouteMetrics::new(&[ROUTE, V1_ROUTE]),
        })
    }
}

/// The route a path is a report page of, and the scan id in it.
fn report_path(path: &str) -> Option<(&'static str, &str)> {
    let (route, id) = match path.strip_prefix("/v1") {
        Some(rest) => (V1_ROUTE, rest.strip_prefix("/report/")?),
        None => (ROUTE, path.strip_prefix("/report/")?),
    };
    (!id.is_empty() && !id.contains('/')).then_some((route, id))
}

impl Reports {
    /// Answers report pages it holds or can hold, hands the rest on (`front::serve`).
    pub async fn serve(&self, req: Request, next: Next) -> Response {
        let method = req.method().clone();
        let Some((route, id)) =
            report_path(req.uri().path()).filter(|_| method == Method::GET || method == Method::HEAD)
        else {
            return next.run(req).await;
        };
        // The page header shows a logged-in viewer's account: theirs is rendered for them.
        if has_session(req.headers()) {
            return handed_on(next.run(req).await, PERSONAL);
        }
        let start = Instant::now();
        let path = req.uri().path();
        let entry = match self.cache.get(&self.state, path, id).await {
            Some(e) => Some(e),
            None => self.fill(path, id).await,
        };
        let Some(entry) = entry else {
            return handed_on(next.run(req).await, DYNAMIC);
        };
        let res = entry.value.respond(req.headers(), method == Method::HEAD);
        self.metrics.record(route, &method, res.status(), start.elapsed());
        res
    }
}

fn handed_on(mut res: Response, cache_control: &'static str) -> Response {
    res.headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(cache_control));
    res
}

/// The start of our session cookie in a `Cookie` header (`routes::SESSION_COOKIE`).
const SESSION_PREFIX: &[u8] = b"aura_session=";

/// Whether the request carries our session cookie (a logged-in viewer, or a form's flash).
fn has_session(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().any(|v| {
        v.as_bytes()
            .split(|b| *b == b';')
            .any(|c| c.trim_ascii_start().starts_with(SESSION_PREFIX))
    })
}

impl Reports {
    /// Renders and keeps the page of a completed scan; `None` when the page is not one to keep
    /// (or cannot be rendered now), so the application answers.
    async fn fill(&self, path: &str, id: &str) -> Option<Arc<Entry<Encoded>>> {
        if self.state.db_health.is_down() {
            return None;
        }
        let stamp = Record::read(&self.state.db, id).await.ok()?.stamp()?;
        match self.render(path).await {
            Ok(page) => {
                let size = page.size();
                Some(self.cache.insert(path, stamp, page, size))
            }
            Err(why) => {
                tracing::warn!(%path, why = %why, "report cache: not kept");
                None
            }
        }
    }

    async fn render(&self, path: &str) -> Result<Encoded, String> {
        // Nothing of the viewer's: no cookie (the anonymous page header), no nonce (the shell
        // renders none without the middleware's, `app::shell`), no query.
        let req = Request::get(path).body(Body::empty()).map_err(|e| e.to_string())?;
        let res = self.pages.clone().oneshot(req).await.unwrap_or_else(|e| match e {});
        if res.status() != StatusCode::OK {
            return Err(format!("rendered with status {}", res.status()));
        }
        if res.headers().contains_key(header::SET_COOKIE) {
            return Err("the render set a cookie".into());
        }
        let body = axum::body::to_bytes(res.into_body(), MAX_PAGE)
            .await
            .map_err(|e| format!("reading the render: {e}"))?;
        let html = std::str::from_utf8(&body).map_err(|_| "the render is not UTF-8".to_string())?;
        let scripts = script_hashes::inline_script_hashes(html).join(" ");
        let csp = HeaderValue::from_str(&page_csp(&scripts, "'none'")).map_err(|e| e.to_string())?;
        let mut always = HeaderMap::with_capacity(8);
        always.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
        always.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        insert_fixed(&mut always, self.security, true);
        let mut content = HeaderMap::with_capacity(2);
        content.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        content.insert(header::CONTENT_SECURITY_POLICY, csp);
        tokio::task::spawn_blocking(move || Encoded::new(body, BROTLI_QUALITY, &always, &content))
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_report_pages_are_served_from_here() {
        assert_eq!(report_path("/report/abc"), Some((ROUTE, "abc")));
        assert_eq!(report_path("/v1/report/abc"), Some((V1_ROUTE, "abc")));
        for other in [
            "/report/",
            "/report/abc/card.png",
            "/report/github/acme/orbit",
            "/v1/reports/abc",
            "/v2/report/abc",
            "/v1/v1/report/abc",
            "/embed/result/abc",
        ] {
            assert_eq!(report_path(other), None, "{other}");
        }
    }

    #[test]
    fn a_session_cookie_is_found_among_others() {
        assert_eq!(SESSION_PREFIX, format!("{}=", crate::routes::SESSION_COOKIE).as_bytes());
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("theme=dark; aura_session=abc"));
        assert!(has_session(&h));
        h.insert(header::COOKIE, HeaderValue::from_static("not_aura_session=abc"));
        assert!(!has_session(&h));
        assert!(!has_session(&HeaderMap::new()));
    }
}
