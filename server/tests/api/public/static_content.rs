//! The lean path of the static surfaces, through the real server on SQLite and PostgreSQL.

use reqwest::header;
use sea_orm::EntityTrait;

use crate::common::{self, app_with_github, github, wait_finished, Db};
use app::server::entities::scan;

fn h(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_string()
}

/// The cached badge skips what it does not need (no request id, no session, no nonce) and
/// keeps what an SVG needs.
async fn cached_badges_take_the_lean_path(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/lean", github::healthy_repo(5));
    let first = app.client.get(app.url("/badge/acme/lean.svg")).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let ids = scan::Entity::find().all(&app.db).await.unwrap();
    wait_finished(&app, &ids[0].id).await;
    for path in ["/badge/acme/lean.svg", "/v1/badge/acme/lean.svg"] {
        let res = app
            .client
            .get(app.url(path))
            .header(header::ACCEPT_ENCODING, "identity")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(h(&res, "content-type"), "image/svg+xml");
        assert_eq!(h(&res, "cache-control"), "max-age=3600");
        assert_eq!(
            h(&res, "content-security-policy"),
            "default-src 'none'; style-src 'unsafe-inline'"
        );
        assert_eq!(h(&res, "x-content-type-options"), "nosniff");
        assert_eq!(h(&res, "x-frame-options"), "DENY");
        assert_eq!(h(&res, "referrer-policy"), "strict-origin-when-cross-origin");
        assert!(res.headers().get("x-request-id").is_none(), "{path}");
        assert!(res.headers().get("set-cookie").is_none(), "{path}");
        let etag = h(&res, "etag");
        assert!(res.text().await.unwrap().contains("<svg"));
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(h(&head, "etag"), etag);
    }
    // Other methods are refused as before (the `/v1` twin in the contract's JSON).
    let res = app
        .client
        .post(app.url("/v1/badge/acme/lean.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(common::error_code(res).await, "method_not_allowed");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"http_requests_total{method="GET",route="/badge/{owner}/{file}",status="200"}"#),
        "badges are counted"
    );
    app.stop().await;
}

on_both_kinds!(cached_badges_take_the_lean_path);
