//! The dashboard's webhooks: endpoints (add, remove, send a test event, re-enable with an
//! optional replay of what failed meanwhile), the account's signing secret (revealed once on
//! demand, rotated with a grace period) and the delivery log with redelivery. Every form
//! works without JavaScript.

use leptos::{form::ActionForm, prelude::*};
use serde::{Deserialize, Serialize};

use super::keys::GRACE_CHOICES;
use crate::components::forms::{cleared_on_success, error_text};
use crate::components::list::{data_table, ErrorAlert};
use crate::status::DeliveryStatus;

/// Session key of a secret to show once after a form post without JavaScript.
pub const FLASH_SECRET: &str = "webhook_secret";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookRow {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created: String,
    /// Why it was switched off, when it was.
    pub disabled: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: String,
    pub url: String,
    pub event: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The last HTTP status, or the last error when there was no answer.
    pub last_result: Option<String>,
    pub updated: String,
}

/// What re-enabling an endpoint replayed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reenabled {
    /// Failed deliveries queued again.
    pub replayed: usize,
    /// More remain than one replay takes (1,000).
    pub more: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksPage {
    pub hooks: Vec<HookRow>,
    pub deliveries: Vec<DeliveryRow>,
    /// A secret revealed or issued by a form post without JavaScript, shown once.
    pub secret: Option<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::server::webhooks::{self, deliveries::Delivery, Webhook};

    fn when(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    impl From<Webhook> for HookRow {
        fn from(w: Webhook) -> Self {
            let disabled = w.disabled_at.map(|t| {
                format!(
                    "{} (since {})",
                    w.disabled_reason.clone().unwrap_or_else(|| "disabled".into()),
                    when(t)
                )
            });
            HookRow {
                events: webhooks::events_of(&w),
                id: w.id,
                url: w.url,
                created: when(w.created_at),
                disabled,
            }
        }
    }

    impl From<Delivery> for DeliveryRow {
        fn from(d: Delivery) -> Self {
            let last_result = match (d.last_status_code, d.last_error) {
                (Some(code), _) => Some(format!("HTTP {code}")),
                (None, Some(e)) => Some(e),
                (None, None) => None,
            };
            DeliveryRow {
                id: d.id,
                url: d.url,
                event: d.event,
                status: d.status,
                attempts: d.attempts,
                last_result,
                updated: when(d.updated_at),
            }
        }
    }

    /// After a plain form post the answer is a redirect: the secret waits in the session.
    pub async fn hand_over(secret: String) -> Result<String, ServerFnError> {
        if crate::server::web::is_plain_form_post() {
            crate::server::web::flash_set(FLASH_SECRET, &secret).await?;
        }
        Ok(secret)
    }
}

#[server(endpoint = "webhooks/overview")]
pub async fn webhooks_overview() -> Result<WebhooksPage, ServerFnError> {
    use crate::server::{web, webhooks};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let hooks = webhooks::list(&state.db, &account.id)
        .await
        .map_err(web::service_error)?;
    let filter = webhooks::deliveries::Filter {
        limit: Some(50),
        ..Default::default()
    };
    let deliveries = webhooks::deliveries::list(&state.db, &account.id, filter)
        .await
        .map_err(web::service_error)?;
    let secret = web::flash_take::<String>(FLASH_SECRET).await?;
    Ok(WebhooksPage {
        hooks: hooks.into_iter().map(HookRow::from).collect(),
        deliveries: deliveries.into_iter().map(DeliveryRow::from).collect(),
        secret,
    })
}

#[server(endpoint = "webhooks/create")]
pub async fn create_webhook(url: String) -> Result<HookRow, ServerFnError> {
    use crate::server::{web, webhooks};
    let actor = web::actor(web::current_account().await?);
    let state = web::app_state()?;
    let w = webhooks::create(&state.db, &state.config, &actor, url.trim(), None)
        .await
        .map_err(web::service_error)?;
    Ok(w.into())
}

#[server(endpoint = "webhooks/delete")]
pub async fn delete_webhook(id: String) -> Result<(), ServerFnError> {
    use crate::server::{web, webhooks};
    let actor = web::actor(web::current_account().await?);
    let state = web::app_state()?;
    webhooks::delete(&state.db, &actor, &id)
        .await
        .map_err(web::service_error)?;
    Ok(())
}

/// Sends a `test` event: a call that costs what `POST /v1/webhooks/{id}/test` costs
/// (`dashboard_calls::charge`); refused, the limiter's message shows in the section.
#[server(endpoint = "webhooks/test")]
pub async fn test_webhook(id: String) -> Result<(), ServerFnError> {
    use crate::server::{accounts::dashboard_calls, web, webhooks};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let send = webhooks::deliveries::send_test(&state, &account.id, &id);
    dashboard_calls::charge(&state, &account, "/dashboard/webhooks/test", None, send, |_| {
        dashboard_calls::Answered::status(202)
    })
    .await
    .map_err(web::service_error)?;
    Ok(())
}

/// Re-enables an endpoint; with `replay` ("on" from the checkbox) the deliveries that failed
/// since it started failing are queued again (at most 1,000, like the API's replay), which
/// costs a call like `POST /v1/webhooks/deliveries/replay`; re-enabling alone costs nothing.
#[server(endpoint = "webhooks/enable")]
pub async fn enable_webhook(id: String, replay: Option<String>) -> Result<Reenabled, ServerFnError> {
    use crate::server::{accounts::dashboard_calls, web, webhooks};
    let actor = web::actor(web::current_account().await?);
    let state = web::app_state()?;
    let replay = replay.is_some_and(|r| !r.is_empty() && r != "false");
    let enable = webhooks::enable(&state, &actor, &id, replay);
    let done = if replay {
        let route = "/dashboard/webhooks/replay";
        dashboard_calls::charge(&state, &actor.account, route, None, enable, |_| {
            dashboard_calls::Answered::status(202)
        })
        .await
    } else {
        enable.await
    }
    .map_err(web::service_error)?;
    Ok(Reenabled {
        replayed: done.replayed.queued,
        more: done.replayed.more,
    })
}

/// Sends a delivery again: a call, like `POST /v1/webhooks/deliveries/{id}/redeliver`.
#[server(endpoint = "webhooks/redeliver")]
pub async fn redeliver(id: String) -> Result<(), ServerFnError> {
    use crate::server::{accounts::dashboard_calls, web, webhooks};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let again = webhooks::deliveries::redeliver(&state, &account.id, &id);
    dashboard_calls::charge(&state, &account, "/dashboard/webhooks/redeliver", None, again, |_| {
        dashboard_calls::Answered::status(202)
    })
    .await
    .map_err(web::service_error)?;
    Ok(())
}

/// The current signing secret, on demand, for the account's password asked again (checked
/// under the login's failure budget; wrong: 422); each reveal and each refusal is audited.
#[server(endpoint = "webhooks/secret/reveal")]
pub async fn reveal_secret(#[server(default)] current_password: String) -> Result<String, ServerFnError> {
    use crate::server::{web, webhooks};
    let actor = web::actor(web::current_account().await?);
    let state = web::app_state()?;
    let secret = webhooks::reveal_secret(&state, &actor, &current_password)
        .await
        .map_err(web::service_error)?;
    ssr::hand_over(secret).await
}

#[server(endpoint = "webhooks/secret/rotate")]
pub async fn rotate_secret(grace: u64) -> Result<String, ServerFnError> {
    use crate::server::{error::ServiceError, web, webhooks};
    let actor = web::actor(web::current_account().await?);
    if !GRACE_CHOICES.iter().any(|(secs, _)| *secs == grace) {
        return Err(web::service_error(ServiceError::validation(
            "Choose one of the offered grace periods.",
        )));
    }
    let state = web::app_state()?;
    let grace = std::time::Duration::from_secs(grace);
    let secret = webhooks::rotate_secret(&state.db, &state.config, &state.keys, &actor, grace)
        .await
        .map_err(web::service_error)?;
    ssr::hand_over(secret).await
}

#[component]
pub fn WebhooksSection() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let test = ServerAction::<TestWebhook>::new();
    let enable = ServerAction::<EnableWebhook>::new();
    let redeliver = ServerAction::<Redeliver>::new();
    let reveal = ServerAction::<RevealSecret>::new();
    let rotate = ServerAction::<RotateSecret>::new();
    let overview = Resource::new(
        move || {
            (
                create.version().get(),
                delete.version().get(),
                test.version().get(),
                enable.version().get(),
                redeliver.version().get(),
                rotate.version().get(),
            )
        },
        |_| webhooks_overview(),
    );
    let error = move || {
        let errs = [
            create.value().get().and_then(Result::err),
            delete.value().get().and_then(Result::err),
            test.value().get().and_then(Result::err),
            enable.value().get().and_then(Result::err),
            redeliver.value().get().and_then(Result::err),
            reveal.value().get().and_then(Result::err),
            rotate.value().get().and_then(Result::err),
        ];
        errs.into_iter()
            .flatten()
            .next()
            .map(|e| view! { <p class="error" role="alert" data-testid="webhooks-error">{error_text(&e)}</p> })
    };
    // What the last re-enable replayed (hydrated; a plain form post returns to the page).
    let replayed = move || {
        enable.value().get().and_then(Result::ok).filter(|r| r.replayed > 0).map(|r| {
            let more = if r.more {
                " More remain: replay them with POST /v1/webhooks/deliveries/replay."
            } else {
                ""
            };
            view! { <p class="muted" role="status" data-testid="webhooks-replayed">{format!("{} failed deliveries queued again.{more}", r.replayed)}</p> }
        })
    };
    // The secret from whichever of reveal/rotate answered last (hydrated).
    let shown = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(s)) = reveal.value().get() {
            shown.set(Some(s));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(s)) = rotate.value().get() {
            shown.set(Some(s));
        }
    });

    view! {
        <section class="panel" id="webhooks" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">"Webhooks"</h2>
            <p class="muted">"Scan outcomes are POSTed to your endpoints, signed with your webhook secret (" <code>"X-AuraSecurity-Signature"</code> ")."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading webhooks…"</p> }>
                {move || {
                    let latest = shown.get();
                    Suspend::new(async move {
                        match overview.await {
                            Ok(page) => {
                                let secret = latest.or(page.secret);
                                view! {
                                    {secret.map(|s| view! {
                                        <div class="fresh-key" role="status" data-testid="webhook-secret">
                                            <p><strong>"Webhook secret"</strong>" — keep it private; it is shown only now."</p>
                                            <code data-testid="webhook-secret-value">{s}</code>
                                        </div>
                                    })}
                                    <HooksTable hooks=page.hooks delete=delete test=test enable=enable/>
                                    <DeliveriesTable rows=page.deliveries redeliver=redeliver/>
                                }
                                .into_any()
                            }
                            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        }
                    })
                }}
            </Transition>
            {error}
            {replayed}
            <ActionForm action=create node_ref=cleared_on_success(create)>
                <div class="inline-form">
                    <label for="new-webhook-url">"Endpoint URL"</label>
                    <input id="new-webhook-url" type="url" name="url" required maxlength="2000" placeholder="https://example.com/hooks/aura" autocomplete="off"/>
                    <button type="submit" class="button primary" data-testid="add-webhook">"Add endpoint"</button>
                </div>
            </ActionForm>
            <div class="inline-form">
                <details class="confirm">
                    <summary class="button" data-testid="reveal-secret">"Reveal secret"</summary>
                    <ActionForm action=reveal node_ref=cleared_on_success(reveal)>
                        <label for="reveal-secret-password">"Your password"</label>
                        <input id="reveal-secret-password" type="password" name="current_password" required autocomplete="current-password"/>
                        <button type="submit" class="button primary small" data-testid="reveal-secret-confirm">"Reveal"</button>
                    </ActionForm>
                </details>
                <details class="confirm">
                    <summary class="button" data-testid="rotate-secret">"Rotate secret"</summary>
                    <ActionForm action=rotate>
                        <label>
                            "The old secret "
                            <select name="grace">
                                {GRACE_CHOICES.iter().map(|(secs, label)| view! { <option value=secs.to_string()>{*label}</option> }).collect_view()}
                            </select>
                        </label>
                        <button type="submit" class="button primary small" data-testid="rotate-secret-confirm">"Issue a new secret"</button>
                    </ActionForm>
                </details>
            </div>
        </section>
    }
}

