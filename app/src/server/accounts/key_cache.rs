//! Verified API keys kept in memory, so an authenticated `/v1` call costs one hash and one map
//! lookup instead of a database round trip, without giving up "revoked means refused on the
//! very next request, on every instance".
//!
//! **What is cached.** Only keys the database accepted (usable key, active account), by the
//! key's SHA-256: the key row, its account row and its parsed grants. Unknown, revoked and
//! expired keys and suspended accounts are never cached, so random keys cannot grow memory;
//! the map is capped at [`CAPACITY`] entries besides. A hit still checks the key's own
//! `expires_at` against the clock, so a rotated key's grace period ends to the second, and an
//! entry is trusted for at most [`MAX_AGE`] (the backstop for changes made without the
//! services: SQL by hand, or an announcement lost with Redis).
//!
//! **Invalidation.** Every change to an `accounts` or `api_keys` row that a caller could see
//! (revoke, rotation, tier, status, role, password, invitation, webhook secret, embed
//! settings; handlers read the cached rows, so all of them) calls [`KeyCache::changed`] after
//! its commit. That empties this process's cache at once and moves the shared **epoch** on
//! ([`EpochGate::bump`]): a Redis counter in scale-out mode; without Redis, a counter in a
//! file beside the SQLite database that every process maps, so the admin command and other
//! processes on that file reach it too ([`super::key_epoch`], which also says why PostgreSQL
//! without Redis does not cache).
//!
//! **The check on every call, in the round trip the call already makes.** Each call with a key
//! goes through [`EpochGate::admit`], which decides the call's rate limits *and* compares the
//! epoch the cache was filled under with the shared one, in one step (one Lua script in
//! Redis; without it, one atomic load of the mapped epoch beside the in-process limiter's
//! decision).
//! A cached entry is used only when the epochs match: otherwise nothing is charged, the cache
//! is emptied, and the database decides. So after a revoke on instance A has answered
//! (its epoch bump precedes the answer), the next call on instance B sees the new epoch before
//! trusting anything it cached. Calls with no limits (tier `internal`) and calls refused for
//! their scope still make the check, with no rules. Entries are filled under the epoch known
//! *before* the database read, so a change committed during the read is caught by the next
//! check. A pub/sub message would be at-most-once; the epoch is read on every call instead.
//!
//! **Key lists.** The first pages of each account's key list (`GET /v1/auth/keys`) are kept
//! beside the keys, under the same epoch and emptied with them: creating a key is a change
//! like any other. Only `last_used_at` moves without one (the meter's batch writer stamps it),
//! so a list is served for at most [`LIST_MAX_AGE`], and never past the moment a listed key's
//! rotation grace ends (it then reads as revoked). A cached page keeps its API rendering too,
//! made by the first call that serves it ([`KeyListPage::rendered`]).
//!
//! **Redis unreachable.** The epoch cannot be checked, so the cache is emptied and not filled:
//! every call reads the database (and limits fail open, as before). A bump that fails is
//! retried in the background until Redis takes it; the epoch key is created from Redis' clock
//! when missing, so a Redis that lost its data never repeats a value a cache was filled under.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock, RwLock,
    },
    time::{Duration, Instant},
};

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

use crate::server::{
    accounts::keys::{self, ApiKey, AuthFailure, Grants, VerifyError},
    entities::account::Model as Account,
    error::ServiceResult,
    limiter::{Decision, LimiterError, Rule},
    paging::{PageRequest, Paged},
};

/// Most keys kept per process (about 2 KB each). Only keys the database accepted get in.
pub const CAPACITY: usize = 10_000;

/// Longest an entry is trusted without a database read, whatever the epoch says.
pub const MAX_AGE: Duration = Duration::from_secs(10);

/// Longest a cached key list is served. Its `last_used_at` is stamped by the meter's batch
/// writer (which gathers calls for up to 200 ms before writing), not by a change that empties
/// the cache, so a listed key's last use may show up to this much later than it is written.
pub const LIST_MAX_AGE: Duration = Duration::from_secs(1);

/// Most key-list pages kept per process (one per account and page size asked for).
pub const LIST_CAPACITY: usize = 1_000;

/// What the epoch check answered.
#[derive(Clone, Debug)]
pub enum Gate {
    /// The epoch was as expected (or none was expected): the rules were decided.
    Decided { decision: Decision, epoch: u64 },
    /// The epoch has moved on: nothing was recorded.
    Stale { epoch: u64 },
}

