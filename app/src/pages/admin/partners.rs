//! Admin: the partner list (tier, status), onboarding (the first key, webhook secret and
//! invitation link are shown once), tier changes and suspend/reactivate.

use leptos::{form::ActionForm, prelude::*};
use serde::{Deserialize, Serialize};

use crate::components::forms::{cleared_on_success, error_text};
use crate::components::list::{data_table, ErrorAlert};

/// Session key of an onboarding's secrets after a form post without JavaScript.
pub const FLASH_ONBOARDED: &str = "onboarded";
pub const TIERS: [&str; 4] = ["free", "pro", "partner", "internal"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub slug: String,
    pub tier: String,
    pub status: String,
    pub created: String,
}

/// What onboarding hands the admin, once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardedView {
    pub account_id: String,
    pub email: String,
    pub api_key: String,
    pub webhook_secret: String,
    pub invite_url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnersPage {
    pub partners: Vec<PartnerRow>,
    pub onboarded: Option<OnboardedView>,
}

#[server(endpoint = "admin/partners")]
pub async fn admin_partners() -> Result<PartnersPage, ServerFnError> {
    use crate::server::{accounts::admin, web};
    super::gate().await?;
    let state = web::app_state()?;
    let rows = admin::list_partners(&state.db, admin::PartnerQuery::default())
        .await
        .map_err(web::service_error)?;
    let partners = rows
        .into_iter()
        .map(|a| PartnerRow {
            created: a.created_at.format("%Y-%m-%d").to_string(),
            id: a.id,
            name: a.name,
            email: a.email,
            slug: a.partner_slug,
            tier: a.tier,
            status: a.status,
        })
        .collect();
    let onboarded = web::flash_take::<OnboardedView>(FLASH_ONBOARDED).await?;
    Ok(PartnersPage { partners, onboarded })
}

/// `domains`: one origin per line.
#[server(endpoint = "admin/onboard")]
pub async fn onboard(
    name: String,
    email: String,
    tier: String,
    domains: String,
    #[server(default)] slug: Option<String>,
) -> Result<OnboardedView, ServerFnError> {
    use crate::server::{accounts::admin, web};
    let me = super::gate().await?;
    let state = web::app_state()?;
    let new = admin::NewPartner {
        name,
        email,
        tier,
        allowed_domains: domains
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        partner_slug: slug.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
    };
    let done = admin::onboard_partner(&state.db, &state.config, &web::actor(me), new)
        .await
        .map_err(web::service_error)?;
    let view = OnboardedView {
        account_id: done.account.id,
        email: done.account.email,
        api_key: done.key.secret,
        webhook_secret: done.webhook_secret,
        invite_url: done.invite_url,
    };
    if web::is_plain_form_post() {
        web::flash_set(FLASH_ONBOARDED, &view).await?;
    }
    Ok(view)
}

/// Changes a partner's tier and/or status (`active` or `suspended`); empty fields keep theirs.
#[server(endpoint = "admin/partner/update")]
pub async fn update_partner(id: String, tier: Option<String>, status: Option<String>) -> Result<(), ServerFnError> {
    use crate::server::{accounts::admin, web};
    let me = super::gate().await?;
    let state = web::app_state()?;
    let change = admin::PartnerUpdate {
        tier: tier.filter(|t| !t.is_empty()),
        status: status.filter(|s| !s.is_empty()),
    };
    admin::update_partner(&state.db, &state.keys, &web::actor(me), &id, change)
        .await
        .map_err(web::service_error)?;
    Ok(())
}

/// A new invitation link for a partner (the earlier ones stop working); shown once.
#[server(endpoint = "admin/partner/invite")]
pub async fn reinvite_partner(id: String) -> Result<String, ServerFnError> {
    use crate::server::{accounts::admin, web};
    let me = super::gate().await?;
    let state = web::app_state()?;
    admin::reinvite(&state.db, &state.config, &state.keys, &web::actor(me), &id)
        .await
        .map_err(web::service_error)
}

/// The partners section's actions and list, made by the page (see [`super::AdminPage`]).
#[derive(Clone, Copy)]
pub struct PartnersData {
    onboard: ServerAction<Onboard>,
    update: ServerAction<UpdatePartner>,
    reinvite: ServerAction<ReinvitePartner>,
    page: Resource<Result<Option<PartnersPage>, ServerFnError>>,
}

impl PartnersData {
    pub fn new(me: super::Me) -> Self {
        let onboard = ServerAction::<Onboard>::new();
        let update = ServerAction::<UpdatePartner>::new();
        let reinvite = ServerAction::<ReinvitePartner>::new();
        let page = Resource::new(
            move || (onboard.version().get(), update.version().get()),
            move |_| super::for_admin(me, admin_partners()),
        );
        Self {
            onboard,
            update,
            reinvite,
            page,
        }
    }
}

