//! The embeddable widget's server side: which partner it belongs to, who may frame it, and
//! starting or reusing the scan it shows.
//!
//! The widget carries no key (it runs in strangers' browsers), so the partner is named by its
//! public slug. Anyone can therefore *load* a partner's widget; what protects the partner is
//! that only its registered origins may frame it (`frame-ancestors`), that new scans are
//! limited per partner and per visitor address, and that cached or in-flight scans are
//! reused, which costs nothing.

use std::time::{Duration, Instant};

use chrono::Utc;

use super::{
    accounts::{self, Account},
    error::{ServiceError, ServiceResult},
    limiter::{Rule, Window},
    reports,
    scans::{self, Submitter},
    state::AppState,
    usage::UsageEvent,
};
use crate::reports::Embed;

/// Stands in for the key id in usage events of widget loads, which have no key.
pub const EMBED_KEY_ID: &str = "embed";

/// New scans one visitor address may start through widgets per window.
const PER_ADDRESS: u32 = 10;
const ADDRESS_WINDOW: Duration = Duration::from_secs(600);

pub struct EmbedRequest {
    pub repo: Option<String>,
    pub id: Option<String>,
    pub partner: Option<String>,
    pub theme: Option<String>,
    pub ip: Option<String>,
}

/// An active partner by slug; suspended or unknown partners are treated alike.
pub async fn partner(state: &AppState, slug: Option<&str>) -> ServiceResult<Option<Account>> {
    let Some(slug) = slug.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    Ok(accounts::find_by_slug(&state.db, slug).await?.filter(|a| !accounts::is_suspended(a)))
}

/// An origin fit for a CSP source list: `http(s)://host[:port]`, nothing else. Settings are
/// validated when written, but this value goes into a header, so it is checked again: a
/// stored `;` or space must never add a directive or a source.
pub fn clean_origin(raw: &str) -> Option<String> {
    let o = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !host.starts_with('.')
        && !host.ends_with('.');
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    (host_ok && port_ok).then_some(o)
}

/// The `frame-ancestors` sources: exactly the partner's registered origins, or `'self'`
/// alone when the partner is unknown or has registered none.
pub fn frame_ancestors(partner: Option<&Account>) -> String {
    let origins: Vec<String> =
        partner.map(accounts::allowed_domains).unwrap_or_default().iter().filter_map(|d| clean_origin(d)).collect();
    if origins.is_empty() {
        "'self'".to_string()
    } else {
        origins.join(" ")
    }
}

fn theme_of(asked: Option<&str>, partner: Option<&Account>) -> String {
    let valid = |t: &str| matches!(t, "dark" | "light");
    match asked.filter(|t| valid(t)) {
        Some(t) => t.to_string(),
        None => partner.map(|p| p.embed_theme.as_str()).filter(|t| valid(t)).unwrap_or("dark").to_string(),
    }
}

fn meter(state: &AppState, partner: Option<&Account>, route: &str, status: u16, target: &str, is_scan: bool, started: Instant) {
    if let Some(p) = partner {
        state.meter.record(UsageEvent {
            key_id: EMBED_KEY_ID.into(),
            account_id: p.id.clone(),
            route: route.into(),
            method: "GET".into(),
            status,
            latency_ms: started.elapsed().as_millis().min(u32::MAX as u128) as u32,
            target: Some(target.to_string()),
            is_scan,
            at: Utc::now(),
        });
    }
}

async fn limit(state: &AppState, key: String, limit: u32, window: Duration) -> ServiceResult<()> {
    let rule = Rule { key, limit, window: Window::Sliding(window) };
    match state.limiter.acquire(std::slice::from_ref(&rule)).await {
        Ok(d) if !d.allowed => Err(ServiceError::TooMany {
            code: "rate_limited",
            message: "Too many new scans from this widget right now; try again in a minute.".into(),
            retry_after_secs: d.states[0].reset_after.as_secs().max(1),
        }),
        // The limiter's store being down must not take the widget down with it.
        _ => Ok(()),
    }
}

