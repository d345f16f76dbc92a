//! The report itself: dial, verdict, summary, tags, flags, every check grouped, sharing.
//! Everything from the scan is rendered as text (escaped by Leptos), never as markup.

use leptos::prelude::*;

use crate::{
    components::live::{CopyField, LiveProgress, Outcome},
    reports::{verdict_class, Check, Flag, Report, ReportResult},
    status::ScanStatus,
};

#[component]
pub fn ReportBody(report: Report) -> impl IntoView {
    let status = report.status;
    let state = match (&report.result, status) {
        (Some(r), _) => view! { <Completed result=r.clone()/> }.into_any(),
        (None, ScanStatus::Failed) => {
            let error = report.error.clone().unwrap_or_else(|| "The scan failed.".into());
            view! {
                <section class="panel report-failed" data-testid="report-failed">
                    <h2>"The scan failed"</h2>
                    <p>{error}</p>
                    <p class="muted">"Nothing is cached for a failed scan: scanning the repository again starts afresh."</p>
                </section>
            }
            .into_any()
        }
        (None, _) => {
            let on_done = Callback::new(|_outcome: Outcome| {
                // The server renders the finished report (or failure) in full.
                #[cfg(feature = "hydrate")]
                crate::browser::reload();
            });
            view! {
                <section class="panel report-running" data-testid="report-running">
                    <h2>"Scanning…"</h2>
                    <LiveProgress stream_path=report.stream_path() percent=report.progress queued={status == ScanStatus::Queued} on_done=on_done/>
                    <p class="muted">"This page shows the report as soon as the scan finishes."</p>
                </section>
            }
            .into_any()
        }
    };
    view! {
        <article class="report" data-testid="report">
            <header class="report-head">
                <p class="eyebrow">"Trust report"</p>
                <h1 data-testid="report-target">{report.target.clone()}</h1>
                <p class="muted">
                    {match report.kind.as_str() {
                        "x_profile" => "X profile scan",
                        "compare" => "Repository comparison",
                        _ => "Repository scan",
                    }}
                </p>
            </header>
            {state}
            <Share report=report.clone()/>
        </article>
    }
}

fn verdict_meaning(verdict: &str) -> &'static str {
    match verdict {
        "SAFU" => "No significant risks found.",
        "DYOR" => "Do your own research: some signals need a closer look.",
        "RISKY" => "Significant risks found.",
        "SCAM" => "Strong signs of a scam.",
        _ => "",
    }
}

/// A 0–100 ring: the arc's length is the score.
#[component]
fn Dial(score: u8, verdict: String) -> impl IntoView {
    // r = 52 → circumference ≈ 326.7
    let circumference = 2.0 * std::f64::consts::PI * 52.0;
    let filled = circumference * f64::from(score.min(100)) / 100.0;
    view! {
        <div class=format!("dial {}", verdict_class(&verdict)) data-testid="score-dial">
            <svg viewBox="0 0 120 120" width="140" height="140" aria-hidden="true">
                <circle class="dial-track" cx="60" cy="60" r="52" fill="none" stroke-width="12"/>
                <circle
                    class="dial-arc" cx="60" cy="60" r="52" fill="none" stroke-width="12" stroke-linecap="round"
                    transform="rotate(-90 60 60)"
                    stroke-dasharray=format!("{filled:.1} {circumference:.1}")
                />
            </svg>
            <div class="dial-label">
                <span class="dial-score" data-testid="score">{score}</span>
                <span class="dial-of">"/100"</span>
            </div>
        </div>
    }
}

#[component]
fn Completed(result: ReportResult) -> impl IntoView {
    let ReportResult {
        score,
        grade,
        verdict,
        summary,
        tags,
        red_flags,
        green_flags,
        checks,
    } = result;
    view! {
        <section class="panel report-score">
            <Dial score=score verdict=verdict.clone()/>
            <div class="report-verdict">
                <p class="grade-line">
                    <span class="grade" data-testid="grade">"Grade " {grade}</span>
                    <span class=format!("pill {}", verdict_class(&verdict)) data-testid="verdict">{verdict.clone()}</span>
                </p>
                <p class="muted">{verdict_meaning(&verdict)}</p>
                <p class="summary" data-testid="summary">{summary}</p>
                <ul class="tags">
                    {tags.into_iter().map(|t| view! { <li class="tag">{t}</li> }).collect_view()}
                </ul>
            </div>
        </section>
        <div class="flag-columns">
            <Flags title="Red flags" flags=red_flags red=true/>
            <Flags title="Green flags" flags=green_flags red=false/>
        </div>
        <Checks checks=checks/>
    }
}

