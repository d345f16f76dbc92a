//! The AuraSecurity server: configuration → state → router → serve, plus the workers.
//! `main.rs` is a thin CLI over [`Application`]; the integration tests build the same
//! [`Application`] on a random port.

pub mod error;
pub mod middleware;
pub mod routes;
pub mod serve;
pub mod telemetry;

use std::{net::SocketAddr, sync::Arc};

use app::server::{accounts::key_cache::KeyCache, config::Config, db, state::AppState};
use leptos::config::LeptosOptions;
use tokio::net::TcpListener;

pub struct Application {
    pub state: AppState,
    listener: Option<TcpListener>,
    stop_tx: tokio::sync::watch::Sender<bool>,
}

impl Application {
    /// Connects the database (running migrations) and binds the listener when this
    /// process serves HTTP.
    pub async fn build(config: Config, leptos: LeptosOptions) -> anyhow::Result<Self> {
        // The metrics recorder is global: install it before any request or job records anything.
        let _ = crate::middleware::metrics::handle();
        let db = db::connect(&config.database_url)
            .await
            .map_err(|e| anyhow::anyhow!("database {}: {e}", redact_url(&config.database_url)))?;
        bootstrap_admin(&db, &config).await?;
        if config.trusted_proxies.trusts_everyone() {
            tracing::warn!(
                "AURA_TRUSTED_PROXIES trusts every address: any client can choose the address its limits count against"
            );
        }
        let listener = if config.role.serves_http() {
            Some(
                TcpListener::bind(config.site_addr)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.site_addr))?,
            )
        } else {
            None
        };
        let meter = app::server::accounts::usage::Meter::start(db.clone());
        // Clones a crashed process left behind (a live process's are locked, and kept).
        let leftovers = aura_engine::sources::git::clean_work_dir(&config.work_dir);
        if leftovers > 0 {
            tracing::info!(leftovers, work_dir = %config.work_dir.display(), "removed leftover clones");
        }
        let engine = Arc::new(aura_engine::Engine::new(config.engine_config()));
        let (limiter, keys, bus) = shared_state(&config)?;
        let (stop_tx, stopping) = tokio::sync::watch::channel(false);
        let streams =
            app::server::scans::stream_slots::StreamSlots::new(config.streams_per_address, config.streams_per_instance);
        let state = AppState::new(app::server::state::Services {
            leptos,
            db,
            config: Arc::new(config),
            limiter,
            keys: Arc::new(keys),
            meter,
            engine,
            bus,
            db_health: Default::default(),
            streams,
            stopping,
        });
        Ok(Self {
            state,
            listener,
            stop_tx,
        })
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves and/or works (per `AURA_ROLE`) until `shutdown` resolves, then drains
    /// in-flight requests (open event streams end) and lets workers finish or release their
    /// jobs.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let workers = if self.state.config.role.runs_workers() {
            let mut w = app::server::scans::worker::spawn_scan_workers(&self.state, self.state.stopping.clone());
            w.extend(app::server::webhooks::sender::spawn_delivery_workers(
                &self.state,
                self.state.stopping.clone(),
            ));
            // Every worker process polls for the retention job; one at a time runs it.
            w.push(app::server::retention::spawn(&self.state, self.state.stopping.clone()));
            w
        } else {
            Vec::new()
        };
        let stop_tx = self.stop_tx;
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let mut stop = self.state.stopping.clone();
        match self.listener {
            Some(listener) => {
                let router = routes::router(self.state.clone());
                let purge = tokio::spawn(purge_expired_sessions(self.state.db.clone()));
                tracing::info!(addr = %listener.local_addr()?, "listening");
                serve::serve(listener, router, async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
                purge.abort();
            }
            None => {
                let _ = stop.wait_for(|s| *s).await;
            }
        }
        for w in workers {
            let _ = w.await;
        }
        // The calls answered before the signal are in the usage log before the process ends
        // (the meter writes in batches, up to 200 ms behind).
        self.state.meter.flush().await;
        Ok(())
    }
}

