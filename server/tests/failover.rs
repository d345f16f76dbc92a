//! Failover with real processes: web and worker instances of the server binary on one
//! PostgreSQL database and Redis, killed with SIGKILL mid-work. Nothing is lost: a killed
//! worker's scan is finished by another, a client whose web instance dies resumes its stream
//! on another with `Last-Event-ID`, and a webhook receiver that is down for 30 s still gets
//! its delivery.

mod common;

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use common::{github, postgres_database, read_sse, receiver};
use serde_json::{json, Value};

struct Proc {
    child: Child,
    base: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    /// SIGKILL: no graceful shutdown, no lease release.
    fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

struct Cluster {
    db: String,
    redis: String,
    github: String,
    data: tempfile::TempDir,
}

impl Cluster {
    async fn new(github: String) -> Option<Self> {
        let redis = match std::env::var("AURA_TEST_REDIS_URL") {
            Ok(r) => r,
            Err(_) if std::env::var("AURA_TEST_REQUIRE_POSTGRES").is_ok() => panic!("CI must set AURA_TEST_REDIS_URL"),
            Err(_) => return None,
        };
        let db = postgres_database().await?;
        Some(Cluster { db, redis, github, data: tempfile::tempdir().unwrap() })
    }

    async fn start(&self, role: &str, extra: &[(&str, &str)]) -> Proc {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("AURA_PUBLIC_URL", "http://aura.test")
            .env("AURA_DATA_DIR", self.data.path())
            .env("AURA_DATABASE_URL", &self.db)
            .env("AURA_REDIS_URL", &self.redis)
            .env("AURA_SECRET_KEY", common::SECRET_KEY)
            .env("AURA_ALLOW_PRIVATE_TARGETS", "true")
            .env("AURA_GITHUB_API_URL", &self.github)
            .env("AURA_ROLE", role)
            .env("AURA_JOB_LEASE_SECS", "3")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        if role != "worker" {
            let c = reqwest::Client::new();
            for _ in 0..300 {
                if c.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status() == 200) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        } else {
            tokio::time::sleep(Duration::from_millis(800)).await;
        }
        Proc { child, base }
    }

    /// An internal key for a fresh partner, via the admin CLI on the same database.
    fn key(&self) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["admin", "create", "--email", "ops@aura.test", "--password", "ops-password-1"])
            .env("AURA_DATABASE_URL", &self.db)
            .env("AURA_DATA_DIR", self.data.path())
            .env("AURA_SECRET_KEY", common::SECRET_KEY)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().lines().last().unwrap().trim().to_string()
    }
}

async fn submit(c: &reqwest::Client, web: &Proc, key: &str, body: Value) -> String {
    let res = c.post(format!("{}/v1/scan/repo", web.base)).bearer_auth(key).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["scan_id"].as_str().unwrap().to_string()
}

async fn status(c: &reqwest::Client, web: &Proc, id: &str) -> Value {
    c.get(format!("{}/v1/scan/{id}", web.base)).send().await.unwrap().json().await.unwrap()
}

async fn wait_status(c: &reqwest::Client, web: &Proc, id: &str, want: &str, secs: u64) -> Value {
    for _ in 0..secs * 10 {
        let v = status(c, web, id).await;
        if v["status"] == want {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("scan {id} never became {want}: {}", status(c, web, id).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_worker_and_web_instance_lose_nothing() {
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.set_archive_delay(Duration::from_secs(4));
    let Some(cluster) = Cluster::new(gh.api_url()).await else { return };
    let web_a = cluster.start("web", &[]).await;
    let mut web_b = cluster.start("web", &[]).await;
    let mut worker_1 = cluster.start("worker", &[("AURA_SCAN_WORKERS", "1")]).await;
    let key = cluster.key();
    let c = reqwest::Client::new();

    let id = submit(&c, &web_a, &key, json!({"url": "acme/orbit"})).await;
    wait_status(&c, &web_a, &id, "running", 30).await;
    // A client follows the scan on B; it has seen the first event(s) when B dies.
    let mut res = c.get(format!("{}/v1/scan/{id}/stream", web_b.base)).send().await.unwrap();
    let mut buf = String::new();
    while !buf.contains("\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), res.chunk()).await.unwrap().unwrap().unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
    // Complete events only (everything before the last blank line).
    let complete = buf.rsplit_once("\n\n").map(|(done, _)| done).unwrap_or("");
    let seen: Vec<String> = complete
        .split("\n\n")
        .filter_map(|b| b.lines().find_map(|l| l.strip_prefix("id:").map(|v| v.trim().to_string())))
        .collect();
    assert!(!seen.is_empty(), "{buf}");
    web_b.kill9();
    let _ = res.chunk().await; // the stream ends with its instance
    // The worker dies mid-download, holding the claim.
    worker_1.kill9();
    let worker_2 = cluster.start("worker", &[("AURA_SCAN_WORKERS", "1")]).await;

    // The client reconnects to A where it left off.
    let req = c.get(format!("{}/v1/scan/{id}/stream", web_a.base)).header("Last-Event-ID", seen.last().unwrap().as_str());
    let rest = read_sse(req.send().await.unwrap(), true).await;
    let all: Vec<i64> = seen.iter().cloned().chain(rest.iter().map(|e| e.id.clone().unwrap())).map(|i| i.parse().unwrap()).collect();
    assert!(all.windows(2).all(|w| w[0] < w[1]), "no duplicates, in order: {all:?}");
    assert_eq!(rest.last().unwrap().event, "scan_completed", "{rest:?}");

    let done = status(&c, &web_a, &id).await;
    assert_eq!(done["status"], "completed");
    drop(worker_2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_down_for_30_seconds_still_gets_its_delivery() {
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    let Some(cluster) = Cluster::new(gh.api_url()).await else { return };
    // Retries at 2, 7, 17 and 37 s: the receiver comes back after 30.
    let web = cluster.start("all", &[("AURA_WEBHOOK_RETRY_DELAYS", "2,5,10,20")]).await;
    let key = cluster.key();
    let c = reqwest::Client::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let res = c.post(format!("{}/v1/webhooks", web.base)).bearer_auth(&key).json(&json!({"url": url})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let id = submit(&c, &web, &key, json!({"url": "acme/orbit"})).await;
    wait_status(&c, &web, &id, "completed", 60).await;

    tokio::time::sleep(Duration::from_secs(30)).await;
    let rx = receiver::start_on(port).await;
    let got = rx.wait_for(1).await;
    assert_eq!(got[0].json()["scan_id"], id.as_str());
    let log: Vec<Value> = c.get(format!("{}/v1/webhooks/deliveries", web.base)).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    let d = log.iter().find(|d| d["scan_id"] == id.as_str()).unwrap();
    assert!(d["attempts"].as_i64().unwrap() >= 4, "{d}");
}
