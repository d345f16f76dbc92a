//! Rate limiting behind one small interface, so the scale-out mode can keep its state in
//! Redis while a single machine keeps it in memory.
//!
//! Per-minute limits are a **sliding log**: the times of the admitted hits inside the window
//! are kept (at most `limit` of them), and a hit is admitted while fewer than `limit` are
//! younger than the window. Unlike fixed windows it never admits a double burst across a
//! window edge, unlike the sliding-window *counter* approximation it is exact, and with the
//! contract's limits (≤ 100 a minute) the log is small. Daily quotas are counters per UTC day.
//! Every decision happens under one lock (one Lua script in Redis), so concurrent calls can
//! never over-admit.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::{NaiveDate, Utc};

use super::error::ServiceError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Window {
    Sliding(Duration),
    /// Resets at 00:00 UTC.
    UtcDay,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub key: String,
    pub limit: u32,
    pub window: Window,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleState {
    pub limit: u32,
    pub remaining: u32,
    /// Time until the window frees a request (zero when it has room now and is empty).
    pub reset_after: Duration,
}

#[derive(Clone, Debug)]
pub struct Decision {
    pub allowed: bool,
    /// One state per rule, in the order given.
    pub states: Vec<RuleState>,
    /// The first rule without room, when refused.
    pub denied_by: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
#[error("rate limiter unavailable: {0}")]
pub struct LimiterError(pub String);

#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// Admits one hit if every rule has room, recording it in all of them; atomically.
    async fn acquire(&self, rules: &[Rule]) -> Result<Decision, LimiterError>;
    /// Records a hit whether or not there is room (e.g. a failed login attempt).
    async fn record(&self, rule: &Rule) -> Result<RuleState, LimiterError>;
    /// The state of a rule, recording nothing.
    async fn peek(&self, rule: &Rule) -> Result<RuleState, LimiterError>;
    /// Forgets a rule's hits (a successful login clears that email's failures). Best effort:
    /// a store that cannot forget keeps the hits until they age out of the window.
    async fn clear(&self, _key: &str) -> Result<(), LimiterError> {
        Ok(())
    }
}

/// The windows of a metered call: a per-minute window under `minute_key` (one per key, or the
/// dashboard's own) and the account's daily quota, shared by everything the account does. One
/// builder, so the API and the dashboard can never count differently.
pub fn call_rules(minute_key: String, account_id: &str, limits: &crate::server::accounts::tiers::Limits) -> Vec<Rule> {
    let mut rules = Vec::new();
    if let Some(m) = limits.per_minute {
        rules.push(Rule {
            key: minute_key,
            limit: m,
            window: Window::Sliding(Duration::from_secs(60)),
        });
    }
    if let Some(d) = limits.per_day {
        rules.push(Rule {
            key: account_day_key(account_id),
            limit: d,
            window: Window::UtcDay,
        });
    }
    rules
}

/// Asks the limiter to admit one metered call under `rules`. When its store is unreachable
/// the call is admitted: the documented policy is that limits fail open (partners keep
/// working), and the outage is logged and counted in `rate_limiter_errors_total`. One
/// function for the API's keys and the dashboard, so both fail the same way.
pub async fn admit(limiter: &dyn RateLimiter, rules: &[Rule]) -> Decision {
    fail_open(limiter.acquire(rules).await)
}

/// A limiter's answer, or, when its store is unreachable, admission (the documented policy:
/// partners keep working; the outage is logged and counted in `rate_limiter_errors_total`).
pub fn fail_open(decision: Result<Decision, LimiterError>) -> Decision {
    match decision {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "rate limiter unavailable; admitting");
            metrics::counter!("rate_limiter_errors_total").increment(1);
            Decision {
                allowed: true,
                states: Vec::new(),
                denied_by: None,
            }
        }
    }
}

/// The 429 a refused call answers, from the window that refused it: `daily_quota_exceeded`
/// or `rate_limited`, with the wait until that window frees a call (whole seconds, rounded
/// up, at least 1). `None` when the call was admitted. The API's key middleware and the
/// dashboard both answer with it, so a refusal reads the same wherever it happens.
pub fn refusal(rules: &[Rule], d: &Decision) -> Option<ServiceError> {
    if d.allowed {
        return None;
    }
    let i = d.denied_by.unwrap_or(0);
    let rule = rules.get(i)?;
    let retry_after_secs = d.states.get(i).map_or(60, |s| secs_ceil(s.reset_after)).max(1);
    let (code, message) = match rule.window {
        Window::UtcDay => (
            "daily_quota_exceeded",
            format!(
                "Daily quota of {} requests reached (shared by the account's keys and dashboard); it resets at 00:00 UTC.",
                rule.limit
            ),
        ),
        Window::Sliding(_) => (
            "rate_limited",
            format!(
                "Rate limit of {} requests per minute reached; retry in {retry_after_secs} s.",
                rule.limit
            ),
        ),
    };
    Some(ServiceError::TooMany {
        code,
        message,
        retry_after_secs,
    })
}