/// The shared invalidation epoch, read in the same step as the call's rate-limit decision:
/// one Lua script on Redis, [`super::key_epoch::LocalGate`] without it.
#[async_trait::async_trait]
pub trait EpochGate: Send + Sync + 'static {
    /// Decides `rules` (as [`crate::server::limiter::RateLimiter::acquire`]; none: admitted)
    /// unless `expected` is given and the epoch differs, in which case nothing is recorded.
    async fn admit(&self, rules: &[Rule], expected: Option<u64>) -> Result<Gate, LimiterError>;
    /// Moves the epoch on; every cache filled under an earlier one stops trusting itself.
    async fn bump(&self) -> Result<(), LimiterError>;
}

/// A key the database accepted, as the caller check needs it.
#[derive(Clone, Debug)]
pub struct Verified {
    pub account: Arc<Account>,
    pub key: Arc<ApiKey>,
    pub grants: Arc<Grants>,
}

impl Verified {
    fn new(account: Account, key: ApiKey) -> Self {
        Verified {
            grants: Arc::new(Grants::of(&key)),
            account: Arc::new(account),
            key: Arc::new(key),
        }
    }
}

/// A verified key and its call's rate-limit decision (an error: the limiter is unreachable).
pub struct Admitted {
    pub verified: Verified,
    pub decision: Result<Decision, LimiterError>,
}

/// A page of an account's keys, as the calls that list it while it is fresh share it.
#[derive(Debug)]
pub struct KeyListPage {
    pub keys: Paged<ApiKey>,
    /// When the first listed key still in its rotation grace stops working: from then on the
    /// page (and its rendering) would show it unrevoked, so it is not served from memory.
    ends_grace: Option<DateTime<Utc>>,
    rendered: OnceLock<Bytes>,
}

impl KeyListPage {
    fn new(page: Paged<ApiKey>) -> Self {
        let now = Utc::now();
        // A usable key with an expiry is in its grace.
        let ends_grace = page
            .items
            .iter()
            .filter(|k| keys::is_usable(k, now))
            .filter_map(|k| k.expires_at)
            .min();
        KeyListPage {
            keys: page,
            ends_grace,
            rendered: OnceLock::new(),
        }
    }

    /// The page as the API answers it: `render` runs for the first call that serves this page,
    /// later ones share its bytes.
    pub fn rendered<E>(&self, render: impl FnOnce(&Paged<ApiKey>) -> Result<Bytes, E>) -> Result<Bytes, E> {
        if let Some(b) = self.rendered.get() {
            return Ok(b.clone());
        }
        let b = render(&self.keys)?;
        Ok(self.rendered.get_or_init(|| b).clone())
    }

    fn holds_now(&self) -> bool {
        self.ends_grace.is_none_or(|t| Utc::now() < t)
    }
}

/// A cached value and when it was read from the database.
struct Filled<T> {
    value: T,
    filled: Instant,
}

/// An account's first page of keys, `limit` rows.
type ListSlot = (String, u64);

/// Puts `value` in `map`, which holds at most `capacity` entries. When full, drops what is
/// older than `max_age` (unusable anyway), else any one entry (the map's order is random per
/// process, which is as good as any choice here).
fn insert_capped<K: Eq + std::hash::Hash + Clone, T>(
    map: &mut HashMap<K, Filled<T>>,
    capacity: usize,
    max_age: Duration,
    key: K,
    value: T,
) {
    if map.len() >= capacity && !map.contains_key(&key) {
        map.retain(|_, e| e.filled.elapsed() < max_age);
        if map.len() >= capacity {
            if let Some(victim) = map.keys().next().cloned() {
                map.remove(&victim);
            }
        }
    }
    let filled = Instant::now();
    map.insert(key, Filled { value, filled });
}

#[derive(Default)]
struct Inner {
    map: HashMap<[u8; 32], Filled<Verified>>,
    lists: HashMap<ListSlot, Filled<Arc<KeyListPage>>>,
    /// The shared epoch every entry in `map` was filled under; `None`: not known (no fill).
    epoch: Option<u64>,
    /// Bumped on every emptying, so a fill that read the database before it is not stored.
    generation: u64,
}

impl Inner {
    fn empty(&mut self, epoch: Option<u64>) {
        self.map.clear();
        self.lists.clear();
        self.epoch = epoch;
        self.generation += 1;
    }

