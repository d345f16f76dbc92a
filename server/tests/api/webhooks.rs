//! Outbound webhooks through the real server and a real HTTP receiver on loopback: contract
//! body and headers, both signatures (checked with the documented Rust, Python and Node
//! examples), retries, restarts mid-schedule, redelivery, rotation, endpoint health,
//! tenancy, and the SSRF guard, on SQLite and PostgreSQL.

use std::time::Duration;

use crate::verify_webhook;

use crate::common::{github, receiver, register, set_tier, spawn_with, wait_finished, Db, TestApp};
use serde_json::{json, Value};

struct Partner {
    key: String,
    secret: String,
}

async fn partner(app: &TestApp, email: &str) -> Partner {
    let res = app
        .client
        .post(app.url("/v1/auth/register"))
        .json(&json!({"email": email, "password": "hunter2hunter2", "name": "Acme Bot"}))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    set_tier(app, v["account_id"].as_str().unwrap(), "internal").await;
    Partner {
        key: v["api_key"].as_str().unwrap().into(),
        secret: v["webhook_secret"].as_str().unwrap().into(),
    }
}

async fn setup(kind: Db, extra: &[(&str, &str)]) -> Option<(TestApp, github::GitHub, receiver::Receiver)> {
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    let api = gh.api_url();
    let mut env = vec![("AURA_GITHUB_API_URL", api.as_str())];
    env.extend_from_slice(extra);
    let app = spawn_with(kind, &env).await?;
    Some((app, gh, receiver::start().await))
}

