//! Cross-cutting HTTP layers: security headers, embed framing, metrics.

pub mod embed_framing;
pub mod metrics;
pub mod security_headers;
