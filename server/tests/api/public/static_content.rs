//! Completed reports served as static content, and the lean path of the static surfaces,
//! through the real server on SQLite and PostgreSQL: one rendering per report, the same bytes
//! and strong `ETag` for everyone, 304, HEAD, precompressed encodings, a CSP whose hashes are
//! exactly the page's inline scripts and no nonce; unfinished reports, logged-in viewers and
//! re-run scans stay dynamic.

use std::{collections::BTreeSet, io::Read as _, time::Duration};

use base64::Engine as _;
use reqwest::header;
use sea_orm::{EntityTrait, Set};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{self, app_with_github, github, register, wait_finished, Db, TestApp, Via};
use app::server::entities::scan;

const PUBLIC: &str = "public, max-age=300, stale-while-revalidate=86400";

async fn scan_repo(app: &TestApp, key: &str, repo: &str) -> String {
    let res = common::post_scan(app, key, json!({"url": repo, "fresh": true})).await;
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `GET` as a client that takes no encoding, so the bytes are the page's own.
/// What an admin's re-run of a finished scan does to it, as far as caches see: the record back
/// to `queued`, and this process told that a finished scan was reopened. (The real re-run
/// refuses a completed scan's job, so the test sets the record itself.)
async fn reopen_as_a_rerun(app: &TestApp, id: &str) {
    scan::Entity::update(scan::ActiveModel {
        id: Set(id.to_string()),
        status: Set(app::status::ScanStatus::Queued),
        completed_at: Set(None),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap();
    app::server::scans::lifecycle::note_finished_reopened();
}

async fn get_plain(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header(header::ACCEPT_ENCODING, "identity")
        .send()
        .await
        .unwrap()
}

fn h(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_string()
}

/// Every value of a header, joined as one list.
fn all(res: &reqwest::Response, name: &str) -> String {
    let values: Vec<_> = res
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    values.join(", ")
}

/// The `'sha256-…'` of every inline script, found the simple way: from each `<script` to
/// the `>` ending its tag and on to the next `</script>`, skipping tags with a `src`.
fn inline_script_hashes(html: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in html.match_indices("<script") {
        let tag_end = at + html[at..].find('>').unwrap();
        let tag = &html[at..tag_end];
        let close = tag_end + 1 + html[tag_end + 1..].find("</script>").unwrap();
        if tag.contains(" src=") {
            continue;
        }
        let text = &html[tag_end + 1..close];
        let digest = Sha256::digest(text.as_bytes());
        out.insert(format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
    }
    out
}

fn script_src(csp: &str) -> String {
    csp.split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .expect("script-src")
        .to_string()
}

async fn completed_reports_are_static_content(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.set_archive_delay(Duration::from_millis(1500));
    let (_, key) = register(&app, "static@acme.example").await;
    let id = scan_repo(&app, &key, "acme/orbit").await;
    let path = format!("/report/{id}");

    // Running: the page changes, so it is rendered per request with its nonce, and no cache
    // may keep it.
    let res = get_plain(&app, &path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(h(&res, "cache-control"), "no-cache");
    assert!(res.headers().get("etag").is_none());
    assert!(h(&res, "content-security-policy").contains("'nonce-"));
    assert!(res.text().await.unwrap().contains("data-testid=\"live-progress\""));

    wait_finished(&app, &id).await;

    // Completed: the same bytes and validator for everyone, which a CDN may keep.
    let first = get_plain(&app, &path).await;
    assert_eq!(first.status(), 200);
    assert_eq!(h(&first, "cache-control"), PUBLIC);
    assert!(h(&first, "content-type").starts_with("text/html"));
    let etag = h(&first, "etag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 20,
        "strong: {etag}"
    );
    assert_eq!(h(&first, "vary"), "accept-encoding", "what CDNs store");
    // The security headers of every page are there too; nothing per request is.
    assert_eq!(h(&first, "x-frame-options"), "DENY");
    assert_eq!(h(&first, "x-content-type-options"), "nosniff");
    assert_eq!(h(&first, "referrer-policy"), "strict-origin-when-cross-origin");
    assert!(first.headers().get("set-cookie").is_none());
    assert!(first.headers().get("x-request-id").is_none());
    let csp = h(&first, "content-security-policy");
    assert!(!csp.contains("nonce"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    let scripts = script_src(&csp);
    assert!(!scripts.contains("unsafe-inline"), "{csp}");
    let length: usize = h(&first, "content-length").parse().unwrap();
    let body = first.bytes().await.unwrap();
    assert_eq!(body.len(), length);
    let html = std::str::from_utf8(&body).unwrap();
    assert!(!html.contains("nonce="), "no nonce in the cached page");
    assert!(html.contains("data-testid=\"verdict\""));
    // Exactly the page's inline scripts are allowed (the hydration script among them).
    let in_page = inline_script_hashes(html);
    assert!(!in_page.is_empty() && html.contains("mod.hydrate()"));
    let allowed: BTreeSet<String> = scripts
        .split_whitespace()
        .filter(|s| s.starts_with("'sha256-"))
        .map(str::to_string)
        .collect();
    assert_eq!(allowed, in_page);

    // Again: identical bytes, identical validator.
    let again = get_plain(&app, &path).await;
    assert_eq!(h(&again, "etag"), etag);
    assert_eq!(h(&again, "content-security-policy"), csp);
    assert_eq!(again.bytes().await.unwrap(), body);

    // Revalidation: 304, no body.
    let res = app
        .client
        .get(app.url(&path))
        .header(header::ACCEPT_ENCODING, "identity")
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(h(&res, "etag"), etag);
    assert_eq!(h(&res, "cache-control"), PUBLIC);
    assert!(res.bytes().await.unwrap().is_empty());
    let res = app
        .client
        .get(app.url(&path))
        .header(header::ACCEPT_ENCODING, "identity")
        .header(header::IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // HEAD: the same headers, no body.
    let res = app
        .client
        .head(app.url(&path))
        .header(header::ACCEPT_ENCODING, "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(h(&res, "etag"), etag);
    assert_eq!(h(&res, "content-length"), length.to_string());
    assert!(res.bytes().await.unwrap().is_empty());

    // Encodings are made once and have validators of their own; they decode to the same page.
    let res = app.client.get(app.url(&path)).send().await.unwrap(); // reqwest asks for gzip
    let gz_etag = h(&res, "etag");
    assert!(gz_etag.ends_with("-gzip\"") && gz_etag != etag, "{gz_etag}");
    assert_eq!(res.bytes().await.unwrap(), body, "gzip decodes to the page");
    let res = app
        .client
        .get(app.url(&path))
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(h(&res, "content-encoding"), "br");
    let br_etag = h(&res, "etag");
    assert!(br_etag.ends_with("-br\""), "{br_etag}");
    let compressed = res.bytes().await.unwrap();
    assert!(compressed.len() < body.len());
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&compressed[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, body, "brotli decodes to the page");

    // The `/v1` twin is kept as a page of its own, cached the same way.
    let res = get_plain(&app, &format!("/v1/report/{id}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(h(&res, "cache-control"), PUBLIC);
    assert!(!h(&res, "content-security-policy").contains("nonce"));

    // A logged-in viewer sees their own header: rendered for them, kept by nobody.
    let viewer = common::browser();
    let res = common::call_from(
        &app,
        &viewer,
        "/login",
        "/api/auth/login",
        &[("email", "static@acme.example"), ("password", "hunter2hunter2")],
        Via::Script,
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = viewer.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(h(&res, "cache-control"), "private, no-cache");
    assert!(res.headers().get("etag").is_none());
    assert!(h(&res, "content-security-policy").contains("'nonce-"));
    let html = res.text().await.unwrap();
    assert!(html.contains("data-testid=\"logout\""), "the viewer's own header");
    assert!(
        !body_contains(&body, "data-testid=\"logout\""),
        "the cached page is anonymous"
    );

    // Unknown ids stay the 404 page.
    let res = get_plain(&app, "/report/00000000000000000000000000000000").await;
    assert_eq!(res.status(), 404);
    assert_eq!(h(&res, "cache-control"), "no-cache");

    // A completed scan that an admin re-runs (its record back to `queued`) leaves the cache
    // at once: its page follows the new run.
    reopen_as_a_rerun(&app, &id).await;
    let res = get_plain(&app, &path).await;
    assert_eq!(h(&res, "cache-control"), "no-cache");
    assert!(res.text().await.unwrap().contains("data-testid=\"live-progress\""));

    // The static surfaces are counted under their route patterns.
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for series in [
        r#"http_requests_total{method="GET",route="/report/{id}",status="200"}"#,
        r#"http_requests_total{method="GET",route="/report/{id}",status="304"}"#,
    ] {
        assert!(metrics.contains(series), "{series}");
    }
    app.stop().await;
}

fn body_contains(body: &[u8], needle: &str) -> bool {
    std::str::from_utf8(body).unwrap().contains(needle)
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
        let vary = if path.starts_with("/v1") {
            "accept-encoding, origin, access-control-request-method, access-control-request-headers"
        } else {
            "accept-encoding"
        };
        assert_eq!(all(&res, "vary"), vary, "{path}");
        let svg = res.bytes().await.unwrap();
        assert!(body_contains(&svg, "<svg"));
        let head = app
            .client
            .head(app.url(path))
            .header(header::ACCEPT_ENCODING, "identity")
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(h(&head, "etag"), etag);
        assert_eq!(h(&head, "content-length"), svg.len().to_string());
        // Precompressed: brotli with a validator of its own, 304 on it, the same SVG decoded.
        let br = app
            .client
            .get(app.url(path))
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(h(&br, "content-encoding"), "br", "{path}");
        let br_etag = h(&br, "etag");
        assert!(br_etag.ends_with("-br\"") && br_etag != etag, "{br_etag}");
        assert_eq!(h(&br, "x-frame-options"), "DENY");
        let mut decoded = Vec::new();
        brotli::Decompressor::new(&br.bytes().await.unwrap()[..], 4096)
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, svg);
        let again = app
            .client
            .get(app.url(path))
            .header(header::ACCEPT_ENCODING, "br")
            .header(header::IF_NONE_MATCH, &br_etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(h(&again, "etag"), br_etag);
        assert_eq!(h(&again, "x-content-type-options"), "nosniff");
        assert!(again.bytes().await.unwrap().is_empty());
    }
    // A cached badge answers before routing, but never past what `/v1` checks: a key that is
    // sent is still verified (a bogus one is refused), and a browser `Origin` still gets CORS.
    let res = app
        .client
        .get(app.url("/v1/badge/acme/lean.svg"))
        .bearer_auth("aura_pk_not_a_real_key")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(common::error_code(res).await, "unauthorized");
    let res = app
        .client
        .get(app.url("/v1/badge/acme/lean.svg"))
        .header(header::ORIGIN, "https://not-registered.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_eq!(
        all(&res, "vary"),
        "accept-encoding, origin, access-control-request-method, access-control-request-headers",
        "the same validators and Vary as the answer from memory"
    );
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

/// A completed scan's API record is kept in memory like its report: read once, served from
/// there (a key is still checked and metered), and dropped at once when an admin re-runs it.
async fn completed_scan_records_are_read_once(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/record", github::healthy_repo(2));
    gh.set_archive_delay(Duration::from_millis(800));
    let (_, key) = register(&app, "records@acme.example").await;
    let id = scan_repo(&app, &key, "acme/record").await;
    let path = format!("/v1/scan/{id}");
    let read = |bearer: Option<&str>| {
        let mut req = app.client.get(app.url(&path));
        if let Some(k) = bearer {
            req = req.bearer_auth(k);
        }
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(h(&res, "content-type"), "application/json");
            let limited = res.headers().contains_key("x-ratelimit-remaining");
            (res.json::<Value>().await.unwrap(), limited)
        }
    };

    // Running: each read is the record as it is now.
    let (running, _) = read(None).await;
    assert_ne!(running["status"], "completed");
    wait_finished(&app, &id).await;

    let (first, _) = read(None).await;
    assert_eq!(first["status"], "completed");
    assert!(first["result"]["score"].is_number(), "{first}");
    // The record changes under the cache without a re-run (what no code path does): the kept
    // JSON is served, with or without a key, and a key is still checked and metered.
    scan::Entity::update(scan::ActiveModel {
        id: Set(id.clone()),
        progress: Set(42),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap();
    let (again, limited) = read(Some(&key)).await;
    assert_eq!(again, first, "served from memory");
    assert!(limited, "a key on a kept record is still metered");
    let res = app
        .client
        .get(app.url(&path))
        .bearer_auth("aura_pk_not_a_key")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a bogus key is refused on a kept record");

    // An admin re-runs it (the record back to `queued`): the next read follows the record.
    reopen_as_a_rerun(&app, &id).await;
    let (rerun, _) = read(Some(&key)).await;
    assert_eq!(rerun["status"], "queued", "{rerun}");
    assert!(rerun["completed_at"].is_null());
    app.stop().await;
}

on_both_kinds!(
    completed_reports_are_static_content,
    cached_badges_take_the_lean_path,
    completed_scan_records_are_read_once
);