#[component]
fn Flags(title: &'static str, flags: Vec<Flag>, red: bool) -> impl IntoView {
    let mut flags = flags;
    if red {
        flags.sort_by_key(|f| std::cmp::Reverse(crate::reports::severity_rank(&f.severity)));
    }
    let empty = flags.is_empty();
    view! {
        <section class=if red { "panel flags red" } else { "panel flags green" } data-testid=if red { "red-flags" } else { "green-flags" }>
            <h2>{title} " (" {flags.len()} ")"</h2>
            <Show when=move || empty>
                <p class="muted">{if red { "None found." } else { "None." }}</p>
            </Show>
            <ul>
                {flags
                    .into_iter()
                    .map(|f| {
                        view! {
                            <li class="flag">
                                <span class=format!("sev sev-{}", sev_class(&f.severity))>{f.severity.clone()}</span>
                                <strong>{f.title}</strong>
                                <p>{f.detail}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

fn sev_class(s: &str) -> &'static str {
    match s {
        "critical" => "critical",
        "high" => "high",
        "medium" => "medium",
        "low" => "low",
        _ => "info",
    }
}

/// Checks grouped by what they look at; each group shows its share of the score.
fn group_of(c: &Check) -> usize {
    if c.id.starts_with("scam.") {
        1
    } else if c.id == "secrets" || c.id.starts_with("secrets.") {
        2
    } else {
        0
    }
}

const GROUPS: [&str; 3] = ["Trust signals", "Scam patterns", "Leaked secrets"];

#[component]
fn Checks(checks: Vec<Check>) -> impl IntoView {
    let mut groups: [Vec<Check>; 3] = Default::default();
    for c in checks {
        groups[group_of(&c)].push(c);
    }
    view! {
        <section class="panel checks" data-testid="checks">
            <h2>"Every check"</h2>
            <p class="muted">"The score is the sum of these points, clamped to 0–100."</p>
            {groups
                .into_iter()
                .enumerate()
                .filter(|(_, g)| !g.is_empty())
                .map(|(i, g)| {
                    let total: i32 = g.iter().map(|c| c.points).sum();
                    view! {
                        <h3>{GROUPS[i]} <span class="muted">" (" {points(total)} ")"</span></h3>
                        <table>
                            <thead><tr><th>"Check"</th><th>"Status"</th><th class="num">"Points"</th><th>"Detail"</th></tr></thead>
                            <tbody>
                                {g.into_iter()
                                    .map(|c| view! {
                                        <tr class=format!("check st-{}", status_class(&c.status))>
                                            <td>{c.name}</td>
                                            <td><span class="status">{c.status.clone()}</span></td>
                                            <td class="num">{points(c.points)}</td>
                                            <td>{c.detail}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })
                .collect_view()}
            <details class="how-scored">
                <summary>"How is this scored?"</summary>
                <p>
                    "Each check adds or removes points and every point of the score belongs to exactly one check. "
                    "Grade: A ≥ 90, B ≥ 70, C ≥ 50, D ≥ 30, else F. Verdict: SCAM when any scam pattern is critical or the score is below 20; "
                    "RISKY below 50; DYOR below 80; otherwise SAFU. "
                    <a href="/docs">"See the API documentation"</a>" for the full table of checks."
                </p>
            </details>
        </section>
    }
}

fn points(p: i32) -> String {
    if p > 0 {
        format!("+{p}")
    } else if p < 0 {
        format!("−{}", -p)
    } else {
        "0".into()
    }
}

fn status_class(s: &str) -> &'static str {
    match s {
        "pass" => "pass",
        "warn" => "warn",
        "fail" => "fail",
        _ => "info",
    }
}

#[component]
fn Share(report: Report) -> impl IntoView {
    let markdown = report.badge_markdown();
    view! {
        <section class="panel share" data-testid="share">
            <h2>"Share"</h2>
            <CopyField label="Link to this report" text=report.report_url.clone() testid="share-link"/>
            {markdown.map(|m| view! { <CopyField label="Badge for your README (Markdown)" text=m testid="badge-markdown"/> })}
        </section>
    }
}
