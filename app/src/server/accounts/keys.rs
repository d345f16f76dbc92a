//! API keys: `aura_pk_{tier}_{32 lowercase hex}`, made from the OS CSPRNG. Only the SHA-256
//! of a key and a display prefix are stored; the full key is returned once, at creation.
//! SHA-256 (not a password hash) is right here: keys carry 128 random bits, so there is
//! nothing to brute-force, and verification must be cheap on every request.
//!
//! What a partner does to its keys ([`create_capped`], [`rotate`], [`revoke`]) is audited
//! here, from the [`Actor`] the REST route or the dashboard hands in; keys made or revoked
//! as part of another action (sign-up, onboarding, bootstrap) are that action's record.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};

use crate::server::{
    accounts::tiers::{self, Tier},
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

/// `name` defaults to "API key" when absent or blank.
pub async fn create(
    db: &impl ConnectionTrait,
    account: &Account,
    name: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
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
    }
    .insert(db)
    .await?;
    Ok(NewKey { model, secret })
}

/// A key the partner asked for (REST or dashboard): `create` under the tier's cap on active
/// keys (409 `key_limit_reached`), audited as `key.create`.
pub async fn create_capped(db: &DatabaseConnection, actor: &Actor, name: Option<&str>) -> ServiceResult<NewKey> {
    let key = insert_capped(db, &actor.account, name).await?;
    actor.record(db, "key.create", &key.model.id, None).await;
    Ok(key)
}

/// The count is taken after the insert, in the same transaction, serialised per account
/// (SQLite's write lock; an advisory lock on PostgreSQL), so parallel requests can never pass
/// the cap together. Rotation and first keys (sign-up, onboarding) replace or open an account
/// and are not capped.
async fn insert_capped(db: &DatabaseConnection, account: &Account, name: Option<&str>) -> ServiceResult<NewKey> {
    let Some(cap) = tiers::tier(account).max_active_keys() else {
        return create(db, account, name, None).await;
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
    let key = create(&txn, account, name, None).await?;
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

/// Issues a replacement key; the old one keeps working for `grace_secs` (0: stops now).
/// Audited as `key.rotate`.
pub async fn rotate(
    db: &(impl TransactionTrait + ConnectionTrait),
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
    let new = create(&txn, account, Some(&old.name), None).await?;
    let mut am: api_key::ActiveModel = old.into();
    if grace_secs == 0 {
        am.revoked_at = Set(Some(now));
    } else {
        am.expires_at = Set(Some(now + Duration::seconds(grace_secs as i64)));
    }
    am.update(&txn).await?;
    txn.commit().await?;
    let details = serde_json::json!({ "new_key": new.model.id, "expire_old_in_secs": grace_secs });
    actor.record(db, "key.rotate", key_id, Some(details)).await;
    Ok(new)
}

/// Revokes one of the actor's keys, audited as `key.revoke` (revoking a revoked key again
/// changes nothing but is recorded too, as the caller asked for it).
pub async fn revoke(db: &impl ConnectionTrait, actor: &Actor, key_id: &str) -> ServiceResult<ApiKey> {
    let key = revoke_unaudited(db, &actor.account.id, key_id).await?;
    actor.record(db, "key.revoke", key_id, None).await;
    Ok(key)
}

/// `revoke` without a record of its own, for an action that audits itself (bootstrap).
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

/// Resolves a bearer token to its key and account. Reads the database on every call, so a
/// revoked key or a suspended account is refused on the very next request, on every
/// instance; one indexed lookup (key by hash, joined with its account) per call.
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
}
