//! Invitations: an onboarded partner gets a link `{AURA_PUBLIC_URL}/invite/{token}` to set
//! its password. The token carries 256 random bits and only its SHA-256 is stored, so a
//! database leak reveals no usable link, and lookups go by hash (nothing to time). A token
//! works once, until it expires.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::server::{
    accounts::{self, key_cache::KeyCache, Account},
    audit::{self, Origin},
    crypto,
    entities::account,
    error::{ServiceError, ServiceResult},
};

/// How long an invitation link works.
pub const VALIDITY: Duration = Duration::days(7);

/// A fresh token and the values to store for it.
pub struct NewInvite {
    /// The secret part of the link: shown once.
    pub token: String,
    pub hash: String,
    pub expires_at: DateTime<Utc>,
}

pub fn new_invite() -> NewInvite {
    let token = hex::encode(crypto::random_bytes::<32>());
    let hash = crypto::sha256_hex(token.as_bytes());
    NewInvite {
        token,
        hash,
        expires_at: Utc::now() + VALIDITY,
    }
}

pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/invite/{token}", public_url.trim_end_matches('/'))
}

/// Stores a new invitation for `account` (replacing any earlier one) and returns its token.
pub async fn issue(db: &impl ConnectionTrait, account: Account) -> ServiceResult<(Account, String)> {
    let invite = new_invite();
    let mut am: account::ActiveModel = account.into();
    am.invite_token_hash = Set(Some(invite.hash));
    am.invite_expires_at = Set(Some(invite.expires_at));
    am.updated_at = Set(Utc::now());
    Ok((am.update(db).await?, invite.token))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Boxed: an account record is large beside the other answers.
    Valid(Box<Account>),
    /// No invitation has this token (never issued, already used, or replaced).
    Unknown,
    Expired,
}

fn plausible(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub async fn lookup(db: &impl ConnectionTrait, token: &str) -> ServiceResult<Lookup> {
    if !plausible(token) {
        return Ok(Lookup::Unknown);
    }
    let hash = crypto::sha256_hex(token.as_bytes());
    let Some(account) = account::Entity::find()
        .filter(account::Column::InviteTokenHash.eq(hash))
        .one(db)
        .await?
    else {
        return Ok(Lookup::Unknown);
    };
    if accounts::is_suspended(&account) {
        return Ok(Lookup::Unknown);
    }
    match account.invite_expires_at {
        Some(t) if t > Utc::now() => Ok(Lookup::Valid(Box::new(account))),
        _ => Ok(Lookup::Expired),
    }
}

/// Sets the invited account's password and consumes the token in one conditional UPDATE,
/// so two submissions racing with one token cannot both succeed.
pub async fn accept(
    db: &impl ConnectionTrait,
    cache: &KeyCache,
    token: &str,
    password: &str,
    origin: &Origin,
) -> ServiceResult<Account> {
    super::passwords::validate(password).map_err(ServiceError::validation)?;
    let gone = || ServiceError::NotFound("This invitation link is invalid or has already been used.".into());
    let account = match lookup(db, token).await? {
        Lookup::Valid(a) => *a,
        Lookup::Unknown => return Err(gone()),
        Lookup::Expired => {
            return Err(ServiceError::invalid(
                "invite_expired",
                "This invitation link has expired; ask your AuraSecurity contact for a new one.",
            ))
        }
    };
    // Hash outside the transaction: argon2 takes tens of milliseconds.
    let password_hash = super::passwords::hash(password.to_string()).await?;
    let hash = crypto::sha256_hex(token.as_bytes());
    let now = Utc::now();
    let claimed = account::Entity::update_many()
        .col_expr(account::Column::InviteTokenHash, Expr::value(Option::<String>::None))
        .col_expr(
            account::Column::InviteExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(account::Column::PasswordHash, Expr::value(Some(password_hash)))
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(account.id.clone()))
        .filter(account::Column::InviteTokenHash.eq(hash))
        .filter(account::Column::InviteExpiresAt.gt(now))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(gone());
    }
    cache.changed().await;
    let account = accounts::get(db, &account.id).await?;
    audit::record(db, &account.email, "invite.accept", &account.id, origin, None).await;
    Ok(account)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_256_bit_and_only_hashed() {
        let i = super::new_invite();
        assert_eq!(i.token.len(), 64);
        assert!(super::plausible(&i.token));
        assert_ne!(i.hash, i.token);
        assert_eq!(i.hash, crate::server::crypto::sha256_hex(i.token.as_bytes()));
        assert!(!super::plausible("../etc"));
        assert_eq!(super::url("http://h:3000/", "ab"), "http://h:3000/invite/ab");
    }
}