/// Whole seconds, rounded up: a `Retry-After` of the floor would send the caller back early.
pub fn secs_ceil(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The key of an account's daily quota: one count for all its keys, its dashboard and the
/// widget scans charged to it.
pub fn account_day_key(account_id: &str) -> String {
    format!("account:{account_id}:day")
}

/// The rule protecting a public endpoint per client address. One key format for the REST
/// API and the browser forms, so `/v1/auth/register` and `/signup` share one budget; IPv6
/// clients count per /64 (`proxies::limit_key`).
pub fn address_rule(scope: &str, ip: &str, limit: u32, window: Duration) -> Rule {
    let who = ip
        .parse()
        .map(super::proxies::limit_key)
        .unwrap_or_else(|_| ip.to_owned());
    Rule {
        key: format!("ip:{scope}:{who}"),
        limit,
        window: Window::Sliding(window),
    }
}

/// Admits one hit of `scope` from `ip`, or answers 429 with the wait. Fails open when the
/// limiter's store is unreachable (logged), like the per-key limits.
pub async fn limit_address(
    limiter: &dyn RateLimiter,
    scope: &str,
    ip: Option<&str>,
    limit: u32,
    window: Duration,
) -> Result<(), ServiceError> {
    let Some(ip) = ip else { return Ok(()) };
    let rule = address_rule(scope, ip, limit, window);
    match limiter.acquire(std::slice::from_ref(&rule)).await {
        Ok(d) if !d.allowed => {
            let retry = d.states[0].reset_after.as_secs().max(1);
            Err(ServiceError::TooMany {
                code: "rate_limited",
                message: format!("Too many requests from this address; retry in {retry} s."),
                retry_after_secs: retry,
            })
        }
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, scope, "rate limiter unavailable; admitting");
            Ok(())
        }
    }
}

enum Entry {
    Log(VecDeque<Instant>),
    Day { day: NaiveDate, count: u32 },
}

/// The in-process limiter: one mutex over a map. Operations take microseconds, so one lock
/// is simpler and as fast as sharding at this size.
#[derive(Default)]
pub struct MemoryLimiter {
    entries: Mutex<HashMap<String, Entry>>,
    calls: std::sync::atomic::AtomicU64,
}

/// Time left in the current UTC day (when daily quotas reset).
pub(crate) fn until_utc_midnight() -> Duration {
    let now = Utc::now();
    let tomorrow = (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    (tomorrow - now).to_std().unwrap_or_default()
}

impl MemoryLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(entry: Option<&mut Entry>, rule: &Rule, now: Instant) -> RuleState {
        match (&rule.window, entry) {
            (Window::Sliding(w), Some(Entry::Log(log))) => {
                while log.front().is_some_and(|t| now.duration_since(*t) >= *w) {
                    log.pop_front();
                }
                let used = log.len() as u32;
                let reset_after = log.front().map(|t| *w - now.duration_since(*t)).unwrap_or_default();
                RuleState {
                    limit: rule.limit,
                    remaining: rule.limit.saturating_sub(used),
                    reset_after,
                }
            }
            (Window::UtcDay, Some(Entry::Day { day, count })) => {
                let today = Utc::now().date_naive();
                let used = if *day == today { *count } else { 0 };
                RuleState {
                    limit: rule.limit,
                    remaining: rule.limit.saturating_sub(used),
                    reset_after: until_utc_midnight(),
                }
            }
            (Window::Sliding(_), _) => RuleState {
                limit: rule.limit,
                remaining: rule.limit,
                reset_after: Duration::ZERO,
            },
            (Window::UtcDay, _) => RuleState {
                limit: rule.limit,
                remaining: rule.limit,
                reset_after: until_utc_midnight(),
            },
        }
    }

    fn add(map: &mut HashMap<String, Entry>, rule: &Rule, now: Instant) {
        let today = Utc::now().date_naive();
        match rule.window {
            Window::Sliding(_) => {
                let e = map
                    .entry(rule.key.clone())
                    .or_insert_with(|| Entry::Log(VecDeque::new()));
                if let Entry::Log(log) = e {
                    log.push_back(now);
                    // `record` can push past the limit; the log never needs more than that.
                    while log.len() > rule.limit.max(1) as usize {
                        log.pop_front();
                    }
                }
            }
            Window::UtcDay => {
                let e = map
                    .entry(rule.key.clone())
                    .or_insert(Entry::Day { day: today, count: 0 });
                if let Entry::Day { day, count } = e {
                    if *day != today {
                        *day = today;
                        *count = 0;
                    }
                    *count += 1;
                }
            }
        }
    }

    /// Drops entries with nothing left in their window, now and then, to bound memory.
    fn maybe_sweep(&self, map: &mut HashMap<String, Entry>, now: Instant) {
        let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if !n.is_multiple_of(4096) {
            return;
        }
        let today = Utc::now().date_naive();
        map.retain(|_, e| match e {
            Entry::Log(log) => log
                .back()
                .is_some_and(|t| now.duration_since(*t) < Duration::from_secs(24 * 3600)),
            Entry::Day { day, .. } => *day == today,
        });
    }
}

