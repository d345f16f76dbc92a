//! Scans started from the dashboard cost what the API's cost: the account's daily quota (the
//! count its keys share), a per-minute window of its own, the concurrent-scan cap, the same
//! cache (a fresh result is reused, a call rather than a scan), and a usage record under the
//! key id `dashboard`. Without this a script holding a session would scan without limit.

use std::time::Instant;

use chrono::Utc;

use super::{find_cached, prepare_repo, submit, Scan, Submitter};
use crate::server::{
    accounts::{self, usage::UsageEvent, Account},
    error::{ServiceError, ServiceResult},
    limiter::{call_rules, Rule, Window},
    state::AppState,
};

/// The key id the dashboard's calls are metered under.
pub const DASHBOARD_KEY_ID: &str = "dashboard";
const ROUTE: &str = "/dashboard/scans/start";

/// Starts (or reuses) a scan of `repo` for the logged-in `account`.
pub async fn start(state: &AppState, account: &Account, repo: &str) -> ServiceResult<Scan> {
    let started = Instant::now();
    let p = prepare_repo(repo.trim(), state.config.allow_private_targets)?;
    let target = p.target.clone();
    let limits = accounts::tier(account).limits();
    let rules = call_rules(format!("dashboard:{}:minute", account.id), &account.id, &limits);
    let outcome = match admit(state, &rules).await {
        Err(e) => Err(e),
        Ok(()) => match find_cached(&state.db, p.request.kind(), &p.target, state.config.scan_cache_ttl).await? {
            Some(fresh) => Ok((fresh, false)),
            None => {
                let who = Submitter {
                    account_id: Some(account.id.clone()),
                    key_id: None,
                    concurrent_limit: limits.concurrent_scans,
                };
                submit(state, p, who, None).await.map(|s| (s, true))
            }
        },
    };
    let status = match &outcome {
        Ok((_, true)) => 202,
        Ok((_, false)) => 200,
        Err(e) => e.status().as_u16(),
    };
    state.meter.record(UsageEvent {
        key_id: DASHBOARD_KEY_ID.into(),
        account_id: account.id.clone(),
        route: ROUTE.into(),
        method: "POST".into(),
        status,
        latency_ms: started.elapsed().as_millis().min(u32::MAX as u128) as u32,
        target: Some(target),
        is_scan: matches!(outcome, Ok((_, true))),
        at: Utc::now(),
    });
    outcome.map(|(s, _)| s)
}

async fn admit(state: &AppState, rules: &[Rule]) -> ServiceResult<()> {
    match state.limiter.acquire(rules).await {
        Ok(d) if !d.allowed => {
            let i = d.denied_by.unwrap_or(0);
            let wait = d.states.get(i).map_or(60, |s| s.reset_after.as_secs().max(1));
            let (code, message) = match rules[i].window {
                Window::UtcDay => (
                    "daily_quota_exceeded",
                    "The account's daily quota is used up; it resets at midnight UTC.",
                ),
                Window::Sliding(_) => ("rate_limited", "Too many scans this minute; wait a moment."),
            };
            Err(ServiceError::TooMany {
                code,
                message: message.into(),
                retry_after_secs: wait,
            })
        }
        Ok(_) => Ok(()),
        // As for keys: the limiter's store being down admits (logged), never locks out.
        Err(e) => {
            tracing::warn!(error = %e, "rate limiter unavailable; admitting a dashboard scan");
            Ok(())
        }
    }
}
