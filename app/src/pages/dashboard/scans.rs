//! The dashboard's scan box: "Scan a repository", a live progress bar fed by the scan's event
//! stream once the page is hydrated, then its score, grade and verdict with a link to the
//! report; plus the account's recent scans. Without JavaScript the form post queues the scan
//! and the page shows it (status and report link) after the redirect.

use leptos::{form::ActionForm, prelude::*};
use serde::{Deserialize, Serialize};

use crate::components::list::{data_table, Loaded};
use crate::{
    components::forms::error_text,
    components::live::{LiveProgress, Outcome},
    status::ScanStatus,
};

/// Session key of a scan queued by a form post without JavaScript.
pub const FLASH_QUEUED_SCAN: &str = "queued_scan";

/// How many recent scans the list shows.
pub const RECENT: u64 = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRow {
    pub id: String,
    pub target: String,
    pub status: ScanStatus,
    pub progress: u8,
    pub score: Option<u8>,
    pub grade: Option<String>,
    pub verdict: Option<String>,
    pub error: Option<String>,
    pub created: String,
}

impl ScanRow {
    /// Relative, so it works behind any public URL.
    pub fn report_path(&self) -> String {
        format!("/report/{}", self.id)
    }
    pub fn finished(&self) -> bool {
        self.status.is_finished()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScansPage {
    pub recent: Vec<ScanRow>,
    /// A scan queued by a form post without JavaScript, shown once after its redirect.
    pub queued: Option<ScanRow>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::server::scans::{self, Scan};

    impl From<&Scan> for ScanRow {
        fn from(s: &Scan) -> Self {
            // Read through JSON: only these three fields matter here.
            let result = scans::result_of(s).and_then(|r| serde_json::to_value(r).ok());
            let field = |k: &str| {
                result
                    .as_ref()
                    .and_then(|r| r.get(k))
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            ScanRow {
                id: s.id.clone(),
                target: s.target.clone(),
                status: s.status,
                progress: s.progress.clamp(0, 100) as u8,
                score: result
                    .as_ref()
                    .and_then(|r| r.get("score"))
                    .and_then(|v| v.as_u64())
                    .map(|v| v.min(100) as u8),
                grade: field("grade"),
                verdict: field("verdict"),
                error: s.error.clone(),
                created: s.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            }
        }
    }
}

#[server(endpoint = "scans/overview")]
pub async fn scans_overview() -> Result<ScansPage, ServerFnError> {
    use crate::server::{scans, web};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let recent = scans::recent_for_account(&state.db, &account.id, RECENT)
        .await
        .map_err(web::service_error)?;
    let queued = web::flash_take::<ScanRow>(FLASH_QUEUED_SCAN).await?;
    Ok(ScansPage {
        recent: recent.iter().map(ScanRow::from).collect(),
        queued,
    })
}

/// Queues (or reuses a fresh) scan of `repo` for the logged-in account, within its tier's
/// limits like an API call ([`scans::dashboard`](crate::server::scans::dashboard)).
#[server(endpoint = "scans/start")]
pub async fn start_scan(repo: String) -> Result<ScanRow, ServerFnError> {
    use crate::server::{scans, web};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let scan = scans::dashboard::start(&state, &account, &repo)
        .await
        .map_err(web::service_error)?;
    let row = ScanRow::from(&scan);
    if web::is_plain_form_post() {
        web::flash_set(FLASH_QUEUED_SCAN, &row).await?;
    }
    Ok(row)
}

/// One of the account's own scans (the summary after its stream ends). Another account's
/// scan is 404, like one that does not exist.
#[server(endpoint = "scans/get")]
pub async fn get_scan(id: String) -> Result<ScanRow, ServerFnError> {
    use crate::server::{error::ServiceError, scans, web};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let scan = scans::get(&state.db, &id).await.map_err(web::service_error)?;
    if scan.account_id.as_deref() != Some(account.id.as_str()) {
        return Err(web::service_error(ServiceError::NotFound(
            "No scan with this id.".into(),
        )));
    }
    Ok(ScanRow::from(&scan))
}

#[component]
pub fn ScansSection() -> impl IntoView {
    let start = ServerAction::<StartScan>::new();
    let overview = Resource::new(move || start.version().get(), |_| scans_overview());
    let error = move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert" data-testid="scan-error">{error_text(&e)}</p> })
    };
    view! {
        <section class="panel" id="scans" aria-labelledby="scans-title">
            <h2 id="scans-title">"Scan a repository"</h2>
            <ActionForm action=start>
                <div class="inline-form">
                    <label for="scan-repo">"Repository (owner/repo or URL)"</label>
                    <input id="scan-repo" type="text" name="repo" required maxlength="300" placeholder="e.g. coral-xyz/anchor" autocomplete="off"/>
                    <button type="submit" class="button primary" data-testid="start-scan">"Scan"</button>
                </div>
            </ActionForm>
            {error}
            // The scan just started here (hydrated), watched live.
            {move || start.value().get().and_then(Result::ok).map(|row| view! { <LiveScan row=row/> })}
            <Loaded data=overview loading="Loading scans…" render={|page: ScansPage| {
                view! {
                            {page.queued.map(|row| view! { <LiveScan row=row/> })}
                            <RecentScans rows=page.recent/>
                        }
                        .into_any()
            }}/>
        </section>
    }
}

/// A scan's progress bar and, once finished, its outcome. Hydrated, the shared
/// [`LiveProgress`] follows the scan's event stream (same origin, as the CSP's
/// `connect-src 'self'` requires) and at the outcome the row is read again for the score;
/// rendered on the server it shows the state at that moment.
#[component]
fn LiveScan(row: ScanRow) -> impl IntoView {
    let state = RwSignal::new(row.clone());
    let id = row.id.clone();
    let on_done = move |_: Outcome| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = get_scan(id).await {
                state.set(fresh);
            }
        });
    };
    let progress = (!row.finished()).then(|| {
        view! {
            <LiveProgress stream_path=format!("/v1/scan/{}/stream", row.id) percent=row.progress queued={row.status == ScanStatus::Queued} on_done=on_done/>
        }
        .into_any()
    });
    let report = row.report_path();
    view! {
        <div class="live-scan" data-testid="live-scan" data-scan-id=row.id.clone() role="status" aria-live="polite">
            <p>
                <strong>{row.target.clone()}</strong>" · "
                <span data-testid="live-scan-status">{move || state.with(|s| s.status.as_str())}</span>
            </p>
            <div hidden=move || state.with(ScanRow::finished)>{progress}</div>
            {move || state.with(outcome)}
            <p><a href=report data-testid="live-scan-report">"Open the report"</a></p>
        </div>
    }
}

