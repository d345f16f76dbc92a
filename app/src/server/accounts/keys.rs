//! API keys: `aura_pk_{tier}_{32 lowercase hex}`, made from the OS CSPRNG. Only the SHA-256
//! of a key and a display prefix are stored; the full key is returned once, at creation.
//! SHA-256 (not a password hash) is right here: keys carry 128 random bits, so there is
//! nothing to brute-force, and verification must be cheap on every request.
//!
//! What a partner does to its keys ([`create_capped`], [`rotate`], [`revoke`]) is audited
//! here, from the [`Actor`] the REST route or the dashboard hands in; keys made or revoked
//! as part of another action (sign-up, onboarding, bootstrap) are that action's record.
//!
//! A key carries [`Grants`]: its scopes (what it may call; all of them unless it asked for
//! fewer) and the browser origins it may be used from (none listed: any). The `/v1` caller
//! check enforces both; rotation carries them to the replacement.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};

use crate::api_scopes::Scope;
use crate::server::{
    accounts::{
        embed_settings::{origin_or_reason, shown, MAX_DOMAINS},
        key_cache::KeyCache,
        origins,
        tiers::{self, Tier},
    },
    audit::Actor,
    crypto,
    db::statement,
    entities::{
        account::{self, Model as Account},
        api_key,
    },
    error::{ServiceError, ServiceResult},
    paging::{self, Cursor, PageRequest, Paged},
};

pub use api_key::Model as ApiKey;

pub struct NewKey {
    pub model: ApiKey,
    /// The full key: shown once, never stored.
    pub secret: String,
}

/// Builds a fresh key string, its display prefix and its hash.
pub fn generate(tier: Tier) -> (String, String, String) {
    let random = crypto::random_id();
    let full = format!("aura_pk_{}_{}", tier.as_str(), random);
    let prefix = format!("aura_pk_{}_{}", tier.as_str(), &random[..8]);
    let hash = crypto::sha256_hex(full.as_bytes());
    (full, prefix, hash)
}

/// Cheap shape check before any database work: refuses garbage without a lookup.
pub fn looks_like_key(token: &str) -> bool {
    let Some(rest) = token.strip_prefix("aura_pk_") else {
        return false;
    };
    let Some((tier, random)) = rest.split_once('_') else {
        return false;
    };
    Tier::parse(tier).is_some()
        && random.len() == 32
        && random.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn clean_name(name: Option<&str>, default: &str) -> ServiceResult<String> {
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(default);
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ServiceError::validation("A key name has at most 100 characters."));
    }
    Ok(name.to_string())
}

/// What a key may do (`scopes`, never empty) and the browser origins it may be used from
/// (`allowed_origins`, normalised like embed domains; empty: no restriction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grants {
    pub scopes: Vec<Scope>,
    pub allowed_origins: Vec<String>,
}

impl Default for Grants {
    /// Every scope, any origin: what a key gets unless it asks for less.
    fn default() -> Self {
        Grants {
            scopes: Scope::ALL.to_vec(),
            allowed_origins: Vec::new(),
        }
    }
}

impl Grants {
    /// Validates what a caller asked for; an absent list takes the default. Unknown scope
    /// names, an empty scope list and anything that is not an origin are 422
    /// `validation_failed`. Scopes are kept in their canonical order, duplicates collapse.
    pub fn parse(scopes: Option<&[String]>, allowed_origins: Option<&[String]>) -> ServiceResult<Grants> {
        let mut grants = Grants::default();
        if let Some(raw) = scopes {
            let mut wanted = Vec::new();
            for name in raw {
                let scope = Scope::parse(name.trim()).ok_or_else(|| {
                    let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                    ServiceError::validation(format!(
                        "`{}` is not a scope; use any of: {}.",
                        shown(name),
                        known.join(", ")
                    ))
                })?;
                wanted.push(scope);
            }
            if wanted.is_empty() {
                return Err(ServiceError::validation(
                    "A key needs at least one scope; leave scopes out for all of them.",
                ));
            }
            wanted.sort();
            wanted.dedup();
            grants.scopes = wanted;
        }
        if let Some(raw) = allowed_origins {
            let mut out: Vec<String> = Vec::new();
            for entry in raw {
                let origin = origin_or_reason(entry).map_err(|why| {
                    ServiceError::validation(format!("`{}` is not an allowed origin: {why}", shown(entry.trim())))
                })?;
                if !out.contains(&origin) {
                    out.push(origin);
                }
            }
            if out.len() > MAX_DOMAINS {
                return Err(ServiceError::validation(format!(
                    "A key allows at most {MAX_DOMAINS} origins."
                )));
            }
            grants.allowed_origins = out;
        }
        Ok(grants)
    }

