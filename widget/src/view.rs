//! The widget's view: rendered by the server inside the widget page and hydrated by the
//! widget's bundle from the same [`Props`]. Everything from a scan is rendered as text
//! (escaped by Leptos), never as markup.

use leptos::prelude::*;

use crate::{
    live::{LiveProgress, Outcome},
    model::{Content, Props, Scan, State},
    text::{concat, num, truncate, verdict_class},
};

/// The widget: a scan's live progress, then score, verdict and top flags; or why there is
/// none. Always a "Powered by AuraSecurity" link (to the scan's report when there is one).
#[component]
pub fn Widget(props: Props) -> impl IntoView {
    let Props {
        theme,
        compact,
        content,
    } = props;
    let link = match &content {
        Content::Scan(s) => s.report_url.clone(),
        _ => String::from("/"),
    };
    let body = match content {
        Content::Scan(scan) => {
            let scan = RwSignal::new(scan);
            (move || view! { <ScanState scan=scan.get() sink=scan/> }).into_any()
        }
        Content::Problem(p) => view! { <p class="embed-problem" data-testid="embed-problem">{p}</p> }.into_any(),
        Content::Nothing => view! { <p class="embed-problem">"Nothing to show."</p> }.into_any(),
    };
    view! {
        <div class="embed" class:compact=compact data-theme=theme data-testid="embed">
            <div class="embed-body">{body}</div>
            <footer class="embed-foot">
                <a href=link target="_blank" rel="noopener" data-testid="powered-by">"Powered by AuraSecurity"</a>
            </footer>
        </div>
    }
}

/// One scan's state. While it runs, the stream drives the bar; at the outcome the full scan
/// is fetched and written into `sink`, which re-renders this as the result.
#[component]
fn ScanState(scan: Scan, sink: RwSignal<Scan>) -> impl IntoView {
    let head = view! { <p class="embed-target" title=scan.target.clone()>{truncate(&scan.target, 60)}</p> };
    let state = match scan.state.clone() {
        State::Done(v) => {
            let class = verdict_class(&v.verdict);
            view! {
                <div class="embed-score">
                    <span class=concat("embed-num ", class) data-testid="embed-score">{num(u32::from(v.score))}</span>
                    <span class="embed-of">"/100"</span>
                    <span class="embed-grade">{v.grade}</span>
                    <span class=concat("pill ", class) data-testid="embed-verdict">{v.verdict}</span>
                </div>
                <ul class="embed-flags" data-testid="embed-flags">
                    {v.flags
                        .into_iter()
                        .map(|f| view! {
                            <li class=if f.red { "red" } else { "green" }>
                                <span aria-hidden="true">{if f.red { "▲ " } else { "✓ " }}</span>
                                {truncate(&f.title, 80)}
                            </li>
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }
        State::Failed(error) => {
            view! { <p class="embed-problem" data-testid="embed-failed">"Scan failed: " {error}</p> }.into_any()
        }
        State::Live { progress, queued } => {
            let stream_path = scan.stream_path();
            let current = scan;
            let on_done = Callback::new(move |outcome: Outcome| match outcome {
                Outcome::Failed(error) => {
                    let mut next = current.clone();
                    next.state = State::Failed(error);
                    sink.set(next);
                }
                Outcome::Completed => refresh(&current, sink),
            });
            view! { <LiveProgress stream_path=stream_path percent=progress queued=queued on_done=on_done/> }.into_any()
        }
    };
    view! { {head} {state} }
}

/// At the outcome: the scan as `GET /v1/scan/{id}` has it now, into `sink`; if that cannot be
/// read, the page again (the server renders the outcome).
#[cfg(feature = "hydrate")]
fn refresh(scan: &Scan, sink: RwSignal<Scan>) {
    let (id, report_url) = (scan.id.clone(), scan.report_url.clone());
    leptos::task::spawn_local(async move {
        match crate::browser::fetch_scan(&id, &report_url).await {
            // The report URL the page was rendered with stays.
            Some(mut fresh) => {
                fresh.report_url = report_url;
                sink.set(fresh);
            }
            None => crate::browser::reload(),
        }
    });
}

/// Server renders never follow a stream.
#[cfg(not(feature = "hydrate"))]
fn refresh(_: &Scan, _: RwSignal<Scan>) {}
