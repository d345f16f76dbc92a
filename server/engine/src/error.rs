//! The engine's error: a kind the orchestration uses to decide on retries, and a message
//! written for a trader (never containing tokens, headers or internal addresses).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// Worth retrying later: GitHub 5xx, rate limits, timeouts, network trouble.
    Transient,
    /// Retrying will not help: not found, invalid target, refused address, too large.
    Permanent,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScanError {
    pub kind: ErrorKind,
    pub message: String,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ScanError {
    pub fn transient(message: impl Into<String>) -> Self {
        ScanError {
            kind: ErrorKind::Transient,
            message: message.into(),
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        ScanError {
            kind: ErrorKind::Permanent,
            message: message.into(),
        }
    }
    pub fn is_retryable(&self) -> bool {
        self.kind == ErrorKind::Transient
    }
}

impl From<crate::target::TargetError> for ScanError {
    fn from(e: crate::target::TargetError) -> Self {
        ScanError::permanent(e.to_string())
    }
}

impl From<crate::netguard::NetGuardError> for ScanError {
    fn from(e: crate::netguard::NetGuardError) -> Self {
        use crate::netguard::NetGuardError::*;
        match e {
            Resolve { host, .. } => ScanError::transient(format!("Could not look up {host}; try again later.")),
            // Don't echo the internal address back to the caller.
            Forbidden { host, .. } => {
                ScanError::permanent(format!("{host} is not a public address; it cannot be scanned."))
            }
            other => ScanError::permanent(other.to_string()),
        }
    }
}
