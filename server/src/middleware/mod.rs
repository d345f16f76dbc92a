//! Cross-cutting HTTP layers: security headers, metrics.

pub mod metrics;
pub mod security_headers;
