//! `/`: what the product does and how partners get started.

use leptos::{form::ActionForm, prelude::*};
use leptos_meta::{Meta, Title};

use crate::{
    components::{forms::error_text, layout::Page},
    reports::badge_markdown,
};

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text="Is this repository real or a rug?"/>
        <Meta name="description" content="A 0–100 trust score, a grade, a verdict and the explainable checks behind it, for any GitHub repository."/>
        <Page>
            <section class="hero">
                <h1>"Is this crypto project real, or a rug?"</h1>
                <p class="lead">
                    "Paste a GitHub link and get, in seconds, a 0–100 trust score, a grade, a verdict — "
                    <strong>"SAFU"</strong>", "<strong>"DYOR"</strong>", "<strong>"RISKY"</strong>" or "<strong>"SCAM"</strong>
                    " — and every check behind it: leaked secrets, wallet drainers, obfuscated payloads, malicious install scripts, thin AI wrappers, fake stars."
                </p>
                <p class="actions">
                    <a class="button primary" href="/signup">"Get an API key"</a>
                    <a class="button" href="/docs">"Read the API docs"</a>
                </p>
            </section>
            <ScanBox/>
            <section class="grid3">
                <div class="panel">
                    <h2>"For bots"</h2>
                    <p>"POST a repository to " <code>"/v1/scan/repo"</code> ", get " <code>"202"</code> " and a scan id at once, follow progress over SSE and receive the result as an HMAC-signed webhook."</p>
                </div>
                <div class="panel">
                    <h2>"For terminals"</h2>
                    <p>"Embed a live scan widget in an iframe — dark, 300×200 compact — framed only by the domains you register."</p>
                </div>
                <div class="panel">
                    <h2>"For everyone"</h2>
                    <p>"Shareable report pages with rich previews on X and Discord, and shields-style badges for READMEs."</p>
                </div>
            </section>
            <BadgePreview/>
        </Page>
    }
}

/// The trader's front door: paste a repository, get its report page, which follows the scan
/// live. Without JavaScript it is a plain form post answered by a redirect; hydrated, it
/// submits in place and navigates. `?repo=` prefills it (the "Scan it now" link of a report
/// that does not exist yet).
#[component]
fn ScanBox() -> impl IntoView {
    let scan = ServerAction::<ScanRepository>::new();
    let query = leptos_router::hooks::use_query_map();
    let prefill = move || query.with(|q| q.get("repo")).unwrap_or_default();
    let error = move || {
        scan.value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert" data-testid="scan-box-error">{error_text(&e)}</p> })
    };
    view! {
        <section class="panel scan-box" id="scan" aria-labelledby="scan-title">
            <h2 id="scan-title">"Scan a repository"</h2>
            <ActionForm action=scan>
                <div class="inline-form">
                    <label for="scan-box-repo">"GitHub link or owner/repo"</label>
                    <input id="scan-box-repo" type="text" name="repo" required maxlength="300" placeholder="https://github.com/owner/repo" autocomplete="off" value=prefill/>
                    <button type="submit" class="button primary" data-testid="scan-box-submit">"Scan"</button>
                </div>
            </ActionForm>
            {error}
            <p class="muted">"No account needed. A repository scanned in the last hour answers at once."</p>
        </section>
    }
}

/// Starts (or joins) a scan of `repo` for a visitor and goes to its report page.
#[server(endpoint = "scan/visitor")]
pub async fn scan_repository(repo: String) -> Result<(), ServerFnError> {
    use crate::server::{scans::reuse, web};
    let state = web::app_state()?;
    let origin = web::request_origin();
    let scan = reuse::scan_for_visitor(&state, &repo, origin.ip.as_deref())
        .await
        .map_err(web::service_error)?;
    leptos_axum::redirect(&format!("/report/{}", scan.id));
    Ok(())
}

/// Builds the README badge snippet as the visitor types: an interaction that needs the
/// hydrated wasm, so the end-to-end tests use it to prove hydration works.
#[component]
fn BadgePreview() -> impl IntoView {
    let (repo, set_repo) = signal(String::new());
    // The snippet is pasted on GitHub, so its URLs are absolute: the site's public URL.
    let base = Resource::new(|| (), |_| public_url());
    let snippet = move || {
        let r = repo.get();
        let r = r.trim().trim_start_matches("https://github.com/").trim_matches('/');
        let base = base.get().and_then(Result::ok).unwrap_or_default();
        if r.split('/').count() == 2 && !r.contains(' ') && !r.is_empty() {
            badge_markdown(&format!("{base}/badge/{r}.svg"), &format!("{base}/report/github/{r}"))
        } else {
            "Type owner/repo to get your badge snippet.".to_string()
        }
    };
    view! {
        <section class="panel">
            <h2>"Badge for your README"</h2>
            <label for="badge-repo">"Repository"</label>
            <input
                id="badge-repo"
                type="text"
                placeholder="owner/repo"
                autocomplete="off"
                prop:value=repo
                on:input=move |ev| set_repo.set(event_target_value(&ev))
            />
            <pre class="snippet" data-testid="badge-snippet">{snippet}</pre>
        </section>
    }
}

/// The site's public base URL (`AURA_PUBLIC_URL`), for links that leave the site.
#[server(endpoint = "site/public-url")]
pub async fn public_url() -> Result<String, ServerFnError> {
    let state = expect_context::<crate::server::state::AppState>();
    Ok(state.config.public_url.clone())
}
