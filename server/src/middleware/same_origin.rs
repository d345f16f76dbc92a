//! Cross-site request forgery guard for the browser's state-changing requests (server
//! functions, which the pages' forms post to).
//!
//! A request other than GET/HEAD/OPTIONS passes only when it provably comes from one of our
//! own pages:
//! - `Sec-Fetch-Site`, when sent, must be `same-origin` (or `none`: typed by the user);
//! - `Origin`, when sent, must be our own origin: `AURA_PUBLIC_URL`'s, or the `Host` the
//!   request was sent to (the same site reached through another name or a TLS-terminating
//!   proxy; a cross-site page cannot choose the `Host` the victim's browser sends);
//! - at least one of the two must be present. Every current browser sends `Origin` on every
//!   POST (form posts included) and `Sec-Fetch-Site` on every request, so our own pages always
//!   pass; a request with neither comes from a script or a very old browser. Scripts have no
//!   victim's cookies to abuse and should use the `/v1` API with a key, so refusing them costs
//!   nothing and closes the old-browser gap.
//!
//! SameSite=Lax cookies already keep cross-site POSTs anonymous in current browsers; this
//! guard does not depend on it (Lax has exceptions, e.g. a sibling subdomain counts as
//! same-site).

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

#[derive(Clone)]
pub struct OriginPolicy {
    /// `scheme://host[:port]` of `AURA_PUBLIC_URL`.
    pub public_origin: String,
}

impl OriginPolicy {
    pub fn new(public_url: &str) -> Self {
        let public_origin = url::Url::parse(public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| public_url.trim_end_matches('/').to_string());
        Self { public_origin }
    }

    /// Why the request must be refused, if it must.
    pub fn check(&self, method: &Method, headers: &HeaderMap) -> Result<(), &'static str> {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return Ok(());
        }
        let fetch_site = headers.get("sec-fetch-site").map(|v| v.to_str().unwrap_or(""));
        let origin = headers.get(header::ORIGIN).map(|v| v.to_str().unwrap_or(""));
        if let Some(site) = fetch_site {
            if !matches!(site, "same-origin" | "none") {
                return Err("cross-site request (Sec-Fetch-Site)");
            }
        }
        if let Some(origin) = origin {
            if !self.is_own_origin(origin, headers) {
                return Err("cross-origin request (Origin)");
            }
        }
        if fetch_site.is_none() && origin.is_none() {
            return Err("request without Origin or Sec-Fetch-Site");
        }
        Ok(())
    }

    fn is_own_origin(&self, origin: &str, headers: &HeaderMap) -> bool {
        if origin.eq_ignore_ascii_case(&self.public_origin) {
            return true;
        }
        // `null` (sandboxed or privacy-sensitive contexts) and anything unparsable fail here.
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        matches!(scheme, "http" | "https") && host.is_some_and(|h| h.eq_ignore_ascii_case(authority))
    }
}

pub async fn guard(State(policy): State<OriginPolicy>, req: Request, next: Next) -> Response {
    if let Err(reason) = policy.check(req.method(), req.headers()) {
        tracing::warn!(
            reason,
            path = %req.uri().path(),
            origin = ?req.headers().get(header::ORIGIN),
            "refused a cross-origin state-changing request"
        );
        return (StatusCode::FORBIDDEN, "Cross-origin requests are not accepted here.").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn decides_like_the_module_says() {
        let p = OriginPolicy::new("https://aura.example/");
        let post = Method::POST;
        assert!(p.check(&Method::GET, &headers(&[])).is_ok());
        assert!(p.check(&post, &headers(&[("origin", "https://aura.example")])).is_ok());
        assert!(p.check(&post, &headers(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(p
            .check(
                &post,
                &headers(&[("origin", "http://10.0.0.5:3000"), ("host", "10.0.0.5:3000")])
            )
            .is_ok());
        assert!(p.check(&post, &headers(&[])).is_err());
        assert!(p.check(&post, &headers(&[("origin", "https://evil.example")])).is_err());
        assert!(p.check(&post, &headers(&[("origin", "null")])).is_err());
        assert!(p
            .check(&post, &headers(&[("origin", "https://aura.example.evil.example")]))
            .is_err());
        assert!(p
            .check(
                &post,
                &headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://aura.example")])
            )
            .is_err());
        assert!(p.check(&post, &headers(&[("sec-fetch-site", "same-site")])).is_err());
        assert!(p
            .check(
                &post,
                &headers(&[("sec-fetch-site", "same-origin"), ("origin", "https://evil.example")])
            )
            .is_err());
    }
}