fn problem(message: &str, theme: String) -> Embed {
    Embed { report: None, problem: Some(message.to_string()), theme }
}

pub async fn load(state: &AppState, req: EmbedRequest) -> ServiceResult<Embed> {
    let started = Instant::now();
    let partner = partner(state, req.partner.as_deref()).await?;
    let theme = theme_of(req.theme.as_deref(), partner.as_ref());

    if let Some(id) = req.id.as_deref() {
        return match scans::get(&state.db, id).await {
            Ok(s) => {
                meter(state, partner.as_ref(), "/embed/result/{id}", 200, &s.target, false, started);
                Ok(Embed { report: Some(reports::report(&state.config, &s)), problem: None, theme })
            }
            Err(ServiceError::NotFound(_)) => Ok(problem("There is no scan with this id.", theme)),
            Err(e) => Err(e),
        };
    }

    let Some(repo) = req.repo.as_deref() else {
        return Ok(problem("Name a repository to scan, e.g. ?repo=owner/name.", theme));
    };
    let Ok(p) = scans::prepare_repo(repo) else {
        return Ok(problem("That is not a repository AuraSecurity can scan.", theme));
    };
    let route = "/embed/scan";
    // A fresh result or a scan already running: reuse it, whoever started it.
    if let Some(s) = scans::find_cached(&state.db, "repo", &p.target, state.config.scan_cache_ttl).await? {
        meter(state, partner.as_ref(), route, 200, &p.target, true, started);
        return Ok(Embed { report: Some(reports::report(&state.config, &s)), problem: None, theme });
    }
    if let Some(s) = scans::find_in_flight(&state.db, "repo", &p.target).await? {
        meter(state, partner.as_ref(), route, 200, &p.target, true, started);
        return Ok(Embed { report: Some(reports::report(&state.config, &s)), problem: None, theme });
    }
    // Starting a scan costs a partner's quota, so it needs a known partner.
    let Some(partner) = partner else {
        return Ok(problem("This widget is not registered to an AuraSecurity partner.", theme));
    };
    let refused = |e: ServiceError| match e {
        ServiceError::TooMany { .. } => Ok(problem("Too many new scans right now; please try again in a minute.", theme.clone())),
        other => Err(other),
    };
    if let Some(per_minute) = accounts::tier(&partner).limits().per_minute {
        if let Err(e) = limit(state, format!("embed:partner:{}", partner.id), per_minute, Duration::from_secs(60)).await {
            meter(state, Some(&partner), route, 429, &p.target, true, started);
            return refused(e);
        }
    }
    if let Some(ip) = req.ip.as_deref() {
        if let Err(e) = limit(state, format!("ip:embed:{ip}"), PER_ADDRESS, ADDRESS_WINDOW).await {
            meter(state, Some(&partner), route, 429, &p.target, true, started);
            return refused(e);
        }
    }
    let target = p.target.clone();
    let who = Submitter { account_id: Some(partner.id.clone()), key_id: None, concurrent_limit: None };
    let scan = scans::submit(&state.db, p, who, None).await?;
    state.bus.notify_jobs().await;
    meter(state, Some(&partner), route, 202, &target, true, started);
    Ok(Embed { report: Some(reports::report(&state.config, &scan)), problem: None, theme })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_before_they_reach_the_header() {
        assert_eq!(clean_origin("https://Terminal.example/").as_deref(), Some("https://terminal.example"));
        assert_eq!(clean_origin("http://localhost:5173").as_deref(), Some("http://localhost:5173"));
        for bad in ["https://a.example; script-src *", "https://a.example https://b.example", "javascript:x", "*", "'self'", "https://", "https://a.example:80x", "https://a.example/path"] {
            assert_eq!(clean_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn themes_fall_back_to_dark() {
        assert_eq!(theme_of(Some("light"), None), "light");
        assert_eq!(theme_of(Some("neon"), None), "dark");
        assert_eq!(theme_of(None, None), "dark");
    }
}
