//! The dashboard's account section: change the password. The current password is required
//! (checked under the login's failure budget); every other session ends, since sessions
//! remember the password they were opened with, and this one continues under a fresh id.

use leptos::{form::ActionForm, prelude::*};

use crate::components::forms::{cleared_on_success, error_text};

#[server(endpoint = "account/password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), ServerFnError> {
    use crate::server::{accounts::login, web};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let updated = login::change_password(&state, &web::actor(account), &current_password, &new_password)
        .await
        .map_err(web::service_error)?;
    web::start_session(&updated).await?;
    Ok(())
}

#[component]
pub fn AccountSection() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let outcome = move || {
        change.value().get().map(|r| match r {
            Ok(()) => view! {
                <p class="status ok" role="status" data-testid="password-changed">
                    "Password changed. Every other session has been logged out."
                </p>
            }
            .into_any(),
            Err(e) => {
                view! { <p class="error" role="alert" data-testid="password-error">{error_text(&e)}</p> }.into_any()
            }
        })
    };
    view! {
        <section class="panel" id="account" aria-labelledby="account-title">
            <h2 id="account-title">"Account"</h2>
            <ActionForm action=change node_ref=cleared_on_success(change)>
                <label for="current-password">"Current password"</label>
                <input id="current-password" type="password" name="current_password" required autocomplete="current-password"/>
                <label for="new-password">"New password (8 to 128 characters)"</label>
                <input id="new-password" type="password" name="new_password" required minlength="8" maxlength="128" autocomplete="new-password"/>
                <p><button type="submit" class="button" data-testid="change-password">"Change password"</button></p>
            </ActionForm>
            {outcome}
        </section>
    }
}
