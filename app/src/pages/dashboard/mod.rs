//! `/dashboard`: the partner's own console. One module per section, each a component with
//! its own server functions, so sections (usage, webhooks, embed settings…) are added by
//! writing a module and listing it in [`Dashboard`].

pub mod account;
pub mod embed;
pub mod keys;
pub mod scans;
pub mod usage;
pub mod webhooks;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{auth::current_user, components::layout::Page};

/// The sections sit beside the header's `<Suspense>`, not inside it: a section creates its
/// resources when it is built, and resources created inside a `<Suspense>`'s children can
/// leave a server render waiting forever (leptos-rs/leptos#4866). Each section's server
/// functions check the session themselves; a visitor without one is sent to `/login` by the
/// header before any of it is seen.
#[component]
pub fn Dashboard() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    view! {
        <Title text="Dashboard"/>
        <Page>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => view! {
                            <header class="page-head">
                                <h1>"Dashboard"</h1>
                                <p class="muted" data-testid="signed-in-as">"Signed in as " {u.name} " · " {u.email}</p>
                            </header>
                        }
                        .into_any(),
                        _ => {
                            login_required();
                            view! {
                                <section class="panel narrow">
                                    <h1>"Please log in"</h1>
                                    <p><a class="button primary" href="/login">"Log in"</a></p>
                                </section>
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
            <scans::ScansSection/>
            <usage::UsageSection/>
            <keys::KeysSection/>
            <webhooks::WebhooksSection/>
            <embed::EmbedSection/>
            <account::AccountSection/>
        </Page>
    }
}

/// Sends a visitor without a session to `/login`: a 303 when the page renders on the server,
/// a client-side navigation when it was reached inside the hydrated app.
pub(crate) fn login_required() {
    #[cfg(feature = "ssr")]
    crate::server::web::redirect_page("/login");
    #[cfg(feature = "hydrate")]
    {
        let navigate = leptos_router::hooks::use_navigate();
        request_animation_frame(move || navigate("/login", Default::default()));
    }
}
