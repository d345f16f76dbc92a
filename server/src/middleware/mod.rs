//! Cross-cutting HTTP layers: security headers, embed framing, metrics, the browser's same-origin guard.

pub mod embed_framing;
pub mod metrics;
pub mod same_origin;
pub mod security_headers;
