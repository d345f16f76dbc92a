//! Browser sign-up, login and logout: the server functions behind the forms, and who is
//! logged in. The forms post here as plain HTML forms when JavaScript is off, and through the
//! server-function client once hydrated; both go through the same-origin guard.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The logged-in account, as the pages see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub email: String,
    pub name: String,
}

#[server(endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<SessionUser>, ServerFnError> {
    let account = crate::server::web::current_account_opt().await?;
    Ok(account.map(|a| SessionUser {
        email: a.email,
        name: a.name,
    }))
}

#[server(endpoint = "auth/signup")]
pub async fn signup(email: String, name: String, password: String) -> Result<(), ServerFnError> {
    use crate::{
        pages::dashboard::keys::{FreshKey, FLASH_NEW_KEY},
        server::{accounts, limiter, web},
    };
    let state = web::app_state()?;
    let origin = web::request_origin();
    // The same per-address budget as `POST /v1/auth/register`.
    limiter::limit_address(
        &*state.limiter,
        "register",
        origin.ip.as_deref(),
        10,
        std::time::Duration::from_secs(3600),
    )
    .await
    .map_err(web::service_error)?;
    let created = accounts::register(&state.db, &state.config, &email, &password, &name, &origin)
        .await
        .map_err(web::service_error)?;
    web::start_session(&created.account).await?;
    // The account's first key exists now; the dashboard shows it once.
    web::flash_set(FLASH_NEW_KEY, &FreshKey::from(created.key)).await?;
    leptos_axum::redirect("/dashboard");
    Ok(())
}

#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String) -> Result<(), ServerFnError> {
    use crate::server::web;
    let state = web::app_state()?;
    let account = crate::server::accounts::login::login(&state, &email, &password, &web::request_origin())
        .await
        .map_err(web::service_error)?;
    web::start_session(&account).await?;
    leptos_axum::redirect("/dashboard");
    Ok(())
}

#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    use crate::server::{audit, web};
    if let Some(account) = web::current_account_opt().await? {
        let state = web::app_state()?;
        audit::record(
            &state.db,
            &account.email,
            "logout",
            &account.id,
            &web::request_origin(),
            None,
        )
        .await;
    }
    web::end_session().await?;
    leptos_axum::redirect("/login");
    Ok(())
}
