//! Small HTTP-facing types that both the server crate's middleware and the Leptos shell use.

use std::sync::Arc;

/// The per-request CSP nonce minted by the security-headers middleware. The shell hands it to
/// Leptos so the hydration scripts carry it, and the middleware puts it in the CSP header.
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);
