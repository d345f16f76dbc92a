//! Cross-cutting HTTP layers: security headers, metrics, the browser's same-origin guard.

pub mod metrics;
pub mod same_origin;
pub mod security_headers;
