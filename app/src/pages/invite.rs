//! `/invite/{token}`: an onboarded partner sets its password, then signs in at `/login`.
//!
//! Rendered on the server after the token is checked (the route uses `SsrMode::Async`, so
//! an unknown or used link answers 404 and an expired one 410). The form is a plain HTML
//! form posting to a server function, so it works before (or without) hydration.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::components::layout::Page;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteStatus {
    Valid {
        name: String,
        email: String,
    },
    /// Never issued, already used, or replaced by a newer invitation.
    Unknown,
    Expired,
}

/// What the page needs to know about an invitation token.
#[server(prefix = "/api", endpoint = "check_invite")]
pub async fn check_invite(token: String) -> Result<InviteStatus, ServerFnError> {
    use crate::server::{accounts::invites, state::AppState};
    let state = use_context::<AppState>().ok_or_else(|| ServerFnError::new("application state missing"))?;
    let status = invites::lookup(&state.db, &token)
        .await
        .map_err(|e| ServerFnError::new(e.public_message()))?;
    Ok(match status {
        invites::Lookup::Valid(a) => InviteStatus::Valid {
            name: a.name,
            email: a.email,
        },
        invites::Lookup::Unknown => InviteStatus::Unknown,
        invites::Lookup::Expired => InviteStatus::Expired,
    })
}

/// Sets the password of the invited account, consumes the token, and sends the browser to
/// `/login`.
#[server(prefix = "/api", endpoint = "accept_invite")]
pub async fn accept_invite(token: String, password: String, confirm: String) -> Result<(), ServerFnError> {
    use crate::server::{accounts::invites, audit::Origin, state::AppState};
    if password != confirm {
        return Err(ServerFnError::new("The two passwords differ."));
    }
    let state = use_context::<AppState>().ok_or_else(|| ServerFnError::new("application state missing"))?;
    let origin = use_context::<axum::http::request::Parts>()
        .map(|parts| Origin {
            ip: parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
            user_agent: parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
        .unwrap_or_default();
    invites::accept(&state.db, &state.keys, &token, &password, &origin)
        .await
        .map_err(|e| ServerFnError::new(e.public_message()))?;
    leptos_axum::redirect("/login");
    Ok(())
}

fn message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let status = Resource::new(token, check_invite);
    #[cfg(feature = "ssr")]
    let response = use_context::<leptos_axum::ResponseOptions>();
    let set_status = move |_code: u16| {
        #[cfg(feature = "ssr")]
        if let (Some(r), Ok(code)) = (&response, axum::http::StatusCode::from_u16(_code)) {
            r.set_status(code);
        }
    };
    view! {
        <Title text="Accept your invitation"/>
        <Meta name="robots" content="noindex"/>
        <Page>
            <section class="panel narrow">
                <Suspense fallback=|| view! { <p>"Checking your invitation…"</p> }>
                    {move || {
                        // Needed with `ssr` (it holds the response options); a plain copy in the browser.
                        #[allow(clippy::clone_on_copy)]
                        let set_status = set_status.clone();
                        Suspend::new(async move {
                        match status.await {
                            Ok(InviteStatus::Valid { name, email }) => view! { <InviteForm token=token() name email/> }.into_any(),
                            Ok(InviteStatus::Expired) => {
                                set_status(410);
                                view! {
                                    <h1>"This invitation has expired"</h1>
                                    <p>"Invitation links work for 7 days. Ask your AuraSecurity contact to send you a new one."</p>
                                }
                                .into_any()
                            }
                            Ok(InviteStatus::Unknown) | Err(_) => {
                                set_status(404);
                                view! {
                                    <h1>"This invitation link is not valid"</h1>
                                    <p>
                                        "It may have been used already — then "
                                        <a href="/login">"log in"</a>
                                        " with the password you chose — or mistyped. Ask your AuraSecurity contact for a new link if needed."
                                    </p>
                                }
                                .into_any()
                            }
                        }
                    })}}
                </Suspense>
            </section>
        </Page>
    }
}

#[component]
fn InviteForm(token: String, name: String, email: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvite>::new();
    let error = move || accept.value().get().and_then(Result::err).map(|e| message(&e));
    view! {
        <h1>"Welcome to AuraSecurity"</h1>
        <p>
            "Set a password for " <strong>{name}</strong> " (" {email.clone()} "). "
            "You will sign in with your email address and this password."
        </p>
        <ActionForm action=accept attr:class="stack" attr:data-testid="invite-form">
            <input type="hidden" name="token" value=token/>
            // Lets password managers store the right account.
            <input type="hidden" autocomplete="username" value=email/>
            <label for="invite-password">"Password (8 to 128 characters)"</label>
            <input id="invite-password" type="password" name="password" autocomplete="new-password" minlength="8" maxlength="128" required/>
            <label for="invite-confirm">"Repeat the password"</label>
            <input id="invite-confirm" type="password" name="confirm" autocomplete="new-password" minlength="8" maxlength="128" required/>
            {move || error().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            <button class="button primary" type="submit" disabled=move || accept.pending().get()>"Set password"</button>
        </ActionForm>
    }
}
