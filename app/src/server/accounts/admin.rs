//! Administration: admin accounts (CLI and start-up bootstrap), partner onboarding, tier and
//! status changes, re-running dead-lettered jobs. The REST routes (`/v1/admin/*`), the
//! `server admin create` command and the browser console all call these functions; each
//! action is written to the audit log.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Set, TransactionSession, TransactionTrait,
};

use crate::server::{
    accounts::embed_settings,
    accounts::invites,
    accounts::key_cache::KeyCache,
    accounts::keys::{self, NewKey},
    accounts::passwords,
    accounts::tiers::{Role, Status, Tier},
    accounts::{self, Account, Created, NewAccount},
    audit::{self, Actor, Origin},
    config::Config,
    entities::{account, api_key},
    error::{ServiceError, ServiceResult},
    jobs,
    paging::{self, Cursor, PageRequest, Paged},
    state::AppState,
};

/// Refuses anyone but an admin. The caller audits the refusal (it knows the route).
pub fn require_admin(account: &Account) -> ServiceResult<()> {
    if accounts::role(account) == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("This needs an admin account.".into()))
    }
}

pub fn parse_tier(raw: &str) -> ServiceResult<Tier> {
    Tier::parse(raw.trim()).ok_or_else(|| {
        ServiceError::validation(format!(
            "`{}` is not a tier: use free, pro, partner or internal.",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

pub fn parse_status(raw: &str) -> ServiceResult<Status> {
    Status::parse(raw.trim()).ok_or_else(|| {
        ServiceError::validation(format!(
            "`{}` is not a status: use active or suspended.",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

fn name_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or("admin");
    if local.is_empty() {
        "Administrator".into()
    } else {
        local.chars().take(200).collect()
    }
}

async fn any_admin(db: &impl ConnectionTrait) -> ServiceResult<bool> {
    Ok(account::Entity::find()
        .filter(account::Column::Role.eq(Role::Admin.as_str()))
        .count(db)
        .await?
        > 0)
}

async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> ServiceResult<Option<Account>> {
    Ok(account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// What `server admin create` did to the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminOutcome {
    /// A new admin account.
    Created,
    /// An existing admin: new password (and reactivated if it was suspended).
    PasswordReset,
    /// A partner account became an admin: new password, its earlier keys revoked.
    Promoted,
}

pub struct AdminKey {
    pub account: Account,
    /// A new key of tier `internal`: shown once.
    pub key: NewKey,
    pub outcome: AdminOutcome,
    /// Keys revoked because a partner account was promoted.
    pub revoked_keys: u64,
    pub was_suspended: bool,
}

/// Creates the admin `email` with `password`, or resets the password of that account, and
/// issues it a new `internal` key. An existing partner account is promoted; since whoever
/// held that account's keys did not necessarily own the admin's password, its earlier keys
/// are revoked. A suspended account is reactivated: this is the operator's recovery path.
pub async fn create_or_reset_admin(
    db: &(impl TransactionTrait + ConnectionTrait),
    config: &Config,
    cache: &KeyCache,
    email: &str,
    password: &str,
    actor: &str,
    origin: &Origin,
) -> ServiceResult<AdminKey> {
    let email = accounts::normalize_email(email)?;
    passwords::validate(password).map_err(ServiceError::validation)?;
    if find_by_email(db, &email).await?.is_none() {
        match accounts::create(
            db,
            config,
            NewAccount {
                email: email.clone(),
                name: name_from_email(&email),
                password: Some(password.into()),
                role: Role::Admin,
                tier: Tier::Internal,
                allowed_domains: Vec::new(),
                partner_slug: None,
            },
        )
        .await
        {
            Ok(Created { account, key, .. }) => {
                audit::record(
                    db,
                    actor,
                    "admin.create",
                    &account.id,
                    origin,
                    Some(serde_json::json!({ "email": account.email })),
                )
                .await;
                return Ok(AdminKey {
                    account,
                    key,
                    outcome: AdminOutcome::Created,
                    revoked_keys: 0,
                    was_suspended: false,
                });
            }
            // Created by someone else meanwhile: reset it below.
            Err(ServiceError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }

    let password_hash = passwords::hash(password.to_string()).await?;
    let txn = crate::server::db::begin_write(db).await?;
    let existing = find_by_email(&txn, &email)
        .await?
        .ok_or_else(|| ServiceError::internal("account vanished"))?;
    let promoted = accounts::role(&existing) != Role::Admin;
    let was_suspended = accounts::is_suspended(&existing);
    let now = Utc::now();
    let mut revoked_keys = 0;
    if promoted {
        revoked_keys = api_key::Entity::update_many()
            .col_expr(api_key::Column::RevokedAt, sea_orm::sea_query::Expr::value(Some(now)))
            .filter(api_key::Column::AccountId.eq(existing.id.clone()))
            .filter(api_key::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
    }
    let before = serde_json::json!({ "role": existing.role, "tier": existing.tier, "status": existing.status });
    let mut am: account::ActiveModel = existing.into();
    am.password_hash = Set(Some(password_hash));
    am.role = Set(Role::Admin.as_str().into());
    am.tier = Set(Tier::Internal.as_str().into());
    am.status = Set(Status::Active.as_str().into());
    am.invite_token_hash = Set(None);
    am.invite_expires_at = Set(None);
    am.updated_at = Set(now);
    let account = am.update(&txn).await?;
    let key = keys::create(&txn, &account, Some("CLI key"), None).await?;
    txn.commit().await?;
    // Role, tier, status and (when promoted) the earlier keys changed.
    cache.changed().await;
    let (outcome, action) = if promoted {
        (AdminOutcome::Promoted, "admin.promote")
    } else {
        (AdminOutcome::PasswordReset, "admin.password_reset")
    };
    audit::record(
        db,
        actor,
        action,
        &account.id,
        origin,
        Some(serde_json::json!({ "email": account.email, "before": before, "revoked_keys": revoked_keys })),
    )
    .await;
    Ok(AdminKey {
        account,
        key,
        outcome,
        revoked_keys,
        was_suspended,
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// `AURA_ADMIN_EMAIL`/`AURA_ADMIN_PASSWORD` are not both set.
    NotConfigured,
    /// An admin exists already (possibly created by another instance just now).
    AdminExists,
    Created(String),
    /// The email belongs to a partner account: promoting it from the environment would hand
    /// admin rights to whoever registered that address, so nothing is done.
    EmailIsPartner(String),
}

/// Creates the admin from `AURA_ADMIN_EMAIL` and `AURA_ADMIN_PASSWORD` when both are set and
/// no admin exists. Idempotent across restarts (an existing admin's password is left alone),
/// and safe when several instances start at once: the unique email index lets one insert win
/// and the others see an admin.
pub async fn bootstrap(db: &(impl TransactionTrait + ConnectionTrait), config: &Config) -> ServiceResult<Bootstrap> {
    let (Some(email), Some(password)) = (&config.admin_email, &config.admin_password) else {
        return Ok(Bootstrap::NotConfigured);
    };
    let email = accounts::normalize_email(email)
        .map_err(|_| ServiceError::validation(format!("AURA_ADMIN_EMAIL: `{email}` is not a valid email address")))?;
    passwords::validate(password.expose())
        .map_err(|m| ServiceError::validation(format!("AURA_ADMIN_PASSWORD: {m}")))?;
    if any_admin(db).await? {
        return Ok(Bootstrap::AdminExists);
    }
    if find_by_email(db, &email).await?.is_some() {
        return Ok(if any_admin(db).await? {
            Bootstrap::AdminExists
        } else {
            Bootstrap::EmailIsPartner(email)
        });
    }
    let created = accounts::create(
        db,
        config,
        NewAccount {
            email: email.clone(),
            name: name_from_email(&email),
            password: Some(password.expose().clone()),
            role: Role::Admin,
            tier: Tier::Internal,
            allowed_domains: Vec::new(),
            partner_slug: None,
        },
    )
    .await;
    match created {
        Ok(c) => {
            // Nobody saw this first key; the admin signs in with the password or makes keys
            // with `server admin create`.
            keys::revoke_unaudited(db, &c.account.id, &c.key.model.id).await?;
            audit::record(
                db,
                "system",
                "admin.bootstrap",
                &c.account.id,
                &Origin::default(),
                Some(serde_json::json!({ "email": email })),
            )
            .await;
            Ok(Bootstrap::Created(email))
        }
        // Another instance won the race (PostgreSQL: the unique email index; SQLite: the
        // write lock), or the email was just taken by a partner.
        Err(_) if any_admin(db).await? => Ok(Bootstrap::AdminExists),
        Err(ServiceError::Conflict { .. }) => Ok(Bootstrap::EmailIsPartner(email)),
        Err(e) => Err(e),
    }
}

pub struct NewPartner {
    pub name: String,
    pub email: String,
    pub tier: String,
    pub allowed_domains: Vec<String>,
    /// 3 to 32 of `a-z0-9-`; `None`: made from the name. 409 `slug_taken` when in use.
    pub partner_slug: Option<String>,
}

pub struct Onboarded {
    pub account: Account,
    /// The first API key: shown once, to the admin, to hand over.
    pub key: NewKey,
    pub webhook_secret: String,
    pub invite_url: String,
}

/// Onboards a partner: the account (no password yet), its first key, its webhook secret and
/// an invitation link to set a password, all in one transaction.
#[tracing::instrument(name = "partner_onboard", skip_all)]
pub async fn onboard_partner(
    db: &(impl TransactionTrait + ConnectionTrait),
    config: &Config,
    actor: &Actor,
    new: NewPartner,
) -> ServiceResult<Onboarded> {
    let (admin, origin) = (&actor.account, &actor.origin);
    require_admin(admin)?;
    let tier = parse_tier(&new.tier)?;
    let allowed_domains = embed_settings::normalize_domains(&new.allowed_domains)?;
    let txn = crate::server::db::begin_write(db).await?;
    let created = accounts::create(
        &txn,
        config,
        NewAccount {
            email: new.email,
            name: new.name,
            password: None,
            role: Role::Partner,
            tier,
            allowed_domains,
            partner_slug: new.partner_slug,
        },
    )
    .await?;
    let (account, token) = invites::issue(&txn, created.account).await?;
    txn.commit().await?;
    super::origins::changed();
    audit::record(
        db,
        &admin.email,
        "partner.create",
        &account.id,
        origin,
        Some(serde_json::json!({
            "email": account.email, "name": account.name, "tier": account.tier,
            "allowed_domains": accounts::allowed_domains(&account),
        })),
    )
    .await;
    Ok(Onboarded {
        invite_url: invites::url(&config.public_url, &token),
        account,
        key: created.key,
        webhook_secret: created.webhook_secret,
    })
}

/// A new invitation for a partner (the earlier ones stop working): how an onboarding whose
/// link expired continues, and how an admin resets a partner's password. The partner's
/// current password keeps working until the invitation is used; using it sets a new one,
/// which ends the sessions opened with the old one. Audited as `partner.invite`.
#[tracing::instrument(name = "partner_invite", skip_all, fields(account_id))]
pub async fn reinvite(
    db: &impl ConnectionTrait,
    config: &Config,
    cache: &KeyCache,
    actor: &Actor,
    account_id: &str,
) -> ServiceResult<String> {
    require_admin(&actor.account)?;
    let account = accounts::get(db, account_id).await?;
    if accounts::role(&account) == Role::Admin {
        return Err(ServiceError::validation(
            "Admins reset their password with `server admin create`, not an invitation.",
        ));
    }
    let (account, token) = invites::issue(db, account).await?;
    cache.changed().await;
    actor.record(db, "partner.invite", &account.id, None).await;
    Ok(invites::url(&config.public_url, &token))
}

/// Which accounts a partner listing shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RoleFilter {
    #[default]
    Partners,
    Admins,
    All,
}

#[derive(Clone, Debug, Default)]
pub struct PartnerQuery {
    pub role: RoleFilter,
    /// Case-insensitive substring of the name, email or slug.
    pub search: Option<String>,
}

/// Accounts, newest first.
pub async fn list_partners(db: &impl ConnectionTrait, q: PartnerQuery) -> ServiceResult<Vec<Account>> {
    let sel = account::Entity::find()
        .order_by_desc(account::Column::CreatedAt)
        .order_by_desc(account::Column::Id);
    let mut rows = by_role(sel, q.role).all(db).await?;
    retain_matching(&mut rows, q.search);
    Ok(rows)
}

/// One page of the accounts matching `q`, newest first (`GET /v1/admin/partners`).
pub async fn list_partners_page(
    db: &impl ConnectionTrait,
    q: PartnerQuery,
    page: &PageRequest,
) -> ServiceResult<Paged<Account>> {
    let sel = by_role(account::Entity::find(), q.role);
    let sel = paging::after(
        sel,
        account::Column::CreatedAt,
        account::Column::Id,
        page,
        paging::text_id,
    )?;
    // The search is applied in Rust (below), so the page is cut after it.
    let sel = if q.search.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        sel
    } else {
        sel.limit(page.limit.saturating_add(1))
    };
    let mut rows = sel.all(db).await?;
    retain_matching(&mut rows, q.search);
    Ok(Paged::from_rows(rows, page.limit, |a| Cursor::new(a.created_at, &a.id)))
}

fn by_role(sel: Select<account::Entity>, role: RoleFilter) -> Select<account::Entity> {
    match role {
        RoleFilter::Partners => sel.filter(account::Column::Role.ne(Role::Admin.as_str())),
        RoleFilter::Admins => sel.filter(account::Column::Role.eq(Role::Admin.as_str())),
        RoleFilter::All => sel,
    }
}

/// Filtered here rather than with LIKE, whose case rules differ between SQLite and
/// PostgreSQL; the partner table is small.
fn retain_matching(rows: &mut Vec<Account>, search: Option<String>) {
    if let Some(needle) = search.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()) {
        rows.retain(|a| {
            a.name.to_lowercase().contains(&needle) || a.email.contains(&needle) || a.partner_slug.contains(&needle)
        });
    }
}

#[derive(Clone, Debug, Default)]
pub struct PartnerUpdate {
    pub tier: Option<String>,
    pub status: Option<String>,
}

/// Changes an account's tier and/or status. Limits follow and a suspended account's keys get
/// 403 from the next request on, on every instance (the verified-key caches are told, see
/// [`KeyCache::changed`]). An admin cannot suspend their own account.
#[tracing::instrument(name = "partner_update", skip_all)]
pub async fn update_partner(
    db: &impl ConnectionTrait,
    cache: &KeyCache,
    actor: &Actor,
    account_id: &str,
    change: PartnerUpdate,
) -> ServiceResult<Account> {
    let (admin, origin) = (&actor.account, &actor.origin);
    require_admin(admin)?;
    let tier = change.tier.as_deref().map(parse_tier).transpose()?;
    let status = change.status.as_deref().map(parse_status).transpose()?;
    let account = accounts::get(db, account_id).await.map_err(|e| match e {
        ServiceError::NotFound(_) => ServiceError::NotFound("No such partner.".into()),
        other => other,
    })?;
    if account.id == admin.id && status == Some(Status::Suspended) {
        return Err(ServiceError::validation("You cannot suspend your own account."));
    }
    let new_tier = tier.map(Tier::as_str).unwrap_or(&account.tier).to_string();
    let new_status = status.map(Status::as_str).unwrap_or(&account.status).to_string();
    if new_tier == account.tier && new_status == account.status {
        return Ok(account);
    }
    let before = serde_json::json!({ "tier": account.tier, "status": account.status });
    let after = serde_json::json!({ "tier": new_tier, "status": new_status });
    let email = account.email.clone();
    let mut am: account::ActiveModel = account.into();
    am.tier = Set(new_tier);
    am.status = Set(new_status);
    am.updated_at = Set(Utc::now());
    let account = am.update(db).await?;
    cache.changed().await;
    // A suspended account's origins leave CORS (and an unsuspended one's come back).
    super::origins::changed();
    audit::record(
        db,
        &admin.email,
        "partner.update",
        &account.id,
        origin,
        Some(serde_json::json!({ "email": email, "before": before, "after": after })),
    )
    .await;
    Ok(account)
}

/// Re-runs a dead-lettered or failed job (the console's and `POST /v1/admin/jobs/{id}/retry`'s
/// action). A scan's record goes back to `queued` (its event log keeps the earlier attempt's
/// events, and the stream continues after them); a delivery goes back to `pending`. The
/// workers are woken once it is committed.
pub async fn rerun_job(state: &AppState, job_id: i64) -> ServiceResult<Option<jobs::Job>> {
    let txn = crate::server::db::begin_write(&state.db).await?;
    let Some(job) = jobs::requeue(&txn, job_id).await? else {
        return Ok(None);
    };
    match job.kind {
        jobs::JobKind::Scan => crate::server::scans::lifecycle::rerun(&txn, &job.ref_id).await?,
        jobs::JobKind::Delivery => {
            use crate::{server::entities::delivery, status::DeliveryStatus};
            delivery::Entity::update_many()
                .col_expr(
                    delivery::Column::Status,
                    sea_orm::sea_query::Expr::value(DeliveryStatus::Pending),
                )
                .filter(delivery::Column::Id.eq(job.ref_id.as_str()))
                .exec(&txn)
                .await?;
        }
        // It reschedules itself and is never dead; re-queued, it simply runs now.
        jobs::JobKind::Retention => {}
    }
    txn.commit().await?;
    if job.kind == jobs::JobKind::Scan {
        // A completed scan's cached report must not outlive this.
        crate::server::scans::lifecycle::note_finished_reopened();
    }
    state.bus.notify_jobs().await;
    Ok(Some(job))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_and_statuses_parse_strictly() {
        assert_eq!(parse_tier("pro").unwrap(), Tier::Pro);
        assert!(parse_tier("gold").is_err());
        assert!(parse_tier("Pro").is_err());
        assert_eq!(parse_status("suspended").unwrap(), Status::Suspended);
        assert!(parse_status("banned").is_err());
        assert_eq!(name_from_email("ops@acme.example"), "ops");
    }
}
