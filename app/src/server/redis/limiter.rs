//! The rate limiter on Redis: the same sliding log and UTC-day counters as the in-process
//! limiter, decided by one Lua script per request (one round trip, atomic across every
//! instance, on Redis' clock).

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use chrono::Utc;
use redis::Script;

use super::Redis;
use crate::server::{
    accounts::key_cache::{EpochGate, Gate},
    limiter::{Decision, LimiterError, RateLimiter, Rule, RuleState, Window},
};

/// KEYS: the verified-key caches' epoch, then one per rule. ARGV: mode (`acquire`, `record`,
/// `peek`), a per-call nonce, the epoch the caller's key cache was filled under (empty: none
/// expected), then per rule: kind (`s` sliding, `d` day), limit, and window in ms (for a day:
/// ms until midnight).
/// Returns the 1-based index of the first rule without room (0: admitted; -1: the epoch is
/// not the expected one and nothing was recorded), the epoch, then per rule the hits in its
/// window and the ms until the window frees one.
const SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode, nonce, expected = ARGV[1], ARGV[2], ARGV[3]
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  -- Created from the clock (microseconds), so a Redis that lost its data never repeats an
  -- epoch a cache was filled under.
  epoch = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('SET', KEYS[1], epoch, 'NX')
  epoch = redis.call('GET', KEYS[1])
end
if expected ~= '' and expected ~= epoch then
  return {-1, tonumber(epoch)}
end
local function spec(i)
  local b = 3 + (i - 1) * 3
  return ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
end
local function state(i)
  local key = KEYS[i + 1]
  local kind, limit, window = spec(i)
  if kind == 's' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local used = redis.call('ZCARD', key)
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local reset = 0
    if oldest[2] then reset = tonumber(oldest[2]) + window - now end
    return used, reset
  end
  return tonumber(redis.call('GET', key) or '0'), window
end
local rules = #KEYS - 1
local denied = 0
for i = 1, rules do
  local _, limit = spec(i)
  local used = state(i)
  if used >= limit and denied == 0 then denied = i end
end
if mode == 'record' or (mode == 'acquire' and denied == 0) then
  for i = 1, rules do
    local key = KEYS[i + 1]
    local kind, limit, window = spec(i)
    if kind == 's' then
      redis.call('ZADD', key, now, now .. ':' .. nonce .. ':' .. i)
      -- The log never needs more than `limit` entries.
      redis.call('ZREMRANGEBYRANK', key, 0, -(math.max(limit, 1) + 1))
      redis.call('PEXPIRE', key, window)
    else
      redis.call('INCR', key)
      redis.call('PEXPIRE', key, window + 60000)
    end
  end
end
local out = {denied, tonumber(epoch)}
for i = 1, rules do
  local used, reset = state(i)
  table.insert(out, used)
  table.insert(out, reset)
end
return out
"#;

/// Moves the epoch on (creating it from the clock first when missing, as [`SCRIPT`] does).
const BUMP: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], t[1] .. string.format('%06d', tonumber(t[2])))
end
return redis.call('INCR', KEYS[1])
"#;

/// The verified-key caches' epoch (see `accounts::key_cache`).
const EPOCH_KEY: &str = "aura:keys:epoch";

/// Scripts in flight per instance: as many as the database pool has connections, the pace
/// the per-call database read set before verified keys were cached. A burst beyond it waits
/// for a turn here rather than queueing on the one multiplexed connection, where the calls at
/// the back would outlive the response timeout and fail open (admitting beyond the limit).
const IN_FLIGHT: usize = 16;

/// Longest a call waits for its turn before failing open (the database pool's acquire timeout).
const TURN_WAIT: Duration = Duration::from_secs(5);

pub struct RedisLimiter {
    redis: Redis,
    script: Script,
    bump: Script,
    turns: tokio::sync::Semaphore,
    /// The last call timed out: Redis is not answering, so calls do not queue for a turn
    /// behind it (each would wait for the timeouts ahead of it); the free turns probe it, and
    /// the first answer clears this.
    stalled: AtomicBool,
}

/// What one run of [`SCRIPT`] answered.
struct Reply {
    /// 1-based index of the refusing rule, 0 when admitted; `None`: the epoch was not the
    /// expected one.
    denied: Option<usize>,
    epoch: u64,
    states: Vec<RuleState>,
}

impl RedisLimiter {
    pub fn new(redis: Redis) -> Self {
        Self {
            redis,
            script: Script::new(SCRIPT),
            bump: Script::new(BUMP),
            turns: tokio::sync::Semaphore::new(IN_FLIGHT),
            stalled: AtomicBool::new(false),
        }
    }

    async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, LimiterError> {
        if self.stalled.load(Ordering::Relaxed) {
            return self
                .turns
                .try_acquire()
                .map_err(|_| LimiterError("Redis is not answering".into()));
        }
        tokio::time::timeout(TURN_WAIT, self.turns.acquire())
            .await
            .map_err(|_| LimiterError("no turn for the rate limiter within 5 s".into()))?
            .map_err(|e| LimiterError(e.to_string()))
    }