    /// Whether a fill made under `ticket` may still be stored.
    fn accepts(&self, ticket: Ticket) -> bool {
        self.generation == ticket.generation && self.epoch == Some(ticket.epoch)
    }
}

/// When a fill read the database: it is stored only if nothing emptied the cache since.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Ticket {
    generation: u64,
    epoch: u64,
}

pub struct KeyCache {
    inner: RwLock<Inner>,
    gate: Arc<dyn EpochGate>,
    capacity: usize,
    /// A background task is retrying a bump Redis did not take.
    retrying: Arc<AtomicBool>,
}

impl KeyCache {
    pub fn new(gate: Arc<dyn EpochGate>) -> Self {
        Self::with_capacity(gate, CAPACITY)
    }

    /// At most `capacity` keys; 0: nothing is cached (every call reads the database) but
    /// calls still go through the gate for their rate limits.
    pub fn with_capacity(gate: Arc<dyn EpochGate>, capacity: usize) -> Self {
        KeyCache {
            inner: RwLock::default(),
            gate,
            capacity,
            retrying: Arc::default(),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Resolves a bearer token to its key and account and decides the call's rate limits
    /// (`rules` of the verified key; empty: only the epoch is checked). One hash, one map
    /// lookup and the gate on a hit; the database on a miss or when the epoch moved on.
    pub async fn verify_and_admit(
        &self,
        db: &impl ConnectionTrait,
        token: &str,
        mut rules: impl FnMut(&Verified) -> Vec<Rule>,
    ) -> Result<Admitted, VerifyError> {
        if !keys::looks_like_key(token) {
            return Err(VerifyError::Auth(AuthFailure::Invalid));
        }
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut unreachable = None;
        if let Some((verified, epoch)) = self.get(&hash) {
            match self.gate.admit(&rules(&verified), Some(epoch)).await {
                Ok(Gate::Decided { decision, .. }) => {
                    return Ok(Admitted {
                        verified,
                        decision: Ok(decision),
                    })
                }
                // Something changed somewhere since this was cached: the database decides.
                Ok(Gate::Stale { epoch }) => self.observe(epoch),
                Err(e) => {
                    self.write().empty(None);
                    unreachable = Some(e);
                }
            }
        }
        // Taken before the read: a change committed during it moves the epoch past this.
        let ticket = self.ticket();
        let (account, key) = keys::verify(db, token).await?;
        let verified = Verified::new(account, key);
        if let Some(ticket) = ticket {
            self.insert(hash, &verified, ticket);
        }
        let decision = match unreachable {
            // Do not wait for an unreachable Redis twice in one call.
            Some(e) => Err(e),
            None => match self.gate.admit(&rules(&verified), None).await {
                Ok(Gate::Decided { decision, epoch }) => {
                    self.observe(epoch);
                    Ok(decision)
                }
                Ok(Gate::Stale { .. }) => Err(LimiterError("epoch check without an expected epoch".into())),
                Err(e) => {
                    self.write().empty(None);
                    Err(e)
                }
            },
        };
        Ok(Admitted { verified, decision })
    }

    /// A usable cached entry and the epoch it was filled under.
    fn get(&self, hash: &[u8; 32]) -> Option<(Verified, u64)> {
        let inner = self.read();
        let epoch = inner.epoch?;
        let e = inner.map.get(hash)?;
        // Checked on every use, not only when the cache is emptied: a rotated key's grace
        // period ends to the second, whether or not anything else happens.
        (e.filled.elapsed() < MAX_AGE && keys::is_usable(&e.value.key, Utc::now())).then(|| (e.value.clone(), epoch))
    }

    fn ticket(&self) -> Option<Ticket> {
        if self.capacity == 0 {
            return None;
        }
        let inner = self.read();
        Some(Ticket {
            generation: inner.generation,
            epoch: inner.epoch?,
        })
    }

    fn insert(&self, hash: [u8; 32], verified: &Verified, ticket: Ticket) {
        let mut inner = self.write();
        if inner.accepts(ticket) {
            insert_capped(&mut inner.map, self.capacity, MAX_AGE, hash, verified.clone());
        }
    }

    /// One page of an account's keys, newest first, as [`keys::list_page`] reads it. A first
    /// page comes from memory when this process read it under the current epoch less than
    /// [`LIST_MAX_AGE`] ago. Call only after this call's key went through
    /// [`Self::verify_and_admit`], which checked the epoch.
    pub async fn key_list_page(
        &self,
        db: &impl ConnectionTrait,
        account_id: &str,
        page: &PageRequest,
    ) -> ServiceResult<Arc<KeyListPage>> {
        if page.after.is_some() {
            return Ok(Arc::new(KeyListPage::new(keys::list_page(db, account_id, page).await?)));
        }
        let slot = (account_id.to_owned(), page.limit);
        if let Some(listed) = self.cached_list(&slot) {
            return Ok(listed);
        }
        let ticket = self.ticket();
        let listed = Arc::new(KeyListPage::new(keys::list_page(db, account_id, page).await?));
        if let Some(ticket) = ticket {
            self.insert_list(slot, &listed, ticket);
        }
        Ok(listed)
    }

    fn cached_list(&self, slot: &ListSlot) -> Option<Arc<KeyListPage>> {
        let inner = self.read();
        inner.epoch?;
        let e = inner.lists.get(slot)?;
        (e.filled.elapsed() < LIST_MAX_AGE && e.value.holds_now()).then(|| e.value.clone())
    }

    fn insert_list(&self, slot: ListSlot, page: &Arc<KeyListPage>, ticket: Ticket) {
        let mut inner = self.write();
        if inner.accepts(ticket) {
            insert_capped(&mut inner.lists, LIST_CAPACITY, LIST_MAX_AGE, slot, page.clone());
        }
    }

    /// The shared epoch as a gate reply saw it: a different one empties the cache.
    fn observe(&self, epoch: u64) {
        if self.read().epoch == Some(epoch) {
            return;
        }
        let mut inner = self.write();
        if inner.epoch != Some(epoch) {
            inner.empty(Some(epoch));
        }
    }

    /// Call after committing any change to an account or key row: empties this process's
    /// cache and moves the shared epoch on, so every instance reads the database on its next
    /// call with any key. Returns once the epoch has moved (or the bump is being retried in
    /// the background because Redis is unreachable: meanwhile no instance can check the
    /// epoch, so none trusts its cache).
    pub async fn changed(&self) {
        self.write().empty(None);
        if let Err(e) = self.gate.bump().await {
            tracing::warn!(error = %e, "cannot announce a key or account change to other instances; retrying");
            self.retry_bump();
        }
    }

    fn retry_bump(&self) {
        if self.retrying.swap(true, Ordering::SeqCst) {
            return;
        }
        let (gate, retrying) = (self.gate.clone(), self.retrying.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                if gate.bump().await.is_ok() {
                    retrying.store(false, Ordering::SeqCst);
                    tracing::info!("key or account change announced to other instances");
                    return;
                }
            }
        });
    }