    /// A stored key's grants. Names this version does not know are dropped (never widened);
    /// an unreadable column grants nothing.
    pub fn of(key: &ApiKey) -> Grants {
        let scopes: Vec<String> = serde_json::from_str(&key.scopes).unwrap_or_default();
        let mut scopes: Vec<Scope> = scopes.iter().filter_map(|s| Scope::parse(s)).collect();
        scopes.sort();
        scopes.dedup();
        Grants {
            scopes,
            allowed_origins: serde_json::from_str(&key.allowed_origins).unwrap_or_default(),
        }
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Every scope there is (what admin routes ask of a key).
    pub fn has_all_scopes(&self) -> bool {
        Scope::ALL.iter().all(|s| self.allows(*s))
    }

    /// Whether a request with this `Origin` header (None: not from a browser) may use the
    /// key. Without `allowed_origins` any origin may: browsers are then governed by CORS.
    pub fn allows_origin(&self, origin: Option<&str>) -> bool {
        match origin {
            _ if self.allowed_origins.is_empty() => true,
            None => true,
            Some(o) => origin_or_reason(o).is_ok_and(|o| self.allowed_origins.contains(&o)),
        }
    }

    pub fn scope_names(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.as_str().to_string()).collect()
    }
}

/// `name` defaults to "API key" when absent or blank; the key gets every scope, any origin.
pub async fn create(
    db: &impl ConnectionTrait,
    account: &Account,
    name: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
) -> ServiceResult<NewKey> {
    create_with(db, account, name, expires_at, &Grants::default()).await
}

/// `create` with the given grants (already validated by [`Grants::parse`]).
pub async fn create_with(
    db: &impl ConnectionTrait,
    account: &Account,
    name: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
    grants: &Grants,
) -> ServiceResult<NewKey> {
    let tier = tiers::tier(account);
    let (secret, prefix, hash) = generate(tier);
    let model = api_key::ActiveModel {
        id: Set(crypto::random_id()),
        account_id: Set(account.id.clone()),
        name: Set(clean_name(name, "API key")?),
        prefix: Set(prefix),
        key_hash: Set(hash),
        tier: Set(tier.as_str().into()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        scopes: Set(serde_json::to_string(&grants.scope_names()).expect("json")),
        allowed_origins: Set(serde_json::to_string(&grants.allowed_origins).expect("json")),
    }
    .insert(db)
    .await?;
    Ok(NewKey { model, secret })
}

/// A key the partner asked for (REST or dashboard): `create` under the tier's cap on active
/// keys (409 `key_limit_reached`), audited as `key.create` (with its grants). Every instance's
/// cached key lists show it from the next call on (see [`KeyCache::changed`]).
#[tracing::instrument(name = "key_create", skip_all, fields(account_id = %actor.account.id))]
pub async fn create_capped(
    db: &DatabaseConnection,
    cache: &KeyCache,
    actor: &Actor,
    name: Option<&str>,
    grants: &Grants,
) -> ServiceResult<NewKey> {
    let key = insert_capped(db, &actor.account, name, grants).await?;
    cache.changed().await;
    if !grants.allowed_origins.is_empty() {
        origins::changed();
    }
    let details = serde_json::json!({ "scopes": grants.scope_names(), "allowed_origins": grants.allowed_origins });
    actor.record(db, "key.create", &key.model.id, Some(details)).await;
    Ok(key)
}

/// The count is taken after the insert, in the same transaction, serialised per account
/// (SQLite's write lock; an advisory lock on PostgreSQL), so parallel requests can never pass
/// the cap together. Rotation and first keys (sign-up, onboarding) replace or open an account
/// and are not capped.
async fn insert_capped(
    db: &DatabaseConnection,
    account: &Account,
    name: Option<&str>,
    grants: &Grants,
) -> ServiceResult<NewKey> {
    let Some(cap) = tiers::tier(account).max_active_keys() else {
        return create_with(db, account, name, None, grants).await;
    };
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(statement(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended(?, 7))",
            vec![format!("key-cap:{}", account.id).into()],
        ))
        .await?;
    }
    let key = create_with(&txn, account, name, None, grants).await?;
    let now = Utc::now();
    let active = api_key::Entity::find()
        .filter(api_key::Column::AccountId.eq(account.id.as_str()))
        .filter(api_key::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(api_key::Column::ExpiresAt.is_null())
                .add(api_key::Column::ExpiresAt.gt(now)),
        )
        .count(&txn)
        .await?;
    if active > cap {
        txn.rollback().await?;
        return Err(ServiceError::Conflict {
            code: "key_limit_reached",
            message: format!(
                "This account already has {cap} active keys, the most its tier allows; revoke one before creating another."
            ),
        });
    }
    txn.commit().await?;
    Ok(key)
}

