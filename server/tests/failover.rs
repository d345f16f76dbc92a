//! Failover with real processes: web and worker instances of the server binary on one
//! PostgreSQL database and Redis, killed with SIGKILL mid-work. Nothing is lost: a killed
//! worker's scan is finished by another, a client whose web instance dies resumes its stream
//! on another with `Last-Event-ID`, a webhook receiver that is down for 30 s still gets
//! its delivery, and a database restarted under load costs 503s while it is down, nothing
//! after. A graceful shutdown (SIGTERM) loses no metered call.

mod common;

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use common::{github, postgres_database, process::ServerProcess as Proc, read_sse, receiver};
use serde_json::{json, Value};

struct Cluster {
    db: String,
    redis: String,
    github: String,
    data: tempfile::TempDir,
}

impl Cluster {
    /// A cluster on a database URL of the caller's choosing.
    fn on(db: String, github: String) -> Self {
        let redis = std::env::var("AURA_TEST_REDIS_URL").unwrap_or_default();
        Cluster {
            db,
            redis,
            github,
            data: tempfile::tempdir().unwrap(),
        }
    }

    async fn new(github: String) -> Option<Self> {
        let redis = match std::env::var("AURA_TEST_REDIS_URL") {
            Ok(r) => r,
            Err(_) if std::env::var("AURA_TEST_REQUIRE_POSTGRES").is_ok() => panic!("CI must set AURA_TEST_REDIS_URL"),
            Err(_) => return None,
        };
        let db = postgres_database().await?;
        Some(Cluster {
            db,
            redis,
            github,
            data: tempfile::tempdir().unwrap(),
        })
    }

    async fn start(&self, role: &str, extra: &[(&str, &str)]) -> Proc {
        let data = self.data.path().to_str().unwrap();
        let mut env = vec![
            ("AURA_PUBLIC_URL", "http://aura.test"),
            ("AURA_DATA_DIR", data),
            ("AURA_DATABASE_URL", self.db.as_str()),
            ("AURA_REDIS_URL", self.redis.as_str()),
            ("AURA_GITHUB_API_URL", self.github.as_str()),
            ("AURA_ROLE", role),
            ("AURA_JOB_LEASE_SECS", "3"),
        ];
        env.extend_from_slice(extra);
        Proc::start(&env).await
    }

    /// An internal key for a fresh partner, via the admin CLI on the same database.
    fn key(&self) -> String {
        common::process::admin_key(&self.db, self.data.path())
    }
}

