//! The page frame: header with navigation, main content, footer.

use leptos::{form::ActionForm, prelude::*};

use crate::auth::{current_user, Logout};

#[component]
pub fn Page(children: Children) -> impl IntoView {
    // Who is logged in decides the links; visitors see "Log in / Sign up" until it is known.
    let user = Resource::new(|| (), |_| current_user());
    let anonymous = || {
        view! {
            <a href="/login">"Log in"</a>
            <a class="button" href="/signup">"Sign up"</a>
        }
    };
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                " AuraSecurity"
            </a>
            <nav>
                <a href="/docs">"API docs"</a>
                <Transition fallback=anonymous>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(_)) => view! {
                                <a href="/dashboard">"Dashboard"</a>
                                <LogoutButton class="button"/>
                            }
                            .into_any(),
                            _ => anonymous().into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
        <main>{children()}</main>
        <footer class="site-footer">
            <span>"AuraSecurity — repository trust scans for exchanges, terminals and bots."</span>
            <a href="/openapi.json">"OpenAPI"</a>
        </footer>
    }
}

#[component]
pub fn LogoutButton(#[prop(into)] class: String) -> impl IntoView {
    let action = ServerAction::<Logout>::new();
    view! {
        <ActionForm action=action>
            <button type="submit" class=class data-testid="logout">"Log out"</button>
        </ActionForm>
    }
}
