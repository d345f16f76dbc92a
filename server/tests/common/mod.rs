//! Integration-test harness: starts the real application on a random loopback port against
//! a fresh SQLite file, or a fresh PostgreSQL database when `AURA_TEST_POSTGRES_URL` names a
//! server (CI always does, and sets `AURA_TEST_REQUIRE_POSTGRES=1` so a missing server fails
//! instead of skipping).
#![allow(dead_code)]

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
    pub kind: Db,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) {
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
    let admin = Database::connect(&admin_url).await.expect("connect to the PostgreSQL test server");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    let _ = admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').expect("postgres URL with a database name");
    Some(format!("{base}/{name}"))
}

pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).unwrap();
    hex::encode(b)
}

/// Starts the application with the default test environment plus `env` overrides.
pub async fn spawn_with(kind: Db, env: &[(&str, &str)]) -> Option<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match kind {
        Db::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
        Db::Postgres => postgres_database().await?,
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
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
    let app = Application::build(config, leptos_options()).await.expect("build application");
    let base = format!("http://{}", app.local_addr().expect("listening"));
    let db = app.state.db.clone();
    let config = app.state.config.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        app.run(async {
            let _ = rx.await;
        })
        .await
        .expect("server run");
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    Some(TestApp { base, client, db, config, kind, _dir: dir, shutdown: Some(tx), handle: Some(handle) })
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
