//! `/v1/embed/settings`: the origins allowed to frame this account's widget, and its default
//! theme. The dashboard edits the same settings through the same service.

use std::net::SocketAddr;

use app::server::{accounts::embed_settings, state::AppState};
use axum::{
    extract::{ConnectInfo, State},
    http::HeaderMap,
    Extension, Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{auth::origin_of, caller::Caller};
use crate::error::{ApiError, ApiJson, ErrorBody};

#[derive(Serialize, ToSchema)]
pub struct EmbedSettingsBody {
    /// Origins allowed to frame the widget (its `frame-ancestors`), normalised.
    #[schema(example = json!(["https://terminal.example"]))]
    allowed_domains: Vec<String>,
    /// Default widget theme: `dark` or `light`.
    #[schema(example = "dark")]
    theme: String,
}

impl From<embed_settings::EmbedSettings> for EmbedSettingsBody {
    fn from(s: embed_settings::EmbedSettings) -> Self {
        EmbedSettingsBody {
            allowed_domains: s.allowed_domains,
            theme: s.theme.as_str().into(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateEmbedSettings {
    /// Replaces the list. Each entry an `https://` origin (scheme, host, optional port; no
    /// path, query, fragment, credentials or wildcard) or `http://localhost[:port]`; at most
    /// 20. Omitted: unchanged.
    #[schema(example = json!(["https://terminal.example"]))]
    allowed_domains: Option<Vec<String>>,
    /// `dark` or `light`. Omitted: unchanged.
    theme: Option<String>,
}

/// This account's embed settings.
#[utoipa::path(get, path = "/v1/embed/settings", tag = "embeds", security(("bearer" = [])),
    responses((status = 200, body = EmbedSettingsBody), (status = 401, body = ErrorBody)))]
pub async fn get_settings(Extension(caller): Extension<Caller>) -> Json<EmbedSettingsBody> {
    Json(embed_settings::get(&caller.account).into())
}

/// Replace this account's allowed embed domains and default theme.
#[utoipa::path(put, path = "/v1/embed/settings", tag = "embeds", request_body = UpdateEmbedSettings, security(("bearer" = [])),
    responses(
        (status = 200, body = EmbedSettingsBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "`validation_failed`, naming the bad entry", body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateEmbedSettings>,
) -> Result<Json<EmbedSettingsBody>, ApiError> {
    let actor = caller.account.email.clone();
    let change = embed_settings::Update {
        allowed_domains: body.allowed_domains,
        theme: body.theme,
    };
    let saved = embed_settings::update(
        &state.db,
        &state.keys,
        (*caller.account).clone(),
        change,
        &actor,
        &origin_of(&headers, Some(peer)),
    )
    .await?;
    Ok(Json(saved.into()))
}
