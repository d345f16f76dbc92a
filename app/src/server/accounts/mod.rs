//! Accounts: registration, login, lookup, webhook secrets. Partners and admins are both
//! accounts; the role decides what they may do.

pub mod admin;
pub mod dashboard_calls;
pub mod embed_settings;
pub mod invites;
pub mod key_cache;
pub mod key_epoch;
pub mod keys;
pub mod login;
pub mod origins;
pub mod passwords;
pub mod sessions;
pub mod tiers;
pub mod usage;
pub mod usage_totals;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait,
};

use crate::server::{
    audit::{self, Origin},
    config::Config,
    crypto,
    entities::account,
    error::{ServiceError, ServiceResult},
};

use keys::NewKey;
pub use tiers::{is_suspended, role, tier};
use tiers::{Role, Status, Tier};

pub use account::Model as Account;

/// Lower-cases and checks an email address. Deliberately simple: one `@`, a dotted domain,
/// no spaces; deliverability is the mail server's business.
pub fn normalize_email(raw: &str) -> ServiceResult<String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(ServiceError::validation("Enter a valid email address."))
    }
}

fn validate_name(raw: &str) -> ServiceResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ServiceError::validation("The name must have 1 to 200 characters."));
    }
    Ok(name.to_string())
}

/// A chosen slug: 3 to 32 of `a-z0-9-` (it names the partner in widget URLs).
pub fn validate_slug(slug: &str) -> ServiceResult<String> {
    let ok = (3..=32).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(slug.to_string())
    } else {
        Err(ServiceError::validation(
            "partner_slug must have 3 to 32 characters, each a-z, 0-9 or '-'.",
        ))
    }
}

fn slug_taken() -> ServiceError {
    ServiceError::Conflict {
        code: "slug_taken",
        message: "Another partner already has this slug.".into(),
    }
}

/// URL-safe slug from the name plus a random suffix, so slugs are unique without a retry loop.
fn new_slug(name: &str) -> String {
    let mut base: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while base.contains("--") {
        base = base.replace("--", "-");
    }
    let base: String = base.trim_matches('-').chars().take(40).collect();
    let suffix = &crypto::random_id()[..6];
    if base.is_empty() {
        format!("partner-{suffix}")
    } else {
        format!("{base}-{suffix}")
    }
}

pub struct NewAccount {
    pub email: String,
    pub name: String,
    /// `None` for invited partners, who set their password through the invitation.
    pub password: Option<String>,
    pub role: Role,
    pub tier: Tier,
    pub allowed_domains: Vec<String>,
    /// The partner's chosen public slug (admin onboarding); `None`: made from the name.
    pub partner_slug: Option<String>,
}

pub struct Created {
    pub account: Account,
    pub webhook_secret: String,
    pub key: NewKey,
}

