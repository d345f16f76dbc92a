//! Dashboard actions that cost something — scans, key creation, a webhook's test event,
//! redelivery, replay — cost what the same call costs through the API: admission under the
//! account's rules (its daily quota, the one count its API keys share, and a per-minute
//! window of the dashboard's own: it has no key, so the window is one per account) and a
//! usage record under the key id `dashboard`. Without this a script holding a session would
//! get calls the account's keys cannot, and the usage page would not show them.
//!
//! One function ([`charge`]) does it for every such action, so they cannot count
//! differently: the rules come from [`limiter::call_rules`] and a refusal is
//! [`limiter::refusal`]'s, the builder and the 429 the API's key middleware uses too.

use std::{future::Future, time::Instant};

use chrono::Utc;

use super::{tier, usage::UsageEvent, Account};
use crate::server::{error::ServiceResult, limiter, state::AppState};

/// The key id the dashboard's calls are metered under.
pub const DASHBOARD_KEY_ID: &str = "dashboard";

/// The limiter key of an account's dashboard per-minute window.
pub fn minute_key(account_id: &str) -> String {
    format!("dashboard:{account_id}:minute")
}

/// What the meter records of an action that succeeded.
pub struct Answered {
    /// The status the API would have answered (201 created, 202 queued, 200 reused).
    pub status: u16,
    /// A new scan was started (the usage page's scan count and top repositories).
    pub is_scan: bool,
}

impl Answered {
    pub fn status(status: u16) -> Self {
        Answered { status, is_scan: false }
    }
}

/// Runs `action` as one metered dashboard call of `account` on `route` (the usage record's
/// route, e.g. `/dashboard/keys/create`), about `target` when there is one. The action runs
/// only when the limiter admits the call; a refused call answers the limiter's 429
/// (`rate_limited` or `daily_quota_exceeded`, with its wait), which the page shows. Either
/// way the call is metered, with its status: `answered` tells a success's.
pub async fn charge<T>(
    state: &AppState,
    account: &Account,
    route: &str,
    target: Option<String>,
    action: impl Future<Output = ServiceResult<T>>,
    answered: impl FnOnce(&T) -> Answered,
) -> ServiceResult<T> {
    let started = Instant::now();
    let rules = limiter::call_rules(minute_key(&account.id), &account.id, &tier(account).limits());
    let decision = limiter::admit(state.limiter.as_ref(), &rules).await;
    let outcome = match limiter::refusal(&rules, &decision) {
        Some(refused) => Err(refused),
        None => action.await,
    };
    let (status, is_scan) = match &outcome {
        Ok(v) => {
            let a = answered(v);
            (a.status, a.is_scan)
        }
        Err(e) => (e.status().as_u16(), false),
    };
    state.meter.record(UsageEvent {
        key_id: DASHBOARD_KEY_ID.into(),
        account_id: account.id.clone(),
        route: route.into(),
        method: "POST".into(),
        status,
        latency_ms: started.elapsed().as_millis().min(u32::MAX as u128) as u32,
        target,
        is_scan,
        at: Utc::now(),
    });
    outcome
}
