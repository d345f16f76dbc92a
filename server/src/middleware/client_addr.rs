//! Puts the client's address, rather than a trusted reverse proxy's, into the request's
//! `ConnectInfo`, so every per-address limit and audit entry downstream reads the same,
//! already-resolved address (`app::server::proxies`).

use std::{net::SocketAddr, sync::Arc};

use app::server::proxies::TrustedProxies;
use axum::{
    extract::{ConnectInfo, Request, State},
    http::header::HeaderName,
    middleware::Next,
    response::Response,
};

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

pub async fn resolve(State(proxies): State<Arc<TrustedProxies>>, mut req: Request, next: Next) -> Response {
    if let Some(&ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        let values = req.headers().get_all(&X_FORWARDED_FOR).iter().map(|v| v.as_bytes());
        let client = proxies.client(peer.ip(), values);
        if client != peer.ip() {
            // The client's port is not known; 0 says so.
            req.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, 0)));
        }
    }
    next.run(req).await
}
