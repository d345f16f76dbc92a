//! The dashboard's sections through the server functions their forms post to: each works for
//! the owner, refuses anonymous callers (401) and another account's objects (404). Requests
//! are sent as the hydrated page's server-function client sends them (form-encoded, with
//! `Origin`, answered with JSON or an error status) or as a plain HTML form (a redirect).

use crate::common;

use crate::common::{app_with_github, browser, build_with, github, post_scan, wait_finished, Db, TestApp, Via, HTML};
use reqwest::{header, Client, Response, StatusCode};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

async fn call(app: &TestApp, client: &Client, path: &str, fields: &[(&str, &str)], via: Via) -> Response {
    common::call_from(app, client, "/dashboard", path, fields, via).await
}

/// A browser logged in as a new partner.
async fn partner(app: &TestApp, email: &str) -> Client {
    let client = browser();
    let res = call(
        app,
        &client,
        "/api/auth/signup",
        &[("email", email), ("name", "Acme Terminal"), ("password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND, "{:?}", res.headers());
    client
}

async fn json(res: Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn scan_box_queues_a_scan_and_shows_its_outcome(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let owner = partner(&app, "owner@acme.example").await;

    let row = json(
        call(
            &app,
            &owner,
            "/api/scans/start",
            &[("repo", "https://github.com/acme/orbit")],
            Via::Script,
        )
        .await,
    )
    .await;
    let id = row["id"].as_str().unwrap().to_string();
    assert_eq!(row["target"], "acme/orbit");
    assert_eq!(row["status"], "queued");
    let done = wait_finished(&app, &id).await;
    assert_eq!(done["status"], "completed", "{done}");

    let got = json(call(&app, &owner, "/api/scans/get", &[("id", &id)], Via::Script).await).await;
    assert_eq!(got["status"], "completed");
    assert_eq!(got["progress"], 100);
    assert_eq!(got["score"], done["result"]["score"]);
    assert_eq!(got["grade"], done["result"]["grade"]);
    assert_eq!(got["verdict"], done["result"]["verdict"]);
    let overview = json(call(&app, &owner, "/api/scans/overview", &[], Via::Script).await).await;
    let recent = overview["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0]["id"], id.as_str());

    // Bad input is 422 with the service's message; nothing is queued.
    let res = call(
        &app,
        &owner,
        "/api/scans/start",
        &[("repo", "javascript:alert(1)")],
        Via::Script,
    )
    .await;
    assert_eq!(res.status(), 422);

    // Another account sees neither the scan nor it in its list; anonymous callers are refused.
    let other = partner(&app, "other@rival.example").await;
    assert_eq!(
        call(&app, &other, "/api/scans/get", &[("id", &id)], Via::Script)
            .await
            .status(),
        404
    );
    let theirs = json(call(&app, &other, "/api/scans/overview", &[], Via::Script).await).await;
    assert_eq!(theirs["recent"].as_array().unwrap().len(), 0);
    for (path, fields) in [
        ("/api/scans/start", vec![("repo", "acme/orbit")]),
        ("/api/scans/get", vec![("id", id.as_str())]),
        ("/api/scans/overview", vec![]),
    ] {
        assert_eq!(
            call(&app, &browser(), path, &fields, Via::Script).await.status(),
            401,
            "{path}"
        );
    }

    // Without JavaScript: the form post redirects back, and the page shows the queued scan
    // with its report link once.
    let res = call(&app, &owner, "/api/scans/start", &[("repo", "acme/orbit")], Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let html = owner
        .get(app.url("/dashboard"))
        .header(header::ACCEPT, HTML)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"live-scan\""), "{html}");
    let queued = html
        .split("data-testid=\"live-scan\" data-scan-id=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(html.contains(&format!("href=\"/report/{queued}\"")), "{html}");
    assert!(html.contains("data-testid=\"scan-row\""), "recent scans are listed");
    wait_finished(&app, &queued).await;
    app.stop().await;
}

/// The free tier allows one scan at a time; the dashboard's scans are counted per account.
async fn scan_box_applies_the_concurrent_cap(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.set_archive_delay(std::time::Duration::from_millis(1500));
    let owner = partner(&app, "busy@acme.example").await;
    let first = json(call(&app, &owner, "/api/scans/start", &[("repo", "acme/orbit")], Via::Script).await).await;
    let res = call(&app, &owner, "/api/scans/start", &[("repo", "acme/orbit")], Via::Script).await;
    assert_eq!(res.status(), 429);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("This account already has 1 scan in progress"));
    wait_finished(&app, first["id"].as_str().unwrap()).await;
    let res = call(&app, &owner, "/api/scans/start", &[("repo", "acme/orbit")], Via::Script).await;
    assert_eq!(res.status(), 200, "a slot is free again");
    // Like the API, a fresh result is reused rather than scanned again.
    assert_eq!(json(res).await["id"], first["id"]);
    // Metered under the key id `dashboard`: three calls, one of them a new scan.
    let mut usage = Vec::new();
    for _ in 0..50 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        usage = app::server::entities::usage_event::Entity::find()
            .filter(app::server::entities::usage_event::Column::KeyId.eq("dashboard"))
            .all(&app.db)
            .await
            .unwrap();
        if usage.iter().map(|u| u.calls).sum::<i32>() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(usage.iter().map(|u| u.calls).sum::<i32>(), 3, "{usage:?}");
    assert_eq!(
        usage.iter().filter(|u| u.is_scan).map(|u| u.calls).sum::<i32>(),
        1,
        "{usage:?}"
    );
    app.stop().await;
}

on_both_kinds!(
    scan_box_queues_a_scan_and_shows_its_outcome,
    scan_box_applies_the_concurrent_cap
);

/// A browser logged in as an account registered through the API, with that account's key.
async fn partner_with_key(app: &TestApp, email: &str) -> (Client, String) {
    let (_, key) = common::register(app, email).await;
    let client = browser();
    let res = call(
        app,
        &client,
        "/api/auth/login",
        &[("email", email), ("password", "hunter2hunter2")],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    (client, key)
}

fn data_uri(uri: &str, prefix: &str) -> String {
    use base64::Engine;
    let b64 = uri.strip_prefix(prefix).unwrap_or_else(|| panic!("{uri}"));
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap()
}

async fn webhooks_section(app: TestApp) {
    let owner = partner(&app, "hooks@acme.example").await;
    // Nothing listens there: deliveries fail, which is all the log needs.
    let hook = json(
        call(
            &app,
            &owner,
            "/api/webhooks/create",
            &[("url", "http://127.0.0.1:9/hook")],
            Via::Script,
        )
        .await,
    )
    .await;
    let hook_id = hook["id"].as_str().unwrap().to_string();
    assert_eq!(hook["events"], serde_json::json!(["scan_completed", "scan_failed"]));
    json(call(&app, &owner, "/api/webhooks/test", &[("id", &hook_id)], Via::Script).await).await;
    let page = json(call(&app, &owner, "/api/webhooks/overview", &[], Via::Script).await).await;
    assert_eq!(page["hooks"].as_array().unwrap().len(), 1);
    let deliveries = page["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["event"], "test");
    let delivery_id = deliveries[0]["id"].as_str().unwrap().to_string();
    // Still retrying (nothing listens): a redeliver now would only pile up jobs.
    let res = call(
        &app,
        &owner,
        "/api/webhooks/redeliver",
        &[("id", &delivery_id)],
        Via::Script,
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("already queued"));
    // Replays the test delivery if it has already failed (nothing listens), else nothing.
    let replayed = json(
        call(
            &app,
            &owner,
            "/api/webhooks/enable",
            &[("id", &hook_id), ("replay", "on")],
            Via::Script,
        )
        .await,
    )
    .await;
    assert!(replayed["replayed"].as_u64().is_some_and(|n| n <= 1), "{replayed}");
    assert_eq!(replayed["more"], false, "{replayed}");

    // The secret: revealed on demand for the password asked again (checked under the login's
    // failure budget; a wrong one is 422 and audited), rotated with a grace period from the
    // offered ones.
    let reveal = |password: &'static str| {
        let (app, owner) = (&app, &owner);
        async move {
            call(
                app,
                owner,
                "/api/webhooks/secret/reveal",
                &[("current_password", password)],
                Via::Script,
            )
            .await
        }
    };
    for res in [
        call(&app, &owner, "/api/webhooks/secret/reveal", &[], Via::Script).await,
        reveal("").await,
    ] {
        assert_eq!(res.status(), 422);
        let text = res.text().await.unwrap();
        assert!(text.contains("Enter your password"), "{text}");
    }
    let res = reveal("not my password").await;
    assert_eq!(res.status(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("The current password is wrong."), "{text}");
    assert!(!text.contains("whsec_"), "{text}");
    assert_eq!(
        audited(&app, "hooks@acme.example", "webhook.secret_reveal_failure").await,
        1
    );
    assert_eq!(audited(&app, "hooks@acme.example", "webhook.secret_reveal").await, 0);
    let first = json(reveal(PASSWORD).await).await;
    assert!(first.as_str().unwrap().starts_with("whsec_"), "{first}");
    assert_eq!(audited(&app, "hooks@acme.example", "webhook.secret_reveal").await, 1);
    let rotated = json(
        call(
            &app,
            &owner,
            "/api/webhooks/secret/rotate",
            &[("grace", "3600")],
            Via::Script,
        )
        .await,
    )
    .await;
    assert_ne!(rotated, first);
    assert_eq!(json(reveal(PASSWORD).await).await, rotated);
    assert_eq!(
        call(
            &app,
            &owner,
            "/api/webhooks/secret/rotate",
            &[("grace", "5")],
            Via::Script
        )
        .await
        .status(),
        422
    );

    // Another account cannot touch the endpoint or the delivery; anonymous callers are refused.
    let other = partner(&app, "rival@other.example").await;
    for (path, id) in [
        ("/api/webhooks/test", &hook_id),
        ("/api/webhooks/enable", &hook_id),
        ("/api/webhooks/delete", &hook_id),
        ("/api/webhooks/redeliver", &delivery_id),
    ] {
        assert_eq!(
            call(&app, &other, path, &[("id", id)], Via::Script).await.status(),
            404,
            "{path}"
        );
        assert_eq!(
            call(&app, &browser(), path, &[("id", id)], Via::Script).await.status(),
            401,
            "{path}"
        );
    }
    assert_eq!(
        json(call(&app, &other, "/api/webhooks/overview", &[], Via::Script).await).await["hooks"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        call(
            &app,
            &browser(),
            "/api/webhooks/secret/reveal",
            &[("current_password", PASSWORD)],
            Via::Script
        )
        .await
        .status(),
        401
    );
    // Another partner's password opens only that partner's own secret.
    let theirs = json(
        call(
            &app,
            &other,
            "/api/webhooks/secret/reveal",
            &[("current_password", PASSWORD)],
            Via::Script,
        )
        .await,
    )
    .await;
    assert!(theirs.as_str().unwrap().starts_with("whsec_") && theirs != rotated);

    json(call(&app, &owner, "/api/webhooks/delete", &[("id", &hook_id)], Via::Script).await).await;
    let page = json(call(&app, &owner, "/api/webhooks/overview", &[], Via::Script).await).await;
    assert_eq!(page["hooks"].as_array().unwrap().len(), 0);
}

async fn usage_section(app: TestApp) {
    let (owner, key) = partner_with_key(&app, "usage@acme.example").await;
    for _ in 0..3 {
        assert_eq!(
            app.client
                .get(app.url("/v1/auth/keys"))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    // One scan: it is metered at submission (queued here; no worker runs it).
    let scan = post_scan(&app, &key, serde_json::json!({"url": "acme/orbit"})).await;
    assert_eq!(scan.status(), 202);
    // The meter writes in the background.
    let mut u = Value::Null;
    for _ in 0..100 {
        u = json(call(&app, &owner, "/api/usage/overview", &[], Via::Script).await).await;
        if u["today"]["requests"].as_u64().unwrap() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(u["today"]["requests"], 4, "{u}");
    assert_eq!(u["today"]["scans"], 1, "{u}");
    assert_eq!(u["top_repos"][0][1], 1, "{u}");
    assert!(u["top_repos"][0][0].as_str().unwrap().contains("acme/orbit"), "{u}");
    assert_eq!(u["tier"], "free");
    assert_eq!(u["per_day"], 50);
    assert_eq!(u["daily"].as_array().unwrap().len(), 30);
    let svg = data_uri(u["chart"].as_str().unwrap(), "data:image/svg+xml;base64,");
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
    let csv = data_uri(u["csv"].as_str().unwrap(), "data:text/csv;base64,");
    assert!(csv.starts_with("date,requests,scans\n"), "{csv}");
    assert!(csv.trim_end().ends_with(",4,1"), "today is the last row: {csv}");
    assert_eq!(
        call(&app, &browser(), "/api/usage/overview", &[], Via::Script)
            .await
            .status(),
        401
    );
    let html = owner
        .get(app.url("/dashboard"))
        .header(header::ACCEPT, HTML)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"usage-chart\""), "{html}");
    assert!(
        html.contains("data-testid=\"top-repo\"") && html.contains("acme/orbit"),
        "{html}"
    );
}

async fn embed_section(app: TestApp) {
    let owner = partner(&app, "embed@acme.example").await;
    let page = json(call(&app, &owner, "/api/embed/overview", &[], Via::Script).await).await;
    assert_eq!(page["theme"], "dark");
    let fields = [
        ("domains", "https://Terminal.example/\n\n http://localhost:5173 "),
        ("theme", "light"),
    ];
    let page = json(call(&app, &owner, "/api/embed/update", &fields, Via::Script).await).await;
    assert_eq!(
        page["allowed_domains"],
        serde_json::json!(["https://terminal.example", "http://localhost:5173"])
    );
    assert_eq!(page["theme"], "light");
    let snippet = page["snippet"].as_str().unwrap();
    assert!(
        snippet.starts_with(&format!(
            "<iframe src=\"{}/embed/scan?repo=owner/repo&partner=",
            app.config.public_url
        )),
        "{snippet}"
    );
    assert!(
        snippet.contains("theme=light&compact=true\" width=\"300\" height=\"200\""),
        "{snippet}"
    );
    let res = call(
        &app,
        &owner,
        "/api/embed/update",
        &[("domains", "ftp://x.example"), ("theme", "dark")],
        Via::Script,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        call(&app, &browser(), "/api/embed/overview", &[], Via::Script)
            .await
            .status(),
        401
    );
    assert_eq!(
        call(&app, &browser(), "/api/embed/update", &fields, Via::Script)
            .await
            .status(),
        401
    );
}

const ADMIN_EMAIL: &str = "ops@aurasecurity.example";

async fn admin_browser(app: &TestApp) -> Client {
    use app::server::{accounts::admin, audit::Origin};
    admin::create_or_reset_admin(
        &app.db,
        &app.config,
        &app.keys,
        ADMIN_EMAIL,
        PASSWORD,
        "test",
        &Origin::default(),
    )
    .await
    .unwrap();
    let client = browser();
    let res = call(
        app,
        &client,
        "/api/auth/login",
        &[("email", ADMIN_EMAIL), ("password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    client
}

/// How many times `actor` was audited doing `action`.
async fn audited(app: &TestApp, actor: &str, action: &str) -> usize {
    use app::server::audit::{self, AuditQuery};
    let q = AuditQuery {
        actor: Some(actor.into()),
        action: Some(action.into()),
        ..Default::default()
    };
    audit::list(&app.db, q).await.unwrap().len()
}

async fn denied(app: &TestApp, actor: &str) -> usize {
    use app::server::audit::{self, AuditQuery};
    let q = AuditQuery {
        actor: Some(actor.into()),
        action: Some("admin.denied".into()),
        ..Default::default()
    };
    audit::list(&app.db, q).await.unwrap().len()
}

async fn admin_console(app: TestApp) {
    let admin = admin_browser(&app).await;
    let made = json(
        call(
            &app,
            &admin,
            "/api/admin/onboard",
            &[
                ("name", "Orbit Wallet"),
                ("email", "team@orbit.example"),
                ("tier", "pro"),
                ("domains", "https://orbit.example"),
            ],
            Via::Script,
        )
        .await,
    )
    .await;
    assert!(made["api_key"].as_str().unwrap().starts_with("aura_pk_pro_"), "{made}");
    assert!(made["webhook_secret"].as_str().unwrap().starts_with("whsec_"));
    assert!(made["invite_url"].as_str().unwrap().contains("/invite/"));
    let id = made["account_id"].as_str().unwrap().to_string();

    json(
        call(
            &app,
            &admin,
            "/api/admin/partner/update",
            &[("id", &id), ("tier", "partner")],
            Via::Script,
        )
        .await,
    )
    .await;
    json(
        call(
            &app,
            &admin,
            "/api/admin/partner/update",
            &[("id", &id), ("status", "suspended")],
            Via::Script,
        )
        .await,
    )
    .await;
    let page = json(call(&app, &admin, "/api/admin/partners", &[], Via::Script).await).await;
    let row = page["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (row["tier"].as_str(), row["status"].as_str()),
        (Some("partner"), Some("suspended"))
    );
    let bad = call(
        &app,
        &admin,
        "/api/admin/partner/update",
        &[("id", &id), ("tier", "gold")],
        Via::Script,
    )
    .await;
    assert_eq!(bad.status(), 422);
    let missing = call(
        &app,
        &admin,
        "/api/admin/partner/update",
        &[("id", "nope"), ("tier", "pro")],
        Via::Script,
    )
    .await;
    assert_eq!(missing.status(), 404);

    let log = json(
        call(
            &app,
            &admin,
            "/api/admin/audit",
            &[("action", "partner.update")],
            Via::Script,
        )
        .await,
    )
    .await;
    assert_eq!(log.as_array().unwrap().len(), 2, "{log}");
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["actor"] == ADMIN_EMAIL && r["target"] == id.as_str()));
    assert_eq!(
        json(call(&app, &admin, "/api/admin/jobs/dead", &[], Via::Script).await).await,
        serde_json::json!([])
    );
    assert_eq!(
        call(&app, &admin, "/api/admin/jobs/rerun", &[("id", "999999")], Via::Script)
            .await
            .status(),
        404
    );
    let html = admin
        .get(app.url("/admin"))
        .header(header::ACCEPT, HTML)
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 200);
    assert!(html.text().await.unwrap().contains("data-testid=\"partner-row\""));

    // A partner is refused everywhere with 403, and every attempt is audited.
    let partner = partner(&app, "curious@acme.example").await;
    let attempts: [(&str, Vec<(&str, &str)>); 6] = [
        ("/api/admin/partners", vec![]),
        (
            "/api/admin/onboard",
            vec![
                ("name", "X"),
                ("email", "x@x.example"),
                ("tier", "internal"),
                ("domains", ""),
            ],
        ),
        (
            "/api/admin/partner/update",
            vec![("id", id.as_str()), ("status", "active")],
        ),
        ("/api/admin/audit", vec![]),
        ("/api/admin/jobs/dead", vec![]),
        ("/api/admin/jobs/rerun", vec![("id", "1")]),
    ];
    for (n, (path, fields)) in attempts.iter().enumerate() {
        let res = call(&app, &partner, path, fields, Via::Script).await;
        assert_eq!(res.status(), 403, "{path}");
        assert_eq!(denied(&app, "curious@acme.example").await, n + 1, "{path} is audited");
        assert_eq!(
            call(&app, &browser(), path, fields, Via::Script).await.status(),
            401,
            "{path}"
        );
    }
    let res = partner
        .get(app.url("/admin"))
        .header(header::ACCEPT, HTML)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("data-testid=\"admin-forbidden\""));
    assert_eq!(denied(&app, "curious@acme.example").await, 7);
    let row = app::server::accounts::get(&app.db, &id).await.unwrap();
    assert_eq!(row.status, "suspended", "the partner's update was not applied");
    let res = browser()
        .get(app.url("/admin"))
        .header(header::ACCEPT, HTML)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "anonymous visitors are sent to log in"
    );
}

on_both_databases!(webhooks_section, usage_section, embed_section, admin_console);

/// Server renders of the session pages, many at once: each must arrive whole and soon. Leptos resolves every section's `<Suspense>` before sending these
/// pages, and races there once left a response stalled mid-body; this looks for that.
async fn pages_render_whole_under_concurrency(app: TestApp) {
    let admin = admin_browser(&app).await;
    let partner = partner(&app, "busy@acme.example").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..240 {
        let (client, path) = if i % 2 == 0 {
            (admin.clone(), "/admin")
        } else {
            (partner.clone(), "/dashboard")
        };
        let url = app.url(path);
        tasks.spawn(async move {
            let send = client.get(&url).header(header::ACCEPT, HTML).send();
            let res = tokio::time::timeout(std::time::Duration::from_secs(20), async {
                let res = send.await.unwrap();
                (res.status(), res.text().await.unwrap_or_default())
            })
            .await;
            (path, res)
        });
        if tasks.len() >= 8 {
            check_render(tasks.join_next().await.unwrap().unwrap());
        }
    }
    while let Some(done) = tasks.join_next().await {
        check_render(done.unwrap());
    }
}

fn check_render((path, res): (&str, Result<(StatusCode, String), tokio::time::error::Elapsed>)) {
    let (status, html) = res.unwrap_or_else(|_| panic!("{path}: no complete answer within 20 s"));
    assert_eq!(status, 200, "{path}: {html}");
    // Leptos appends its resource scripts after `</html>`; the last one closes the stream.
    assert!(
        html.contains("</html>") && html.contains("__INCOMPLETE_CHUNKS=[]"),
        "{path} stopped mid-body: {html}"
    );
}

on_both_databases!(pages_render_whole_under_concurrency);

/// Pages render whole while other apps start in the same process, as they do in every test
/// binary. Leptos makes its route list by rendering the app with resource loading switched
/// off through a process-wide flag; a page that created its resources meanwhile waited on
/// them forever (leptos-rs/leptos#4773). Here another app's router is built over and over
/// while the session pages render.
async fn pages_render_while_another_app_builds_its_router(app: TestApp) {
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };
    let admin = admin_browser(&app).await;
    let partner = partner(&app, "busy@acme.example").await;
    let (other, _dir) = build_with(Db::Sqlite, &[]).await.unwrap();
    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let stop = StopOnDrop(Arc::new(AtomicBool::new(false)));
    let builder = tokio::task::spawn_blocking({
        let (state, stop) = (other.state.clone(), stop.0.clone());
        move || {
            let mut built = 0u32;
            while !stop.load(Ordering::Relaxed) {
                drop(server::routes::router(state.clone()));
                built += 1;
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            built
        }
    });
    for i in 0..40 {
        let (client, path) = if i % 2 == 0 {
            (&admin, "/admin")
        } else {
            (&partner, "/dashboard")
        };
        let res = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            let res = client
                .get(app.url(path))
                .header(header::ACCEPT, HTML)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap_or_default())
        })
        .await;
        check_render((path, res));
    }
    drop(stop);
    assert!(builder.await.unwrap() > 0);
}

on_both_databases!(pages_render_while_another_app_builds_its_router);
