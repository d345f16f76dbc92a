//! Public surfaces through the real server, on SQLite and PostgreSQL: report pages and their
//! OpenGraph tags, the PNG card, oEmbed, badges (scanning → score, ETag/304, invalid, per
//! address limit), the embed widget and its per-partner `frame-ancestors`, and hostile
//! repository data rendered inert everywhere. Real scans run against the GitHub stand-in.

use crate::common;

// Completed reports as static content, and the lean path of badges.
mod static_content;

use std::time::Duration;

use crate::common::{app_with_github, github, post_scan, register, spawn_with, wait_finished, Db, TestApp, Via};
use app::server::entities::{account, scan, usage_event};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};

async fn scan_repo(app: &TestApp, key: &str, repo: &str) -> String {
    let res = app
        .client
        .post(app.url("/v1/scan/repo"))
        .bearer_auth(key)
        .json(&json!({"url": repo, "fresh": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `content` of the `<meta {attr}="{name}" …>` tag, unescaped.
fn meta(html: &str, attr: &str, name: &str) -> Option<String> {
    let needle = format!("{attr}=\"{name}\"");
    html.match_indices("<meta ").find_map(|(i, _)| {
        let tag = &html[i..i + html[i..].find('>')?];
        if !tag.contains(&needle) {
            return None;
        }
        let start = tag.find("content=\"")? + 9;
        let end = start + tag[start..].find('"')?;
        Some(unescape(&tag[start..end]))
    })
}

/// The `href` of the `<link rel="{rel}" …>` tag.
fn link(html: &str, rel: &str) -> Option<String> {
    let needle = format!("rel=\"{rel}\"");
    html.match_indices("<link ").find_map(|(i, _)| {
        let tag = &html[i..i + html[i..].find('>')?];
        if !tag.contains(&needle) {
            return None;
        }
        let start = tag.find("href=\"")? + 6;
        let end = start + tag[start..].find('"')?;
        Some(unescape(&tag[start..end]))
    })
}

/// The text directly inside the element carrying `data-testid="{id}"`.
fn testid_text(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("data-testid=\"{id}\""))?;
    let start = at + html[at..].find('>')? + 1;
    let end = start + html[start..].find('<')?;
    Some(unescape(&html[start..end]))
}

fn frame_ancestors(res: &reqwest::Response) -> String {
    let csp = res
        .headers()
        .get("content-security-policy")
        .expect("CSP")
        .to_str()
        .unwrap()
        .to_string();
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .expect("frame-ancestors")
        .to_string()
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

async fn landing_scan_box(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let visitor = common::browser();
    let post = |repo: &str, via: Via| {
        let (app, visitor, repo) = (&app, &visitor, repo.to_string());
        async move { common::call_from(app, visitor, "/", "/api/scan/visitor", &[("repo", repo.as_str())], via).await }
    };
    // No JavaScript: a form post answered by a redirect to the report page, which follows it.
    let res = post("https://github.com/acme/orbit", Via::Form).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let id = location.strip_prefix("/report/").expect("the report page").to_string();
    assert_eq!(get(&app, &location).await.status(), 200);
    wait_finished(&app, &id).await;
    // The same repository again reuses the fresh result, whoever asks.
    let res = post("acme/orbit", Via::Form).await;
    assert_eq!(res.headers()["location"].to_str().unwrap(), location);

    // A bad link comes back to the form with the server's own (signed) message.
    let res = post("not a repository", Via::Form).await;
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.contains("__err=") && back.contains("__sig="), "{back}");
    let res = post("not a repository", Via::Script).await;
    assert_eq!(res.status(), 422);

    // New scans are budgeted per address (10 an hour, acme/orbit was the first); the report
    // of a known one stays reachable.
    for i in 0..9 {
        let res = post(&format!("acme/new-{i}"), Via::Script).await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{i}: {}",
            res.status()
        );
    }
    let res = post("acme/one-too-many", Via::Script).await;
    assert_eq!(res.status(), 429);
    let res = post("acme/orbit", Via::Form).await;
    assert_eq!(res.headers()["location"].to_str().unwrap(), location);

    // The landing page carries the box, prefilled from `?repo=` (the "Scan it now" link).
    let html = get(&app, "/?repo=acme/never-scanned").await.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"scan-box-submit\"") && html.contains("value=\"acme/never-scanned\""),
        "{html}"
    );
    app.stop().await;
}

