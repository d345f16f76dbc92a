//! Scans started from the dashboard cost what the API's cost: one dashboard call
//! ([`dashboard_calls::charge`]: the account's daily quota, the dashboard's per-minute window,
//! a usage record under the key id `dashboard`), the concurrent-scan cap, and the same cache
//! (a fresh result is reused: a call rather than a scan). Without this a script holding a
//! session would scan without limit.

use super::{find_cached, prepare_repo, submit, Scan, Submitter};
use crate::server::{
    accounts::{
        self,
        dashboard_calls::{self, Answered},
        Account,
    },
    error::ServiceResult,
    state::AppState,
};

const ROUTE: &str = "/dashboard/scans/start";

/// Starts (or reuses) a scan of `repo` for the logged-in `account`.
pub async fn start(state: &AppState, account: &Account, repo: &str) -> ServiceResult<Scan> {
    let p = prepare_repo(repo.trim(), state.config.allow_private_targets)?;
    let target = p.target.clone();
    let concurrent_limit = accounts::tier(account).limits().concurrent_scans;
    let run = async {
        match find_cached(&state.db, p.request.kind(), &p.target, state.config.scan_cache_ttl).await? {
            Some(fresh) => Ok((fresh, false)),
            None => {
                let who = Submitter {
                    account_id: Some(account.id.clone()),
                    key_id: None,
                    concurrent_limit,
                };
                submit(state, p, who, None).await.map(|s| (s, true))
            }
        }
    };
    let (scan, _) = dashboard_calls::charge(state, account, ROUTE, Some(target), run, |(_, started)| Answered {
        status: if *started { 202 } else { 200 },
        is_scan: *started,
    })
    .await?;
    Ok(scan)
}