pub async fn list(db: &impl ConnectionTrait, account_id: &str) -> ServiceResult<Vec<ApiKey>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::AccountId.eq(account_id))
        .order_by_desc(api_key::Column::CreatedAt)
        .all(db)
        .await?)
}

/// One page of the account's keys, newest first (`GET /v1/auth/keys`).
pub async fn list_page(
    db: &impl ConnectionTrait,
    account_id: &str,
    page: &PageRequest,
) -> ServiceResult<Paged<ApiKey>> {
    let sel = api_key::Entity::find().filter(api_key::Column::AccountId.eq(account_id));
    let sel = paging::keyset(
        sel,
        api_key::Column::CreatedAt,
        api_key::Column::Id,
        page,
        paging::text_id,
    )?;
    paging::fetch(db, sel, page.limit, |k| Cursor::new(k.created_at, &k.id)).await
}

/// One of this account's keys; another account's key is "not found" (never "forbidden"),
/// so ids reveal nothing.
pub async fn get_owned(db: &impl ConnectionTrait, account_id: &str, key_id: &str) -> ServiceResult<ApiKey> {
    api_key::Entity::find_by_id(key_id.to_string())
        .filter(api_key::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("No such key.".into()))
}

pub fn is_usable(k: &ApiKey, now: DateTime<Utc>) -> bool {
    k.revoked_at.is_none() && k.expires_at.is_none_or(|t| t > now)
}

/// Issues a replacement key with the old one's name, scopes and allowed origins; the old one
/// keeps working for `grace_secs` (0: stops now: every instance refuses it from the next call
/// on; later: every instance's cache checks the new expiry on each use). Audited as
/// `key.rotate`.
pub async fn rotate(
    db: &(impl TransactionTrait + ConnectionTrait),
    cache: &KeyCache,
    actor: &Actor,
    key_id: &str,
    grace_secs: u64,
) -> ServiceResult<NewKey> {
    if grace_secs > 30 * 24 * 3600 {
        return Err(ServiceError::validation(
            "expire_old_in_secs is at most 2592000 (30 days).",
        ));
    }
    let account = &actor.account;
    let txn = crate::server::db::begin_write(db).await?;
    let old = get_owned(&txn, &account.id, key_id).await?;
    let now = Utc::now();
    if !is_usable(&old, now) {
        return Err(ServiceError::Invalid {
            code: "key_inactive",
            message: "This key is already revoked or expired.".into(),
        });
    }
    let new = create_with(&txn, account, Some(&old.name), None, &Grants::of(&old)).await?;
    let mut am: api_key::ActiveModel = old.into();
    if grace_secs == 0 {
        am.revoked_at = Set(Some(now));
    } else {
        am.expires_at = Set(Some(now + Duration::seconds(grace_secs as i64)));
    }
    am.update(&txn).await?;
    txn.commit().await?;
    cache.changed().await;
    origins::changed();
    let details = serde_json::json!({ "new_key": new.model.id, "expire_old_in_secs": grace_secs });
    actor.record(db, "key.rotate", key_id, Some(details)).await;
    Ok(new)
}

/// Revokes one of the actor's keys, audited as `key.revoke` (revoking a revoked key again
/// changes nothing but is recorded too, as the caller asked for it). Every instance refuses
/// the key from the next call on (see [`KeyCache::changed`]).
#[tracing::instrument(name = "key_revoke", skip_all, fields(account_id = %actor.account.id, key_id))]
pub async fn revoke(db: &impl ConnectionTrait, cache: &KeyCache, actor: &Actor, key_id: &str) -> ServiceResult<ApiKey> {
    let key = revoke_unaudited(db, &actor.account.id, key_id).await?;
    cache.changed().await;
    if !Grants::of(&key).allowed_origins.is_empty() {
        origins::changed();
    }
    actor.record(db, "key.revoke", key_id, None).await;
    Ok(key)
}

