//! Who may frame the embed widget (`/embed/scan`, `/embed/result/{id}` and their `/v1`
//! twins): exactly the partner's registered origins, `'self'` alone when the partner is
//! unknown or has none. The partner is the `partner` query parameter; a result widget
//! without one belongs to the account that started the scan.
//!
//! This layer only names the origins, through the internal header the security-headers
//! layer turns into `frame-ancestors` (dropping `X-Frame-Options`); every other response
//! keeps `X-Frame-Options: DENY`.

use app::server::{accounts, scans, scans::embeds, state::AppState};
use axum::{
    extract::{Request, State},
    http::HeaderValue,
    middleware::Next,
    response::Response,
};

use super::security_headers::FRAME_ANCESTORS_HEADER;

enum Widget<'a> {
    Scan,
    Result(&'a str),
}

fn widget(path: &str) -> Option<Widget<'_>> {
    let rest = path.strip_prefix("/v1").unwrap_or(path).strip_prefix("/embed/")?;
    if rest == "scan" {
        return Some(Widget::Scan);
    }
    let id = rest.strip_prefix("result/")?;
    (!id.is_empty() && !id.contains('/')).then_some(Widget::Result(id))
}

fn partner_param(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "partner")
        .map(|(_, v)| v.into_owned())
}

pub async fn embed_framing(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(kind) = widget(req.uri().path()) else {
        return next.run(req).await;
    };
    let slug = partner_param(req.uri().query());
    let partner = match (slug, kind) {
        (Some(slug), _) => embeds::partner(&state, Some(slug.as_str())).await.ok().flatten(),
        (None, Widget::Result(id)) => match scans::get(&state.db, id).await.ok().and_then(|s| s.account_id) {
            Some(account_id) => accounts::get(&state.db, &account_id)
                .await
                .ok()
                .filter(|a| !accounts::is_suspended(a)),
            None => None,
        },
        (None, Widget::Scan) => None,
    };
    let ancestors = embeds::frame_ancestors(partner.as_ref());
    let mut res = next.run(req).await;
    // `frame_ancestors` only emits checked origins and `'self'`, so this cannot fail; if it
    // ever did, no header means the default: DENY.
    if let Ok(v) = HeaderValue::from_str(&ancestors) {
        res.headers_mut().insert(FRAME_ANCESTORS_HEADER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_widget_pages_are_framable() {
        assert!(matches!(widget("/embed/scan"), Some(Widget::Scan)));
        assert!(matches!(widget("/v1/embed/scan"), Some(Widget::Scan)));
        assert!(matches!(widget("/embed/result/abc"), Some(Widget::Result("abc"))));
        assert!(matches!(widget("/v1/embed/result/abc"), Some(Widget::Result("abc"))));
        for other in [
            "/v1/embed/settings",
            "/embed",
            "/report/abc",
            "/embed/result/a/b",
            "/dashboard",
            "/v1/v1/embed/scan",
        ] {
            assert!(widget(other).is_none(), "{other}");
        }
    }
}
