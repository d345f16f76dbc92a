//! Scan orchestration through the real server: the async API, SSE, the cache, workers and
//! their leases, failures and retries, the concurrent-scan cap and the similarity index, on
//! SQLite and PostgreSQL, against a loopback stand-in for GitHub's REST API.

use std::{sync::atomic::Ordering, time::Duration};

use crate::common::{
    app_with_github, github, post_scan, read_sse, register, set_tier, spawn_with, wait_finished, Db, TestApp,
};
use app::events::StreamEvent;
use app::server::{
    entities::job,
    jobs::{self, JobKind, JobStatus},
};
use app::status::ScanStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

async fn submit(app: &TestApp, key: &str, url: &str) -> String {
    let res = post_scan(app, key, json!({"url": url, "fresh": true})).await;
    assert_eq!(res.status(), 202, "{:?}", res.text().await);
    res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn accepted_at_once_then_completed(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.set_archive_delay(Duration::from_millis(1500));
    let (_, key) = register(&app, "bot@acme.example").await;

    let res = post_scan(&app, &key, json!({"url": "https://github.com/Acme/Orbit"})).await;
    assert_eq!(res.status(), 202);
    assert!(res.headers().contains_key("x-ratelimit-remaining"));
    let body: Value = res.json().await.unwrap();
    let id = body["scan_id"].as_str().unwrap();
    assert_eq!(id.len(), 32, "128 random bits, hex");
    assert_eq!(body["status"], "queued");
    assert_eq!(body["report_url"], format!("{}/report/{id}", app.config.public_url));
    assert_eq!(
        body["stream_url"],
        format!("{}/v1/scan/{id}/stream", app.config.public_url)
    );

    // The handler did not wait: the archive is still being "downloaded".
    let now: Value = app
        .client
        .get(app.url(&format!("/v1/scan/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(now["status"] == "queued" || now["status"] == "running", "{now}");
    assert!(now.get("result").is_none());

    let done = wait_finished(&app, id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["kind"], "repo");
    assert_eq!(done["target"], "acme/orbit");
    assert_eq!(done["progress"], 100);
    assert!(done["completed_at"].is_string());
    let r = &done["result"];
    let score = r["score"].as_u64().unwrap();
    let points: i64 = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["points"].as_i64().unwrap())
        .sum();
    assert_eq!(score as i64, points.clamp(0, 100), "the score is the sum of its checks");
    assert!(["A", "B", "C", "D", "F"].contains(&r["grade"].as_str().unwrap()));
    assert!(["SAFU", "DYOR", "RISKY", "SCAM"].contains(&r["verdict"].as_str().unwrap()));
    assert!(r["tags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.as_str().unwrap().starts_with('#')));

    // Unknown and malformed ids are 404 with the contract's body.
    for bad in ["00000000000000000000000000000000", "not-an-id"] {
        let res = app
            .client
            .get(app.url(&format!("/v1/scan/{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    }
    app.stop().await;
}

async fn stream_order_resume_and_replay(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.set_archive_delay(Duration::from_millis(1000));
    let (_, key) = register(&app, "bot@acme.example").await;
    let id = submit(&app, &key, "acme/orbit").await;

    let stream_url = app.url(&format!("/v1/scan/{id}/stream"));
    // Many subscribers of one scan all see the whole run.
    let subscribers: Vec<_> = (0..20)
        .map(|_| {
            let (c, u) = (app.client.clone(), stream_url.clone());
            tokio::spawn(async move {
                let res = c.get(u).send().await.unwrap();
                assert_eq!(res.status(), 200);
                assert!(res.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/event-stream"));
                read_sse(res, false).await
            })
        })
        .collect();
    let mut all = Vec::new();
    for s in subscribers {
        all.push(s.await.unwrap());
    }
    for events in &all {
        let last = events.last().expect("events");
        assert_eq!(last.event, StreamEvent::ScanCompleted.as_str(), "{events:?}");
        assert_eq!(last.data["scanId"], id.as_str());
        assert!(last.data["score"].is_u64() && last.data["grade"].is_string() && last.data["verdict"].is_string());
        assert_eq!(last.data["reportUrl"], format!("{}/report/{id}", app.config.public_url));
        let ids: Vec<i64> = events
            .iter()
            .map(|e| e.id.as_deref().unwrap().parse().unwrap())
            .collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase: {ids:?}");
        for e in &events[..events.len() - 1] {
            assert!(
                e.event == StreamEvent::ScanStarted.as_str() || e.event == StreamEvent::Progress.as_str(),
                "{e:?}"
            );
        }
    }
    // The subscriber that came first saw it from the start.
    let full = all.iter().max_by_key(|e| e.len()).unwrap();
    assert_eq!(full[0].event, StreamEvent::ScanStarted.as_str());
    assert_eq!(full[0].data["repo"], "acme/orbit");
    let percents: Vec<u64> = full
        .iter()
        .filter(|e| e.event == StreamEvent::Progress.as_str())
        .map(|e| e.data["percent"].as_u64().unwrap())
        .collect();
    assert!(
        !percents.is_empty() && percents.windows(2).all(|w| w[0] <= w[1]),
        "{percents:?}"
    );
    assert!(full
        .iter()
        .filter(|e| e.event == StreamEvent::Progress.as_str())
        .all(|e| e.data["message"].is_string()));

    // Resume after the second event: exactly the rest.
    let second = full[1].id.clone().unwrap();
    let res = app
        .client
        .get(&stream_url)
        .header("Last-Event-ID", &second)
        .send()
        .await
        .unwrap();
    let rest = read_sse(res, false).await;
    assert_eq!(
        rest.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        full[2..].iter().map(|e| e.id.clone()).collect::<Vec<_>>()
    );

    // A finished scan replays its outcome and closes.
    let res = app.client.get(&stream_url).send().await.unwrap();
    let replay = read_sse(res, false).await;
    assert_eq!(replay.len(), 1);
    assert_eq!(replay[0].event, StreamEvent::ScanCompleted.as_str());
    assert_eq!(replay[0].id, full.last().unwrap().id);
    // Nothing after the outcome: 204 stops EventSource reconnecting.
    let res = app
        .client
        .get(&stream_url)
        .header("Last-Event-ID", full.last().unwrap().id.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    app.stop().await;
}

async fn cache_and_fresh(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let (_, key) = register(&app, "bot@acme.example").await;
    let first = submit(&app, &key, "acme/orbit").await;
    wait_finished(&app, &first).await;

    let res = post_scan(&app, &key, json!({"url": "https://github.com/acme/orbit"})).await;
    assert_eq!(res.status(), 200);
    let cached: Value = res.json().await.unwrap();
    assert_eq!(cached["cached"], true);
    assert_eq!(cached["scan_id"], first.as_str());
    assert_eq!(cached["status"], "completed");
    assert!(cached["result"]["score"].is_u64());
    assert_eq!(gh.stub.archives_served.load(Ordering::SeqCst), 1, "served from cache");

    let res = post_scan(&app, &key, json!({"url": "acme/orbit", "fresh": true})).await;
    assert_eq!(res.status(), 202);
    let again: Value = res.json().await.unwrap();
    assert_ne!(again["scan_id"], first.as_str());
    wait_finished(&app, again["scan_id"].as_str().unwrap()).await;
    assert_eq!(gh.stub.archives_served.load(Ordering::SeqCst), 2);
    app.stop().await;

    // With a zero TTL nothing is reused.
    let Some((app, gh)) = app_with_github(kind, &[("AURA_SCAN_CACHE_TTL_SECS", "0")]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let (_, key) = register(&app, "bot@acme.example").await;
    let first = submit(&app, &key, "acme/orbit").await;
    wait_finished(&app, &first).await;
    assert_eq!(post_scan(&app, &key, json!({"url": "acme/orbit"})).await.status(), 202);
    app.stop().await;
}

async fn ten_scans_with_two_workers(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[("AURA_SCAN_WORKERS", "2")]).await else {
        return;
    };
    for i in 0..10 {
        gh.add(&format!("acme/repo{i}"), github::healthy_repo(i));
    }
    gh.set_archive_delay(Duration::from_millis(300));
    let (account, key) = register(&app, "bot@acme.example").await;
    set_tier(&app, &account, "internal").await;
    let posts: Vec<_> = (0..10)
        .map(|i| {
            let (c, u, k) = (app.client.clone(), app.url("/v1/scan/repo"), key.clone());
            tokio::spawn(async move {
                let res = c
                    .post(u)
                    .bearer_auth(k)
                    .json(&json!({"url": format!("acme/repo{i}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 202);
                res.json::<Value>().await.unwrap()["scan_id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for p in posts {
        ids.push(p.await.unwrap());
    }
    let mut max_running = 0;
    loop {
        max_running = max_running.max(jobs::running(&app.db, JobKind::Scan).await.unwrap());
        let done = job::Entity::find()
            .filter(job::Column::Status.eq(JobStatus::Done))
            .all(&app.db)
            .await
            .unwrap()
            .len();
        if done == 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for id in &ids {
        assert_eq!(wait_finished(&app, id).await["status"], "completed");
    }
    assert!(
        max_running <= 2,
        "at most AURA_SCAN_WORKERS run at once (saw {max_running})"
    );
    let downloads = gh.stub.max_in_flight.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&downloads),
        "concurrent archive downloads: {downloads}"
    );
    app.stop().await;
}

async fn a_dead_workers_scan_is_not_lost(kind: Db) {
    // A web-only instance takes the scan; a "worker" claims it and dies (its lease lapses);
    // a worker instance on the same database picks it up and finishes it.
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    let api = gh.api_url();
    let Some(web) = spawn_with(kind, &[("AURA_GITHUB_API_URL", api.as_str()), ("AURA_ROLE", "web")]).await else {
        return;
    };
    let (_, key) = register(&web, "bot@acme.example").await;
    let id = submit(&web, &key, "acme/orbit").await;
    let doomed = jobs::Claimer::new(JobKind::Scan, 1);
    let claimed = doomed
        .claim(&web.db, &doomed.worker_id(0), Duration::from_millis(300))
        .await
        .unwrap()
        .expect("claimable");
    assert_eq!(claimed.ref_id, id);
    assert_eq!(claimed.attempts, 1);

    let db_url = web.config.database_url.clone();
    let Some(worker) = spawn_with(
        kind,
        &[
            ("AURA_GITHUB_API_URL", api.as_str()),
            ("AURA_ROLE", "worker"),
            ("AURA_DATABASE_URL", db_url.as_str()),
        ],
    )
    .await
    else {
        return;
    };
    let done = wait_finished(&web, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    let j = jobs::for_ref(&web.db, JobKind::Scan, &id).await.unwrap().unwrap();
    assert_eq!(j.status, JobStatus::Done);
    assert_eq!(j.attempts, 2, "the lapsed claim counted as one attempt");
    assert_ne!(j.locked_by.as_deref(), Some("doomed-worker"));
    // The dead worker can no longer write: its claim is gone.
    assert!(!jobs::complete(&web.db, &claimed).await.unwrap());
    worker.stop().await;
    web.stop().await;
}

async fn permanent_failure_is_readable(kind: Db) {
    let Some((app, _gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    let (_, key) = register(&app, "bot@acme.example").await;
    let id = submit(&app, &key, "acme/does-not-exist").await;
    let done = wait_finished(&app, &id).await;
    assert_eq!(done["status"], "failed");
    assert!(
        done["error"].as_str().unwrap().to_lowercase().contains("not found"),
        "{done}"
    );
    assert!(done.get("result").is_none());
    let j = jobs::for_ref(&app.db, JobKind::Scan, &id).await.unwrap().unwrap();
    assert_eq!(
        (j.status, j.attempts),
        (JobStatus::Failed, 1),
        "permanent errors are not retried"
    );
    let events = read_sse(
        app.client
            .get(app.url(&format!("/v1/scan/{id}/stream")))
            .send()
            .await
            .unwrap(),
        false,
    )
    .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event, StreamEvent::ScanFailed.as_str());
    assert_eq!(events[0].data["scanId"], id.as_str());
    assert!(events[0].data["error"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("not found"));
    app.stop().await;
}

async fn transient_failures_retry_then_dead_letter(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let (account, key) = register(&app, "bot@acme.example").await;
    set_tier(&app, &account, "internal").await;

    // Two GitHub 502s, then success: completed on the third attempt.
    gh.stub.fail_next.store(2, Ordering::SeqCst);
    let id = submit(&app, &key, "acme/orbit").await;
    let done = wait_finished(&app, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        jobs::for_ref(&app.db, JobKind::Scan, &id)
            .await
            .unwrap()
            .unwrap()
            .attempts,
        3
    );

    // Always failing: failed after the last attempt, the job dead-lettered and re-runnable.
    gh.stub.fail_next.store(3, Ordering::SeqCst);
    let id = submit(&app, &key, "acme/orbit").await;
    let done = wait_finished(&app, &id).await;
    assert_eq!(done["status"], "failed");
    assert!(done["error"].as_str().unwrap().contains("attempts"), "{done}");
    let j = jobs::for_ref(&app.db, JobKind::Scan, &id).await.unwrap().unwrap();
    assert_eq!((j.status, j.attempts), (JobStatus::Dead, 3));
    assert!(jobs::list(&app.db, JobStatus::Dead, 10)
        .await
        .unwrap()
        .iter()
        .any(|d| d.id == j.id));

    // An admin sees the dead letter and re-runs it; GitHub is back, so it completes.
    let res = app
        .client
        .get(app.url("/v1/admin/jobs"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "partners cannot see the queue");
    let am = app::server::entities::account::ActiveModel {
        id: sea_orm::Set(account.clone()),
        role: sea_orm::Set("admin".into()),
        ..Default::default()
    };
    app::server::entities::account::Entity::update(am)
        .exec(&app.db)
        .await
        .unwrap();
    app.keys.changed().await;
    let dead: Vec<Value> = app
        .client
        .get(app.url("/v1/admin/jobs?status=dead"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(dead.iter().any(|d| d["id"] == j.id && d["ref_id"] == id.as_str()));
    let res = app
        .client
        .post(app.url(&format!("/v1/admin/jobs/{}/retry", j.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let done = wait_finished(&app, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    let events = read_sse(
        app.client
            .get(app.url(&format!("/v1/scan/{id}/stream")))
            .send()
            .await
            .unwrap(),
        false,
    )
    .await;
    assert_eq!(
        events.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        [StreamEvent::ScanCompleted.as_str()]
    );
    let res = app
        .client
        .post(app.url(&format!("/v1/admin/jobs/{}/retry", j.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "only dead or failed jobs are re-run");
    app.stop().await;
}

async fn concurrent_scan_cap(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    for i in 0..10 {
        gh.add(&format!("acme/repo{i}"), github::healthy_repo(i));
    }
    gh.set_archive_delay(Duration::from_millis(2500));
    // Free: one scan at a time.
    let (_, free) = register(&app, "free@acme.example").await;
    assert_eq!(post_scan(&app, &free, json!({"url": "acme/repo0"})).await.status(), 202);
    let res = post_scan(&app, &free, json!({"url": "acme/repo1"})).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "concurrent_scan_limit"
    );
    // The cap is the account's: a second key of it gets no scan of its own.
    let res = app
        .client
        .post(app.url("/v1/auth/keys"))
        .bearer_auth(&free)
        .json(&json!({"name": "second"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let second = res.json::<Value>().await.unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_string();
    let res = post_scan(&app, &second, json!({"url": "acme/repo2"})).await;
    assert_eq!(res.status(), 429);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "concurrent_scan_limit"
    );
    // And its daily quota is one count for all its keys: the day window's remaining calls go
    // down whichever key calls (the minute window stays per key).
    let day_left = |res: &reqwest::Response| -> u64 {
        let header = res.headers()["ratelimit"].to_str().unwrap().to_string();
        let day = header
            .split(',')
            .find(|p| p.contains("\"day\""))
            .unwrap_or_else(|| panic!("{header}"));
        day.split(';')
            .find_map(|p| p.trim().strip_prefix("r="))
            .unwrap()
            .parse()
            .unwrap()
    };
    let list = |key: &str| {
        app.client
            .get(app.url("/v1/auth/keys"))
            .bearer_auth(key.to_string())
            .send()
    };
    let a = day_left(&list(&free).await.unwrap());
    let b = day_left(&list(&second).await.unwrap());
    let c = day_left(&list(&free).await.unwrap());
    assert_eq!((a - b, b - c), (1, 1), "one daily count across keys: {a} {b} {c}");

    // Pro: ten at once, exactly five admitted.
    let (account, pro) = register(&app, "pro@acme.example").await;
    set_tier(&app, &account, "pro").await;
    let posts: Vec<_> = (0..10)
        .map(|i| {
            let (c, u, k) = (app.client.clone(), app.url("/v1/scan/repo"), pro.clone());
            tokio::spawn(async move {
                c.post(u)
                    .bearer_auth(k)
                    .json(&json!({"url": format!("acme/repo{i}"), "fresh": true}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for p in posts {
        codes.push(p.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 202).count(), 5, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 5, "{codes:?}");
    app.stop().await;
}

async fn bad_input_is_refused_clearly(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.add("acme/fork", github::healthy_repo(2));
    let (account, key) = register(&app, "bot@acme.example").await;
    set_tier(&app, &account, "pro").await;
    for url in [
        "",
        "not a repo",
        "ftp://github.com/a/b",
        "https://github.com/only-owner",
        "javascript:alert(1)",
    ] {
        let res = post_scan(&app, &key, json!({"url": url})).await;
        assert_eq!(res.status(), 422, "{url}");
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "invalid_target");
    }
    let res = app
        .client
        .post(app.url("/v1/scan/repo"))
        .bearer_auth(&key)
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "malformed JSON");
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "invalid_body");
    assert_eq!(
        app.client
            .post(app.url("/v1/scan/repo"))
            .json(&json!({"url": "acme/orbit"}))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // X profile scans need the X API configured.
    let res = app
        .client
        .post(app.url("/v1/scan/x-profile"))
        .bearer_auth(&key)
        .json(&json!({"handle": "@solana"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "x_api_not_configured"
    );

    // Compare: two repositories, one scan.
    let res = app
        .client
        .post(app.url("/v1/scan/compare"))
        .bearer_auth(&key)
        .json(&json!({"url_a": "acme/orbit", "url_b": "acme/fork"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let id = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = wait_finished(&app, &id).await;
    assert_eq!(
        (done["kind"].as_str(), done["status"].as_str()),
        (Some("compare"), Some("completed")),
        "{done}"
    );
    assert_eq!(done["target"], "acme/orbit vs acme/fork");
    app.stop().await;

    // Callback URLs follow the webhook rules when private targets are not allowed.
    let Some((app, _gh)) = app_with_github(kind, &[("AURA_ALLOW_PRIVATE_TARGETS", "false")]).await else {
        return;
    };
    let (_, key) = register(&app, "bot@acme.example").await;
    for cb in [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
    ] {
        let res = post_scan(&app, &key, json!({"url": "acme/orbit", "callback_url": cb})).await;
        assert_eq!(res.status(), 422, "{cb}");
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "invalid_url");
    }
    app.stop().await;
}

async fn near_duplicates_are_flagged(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.add("rugger/orbit-pro", github::healthy_repo(1));
    gh.add("other/thing", github::healthy_repo(7));
    let (account, key) = register(&app, "bot@acme.example").await;
    set_tier(&app, &account, "internal").await;
    let original = submit(&app, &key, "acme/orbit").await;
    let r = wait_finished(&app, &original).await;
    assert!(r["result"]["red_flags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != "similarity.near_duplicate"));

    let copy = submit(&app, &key, "rugger/orbit-pro").await;
    let r = wait_finished(&app, &copy).await;
    let flag = r["result"]["red_flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "similarity.near_duplicate")
        .cloned();
    let flag = flag.unwrap_or_else(|| panic!("near-duplicate flag: {r}"));
    assert!(flag["title"].as_str().unwrap().contains("acme/orbit"), "{flag}");
    assert_eq!(flag["severity"], "high");
    assert!(r["result"]["tags"].as_array().unwrap().iter().any(|t| t == "#Clone"));
    let check = r["result"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "similarity.index")
        .cloned()
        .unwrap();
    assert!(check["points"].as_i64().unwrap() < 0);

    // A different project is not flagged, and a rescan of the original is not its own clone.
    for target in ["other/thing", "acme/orbit"] {
        let id = submit(&app, &key, target).await;
        let r = wait_finished(&app, &id).await;
        assert!(
            r["result"]["red_flags"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["id"] != "similarity.near_duplicate"),
            "{target}: {r}"
        );
    }
    app.stop().await;
}

/// The original of two near-identical code bases is the older repository, not the one
/// scanned first: a copy scanned before its original never makes the original the "clone".
async fn the_older_repository_is_the_original(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    let mut copy = github::healthy_repo(3);
    copy.created_days_ago = 12;
    gh.add("rugger/orbit-v2", copy);
    gh.add("acme/orbit", github::healthy_repo(3)); // created 900 days ago
    let (account, key) = register(&app, "order@acme.example").await;
    set_tier(&app, &account, "internal").await;
    let near_duplicate = |r: &Value| {
        r["result"]["red_flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "similarity.near_duplicate")
            .cloned()
    };
    // The copy first: nothing older is indexed yet.
    let r = wait_finished(&app, &submit(&app, &key, "rugger/orbit-v2").await).await;
    assert!(near_duplicate(&r).is_none(), "{r}");
    // Then the original: the copy indexed before it is younger, so it is not the original.
    let r = wait_finished(&app, &submit(&app, &key, "acme/orbit").await).await;
    assert!(near_duplicate(&r).is_none(), "the original is never the clone: {r}");
    // The copy's next scan names the original.
    let r = wait_finished(&app, &submit(&app, &key, "rugger/orbit-v2").await).await;
    let flag = near_duplicate(&r).unwrap_or_else(|| panic!("the copy is flagged: {r}"));
    assert!(flag["title"].as_str().unwrap().contains("acme/orbit"), "{flag}");
    app.stop().await;
}

/// A graceful stop (SIGTERM) lets a running scan finish within the grace period: the stop
/// waits for it, and the scan is completed, not abandoned to a lease.
async fn a_graceful_stop_lets_the_running_scan_finish(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/slow", github::healthy_repo(1));
    gh.set_archive_delay(Duration::from_secs(2));
    let (_, key) = register(&app, "stop@acme.example").await;
    let id = submit(&app, &key, "acme/slow").await;
    for _ in 0..100 {
        let now: Value = app
            .client
            .get(app.url(&format!("/v1/scan/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if now["status"] == "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let db = app.db.clone();
    app.stop().await;
    let scan = app::server::scans::get(&db, &id).await.unwrap();
    assert_eq!(scan.status, ScanStatus::Completed, "finished during the grace period");
}

/// Open streams are capped per client address and per instance (429 `too_many_streams` with
/// `Retry-After`), and a closed stream gives its slot back.
async fn streams_are_capped(kind: Db) {
    let extra = [
        ("AURA_STREAMS_PER_ADDRESS", "2"),
        ("AURA_STREAMS_PER_INSTANCE", "3"),
        ("AURA_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let Some((app, gh)) = app_with_github(kind, &extra).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    // Long enough that every stream stays open through the test.
    gh.set_archive_delay(Duration::from_secs(20));
    let (_, key) = register(&app, "bot@acme.example").await;
    let id = submit(&app, &key, "acme/orbit").await;
    let open = |client: &'static str| {
        let app = &app;
        let id = id.clone();
        async move {
            app.client
                .get(app.url(&format!("/v1/scan/{id}/stream")))
                .header("x-forwarded-for", client)
                .send()
                .await
                .unwrap()
        }
    };
    let a1 = open("198.51.100.1").await;
    let a2 = open("198.51.100.1").await;
    assert_eq!((a1.status().as_u16(), a2.status().as_u16()), (200, 200));
    let refused = open("198.51.100.1").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "5");
    assert_eq!(crate::common::error_code(refused).await, "too_many_streams");
    // Another client still gets one, until the instance is full.
    let b1 = open("198.51.100.2").await;
    assert_eq!(b1.status(), 200);
    assert_eq!(open("198.51.100.3").await.status(), 429);
    // A client that leaves gives its slot back.
    drop(a1);
    let mut reopened = None;
    for _ in 0..50 {
        let res = open("198.51.100.3").await;
        if res.status() == 200 {
            reopened = Some(res);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "the slot came back");
    drop((a2, b1, reopened));
    app.stop().await;
}

async fn streams_of_one_scan_share_one_poll(kind: Db) {
    // Five viewers of one running scan on one instance: one channel, one log poller, no task
    // per viewer; all five get the outcome, and the poller ends once they are gone.
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.set_archive_delay(Duration::from_secs(2));
    let (_, key) = register(&app, "bot@acme.example").await;
    let id = submit(&app, &key, "acme/orbit").await;
    let mut streams = Vec::new();
    for _ in 0..5 {
        let res = app
            .client
            .get(app.url(&format!("/v1/scan/{id}/stream")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        streams.push(res);
    }
    let hub = app.state.bus.hub();
    assert_eq!(hub.watched(), 1, "one channel for the scan");
    assert_eq!(hub.log_pollers(), 1, "one log poller for five viewers");
    let readers: Vec<_> = streams.into_iter().map(|r| tokio::spawn(read_sse(r, true))).collect();
    for r in readers {
        let evs = r.await.unwrap();
        assert_eq!(evs.last().unwrap().event, "scan_completed", "{evs:?}");
    }
    let mut pollers = 1;
    for _ in 0..150 {
        pollers = hub.log_pollers();
        if pollers == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(pollers, 0, "the poller ends when nobody watches");
    app.stop().await;
}

async fn claims_are_fair_across_accounts(kind: Db) {
    // The claim itself, on the real database: a web-only instance (no workers of its own) and
    // a claimer letting an account hold one worker. A's backlog is older, yet once A holds
    // its share the next claim is B's, then the anonymous bucket's; A's second job waits
    // until A's first is done.
    let Some(app) = spawn_with(kind, &[("AURA_ROLE", "web")]).await else {
        return;
    };
    let lease = Duration::from_secs(60);
    for i in 0..5 {
        jobs::enqueue(
            &app.db,
            JobKind::Scan,
            &format!("a{i}"),
            Some("acct-a"),
            3,
            Duration::ZERO,
        )
        .await
        .unwrap();
    }
    jobs::enqueue(&app.db, JobKind::Scan, "b0", Some("acct-b"), 3, Duration::ZERO)
        .await
        .unwrap();
    jobs::enqueue(&app.db, JobKind::Scan, "anon0", None, 3, Duration::ZERO)
        .await
        .unwrap();
    let claimer = jobs::Claimer::with_share(JobKind::Scan, 1);
    let claim = async |i: usize| claimer.claim(&app.db, &claimer.worker_id(i), lease).await.unwrap();
    let first = claim(0).await.expect("a job");
    assert_eq!(first.ref_id, "a0", "the oldest job goes first");
    assert_eq!(
        claim(1).await.expect("a job").ref_id,
        "b0",
        "A holds its share: B goes ahead"
    );
    assert_eq!(claim(2).await.expect("a job").ref_id, "anon0");
    assert!(claim(3).await.is_none(), "every account holds its share");
    // Another instance counts its own workers: A's backlog is claimable there.
    let elsewhere = jobs::Claimer::with_share(JobKind::Scan, 1);
    let there = elsewhere.claim(&app.db, &elsewhere.worker_id(0), lease).await.unwrap();
    assert_eq!(there.expect("a job").ref_id, "a1");
    assert!(jobs::complete(&app.db, &first).await.unwrap());
    assert_eq!(
        claim(0).await.expect("a job").ref_id,
        "a2",
        "A's freed share is taken again"
    );
    app.stop().await;
}

on_both_kinds!(
    streams_are_capped,
    a_graceful_stop_lets_the_running_scan_finish,
    accepted_at_once_then_completed,
    stream_order_resume_and_replay,
    cache_and_fresh,
    ten_scans_with_two_workers,
    a_dead_workers_scan_is_not_lost,
    permanent_failure_is_readable,
    transient_failures_retry_then_dead_letter,
    concurrent_scan_cap,
    bad_input_is_refused_clearly,
    near_duplicates_are_flagged,
    the_older_repository_is_the_original,
    claims_are_fair_across_accounts,
    streams_of_one_scan_share_one_poll,
);
