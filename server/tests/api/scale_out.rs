//! The scale-out mode: several instances on one PostgreSQL database and one Redis behave as
//! one (shared limits, SSE fan-out across instances, job wake-ups), and a Redis outage
//! degrades to working in-process instead of failing requests.

use crate::common;

use std::{collections::BTreeMap, time::Duration};

use crate::common::{github, read_sse, spawn_with, wait_finished, Db, TestApp};
use app::events::StreamEvent;
use serde_json::{json, Value};

fn redis_url() -> Option<String> {
    match std::env::var("AURA_TEST_REDIS_URL") {
        Ok(u) => Some(u),
        Err(_) if std::env::var("AURA_TEST_REQUIRE_POSTGRES").is_ok() => panic!("CI must set AURA_TEST_REDIS_URL"),
        Err(_) => {
            eprintln!("skipped: AURA_TEST_REDIS_URL not set");
            None
        }
    }
}

/// A partner account and its key, made through the service rather than `POST
/// /v1/auth/register`: sign-ups are limited per address, and with Redis that budget outlives
/// the test (and is shared with every other run against the same Redis within the hour).
async fn register(app: &TestApp, email: &str) -> (String, String) {
    use app::server::{accounts, audit::Origin};
    let created = accounts::register(
        &app.db,
        &app.config,
        email,
        "hunter2hunter2",
        "Acme Terminal",
        &Origin::default(),
    )
    .await
    .unwrap();
    (created.account.id, created.key.secret)
}

/// A first instance on a fresh PostgreSQL database, then more on the same database.
async fn cluster(roles: &[&str], extra: &[(&str, &str)]) -> Option<Vec<TestApp>> {
    let redis = redis_url()?;
    let mut env: Vec<(&str, &str)> = vec![("AURA_REDIS_URL", redis.as_str()), ("AURA_ROLE", roles[0])];
    env.extend_from_slice(extra);
    let first = spawn_with(Db::Postgres, &env).await?;
    let db = first.config.database_url.clone();
    let mut apps = vec![first];
    for role in &roles[1..] {
        let mut env: Vec<(&str, &str)> = vec![
            ("AURA_REDIS_URL", redis.as_str()),
            ("AURA_ROLE", role),
            ("AURA_DATABASE_URL", db.as_str()),
        ];
        env.extend_from_slice(extra);
        apps.push(spawn_with(Db::Postgres, &env).await.unwrap());
    }
    // Let every instance's Redis connection come up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Some(apps)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_keys_limit_holds_across_instances() {
    let Some(apps) = cluster(&["web", "web"], &[]).await else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    let (_, key) = register(a, "bot@acme.example").await;
    // Free tier: 5 a minute, whichever instance answers.
    let seen = storm(&[a, b], 40, |app| {
        app.client.get(app.url("/v1/auth/keys")).bearer_auth(&key)
    })
    .await;
    assert_eq!(
        seen.get("200"),
        Some(&5),
        "exactly the limit is admitted across both instances: {seen:?}"
    );
    let res = b
        .client
        .get(b.url("/v1/auth/keys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["x-ratelimit-remaining"], "0");
}

/// The verified-key cache across instances: each change made through A (revoke, rotation,
/// suspension, tier, account settings, promotion by the admin command) is seen by B's very
/// next request although B served the key from memory just before, through the epoch B's
/// limiter call returns (B's cache is never told directly: each instance has its own).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn key_changes_on_one_instance_bite_on_the_other_at_once() {
    let Some(apps) = cluster(&["web", "web"], &[]).await else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    crate::key_cache::each_change_bites_on_the_next_request(a, b).await;
    crate::key_cache::a_rotated_keys_grace_ends_to_the_second(a, b).await;
    for app in apps {
        app.stop().await;
    }
}

/// Fires `n` calls at once, alternating between the instances, and counts the answers by
/// status and error code.
async fn storm(
    apps: &[&TestApp],
    n: usize,
    call: impl Fn(&TestApp) -> reqwest::RequestBuilder,
) -> BTreeMap<String, u32> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let calls: Vec<_> = (0..n)
        .map(|i| {
            let req = call(apps[i % apps.len()]);
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                match body["error"]["code"].as_str() {
                    Some(code) => format!("{status} {code}"),
                    None => status.to_string(),
                }
            })
        })
        .collect();
    let mut seen = BTreeMap::new();
    for c in calls {
        *seen.entry(c.await.unwrap()).or_insert(0) += 1;
    }
    seen
}

