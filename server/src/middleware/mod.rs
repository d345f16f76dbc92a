//! Cross-cutting HTTP layers: the client's address behind proxies, security headers, embed
//! framing, JSON error bodies, metrics, request ids, the browser's same-origin guard, signed
//! form errors.

pub mod action_errors;
pub mod client_addr;
pub mod db_breaker;
pub mod embed_framing;
pub mod json_errors;
pub mod metrics;
pub mod request_ids;
pub mod same_origin;
pub mod security_headers;