    async fn run(&self, mode: &str, rules: &[Rule], expected: Option<u64>) -> Result<Reply, LimiterError> {
        let mut conn = self
            .redis
            .conn()
            .ok_or_else(|| LimiterError("Redis is not connected".into()))?;
        let day = Utc::now().format("%Y-%m-%d").to_string();
        let until_midnight = (crate::server::limiter::until_utc_midnight().as_millis() as u64).max(1);
        let mut inv = self.script.prepare_invoke();
        inv.key(EPOCH_KEY)
            .arg(mode)
            .arg(crate::server::crypto::random_id())
            .arg(expected.map(|e| e.to_string()).unwrap_or_default());
        for r in rules {
            match r.window {
                Window::Sliding(w) => {
                    inv.key(format!("aura:rl:{}", r.key))
                        .arg("s")
                        .arg(r.limit)
                        .arg(w.as_millis().max(1) as u64);
                }
                Window::UtcDay => {
                    inv.key(format!("aura:rl:{}:{day}", r.key))
                        .arg("d")
                        .arg(r.limit)
                        .arg(until_midnight);
                }
            }
        }
        let turn = self.turn().await?;
        let out: Result<Vec<i64>, _> = inv.invoke_async(&mut conn).await;
        drop(turn);
        self.stalled
            .store(out.as_ref().is_err_and(|e| e.is_timeout()), Ordering::Relaxed);
        let out = out.map_err(|e| LimiterError(e.to_string()))?;
        let unexpected = || LimiterError(format!("unexpected limiter reply of {} values", out.len()));
        if out.len() < 2 {
            return Err(unexpected());
        }
        let epoch = out[1] as u64;
        if out[0] < 0 {
            return Ok(Reply {
                denied: None,
                epoch,
                states: Vec::new(),
            });
        }
        if out.len() != 2 + 2 * rules.len() {
            return Err(unexpected());
        }
        let states = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let used = out[2 + 2 * i].max(0) as u32;
                let reset = Duration::from_millis(out[3 + 2 * i].max(0) as u64);
                RuleState {
                    limit: r.limit,
                    remaining: r.limit.saturating_sub(used),
                    reset_after: reset,
                }
            })
            .collect();
        Ok(Reply {
            denied: Some(out[0] as usize),
            epoch,
            states,
        })
    }

    fn decision(reply: Reply) -> Decision {
        let denied = reply.denied.unwrap_or(0);
        Decision {
            allowed: denied == 0,
            states: reply.states,
            denied_by: denied.checked_sub(1),
        }
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisLimiter {
    async fn acquire(&self, rules: &[Rule]) -> Result<Decision, LimiterError> {
        if rules.is_empty() {
            return Ok(Decision {
                allowed: true,
                states: Vec::new(),
                denied_by: None,
            });
        }
        Ok(Self::decision(self.run("acquire", rules, None).await?))
    }

    async fn record(&self, rule: &Rule) -> Result<RuleState, LimiterError> {
        Ok(self
            .run("record", std::slice::from_ref(rule), None)
            .await?
            .states
            .remove(0))
    }

    async fn peek(&self, rule: &Rule) -> Result<RuleState, LimiterError> {
        Ok(self
            .run("peek", std::slice::from_ref(rule), None)
            .await?
            .states
            .remove(0))
    }

    async fn clear(&self, key: &str) -> Result<(), LimiterError> {
        let mut conn = self
            .redis
            .conn()
            .ok_or_else(|| LimiterError("Redis is not connected".into()))?;
        let day = Utc::now().format("%Y-%m-%d");
        redis::cmd("DEL")
            .arg(format!("aura:rl:{key}"))
            .arg(format!("aura:rl:{key}:{day}"))
            .query_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| LimiterError(e.to_string()))
    }
}

/// The epoch travels with the limiter's decision: the script a limited call runs anyway also
/// compares and returns it, and a call with no limits runs it with no rules.
#[async_trait::async_trait]
impl EpochGate for RedisLimiter {
    async fn admit(&self, rules: &[Rule], expected: Option<u64>) -> Result<Gate, LimiterError> {
        let reply = self.run("acquire", rules, expected).await?;
        let epoch = reply.epoch;
        Ok(match reply.denied {
            None => Gate::Stale { epoch },
            Some(_) => Gate::Decided {
                decision: Self::decision(reply),
                epoch,
            },
        })
    }

    async fn bump(&self) -> Result<(), LimiterError> {
        let mut conn = self
            .redis
            .conn()
            .ok_or_else(|| LimiterError("Redis is not connected".into()))?;
        self.bump
            .key(EPOCH_KEY)
            .invoke_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| LimiterError(e.to_string()))
    }
}
