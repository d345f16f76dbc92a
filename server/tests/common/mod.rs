//! Integration-test harness: starts the real application on a random loopback port against
//! a fresh SQLite file, or a fresh PostgreSQL database when `AURA_TEST_POSTGRES_URL` names a
//! server (CI always does, and sets `AURA_TEST_REQUIRE_POSTGRES=1` so a missing server fails
//! instead of skipping).
#![allow(dead_code)]

pub mod github;
pub mod process;
pub mod receiver;

use std::collections::HashMap;

use app::server::config::Config;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use server::Application;

pub const SECRET_KEY: &str = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub config: std::sync::Arc<Config>,
    /// The running application's state (its hub, for tests that look inside one instance).
    pub state: app::server::state::AppState,
    /// The instance's verified-key cache: a test that changes key or account rows in the
    /// database directly tells it, as the services do.
    pub keys: std::sync::Arc<app::server::accounts::key_cache::KeyCache>,
    pub kind: Db,
    dir: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops the server but keeps its data directory (and SQLite file) for a restart.
    pub async fn stop_keeping_data(mut self) -> Option<tempfile::TempDir> {
        let dir = self.dir.take();
        self.stop_now().await;
        dir
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) {
        self.stop_now().await
    }

    async fn stop_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A fresh PostgreSQL database on the test server, or `None` when none is configured.
pub async fn postgres_database() -> Option<String> {
    let Ok(admin_url) = std::env::var("AURA_TEST_POSTGRES_URL") else {
        if std::env::var("AURA_TEST_REQUIRE_POSTGRES").is_ok() {
            panic!("AURA_TEST_REQUIRE_POSTGRES is set but AURA_TEST_POSTGRES_URL is not");
        }
        eprintln!("skipped: AURA_TEST_POSTGRES_URL not set");
        return None;
    };
    let name = format!("aura_test_{}", random_hex(8));
    let admin = Database::connect(&admin_url)
        .await
        .expect("connect to the PostgreSQL test server");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').expect("postgres URL with a database name");
    Some(format!("{base}/{name}"))
}

pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).unwrap();
    hex::encode(b)
}

/// The application, built (database migrated, listener bound) but not yet running, and its data directory.
pub async fn build_with(kind: Db, env: &[(&str, &str)]) -> Option<(Application, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match kind {
        Db::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
        Db::Postgres => postgres_database().await?,
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut vars: HashMap<String, String> = HashMap::from([
        ("LEPTOS_SITE_ADDR".into(), format!("127.0.0.1:{port}")),
        ("AURA_DATA_DIR".into(), dir.path().display().to_string()),
        ("AURA_DATABASE_URL".into(), database_url),
        ("AURA_SECRET_KEY".into(), SECRET_KEY.into()),
        ("AURA_ALLOW_PRIVATE_TARGETS".into(), "true".into()),
        ("AURA_WEBHOOK_RETRY_DELAYS".into(), "1,1,1".into()),
    ]);
    for (k, v) in env {
        vars.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
    let app = Application::build(config, leptos_options())
        .await
        .expect("build application");
    Some((app, dir))
}

/// Starts the application with the default test environment plus `env` overrides.
pub async fn spawn_with(kind: Db, env: &[(&str, &str)]) -> Option<TestApp> {
    let (app, dir) = build_with(kind, env).await?;
    // A worker-only instance listens nowhere.
    let base = app.local_addr().map(|a| format!("http://{a}")).unwrap_or_default();
    let db = app.state.db.clone();
    let config = app.state.config.clone();
    let state = app.state.clone();
    let keys = app.state.keys.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        app.run(async {
            let _ = rx.await;
        })
        .await
        .expect("server run");
    });
    let client = browser();
    Some(TestApp {
        base,
        client,
        db,
        config,
        state,
        keys,
        kind,
        dir: Some(dir),
        shutdown: Some(tx),
        handle: Some(handle),
    })
}

/// A client like a browser (own cookie jar, redirects not followed) that gives up on a
/// response stalled for a minute, so a server that stops mid-body fails the test instead
/// of hanging the run. Streams are unaffected: they send a keep-alive every 15 s.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .read_timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

/// What a browser sends as `Accept` when it navigates or posts a plain form.
pub const HTML: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// How a request reaches a server function.
#[derive(Clone, Copy)]
pub enum Via {
    /// A plain HTML form (no JavaScript): answered with a redirect.
    Form,
    /// The hydrated page's server-function client: answered with data or an error status.
    Script,
}

/// Posts `fields` to the server function at `path` as a browser on page `from` would (same
/// `Origin`, that page as `Referer`, where a plain form's errors are sent back to).
pub async fn call_from(
    app: &TestApp,
    client: &reqwest::Client,
    from: &str,
    path: &str,
    fields: &[(&str, &str)],
    via: Via,
) -> reqwest::Response {
    let accept = match via {
        Via::Form => HTML,
        Via::Script => "application/json",
    };
    client
        .post(app.url(path))
        .header(reqwest::header::ORIGIN, &app.base)
        .header(reqwest::header::ACCEPT, accept)
        .header(reqwest::header::REFERER, app.url(from))
        .form(fields)
        .send()
        .await
        .unwrap()
}