fn outcome(s: &ScanRow) -> Option<AnyView> {
    match s.status {
        ScanStatus::Completed => Some(
            view! {
                <p class="scan-outcome" data-testid="scan-outcome">
                    <strong>{s.score.map(|v| format!("{v}/100")).unwrap_or_default()}</strong>
                    " · grade " {s.grade.clone().unwrap_or_default()}
                    " · " <span class="verdict">{s.verdict.clone().unwrap_or_default()}</span>
                </p>
            }
            .into_any(),
        ),
        ScanStatus::Failed => Some(view! { <p class="error" data-testid="scan-outcome">"Scan failed: " {s.error.clone().unwrap_or_default()}</p> }.into_any()),
        _ => None,
    }
}

#[component]
fn RecentScans(rows: Vec<ScanRow>) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|r| {
            let class = match r.status {
                ScanStatus::Completed => "status ok",
                ScanStatus::Failed => "status off",
                _ => "status warn",
            };
            let score = match (r.score, &r.verdict) {
                (Some(s), Some(v)) => format!("{s}/100 {v}"),
                (Some(s), None) => format!("{s}/100"),
                _ => "—".into(),
            };
            let report = r.report_path();
            view! {
                <tr data-testid="scan-row" data-scan-id=r.id.clone()>
                    <td>{r.target}</td>
                    <td><span class=class>{r.status.as_str()}</span></td>
                    <td>{score}</td>
                    <td>{r.created}</td>
                    <td><a href=report>"Report"</a></td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <h3>"Recent scans"</h3>
        {data_table("scans", &["Target", "Status", "Score", "Started", ""], "No scans yet.", rows)}
    }
    .into_any()
}
