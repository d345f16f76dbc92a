//! The HTTP server loop: accepts connections and serves the router on each with hyper's
//! HTTP/1.1 connection directly.
//!
//! `axum::serve` goes through hyper-util's version-sniffing builder even when HTTP/2 is not
//! compiled in; the bytes it reads first leave hyper a partial request, and the connection's
//! read buffer grows from 8 to 16 KiB and stays so. For a connection that lives for minutes
//! (an event stream; 10,000 of them on one instance) that was a third of its memory
//! (BENCHMARKS.md, "SSE at 10,000 subscribers"). HTTP/2 is not served either way (TLS and h2
//! end at the proxy or CDN in front).
//!
//! Also here: the client's socket address for `ConnectInfo` (the trusted-proxy layer may
//! replace it, `middleware::client_addr`), `TCP_NODELAY` (events are small writes that must
//! not wait for Nagle), a limit on the time a client takes to send its request head (a
//! connection that trickles its headers is closed instead of held), and graceful shutdown:
//! no new connections, idle ones closed, answers in flight finished.

use std::{future::Future, net::SocketAddr, pin::pin, time::Duration};

use axum::{extract::ConnectInfo, Router};
use hyper::{body::Incoming, server::conn::http1, Request};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// How long a client may take to send a request's head (line and headers), from when the
/// connection starts waiting for it.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause after an accept error that is not the one connection's (out of file descriptors):
/// retrying at once would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(250);

/// Serves `router` on `listener` until `stop` resolves, then waits for every connection to
/// finish its answers in flight (event streams end themselves at shutdown).
pub async fn serve(listener: TcpListener, router: Router, stop: impl Future<Output = ()>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let mut stop = pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = tcp.set_nodelay(true);
        let service = router.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Errors of the one connection being accepted (it went away first), not of the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}
