//! The one error type of the REST surface. Every `/v1` handler returns `Result<_, ApiError>`,
//! and every error body is the contract's `{"error": {"code", "message"}}`. Internal causes
//! are logged here and never shown to the caller.

use std::borrow::Cow;

use axum::{
    http::{header, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// The body of every `/v1` error.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `rate_limited`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// Logs the cause and answers a generic 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side.",
        )
    }

    /// The database is down or overloaded: the caller should retry.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %cause, "service unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The service is temporarily unavailable; retry shortly.",
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        app::server::error::ServiceError::Db(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.into_owned(),
                message: self.message,
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        for (name, value) in self.headers {
            res.headers_mut().insert(name, value);
        }
        res
    }
}

/// JSON bodies: a malformed body is the contract's error body too, not axum's plain text.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError::new(rejection.status(), "invalid_body", rejection.body_text())),
        }
    }
}

/// The status is the service error's own ([`ServiceError::status`](app::server::error::ServiceError::status));
/// this adds only the contract's code, message and headers.
impl From<app::server::error::ServiceError> for ApiError {
    fn from(e: app::server::error::ServiceError) -> Self {
        use app::server::error::ServiceError as S;
        let status = e.status();
        match e {
            S::Invalid { code, message } | S::Conflict { code, message } | S::Unavailable { code, message } => {
                ApiError::new(status, code, message)
            }
            S::NotFound(m) => ApiError::new(status, "not_found", m),
            S::Unauthorized(m) => ApiError::new(status, "unauthorized", m)
                .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")),
            S::Forbidden(m) => ApiError::new(status, "forbidden", m),
            S::TooMany {
                code,
                message,
                retry_after_secs,
            } => ApiError::new(status, code, message)
                .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1))),
            S::TooBusy {
                message,
                retry_after_secs,
            } => ApiError::new(status, "busy", message)
                .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1))),
            // Marked for the database breaker (middleware/db_breaker.rs), which opens on it.
            S::Db(e) if status == StatusCode::SERVICE_UNAVAILABLE => ApiError::unavailable(e).with_header(
                header::HeaderName::from_static(app::server::db_health::UNAVAILABLE_HEADER),
                HeaderValue::from_static("1"),
            ),
            S::Db(e) => ApiError::internal(e),
            S::Internal(m) => ApiError::internal(m),
        }
    }
}

/// An optional JSON body: an empty body is `T::default()`; anything else follows `ApiJson`'s
/// rules (a JSON content type or 415, unparseable JSON 400, the wrong shape 422), so every
/// `/v1` body is judged the same way.
pub struct OptionalJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for OptionalJson<T>
where
    T: serde::de::DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(axum::extract::Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|r| ApiError::new(r.status(), "invalid_body", r.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        // A body was sent: the same extractor as a required body judges it.
        let ApiJson(v) = ApiJson::from_request(axum::extract::Request::from_parts(parts, bytes.into()), state).await?;
        Ok(OptionalJson(v))
    }
}

/// Query strings: a malformed one is the contract's error body (422 `validation_failed`),
/// not axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(ApiError::validation(rejection.body_text())),
        }
    }
}
