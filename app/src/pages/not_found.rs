use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::layout::Page;

/// The 404 page; on the server it also sets the response status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <Page>
            <section class="panel narrow">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. Check the link, or start from the home page."</p>
                <p><a class="button" href="/">"Go home"</a></p>
            </section>
        </Page>
    }
}
