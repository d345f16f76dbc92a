//! The dashboard's API keys: list, create (the full key shown once, with a copy button),
//! rotate with a grace period for the old key, revoke after a confirmation. A new key may be
//! limited to some scopes and to browser origins. Every form works without JavaScript; with
//! it, the list refreshes in place.

use leptos::{form::ActionForm, prelude::*};
use serde::{Deserialize, Serialize};

use crate::api_scopes::Scope;
use crate::components::forms::{cleared_on_success, error_text};
use crate::components::list::{data_table, ErrorAlert};

/// Session key of a new key to show once after a form post without JavaScript.
pub const FLASH_NEW_KEY: &str = "new_key";

/// Grace periods offered when rotating: (seconds, label).
pub const GRACE_CHOICES: [(u64, &str); 4] = [
    (0, "stops immediately"),
    (3600, "keeps working for 1 hour"),
    (86_400, "keeps working for 24 hours"),
    (604_800, "keeps working for 7 days"),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    /// Rotated out; works until then.
    Expiring(String),
    Expired(String),
    Revoked(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRow {
    pub id: String,
    pub prefix: String,
    pub name: String,
    pub tier: String,
    pub created: String,
    pub last_used: Option<String>,
    pub status: KeyStatus,
    pub scopes: Vec<Scope>,
    /// Empty: usable from any origin.
    pub allowed_origins: Vec<String>,
}

/// A key just made: the only time its full text is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreshKey {
    pub id: String,
    pub name: String,
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysPage {
    pub keys: Vec<KeyRow>,
    pub fresh: Option<FreshKey>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::server::accounts::keys::{ApiKey, Grants, NewKey};

    pub fn when(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    impl From<ApiKey> for KeyRow {
        fn from(k: ApiKey) -> Self {
            let now = Utc::now();
            let grants = Grants::of(&k);
            let status = match (k.revoked_at, k.expires_at) {
                (Some(t), _) => KeyStatus::Revoked(when(t)),
                (None, Some(t)) if t <= now => KeyStatus::Expired(when(t)),
                (None, Some(t)) => KeyStatus::Expiring(when(t)),
                (None, None) => KeyStatus::Active,
            };
            KeyRow {
                id: k.id,
                prefix: k.prefix,
                name: k.name,
                tier: k.tier,
                created: when(k.created_at),
                last_used: k.last_used_at.map(when),
                status,
                scopes: grants.scopes,
                allowed_origins: grants.allowed_origins,
            }
        }
    }

    impl From<NewKey> for FreshKey {
        fn from(k: NewKey) -> Self {
            FreshKey {
                id: k.model.id,
                name: k.model.name,
                secret: k.secret,
            }
        }
    }

    /// After a plain form post the answer is a redirect, so the new key waits in the session
    /// for the next render, which takes it out. Hydrated calls get it in their response.
    pub async fn hand_over(key: FreshKey) -> Result<FreshKey, ServerFnError> {
        if crate::server::web::is_plain_form_post() {
            crate::server::web::flash_set(FLASH_NEW_KEY, &key).await?;
        }
        Ok(key)
    }
}

#[server(endpoint = "keys/overview")]
pub async fn keys_overview() -> Result<KeysPage, ServerFnError> {
    use crate::server::{accounts::keys, web};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let rows = keys::list(&state.db, &account.id).await.map_err(web::service_error)?;
    let fresh = web::flash_take::<FreshKey>(FLASH_NEW_KEY).await?;
    Ok(KeysPage {
        keys: rows.into_iter().map(KeyRow::from).collect(),
        fresh,
    })
}

/// `scopes_chosen` is sent by the form with its scope checkboxes: then the checked ones are
/// the key's scopes (none checked is refused). A call without it gets every scope, as on
/// the REST API. `allowed_origins`: origins separated by spaces, commas or lines.
#[server(endpoint = "keys/create")]
pub async fn create_key(
    name: String,
    scopes: Option<Vec<String>>,
    scopes_chosen: Option<String>,
    allowed_origins: Option<String>,
) -> Result<FreshKey, ServerFnError> {
    use crate::server::{
        accounts::{dashboard_calls, keys},
        web,
    };
    let actor = web::actor(web::current_account().await?);
    let scopes = match (scopes, scopes_chosen) {
        (Some(s), _) => Some(s),
        (None, Some(_)) => Some(Vec::new()),
        (None, None) => None,
    };
    let origins: Vec<String> = allowed_origins
        .unwrap_or_default()
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    let grants = keys::Grants::parse(scopes.as_deref(), Some(&origins)).map_err(web::service_error)?;
    let state = web::app_state()?;
    // A new key costs a call, as `POST /v1/auth/keys` does: the account's daily quota and
    // the dashboard's minute window (the active-key cap is `create_capped`'s).
    let create = keys::create_capped(&state.db, &state.keys, &actor, Some(&name), &grants);
    let key = dashboard_calls::charge(&state, &actor.account, "/dashboard/keys/create", None, create, |_| {
        dashboard_calls::Answered::status(201)
    })
    .await
    .map_err(web::service_error)?;
    ssr::hand_over(key.into()).await
}

#[server(endpoint = "keys/rotate")]
pub async fn rotate_key(id: String, grace: u64) -> Result<FreshKey, ServerFnError> {
    use crate::server::{accounts::keys, error::ServiceError, web};
    let actor = web::actor(web::current_account().await?);
    if !GRACE_CHOICES.iter().any(|(secs, _)| *secs == grace) {
        return Err(web::service_error(ServiceError::validation(
            "Choose one of the offered grace periods.",
        )));
    }
    let state = web::app_state()?;
    let key = keys::rotate(&state.db, &state.keys, &actor, &id, grace)
        .await
        .map_err(web::service_error)?;
    ssr::hand_over(key.into()).await
}

#[server(endpoint = "keys/revoke")]
pub async fn revoke_key(id: String) -> Result<(), ServerFnError> {
    use crate::server::{accounts::keys, web};
    let actor = web::actor(web::current_account().await?);
    let state = web::app_state()?;
    keys::revoke(&state.db, &state.keys, &actor, &id)
        .await
        .map_err(web::service_error)?;
    Ok(())
}

#[component]
pub fn KeysSection() -> impl IntoView {
    let create = ServerAction::<CreateKey>::new();
    let rotate = ServerAction::<RotateKey>::new();
    let revoke = ServerAction::<RevokeKey>::new();
    let overview = Resource::new(
        move || (create.version().get(), rotate.version().get(), revoke.version().get()),
        |_| keys_overview(),
    );
    // The newest key made on this page, from whichever action made it last.
    let fresh = RwSignal::new(None::<FreshKey>);
    Effect::new(move |_| {
        if let Some(Ok(k)) = create.value().get() {
            fresh.set(Some(k));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(k)) = rotate.value().get() {
            fresh.set(Some(k));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            fresh.set(None);
        }
    });
    let error = move || {
        let errs = [
            create.value().get().and_then(Result::err),
            rotate.value().get().and_then(Result::err),
            revoke.value().get().and_then(Result::err),
        ];
        errs.into_iter()
            .flatten()
            .next()
            .map(|e| view! { <p class="error" role="alert" data-testid="keys-error">{error_text(&e)}</p> })
    };

    view! {
        <section class="panel" id="keys" aria-labelledby="keys-title">
            <h2 id="keys-title">"API keys"</h2>
            <p class="muted">"Send a key as " <code>"Authorization: Bearer aura_pk_…"</code> ". Only a hash is stored: a key is shown once, when it is made."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading keys…"</p> }>
                {move || {
                    // Read before the await, so a new key re-renders the list.
                    let latest = fresh.get();
                    Suspend::new(async move {
                    let data = overview.await;
                    let shown = latest.or_else(|| data.as_ref().ok().and_then(|d| d.fresh.clone()));
                    let body = match data {
                        Ok(d) => view! { <KeysTable keys=d.keys rotate=rotate revoke=revoke/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    };
                    view! {
                        {shown.map(|k| view! { <FreshKeyPanel key=k/> })}
                        {body}
                    }
                    })
                }}
            </Transition>
            {error}
            <ActionForm action=create node_ref=cleared_on_success(create)>
                <div class="inline-form">
                    <label for="new-key-name">"New key name (optional)"</label>
                    <input id="new-key-name" type="text" name="name" maxlength="100" placeholder="e.g. trading bot" autocomplete="off"/>
                    <button type="submit" class="button primary" data-testid="create-key">"Create key"</button>
                </div>
                <fieldset class="key-scopes" data-testid="key-scopes">
                    <legend>"Scopes: what the key may do"</legend>
                    <input type="hidden" name="scopes_chosen" value="1"/>
                    {Scope::ALL
                        .into_iter()
                        .map(|s| view! {
                            <label class="checkbox">
                                <input type="checkbox" name="scopes[]" value=s.as_str() checked=true data-testid=format!("scope-{}", s.as_str())/>
                                <code>{s.as_str()}</code>" " {s.describe()}
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <label for="new-key-origins">"Allowed browser origins (optional; one per line)"</label>
                <textarea id="new-key-origins" name="allowed_origins" rows="2" placeholder="https://terminal.example" data-testid="key-origins"></textarea>
                <p class="muted">"A key used from a web page is visible to its visitors: give it only the scopes the page needs and list the page's origins, so other sites cannot use it. Without origins, the key works from anywhere."</p>
            </ActionForm>
        </section>
    }
}

#[component]
fn FreshKeyPanel(key: FreshKey) -> impl IntoView {
    let copied = RwSignal::new(false);
    let secret = key.secret.clone();
    let copy = move |_| {
        // If the browser refuses clipboard access the key stays on screen to select by hand.
        #[cfg(feature = "hydrate")]
        crate::browser::copy_to_clipboard(&secret);
        #[cfg(not(feature = "hydrate"))]
        let _ = &secret;
        copied.set(true);
    };
    view! {
        <div class="fresh-key" data-testid="fresh-key" role="status">
            <p>
                <strong>"Your new API key"</strong>" (" {key.name} "). Copy it now: it will not be shown again."
            </p>
            <div class="fresh-key-row">
                <code data-testid="fresh-key-value">{key.secret}</code>
                <button type="button" class="button" data-testid="copy-key" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}

#[component]
fn KeysTable(keys: Vec<KeyRow>, rotate: ServerAction<RotateKey>, revoke: ServerAction<RevokeKey>) -> impl IntoView {
    let rows = keys
        .into_iter()
        .map(|k| {
            let (status_class, status_text) = match &k.status {
                KeyStatus::Active => ("status ok", "active".to_string()),
                KeyStatus::Expiring(t) => ("status warn", format!("expiring at {t}")),
                KeyStatus::Expired(t) => ("status off", format!("expired at {t}")),
                KeyStatus::Revoked(t) => ("status off", format!("revoked at {t}")),
            };
            let can_rotate = k.status == KeyStatus::Active;
            let can_revoke = matches!(k.status, KeyStatus::Active | KeyStatus::Expiring(_));
            let id = k.id.clone();
            let prefix = k.prefix.clone();
            let scopes = if Scope::ALL.iter().all(|s| k.scopes.contains(s)) {
                "all".to_string()
            } else {
                k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            };
            let origins = if k.allowed_origins.is_empty() {
                "any".to_string()
            } else {
                k.allowed_origins.join(", ")
            };
            view! {
                <tr data-testid="key-row" data-prefix=prefix>
                    <td><code>{k.prefix}"…"</code></td>
                    <td>{k.name}</td>
                    <td>{k.tier}</td>
                    <td data-testid="key-scopes">{scopes}</td>
                    <td data-testid="key-origins">{origins}</td>
                    <td>{k.created}</td>
                    <td>{k.last_used.unwrap_or_else(|| "never".into())}</td>
                    <td><span class=status_class data-testid="key-status">{status_text}</span></td>
                    <td class="row-actions">
                        {can_rotate.then(|| view! { <RotateForm id=id.clone() action=rotate/> })}
                        {can_revoke.then(|| view! { <RevokeForm id=id.clone() action=revoke/> })}
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    data_table(
        "keys",
        &[
            "Prefix",
            "Name",
            "Tier",
            "Scopes",
            "Origins",
            "Created",
            "Last used",
            "Status",
            "",
        ],
        "No keys yet.",
        rows,
    )
}

/// `<details>` makes the choice a second step that needs no JavaScript.
#[component]
fn RotateForm(id: String, action: ServerAction<RotateKey>) -> impl IntoView {
    view! {
        <details class="confirm">
            <summary class="button small" data-testid="rotate-key">"Rotate"</summary>
            <ActionForm action=action>
                <input type="hidden" name="id" value=id/>
                <label>
                    "The old key "
                    <select name="grace" data-testid="rotate-grace">
                        {GRACE_CHOICES.iter().map(|(secs, label)| view! { <option value=secs.to_string()>{*label}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button primary small" data-testid="rotate-confirm">"Issue replacement"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn RevokeForm(id: String, action: ServerAction<RevokeKey>) -> impl IntoView {
    view! {
        <details class="confirm">
            <summary class="button small danger" data-testid="revoke-key">"Revoke"</summary>
            <ActionForm action=action>
                <input type="hidden" name="id" value=id/>
                <p>"Calls with this key will be refused from the next request on."</p>
                <button type="submit" class="button danger small" data-testid="revoke-confirm">"Yes, revoke it"</button>
            </ActionForm>
        </details>
    }
}
