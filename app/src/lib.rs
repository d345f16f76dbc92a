//! The isomorphic Leptos application: the HTML shell, the router and every page.
//! Server-only services live in [`server`] behind the `ssr` feature.

pub mod api_scopes;
pub mod auth;
#[cfg(feature = "hydrate")]
pub mod browser;
pub mod components;
pub mod events;
pub mod pages;
pub mod reports;
#[cfg(feature = "ssr")]
pub mod server;
pub mod status;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The document around every page. Runs only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme="dark">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Hands the nonce minted by the security-headers middleware to Leptos, so the hydration
/// scripts it emits match the page's Content-Security-Policy.
///
/// Without one (a page rendered for the report cache, which no request's policy names),
/// the page gets no nonce at all: leptos_axum provides a random one of its own, which would
/// only make the bytes differ per render; the cache's policy lists the scripts' hashes.
#[cfg(feature = "ssr")]
fn provide_request_nonce() {
    use leptos::nonce::Nonce;
    let ours = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<server::http::CspNonce>().cloned());
    match ours {
        Some(nonce) => provide_context(Nonce::from_value(nonce.0)),
        None => {
            let _ = take_context::<Nonce>();
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/aurasecurity.css"/>
        <Link rel="icon" href="/favicon.svg"/>
        <Meta name="theme-color" content="#0b0f17"/>
        <Title formatter=|t: String| if t.is_empty() { "AuraSecurity".to_string() } else { format!("{t} · AuraSecurity") }/>
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/") view=pages::landing::Landing/>
                <Route path=path!("/invite/:token") view=pages::invite::InvitePage ssr=leptos_router::SsrMode::Async/>
                // Rendered whole before sending (`Async`): the session decides the content and
                // a redirect must come before the first byte, and the pages must read
                // completely without JavaScript.
                <Route path=path!("/signup") view=pages::auth::SignupPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=pages::auth::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/logout") view=pages::auth::LogoutPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard") view=pages::dashboard::Dashboard ssr=SsrMode::Async/>
                // Public surfaces: rendered whole before sending (`Async`), so their meta tags
                // and status codes depend on the scan and no JavaScript is needed to read them.
                // (The embed widget's pages are not here: they have a page and a bundle of
                // their own, `pages::embed` and `aura_widget`.)
                <Route path=path!("/report/:id") view=pages::report::ReportPage ssr=SsrMode::Async/>
                <Route path=path!("/report/github/:owner/:repo") view=pages::report::LatestReportPage ssr=SsrMode::Async/>
                <Route path=path!("/v1/report/:id") view=pages::report::ReportPage ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=pages::admin::AdminPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
