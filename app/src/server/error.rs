//! The service layer's error: what went wrong in domain terms. Its HTTP status is decided
//! here, once ([`ServiceError::status`]): the REST edge wraps it in the contract's error body,
//! server functions in a message for the page, and neither keeps a table of its own.

use axum::http::StatusCode;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 422: the input breaks a rule (`validation_failed`, `invalid_url`, `invalid_target`…).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// 409: the input collides with existing data (`email_taken`).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// 429 with a retry hint.
    #[error("{message}")]
    TooMany {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// 503: a dependency we need is not configured or not reachable (`x_api_not_configured`).
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// 500: a failure of ours; the cause is kept as the error's source (for logs), never shown.
    #[error("{0}")]
    Internal(#[source] BoxError),
}

/// Any error, or a message where there is no error value to keep.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl ServiceError {
    pub fn validation(message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            code: "validation_failed",
            message: message.into(),
        }
    }
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            code,
            message: message.into(),
        }
    }
    /// Wraps a cause of ours, keeping it as the source: `From` covers every error type and
    /// plain messages (`&str`, `String`).
    pub fn internal(e: impl Into<BoxError>) -> Self {
        ServiceError::Internal(e.into())
    }
    /// The status both edges answer with. One table, so a REST call and the dashboard's
    /// server function doing the same thing fail the same way. A database that is down or
    /// overloaded is 503 (retry), any other database or internal failure 500.
    pub fn status(&self) -> StatusCode {
        match self {
            ServiceError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Conflict { .. } => StatusCode::CONFLICT,
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServiceError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Db(e) if super::db::is_unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Db(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    /// A message safe to show a user: internal causes are hidden.
    pub fn public_message(&self) -> String {
        match self {
            ServiceError::Db(_) | ServiceError::Internal(_) => "Something went wrong on our side; please retry.".into(),
            other => other.to_string(),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
