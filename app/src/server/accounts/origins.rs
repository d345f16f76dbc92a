//! The browser origins partners have registered: the embed domains of active accounts and
//! the `allowed_origins` of their usable keys. CORS on `/v1` answers exactly these (plus
//! `AURA_CORS_ORIGINS`).
//!
//! Each process keeps the set in memory and reloads it from the database when it is older
//! than [`TTL`], or at once after a change made in this process ([`changed`]). So a change
//! made through another instance shows within [`TTL`]; one made through this instance shows
//! on the next request. A failed reload keeps the last set (logged) and retries after [`TTL`].

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::{Duration, Instant},
};

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use crate::server::{
    accounts::{embed_settings::origin_or_reason, tiers::Status},
    entities::{account, api_key},
};

/// How stale the set may be when the change was made on another instance.
pub const TTL: Duration = Duration::from_secs(10);

/// Bumped by every change that can add or remove a registered origin in this process.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Marks every registry in this process stale: call after the change is committed (a key
/// with origins made, rotated or revoked; embed domains changed; an account suspended).
pub fn changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

struct Snapshot {
    origins: Arc<HashSet<String>>,
    loaded: Instant,
    generation: u64,
}

pub struct RegisteredOrigins {
    db: DatabaseConnection,
    snapshot: RwLock<Option<Snapshot>>,
    /// One reload at a time; the others wait for it and use its result.
    reload: tokio::sync::Mutex<()>,
}

impl RegisteredOrigins {
    pub fn new(db: DatabaseConnection) -> Arc<Self> {
        Arc::new(RegisteredOrigins {
            db,
            snapshot: RwLock::new(None),
            reload: tokio::sync::Mutex::new(()),
        })
    }

    /// Whether `origin` (an `Origin` header's text) is registered by an active account.
    pub async fn contains(&self, origin: &str) -> bool {
        let Ok(origin) = origin_or_reason(origin) else {
            return false;
        };
        self.current().await.contains(&origin)
    }

    fn fresh(&self) -> Option<Arc<HashSet<String>>> {
        let guard = self.snapshot.read().unwrap_or_else(|e| e.into_inner());
        let s = guard.as_ref()?;
        (s.loaded.elapsed() < TTL && s.generation == GENERATION.load(Ordering::SeqCst)).then(|| s.origins.clone())
    }

    async fn current(&self) -> Arc<HashSet<String>> {
        if let Some(set) = self.fresh() {
            return set;
        }
        let _one = self.reload.lock().await;
        if let Some(set) = self.fresh() {
            return set;
        }
        // Read before loading: a change committed during the load triggers another one.
        let generation = GENERATION.load(Ordering::SeqCst);
        let origins = match load(&self.db).await {
            Ok(set) => Arc::new(set),
            Err(e) => {
                tracing::warn!(error = %e, "cannot load registered CORS origins; keeping the last set");
                let guard = self.snapshot.read().unwrap_or_else(|e| e.into_inner());
                guard.as_ref().map(|s| s.origins.clone()).unwrap_or_default()
            }
        };
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Some(Snapshot {
            origins: origins.clone(),
            loaded: Instant::now(),
            generation,
        });
        origins
    }
}

/// Every origin registered by an active account: its embed domains and the allowed origins
/// of its keys that are neither revoked nor expired.
pub async fn load(db: &impl ConnectionTrait) -> Result<HashSet<String>, DbErr> {
    let active = Status::Active.as_str();
    let domains: Vec<String> = account::Entity::find()
        .select_only()
        .column(account::Column::AllowedDomains)
        .filter(account::Column::Status.eq(active))
        .filter(account::Column::AllowedDomains.ne("[]"))
        .into_tuple()
        .all(db)
        .await?;
    let key_origins: Vec<String> = api_key::Entity::find()
        .select_only()
        .column(api_key::Column::AllowedOrigins)
        .inner_join(account::Entity)
        .filter(account::Column::Status.eq(active))
        .filter(api_key::Column::AllowedOrigins.ne("[]"))
        .filter(api_key::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(api_key::Column::ExpiresAt.is_null())
                .add(api_key::Column::ExpiresAt.gt(Utc::now())),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(domains
        .iter()
        .chain(&key_origins)
        .flat_map(|json| serde_json::from_str::<Vec<String>>(json).unwrap_or_default())
        .collect())
}
