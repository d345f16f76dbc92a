//! `/signup`, `/login`, `/logout`. Plain forms that post to server functions, so they work
//! without JavaScript; once hydrated they submit in place and show errors inline.

use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;

use crate::{
    auth::{Login, Signup},
    components::{
        forms::error_text,
        layout::{LogoutButton, Page},
    },
};

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <FormError message=error_text(&e)/> })
    };
    view! {
        <Title text="Sign up"/>
        <Page>
            <section class="panel narrow">
                <h1>"Create your partner account"</h1>
                <p class="muted">"Free tier: 5 requests a minute, 50 a day. Your first API key is shown right after sign-up."</p>
                <ActionForm action=action>
                    <label for="signup-email">"Email"</label>
                    <input id="signup-email" type="email" name="email" required autocomplete="email"/>
                    <label for="signup-name">"Display name"</label>
                    <input id="signup-name" type="text" name="name" required maxlength="200" autocomplete="organization"/>
                    <label for="signup-password">"Password (8 to 128 characters)"</label>
                    <input id="signup-password" type="password" name="password" required minlength="8" maxlength="128" autocomplete="new-password"/>
                    {error}
                    <p><button type="submit" class="button primary" data-testid="signup-submit">"Sign up"</button></p>
                </ActionForm>
                <p class="muted">"Already have an account? " <a href="/login">"Log in"</a></p>
            </section>
        </Page>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    // A form post without JavaScript comes back here with its error in the URL; a cool-down
    // keeps its 429 status on this page too.
    #[cfg(feature = "ssr")]
    if let Some(Some(Err(e))) = action.value().try_get_untracked() {
        if error_text(&e).starts_with(crate::server::accounts::login::THROTTLED_PREFIX) {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(axum::http::StatusCode::TOO_MANY_REQUESTS);
            }
        }
    }
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <FormError message=error_text(&e)/> })
    };
    view! {
        <Title text="Log in"/>
        <Page>
            <section class="panel narrow">
                <h1>"Log in"</h1>
                <ActionForm action=action>
                    <label for="login-email">"Email"</label>
                    <input id="login-email" type="email" name="email" required autocomplete="username"/>
                    <label for="login-password">"Password"</label>
                    <input id="login-password" type="password" name="password" required autocomplete="current-password"/>
                    {error}
                    <p><button type="submit" class="button primary" data-testid="login-submit">"Log in"</button></p>
                </ActionForm>
                <p class="muted">"No account yet? " <a href="/signup">"Sign up"</a></p>
            </section>
        </Page>
    }
}

/// A GET of `/logout` only asks: logging out is a POST, so a link or an image on another
/// site cannot end a partner's session.
#[component]
pub fn LogoutPage() -> impl IntoView {
    view! {
        <Title text="Log out"/>
        <Page>
            <section class="panel narrow">
                <h1>"Log out"</h1>
                <p>"End this session on this browser?"</p>
                <LogoutButton class="button primary"/>
            </section>
        </Page>
    }
}

#[component]
fn FormError(message: String) -> impl IntoView {
    view! { <p class="error" role="alert" data-testid="form-error">{message}</p> }
}
