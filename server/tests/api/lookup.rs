//! Reading results without scanning (`GET /v1/scan/latest`, `POST /v1/scan/lookup`), and a
//! cached answer's callback, through the real server on SQLite and PostgreSQL, against the
//! GitHub stand-in and a loopback webhook receiver.

use std::time::Duration;

use crate::verify_webhook;

use crate::common::{
    app_with_github, error_code, github, post_scan, receiver, register, set_tier, spawn_with, wait_finished, Db,
    TestApp,
};
use app::server::entities::{job, scan};
use sea_orm::{EntityTrait, PaginatorTrait, Set};
use serde_json::{json, Value};

/// A fresh scan, waited for; its scan object.
async fn completed(app: &TestApp, key: &str, body: Value) -> Value {
    let res = post_scan(app, key, body).await;
    assert_eq!(res.status(), 202, "{:?}", res.text().await);
    let id = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = wait_finished(app, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    done
}

async fn latest(app: &TestApp, key: &str, target: &str) -> reqwest::Response {
    app.client
        .get(app.url("/v1/scan/latest"))
        .query(&[("target", target)])
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

async fn lookup(app: &TestApp, key: &str, targets: Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/scan/lookup"))
        .bearer_auth(key)
        .json(&json!({ "targets": targets }))
        .send()
        .await
        .unwrap()
}

async fn get_scan(app: &TestApp, id: &str) -> Value {
    app.client
        .get(app.url(&format!("/v1/scan/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn latest_completed_scan_whatever_its_age(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let (account, key) = register(&app, "bot@acme.example").await;
    set_tier(&app, &account, "pro").await;

    // Never scanned: the contract's 404.
    let res = latest(&app, &key, "acme/orbit").await;
    assert_eq!(res.status(), 404);
    assert_eq!(error_code(res).await, "not_found");
    // Invalid targets are refused as `POST /v1/scan/repo` refuses them.
    for bad in [
        "not a repo",
        "ftp://github.com/a/b",
        "https://github.com/only-owner",
        "",
    ] {
        let res = latest(&app, &key, bad).await;
        assert_eq!(res.status(), 422, "{bad}");
        assert_eq!(error_code(res).await, "invalid_target", "{bad}");
    }
    let res = app
        .client
        .get(app.url("/v1/scan/latest"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "no target");
    assert_eq!(error_code(res).await, "validation_failed");
    // A key is required, as for the other `/v1/scan` calls.
    let res = app
        .client
        .get(app.url("/v1/scan/latest?target=acme/orbit"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("www-authenticate"));

    let first = completed(&app, &key, json!({"url": "acme/orbit"})).await;
    for target in ["acme/orbit", "https://github.com/Acme/Orbit", "ACME/orbit"] {
        let res = latest(&app, &key, target).await;
        assert_eq!(res.status(), 200, "{target}");
        assert!(
            res.headers().contains_key("x-ratelimit-remaining"),
            "rate-limited like any call"
        );
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["scan_id"], first["scan_id"]);
        assert_eq!(v["status"], "completed");
        assert!(v["completed_at"].is_string());
        assert!(v["result"]["score"].is_u64());
        assert!(v.get("cached").is_none());
        // The same scan object as `GET /v1/scan/{id}`.
        assert_eq!(v, get_scan(&app, first["scan_id"].as_str().unwrap()).await);
    }

    // A newer scan is the latest; an unfinished one is not.
    let second = completed(&app, &key, json!({"url": "acme/orbit", "fresh": true})).await;
    assert_ne!(second["scan_id"], first["scan_id"]);
    let v: Value = latest(&app, &key, "acme/orbit").await.json().await.unwrap();
    assert_eq!(v["scan_id"], second["scan_id"]);
    gh.set_archive_delay(Duration::from_secs(3));
    let res = post_scan(&app, &key, json!({"url": "acme/orbit", "fresh": true})).await;
    assert_eq!(res.status(), 202);
    let running = res.json::<Value>().await.unwrap()["scan_id"].clone();
    let v: Value = latest(&app, &key, "acme/orbit").await.json().await.unwrap();
    assert_eq!(v["scan_id"], second["scan_id"], "an unfinished scan is not the latest");
    wait_finished(&app, running.as_str().unwrap()).await;
    gh.set_archive_delay(Duration::ZERO);

    // Older than the cache TTL: `POST /v1/scan/repo` would scan again, latest still answers.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(30);
    let age = |id: &Value| scan::ActiveModel {
        id: Set(id.as_str().unwrap().to_string()),
        completed_at: Set(Some(long_ago)),
        ..Default::default()
    };
    for id in [&first["scan_id"], &second["scan_id"], &running] {
        scan::Entity::update(age(id)).exec(&app.db).await.unwrap();
    }
    let v: Value = latest(&app, &key, "acme/orbit").await.json().await.unwrap();
    assert_eq!(v["status"], "completed");
    assert!(v["completed_at"]
        .as_str()
        .unwrap()
        .starts_with(&long_ago.format("%Y-%m-%d").to_string()));
    app.stop().await;
}

async fn lookup_answers_in_request_order(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.add("acme/comet", github::healthy_repo(2));
    let (account, key) = register(&app, "bot@acme.example").await;
    set_tier(&app, &account, "pro").await;
    let orbit = completed(&app, &key, json!({"url": "acme/orbit"})).await;
    let comet = completed(&app, &key, json!({"url": "https://github.com/acme/comet"})).await;
    // Scanned twice: the newer one is the answer.
    let orbit = {
        let again = completed(&app, &key, json!({"url": "acme/orbit", "fresh": true})).await;
        assert_ne!(again["scan_id"], orbit["scan_id"]);
        again
    };

    let sent = json!([
        "acme/never",
        "https://github.com/Acme/Orbit",
        "not a repo",
        "acme/comet",
        "",
        "acme/orbit",
        "javascript:alert(1)",
    ]);
    let res = lookup(&app, &key, sent.clone()).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-ratelimit-remaining"));
    let v: Value = res.json().await.unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 7, "{v}");
    for (r, t) in results.iter().zip(sent.as_array().unwrap()) {
        assert_eq!(&r["target"], t, "the target as sent, in order");
        assert!(r.as_object().unwrap().contains_key("scan"), "{r}");
    }
    let ids: Vec<&Value> = results.iter().map(|r| &r["scan"]["scan_id"]).collect();
    assert_eq!(
        ids,
        [
            &Value::Null,
            &orbit["scan_id"],
            &Value::Null,
            &comet["scan_id"],
            &Value::Null,
            &orbit["scan_id"],
            &Value::Null
        ]
    );
    for i in [0, 2, 4, 6] {
        assert!(results[i]["scan"].is_null(), "{}", results[i]);
    }
    // Each scan is the same object as `GET /v1/scan/{id}`.
    assert_eq!(
        results[1]["scan"],
        get_scan(&app, orbit["scan_id"].as_str().unwrap()).await
    );
    assert_eq!(
        results[3]["scan"],
        get_scan(&app, comet["scan_id"].as_str().unwrap()).await
    );

    // 1 to 100 targets.
    let hundred: Vec<String> = (0..100).map(|i| format!("acme/repo{i}")).collect();
    let res = lookup(&app, &key, json!(hundred)).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 100);
    assert_eq!(v["results"][99]["target"], "acme/repo99");
    let mut too_many = hundred.clone();
    too_many.push("acme/orbit".into());
    for body in [json!(too_many), json!([])] {
        let res = lookup(&app, &key, body).await;
        assert_eq!(res.status(), 422);
        assert_eq!(error_code(res).await, "validation_failed");
    }
    let res = app
        .client
        .post(app.url("/v1/scan/lookup"))
        .json(&json!({"targets": ["acme/orbit"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    app.stop().await;
}

/// A free account (one concurrent scan) with its scan running can still read; reads start
/// nothing and are metered as calls, not scans.
async fn reads_start_nothing_and_skip_the_scan_cap(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/slow", github::healthy_repo(1));
    gh.add("acme/orbit", github::healthy_repo(2));
    gh.set_archive_delay(Duration::from_secs(4));
    let (_, key) = register(&app, "free@acme.example").await;
    let res = post_scan(&app, &key, json!({"url": "acme/slow"})).await;
    assert_eq!(res.status(), 202);
    let running = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = post_scan(&app, &key, json!({"url": "acme/orbit"})).await;
    assert_eq!(res.status(), 429);
    assert_eq!(error_code(res).await, "concurrent_scan_limit");
    let (scans_before, jobs_before) = (
        scan::Entity::find().count(&app.db).await.unwrap(),
        job::Entity::find().count(&app.db).await.unwrap(),
    );

    let res = latest(&app, &key, "acme/orbit").await;
    assert_eq!(res.status(), 404, "never scanned, and latest does not scan it");
    let res = lookup(&app, &key, json!(["acme/orbit", "acme/slow"])).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert!(
        v["results"][0]["scan"].is_null() && v["results"][1]["scan"].is_null(),
        "{v}"
    );

    assert_eq!(scan::Entity::find().count(&app.db).await.unwrap(), scans_before);
    assert_eq!(job::Entity::find().count(&app.db).await.unwrap(), jobs_before);
    // Two calls more, no scan more: the scans are the 202 and the refused one.
    let u: Value = app
        .client
        .get(app.url("/v1/auth/usage"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(u["today"]["requests"], 4, "{u}");
    assert_eq!(u["today"]["scans"], 2, "{u}");
    wait_finished(&app, &running).await;
    app.stop().await;
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

/// Registers an unlimited partner; (key, webhook secret).
async fn partner(app: &TestApp, email: &str) -> (String, String) {
    let res = app
        .client
        .post(app.url("/v1/auth/register"))
        .json(&json!({"email": email, "password": "hunter2hunter2", "name": "Acme Bot"}))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    set_tier(app, v["account_id"].as_str().unwrap(), "internal").await;
    (
        v["api_key"].as_str().unwrap().into(),
        v["webhook_secret"].as_str().unwrap().into(),
    )
}

async fn cached_answers_keep_their_callback(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let rx = receiver::start().await;
    let (key_a, secret_a) = partner(&app, "a@acme.example").await;
    let (key_b, secret_b) = partner(&app, "b@other.example").await;

    // A fresh scan's own callback: the reference delivery.
    let fresh = completed(
        &app,
        &key_a,
        json!({"url": "acme/orbit", "callback_url": rx.url("/fresh")}),
    )
    .await;
    let reference = rx.wait_for(1).await.remove(0);
    assert_eq!(reference.path, "/fresh");

    // Answered from the cache: the callback is still delivered, with the same body.
    let res = post_scan(
        &app,
        &key_a,
        json!({"url": "https://github.com/acme/orbit", "callback_url": rx.url("/cached-a")}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let cached: Value = res.json().await.unwrap();
    assert_eq!(cached["cached"], true);
    assert_eq!(cached["scan_id"], fresh["scan_id"]);
    let got = rx.wait_for(2).await;
    let a = got.iter().find(|c| c.path == "/cached-a").expect("cached delivery");
    assert_eq!(a.body, reference.body, "byte-for-byte the fresh completion's body");
    let body = a.json();
    assert_eq!(body["event"], "scan_completed");
    assert_eq!(body["scan_id"], fresh["scan_id"]);
    assert_eq!(body["score"], fresh["result"]["score"]);
    assert_eq!(a.header("x-aurasecurity-event"), "scan_completed");
    assert_eq!(a.header("x-aurasecurity-delivery"), a.header("webhook-id"));
    assert_ne!(
        a.header("webhook-id"),
        reference.header("webhook-id"),
        "a delivery of its own"
    );
    assert!(verifies(&secret_a, a), "signed with the asking account's secret");

    // Another account's cached answer: its own delivery, signed with its own secret.
    let res = post_scan(
        &app,
        &key_b,
        json!({"url": "acme/orbit", "callback_url": rx.url("/cached-b")}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let got = rx.wait_for(3).await;
    let b = got.iter().find(|c| c.path == "/cached-b").expect("b's delivery");
    assert_eq!(b.body, reference.body);
    assert!(verifies(&secret_b, b));
    assert!(!verifies(&secret_a, b));

    // Listed with the asking account's deliveries, sent.
    let list = |key: String| {
        let (c, u) = (app.client.clone(), app.url("/v1/webhooks/deliveries"));
        async move {
            c.get(u)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .json::<Vec<Value>>()
                .await
                .unwrap()
        }
    };
    let mut sent_b = Vec::new();
    for _ in 0..100 {
        sent_b = list(key_b.clone()).await;
        if sent_b.iter().all(|d| d["status"] == "sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sent_b.len(), 1, "{sent_b:?}");
    assert_eq!(sent_b[0]["url"], rx.url("/cached-b"));
    assert_eq!(sent_b[0]["scan_id"], fresh["scan_id"]);
    assert_eq!(sent_b[0]["event"], "scan_completed");
    assert_eq!(sent_b[0]["status"], "sent");
    assert_eq!(list(key_a.clone()).await.len(), 2, "the fresh and the cached one");

    // Without a callback_url, a cached answer queues nothing.
    let res = post_scan(&app, &key_b, json!({"url": "acme/orbit"})).await;
    assert_eq!(res.status(), 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.received().len(), 3);
    assert_eq!(list(key_b.clone()).await.len(), 1);
    app.stop().await;
}

async fn openapi_describes_the_reads(kind: Db) {
    let Some(app) = spawn_with(kind, &[]).await else {
        return;
    };
    let spec: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let latest = &spec["paths"]["/v1/scan/latest"]["get"];
    assert_eq!(latest["parameters"][0]["name"], "target");
    assert_eq!(latest["parameters"][0]["in"], "query");
    assert_eq!(latest["parameters"][0]["required"], true);
    for status in ["200", "404", "422", "429", "default"] {
        assert!(latest["responses"][status].is_object(), "latest {status}");
    }
    let lookup = &spec["paths"]["/v1/scan/lookup"]["post"];
    for status in ["200", "422", "429", "default"] {
        assert!(lookup["responses"][status].is_object(), "lookup {status}");
    }
    assert!(lookup["description"]
        .as_str()
        .unwrap()
        .contains("invalid target also gets"));
    assert!(lookup["requestBody"].is_object());
    let item = &spec["components"]["schemas"]["LookupResult"];
    assert!(item["properties"]["scan"].is_object(), "{item}");
    let repo = spec["paths"]["/v1/scan/repo"]["post"]["description"].as_str().unwrap();
    assert!(repo.contains("callback_url"), "{repo}");
    // Both need a key.
    assert!(latest["security"].is_array() && lookup["security"].is_array());
    app.stop().await;
}

on_both_kinds!(
    latest_completed_scan_whatever_its_age,
    lookup_answers_in_request_order,
    reads_start_nothing_and_skip_the_scan_cap,
    cached_answers_keep_their_callback,
    openapi_describes_the_reads,
);
