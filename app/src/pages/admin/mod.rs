//! `/admin`: the operator console (admins only). Every server function checks the role
//! itself through [`gate`] — the page is only the way in — and a refused attempt answers 403
//! and is audited as `admin.denied`, like the `/v1/admin` routes.

pub mod logs;
pub mod partners;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{forms::error_text, layout::Page};

pub const NOT_AN_ADMIN: &str = "This needs an admin account.";
/// `server::web::NOT_LOGGED_IN`, which the page cannot name (the server module is ssr-only).
const NOT_LOGGED_IN: &str = "Please log in.";

/// The admin's own account; anonymous callers get 401, anyone else 403 (audited).
#[cfg(feature = "ssr")]
pub(crate) async fn gate() -> Result<crate::server::accounts::Account, ServerFnError> {
    use axum::http::{request::Parts, StatusCode};
    use leptos_axum::ResponseOptions;

    use crate::server::{accounts::admin, audit, web};
    let account = web::current_account().await?;
    if admin::require_admin(&account).is_ok() {
        return Ok(account);
    }
    let state = web::app_state()?;
    let target = use_context::<Parts>()
        .map(|p| format!("{} {}", p.method, p.uri.path()))
        .unwrap_or_default();
    audit::record(
        &state.db,
        &account.email,
        "admin.denied",
        &target,
        &web::request_origin(),
        None,
    )
    .await;
    // Also while the page renders: a partner opening /admin gets a 403 page.
    if !web::is_plain_form_post() {
        if let Some(res) = use_context::<ResponseOptions>() {
            res.set_status(StatusCode::FORBIDDEN);
        }
    }
    Err(ServerFnError::new(NOT_AN_ADMIN))
}

/// Whether the caller may see the console (the page's first question).
#[server(endpoint = "admin/whoami")]
pub async fn admin_whoami() -> Result<String, ServerFnError> {
    Ok(gate().await?.email)
}

/// The page's answer to "may I see the console?", loaded once; every section's loader
/// waits for it, so a refused visitor costs one server call and one audit entry.
pub type Me = Resource<Result<String, ServerFnError>>;

/// Runs `load` for an admin only; anyone else gets `None` without another server call.
async fn for_admin<T>(
    me: Me,
    load: impl std::future::Future<Output = Result<T, ServerFnError>>,
) -> Result<Option<T>, ServerFnError> {
    match me.await {
        Ok(_) => load.await.map(Some),
        Err(_) => Ok(None),
    }
}

/// Every resource and action of the console is made here, above the `<Suspense>`, and handed
/// to the sections: resources created inside a `<Suspense>`'s children can leave a server
/// render waiting forever (leptos-rs/leptos#4866).
#[component]
pub fn AdminPage() -> impl IntoView {
    let me: Me = Resource::new(|| (), |_| admin_whoami());
    let partners = partners::PartnersData::new(me);
    let dead = logs::DeadJobsData::new(me);
    let audit = logs::AuditData::new(me);
    view! {
        <Title text="Admin"/>
        <Page>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(email) => view! {
                            <header class="page-head">
                                <h1>"Admin console"</h1>
                                <p class="muted" data-testid="admin-as">"Signed in as " {email}</p>
                            </header>
                            <partners::PartnersSection data=partners/>
                            <logs::DeadJobsSection data=dead/>
                            <logs::AuditSection data=audit/>
                        }
                        .into_any(),
                        Err(e) if error_text(&e) == NOT_LOGGED_IN => {
                            super::dashboard::login_required();
                            view! { <section class="panel narrow"><h1>"Please log in"</h1><p><a class="button primary" href="/login">"Log in"</a></p></section> }.into_any()
                        }
                        Err(e) => view! {
                            <section class="panel narrow" data-testid="admin-forbidden">
                                <h1>"Forbidden"</h1>
                                <p class="error" role="alert">{error_text(&e)}</p>
                            </section>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}