/// `revoke` without a record of its own, for an action that audits itself (bootstrap, whose
/// key nobody ever saw, so no cache holds it).
pub async fn revoke_unaudited(db: &impl ConnectionTrait, account_id: &str, key_id: &str) -> ServiceResult<ApiKey> {
    let key = get_owned(db, account_id, key_id).await?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut am: api_key::ActiveModel = key.into();
    am.revoked_at = Set(Some(Utc::now()));
    Ok(am.update(db).await?)
}

#[derive(Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// Unknown, malformed, revoked or expired key: 401.
    Invalid,
    /// The account is suspended: 403.
    Suspended,
}

/// Resolves a bearer token to its key and account from the database: one indexed lookup (key
/// by hash, joined with its account). The `/v1` caller check goes through
/// [`KeyCache::verify_and_admit`], which calls this on a miss.
pub async fn verify(db: &impl ConnectionTrait, token: &str) -> Result<(Account, ApiKey), VerifyError> {
    if !looks_like_key(token) {
        return Err(VerifyError::Auth(AuthFailure::Invalid));
    }
    let hash = crypto::sha256_hex(token.as_bytes());
    // Key and account in one round trip: this runs on every authenticated call.
    let (key, account) = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash))
        .find_also_related(account::Entity)
        .one(db)
        .await?
        .ok_or(VerifyError::Auth(AuthFailure::Invalid))?;
    let account = account.ok_or(VerifyError::Auth(AuthFailure::Invalid))?;
    if !is_usable(&key, Utc::now()) {
        return Err(VerifyError::Auth(AuthFailure::Invalid));
    }
    if tiers::is_suspended(&account) {
        return Err(VerifyError::Auth(AuthFailure::Suspended));
    }
    Ok((account, key))
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("authentication failed: {0:?}")]
    Auth(AuthFailure),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_format_matches_the_contract() {
        for tier in Tier::ALL {
            let (full, prefix, hash) = generate(tier);
            assert!(full.starts_with(&format!("aura_pk_{}_", tier.as_str())));
            assert_eq!(full.len(), format!("aura_pk_{}_", tier.as_str()).len() + 32);
            assert!(looks_like_key(&full), "{full}");
            assert!(full.starts_with(&prefix));
            assert!(prefix.len() < full.len() - 16, "prefix must not reveal the key");
            assert_eq!(hash.len(), 64);
        }
        assert!(!looks_like_key("aura_pk_gold_0123456789abcdef0123456789abcdef"));
        assert!(!looks_like_key("aura_pk_pro_0123456789ABCDEF0123456789abcdef"));
        assert!(!looks_like_key("Bearer x"));
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn grants_default_to_everything_and_validate_what_is_asked() {
        let all = Grants::parse(None, None).unwrap();
        assert!(all.has_all_scopes());
        assert!(all.allowed_origins.is_empty());
        assert!(all.allows_origin(Some("https://anything.example")));

        let g = Grants::parse(
            Some(&strings(&["webhooks", "scans:read", "webhooks"])),
            Some(&strings(&["https://Terminal.example/", "https://terminal.example"])),
        )
        .unwrap();
        assert_eq!(g.scopes, vec![Scope::ScansRead, Scope::Webhooks]);
        assert_eq!(g.allowed_origins, vec!["https://terminal.example"]);
        assert!(g.allows(Scope::ScansRead) && !g.allows(Scope::ScansWrite) && !g.has_all_scopes());
        assert!(g.allows_origin(None));
        assert!(g.allows_origin(Some("https://terminal.example")));
        assert!(!g.allows_origin(Some("https://evil.example")));
        assert!(!g.allows_origin(Some("null")));

        for (scopes, origins) in [
            (Some(strings(&[])), None),
            (Some(strings(&["admin"])), None),
            (Some(strings(&["Scans:Read"])), None),
            (None, Some(strings(&["http://evil.com"]))),
            (None, Some(strings(&["https://a.example/path"]))),
            (None, Some(strings(&["*"]))),
        ] {
            match Grants::parse(scopes.as_deref(), origins.as_deref()) {
                Err(ServiceError::Invalid { code, .. }) => assert_eq!(code, "validation_failed"),
                other => panic!("{scopes:?} {origins:?}: {other:?}"),
            }
        }
    }
}