pub async fn spawn(kind: Db) -> Option<TestApp> {
    spawn_with(kind, &[]).await
}

/// Site options as cargo-leptos would set them; static files come from the workspace's
/// `target/site` when a build has produced it.
pub fn leptos_options() -> leptos::config::LeptosOptions {
    leptos::config::LeptosOptions::builder()
        .output_name("aurasecurity")
        .site_root(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"))
        .site_pkg_dir("pkg")
        .build()
}

/// Runs one async test body against SQLite and PostgreSQL, as two named tests.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::common::spawn($crate::common::Db::Sqlite).await.unwrap();
                    super::$name(app).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::common::spawn($crate::common::Db::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}

/// Runs one async test body, which takes the database kind and starts its own app (for tests
/// that need stand-ins or extra environment), against SQLite and PostgreSQL.
#[macro_export]
macro_rules! on_both_kinds {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Db::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Db::Postgres).await;
                }
            }
        )*
    };
}

/// One server-sent event as a client sees it.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<String>,
    /// The `event:` line as sent (tests compare it with `StreamEvent::…as_str()`).
    pub event: String,
    pub data: serde_json::Value,
}

/// Reads an event stream until it closes, or until a `scan_completed`/`scan_failed` event
/// when `stop_at_outcome`. Comment lines (keep-alives) are skipped.
pub async fn read_sse(mut res: reqwest::Response, stop_at_outcome: bool) -> Vec<SseEvent> {
    let mut buf = String::new();
    let mut out = Vec::new();
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut id, mut event, mut data) = (None, "message".to_string(), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if data.is_empty() && id.is_none() {
                continue;
            }
            let ev = SseEvent {
                id,
                event,
                data: serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data)),
            };
            let terminal = ev
                .event
                .parse::<app::events::StreamEvent>()
                .is_ok_and(|e| e.is_terminal());
            out.push(ev);
            if terminal && stop_at_outcome {
                return out;
            }
        }
        match tokio::time::timeout(std::time::Duration::from_secs(60), res.chunk()).await {
            Ok(Ok(Some(bytes))) => buf.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(Ok(None)) => return out,
            Ok(Err(e)) => panic!("stream error: {e}"),
            Err(_) => panic!("no event within 60 s; got {out:?}"),
        }
    }
}

/// Registers a partner and returns (account id, API key).
pub async fn register(app: &TestApp, email: &str) -> (String, String) {
    let res = app
        .client
        .post(app.url("/v1/auth/register"))
        .json(&serde_json::json!({"email": email, "password": "hunter2hunter2", "name": "Acme Terminal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: serde_json::Value = res.json().await.unwrap();
    (
        v["account_id"].as_str().unwrap().to_string(),
        v["api_key"].as_str().unwrap().to_string(),
    )
}

/// Changes an account's tier directly in the database (and says so to the app's key cache, as
/// the admin service does).
pub async fn set_tier(app: &TestApp, account_id: &str, tier: &str) {
    use sea_orm::{EntityTrait, Set};
    let am = app::server::entities::account::ActiveModel {
        id: Set(account_id.to_string()),
        tier: Set(tier.into()),
        ..Default::default()
    };
    app::server::entities::account::Entity::update(am)
        .exec(&app.db)
        .await
        .unwrap();
    app.keys.changed().await;
}

/// Polls a scan until it is finished.
/// The application with the GitHub stand-in as its GitHub API and OSV API (the stand-in serves
/// both, so no test reaches the real services), scan retries without delay, plus `extra`
/// environment (later entries win).
pub async fn app_with_github(kind: Db, extra: &[(&str, &str)]) -> Option<(TestApp, github::GitHub)> {
    let gh = github::start().await;
    let api = gh.api_url();
    let mut env = vec![
        ("AURA_GITHUB_API_URL", api.as_str()),
        ("AURA_OSV_API_URL", api.as_str()),
        ("AURA_SCAN_RETRY_DELAYS", "0,0"),
    ];
    env.extend_from_slice(extra);
    let app = spawn_with(kind, &env).await?;
    Some((app, gh))
}

/// `POST /v1/scan/repo` with `key`.
pub async fn post_scan(app: &TestApp, key: &str, body: serde_json::Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/scan/repo"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The contract's error code of a `/v1` error response.
pub async fn error_code(res: reqwest::Response) -> String {
    res.json::<serde_json::Value>().await.unwrap()["error"]["code"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn wait_finished(app: &TestApp, scan_id: &str) -> serde_json::Value {
    for _ in 0..600 {
        let v: serde_json::Value = app
            .client
            .get(app.url(&format!("/v1/scan/{scan_id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["status"] == "completed" || v["status"] == "failed" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("scan {scan_id} did not finish within 60 s");
}
