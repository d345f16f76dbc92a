//! "A fresh result or a scan already running, else start one": the rule of the surfaces that
//! show a repository's scan to anyone, without a key (badges, the embeddable widget). Reusing
//! costs nothing, so it comes first; whether a new scan may start (and on whose quota) is the
//! caller's own rule, asked only when one would.

use std::future::Future;

use std::time::Duration;

use super::{find_cached, find_in_flight, prepare_repo, submit, Prepared, Scan, Submitter};
use crate::server::{error::ServiceResult, limiter, state::AppState};

/// New scans one address may start an hour from the landing page's scan box (reusing a fresh
/// or running scan is free and unlimited).
pub const PUBLIC_SCANS_PER_ADDRESS_HOUR: u32 = 10;

/// What [`find_or_start`] found or did.
pub enum Reused<R> {
    /// A completed scan of the target younger than the cache TTL.
    Fresh(Scan),
    /// A scan of the target still queued or running, whoever started it.
    Running(Scan),
    /// A scan queued by this call (the workers are woken).
    Started(Scan),
    /// The caller's `admit` refused to start one; its answer.
    Refused(R),
}

/// Reuses a fresh or in-flight scan of `p`'s target; otherwise asks `admit` whether a scan
/// may start and for whom (`Err(answer)` refuses), and starts it.
pub async fn find_or_start<R, F, Fut>(state: &AppState, p: Prepared, admit: F) -> ServiceResult<Reused<R>>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ServiceResult<Result<Submitter, R>>>,
{
    let kind = p.request.kind();
    if let Some(s) = find_cached(&state.db, kind, &p.target, state.config.scan_cache_ttl).await? {
        return Ok(Reused::Fresh(s));
    }
    if let Some(s) = find_in_flight(&state.db, kind, &p.target).await? {
        return Ok(Reused::Running(s));
    }
    match admit().await? {
        Ok(who) => Ok(Reused::Started(submit(state, p, who, None).await?)),
        Err(answer) => Ok(Reused::Refused(answer)),
    }
}

/// The landing page's scan box: anyone, no account. The repository's fresh or running scan
/// when there is one, else a new scan within the address's hourly budget (429 beyond it).
/// Returns the scan whose report page the visitor follows.
pub async fn scan_for_visitor(state: &AppState, repo: &str, ip: Option<&str>) -> ServiceResult<Scan> {
    let p = prepare_repo(repo.trim(), state.config.allow_private_targets)?;
    // Over budget is the caller's error (429), so this admit never answers for itself.
    let admit = || async {
        let window = Duration::from_secs(3600);
        limiter::limit_address(
            &*state.limiter,
            "public-scan",
            ip,
            PUBLIC_SCANS_PER_ADDRESS_HOUR,
            window,
        )
        .await?;
        Ok(Ok::<_, std::convert::Infallible>(Submitter::default()))
    };
    match find_or_start(state, p, admit).await? {
        Reused::Fresh(s) | Reused::Running(s) | Reused::Started(s) => Ok(s),
        Reused::Refused(never) => match never {},
    }
}
