//! Pagination of every `/v1` list: `?limit=` (1–200, default 50) and an opaque `?cursor=`.
//! A list stays a JSON array; when more rows follow, the response carries
//! `Link: <{AURA_PUBLIC_URL}{path}?{the other query parameters}&cursor=…>; rel="next"`.
//! The keyset itself (newest first by `(created_at, id)`) lives in
//! [`app::server::paging`]; this is the HTTP edge of it.

use app::server::paging::{self, Cursor, PageRequest, Paged, DEFAULT_LIMIT, MAX_LIMIT};
use axum::{
    body::Bytes,
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// The `limit` and `cursor` of a list request, with what is needed to link its next page.
#[derive(Clone, Debug)]
pub struct Page {
    pub request: PageRequest,
    /// The path as the client sent it (with `/v1`).
    path: String,
    /// The query's other parameters (filters, `limit`), in the order sent.
    params: Vec<(String, String)>,
}

/// How a list is paged, for the OpenAPI description (the [`Page`] extractor parses it).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Rows per page: 1 to 200, default 50; anything else is 422 `validation_failed`.
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<u32>,
    /// Opaque position of the next page: take the whole URL of the previous response's
    /// `Link: <…>; rel="next"` header rather than building it. One this API did not hand out
    /// is 422 `validation_failed`.
    cursor: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let value = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let limit = match value("limit") {
            None => DEFAULT_LIMIT,
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(ApiError::validation(format!(
                        "limit is a whole number from 1 to {MAX_LIMIT}."
                    )))
                }
            },
        };
        let after = match value("cursor") {
            None => None,
            Some(c) => Some(Cursor::decode(c).ok_or_else(|| ApiError::from(paging::invalid_cursor()))?),
        };
        let path = parts.uri.path().to_owned();
        let params = pairs.into_iter().filter(|(k, _)| k != "cursor").collect();
        Ok(Page {
            request: PageRequest { limit, after },
            path,
            params,
        })
    }
}

impl Page {
    /// The absolute URL of the page after this one.
    pub fn next_url(&self, public_url: &str, next: &Cursor) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            query.append_pair(k, v);
        }
        query.append_pair("cursor", &next.encode());
        format!("{}{}?{}", public_url.trim_end_matches('/'), self.path, query.finish())
    }

    /// The response for a fetched page: its rows, and a `Link` to the next page when there is one.
    pub fn respond<T: Serialize>(&self, public_url: &str, paged: Paged<T>) -> Listed<T> {
        Listed {
            link: paged.next.as_ref().map(|c| self.next_url(public_url, c)),
            items: paged.items,
        }
    }

    /// The same for a page rendered beforehand (`body`, its JSON array).
    pub fn respond_rendered(&self, public_url: &str, body: Bytes, next: Option<&Cursor>) -> Response {
        let res = (
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body,
        )
            .into_response();
        with_link(res, next.map(|c| self.next_url(public_url, c)))
    }
}

/// A page of a list: a JSON array, plus `Link: <…>; rel="next"` when more rows follow.
pub struct Listed<T> {
    items: Vec<T>,
    link: Option<String>,
}

impl<T: Serialize> IntoResponse for Listed<T> {
    fn into_response(self) -> Response {
        with_link(Json(self.items).into_response(), self.link)
    }
}

fn with_link(mut res: Response, link: Option<String>) -> Response {
    if let Some(link) = link {
        match HeaderValue::from_str(&format!("<{link}>; rel=\"next\"")) {
            Ok(v) => {
                res.headers_mut().insert(header::LINK, v);
            }
            Err(e) => return ApiError::internal(format!("next-page link: {e}")).into_response(),
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    async fn page(uri: &str) -> Result<Page, ApiError> {
        let (mut parts, _) = Request::get(uri).body(()).unwrap().into_parts();
        Page::from_request_parts(&mut parts, &()).await
    }

    #[tokio::test]
    async fn limits_and_cursors_are_checked() {
        assert_eq!(page("/v1/x").await.unwrap().request, PageRequest::first(50));
        assert_eq!(page("/v1/x?limit=").await.unwrap().request.limit, 50);
        assert_eq!(page("/v1/x?limit=200").await.unwrap().request.limit, 200);
        for bad in ["limit=0", "limit=201", "limit=-1", "limit=ten", "cursor=garbage"] {
            let e = page(&format!("/v1/x?{bad}")).await.unwrap_err();
            assert_eq!((e.status.as_u16(), &*e.code), (422, "validation_failed"), "{bad}");
        }
    }

    #[tokio::test]
    async fn the_next_link_keeps_the_other_parameters() {
        let at = chrono::Utc::now();
        let first = page("/v1/admin/audit?actor=a%40b.example&limit=2&cursor=old").await;
        assert!(first.is_err(), "an invalid cursor is refused");
        let p = page("/v1/admin/audit?actor=a%40b.example&limit=2").await.unwrap();
        let c = Cursor::new(at, 7);
        let url = p.next_url("https://aura.example/", &c);
        assert_eq!(
            url,
            format!(
                "https://aura.example/v1/admin/audit?actor=a%40b.example&limit=2&cursor={}",
                c.encode()
            )
        );
        let c2 = Cursor::new(at, 3);
        let again = page(&url.replace("https://aura.example", "")).await.unwrap();
        assert_eq!(again.request.after, Some(c.clone()));
        assert_eq!(
            again.next_url("https://aura.example", &c2),
            format!(
                "https://aura.example/v1/admin/audit?actor=a%40b.example&limit=2&cursor={}",
                c2.encode()
            )
        );
    }
}