#[async_trait::async_trait]
impl RateLimiter for MemoryLimiter {
    async fn acquire(&self, rules: &[Rule]) -> Result<Decision, LimiterError> {
        let now = Instant::now();
        let mut map = self.entries.lock().expect("limiter lock");
        self.maybe_sweep(&mut map, now);
        let mut states: Vec<RuleState> = rules.iter().map(|r| Self::state(map.get_mut(&r.key), r, now)).collect();
        let denied_by = states.iter().position(|s| s.remaining == 0);
        if denied_by.is_none() {
            for (rule, state) in rules.iter().zip(states.iter_mut()) {
                Self::add(&mut map, rule, now);
                *state = Self::state(map.get_mut(&rule.key), rule, now);
            }
        }
        Ok(Decision {
            allowed: denied_by.is_none(),
            states,
            denied_by,
        })
    }

    async fn record(&self, rule: &Rule) -> Result<RuleState, LimiterError> {
        let now = Instant::now();
        let mut map = self.entries.lock().expect("limiter lock");
        Self::add(&mut map, rule, now);
        Ok(Self::state(map.get_mut(&rule.key), rule, now))
    }

    async fn peek(&self, rule: &Rule) -> Result<RuleState, LimiterError> {
        let now = Instant::now();
        let mut map = self.entries.lock().expect("limiter lock");
        Ok(Self::state(map.get_mut(&rule.key), rule, now))
    }

    async fn clear(&self, key: &str) -> Result<(), LimiterError> {
        self.entries.lock().expect("limiter lock").remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn minute(key: &str, limit: u32) -> Rule {
        Rule {
            key: key.into(),
            limit,
            window: Window::Sliding(Duration::from_secs(60)),
        }
    }

    #[tokio::test]
    async fn admits_exactly_the_limit_under_concurrency() {
        let limiter = Arc::new(MemoryLimiter::new());
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let l = limiter.clone();
            tasks.push(tokio::spawn(async move {
                l.acquire(&[minute("k", 30)]).await.unwrap().allowed
            }));
        }
        let mut admitted = 0;
        for t in tasks {
            admitted += t.await.unwrap() as u32;
        }
        assert_eq!(admitted, 30);
    }

    #[tokio::test]
    async fn a_refused_rule_consumes_nothing_from_the_others() {
        let l = MemoryLimiter::new();
        let day = Rule {
            key: "d".into(),
            limit: 1,
            window: Window::UtcDay,
        };
        assert!(l.acquire(&[minute("m", 5), day.clone()]).await.unwrap().allowed);
        let d = l.acquire(&[minute("m", 5), day]).await.unwrap();
        assert!(!d.allowed);
        assert_eq!(d.denied_by, Some(1));
        assert_eq!(l.peek(&minute("m", 5)).await.unwrap().remaining, 4);
    }

    #[tokio::test]
    async fn sliding_window_frees_slots_as_hits_age() {
        let l = MemoryLimiter::new();
        let r = Rule {
            key: "s".into(),
            limit: 2,
            window: Window::Sliding(Duration::from_millis(150)),
        };
        assert!(l.acquire(std::slice::from_ref(&r)).await.unwrap().allowed);
        assert!(l.acquire(std::slice::from_ref(&r)).await.unwrap().allowed);
        let refused = l.acquire(std::slice::from_ref(&r)).await.unwrap();
        assert!(!refused.allowed);
        assert!(refused.states[0].reset_after <= Duration::from_millis(150));
        tokio::time::sleep(Duration::from_millis(160)).await;
        assert!(l.acquire(std::slice::from_ref(&r)).await.unwrap().allowed);
    }

    #[tokio::test]
    async fn record_counts_failures_beyond_room() {
        let l = MemoryLimiter::new();
        let r = minute("login", 3);
        for _ in 0..5 {
            l.record(&r).await.unwrap();
        }
        assert_eq!(l.peek(&r).await.unwrap().remaining, 0);
        l.clear(&r.key).await.unwrap();
        assert_eq!(l.peek(&r).await.unwrap().remaining, 3);
    }
}
