//! Pipeline benchmarks (not part of the test run): the real server binary as a child process
//! on loopback, the GitHub stand-in and a webhook receiver in this process. Prints figures for
//! BENCHMARKS.md; asserts nothing about time.
//!
//! cargo test --release -p server --test bench_pipeline -- --ignored --nocapture --test-threads 1

mod common;

use std::{
    ops::Deref,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use common::{github, process::ServerProcess, receiver};
use serde_json::{json, Value};

/// A server process on a SQLite file of its own.
struct Server {
    process: ServerProcess,
    dir: tempfile::TempDir,
}

impl Deref for Server {
    type Target = ServerProcess;
    fn deref(&self) -> &ServerProcess {
        &self.process
    }
}

impl Server {
    fn db(dir: &tempfile::TempDir) -> String {
        format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display())
    }
}

async fn start(env: &[(&str, &str)]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let (db, data) = (Server::db(&dir), dir.path().to_str().unwrap().to_owned());
    let mut all = vec![("AURA_DATA_DIR", data.as_str()), ("AURA_DATABASE_URL", db.as_str())];
    all.extend_from_slice(env);
    Server {
        process: ServerProcess::start(&all).await,
        dir,
    }
}

/// An internal-tier key (no limits), made through the admin CLI against the same database.
async fn internal_key(s: &Server) -> String {
    common::process::admin_key(&Server::db(&s.dir), s.dir.path())
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn scan_submission_latency_under_load() {
    // Web role only: the measurement is the POST path (validate, cap, insert scan + job).
    let s = start(&[("AURA_ROLE", "web")]).await;
    let key = internal_key(&s).await;
    let c = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let (total, conc) = (4000usize, 32usize);
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..conc)
        .map(|_| {
            let (c, base, key, next) = (c.clone(), s.base.clone(), key.clone(), next.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let t = Instant::now();
                    let r = c
                        .post(format!("{base}/v1/scan/repo"))
                        .bearer_auth(&key)
                        .json(&json!({"url": "acme/orbit", "fresh": true}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 202);
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let secs = t0.elapsed().as_secs_f64();
    lat.sort();
    println!(
        "POST /v1/scan/repo, SQLite, {conc} concurrent: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        total as f64 / secs,
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        pct(&lat, 1.0)
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn scans_completed_per_minute() {
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    let api = gh.api_url();
    for workers in ["2", "4"] {
        let s = start(&[("AURA_GITHUB_API_URL", api.as_str()), ("AURA_SCAN_WORKERS", workers)]).await;
        let key = internal_key(&s).await;
        let c = reqwest::Client::new();
        let n = 60;
        let t0 = Instant::now();
        let mut ids = Vec::new();
        for _ in 0..n {
            let r: Value = c
                .post(format!("{}/v1/scan/repo", s.base))
                .bearer_auth(&key)
                .json(&json!({"url": "acme/orbit", "fresh": true}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids.push(r["scan_id"].as_str().unwrap().to_string());
        }
        for id in &ids {
            loop {
                let v: Value = c
                    .get(format!("{}/v1/scan/{id}", s.base))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if v["status"] == "completed" {
                    break;
                }
                assert_ne!(v["status"], "failed", "{v}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        println!("fixture repository (23 files), {workers} workers: {n} scans in {secs:.1} s = {:.0} scans/min, server RSS {} MiB", n as f64 * 60.0 / secs, s.rss_kib() / 1024);
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn sse_subscribers_and_memory() {
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    // Long enough to open every stream before the outcome (`ulimit -n` must allow two sockets each).
    gh.set_archive_delay(Duration::from_secs(60));
    let api = gh.api_url();
    let n: usize = std::env::var("SSE_SUBSCRIBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let cap = n.to_string();
    // Every stream comes from one address here: lift the per-address cap, size the instance's.
    let s = start(&[
        ("AURA_GITHUB_API_URL", api.as_str()),
        ("AURA_STREAMS_PER_ADDRESS", cap.as_str()),
        ("AURA_STREAMS_PER_INSTANCE", cap.as_str()),
    ])
    .await;
    let key = internal_key(&s).await;
    let c = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let r: Value = c
        .post(format!("{}/v1/scan/repo", s.base))
        .bearer_auth(&key)
        .json(&json!({"url": "acme/orbit"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = r["scan_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = s.rss_kib();
    let mut streams = Vec::new();
    for _ in 0..n {
        let res = c.get(format!("{}/v1/scan/{id}/stream", s.base)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        streams.push(res);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = s.rss_kib();
    println!(
        "{n} SSE subscribers on one scan: server RSS {} MiB -> {} MiB ({:.1} KiB per subscriber)",
        before / 1024,
        after / 1024,
        (after.saturating_sub(before)) as f64 / n as f64
    );
    // Fan-out: every subscriber gets the outcome.
    let t0 = Instant::now();
    let mut done = 0;
    let readers: Vec<_> = streams
        .into_iter()
        .map(|res| tokio::spawn(async move { common::read_sse(res, true).await.last().map(|e| e.event.clone()) }))
        .collect();
    for r in readers {
        done += (r.await.unwrap().as_deref() == Some(app::events::StreamEvent::ScanCompleted.as_str())) as usize;
    }
    println!(
        "all {done} subscribers received scan_completed ({:.1} s after subscribing, archive delay 60 s)",
        t0.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!("after every stream closed: server RSS {} MiB", s.rss_kib() / 1024);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn webhook_throughput_and_latency() {
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    let api = gh.api_url();
    let rx = receiver::start().await;
    let s = start(&[("AURA_GITHUB_API_URL", api.as_str())]).await;
    let key = internal_key(&s).await;
    let c = reqwest::Client::new();
    let hook: Value = c
        .post(format!("{}/v1/webhooks", s.base))
        .bearer_auth(&key)
        .json(&json!({"url": rx.url("/hook")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hook_id = hook["id"].as_str().unwrap();

    let n = 1000;
    let t0 = Instant::now();
    for _ in 0..n {
        assert_eq!(
            c.post(format!("{}/v1/webhooks/{hook_id}/test", s.base))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap()
                .status(),
            202
        );
    }
    let queued = t0.elapsed().as_secs_f64();
    while rx.received().len() < n {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let secs = t0.elapsed().as_secs_f64();
    println!("{n} signed deliveries to a loopback receiver in {secs:.2} s ({:.0}/s; queueing took {queued:.2} s), 4 delivery workers", n as f64 / secs);

    // Scan completion (the outcome committed) to the receiver's first byte.
    let mut lags = Vec::new();
    for _ in 0..20 {
        let before = rx.received().len();
        let r: Value = c
            .post(format!("{}/v1/scan/repo", s.base))
            .bearer_auth(&key)
            .json(&json!({"url": "acme/orbit", "fresh": true}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = r["scan_id"].as_str().unwrap();
        while rx.received().len() == before {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let arrived = chrono::Utc::now();
        let v: Value = c
            .get(format!("{}/v1/scan/{id}", s.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let done: chrono::DateTime<chrono::Utc> = v["completed_at"].as_str().unwrap().parse().unwrap();
        lags.push((arrived - done).to_std().unwrap_or_default());
    }
    lags.sort();
    println!(
        "scan completed -> receiver first byte: median {:.1} ms, max {:.1} ms (20 scans; includes 1 ms polling)",
        pct(&lags, 0.5),
        pct(&lags, 1.0)
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn login_latency_under_the_password_semaphore() {
    // What the password semaphore (one argon2id check per core; a caller waits at most 2 s,
    // then 503 `busy`) costs a login: `LOGINS` correct logins of distinct accounts at several
    // concurrency levels, with latency percentiles, how many were answered 503, and the RSS.
    // Behind a trusted proxy, as a deployment would be: each account signs up and logs in
    // from an address of its own, so the per-address sign-up and failure budgets (10 sign-ups
    // an hour) do not stand in for the semaphore being measured.
    let s = start(&[("AURA_ROLE", "web"), ("AURA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let accounts = 64usize;
    let client_addr = move |i: usize| format!("198.51.100.{}", i % accounts + 1);
    let c = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    for i in 0..accounts {
        let r = c
            .post(format!("{}/v1/auth/register", s.base))
            .header("x-forwarded-for", client_addr(i))
            .json(&json!({"email": format!("bench{i}@login.example"), "password": "hunter2hunter2", "name": "Bench"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let per_level: usize = std::env::var("LOGINS").ok().and_then(|v| v.parse().ok()).unwrap_or(128);
    for conc in [1usize, 2, 8, 32, 64] {
        let next = Arc::new(AtomicUsize::new(0));
        let t0 = Instant::now();
        let tasks: Vec<_> = (0..conc)
            .map(|_| {
                let (c, base, next) = (c.clone(), s.base.clone(), next.clone());
                tokio::spawn(async move {
                    let (mut lat, mut busy) = (Vec::new(), 0usize);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= per_level {
                            break;
                        }
                        let email = format!("bench{}@login.example", i % accounts);
                        let t = Instant::now();
                        let r = c
                            .post(format!("{base}/api/auth/login"))
                            .header("origin", &base)
                            .header("accept", "application/json")
                            .header("x-forwarded-for", client_addr(i))
                            .form(&[("email", email.as_str()), ("password", "hunter2hunter2")])
                            .send()
                            .await
                            .unwrap();
                        match r.status().as_u16() {
                            200 => lat.push(t.elapsed()),
                            503 => busy += 1,
                            other => panic!("login answered {other}"),
                        }
                    }
                    (lat, busy)
                })
            })
            .collect();
        let (mut lat, mut busy) = (Vec::new(), 0);
        for t in tasks {
            let (l, b) = t.await.unwrap();
            lat.extend(l);
            busy += b;
        }
        let secs = t0.elapsed().as_secs_f64();
        lat.sort();
        println!(
            "logins, {conc} concurrent: {:.1}/s, p50 {:.0} ms, p99 {:.0} ms, 503 busy {busy} of {per_level}, server RSS {} MiB",
            lat.len() as f64 / secs,
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            s.rss_kib() / 1024
        );
    }
}