/// BENCHMARKS.md, "over-admission": 1,000 concurrent calls on one partner key (100 a minute,
/// 20 concurrent scans) through two instances admit exactly the limit, never one more. The
/// same storm of scan submissions admits exactly the concurrent-scan cap (no worker runs
/// them, so none finishes and frees a slot).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_calls_on_one_key_never_over_admit() {
    let Some(apps) = cluster(&["web", "web"], &[]).await else {
        return;
    };
    let both = [&apps[0], &apps[1]];
    let (account, key) = register(&apps[0], "storm@acme.example").await;
    common::set_tier(&apps[0], &account, "partner").await;

    let reads = storm(&both, 1000, |app| {
        app.client.get(app.url("/v1/auth/keys")).bearer_auth(&key)
    })
    .await;
    eprintln!("1,000 concurrent GET /v1/auth/keys, partner key, 2 instances: {reads:?}");
    assert_eq!(
        reads.get("200"),
        Some(&100),
        "exactly the per-minute limit is admitted: {reads:?}"
    );
    assert_eq!(reads.get("429 rate_limited"), Some(&900), "{reads:?}");

    // A fresh partner's key for the scan storm, so its minute window starts empty.
    let (other, scan_key) = register(&apps[1], "storm-scans@acme.example").await;
    common::set_tier(&apps[0], &other, "partner").await;
    let scans = storm(&both, 1000, |app| {
        app.client
            .post(app.url("/v1/scan/repo"))
            .bearer_auth(&scan_key)
            .json(&json!({"url": "acme/orbit"}))
    })
    .await;
    eprintln!("1,000 concurrent POST /v1/scan/repo, partner key, 2 instances: {scans:?}");
    assert_eq!(
        scans.get("202"),
        Some(&20),
        "exactly the concurrent-scan cap is admitted: {scans:?}"
    );
    assert_eq!(scans.get("429 concurrent_scan_limit"), Some(&80), "{scans:?}");
    assert_eq!(scans.get("429 rate_limited"), Some(&900), "{scans:?}");
    for app in apps {
        app.stop().await;
    }
}

/// The single-machine mode (SQLite, in-process limiter) holds the same line.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_calls_never_over_admit_in_process() {
    let Some(app) = spawn_with(Db::Sqlite, &[("AURA_ROLE", "web")]).await else {
        return;
    };
    let (account, key) = register(&app, "storm@acme.example").await;
    common::set_tier(&app, &account, "partner").await;
    let scans = storm(&[&app], 1000, |app| {
        app.client
            .post(app.url("/v1/scan/repo"))
            .bearer_auth(&key)
            .json(&json!({"url": "acme/orbit"}))
    })
    .await;
    eprintln!("1,000 concurrent POST /v1/scan/repo, partner key, 1 instance, SQLite: {scans:?}");
    assert_eq!(scans.get("202"), Some(&20), "{scans:?}");
    assert_eq!(scans.get("429 concurrent_scan_limit"), Some(&80), "{scans:?}");
    assert_eq!(scans.get("429 rate_limited"), Some(&900), "{scans:?}");
    app.stop().await;
}