#[component]
fn HooksTable(
    hooks: Vec<HookRow>,
    delete: ServerAction<DeleteWebhook>,
    test: ServerAction<TestWebhook>,
    enable: ServerAction<EnableWebhook>,
) -> impl IntoView {
    let rows = hooks
        .into_iter()
        .map(|h| {
            // Each form's children are a closure that takes its own copy.
            let (test_id, enable_id, delete_id) = (h.id.clone(), h.id.clone(), h.id.clone());
            let status = match &h.disabled {
                Some(why) => view! { <span class="status off">"disabled: " {why.clone()}</span> }.into_any(),
                None => view! { <span class="status ok">"active"</span> }.into_any(),
            };
            let is_disabled = h.disabled.is_some();
            view! {
                <tr data-testid="webhook-row">
                    <td><code>{h.url}</code></td>
                    <td>{h.events.join(", ")}</td>
                    <td>{status}</td>
                    <td class="row-actions">
                        <ActionForm action=test>
                            <input type="hidden" name="id" value=test_id/>
                            <button type="submit" class="button small">"Send test event"</button>
                        </ActionForm>
                        {is_disabled.then(|| view! {
                            <ActionForm action=enable>
                                <input type="hidden" name="id" value=enable_id/>
                                <label><input type="checkbox" name="replay" value="on" checked/>" replay failed deliveries"</label>
                                <button type="submit" class="button small primary">"Re-enable"</button>
                            </ActionForm>
                        })}
                        <details class="confirm">
                            <summary class="button small danger">"Remove"</summary>
                            <ActionForm action=delete>
                                <input type="hidden" name="id" value=delete_id/>
                                <button type="submit" class="button danger small">"Yes, remove it"</button>
                            </ActionForm>
                        </details>
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    data_table("", &["URL", "Events", "Status", ""], "No endpoints yet.", rows)
}

#[component]
fn DeliveriesTable(rows: Vec<DeliveryRow>, redeliver: ServerAction<Redeliver>) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|d| {
            let class = match d.status {
                DeliveryStatus::Sent => "status ok",
                DeliveryStatus::Failed => "status off",
                _ => "status warn",
            };
            view! {
                <tr data-testid="delivery-row">
                    <td>{d.event}</td>
                    <td><code>{d.url}</code></td>
                    <td><span class=class>{d.status.as_str()}</span></td>
                    <td>{d.attempts}</td>
                    <td>{d.last_result.unwrap_or_else(|| "—".into())}</td>
                    <td>{d.updated}</td>
                    <td>
                        <ActionForm action=redeliver>
                            <input type="hidden" name="id" value=d.id/>
                            <button type="submit" class="button small">"Redeliver"</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <h3>"Delivery log"</h3>
        {data_table("", &["Event", "URL", "Status", "Attempts", "Last result", "Time", ""], "No deliveries yet.", rows)}
    }
    .into_any()
}
