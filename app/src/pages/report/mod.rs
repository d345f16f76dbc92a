//! `/report/{id}` (and `/v1/report/{id}`): the shareable report of one scan. Rendered in
//! full on the server (the route uses `SsrMode::Async`, so the OpenGraph tags and the 404
//! status are known before the first byte goes out), readable without JavaScript; once
//! hydrated, an unfinished scan shows live progress and reloads into its report.

mod body;
mod meta;

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use body::ReportBody;
use meta::ReportMeta;

use crate::{components::layout::Page, reports::Report};

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let report = Resource::new(move || params.read().get("id").unwrap_or_default(), load_report);
    view! {
        <Suspense fallback=|| view! { <Page><p>"Loading the report…"</p></Page> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(Some(r)) => view! {
                        <ReportMeta report=r.clone()/>
                        <Page><ReportBody report=r/></Page>
                    }
                    .into_any(),
                    Ok(None) => view! { <NoSuchReport/> }.into_any(),
                    Err(_) => view! { <ReportUnavailable/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/report/github/{owner}/{repo}`: the repository's latest completed report, the link badges
/// and shares use so they stay right after a re-scan. Its canonical URL is the scan's own
/// report; a repository never scanned gets the 404 page with a way to scan it.
#[component]
pub fn LatestReportPage() -> impl IntoView {
    let params = use_params_map();
    let repo = move || params.with(|p| (p.get("owner").unwrap_or_default(), p.get("repo").unwrap_or_default()));
    let report = Resource::new(repo, |(owner, repo)| load_latest_report(owner, repo));
    view! {
        <Suspense fallback=|| view! { <Page><p>"Loading the report…"</p></Page> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(Some(r)) => view! {
                        <ReportMeta report=r.clone()/>
                        <Page><ReportBody report=r/></Page>
                    }
                    .into_any(),
                    Ok(None) => {
                        let (owner, name) = repo();
                        view! { <NotScannedYet repo=format!("{owner}/{name}")/> }.into_any()
                    }
                    Err(_) => view! { <ReportUnavailable/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotScannedYet(repo: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let scan = format!("/?repo={}#scan", url_escape(&repo));
    view! {
        <Title text="No report yet"/>
        <Meta name="robots" content="noindex"/>
        <Page>
            <section class="panel narrow">
                <h1>"No report yet"</h1>
                <p>"AuraSecurity has no completed scan of " <code>{repo}</code> "."</p>
                <p><a class="button primary" href=scan data-testid="offer-scan">"Scan it now"</a></p>
            </section>
        </Page>
    }
}

/// Query-string escaping for a repository name in a link (the name is the visitor's input).
fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn NoSuchReport() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Report not found"/>
        <Page>
            <section class="panel narrow">
                <h1>"Report not found"</h1>
                <p>"There is no scan with this id. Report links are exact: check that the whole link was copied."</p>
                <p><a class="button" href="/">"Go home"</a></p>
            </section>
        </Page>
    }
}

#[component]
fn ReportUnavailable() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
    view! {
        <Title text="Report unavailable"/>
        <Page>
            <section class="panel narrow">
                <h1>"Report unavailable"</h1>
                <p>"The report cannot be loaded right now; please retry in a moment."</p>
            </section>
        </Page>
    }
}

/// The report of one scan; `None` when no scan has this id.
#[server(endpoint = "report")]
pub async fn load_report(id: String) -> Result<Option<Report>, ServerFnError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::server::scans::reports::load(&state, &id)
        .await
        .map_err(|e| ServerFnError::new(e.public_message()))
}

/// The latest completed report of a GitHub repository; `None` when it has none.
#[server(endpoint = "report/latest")]
pub async fn load_latest_report(owner: String, repo: String) -> Result<Option<Report>, ServerFnError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::server::scans::reports::load_latest(&state, &owner, &repo)
        .await
        .map_err(|e| ServerFnError::new(e.public_message()))
}
