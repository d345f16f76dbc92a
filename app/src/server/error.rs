//! The service layer's error: what went wrong in domain terms. The REST edge maps it to the
//! contract's status and error body; server functions map it to a message for the page.

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
    #[error("{0}")]
    Internal(String),
}

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
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ServiceError::Internal(e.to_string())
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
