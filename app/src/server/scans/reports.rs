//! Builds the public pages' view of a scan ([`crate::reports::Report`]) from its record.

use crate::reports::{Report, ReportResult};
use crate::server::{
    config::Config,
    error::{ServiceError, ServiceResult},
    scans::{self, Scan},
    state::AppState,
};
use crate::status::ScanStatus;

/// The stored result, read leniently into the page's shape (the same JSON as the contract's
/// `result`), so a page renders whatever the engine version that wrote it.
pub fn result_of(s: &Scan) -> Option<ReportResult> {
    s.result.as_deref().and_then(|r| serde_json::from_str(r).ok())
}

/// Whether a normalised repository target is a GitHub `owner/repo` (other hosts keep their
/// host in the target).
pub fn is_github_repo(t: &str) -> bool {
    t.split('/').count() == 2
        && t.split('/').all(|p| !p.is_empty())
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
}

/// `owner/repo` when the target is a GitHub repository (the only kind with a badge URL).
pub fn github_repo(s: &Scan) -> Option<&str> {
    let t = s.target.as_str();
    (s.kind == "repo" && is_github_repo(t)).then_some(t)
}

pub fn card_url(config: &Config, id: &str) -> String {
    format!("{}/report/{id}/card.png", config.public_url)
}

pub fn badge_url(config: &Config, repo: &str) -> String {
    format!("{}/badge/{repo}.svg", config.public_url)
}

/// `/report/github/{owner}/{repo}`: the stable link to a repository's latest report.
pub fn latest_report_url(config: &Config, repo: &str) -> String {
    format!("{}/report/github/{repo}", config.public_url)
}

pub fn oembed_url(config: &Config, id: &str) -> String {
    let report = scans::report_url(config, id);
    format!(
        "{}/oembed?url={}&format=json",
        config.public_url,
        url::form_urlencoded::byte_serialize(report.as_bytes()).collect::<String>()
    )
}

pub fn report(config: &Config, s: &Scan) -> Report {
    Report {
        scan_id: s.id.clone(),
        kind: s.kind.clone(),
        target: s.target.clone(),
        status: s.status,
        progress: s.progress.clamp(0, 100) as u8,
        report_url: scans::report_url(config, &s.id),
        error: s.error.clone(),
        result: if s.status == ScanStatus::Completed {
            result_of(s)
        } else {
            None
        },
        card_url: card_url(config, &s.id),
        badge_url: github_repo(s).map(|r| badge_url(config, r)),
        latest_url: github_repo(s).map(|r| latest_report_url(config, r)),
        oembed_url: oembed_url(config, &s.id),
    }
}

/// The report of a scan; `None` for an unknown (or malformed) id.
pub async fn load(state: &AppState, id: &str) -> ServiceResult<Option<Report>> {
    match scans::get(&state.db, id).await {
        Ok(s) => Ok(Some(report(&state.config, &s))),
        Err(ServiceError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The latest completed report of a GitHub repository, whatever its age; `None` when it was
/// never scanned to completion or `owner/repo` is not a repository name.
pub async fn load_latest(state: &AppState, owner: &str, repo: &str) -> ServiceResult<Option<Report>> {
    let Ok(p) = scans::prepare_repo(&format!("{owner}/{repo}"), false) else {
        return Ok(None);
    };
    // A GitHub repository only: the stable link never names another git host.
    if !is_github_repo(&p.target) {
        return Ok(None);
    }
    let latest = scans::latest_completed(&state.db, "repo", &p.target).await?;
    Ok(latest.map(|s| report(&state.config, &s)))
}