async fn report_page_card_and_oembed(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.set_archive_delay(Duration::from_millis(1500));
    let (_, key) = register(&app, "bot@acme.example").await;
    let id = scan_repo(&app, &key, "acme/orbit").await;

    // While it runs: the page says so and carries the live progress bar.
    let res = get(&app, &format!("/report/{id}")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("data-testid=\"live-progress\""), "{html}");
    assert_eq!(
        meta(&html, "property", "og:title").unwrap(),
        "AuraSecurity: acme/orbit — scan in progress"
    );

    let done = wait_finished(&app, &id).await;
    let r = &done["result"];
    let (score, grade, verdict) = (
        r["score"].as_u64().unwrap(),
        r["grade"].as_str().unwrap(),
        r["verdict"].as_str().unwrap(),
    );
    let report_url = format!("{}/report/{id}", app.config.public_url);
    let card_url = format!("{report_url}/card.png");

    // The stable link shows the same report: `/report/github/{owner}/{repo}`, any case.
    for path in [
        format!("/report/{id}"),
        format!("/v1/report/{id}"),
        "/report/github/acme/orbit".to_string(),
        "/report/github/Acme/Orbit".to_string(),
    ] {
        let res = get(&app, &path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_eq!(res.headers()["x-frame-options"], "DENY");
        assert_eq!(frame_ancestors(&res), "'none'");
        let html = res.text().await.unwrap();
        let title = format!("AuraSecurity: acme/orbit — {score}/100 {verdict}");
        assert_eq!(meta(&html, "property", "og:title").unwrap(), title);
        assert_eq!(
            meta(&html, "property", "og:description").unwrap(),
            r["summary"].as_str().unwrap()
        );
        assert_eq!(meta(&html, "property", "og:url").unwrap(), report_url);
        assert_eq!(meta(&html, "property", "og:image").unwrap(), card_url);
        assert_eq!(meta(&html, "property", "og:site_name").unwrap(), "AuraSecurity");
        assert_eq!(meta(&html, "name", "twitter:card").unwrap(), "summary_large_image");
        assert!(meta(&html, "name", "theme-color").is_some());
        assert_eq!(link(&html, "canonical").unwrap(), report_url);
        let oembed = link(&html, "alternate").unwrap();
        assert!(html.contains("type=\"application/json+oembed\""));
        assert!(
            oembed.starts_with(&format!("{}/oembed?url=", app.config.public_url)),
            "{oembed}"
        );
        // The report itself, readable as HTML: score, grade, verdict, every check.
        assert_eq!(
            testid_text(&html, "score").unwrap(),
            score.to_string(),
            "score in the dial"
        );
        assert!(
            html.contains(&format!("Grade {grade}")) || html.contains(&format!("Grade <!>{grade}")),
            "grade"
        );
        assert_eq!(testid_text(&html, "verdict").unwrap(), verdict);
        for c in r["checks"].as_array().unwrap() {
            assert!(html.contains(&unescape_free(c["name"].as_str().unwrap())), "check {c}");
        }
        assert!(html.contains("How is this scored?"));
        assert!(
            html.contains(&format!(
                "[![AuraSecurity]({0}/badge/acme/orbit.svg)]({0}/report/github/acme/orbit)",
                app.config.public_url
            )),
            "badge markdown links to the stable report: {path}"
        );
    }
    // A re-scan moves the stable link to the newer report.
    let res = post_scan(&app, &key, json!({"url": "acme/orbit", "fresh": true})).await;
    assert_eq!(res.status(), 202);
    let newer = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_finished(&app, &newer).await;
    let html = get(&app, "/report/github/acme/orbit").await.text().await.unwrap();
    assert_eq!(
        link(&html, "canonical").unwrap(),
        format!("{}/report/{newer}", app.config.public_url)
    );
    // Never scanned, or not a GitHub repository name: the 404 page, offering a scan.
    for path in ["/report/github/acme/never-scanned", "/report/github/a%20b/c"] {
        let res = get(&app, path).await;
        assert_eq!(res.status(), 404, "{path}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("No report yet") && html.contains("data-testid=\"offer-scan\""),
            "{path}: {html}"
        );
    }

    // The card: a real 1200×630 PNG, cached, with validators.
    let res = get(&app, &format!("/report/{id}/card.png")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("max-age="));
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let png = res.bytes().await.unwrap();
    assert_eq!(png_size(&png), (1200, 630));
    let again = get(&app, &format!("/v1/report/{id}/card.png"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(again, png, "served from the cache, byte for byte");
    let res = app
        .client
        .get(app.url(&format!("/report/{id}/card.png")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    // oEmbed: the card as a photo.
    let res = app
        .client
        .get(app.url("/oembed"))
        .query(&[("url", report_url.as_str()), ("format", "json")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let o: Value = res.json().await.unwrap();
    assert_eq!(o["version"], "1.0");
    assert_eq!(o["type"], "photo");
    assert_eq!(o["url"], card_url.as_str());
    assert_eq!((o["width"].as_u64(), o["height"].as_u64()), (Some(1200), Some(630)));
    assert_eq!(o["thumbnail_url"], card_url.as_str());
    assert_eq!(
        (o["thumbnail_width"].as_u64(), o["thumbnail_height"].as_u64()),
        (Some(1200), Some(630)),
        "the card's own size"
    );
    assert_eq!(o["title"], format!("AuraSecurity: acme/orbit — {score}/100 {verdict}"));
    assert_eq!(o["provider_name"], "AuraSecurity");
    let small: Value = app
        .client
        .get(app.url("/oembed"))
        .query(&[("url", report_url.as_str()), ("maxwidth", "600")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (small["width"].as_u64(), small["height"].as_u64()),
        (Some(600), Some(315))
    );
    let res = app
        .client
        .get(app.url("/oembed"))
        .query(&[("url", report_url.as_str()), ("format", "xml")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 501);
    let res = app
        .client
        .get(app.url("/oembed"))
        .query(&[("url", "https://elsewhere.example/report/0123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // Unknown and malformed ids: the 404 page, with a 404 status; no card either.
    for bad in ["00000000000000000000000000000000", "not-an-id"] {
        let res = get(&app, &format!("/report/{bad}")).await;
        assert_eq!(res.status(), 404, "{bad}");
        assert!(res.text().await.unwrap().contains("Report not found"));
        assert_eq!(get(&app, &format!("/report/{bad}/card.png")).await.status(), 404);
    }
    app.stop().await;
}

/// Check names are plain words; this only guards against an accidental entity in the test.
fn unescape_free(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

async fn badges_scan_then_score(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(2));
    gh.set_archive_delay(Duration::from_millis(800));

    // No result yet: a scan is queued (attributed to no account) and the badge says so.
    let res = get(&app, "/badge/Acme/Orbit.svg").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let cc = res.headers()["cache-control"].to_str().unwrap().to_string();
    assert!(cc.starts_with("max-age=") && cc != "max-age=3600", "short-lived: {cc}");
    assert!(res.headers().get("etag").is_none());
    assert!(res.text().await.unwrap().contains("scanning"));
    // A second view joins the scan in flight instead of queuing another.
    assert!(get(&app, "/v1/badge/acme/orbit.svg")
        .await
        .text()
        .await
        .unwrap()
        .contains("scanning"));
    let scans = scan::Entity::find()
        .filter(scan::Column::Target.eq("acme/orbit"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(scans.len(), 1, "one scan for both views");
    assert_eq!(scans[0].account_id, None);
    let done = wait_finished(&app, &scans[0].id).await;
    let r = &done["result"];

    let res = get(&app, "/v1/badge/acme/orbit.svg").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert_eq!(res.headers()["cache-control"], "max-age=3600");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
        "strong ETag: {etag}"
    );
    let body = res.text().await.unwrap();
    let doc = roxmltree::Document::parse(&body).expect("badge is well-formed XML");
    let value = format!(
        "{} · {} · {}",
        r["score"],
        r["grade"].as_str().unwrap(),
        r["verdict"].as_str().unwrap()
    );
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("text") && n.text() == Some(value.as_str())),
        "{value} in {body}"
    );
    assert_eq!(
        doc.root_element().attribute("aria-label"),
        Some(format!("AuraSecurity: {value}").as_str())
    );
    // Both paths, same badge; revalidation answers 304 without a body.
    let res = app
        .client
        .get(app.url("/badge/acme/orbit.svg"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    assert!(res.bytes().await.unwrap().is_empty());
    let res = app
        .client
        .get(app.url("/badge/acme/orbit.svg"))
        .header("if-none-match", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        scan::Entity::find()
            .filter(scan::Column::Target.eq("acme/orbit"))
            .count(&app.db)
            .await
            .unwrap(),
        1,
        "a fresh result queues nothing"
    );

    // Invalid names: the invalid badge, never an error.
    for bad in [
        "/badge/acme/orbit.png",
        "/badge/a%20b/c.svg",
        "/v1/badge/..%2F..%2Fetc/passwd.svg",
        "/badge/https:/x.svg",
        "/badge/acme/.svg",
    ] {
        let res = get(&app, bad).await;
        assert_eq!(res.status(), 200, "{bad}");
        assert_eq!(res.headers()["content-type"], "image/svg+xml");
        let body = res.text().await.unwrap();
        roxmltree::Document::parse(&body).unwrap();
        assert!(body.contains(">invalid<"), "{bad}: {body}");
    }

    // New scans through badges are limited per address: 30 an hour, one of them acme/orbit's.
    let mut statuses = Vec::new();
    for i in 0..30 {
        statuses.push(get(&app, &format!("/badge/nobody/repo{i}.svg")).await.status().as_u16());
    }
    assert!(statuses[..29].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[29], 429);
    // Writing `X-Forwarded-For` buys no new budget: no proxy is trusted here.
    let res = app
        .client
        .get(app.url("/badge/nobody/spoofed.svg"))
        .header("x-forwarded-for", "203.0.113.77")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    app.stop().await;
}

/// Behind a trusted reverse proxy (`AURA_TRUSTED_PROXIES`), each client has its own budget
/// instead of all of them sharing the proxy's, and a client still cannot pick its address
/// by writing the header's left part itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_client_has_its_own_badge_budget() {
    let app = common::spawn_with(Db::Sqlite, &[("AURA_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")])
        .await
        .unwrap();
    let badge = |repo: String, forwarded: &'static str| {
        let req = app
            .client
            .get(app.url(&format!("/badge/nobody/{repo}.svg")))
            .header("x-forwarded-for", forwarded);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    for i in 0..30 {
        assert_eq!(badge(format!("a{i}"), "203.0.113.1").await, 200, "scan {i}");
    }
    assert_eq!(badge("a30".into(), "203.0.113.1").await, 429);
    // What the client wrote, then what our proxies appended: the client is 203.0.113.1.
    assert_eq!(badge("a31".into(), "203.0.113.2, 203.0.113.1, 10.0.0.7").await, 429);
    // Another client behind the same proxy.
    assert_eq!(badge("b0".into(), "203.0.113.2").await, 200);
    app.stop().await;
}

/// A completed scan written directly, with hostile text wherever repository data goes.
async fn insert_hostile(app: &TestApp, target: &str) -> String {
    let id = common::random_hex(16);
    let result = json!({
        "score": 42, "grade": "D", "verdict": "RISKY",
        "summary": "<script>alert('summary')</script> a wallet SDK\" onmouseover=\"alert(1)",
        "tags": ["#<b>bold</b>"],
        "red_flags": [{"id": "x", "severity": "high", "title": "<img src=x onerror=alert(1)>", "detail": "<script>alert('detail')</script>"}],
        "green_flags": [{"id": "y", "severity": "info", "title": "<svg onload=alert(2)>", "detail": "ok"}],
        "checks": [{"id": "readme", "name": "<iframe src=javascript:alert(3)>", "status": "fail", "points": 42, "detail": "</td><script>alert(4)</script>"}]
    });
    let now = Utc::now();
    scan::Entity::insert(scan::ActiveModel {
        id: Set(id.clone()),
        kind: Set("repo".into()),
        target: Set(target.into()),
        request: Set(json!({"kind": "repo", "target": target}).to_string()),
        account_id: Set(None),
        key_id: Set(None),
        status: Set(app::status::ScanStatus::Completed),
        progress: Set(100),
        result: Set(Some(result.to_string())),
        error: Set(None),
        callback_url: Set(None),
        attempts: Set(1),
        created_at: Set(now),
        started_at: Set(Some(now)),
        completed_at: Set(Some(now)),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    id
}

fn assert_inert(where_: &str, html: &str) {
    // (A quote in *text* is harmless; the attribute it could break is checked separately.)
    for raw in [
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "<iframe src=javascript",
        "<b>bold",
    ] {
        assert!(!html.contains(raw), "{where_}: raw `{raw}` in output");
    }
}

async fn hostile_data_is_inert(kind: Db) {
    let Some(app) = spawn_with(kind, &[]).await else { return };
    let id = insert_hostile(&app, "evil/repo").await;
    let odd = insert_hostile(&app, "evil/<script>alert('target')</script>").await;

    for path in [format!("/report/{id}"), format!("/report/{odd}")] {
        let res = get(&app, &path).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert_inert(&path, &html);
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "the flag is shown, as text"
        );
        let summary = "<script>alert('summary')</script> a wallet SDK\" onmouseover=\"alert(1)";
        assert_eq!(
            meta(&html, "property", "og:description").unwrap(),
            summary,
            "escaped in the attribute"
        );
    }

    // The badge: well-formed XML with no element but the badge's own.
    let body = get(&app, "/badge/evil/repo.svg").await.text().await.unwrap();
    let doc = roxmltree::Document::parse(&body).unwrap();
    assert!(doc.descendants().all(|n| !n.is_element()
        || [
            "svg",
            "title",
            "linearGradient",
            "stop",
            "clipPath",
            "rect",
            "g",
            "text"
        ]
        .contains(&n.tag_name().name())));
    assert!(body.contains("42 · D · RISKY"));

    // The card draws text as pixels.
    let res = get(&app, &format!("/report/{odd}/card.png")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(png_size(&res.bytes().await.unwrap()), (1200, 630));

    // The widget, for a result and for a cached scan of that repository.
    for path in [
        format!("/embed/result/{id}"),
        format!("/embed/result/{odd}"),
        "/embed/scan?repo=evil/repo&compact=true".to_string(),
    ] {
        let res = get(&app, &path).await;
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        assert_inert(&path, &html);
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{path}: top flag shown as text"
        );
    }

    // oEmbed JSON carries the target as data.
    let url = format!("{}/report/{odd}", app.config.public_url);
    let o: Value = app
        .client
        .get(app.url("/oembed"))
        .query(&[("url", url.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        o["title"],
        "AuraSecurity: evil/<script>alert('target')</script> — 42/100 RISKY"
    );
    app.stop().await;
}

async fn set_domains(app: &TestApp, account_id: &str, domains: Value) {
    let am = account::ActiveModel {
        id: Set(account_id.into()),
        allowed_domains: Set(domains.to_string()),
        ..Default::default()
    };
    account::Entity::update(am).exec(&app.db).await.unwrap();
    app.keys.changed().await;
}

async fn slug_of(app: &TestApp, account_id: &str) -> String {
    account::Entity::find_by_id(account_id.to_string())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .partner_slug
}

async fn widget_and_framing(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(3));
    gh.set_archive_delay(Duration::from_millis(800));
    let (partner_id, _) = register(&app, "terminal@acme.example").await;
    let slug = slug_of(&app, &partner_id).await;
    // The last entry is hostile: it must never reach the header.
    set_domains(
        &app,
        &partner_id,
        json!([
            "https://terminal.example",
            "http://localhost:5173",
            "https://x.example; script-src *"
        ]),
    )
    .await;
    let (bare_id, _) = register(&app, "bare@acme.example").await;
    let bare = slug_of(&app, &bare_id).await;

    // The partner's widget starts the scan (metered to the partner) and shows live progress.
    let res = get(
        &app,
        &format!("/embed/scan?repo=acme/orbit&partner={slug}&theme=light&compact=true"),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("x-frame-options").is_none());
    assert_eq!(frame_ancestors(&res), "https://terminal.example http://localhost:5173");
    let html = res.text().await.unwrap();
    assert!(html.contains("data-testid=\"live-progress\""), "{html}");
    assert!(html.contains("data-theme=\"light\""));
    assert!(html.contains("class=\"embed compact\"") || html.contains("embed compact"));
    let scans = scan::Entity::find()
        .filter(scan::Column::Target.eq("acme/orbit"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0].account_id.as_deref(), Some(partner_id.as_str()));
    let id = scans[0].id.clone();
    // A second load while it runs joins it.
    let res = get(&app, &format!("/v1/embed/scan?repo=acme/orbit&partner={slug}")).await;
    assert_eq!(frame_ancestors(&res), "https://terminal.example http://localhost:5173");
    assert_eq!(
        scan::Entity::find()
            .filter(scan::Column::Target.eq("acme/orbit"))
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
    let mut metered = 0;
    for _ in 0..50 {
        metered = usage_event::Entity::find()
            .filter(usage_event::Column::AccountId.eq(partner_id.as_str()))
            .all(&app.db)
            .await
            .unwrap()
            .iter()
            .map(|u| u.calls)
            .sum::<i32>();
        if metered >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(metered, 2, "both widget loads are metered to the partner");

    wait_finished(&app, &id).await;
    let done: Value = get(&app, &format!("/v1/scan/{id}")).await.json().await.unwrap();
    let r = &done["result"];
    let res = get(&app, &format!("/embed/scan?repo=acme/orbit&partner={slug}")).await;
    let html = res.text().await.unwrap();
    assert_eq!(testid_text(&html, "embed-score").unwrap(), r["score"].to_string());
    assert_eq!(
        testid_text(&html, "embed-verdict").unwrap(),
        r["verdict"].as_str().unwrap()
    );
    assert!(html.contains("data-theme=\"dark\""), "the partner's default theme");
    let report_url = format!("{}/report/{id}", app.config.public_url);
    assert!(
        html.contains(&format!("href=\"{report_url}\" target=\"_blank\" rel=\"noopener\"")),
        "Powered by link"
    );
    assert!(html.contains("Powered by AuraSecurity"));

    // The result widget: the scan's partner when none is named; exactly the named one else.
    let res = get(&app, &format!("/embed/result/{id}")).await;
    assert_eq!(frame_ancestors(&res), "https://terminal.example http://localhost:5173");
    assert!(res.headers().get("x-frame-options").is_none());
    let res = get(&app, &format!("/v1/embed/result/{id}?partner={bare}")).await;
    assert_eq!(frame_ancestors(&res), "'self'", "a partner without domains");
    for path in [
        "/embed/scan?repo=acme/orbit&partner=no-such-partner".to_string(),
        "/embed/scan?repo=acme/orbit".to_string(),
    ] {
        let res = get(&app, &path).await;
        assert_eq!(frame_ancestors(&res), "'self'", "{path}");
        assert!(res.headers().get("x-frame-options").is_none());
    }
    // An unknown partner can show results but not start scans.
    gh.add("acme/other", github::healthy_repo(4));
    let res = get(&app, "/embed/scan?repo=acme/other&partner=no-such-partner").await;
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("not registered"), "{html}");
    assert_eq!(
        scan::Entity::find()
            .filter(scan::Column::Target.eq("acme/other"))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    // `repo` is a GitHub owner/repo only: no scan of whatever host a framing page names.
    for bad in [
        "not%20a%20repo",
        "https%3A%2F%2Fgitlab.com%2Facme%2Forbit",
        "https%3A%2F%2F127.0.0.1%3A9%2Fa%2Fb.git",
    ] {
        let res = get(&app, &format!("/embed/scan?repo={bad}&partner={slug}")).await;
        assert_eq!(res.status(), 422, "{bad}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Name a GitHub repository as owner/name."), "{html}");
    }
    assert_eq!(
        scan::Entity::find()
            .filter(scan::Column::Target.contains("gitlab.com"))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    // An unknown result is a 404 with a readable message, still frameable by the partner.
    let res = get(
        &app,
        &format!("/embed/result/00000000000000000000000000000000?partner={slug}"),
    )
    .await;
    assert_eq!(res.status(), 404);
    assert_eq!(frame_ancestors(&res), "https://terminal.example http://localhost:5173");
    assert!(res.text().await.unwrap().contains("There is no scan with this id."));

    // Everything else keeps DENY.
    for path in [
        "/".to_string(),
        format!("/report/{id}"),
        "/badge/acme/orbit.svg".to_string(),
        "/v1/scan/00000000000000000000000000000000".to_string(),
    ] {
        let res = get(&app, &path).await;
        assert_eq!(res.headers()["x-frame-options"], "DENY", "{path}");
    }
    app.stop().await;
}

on_both_kinds!(
    landing_scan_box,
    report_page_card_and_oembed,
    badges_scan_then_score,
    hostile_data_is_inert,
    widget_and_framing
);