/// Any instance's `/metrics` reports the whole shared queue, the figure worker autoscaling
/// reads: scans queued through one web instance (no worker runs) show on the other as ready
/// jobs, with the age of the oldest. (The only test in this binary that scrapes metrics: the
/// gauges live in the process-wide recorder.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn any_instance_reports_the_shared_job_queue() {
    let Some(apps) = cluster(&["web", "web"], &[]).await else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    let (account, key) = register(a, "queue@acme.example").await;
    common::set_tier(a, &account, "internal").await;
    for i in 0..3 {
        let res = a
            .client
            .post(a.url("/v1/scan/repo"))
            .bearer_auth(&key)
            .json(&json!({"url": format!("acme/queued{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    let text = b
        .client
        .get(b.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |line: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(line))
            .map(|v| v.trim().parse::<f64>().unwrap())
            .unwrap_or_else(|| panic!("{line} in {text}"))
    };
    assert_eq!(value("job_queue_depth{kind=\"scan\",state=\"ready\"}"), 3.0);
    assert_eq!(value("job_queue_depth{kind=\"scan\",state=\"running\"}"), 0.0);
    assert_eq!(value("job_queue_depth{kind=\"delivery\",state=\"ready\"}"), 0.0);
    assert!(value("job_queue_oldest_ready_seconds{kind=\"scan\"}") > 0.0);
    for app in apps {
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scans_queued_anywhere_complete_and_stream_everywhere() {
    let gh = github::start().await;
    for i in 0..6 {
        gh.add(&format!("acme/repo{i}"), github::healthy_repo(i));
    }
    gh.set_archive_delay(Duration::from_millis(700));
    let api = gh.api_url();
    let Some(apps) = cluster(
        &["web", "web", "worker", "worker"],
        &[("AURA_GITHUB_API_URL", api.as_str()), ("AURA_SCAN_WORKERS", "1")],
    )
    .await
    else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    let (account, key) = register(a, "bot@acme.example").await;
    common::set_tier(a, &account, "internal").await;

    let mut ids = Vec::new();
    for i in 0..6 {
        let web = if i % 2 == 0 { a } else { b };
        let res = web
            .client
            .post(web.url("/v1/scan/repo"))
            .bearer_auth(&key)
            .json(&json!({"url": format!("acme/repo{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        ids.push(
            res.json::<Value>().await.unwrap()["scan_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // A subscriber on B follows a scan queued on A, run by a worker instance.
    let res = b
        .client
        .get(b.url(&format!("/v1/scan/{}/stream", ids[0])))
        .send()
        .await
        .unwrap();
    let events = read_sse(res, true).await;
    assert_eq!(
        events.last().unwrap().event,
        StreamEvent::ScanCompleted.as_str(),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e.event == StreamEvent::Progress.as_str()));
    for id in &ids {
        assert_eq!(wait_finished(b, id).await["status"], "completed");
    }
    for app in apps {
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redis_outage_degrades_to_in_process() {
    // Nothing listens on this port: Redis is "down" for this instance's whole life.
    let dead = format!(
        "redis://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    let api = gh.api_url();
    let Some(app) = spawn_with(
        Db::Sqlite,
        &[("AURA_REDIS_URL", dead.as_str()), ("AURA_GITHUB_API_URL", api.as_str())],
    )
    .await
    else {
        return;
    };
    let (_, key) = register(&app, "bot@acme.example").await;
    // Limits fail open (documented), requests keep working.
    for _ in 0..7 {
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
    // Without the shared epoch no key is trusted from memory: every call reads the database.
    assert!(app.keys.is_empty());
    // Scans run and stream on this instance.
    let res = app
        .client
        .post(app.url("/v1/scan/repo"))
        .bearer_auth(&key)
        .json(&json!({"url": "acme/orbit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let id = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    let events = read_sse(
        app.client
            .get(app.url(&format!("/v1/scan/{id}/stream")))
            .send()
            .await
            .unwrap(),
        true,
    )
    .await;
    assert_eq!(events.last().unwrap().event, StreamEvent::ScanCompleted.as_str());
    // A revoke still bites on the next call (its announcement is retried in the background).
    let keys: Vec<Value> = app
        .client
        .get(app.url("/v1/auth/keys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = keys[0]["id"].as_str().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/v1/auth/keys/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .client
        .get(app.url("/v1/auth/keys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    app.stop().await;
}