async fn add_webhook(app: &TestApp, key: &str, url: &str, events: Option<Value>) -> Value {
    let mut body = json!({"url": url});
    if let Some(e) = events {
        body["events"] = e;
    }
    let res = app
        .client
        .post(app.url("/v1/webhooks"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    res.json().await.unwrap()
}

async fn scan(app: &TestApp, key: &str, body: Value) -> String {
    let res = app
        .client
        .post(app.url("/v1/scan/repo"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202, "{:?}", res.text().await);
    let id = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_finished(app, &id).await;
    id
}

async fn deliveries(app: &TestApp, key: &str) -> Vec<Value> {
    app.client
        .get(app.url("/v1/webhooks/deliveries"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn wait_delivery(app: &TestApp, key: &str, id: &str, status: &str) -> Value {
    for _ in 0..300 {
        if let Some(d) = deliveries(app, key)
            .await
            .into_iter()
            .find(|d| d["id"] == id && d["status"] == status)
        {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("delivery {id} never became {status}: {:?}", deliveries(app, key).await);
}

fn verifies(secret: &str, c: &receiver::Captured) -> bool {
    let now = chrono::Utc::now().timestamp();
    verify_webhook::verify_aura(secret, &c.body, c.header("x-aurasecurity-signature"))
        && verify_webhook::verify_standard(
            secret,
            c.header("webhook-id"),
            c.header("webhook-timestamp"),
            &c.body,
            c.header("webhook-signature"),
            now,
            300,
        )
}

async fn signed_deliveries_follow_the_contract(kind: Db) {
    let Some((app, _gh, rx)) = setup(kind, &[]).await else {
        return;
    };
    let p = partner(&app, "bot@acme.example").await;
    let hook = add_webhook(&app, &p.key, &rx.url("/hook"), None).await;
    assert_eq!(hook["events"], json!(["scan_completed", "scan_failed"]));
    assert_eq!(hook["url"], rx.url("/hook"));
    assert!(hook["id"].is_string() && hook["created_at"].is_string());
    let only_failed = add_webhook(&app, &p.key, &rx.url("/failed-only"), Some(json!(["scan_failed"]))).await;
    assert_eq!(only_failed["events"], json!(["scan_failed"]));
    let list: Vec<Value> = app
        .client
        .get(app.url("/v1/webhooks"))
        .bearer_auth(&p.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);

    let scan_id = scan(
        &app,
        &p.key,
        json!({"url": "acme/orbit", "callback_url": rx.url("/callback")}),
    )
    .await;
    let got = rx.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        rx.received().len(),
        2,
        "the scan_failed-only endpoint gets nothing for a completed scan"
    );
    let mut paths: Vec<&str> = got.iter().map(|c| c.path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, ["/callback", "/hook"]);

    for c in &got {
        let b = c.json();
        assert_eq!(b["event"], "scan_completed");
        assert_eq!(b["scan_id"], scan_id.as_str());
        assert!(b["score"].is_u64());
        assert!(["A", "B", "C", "D", "F"].contains(&b["grade"].as_str().unwrap()));
        assert!(["SAFU", "DYOR", "RISKY", "SCAM"].contains(&b["verdict"].as_str().unwrap()));
        assert_eq!(b["report_url"], format!("{}/report/{scan_id}", app.config.public_url));
        assert!(b["tags"].is_array() && b["red_flags"].is_array() && b["green_flags"].is_array());
        assert_eq!(c.header("content-type"), "application/json");
        assert_eq!(c.header("x-aurasecurity-event"), "scan_completed");
        assert_eq!(c.header("x-aurasecurity-delivery"), c.header("webhook-id"));
        assert_eq!(c.header("x-aurasecurity-timestamp"), c.header("webhook-timestamp"));
        let ts: i64 = c.header("x-aurasecurity-timestamp").parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
        assert!(verifies(&p.secret, c), "signatures verify with the account secret");
        assert!(!verifies("whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCBhdCBhbGwhISE=", c));
        // The documented Python and Node examples agree on a real delivery.
        let dir = tempfile::tempdir().unwrap();
        let body = dir.path().join("body");
        let headers = dir.path().join("headers.json");
        std::fs::write(&body, &c.body).unwrap();
        std::fs::write(&headers, serde_json::to_vec(&c.headers).unwrap()).unwrap();
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples");
        for (cmd, file) in [("python3", "verify_webhook.py"), ("node", "verify_webhook.mjs")] {
            let ok = std::process::Command::new(cmd)
                .arg(format!("{examples}/{file}"))
                .arg(&p.secret)
                .arg(&body)
                .arg(&headers)
                .output()
                .unwrap();
            assert!(ok.status.success(), "{file}: {}", String::from_utf8_lossy(&ok.stdout));
            let bad = std::process::Command::new(cmd)
                .arg(format!("{examples}/{file}"))
                .arg("whsec_d3Jvbmc=")
                .arg(&body)
                .arg(&headers)
                .output()
                .unwrap();
            assert!(!bad.status.success(), "{file} must reject a wrong secret");
        }
    }
    let log = deliveries(&app, &p.key).await;
    assert_eq!(log.len(), 2);
    for d in &log {
        assert_eq!(d["status"], "sent");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["last_status_code"], 200);
        assert_eq!(d["event"], "scan_completed");
        assert_eq!(d["scan_id"], scan_id.as_str());
        assert!(got
            .iter()
            .any(|c| c.header("x-aurasecurity-delivery") == d["id"].as_str().unwrap()));
    }
    assert!(log
        .iter()
        .any(|d| d["webhook_id"].is_null() && d["url"] == rx.url("/callback")));
    assert!(log.iter().any(|d| d["webhook_id"] == hook["id"]));

    // Removing an endpoint: 204, then gone.
    let res = app
        .client
        .delete(app.url(&format!("/v1/webhooks/{}", only_failed["id"].as_str().unwrap())))
        .bearer_auth(&p.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let list: Vec<Value> = app
        .client
        .get(app.url("/v1/webhooks"))
        .bearer_auth(&p.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    app.stop().await;
}

async fn retries_then_sent_or_failed(kind: Db) {
    let Some((app, _gh, rx)) = setup(kind, &[]).await else {
        return;
    };
    let p = partner(&app, "bot@acme.example").await;
    add_webhook(&app, &p.key, &rx.url("/hook"), None).await;

    // Failing twice, then succeeding: sent after 3 attempts, one delivery id throughout.
    rx.script(&[500, 503]);
    scan(&app, &p.key, json!({"url": "acme/orbit", "fresh": true})).await;
    let got = rx.wait_for(3).await;
    let id = got[0].header("x-aurasecurity-delivery").to_string();
    assert!(got.iter().all(|c| c.header("x-aurasecurity-delivery") == id));
    assert!(got.iter().all(|c| c.body == got[0].body), "the same bytes every time");
    let d = wait_delivery(&app, &p.key, &id, "sent").await;
    assert_eq!(d["attempts"], 3);
    assert_eq!(d["last_status_code"], 200);
    let detail: Value = app
        .client
        .get(app.url(&format!("/v1/webhooks/deliveries/{id}")))
        .bearer_auth(&p.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<i64> = detail["attempts_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 503, 200]);
    assert_eq!(detail["payload"]["event"], "scan_completed");

    // Always failing: failed after 4 attempts (the first and three retries).
    rx.script(&[500, 500, 500, 500]);
    scan(&app, &p.key, json!({"url": "acme/orbit", "fresh": true})).await;
    // While its retries are pending, a redeliver piles nothing up: 409 already_pending.
    let first = rx.wait_for(4).await;
    let pending = first[3].header("x-aurasecurity-delivery").to_string();
    let res = app
        .client
        .post(app.url(&format!("/v1/webhooks/deliveries/{pending}/redeliver")))
        .bearer_auth(&p.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "already_pending");
    let got = rx.wait_for(7).await;
    let id = got[3].header("x-aurasecurity-delivery").to_string();
    let d = wait_delivery(&app, &p.key, &id, "failed").await;
    assert_eq!(d["attempts"], 4);
    assert_eq!(d["last_status_code"], 500);
    assert!(d["last_error"].as_str().unwrap().contains("500"));

    // Redelivery: a new attempt with the same id and body, now succeeding.
    let res = app
        .client
        .post(app.url(&format!("/v1/webhooks/deliveries/{id}/redeliver")))
        .bearer_auth(&p.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let got = rx.wait_for(8).await;
    assert_eq!(got[7].header("x-aurasecurity-delivery"), id);
    assert_eq!(got[7].body, got[3].body);
    let d = wait_delivery(&app, &p.key, &id, "sent").await;
    assert_eq!(d["attempts"], 5);
    app.stop().await;
}

async fn a_restart_finishes_the_retry_schedule(kind: Db) {
    let Some((app, gh, rx)) = setup(kind, &[("AURA_WEBHOOK_RETRY_DELAYS", "3,3,3")]).await else {
        return;
    };
    let p = partner(&app, "bot@acme.example").await;
    add_webhook(&app, &p.key, &rx.url("/hook"), None).await;
    rx.script(&[500]);
    scan(&app, &p.key, json!({"url": "acme/orbit"})).await;
    let first = rx.wait_for(1).await;
    let id = first[0].header("x-aurasecurity-delivery").to_string();
    let db_url = app.config.database_url.clone();
    let _data = app.stop_keeping_data().await;

    // A new process on the same database picks the schedule up where it was.
    let api = gh.api_url();
    let Some(app) = spawn_with(
        kind,
        &[
            ("AURA_GITHUB_API_URL", api.as_str()),
            ("AURA_DATABASE_URL", db_url.as_str()),
            ("AURA_WEBHOOK_RETRY_DELAYS", "3,3,3"),
        ],
    )
    .await
    else {
        return;
    };
    let got = rx.wait_for(2).await;
    assert_eq!(got[1].header("x-aurasecurity-delivery"), id);
    let d = wait_delivery(&app, &p.key, &id, "sent").await;
    assert_eq!(d["attempts"], 2);
    app.stop().await;
}

async fn secret_rotation_signs_with_both_during_grace(kind: Db) {
    let Some((app, _gh, rx)) = setup(kind, &[]).await else {
        return;
    };
    let p = partner(&app, "bot@acme.example").await;
    add_webhook(&app, &p.key, &rx.url("/hook"), None).await;

    let res = app
        .client
        .post(app.url("/v1/webhooks/secret/rotate"))
        .bearer_auth(&p.key)
        .json(&json!({"grace_period_secs": 600}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let new = res.json::<Value>().await.unwrap()["webhook_secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(new.starts_with("whsec_") && new != p.secret);
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&new[6..])
            .unwrap()
            .len(),
        32
    );

    scan(&app, &p.key, json!({"url": "acme/orbit", "fresh": true})).await;
    let c = rx.wait_for(1).await.remove(0);
    assert_eq!(c.header("x-aurasecurity-signature").split(' ').count(), 2);
    assert_eq!(c.header("webhook-signature").split(' ').count(), 2);
    assert!(
        verifies(&new, &c) && verifies(&p.secret, &c),
        "both secrets verify during the grace period"
    );

    // Without grace the old secret stops at once.
    let res = app
        .client
        .post(app.url("/v1/webhooks/secret/rotate"))
        .bearer_auth(&p.key)
        .send()
        .await
        .unwrap();
    let newest = res.json::<Value>().await.unwrap()["webhook_secret"]
        .as_str()
        .unwrap()
        .to_string();
    scan(&app, &p.key, json!({"url": "acme/orbit", "fresh": true})).await;
    let c = rx.wait_for(2).await.remove(1);
    assert_eq!(c.header("x-aurasecurity-signature").split(' ').count(), 1);
    assert!(verifies(&newest, &c));
    assert!(!verifies(&new, &c) && !verifies(&p.secret, &c));
    app.stop().await;
}

async fn failing_endpoints_are_disabled_then_replayed(kind: Db) {
    let Some((app, _gh, rx)) = setup(
        kind,
        &[
            ("AURA_WEBHOOK_RETRY_DELAYS", "1"),
            ("AURA_WEBHOOK_DISABLE_AFTER_SECS", "0"),
        ],
    )
    .await
    else {
        return;
    };
    let p = partner(&app, "bot@acme.example").await;
    let hook = add_webhook(&app, &p.key, &rx.url("/hook"), None).await;
    let hook_id = hook["id"].as_str().unwrap();
    rx.script(&[500]);
    scan(&app, &p.key, json!({"url": "acme/orbit"})).await;
    let first = rx.wait_for(1).await[0].header("x-aurasecurity-delivery").to_string();
    // The retry finds the endpoint disabled and is not sent.
    let d = wait_delivery(&app, &p.key, &first, "failed").await;
    assert_eq!(d["attempts"], 1);
    assert!(d["last_error"].as_str().unwrap().contains("disabled"), "{d}");
    let mut disabled = Value::Null;
    for _ in 0..100 {
        let list: Vec<Value> = app
            .client
            .get(app.url("/v1/webhooks"))
            .bearer_auth(&p.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if list[0]["disabled_at"].is_string() {
            disabled = list[0].clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .expect("disabled")
            .contains("failed"),
        "{disabled}"
    );
    let audit = app::server::audit::list(
        &app.db,
        app::server::audit::AuditQuery {
            action: Some("webhook.disabled".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);

    // While disabled nothing is sent, but the miss is recorded.
    scan(&app, &p.key, json!({"url": "acme/orbit", "fresh": true})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.received().len(), 1);
    assert_eq!(
        deliveries(&app, &p.key)
            .await
            .iter()
            .filter(|d| d["status"] == "failed")
            .count(),
        2
    );

    // Re-enable and replay in one step: both arrive.
    let res = app
        .client
        .post(app.url(&format!("/v1/webhooks/{hook_id}/enable")))
        .bearer_auth(&p.key)
        .json(&json!({"replay": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["replayed"], 2);
    assert!(body["webhook"]["disabled_at"].is_null());
    rx.wait_for(3).await;
    for _ in 0..100 {
        if deliveries(&app, &p.key).await.iter().all(|d| d["status"] == "sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(deliveries(&app, &p.key).await.iter().all(|d| d["status"] == "sent"));

    // A test event goes out on demand.
    let res = app
        .client
        .post(app.url(&format!("/v1/webhooks/{hook_id}/test")))
        .bearer_auth(&p.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let got = rx.wait_for(4).await;
    assert_eq!(got[3].json()["event"], "test");
    assert!(verifies(&p.secret, &got[3]));
    app.stop().await;
}

async fn another_account_sees_nothing(kind: Db) {
    let Some((app, _gh, rx)) = setup(kind, &[]).await else {
        return;
    };
    let a = partner(&app, "a@acme.example").await;
    let b = partner(&app, "b@other.example").await;
    let hook = add_webhook(&app, &a.key, &rx.url("/hook"), None).await;
    scan(&app, &a.key, json!({"url": "acme/orbit"})).await;
    let got = rx.wait_for(1).await;
    let delivery = got[0].header("x-aurasecurity-delivery").to_string();

    assert!(deliveries(&app, &b.key).await.is_empty());
    let list: Vec<Value> = app
        .client
        .get(app.url("/v1/webhooks"))
        .bearer_auth(&b.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.is_empty());
    let hook_id = hook["id"].as_str().unwrap();
    for (method, path) in [
        ("DELETE", format!("/v1/webhooks/{hook_id}")),
        ("POST", format!("/v1/webhooks/{hook_id}/test")),
        ("POST", format!("/v1/webhooks/{hook_id}/enable")),
        ("GET", format!("/v1/webhooks/deliveries/{delivery}")),
        ("POST", format!("/v1/webhooks/deliveries/{delivery}/redeliver")),
    ] {
        let res = app
            .client
            .request(method.parse().unwrap(), app.url(&path))
            .bearer_auth(&b.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{method} {path}");
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    }
    // And A's endpoint still exists.
    let list: Vec<Value> = app
        .client
        .get(app.url("/v1/webhooks"))
        .bearer_auth(&a.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        app.client.get(app.url("/v1/webhooks")).send().await.unwrap().status(),
        401
    );
    app.stop().await;
}

async fn ssrf_targets_are_refused(kind: Db) {
    let Some(app) = spawn_with(kind, &[("AURA_ALLOW_PRIVATE_TARGETS", "false")]).await else {
        return;
    };
    let (account, key) = register(&app, "bot@acme.example").await;
    set_tier(&app, &account, "internal").await;
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://100.64.1.1/hook",
        "https://localhost/hook",
        "https://localhost.:8443/hook",
        "http://example.com/hook",
        "ftp://example.com/",
        "https://user:pass@example.com/",
        "not a url",
    ] {
        let res = app
            .client
            .post(app.url("/v1/webhooks"))
            .bearer_auth(&key)
            .json(&json!({"url": url}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{url}");
        assert_eq!(
            res.json::<Value>().await.unwrap()["error"]["code"],
            "invalid_url",
            "{url}"
        );
    }
    // A name resolving to a private address is "not allowed", in our words only.
    let res = app
        .client
        .post(app.url("/v1/webhooks"))
        .bearer_auth(&key)
        .json(&json!({"url": "https://localhost/hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["message"],
        "localhost is not allowed: it resolves to a private, loopback or otherwise non-public address."
    );
    // An unresolvable name is refused without the resolver's words (no probing of our DNS).
    let res = app
        .client
        .post(app.url("/v1/webhooks"))
        .bearer_auth(&key)
        .json(&json!({"url": "https://no-such-host.invalid/hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let message = res.json::<Value>().await.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(message, "no-such-host.invalid could not be resolved.");
    let res = app
        .client
        .post(app.url("/v1/webhooks"))
        .bearer_auth(&key)
        .json(&json!({"url": "https://example.com/h", "events": ["nope"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    app.stop().await;
}

/// A TCP endpoint that accepts connections and never answers: every delivery to it hangs
/// until the sender's timeout.
async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}/hook")
}

async fn a_backlog_cannot_starve_another_account(kind: Db) {
    // Account A has 2,000 deliveries queued to an endpoint that never answers (each attempt
    // hangs until the sender's timeout); account B's delivery still arrives within 5 s of its
    // scan finishing, because A may hold only half of the delivery workers and B, holding
    // none, goes ahead of A's backlog.
    let Some((app, _gh, rx)) = setup(kind, &[("AURA_DELIVERY_WORKERS", "4")]).await else {
        return;
    };
    let a = partner(&app, "a@flood.example").await;
    let b = partner(&app, "b@calm.example").await;
    add_webhook(&app, &a.key, &black_hole().await, None).await;
    add_webhook(&app, &b.key, &rx.url("/hook"), None).await;

    let a_scan = scan(&app, &a.key, json!({"url": "acme/orbit", "fresh": true})).await;
    let a_scan = app::server::scans::get(&app.db, &a_scan).await.unwrap();
    let txn = sea_orm::TransactionTrait::begin(&app.db).await.unwrap();
    for _ in 0..2_000 {
        let outcome = app::server::webhooks::deliveries::Outcome::Failed("backlog");
        app::server::webhooks::deliveries::enqueue_for_scan(&txn, &app.config, &a_scan, &outcome)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    // A's backlog is being worked on: it holds its share of the workers, and no more (the
    // idle workers poll every few seconds, so give them time to take more if they could).
    let running = || app::server::jobs::running(&app.db, app::server::jobs::JobKind::Delivery);
    for _ in 0..100 {
        if running().await.unwrap() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        running().await.unwrap(),
        2,
        "account A holds half of the four delivery workers"
    );

    scan(&app, &b.key, json!({"url": "acme/orbit", "fresh": true})).await;
    let arrived = tokio::time::timeout(Duration::from_secs(5), async {
        while rx.received().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(arrived.is_ok(), "B's delivery waited behind A's backlog");
    assert_eq!(rx.received()[0].json()["event"], "scan_completed");
    // Dropped, not stopped: a graceful stop would wait out A's hanging attempts.
    drop(app);
}

on_both_kinds!(
    signed_deliveries_follow_the_contract,
    retries_then_sent_or_failed,
    a_restart_finishes_the_retry_schedule,
    secret_rotation_signs_with_both_during_grace,
    failing_endpoints_are_disabled_then_replayed,
    another_account_sees_nothing,
    ssrf_targets_are_refused,
    a_backlog_cannot_starve_another_account,
);

/// A replay re-queues at most 1,000 deliveries per call and says whether more remain; each
/// call is one rate-limited call of the key (issue 15, item 5).
async fn replay_is_bounded_per_call(kind: Db) {
    use app::{server::entities::delivery, status::DeliveryStatus};
    use sea_orm::{EntityTrait, Set};
    let Some(app) = spawn_with(kind, &[]).await else {
        return;
    };
    let hooks = receiver::start().await;
    let (account_id, key) = register(&app, "replay@acme.example").await;
    let at = chrono::Utc::now() - chrono::Duration::hours(1);
    let failed: Vec<delivery::ActiveModel> = (0..1_001)
        .map(|i| delivery::ActiveModel {
            id: Set(format!("replay{i:05}")),
            account_id: Set(account_id.clone()),
            webhook_id: Set(None),
            url: Set(hooks.url("/callback")),
            event: Set("scan_completed".into()),
            scan_id: Set(None),
            payload: Set("{}".into()),
            status: Set(DeliveryStatus::Failed),
            attempts: Set(4),
            last_status_code: Set(Some(500)),
            last_error: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .collect();
    for chunk in failed.chunks(250) {
        delivery::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
    let replay = || {
        app.client
            .post(app.url("/v1/webhooks/deliveries/replay"))
            .bearer_auth(&key)
            .json(&json!({"since": "2000-01-01T00:00:00Z"}))
            .send()
    };
    let res = replay().await.unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(res.headers()["x-ratelimit-remaining"], "4");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"queued": 1000, "more": true})
    );
    let res = replay().await.unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(res.headers()["x-ratelimit-remaining"], "3");
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"queued": 1, "more": false}));
    app.stop().await;
}

on_both_kinds!(replay_is_bounded_per_call);
