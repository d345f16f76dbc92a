//! Admin: the audit log with filters (a GET form, so filtered views are plain links) and the
//! dead-letter queue of background jobs with a re-run button.

use leptos::{form::ActionForm, prelude::*};
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::{
    forms::error_text,
    list::{data_table, Loaded},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub ip: Option<String>,
    pub details: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub ref_id: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub updated: String,
}

/// Empty filters match everything.
#[server(endpoint = "admin/audit")]
pub async fn admin_audit(
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
) -> Result<Vec<AuditRow>, ServerFnError> {
    use crate::server::{audit, error::ServiceError, web};
    super::gate().await?;
    let state = web::app_state()?;
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let q = audit::AuditQuery {
        limit: Some(200),
        actor: clean(actor),
        action: clean(action),
        target: clean(target),
    };
    let rows = audit::list(&state.db, q)
        .await
        .map_err(|e| web::service_error(ServiceError::from(e)))?;
    Ok(rows
        .into_iter()
        .map(|r| AuditRow {
            id: r.id,
            at: r.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            actor: r.actor,
            action: r.action,
            target: r.target,
            ip: r.ip,
            details: r.details,
        })
        .collect())
}

#[server(endpoint = "admin/jobs/dead")]
pub async fn dead_jobs() -> Result<Vec<JobRow>, ServerFnError> {
    use crate::server::{error::ServiceError, jobs, web};
    super::gate().await?;
    let state = web::app_state()?;
    let rows = jobs::list(&state.db, jobs::JobStatus::Dead, 100)
        .await
        .map_err(|e| web::service_error(ServiceError::from(e)))?;
    Ok(rows
        .into_iter()
        .map(|j| JobRow {
            id: j.id,
            kind: j.kind.to_string(),
            ref_id: j.ref_id,
            attempts: j.attempts,
            last_error: j.last_error,
            updated: j.updated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}

#[server(endpoint = "admin/jobs/rerun")]
pub async fn rerun_job(id: i64) -> Result<(), ServerFnError> {
    use crate::server::{accounts::admin, audit, error::ServiceError, web};
    let me = super::gate().await?;
    let state = web::app_state()?;
    let job = admin::rerun_job(&state, id)
        .await
        .map_err(web::service_error)?
        .ok_or_else(|| web::service_error(ServiceError::NotFound("No dead or failed job with this id.".into())))?;
    audit::record(
        &state.db,
        &me.email,
        "job.rerun",
        &id.to_string(),
        &web::request_origin(),
        Some(serde_json::json!({"kind": job.kind, "ref_id": job.ref_id})),
    )
    .await;
    Ok(())
}

/// The dead-letter section's action and list, made by the page (see [`super::AdminPage`]).
#[derive(Clone, Copy)]
pub struct DeadJobsData {
    rerun: ServerAction<RerunJob>,
    jobs: Resource<Result<Option<Vec<JobRow>>, ServerFnError>>,
}

impl DeadJobsData {
    pub fn new(me: super::Me) -> Self {
        let rerun = ServerAction::<RerunJob>::new();
        let jobs = Resource::new(
            move || rerun.version().get(),
            move |_| super::for_admin(me, dead_jobs()),
        );
        Self { rerun, jobs }
    }
}

#[component]
pub fn DeadJobsSection(data: DeadJobsData) -> impl IntoView {
    let DeadJobsData { rerun, jobs } = data;
    view! {
        <section class="panel" id="dead-jobs" aria-labelledby="dead-jobs-title">
            <h2 id="dead-jobs-title">"Dead-lettered jobs"</h2>
            {move || rerun.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{error_text(&e)}</p> })}
            <Loaded data=jobs loading="Loading jobs…" render={move |rows: Option<Vec<JobRow>>| {
                let Some(rows) = rows else { return ().into_any() };
                let rows = rows
                    .into_iter()
                    .map(|j| view! {
                        <tr data-testid="dead-job">
                            <td>{j.id}</td>
                            <td>{j.kind}</td>
                            <td><code>{j.ref_id}</code></td>
                            <td>{j.attempts}</td>
                            <td>{j.last_error.unwrap_or_default()}</td>
                            <td>{j.updated}</td>
                            <td>
                                <ActionForm action=rerun>
                                    <input type="hidden" name="id" value=j.id.to_string()/>
                                    <button type="submit" class="button small">"Re-run"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    })
                    .collect();
                data_table(
                    "",
                    &["Job", "Kind", "Of", "Attempts", "Last error", "Updated", ""],
                    "None: every job finished or is still retrying.",
                    rows,
                )
            }}/>
        </section>
    }
}

/// The audit section's list, following the page's query string (see [`super::AdminPage`]).
#[derive(Clone, Copy)]
pub struct AuditData {
    rows: Resource<Result<Option<Vec<AuditRow>>, ServerFnError>>,
}

impl AuditData {
    pub fn new(me: super::Me) -> Self {
        let query = use_query_map();
        let get = move |k: &str| query.with(|q| q.get(k)).filter(|v| !v.is_empty());
        let rows = Resource::new(
            move || (get("actor"), get("action"), get("target")),
            move |(a, b, c)| super::for_admin(me, admin_audit(a, b, c)),
        );
        Self { rows }
    }
}

#[component]
pub fn AuditSection(data: AuditData) -> impl IntoView {
    let rows = data.rows;
    let query = use_query_map();
    let get = move |k: &str| query.with(|q| q.get(k)).filter(|v| !v.is_empty());
    view! {
        <section class="panel" id="audit" aria-labelledby="audit-title">
            <h2 id="audit-title">"Audit log"</h2>
            <form method="get" action="/admin" class="inline-form">
                <input type="text" name="actor" placeholder="actor (email)" aria-label="Actor" value=move || get("actor").unwrap_or_default()/>
                <input type="text" name="action" placeholder="action (e.g. partner.update)" aria-label="Action" value=move || get("action").unwrap_or_default()/>
                <input type="text" name="target" placeholder="target" aria-label="Target" value=move || get("target").unwrap_or_default()/>
                <button type="submit" class="button small">"Filter"</button>
            </form>
            <Loaded data=rows loading="Loading the log…" render={|rows: Option<Vec<AuditRow>>| {
                let Some(rows) = rows else { return ().into_any() };
                let rows = rows
                    .into_iter()
                    .map(|r| view! {
                        <tr data-testid="audit-row">
                            <td>{r.at}</td>
                            <td>{r.actor}</td>
                            <td><code>{r.action}</code></td>
                            <td>{r.target}</td>
                            <td>{r.ip.unwrap_or_default()}</td>
                            <td><code class="details">{r.details.unwrap_or_default()}</code></td>
                        </tr>
                    })
                    .collect();
                data_table("", &["Time", "Actor", "Action", "Target", "IP", "Details"], "No entries.", rows)
            }}/>
        </section>
    }
}
