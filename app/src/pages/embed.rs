//! The embeddable widget: `/embed/scan?repo=&partner=&theme=&compact=` starts or reuses a
//! scan for the partner; `/embed/result/{id}` shows one scan. Live progress from the event
//! stream once hydrated, then score, verdict and the top three flags, and a link to the full
//! report. `compact=true` fits a 300×200 frame without scrolling.
//!
//! Who may frame these pages is decided by the server's framing layer (`frame-ancestors`
//! from the partner's registered origins), not here.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    components::live::{LiveProgress, Outcome},
    reports::{truncate, verdict_class, Embed, Report},
    status::ScanStatus,
};

fn flag(q: &leptos_router::params::ParamsMap, name: &str) -> Option<String> {
    q.get(name).filter(|v| !v.is_empty())
}

#[component]
pub fn EmbedScan() -> impl IntoView {
    let q = use_query_map();
    let data = Resource::new(
        move || q.with(|q| (flag(q, "repo"), flag(q, "partner"), flag(q, "theme"))),
        |(repo, partner, theme)| load_embed(repo, None, partner, theme),
    );
    view! { <EmbedFrame data=data/> }
}

#[component]
pub fn EmbedResult() -> impl IntoView {
    let q = use_query_map();
    let params = use_params_map();
    let data = Resource::new(
        move || {
            (
                params.with(|p| p.get("id")),
                q.with(|q| (flag(q, "partner"), flag(q, "theme"))),
            )
        },
        |(id, (partner, theme))| load_embed(None, Some(id.unwrap_or_default()), partner, theme),
    );
    view! { <EmbedFrame data=data/> }
}

#[component]
fn EmbedFrame(data: Resource<Result<Embed, ServerFnError>>) -> impl IntoView {
    let compact = use_query_map().with_untracked(|q| q.get("compact").as_deref() == Some("true"));
    view! {
        <Title text="Scan"/>
        <Suspense fallback=move || view! { <div class="embed" class:compact=compact><p>"Loading…"</p></div> }>
            {move || Suspend::new(async move {
                let embed = data.await.unwrap_or_else(|_| Embed {
                    report: None,
                    problem: Some("The scan service is unavailable; please retry.".into()),
                    status: 503,
                    theme: "dark".into(),
                });
                view! { <Widget embed=embed compact=compact/> }
            })}
        </Suspense>
    }
}

#[component]
fn Widget(embed: Embed, compact: bool) -> impl IntoView {
    let Embed {
        report,
        problem,
        status,
        theme,
    } = embed;
    #[cfg(feature = "ssr")]
    if status != 200 {
        if let (Some(resp), Ok(code)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::StatusCode::from_u16(status),
        ) {
            resp.set_status(code);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
    let report = RwSignal::new(report);
    let link = report.with_untracked(|r| r.as_ref().map(|r| r.report_url.clone()));
    let body = move || match (report.get(), problem.clone()) {
        (Some(r), _) => view! { <ScanState report=r sink=report/> }.into_any(),
        (None, Some(p)) => view! { <p class="embed-problem" data-testid="embed-problem">{p}</p> }.into_any(),
        (None, None) => view! { <p class="embed-problem">"Nothing to show."</p> }.into_any(),
    };
    view! {
        <div class="embed" class:compact=compact data-theme=theme data-testid="embed">
            <div class="embed-body">{body}</div>
            <footer class="embed-foot">
                {match link {
                    Some(href) => view! {
                        <a href=href target="_blank" rel="noopener" data-testid="powered-by">"Powered by AuraSecurity"</a>
                    }
                    .into_any(),
                    None => view! { <a href="/" target="_blank" rel="noopener" data-testid="powered-by">"Powered by AuraSecurity"</a> }.into_any(),
                }}
            </footer>
        </div>
    }
}

/// One scan's state. While it runs, the stream drives the bar; at the outcome the full scan
/// is fetched and written into `sink`, which re-renders this as the result.
#[component]
fn ScanState(report: Report, sink: RwSignal<Option<Report>>) -> impl IntoView {
    let target = truncate(&report.target, 60);
    let head = view! { <p class="embed-target" title=report.target.clone()>{target}</p> };
    let state = if let Some(r) = report.result.clone() {
        let flags = r.top_flags(3);
        view! {
            <div class="embed-score">
                <span class=format!("embed-num {}", verdict_class(&r.verdict)) data-testid="embed-score">{r.score}</span>
                <span class="embed-of">"/100"</span>
                <span class="embed-grade">{r.grade.clone()}</span>
                <span class=format!("pill {}", verdict_class(&r.verdict)) data-testid="embed-verdict">{r.verdict.clone()}</span>
            </div>
            <ul class="embed-flags" data-testid="embed-flags">
                {flags
                    .into_iter()
                    .map(|(red, f)| view! {
                        <li class=if red { "red" } else { "green" }>
                            <span aria-hidden="true">{if red { "▲ " } else { "✓ " }}</span>
                            {truncate(&f.title, 80)}
                        </li>
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    } else if report.status == ScanStatus::Failed {
        view! { <p class="embed-problem" data-testid="embed-failed">"Scan failed: " {report.error.clone().unwrap_or_default()}</p> }.into_any()
    } else {
        let current = report.clone();
        let on_done = Callback::new(move |outcome: Outcome| {
            let mut next = current.clone();
            match outcome {
                Outcome::Failed(e) => {
                    next.status = ScanStatus::Failed;
                    next.error = Some(e);
                    sink.set(Some(next));
                }
                Outcome::Completed => {
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(async move {
                        match crate::browser::fetch_report(&next.scan_id).await {
                            Some(mut fresh) => {
                                // The scan object has no page URLs; keep the ones we had.
                                fresh.report_url = next.report_url.clone();
                                fresh.card_url = next.card_url.clone();
                                fresh.badge_url = next.badge_url.clone();
                                fresh.oembed_url = next.oembed_url.clone();
                                sink.set(Some(fresh));
                            }
                            None => crate::browser::reload(),
                        }
                    });
                    #[cfg(not(feature = "hydrate"))]
                    let _ = next;
                }
            }
        });
        view! { <LiveProgress stream_path=report.stream_path() percent=report.progress status=report.status on_done=on_done/> }
            .into_any()
    };
    view! { {head} {state} }
}

/// The embed widget's scan: `repo` starts or reuses a scan for `partner`; `id` shows one.
#[server(endpoint = "embed")]
pub async fn load_embed(
    repo: Option<String>,
    id: Option<String>,
    partner: Option<String>,
    theme: Option<String>,
) -> Result<Embed, ServerFnError> {
    use crate::server::scans::embeds;
    let state = expect_context::<crate::server::state::AppState>();
    let ip = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|c| c.0.ip().to_string());
    let req = embeds::EmbedRequest {
        repo,
        id,
        partner,
        theme,
        ip,
    };
    embeds::load(&state, req)
        .await
        .map_err(|e| ServerFnError::new(e.public_message()))
}