async fn submit(c: &reqwest::Client, web: &Proc, key: &str, body: Value) -> String {
    let res = c
        .post(format!("{}/v1/scan/repo", web.base))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn status(c: &reqwest::Client, web: &Proc, id: &str) -> Value {
    c.get(format!("{}/v1/scan/{id}", web.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
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
    let Some(cluster) = Cluster::new(gh.api_url()).await else {
        return;
    };
    let web_a = cluster.start("web", &[]).await;
    let mut web_b = cluster.start("web", &[]).await;
    let mut worker_1 = cluster.start("worker", &[("AURA_SCAN_WORKERS", "1")]).await;
    let key = cluster.key();
    let c = reqwest::Client::new();

    let id = submit(&c, &web_a, &key, json!({"url": "acme/orbit"})).await;
    wait_status(&c, &web_a, &id, "running", 30).await;
    // A client follows the scan on B; it has seen the first event(s) when B dies.
    let mut res = c
        .get(format!("{}/v1/scan/{id}/stream", web_b.base))
        .send()
        .await
        .unwrap();
    let mut buf = String::new();
    while !buf.contains("\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), res.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
    // Complete events only (everything before the last blank line).
    let complete = buf.rsplit_once("\n\n").map(|(done, _)| done).unwrap_or("");
    let seen: Vec<String> = complete
        .split("\n\n")
        .filter_map(|b| {
            b.lines()
                .find_map(|l| l.strip_prefix("id:").map(|v| v.trim().to_string()))
        })
        .collect();
    assert!(!seen.is_empty(), "{buf}");
    web_b.kill9();
    let _ = res.chunk().await; // the stream ends with its instance
                               // The worker dies mid-download, holding the claim.
    worker_1.kill9();
    let worker_2 = cluster.start("worker", &[("AURA_SCAN_WORKERS", "1")]).await;

    // The client reconnects to A where it left off.
    let req = c
        .get(format!("{}/v1/scan/{id}/stream", web_a.base))
        .header("Last-Event-ID", seen.last().unwrap().as_str());
    let rest = read_sse(req.send().await.unwrap(), true).await;
    let all: Vec<i64> = seen
        .iter()
        .cloned()
        .chain(rest.iter().map(|e| e.id.clone().unwrap()))
        .map(|i| i.parse().unwrap())
        .collect();
    assert!(all.windows(2).all(|w| w[0] < w[1]), "no duplicates, in order: {all:?}");
    assert_eq!(
        rest.last().unwrap().event,
        app::events::StreamEvent::ScanCompleted.as_str(),
        "{rest:?}"
    );

    let done = status(&c, &web_a, &id).await;
    assert_eq!(done["status"], "completed");
    drop(worker_2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_down_for_30_seconds_still_gets_its_delivery() {
    let gh = github::start().await;
    gh.add("acme/orbit", github::healthy_repo(1));
    let Some(cluster) = Cluster::new(gh.api_url()).await else {
        return;
    };
    // Retries at 2, 7, 17 and 37 s: the receiver comes back after 30.
    let web = cluster
        .start("all", &[("AURA_WEBHOOK_RETRY_DELAYS", "2,5,10,20")])
        .await;
    let key = cluster.key();
    let c = reqwest::Client::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let res = c
        .post(format!("{}/v1/webhooks", web.base))
        .bearer_auth(&key)
        .json(&json!({"url": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = submit(&c, &web, &key, json!({"url": "acme/orbit"})).await;
    wait_status(&c, &web, &id, "completed", 60).await;

    tokio::time::sleep(Duration::from_secs(30)).await;
    let rx = receiver::start_on(port).await;
    let got = rx.wait_for(1).await;
    assert_eq!(got[0].json()["scan_id"], id.as_str());
    let log: Vec<Value> = c
        .get(format!("{}/v1/webhooks/deliveries", web.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let d = log.iter().find(|d| d["scan_id"] == id.as_str()).unwrap();
    assert!(d["attempts"].as_i64().unwrap() >= 4, "{d}");
}

/// A PostgreSQL server of this test's own (the shared one must stay up for the other tests),
/// from the binaries `.ci/services` found. Run as the `postgres` user when we are root, as
/// PostgreSQL refuses to run as root.
struct OwnPostgres {
    bin: std::path::PathBuf,
    data: tempfile::TempDir,
    port: u16,
}

impl OwnPostgres {
    fn start() -> Option<Self> {
        let Ok(bin) = std::env::var("AURA_CI_PG_BIN") else {
            if std::env::var("AURA_TEST_REQUIRE_POSTGRES").is_ok() {
                panic!("CI must set AURA_CI_PG_BIN (source .ci/services)");
            }
            return None;
        };
        let data = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pg = OwnPostgres {
            bin: bin.into(),
            data,
            port,
        };
        if pg.as_root() {
            assert!(Command::new("chown")
                .arg("-R")
                .arg("postgres:")
                .arg(pg.data.path())
                .status()
                .unwrap()
                .success());
        }
        pg.run("initdb", &["-D", &pg.dir(), "-A", "trust", "-U", "aura"]);
        pg.ctl("start");
        Some(pg)
    }

    fn as_root(&self) -> bool {
        String::from_utf8(Command::new("id").arg("-u").output().unwrap().stdout)
            .unwrap()
            .trim()
            == "0"
    }

    fn dir(&self) -> String {
        self.data.path().join("pg").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://aura@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd.args(args).stdout(Stdio::null()).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `start` waits until it accepts connections; `stop` is a fast shutdown that ends every
    /// session, as a crash or a restart for maintenance would.
    fn ctl(&self, action: &str) {
        let opts = format!("-p {} -c listen_addresses=127.0.0.1 -k /tmp -c fsync=off", self.port);
        let log = self.data.path().join("server.log").display().to_string();
        match action {
            "start" => self.run("pg_ctl", &["-D", &self.dir(), "-l", &log, "-w", "-o", &opts, "start"]),
            _ => self.run("pg_ctl", &["-D", &self.dir(), "-m", "fast", "-w", "stop"]),
        }
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = Command::new(self.bin.join("pg_ctl"))
            .args(["-D", &self.dir(), "-m", "immediate", "stop"])
            .output();
        if self.as_root() {
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"))
                .args(["-D", &self.dir(), "-m", "immediate", "stop"])
                .output();
        }
    }
}

/// Statuses of an authenticated read and of `/health`, called back to back for `secs`.
async fn load(c: &reqwest::Client, web: &str, key: &str, secs: u64) -> Vec<(u16, u16, bool)> {
    let mut seen = Vec::new();
    let until = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        let call = c
            .get(format!("{web}/v1/auth/keys"))
            .bearer_auth(key)
            .timeout(Duration::from_secs(15))
            .send()
            .await
            .unwrap();
        let retry_after = call.headers().contains_key("retry-after");
        let health = c
            .get(format!("{web}/health"))
            .timeout(Duration::from_secs(15))
            .send()
            .await
            .unwrap();
        seen.push((call.status().as_u16(), health.status().as_u16(), retry_after));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_restarted_under_load_costs_503s_then_recovers() {
    let Some(pg) = OwnPostgres::start() else { return };
    let gh = github::start().await;
    let cluster = Cluster::on(pg.url(), gh.api_url());
    let key = cluster.key();
    let web = cluster.start("all", &[]).await;
    let c = reqwest::Client::new();

    let before = load(&c, &web.base, &key, 1).await;
    assert!(before.iter().all(|s| *s == (200, 200, false)), "{before:?}");

    pg.ctl("stop");
    // Every call answers within the pool's 5 s acquire timeout (the load loop gives each 15 s),
    // as "retry later".
    let down = load(&c, &web.base, &key, 12).await;
    assert!(down.len() >= 2, "{down:?}");
    assert!(
        down.iter()
            .all(|(call, health, retry)| *call == 503 && *health == 503 && *retry),
        "{down:?}"
    );

    pg.ctl("start");
    let mut recovered = false;
    for _ in 0..60 {
        let call = c
            .get(format!("{}/v1/auth/keys", web.base))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .status();
        let health = c.get(format!("{}/health", web.base)).send().await.unwrap().status();
        if call == 200 && health == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(recovered, "the instance came back without a restart");
    // And it stays up: scans queue and complete again.
    gh.add("acme/after", github::healthy_repo(3));
    let id = submit(&c, &web, &key, json!({"url": "https://github.com/acme/after"})).await;
    wait_status(&c, &web, &id, "completed", 60).await;
}

/// SIGTERM right after a burst of calls: every call answered before it is in the usage log,
/// although the meter writes in batches up to 200 ms behind (SQLite, one process).
#[tokio::test]
async fn a_graceful_shutdown_meters_every_answered_call() {
    use app::server::entities::usage_event;
    use sea_orm::EntityTrait;
    let data = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/aura.db?mode=rwc", data.path().display());
    let dir = data.path().to_str().unwrap();
    let mut web = Proc::start(&[("AURA_DATA_DIR", dir), ("AURA_DATABASE_URL", db.as_str())]).await;
    let key = common::process::admin_key(&db, data.path());
    let c = reqwest::Client::new();
    for _ in 0..50 {
        let res = c
            .get(format!("{}/v1/auth/keys", web.base))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    web.terminate();
    let conn = app::server::db::connect(&db).await.unwrap();
    let rows = usage_event::Entity::find().all(&conn).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.calls).sum::<i32>(), 50);
}
