//! Password login with throttling and auditing, for the browser's `/login`.
//!
//! Attempts are counted per email (5 in 15 minutes, the slot taken before the check and
//! given back on success) and failures per client address (20 in 15 minutes) in the shared [`RateLimiter`](crate::server::limiter::RateLimiter), so every web instance
//! sees the same counts once the limiter lives in Redis. While either count is full the login
//! is refused with 429 *before* the password is checked, so guesses during the cool-down
//! learn nothing, not even a correct password. A success clears that email's failures.

use std::time::Duration;

use crate::server::{
    accounts::{self, passwords, Account},
    audit::{self, Actor, Origin},
    error::{ServiceError, ServiceResult},
    limiter::{address_rule, Rule, Window},
    state::AppState,
};

pub const EMAIL_FAILURES: u32 = 5;
pub const ADDRESS_FAILURES: u32 = 20;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Prefix of the cool-down message; the login page recognises it to answer 429 after a
/// form post without JavaScript.
pub const THROTTLED_PREFIX: &str = "Too many attempts";

fn email_rule(email: &str) -> Rule {
    Rule {
        key: format!("login:email:{email}"),
        limit: EMAIL_FAILURES,
        window: Window::Sliding(FAILURE_WINDOW),
    }
}

fn rules(email: &str, origin: &Origin) -> Vec<Rule> {
    let mut rules = vec![email_rule(email)];
    if let Some(ip) = &origin.ip {
        rules.push(address_rule("login-failures", ip, ADDRESS_FAILURES, FAILURE_WINDOW));
    }
    rules
}

fn throttled(wait: Duration) -> ServiceError {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    ServiceError::TooMany {
        code: "too_many_attempts",
        message: format!("{THROTTLED_PREFIX}, try again in {minutes} {unit}."),
        retry_after_secs: wait.as_secs().max(1),
    }
}

/// Checks the credentials; every outcome is audited (`login.success`, `login.failure`,
/// `login.throttled`, `login.suspended`).
pub async fn login(state: &AppState, email: &str, password: &str, origin: &Origin) -> ServiceResult<Account> {
    let email = email.trim().to_lowercase();
    // Bounded before any work: the email is a limiter key and an audit field.
    if email.len() > MAX_EMAIL_LEN {
        return Err(ServiceError::validation("An email address has at most 254 characters."));
    }
    match throttled_check(state, &email, password, origin).await? {
        Some(account) if accounts::is_suspended(&account) => {
            audit::record(&state.db, &account.email, "login.suspended", &account.id, origin, None).await;
            Err(ServiceError::Forbidden("This account is suspended.".into()))
        }
        Some(account) => {
            audit::record(&state.db, &account.email, "login.success", &account.id, origin, None).await;
            Ok(account)
        }
        None => {
            audit::record(&state.db, &email, "login.failure", &email, origin, None).await;
            Err(ServiceError::Unauthorized(WRONG.into()))
        }
    }
}

const WRONG: &str = "Wrong email or password.";
/// RFC 5321's limit on a forward path.
const MAX_EMAIL_LEN: usize = 254;

/// Changes a logged-in account's password. The current password is required and checked
/// under the same failure budget as a login (a stolen session cannot guess it at leisure);
/// the new password gets a new salt, so every session opened with the old one ends
/// ([`accounts::password_fingerprint`]). Audited as `password.change`.
pub async fn change_password(state: &AppState, actor: &Actor, current: &str, new: &str) -> ServiceResult<Account> {
    let account = &actor.account;
    passwords::validate(new).map_err(ServiceError::validation)?;
    confirm_password(state, actor, current, "password.change_failure").await?;
    let updated = accounts::set_password(&state.db, &state.keys, account.clone(), new).await?;
    actor.record(&state.db, "password.change", &account.id, None).await;
    Ok(updated)
}

/// Asks a logged-in account for its password again before something sensitive (changing the
/// password, revealing the webhook secret): checked under the same failure budget as a login,
/// so a stolen session cannot guess it at leisure (429 once the budget is spent). A wrong
/// password is audited as `failure_action` and answered 422 `wrong_password`.
pub async fn confirm_password(
    state: &AppState,
    actor: &Actor,
    password: &str,
    failure_action: &str,
) -> ServiceResult<()> {
    let account = &actor.account;
    match throttled_check(state, &account.email, password, &actor.origin).await? {
        Some(a) if a.id == account.id => Ok(()),
        _ => {
            actor.record(&state.db, failure_action, &account.id, None).await;
            Err(ServiceError::invalid(
                "wrong_password",
                "The current password is wrong.",
            ))
        }
    }
}

/// Checks a password under the failure budget. The email's slot is taken atomically
/// *before* the check (so 50 parallel guesses get exactly [`EMAIL_FAILURES`] checks, the
/// rest 429) and given back on success; the address's budget counts failures. While either
/// is full the answer is 429 without checking, so guesses during the cool-down learn
/// nothing, not even a correct password.
async fn throttled_check(
    state: &AppState,
    email: &str,
    password: &str,
    origin: &Origin,
) -> ServiceResult<Option<Account>> {
    let rules = rules(email, origin);
    let (email_rule, address_rule) = (&rules[0], rules.get(1));
    if let Some(rule) = address_rule {
        match state.limiter.peek(rule).await {
            Ok(s) if s.remaining == 0 => return Err(refuse(state, email, origin, s.reset_after).await),
            Ok(_) => {}
            // Fail open like the per-key limits: an outage of the limiter's store must not
            // lock every partner out. Argon2 still makes each guess expensive.
            Err(e) => tracing::warn!(error = %e, "rate limiter unavailable; login not throttled"),
        }
    }
    match state.limiter.acquire(std::slice::from_ref(email_rule)).await {
        Ok(d) if !d.allowed => return Err(refuse(state, email, origin, d.states[0].reset_after).await),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "rate limiter unavailable; login not throttled"),
    }
    let found = accounts::check_password(&state.db, email, password).await?;
    if found.is_some() {
        // Gives the slot back, and with it the failures of this email.
        let _ = state.limiter.clear(&email_rule.key).await;
    } else if let Some(rule) = address_rule {
        if let Err(e) = state.limiter.record(rule).await {
            tracing::warn!(error = %e, "rate limiter unavailable; failure not counted");
        }
    }
    Ok(found)
}

async fn refuse(state: &AppState, email: &str, origin: &Origin, wait: Duration) -> ServiceError {
    audit::record(&state.db, email, "login.throttled", email, origin, None).await;
    throttled(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cool_down_is_given_in_whole_minutes() {
        assert_eq!(
            throttled(Duration::from_secs(61)).to_string(),
            "Too many attempts, try again in 2 minutes."
        );
        assert_eq!(
            throttled(Duration::from_secs(5)).to_string(),
            "Too many attempts, try again in 1 minute."
        );
        assert!(throttled(Duration::ZERO).to_string().starts_with(THROTTLED_PREFIX));
    }
}