/// Creates an account with its webhook secret and first API key, in one transaction.
pub async fn create(db: &impl TransactionTrait, config: &Config, new: NewAccount) -> ServiceResult<Created> {
    let email = normalize_email(&new.email)?;
    let name = validate_name(&new.name)?;
    let password_hash = match new.password {
        Some(p) => {
            passwords::validate(&p).map_err(ServiceError::validation)?;
            Some(passwords::hash(p).await?)
        }
        None => None,
    };
    let chosen_slug = new.partner_slug.as_deref().map(validate_slug).transpose()?;
    let webhook_secret = crypto::new_webhook_secret();
    let now = Utc::now();
    let txn = crate::server::db::begin_write(db).await?;
    if let Some(slug) = &chosen_slug {
        if slug_in_use(&txn, slug).await? {
            return Err(slug_taken());
        }
    }
    if account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .count(&txn)
        .await?
        > 0
    {
        return Err(ServiceError::Conflict {
            code: "email_taken",
            message: "An account with this email already exists.".into(),
        });
    }
    let model = account::ActiveModel {
        id: Set(crypto::random_id()),
        email: Set(email),
        name: Set(name.clone()),
        password_hash: Set(password_hash),
        role: Set(new.role.as_str().into()),
        tier: Set(new.tier.as_str().into()),
        status: Set(Status::Active.as_str().into()),
        partner_slug: Set(chosen_slug.clone().unwrap_or_else(|| new_slug(&name))),
        webhook_secret_enc: Set(crypto::encrypt(config.secret_key.expose(), &webhook_secret)),
        webhook_secret_prev_enc: Set(None),
        webhook_secret_prev_expires_at: Set(None),
        allowed_domains: Set(serde_json::to_string(&new.allowed_domains).expect("json")),
        embed_theme: Set("dark".into()),
        invite_token_hash: Set(None),
        invite_expires_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let account = match model.insert(&txn).await {
        Ok(a) => a,
        // Two registrations racing for one email (or one chosen slug): the unique index decides.
        Err(e) if is_unique_violation(&e) => {
            // Both columns are unique; the database names the one that collided.
            if chosen_slug.is_some() && e.to_string().contains("partner_slug") {
                return Err(slug_taken());
            }
            return Err(ServiceError::Conflict {
                code: "email_taken",
                message: "An account with this email already exists.".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let key = keys::create(&txn, &account, Some("Default key"), None).await?;
    txn.commit().await?;
    Ok(Created {
        account,
        webhook_secret,
        key,
    })
}

async fn slug_in_use(db: &impl ConnectionTrait, slug: &str) -> ServiceResult<bool> {
    Ok(account::Entity::find()
        .filter(account::Column::PartnerSlug.eq(slug))
        .count(db)
        .await?
        > 0)
}

pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// Self-service sign-up: a free partner account with its first key.
#[tracing::instrument(name = "account_register", skip_all)]
pub async fn register(
    db: &(impl TransactionTrait + ConnectionTrait),
    config: &Config,
    email: &str,
    password: &str,
    name: &str,
    origin: &Origin,
) -> ServiceResult<Created> {
    let created = create(
        db,
        config,
        NewAccount {
            email: email.into(),
            name: name.into(),
            password: Some(password.into()),
            role: Role::Partner,
            tier: Tier::Free,
            allowed_domains: Vec::new(),
            partner_slug: None,
        },
    )
    .await?;
    audit::record(
        db,
        &created.account.email,
        "account.register",
        &created.account.id,
        origin,
        None,
    )
    .await;
    Ok(created)
}

/// Names the password a browser session was opened with, so a session ends when the password
/// changes (an operator's reset through the CLI, an invitation claimed): a short digest of
/// the stored argon2 hash, which a new salt changes even for the same password. It is kept
/// in the server-side session record, never in the cookie.
pub fn password_fingerprint(a: &Account) -> String {
    crypto::sha256_hex(a.password_hash.as_deref().unwrap_or_default().as_bytes())[..16].to_string()
}

/// Checks a password. The caller throttles and audits; this only answers yes or no.
pub async fn check_password(db: &impl ConnectionTrait, email: &str, password: &str) -> ServiceResult<Option<Account>> {
    let email = email.trim().to_lowercase();
    let account = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(db)
        .await?;
    let phc = account.as_ref().and_then(|a| a.password_hash.clone());
    if passwords::verify(password.to_string(), phc).await? {
        Ok(account)
    } else {
        Ok(None)
    }
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> ServiceResult<Account> {
    account::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("No such account.".into()))
}

/// The account behind a public partner slug (embed widgets name their partner this way).
pub async fn find_by_slug(db: &impl ConnectionTrait, slug: &str) -> ServiceResult<Option<Account>> {
    if slug.is_empty() || slug.len() > 64 {
        return Ok(None);
    }
    Ok(account::Entity::find()
        .filter(account::Column::PartnerSlug.eq(slug))
        .one(db)
        .await?)
}

pub fn allowed_domains(a: &Account) -> Vec<String> {
    serde_json::from_str(&a.allowed_domains).unwrap_or_default()
}

/// The secrets that sign this account's webhooks now: the current one, and the previous one
/// while its rotation grace period lasts.
pub fn webhook_secrets(config: &Config, a: &Account) -> ServiceResult<Vec<String>> {
    let key = config.secret_key.expose();
    let mut out = vec![crypto::decrypt(key, &a.webhook_secret_enc).map_err(ServiceError::internal)?];
    if let (Some(prev), Some(until)) = (&a.webhook_secret_prev_enc, a.webhook_secret_prev_expires_at) {
        if until > Utc::now() {
            out.push(crypto::decrypt(key, prev).map_err(ServiceError::internal)?);
        }
    }
    Ok(out)
}

pub async fn set_password(
    db: &impl ConnectionTrait,
    cache: &key_cache::KeyCache,
    account: Account,
    password: &str,
) -> ServiceResult<Account> {
    passwords::validate(password).map_err(ServiceError::validation)?;
    let hash = passwords::hash(password.to_string()).await?;
    let mut am: account::ActiveModel = account.into();
    am.password_hash = Set(Some(hash));
    am.updated_at = Set(Utc::now());
    let account = am.update(db).await?;
    cache.changed().await;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email("  Alice@Example.COM ").unwrap(), "alice@example.com");
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "a b@example.com",
            "alice@example",
            "a@b@c.com",
            "alice@.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs_are_url_safe_and_unique() {
        let a = new_slug("Acme Terminal <script>");
        assert!(a.starts_with("acme-terminal-script-"), "{a}");
        assert!(a
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        assert_ne!(new_slug("Acme"), new_slug("Acme"));
        assert!(new_slug("!!!").starts_with("partner-"));
    }
}