/// The limiter, the verified-key cache (whose epoch travels with the limiter's decision) and
/// the event bus: in-process by default, on Redis when `AURA_REDIS_URL` is set.
#[allow(clippy::type_complexity)]
fn shared_state(
    config: &Config,
) -> anyhow::Result<(
    Arc<dyn app::server::limiter::RateLimiter>,
    KeyCache,
    Arc<dyn app::server::scans::events::EventBus>,
)> {
    use app::server::{accounts::key_epoch, limiter::MemoryLimiter, redis, scans::events::LocalBus};
    match &config.redis_url {
        None => {
            let limiter = Arc::new(MemoryLimiter::new());
            let (keys, _) = key_epoch::local(&config.database_url, limiter.clone());
            Ok((limiter, keys, LocalBus::new()))
        }
        Some(url) => {
            let r = redis::Redis::connect(url.expose()).map_err(|e| anyhow::anyhow!("AURA_REDIS_URL: {e}"))?;
            let limiter = Arc::new(redis::limiter::RedisLimiter::new(r.clone()));
            Ok((limiter.clone(), KeyCache::new(limiter), redis::bus::RedisBus::start(r)))
        }
    }
}

/// The key cache of a process that serves nothing (the admin command), so its changes reach
/// the running servers' caches: through Redis' epoch when `AURA_REDIS_URL` is set (waiting up
/// to 5 s for the connection), else through the epoch file beside the SQLite database. `false`
/// when they cannot be told (Redis did not come up, the file cannot be opened): a server may
/// then trust its cached keys for up to `key_cache::MAX_AGE`.
pub async fn standalone_key_cache(config: &Config) -> anyhow::Result<(KeyCache, bool)> {
    use app::server::{accounts::key_epoch, limiter::MemoryLimiter, redis};
    Ok(match &config.redis_url {
        None => key_epoch::local(&config.database_url, Arc::new(MemoryLimiter::new())),
        Some(url) => {
            let r = redis::Redis::connect(url.expose()).map_err(|e| anyhow::anyhow!("AURA_REDIS_URL: {e}"))?;
            let ready = r.ready(std::time::Duration::from_secs(5)).await;
            (KeyCache::new(Arc::new(redis::limiter::RedisLimiter::new(r))), ready)
        }
    })
}

/// Deletes expired browser sessions now and every hour. Expired rows are already ignored
/// when loaded; this only keeps the table small. Every web instance runs it; the delete is
/// idempotent.
async fn purge_expired_sessions(db: sea_orm::DatabaseConnection) {
    use tower_sessions::ExpiredDeletion;
    let store = app::server::accounts::sessions::DbSessionStore::new(db);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "purging expired sessions failed");
        }
    }
}

/// Creates the first admin from `AURA_ADMIN_EMAIL`/`AURA_ADMIN_PASSWORD` when both are set
/// and no admin exists (idempotent; safe when several instances start together).
async fn bootstrap_admin(db: &sea_orm::DatabaseConnection, config: &Config) -> anyhow::Result<()> {
    use app::server::{accounts::admin::Bootstrap, error::ServiceError};
    match app::server::accounts::admin::bootstrap(db, config).await {
        Ok(Bootstrap::Created(email)) => tracing::info!(%email, "created the admin account from AURA_ADMIN_EMAIL"),
        Ok(Bootstrap::EmailIsPartner(email)) => tracing::error!(
            %email,
            "AURA_ADMIN_EMAIL belongs to a partner account, which is not promoted automatically; \
             run `server admin create` to make it an admin"
        ),
        Ok(Bootstrap::NotConfigured | Bootstrap::AdminExists) => {}
        Err(ServiceError::Invalid { message, .. }) => anyhow::bail!("{message}"),
        Err(e) => anyhow::bail!("creating the admin from AURA_ADMIN_EMAIL: {e}"),
    }
    Ok(())
}

/// Site options for the Leptos renderer. Under cargo-leptos the `LEPTOS_*` environment
/// describes the site; a release binary started on its own reads `Leptos.toml` from the
/// working directory (environment variables still override single values).
pub fn leptos_options() -> anyhow::Result<LeptosOptions> {
    let from_file = std::env::var_os("LEPTOS_OUTPUT_NAME").is_none() && std::path::Path::new("Leptos.toml").exists();
    let conf = leptos::config::get_configuration(from_file.then_some("Leptos.toml"))
        .map_err(|e| anyhow::anyhow!("Leptos site configuration: {e}"))?;
    Ok(conf.leptos_options)
}

/// Hides the password of a database URL for error messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown signal received");
}
