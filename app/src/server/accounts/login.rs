//! Password login with throttling and auditing, for the browser's `/login`.
//!
//! Failures are counted per email (5 in 15 minutes) and per client address (20 in 15
//! minutes) in the shared [`RateLimiter`](crate::server::limiter::RateLimiter), so every web instance
//! sees the same counts once the limiter lives in Redis. While either count is full the login
//! is refused with 429 *before* the password is checked, so guesses during the cool-down
//! learn nothing, not even a correct password. A success clears that email's failures.

use std::time::Duration;

use crate::server::{
    accounts::{self, Account},
    audit::{self, Origin},
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
    let rules = rules(&email, origin);
    for rule in &rules {
        match state.limiter.peek(rule).await {
            Ok(s) if s.remaining == 0 => {
                audit::record(&state.db, &email, "login.throttled", &email, origin, None).await;
                return Err(throttled(s.reset_after));
            }
            Ok(_) => {}
            // Fail open like the per-key limits: an outage of the limiter's store must not
            // lock every partner out. Argon2 still makes each guess expensive.
            Err(e) => tracing::warn!(error = %e, "rate limiter unavailable; login not throttled"),
        }
    }
    match accounts::check_password(&state.db, &email, password).await? {
        Some(account) if accounts::is_suspended(&account) => {
            audit::record(&state.db, &account.email, "login.suspended", &account.id, origin, None).await;
            Err(ServiceError::Forbidden("This account is suspended.".into()))
        }
        Some(account) => {
            let _ = state.limiter.clear(&rules[0].key).await;
            audit::record(&state.db, &account.email, "login.success", &account.id, origin, None).await;
            Ok(account)
        }
        None => {
            for rule in &rules {
                if let Err(e) = state.limiter.record(rule).await {
                    tracing::warn!(error = %e, "rate limiter unavailable; failure not counted");
                }
            }
            audit::record(&state.db, &email, "login.failure", &email, origin, None).await;
            Err(ServiceError::Unauthorized("Wrong email or password.".into()))
        }
    }
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