#[component]
pub fn PartnersSection(data: PartnersData) -> impl IntoView {
    let PartnersData {
        onboard,
        update,
        reinvite,
        page,
    } = data;
    let error = move || {
        [
            onboard.value().get().and_then(Result::err),
            update.value().get().and_then(Result::err),
            reinvite.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| view! { <p class="error" role="alert" data-testid="admin-error">{error_text(&e)}</p> })
    };
    view! {
        <section class="panel" id="partners" aria-labelledby="partners-title">
            <h2 id="partners-title">"Partners"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading partners…"</p> }>
                {move || {
                    let fresh = onboard.value().get().and_then(Result::ok);
                    Suspend::new(async move {
                        match page.await {
                            Ok(None) => ().into_any(),
                            Ok(Some(p)) => view! {
                                {fresh.or(p.onboarded).map(|o| view! { <OnboardedPanel o=o/> })}
                                <PartnersTable rows=p.partners update=update reinvite=reinvite/>
                            }
                            .into_any(),
                            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        }
                    })
                }}
            </Transition>
            {error}
            {move || reinvite.value().get().and_then(Result::ok).map(|link| view! {
                <div class="fresh-key" role="status" data-testid="reinvited">
                    <p>"New invitation link (earlier links no longer work): " <code data-testid="reinvite-link">{link}</code></p>
                </div>
            })}
            <details>
                <summary class="button primary" data-testid="onboard-open">"Onboard a partner"</summary>
                <ActionForm action=onboard node_ref=cleared_on_success(onboard)>
                    <label for="onboard-name">"Name"</label>
                    <input id="onboard-name" type="text" name="name" required maxlength="200"/>
                    <label for="onboard-email">"Email"</label>
                    <input id="onboard-email" type="email" name="email" required maxlength="254"/>
                    <label for="onboard-tier">"Tier"</label>
                    <select id="onboard-tier" name="tier">
                        {TIERS.iter().map(|t| view! { <option value=*t selected={*t == "partner"}>{*t}</option> }).collect_view()}
                    </select>
                    <label for="onboard-domains">"Embed domains (one origin per line)"</label>
                    <textarea id="onboard-domains" name="domains" rows="3"></textarea>
                    <label for="onboard-slug">"Slug (optional: 3–32 of a-z, 0-9, '-'; names the partner in widget URLs)"</label>
                    <input id="onboard-slug" type="text" name="slug" maxlength="32" pattern="[a-z0-9-]{3,32}"/>
                    <button type="submit" class="button primary" data-testid="onboard-submit">"Create partner"</button>
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
fn OnboardedPanel(o: OnboardedView) -> impl IntoView {
    view! {
        <div class="fresh-key" role="status" data-testid="onboarded">
            <p><strong>"Partner " {o.email} " created."</strong>" Hand these over now: they are not shown again."</p>
            <p>"API key: " <code data-testid="onboarded-key">{o.api_key}</code></p>
            <p>"Webhook secret: " <code data-testid="onboarded-secret">{o.webhook_secret}</code></p>
            <p>"Invitation link (sets the password): " <code data-testid="onboarded-invite">{o.invite_url}</code></p>
        </div>
    }
}

#[component]
fn PartnersTable(
    rows: Vec<PartnerRow>,
    update: ServerAction<UpdatePartner>,
    reinvite: ServerAction<ReinvitePartner>,
) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|p| {
            let suspended = p.status == "suspended";
            let (next_status, label, class) =
                if suspended { ("active", "Reactivate", "button small") } else { ("suspended", "Suspend", "button small danger") };
            let tier = p.tier.clone();
            // Each form's children are a closure that takes its own copy.
            let (tier_id, status_id, invite_id) = (p.id.clone(), p.id.clone(), p.id.clone());
            view! {
                <tr data-testid="partner-row">
                    <td>{p.name}<br/><span class="muted">{p.email}</span></td>
                    <td><code>{p.slug}</code></td>
                    <td>
                        <ActionForm action=update>
                            <input type="hidden" name="id" value=tier_id/>
                            <select name="tier" aria-label="Tier">
                                {TIERS.iter().map(|t| view! { <option value=*t selected={*t == tier}>{*t}</option> }).collect_view()}
                            </select>
                            <button type="submit" class="button small">"Change"</button>
                        </ActionForm>
                    </td>
                    <td><span class={if suspended { "status off" } else { "status ok" }}>{p.status}</span></td>
                    <td>{p.created}</td>
                    <td>
                        <ActionForm action=update>
                            <input type="hidden" name="id" value=status_id/>
                            <input type="hidden" name="status" value=next_status/>
                            <button type="submit" class=class>{label}</button>
                        </ActionForm>
                        <ActionForm action=reinvite>
                            <input type="hidden" name="id" value=invite_id/>
                            <button type="submit" class="button small" data-testid="reinvite">"New invitation"</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    data_table(
        "",
        &["Partner", "Slug", "Tier", "Status", "Since", ""],
        "No partners yet.",
        rows,
    )
}
