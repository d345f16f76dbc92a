//! The page frame: header with navigation, main content, footer.

use leptos::prelude::*;

#[component]
pub fn Page(children: Children) -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                " AuraSecurity"
            </a>
            <nav>
                <a href="/docs">"API docs"</a>
                <a href="/login">"Log in"</a>
                <a class="button" href="/signup">"Sign up"</a>
            </nav>
        </header>
        <main>{children()}</main>
        <footer class="site-footer">
            <span>"AuraSecurity — repository trust scans for exchanges, terminals and bots."</span>
            <a href="/openapi.json">"OpenAPI"</a>
        </footer>
    }
}
