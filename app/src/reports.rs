//! What the public pages (report, embed widget) show of a scan, and the server functions that
//! load it. The types are isomorphic: rendered on the server, serialised into the page, and
//! read back by the hydrated widget. Their field names follow the contract's scan object, so
//! the browser can also refresh them from `GET /v1/scan/{id}`.

use serde::{Deserialize, Serialize};

use crate::status::ScanStatus;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    #[serde(default)]
    pub id: String,
    pub severity: String,
    pub title: String,
    #[serde(default)]
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub id: String,
    pub name: String,
    pub status: String,
    pub points: i32,
    #[serde(default)]
    pub detail: String,
}

/// The contract's `result` object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportResult {
    pub score: u8,
    pub grade: String,
    pub verdict: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub red_flags: Vec<Flag>,
    #[serde(default)]
    pub green_flags: Vec<Flag>,
    #[serde(default)]
    pub checks: Vec<Check>,
}

impl ReportResult {
    /// Red flags by severity (worst first), then green flags: what a glance should show.
    pub fn top_flags(&self, n: usize) -> Vec<(bool, Flag)> {
        let mut red: Vec<&Flag> = self.red_flags.iter().collect();
        red.sort_by_key(|f| std::cmp::Reverse(severity_rank(&f.severity)));
        red.into_iter()
            .map(|f| (true, f.clone()))
            .chain(self.green_flags.iter().map(|f| (false, f.clone())))
            .take(n)
            .collect()
    }
}

/// Text helpers shared with the embed widget, defined once in its crate.
pub use aura_widget::text::{severity_rank, truncate, verdict_class};

/// A scan as the public pages show it (a subset of the contract's scan object plus the
/// absolute URLs the page needs for sharing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scan_id: String,
    pub kind: String,
    pub target: String,
    /// The contract's spelling (`queued`…), so the scan object from `GET /v1/scan/{id}` reads
    /// into it too.
    pub status: ScanStatus,
    pub progress: u8,
    pub report_url: String,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub result: Option<ReportResult>,
    /// Absolute URL of the 1200×630 PNG card.
    #[serde(default)]
    pub card_url: String,
    /// Absolute URL of the repository's badge (GitHub repositories only).
    #[serde(default)]
    pub badge_url: Option<String>,
    /// Absolute URL of the repository's latest report, `/report/github/{owner}/{repo}`
    /// (GitHub repositories only): the link that stays right after a re-scan.
    #[serde(default)]
    pub latest_url: Option<String>,
    #[serde(default)]
    pub oembed_url: String,
}

impl Report {
    pub fn is_finished(&self) -> bool {
        self.status.is_finished()
    }

    /// Relative, so the browser opens the stream on the origin that served the page.
    pub fn stream_path(&self) -> String {
        format!("/v1/scan/{}/stream", self.scan_id)
    }

    /// `AuraSecurity: {target} — {score}/100 {verdict}` (the contract's `og:title`).
    pub fn share_title(&self) -> String {
        match (&self.result, self.status) {
            (Some(r), _) => format!("AuraSecurity: {} — {}/100 {}", self.target, r.score, r.verdict),
            (None, ScanStatus::Failed) => format!("AuraSecurity: {} — scan failed", self.target),
            (None, _) => format!("AuraSecurity: {} — scan in progress", self.target),
        }
    }

    pub fn share_description(&self) -> String {
        match &self.result {
            Some(r) if !r.summary.trim().is_empty() => truncate(&r.summary, 280),
            Some(r) => format!("Trust score {}/100, grade {}, verdict {}.", r.score, r.grade, r.verdict),
            None if self.status == ScanStatus::Failed => "The scan of this repository failed.".into(),
            None => "AuraSecurity is scanning this repository; the report updates live.".into(),
        }
    }

    /// README markdown: the badge, linking to the repository's latest report (not to this
    /// scan, which a re-scan would make stale).
    pub fn badge_markdown(&self) -> Option<String> {
        match (&self.badge_url, &self.latest_url) {
            (Some(badge), Some(latest)) => Some(badge_markdown(badge, latest)),
            _ => None,
        }
    }
}

/// The one shape of the README badge snippet: absolute URLs only, since it is pasted on GitHub.
pub fn badge_markdown(badge_url: &str, latest_report_url: &str) -> String {
    format!("[![AuraSecurity]({badge_url})]({latest_report_url})")
}

/// What the embed widget shows: a scan, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Embed {
    pub report: Option<Report>,
    /// A message for the visitor when there is no scan (invalid name, rate limited…).
    pub problem: Option<String>,
    /// The HTTP status the widget page answers with: 200, or the problem's status (404 for
    /// an unknown scan id, 429 when rate limited…), so monitors and crawlers see it too.
    pub status: u16,
    /// `dark` or `light`.
    pub theme: String,
}