    /// Whether a usable verification of this key is held (tests: a test of invalidation must
    /// know the key was cached before the change).
    pub fn holds(&self, token: &str) -> bool {
        self.get(&Sha256::digest(token.as_bytes()).into()).is_some()
    }

    /// Whether this process caches keys at all (not on PostgreSQL without Redis).
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// Entries held now (tests, metrics).
    pub fn len(&self) -> usize {
        self.read().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Key-list pages held now (tests).
    pub fn lists_held(&self) -> usize {
        self.read().lists.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::accounts::key_epoch::LocalGate;

    fn verified(n: usize) -> Verified {
        let now = Utc::now();
        let account = Account {
            id: format!("acct{n}"),
            email: format!("a{n}@example.com"),
            name: "A".into(),
            password_hash: None,
            role: "partner".into(),
            tier: "free".into(),
            status: "active".into(),
            partner_slug: format!("a{n}"),
            webhook_secret_enc: String::new(),
            webhook_secret_prev_enc: None,
            webhook_secret_prev_expires_at: None,
            allowed_domains: "[]".into(),
            embed_theme: "dark".into(),
            invite_token_hash: None,
            invite_expires_at: None,
            created_at: now,
            updated_at: now,
        };
        let key = ApiKey {
            id: format!("key{n}"),
            account_id: account.id.clone(),
            name: "k".into(),
            prefix: "aura_pk_free_0000".into(),
            key_hash: String::new(),
            tier: "free".into(),
            created_at: now,
            last_used_at: None,
            expires_at: None,
            revoked_at: None,
            scopes: "[]".into(),
            allowed_origins: "[]".into(),
        };
        Verified::new(account, key)
    }

    fn hash(n: usize) -> [u8; 32] {
        Sha256::digest(n.to_le_bytes()).into()
    }

    async fn cache(capacity: usize) -> KeyCache {
        let c = KeyCache::with_capacity(Arc::new(LocalGate::in_memory(Arc::default())), capacity);
        match c.gate.admit(&[], None).await.unwrap() {
            Gate::Decided { epoch, .. } => c.observe(epoch),
            Gate::Stale { .. } => unreachable!(),
        }
        c
    }

    #[tokio::test]
    async fn the_cache_never_holds_more_than_its_capacity() {
        let c = cache(64).await;
        for n in 0..1_000 {
            let t = c.ticket().unwrap();
            c.insert(hash(n), &verified(n), t);
            assert!(c.len() <= 64, "{} entries after {n}", c.len());
        }
        assert_eq!(c.len(), 64);
        // The newest entry is always kept.
        assert!(c.get(&hash(999)).is_some());
    }

    #[tokio::test]
    async fn a_change_empties_the_cache_and_stales_fills_and_hits_made_before_it() {
        let c = cache(64).await;
        let before = c.ticket().unwrap();
        c.insert(hash(1), &verified(1), before);
        let (_, epoch) = c.get(&hash(1)).unwrap();
        c.changed().await;
        assert!(c.is_empty());
        // A fill that read the database before the change is not stored...
        c.insert(hash(2), &verified(2), before);
        assert!(c.is_empty());
        // ...and an entry held elsewhere under the old epoch is refused by the gate.
        assert!(matches!(
            c.gate.admit(&[], Some(epoch)).await.unwrap(),
            Gate::Stale { .. }
        ));
    }

    #[tokio::test]
    async fn an_expired_key_is_never_served_from_the_cache() {
        let c = cache(64).await;
        let mut v = verified(1);
        let mut key = (*v.key).clone();
        key.expires_at = Some(Utc::now() + chrono::Duration::milliseconds(300));
        v.key = Arc::new(key);
        c.insert(hash(1), &v, c.ticket().unwrap());
        assert!(c.get(&hash(1)).is_some());
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert!(c.get(&hash(1)).is_none());
    }

    #[tokio::test]
    async fn key_lists_are_capped_and_emptied_with_the_keys() {
        let c = cache(64).await;
        let page = |n: usize| {
            Arc::new(KeyListPage::new(Paged {
                items: vec![(*verified(n).key).clone()],
                next: None,
            }))
        };
        let before = c.ticket().unwrap();
        for n in 0..LIST_CAPACITY + 10 {
            c.insert_list((format!("acct{n}"), 20), &page(n), before);
            assert!(c.lists_held() <= LIST_CAPACITY);
        }
        let newest = (format!("acct{}", LIST_CAPACITY + 9), 20);
        assert_eq!(
            c.cached_list(&newest).unwrap().keys.items[0].id,
            format!("key{}", LIST_CAPACITY + 9)
        );
        c.changed().await;
        assert_eq!(c.lists_held(), 0);
        // A list read before the change is not stored after it.
        c.insert_list(newest.clone(), &page(1), before);
        assert!(c.cached_list(&newest).is_none());
    }

    #[tokio::test]
    async fn a_key_list_is_rendered_once_and_not_served_past_a_listed_keys_grace() {
        let c = cache(64).await;
        let mut in_grace = (*verified(1).key).clone();
        in_grace.expires_at = Some(Utc::now() + chrono::Duration::milliseconds(300));
        let page = Arc::new(KeyListPage::new(Paged {
            items: vec![in_grace, (*verified(2).key).clone()],
            next: None,
        }));
        let slot = ("acct".to_string(), 20);
        c.insert_list(slot.clone(), &page, c.ticket().unwrap());
        let renders = std::sync::atomic::AtomicUsize::new(0);
        for _ in 0..3 {
            let listed = c.cached_list(&slot).unwrap();
            let body = listed
                .rendered(|keys| {
                    renders.fetch_add(1, Ordering::Relaxed);
                    Ok::<_, ()>(Bytes::from(keys.items[0].id.clone()))
                })
                .unwrap();
            assert_eq!(body, "key1");
        }
        assert_eq!(renders.load(Ordering::Relaxed), 1);
        // Once the rotated key's grace ends it reads as revoked: the page is read again.
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert!(c.cached_list(&slot).is_none());
    }
}
