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

use crate::reports::Embed;
use crate::server::{
    accounts::embed_settings::{self, Theme},
    accounts::usage::UsageEvent,
    accounts::{self, Account},
    error::{ServiceError, ServiceResult},
    limiter::{account_day_key, address_rule, Rule, Window},
    scans::reports,
    scans::{self, Reused, Scan, Submitter},
    state::AppState,
};

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
    let Some(slug) = slug.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    Ok(accounts::find_by_slug(&state.db, slug)
        .await?
        .filter(|a| !accounts::is_suspended(a)))
}

/// An origin fit for a CSP source list, by the same rules the settings were written with.
/// Checked again here because the value goes into a header: a stored `;` or space must
/// never add a directive or a source, whatever wrote the row.
pub fn clean_origin(raw: &str) -> Option<String> {
    embed_settings::normalize_origin(raw).ok()
}

/// The `frame-ancestors` sources: exactly the partner's registered origins, or `'self'`
/// alone when the partner is unknown or has registered none.
pub fn frame_ancestors(partner: Option<&Account>) -> String {
    let origins: Vec<String> = partner
        .map(accounts::allowed_domains)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| clean_origin(d))
        .collect();
    if origins.is_empty() {
        "'self'".to_string()
    } else {
        origins.join(" ")
    }
}

fn theme_of(asked: Option<&str>, partner: Option<&Account>) -> String {
    asked
        .and_then(Theme::parse)
        .or_else(|| partner.and_then(|p| Theme::parse(&p.embed_theme)))
        .unwrap_or(Theme::Dark)
        .as_str()
        .to_string()
}

fn meter(
    state: &AppState,
    partner: Option<&Account>,
    route: &str,
    status: u16,
    target: &str,
    is_scan: bool,
    started: Instant,
) {
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
    let rule = Rule {
        key,
        limit,
        window: Window::Sliding(window),
    };
    take(state, rule).await
}

async fn take(state: &AppState, rule: Rule) -> ServiceResult<()> {
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

fn problem(status: u16, message: &str, theme: String) -> Embed {
    Embed {
        report: None,
        problem: Some(message.to_string()),
        status,
        theme,
    }
}

fn showing(state: &AppState, scan: &Scan, theme: String) -> Embed {
    Embed {
        report: Some(reports::report(&state.config, scan)),
        problem: None,
        status: 200,
        theme,
    }
}

pub async fn load(state: &AppState, req: EmbedRequest) -> ServiceResult<Embed> {
    let started = Instant::now();
    let partner = partner(state, req.partner.as_deref()).await?;
    let theme = theme_of(req.theme.as_deref(), partner.as_ref());

    if let Some(id) = req.id.as_deref() {
        return match scans::get(&state.db, id).await {
            Ok(s) => {
                meter(
                    state,
                    partner.as_ref(),
                    "/embed/result/{id}",
                    200,
                    &s.target,
                    false,
                    started,
                );
                Ok(showing(state, &s, theme))
            }
            Err(ServiceError::NotFound(_)) => Ok(problem(404, "There is no scan with this id.", theme)),
            Err(e) => Err(e),
        };
    }

    let Some(repo) = req.repo.as_deref() else {
        return Ok(problem(400, "Name a repository to scan, e.g. ?repo=owner/name.", theme));
    };
    // The contract's `{owner}/{repo}` of GitHub only: a page anyone can frame must not make us
    // clone from any host it names.
    let p = match scans::prepare_repo(repo, state.config.allow_private_targets) {
        Ok(p) if scans::reports::is_github_repo(&p.target) => p,
        _ => return Ok(problem(422, "Name a GitHub repository as owner/name.", theme)),
    };
    let route = "/embed/scan";
    let target = p.target.clone();
    // A fresh result or a scan already running is reused, whoever started it. Starting one
    // costs a partner's quota, so it needs a known partner, within its limits.
    let (known, theme_ref, ip, target_ref) = (partner.as_ref(), &theme, req.ip.as_deref(), target.as_str());
    let admit = move || async move {
        let Some(partner) = known else {
            return Ok(Err(problem(
                403,
                "This widget is not registered to an AuraSecurity partner.",
                theme_ref.clone(),
            )));
        };
        let refused = |e: ServiceError| match e {
            ServiceError::TooMany { .. } => Ok(Err(problem(
                429,
                "Too many new scans right now; please try again in a minute.",
                theme_ref.clone(),
            ))),
            other => Err(other),
        };
        if let Some(per_minute) = accounts::tier(partner).limits().per_minute {
            if let Err(e) = limit(
                state,
                format!("embed:partner:{}", partner.id),
                per_minute,
                Duration::from_secs(60),
            )
            .await
            {
                meter(state, Some(partner), route, 429, target_ref, true, started);
                return refused(e);
            }
        }
        // Per visitor: the address rule of every per-address limit (IPv6 per /64), so one
        // visitor cannot rotate through its own addresses; an internal partner too.
        if let Some(ip) = ip {
            let rule = address_rule("embed", ip, PER_ADDRESS, ADDRESS_WINDOW);
            if let Err(e) = take(state, rule).await {
                meter(state, Some(partner), route, 429, target_ref, true, started);
                return refused(e);
            }
        }
        // The partner pays: its account's daily quota (the one its API keys share) and,
        // below in `submit`, its concurrent-scan cap.
        let limits = accounts::tier(partner).limits();
        if let Some(per_day) = limits.per_day {
            let rule = Rule {
                key: account_day_key(&partner.id),
                limit: per_day,
                window: Window::UtcDay,
            };
            if let Err(e) = take(state, rule).await {
                meter(state, Some(partner), route, 429, target_ref, true, started);
                return refused(e);
            }
        }
        Ok(Ok(Submitter {
            account_id: Some(partner.id.clone()),
            key_id: None,
            concurrent_limit: limits.concurrent_scans,
        }))
    };
    let found = match scans::find_or_start(state, p, admit).await {
        // The partner's concurrent-scan cap: the widget's busy state, not an error page.
        Err(ServiceError::TooMany { .. }) => {
            meter(state, partner.as_ref(), route, 429, &target, true, started);
            return Ok(problem(
                429,
                "Too many scans in progress right now; please try again in a minute.",
                theme,
            ));
        }
        other => other?,
    };
    Ok(match found {
        Reused::Fresh(s) | Reused::Running(s) => {
            meter(state, partner.as_ref(), route, 200, &target, true, started);
            showing(state, &s, theme)
        }
        Reused::Started(s) => {
            meter(state, partner.as_ref(), route, 202, &target, true, started);
            showing(state, &s, theme)
        }
        Reused::Refused(answer) => answer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_before_they_reach_the_header() {
        assert_eq!(
            clean_origin("https://Terminal.example/").as_deref(),
            Some("https://terminal.example")
        );
        assert_eq!(
            clean_origin("http://localhost:5173").as_deref(),
            Some("http://localhost:5173")
        );
        for bad in [
            "https://a.example; script-src *",
            "https://a.example https://b.example",
            "javascript:x",
            "*",
            "'self'",
            "https://",
            "https://a.example:80x",
            "https://a.example/path",
        ] {
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
