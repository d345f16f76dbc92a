//! The dashboard's embed settings: the domains allowed to frame the widget (one per line) and
//! its theme, through the same service as `PUT /v1/embed/settings`, and the iframe snippet to
//! paste. The snippet is plain text in a `<textarea>`, so Leptos escapes it like any text.

use leptos::{form::ActionForm, prelude::*};
use serde::{Deserialize, Serialize};

use crate::components::forms::error_text;
use crate::components::list::Loaded;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedPage {
    pub allowed_domains: Vec<String>,
    pub theme: String,
    /// The ready-to-paste iframe.
    pub snippet: String,
}

#[cfg(feature = "ssr")]
fn page_of(config: &crate::server::config::Config, account: &crate::server::accounts::Account) -> EmbedPage {
    let s = crate::server::accounts::embed_settings::get(account);
    let theme = s.theme.as_str().to_string();
    let snippet = format!(
        r#"<iframe src="{}/embed/scan?repo=owner/repo&partner={}&theme={theme}&compact=true" width="300" height="200"></iframe>"#,
        config.public_url, account.partner_slug
    );
    EmbedPage {
        allowed_domains: s.allowed_domains,
        theme,
        snippet,
    }
}

#[server(endpoint = "embed/overview")]
pub async fn embed_overview() -> Result<EmbedPage, ServerFnError> {
    use crate::server::web;
    let account = web::current_account().await?;
    let state = web::app_state()?;
    Ok(page_of(&state.config, &account))
}

/// `domains`: one origin per line (blank lines ignored).
#[server(endpoint = "embed/update")]
pub async fn update_embed(domains: String, theme: String) -> Result<EmbedPage, ServerFnError> {
    use crate::server::{accounts::embed_settings, web};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let list: Vec<String> = domains
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let change = embed_settings::Update {
        allowed_domains: Some(list),
        theme: Some(theme),
    };
    let email = account.email.clone();
    embed_settings::update(
        &state.db,
        &state.keys,
        account.clone(),
        change,
        &email,
        &web::request_origin(),
    )
    .await
    .map_err(web::service_error)?;
    let account = crate::server::accounts::get(&state.db, &account.id)
        .await
        .map_err(web::service_error)?;
    Ok(page_of(&state.config, &account))
}

#[component]
pub fn EmbedSection() -> impl IntoView {
    let update = ServerAction::<UpdateEmbed>::new();
    let overview = Resource::new(move || update.version().get(), |_| embed_overview());
    let error = move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert" data-testid="embed-error">{error_text(&e)}</p> })
    };
    view! {
        <section class="panel" id="embed" aria-labelledby="embed-title">
            <h2 id="embed-title">"Embed widget"</h2>
            <Loaded data=overview loading="Loading settings…" render={move |p: EmbedPage| {
                {
                            let dark = p.theme == "dark";
                            view! {
                                <ActionForm action=update>
                                    <label for="embed-domains">"Sites allowed to embed the widget (one origin per line, e.g. https://terminal.example)"</label>
                                    <textarea id="embed-domains" name="domains" rows="4" data-testid="embed-domains">{p.allowed_domains.join("\n")}</textarea>
                                    <label>
                                        "Theme "
                                        <select name="theme">
                                            <option value="dark" selected=dark>"dark"</option>
                                            <option value="light" selected={!dark}>"light"</option>
                                        </select>
                                    </label>
                                    <button type="submit" class="button primary" data-testid="save-embed">"Save"</button>
                                </ActionForm>
                                <label for="embed-snippet">"Paste this where the widget should appear (replace owner/repo):"</label>
                                <textarea id="embed-snippet" readonly rows="3" data-testid="embed-snippet">{p.snippet}</textarea>
                            }
                            .into_any()
                        }
            }}/>
            {error}
        </section>
    }
}
