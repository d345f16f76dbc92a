//! The service endpoints and the HTTP stack: `/info`, `/health`, `/metrics`, `/openapi.json`,
//! `/docs`, security headers, the 404 page and the JSON error body.

use crate::common;

use crate::common::{Db, TestApp};

async fn info_names_the_service(app: TestApp) {
    let res = app.client.get(app.url("/info")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["name"], "AuraSecurity");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

async fn health_follows_the_database(app: TestApp) {
    let res = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // Closing the shared pool makes the database unreachable for the server too.
    app.db.clone().close().await.unwrap();
    let res = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 503);
}

async fn html_pages_carry_security_headers(app: TestApp) {
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.get("strict-transport-security").is_none(), "no HSTS in development");
    assert!(h.get("x-request-id").is_some());
    let html = res.text().await.unwrap();
    // The hydration script carries the same nonce as the header.
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "hydration scripts must carry the CSP nonce"
    );
    assert!(html.contains("Is this crypto project real, or a rug?"));
}

async fn unknown_page_is_404(app: TestApp) {
    let res = app.client.get(app.url("/definitely/not/here")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
}

async fn unknown_v1_route_is_a_json_404(app: TestApp) {
    let res = app.client.get(app.url("/v1/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].is_string());
}

/// Every `/v1` error is the contract's JSON body, including the ones axum answers itself, and
/// every body is judged by one rule whether it is required or optional.
async fn v1_errors_and_bodies_are_uniform(app: TestApp) {
    async fn error(res: reqwest::Response) -> (u16, String) {
        let status = res.status().as_u16();
        let body: serde_json::Value = res
            .json()
            .await
            .unwrap_or_else(|e| panic!("{status}: a JSON body: {e}"));
        assert!(
            body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        (status, body["error"]["code"].as_str().unwrap().to_string())
    }
    // A wrong method: 405 with `Allow` and the JSON body (axum's own answer is empty).
    let res = app.client.get(app.url("/v1/auth/register")).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "POST");
    assert_eq!(error(res).await, (405, "method_not_allowed".into()));

    // The same body problems give the same answers on a required body (register) and an
    // optional one (a new key's name).
    let (account, key) = common::register(&app, "bodies@acme.example").await;
    common::set_tier(&app, &account, "partner").await;
    for (path, needs_key) in [("/v1/auth/register", false), ("/v1/auth/keys", true)] {
        let post = |ct: &'static str, body: &'static str| {
            let req = app.client.post(app.url(path)).header("content-type", ct).body(body);
            if needs_key {
                req.bearer_auth(&key)
            } else {
                req
            }
        };
        assert_eq!(
            error(post("text/plain", r#"{"name":"x"}"#).send().await.unwrap()).await,
            (415, "invalid_body".into()),
            "{path}"
        );
        assert_eq!(
            error(post("application/json", "{not json").send().await.unwrap()).await,
            (400, "invalid_body".into()),
            "{path}"
        );
        assert_eq!(
            error(post("application/json", r#"{"name": 5}"#).send().await.unwrap()).await,
            (422, "invalid_body".into()),
            "{path}"
        );
    }
    // An empty optional body is no body.
    let res = app
        .client
        .post(app.url("/v1/auth/keys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // The public `/v1` routes answer errors the same way, and an answer carrying a key's
    // limits says it varies by key.
    let res = app.client.post(app.url("/v1/oembed")).send().await.unwrap();
    assert_eq!(error(res).await, (405, "method_not_allowed".into()));
    let res = app
        .client
        .get(app.url("/v1/badge/acme/orbit.svg"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().contains_key("x-ratelimit-limit"),
        "metered like any keyed call"
    );
    assert!(res.headers().get_all("vary").iter().any(|v| v
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("authorization")));

    // A key sent to the public `/v1` routes is checked there too: revoked is 401.
    let keys: Vec<serde_json::Value> = app
        .client
        .get(app.url("/v1/auth/keys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = keys
        .iter()
        .find(|k| key.starts_with(k["prefix"].as_str().unwrap()))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .client
        .delete(app.url(&format!("/v1/auth/keys/{first}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    for path in [
        "/v1/badge/acme/orbit.svg",
        "/v1/oembed?url=x",
        "/v1/scan/00000000000000000000000000000000",
    ] {
        let res = app.client.get(app.url(path)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
    }
    let res = app
        .client
        .get(app.url("/v1/badge/acme/orbit.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "no key is fine");
}

async fn openapi_and_docs(app: TestApp) {
    let res = app.client.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let spec: serde_json::Value = res.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert!(spec["paths"]["/info"]["get"].is_object());
    assert!(spec["paths"]["/health"]["get"].is_object());
    // Every JSON operation documents the error body for statuses it does not list one by one.
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"]["default"].is_object(), "{method} {path}");
        }
    }
    let default = &spec["paths"]["/v1/auth/keys"]["get"]["responses"]["default"];
    assert_eq!(
        default["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    // A query string that does not parse is the contract's JSON error body.
    let (_, key) = common::register(&app, "spec@partner.example").await;
    let res = app
        .client
        .get(app.url("/v1/webhooks/deliveries?limit=-1"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("limit"), "{body}");
    let res = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("/vendor/swagger-ui/swagger-ui-bundle.js"));
    assert!(!html.contains("https://"), "docs must load nothing from a CDN");
}

async fn metrics_use_route_patterns(app: TestApp) {
    for _ in 0..3 {
        app.client.get(app.url("/info")).send().await.unwrap();
    }
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/info\""), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
}

on_both_databases!(
    info_names_the_service,
    health_follows_the_database,
    html_pages_carry_security_headers,
    unknown_page_is_404,
    unknown_v1_route_is_a_json_404,
    v1_errors_and_bodies_are_uniform,
    openapi_and_docs,
    metrics_use_route_patterns,
);

#[tokio::test]
async fn metrics_token_is_enforced() {
    let app = common::spawn_with(Db::Sqlite, &[("AURA_METRICS_TOKEN", "m3tr1cs")])
        .await
        .unwrap();
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("m3tr1cs")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn production_sends_hsts() {
    let app = common::spawn_with(Db::Sqlite, &[("AURA_ENV", "production")])
        .await
        .unwrap();
    // A page through the whole stack, and a badge through the static surfaces' lean path.
    for path in ["/", "/badge/acme/not-a-badge.png"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert!(
            res.headers()["strict-transport-security"]
                .to_str()
                .unwrap()
                .contains("max-age="),
            "{path}"
        );
    }
}

#[tokio::test]
async fn cors_only_for_configured_origins_on_v1() {
    let app = common::spawn_with(Db::Sqlite, &[("AURA_CORS_ORIGINS", "https://terminal.example")])
        .await
        .unwrap();
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v1/auth/keys"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let ok = preflight("https://terminal.example").await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], "https://terminal.example");
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

/// A TCP relay to PostgreSQL that can be switched to a black hole: connections are accepted
/// and never answered, as a database behind a dead network path behaves.
struct Relay {
    port: u16,
    black_hole: std::sync::Arc<std::sync::atomic::AtomicBool>,
    links: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Relay {
    async fn start(to: std::net::SocketAddr) -> Relay {
        use std::sync::{atomic::Ordering, Arc, Mutex};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let black_hole = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let links: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (hole, held) = (black_hole.clone(), links.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                let hole = hole.load(Ordering::SeqCst);
                let task = tokio::spawn(async move {
                    if hole {
                        // Hold the socket open, silent, until aborted.
                        std::future::pending::<()>().await;
                    }
                    if let Ok(mut server) = tokio::net::TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                    drop(client);
                });
                held.lock().unwrap().push(task.abort_handle());
            }
        });
        Relay {
            port,
            black_hole,
            links,
        }
    }

    /// Cuts every open connection; new ones go into the black hole (or through again).
    fn set_black_hole(&self, on: bool) {
        self.black_hole.store(on, std::sync::atomic::Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }
}

/// While the database is unreachable, calls answer 503 with `Retry-After` at once instead of
/// each waiting out the pool (5 s), and the service recovers by itself once it answers.
#[tokio::test]
async fn a_database_outage_fails_fast_and_recovers() {
    let Some(db_url) = common::postgres_database().await else {
        return;
    };
    let (base, name) = db_url.rsplit_once('/').unwrap();
    let to: std::net::SocketAddr = base.rsplit_once('@').unwrap().1.parse().unwrap();
    let relay = Relay::start(to).await;
    let via_relay = format!("postgres://aura@127.0.0.1:{}/{name}", relay.port);
    let app = common::spawn_with(Db::Postgres, &[("AURA_DATABASE_URL", &via_relay)])
        .await
        .unwrap();
    let (_, key) = common::register(&app, "outage@acme.example").await;
    let list = || app.client.get(app.url("/v1/auth/keys")).bearer_auth(&key).send();
    assert_eq!(list().await.unwrap().status(), 200);

    relay.set_black_hole(true);
    // The first call meets the outage (and opens the breaker)...
    let res = list().await.unwrap();
    assert_eq!(res.status(), 503);
    // ...the next ones do not wait for the pool: far below its 5 s acquire timeout.
    for _ in 0..5 {
        let res = tokio::time::timeout(std::time::Duration::from_secs(2), list())
            .await
            .expect("answered at once, not after the pool's timeout")
            .unwrap();
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()["retry-after"], "5");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "service_unavailable");
    }
    // Service endpoints still tell the truth.
    assert_eq!(app.client.get(app.url("/info")).send().await.unwrap().status(), 200);

    relay.set_black_hole(false);
    let mut recovered = false;
    for _ in 0..60 {
        if list().await.unwrap().status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(recovered, "the probe closes the breaker once the database answers");
    app.stop().await;
}

/// A client that trickles its request head (slowloris) is cut off after the 30 s the server
/// gives a head, while a keep-alive connection beside it that sent whole requests answered;
/// the server does not hold the trickling socket for ever.
#[tokio::test]
async fn a_request_head_that_never_ends_is_cut_off() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let app = common::spawn_with(Db::Sqlite, &[]).await.unwrap();
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /info HTTP/1.1\r\nHost: x\r\nX-Slow: 1")
        .await
        .unwrap();
    // A whole request on another connection still answers meanwhile.
    let mut fine = tokio::net::TcpStream::connect(&addr).await.unwrap();
    fine.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    fine.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    // Read until the server closes the slow connection (a hang fails after 90 s).
    let read = tokio::time::timeout(std::time::Duration::from_secs(90), slow.read_to_end(&mut rest)).await;
    assert!(
        read.is_ok(),
        "the trickling connection is still open after {:?}",
        started.elapsed()
    );
    assert!(
        !String::from_utf8_lossy(&rest).contains("200 OK"),
        "an unfinished head is never answered as a request"
    );
    app.stop().await;
}
