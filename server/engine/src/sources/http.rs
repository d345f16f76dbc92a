//! Shared HTTP plumbing for API sources: the guarded client, status-to-error mapping
//! (rate limits and 5xx are retryable), and `Link` header pagination.

use std::error::Error as _;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use url::Url;

use crate::error::ScanError;
use crate::netguard::{self, NetGuardError};

pub const USER_AGENT: &str = concat!("aura-engine/", env!("CARGO_PKG_VERSION"), " (+https://aurasecurity.io)");

/// Map a transport error: guard refusals are permanent, everything else (timeouts, resets,
/// DNS hiccups) is worth a retry. Messages never include URLs (they may carry tokens).
pub fn transport_error(service: &str, e: &reqwest::Error) -> ScanError {
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
        if let Some(g) = s.downcast_ref::<NetGuardError>() {
            return match g {
                NetGuardError::Forbidden { host, .. } => ScanError::permanent(format!(
                    "{service} address {host} is not a public address; refusing to connect."
                )),
                other => ScanError::transient(format!("{service}: {other}")),
            };
        }
        src = s.source();
    }
    if e.is_redirect() {
        return ScanError::permanent(format!("{service} redirected somewhere we won't follow."));
    }
    if e.is_timeout() {
        return ScanError::transient(format!("{service} timed out; try again later."));
    }
    ScanError::transient(format!("{service} could not be reached; try again later."))
}

/// GitHub-style rate limits: 429, or 403 with `x-ratelimit-remaining: 0` / `retry-after`.
pub fn rate_limited(status: StatusCode, h: &HeaderMap) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN
            && (h.get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()) == Some("0")
                || h.contains_key("retry-after")))
}

pub fn rate_limit_error(service: &str, h: &HeaderMap) -> ScanError {
    // GitHub says `x-ratelimit-reset`, X says `x-rate-limit-reset`; both epoch seconds.
    let when = h
        .get("x-ratelimit-reset")
        .or_else(|| h.get("x-rate-limit-reset"))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| format!(" after {} UTC", t.format("%H:%M")))
        .or_else(|| {
            h.get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(|s| format!(" in {s} seconds"))
        })
        .unwrap_or_default();
    ScanError::transient(format!("{service} rate limit reached; retry{when}."))
}

/// Next page from a `Link: <url>; rel="next"` header.
pub fn link_rel(h: &HeaderMap, rel: &str) -> Option<String> {
    let v = h.get(reqwest::header::LINK)?.to_str().ok()?;
    for part in v.split(',') {
        let mut pieces = part.split(';');
        let url = pieces.next()?.trim().strip_prefix('<')?.strip_suffix('>')?;
        if pieces.any(|p| p.trim() == format!("rel=\"{rel}\"")) {
            return Some(url.to_string());
        }
    }
    None
}

/// Same scheme, host and port: credentials are only ever sent to the configured API.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

pub fn client(allow_private: bool, timeout: std::time::Duration) -> Result<reqwest::Client, ScanError> {
    netguard::guarded_client(allow_private, timeout, USER_AGENT)
        .map_err(|_| ScanError::permanent("HTTP client could not be created."))
}

/// Check an API base URL before use: https (or http when private targets are allowed) and
/// not an IP literal in a forbidden range.
pub fn check_base(service: &str, base: &Url, allow_private: bool) -> Result<(), ScanError> {
    if !(base.scheme() == "https" || (allow_private && base.scheme() == "http")) {
        return Err(ScanError::permanent(format!("{service} URL must be https.")));
    }
    netguard::check_url_host(base, allow_private).map_err(ScanError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, LINK};

    #[test]
    fn links() {
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            HeaderValue::from_static(
                "<https://api.github.com/x?page=2>; rel=\"next\", <https://api.github.com/x?page=5>; rel=\"last\"",
            ),
        );
        assert_eq!(link_rel(&h, "next").as_deref(), Some("https://api.github.com/x?page=2"));
        assert_eq!(link_rel(&h, "last").as_deref(), Some("https://api.github.com/x?page=5"));
        assert_eq!(link_rel(&h, "prev"), None);
    }

    #[test]
    fn limits() {
        let mut h = HeaderMap::new();
        assert!(!rate_limited(StatusCode::FORBIDDEN, &h));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("1800000000"));
        assert!(rate_limited(StatusCode::FORBIDDEN, &h));
        let e = rate_limit_error("GitHub", &h);
        assert!(e.is_retryable() && e.message.contains("UTC"), "{}", e.message);
    }
}
