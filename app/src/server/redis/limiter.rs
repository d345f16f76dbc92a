//! The rate limiter on Redis: the same sliding log and UTC-day counters as the in-process
//! limiter, decided by one Lua script per request (one round trip, atomic across every
//! instance, on Redis' clock).

use std::time::Duration;

use chrono::Utc;
use redis::Script;

use super::Redis;
use crate::server::limiter::{Decision, LimiterError, RateLimiter, Rule, RuleState, Window};

/// KEYS: one per rule. ARGV: mode (`acquire`, `record`, `peek`), a per-call nonce, then per
/// rule: kind (`s` sliding, `d` day), limit, and window in ms (for a day: ms until midnight).
/// Returns the 1-based index of the first rule without room (0: admitted), then per rule the
/// hits in its window and the ms until the window frees one.
const SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode, nonce = ARGV[1], ARGV[2]
local function spec(i)
  local b = 2 + (i - 1) * 3
  return ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
end
local function state(i)
  local kind, limit, window = spec(i)
  if kind == 's' then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    local used = redis.call('ZCARD', KEYS[i])
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local reset = 0
    if oldest[2] then reset = tonumber(oldest[2]) + window - now end
    return used, reset
  end
  return tonumber(redis.call('GET', KEYS[i]) or '0'), window
end
local denied = 0
for i = 1, #KEYS do
  local _, limit = spec(i)
  local used = state(i)
  if used >= limit and denied == 0 then denied = i end
end
if mode == 'record' or (mode == 'acquire' and denied == 0) then
  for i = 1, #KEYS do
    local kind, limit, window = spec(i)
    if kind == 's' then
      redis.call('ZADD', KEYS[i], now, now .. ':' .. nonce .. ':' .. i)
      -- The log never needs more than `limit` entries.
      redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(math.max(limit, 1) + 1))
      redis.call('PEXPIRE', KEYS[i], window)
    else
      redis.call('INCR', KEYS[i])
      redis.call('PEXPIRE', KEYS[i], window + 60000)
    end
  end
end
local out = {denied}
for i = 1, #KEYS do
  local used, reset = state(i)
  table.insert(out, used)
  table.insert(out, reset)
end
return out
"#;

pub struct RedisLimiter {
    redis: Redis,
    script: Script,
}

impl RedisLimiter {
    pub fn new(redis: Redis) -> Self {
        Self {
            redis,
            script: Script::new(SCRIPT),
        }
    }

    async fn run(&self, mode: &str, rules: &[Rule]) -> Result<(usize, Vec<RuleState>), LimiterError> {
        let mut conn = self
            .redis
            .conn()
            .ok_or_else(|| LimiterError("Redis is not connected".into()))?;
        let day = Utc::now().format("%Y-%m-%d").to_string();
        let until_midnight = (crate::server::limiter::until_utc_midnight().as_millis() as u64).max(1);
        let mut inv = self.script.prepare_invoke();
        inv.arg(mode).arg(crate::server::crypto::random_id());
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
        let out: Vec<i64> = inv
            .invoke_async(&mut conn)
            .await
            .map_err(|e| LimiterError(e.to_string()))?;
        if out.len() != 1 + 2 * rules.len() {
            return Err(LimiterError(format!(
                "unexpected limiter reply of {} values",
                out.len()
            )));
        }
        let states = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let used = out[1 + 2 * i].max(0) as u32;
                let reset = Duration::from_millis(out[2 + 2 * i].max(0) as u64);
                RuleState {
                    limit: r.limit,
                    remaining: r.limit.saturating_sub(used),
                    reset_after: reset,
                }
            })
            .collect();
        Ok((out[0].max(0) as usize, states))
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
        let (denied, states) = self.run("acquire", rules).await?;
        Ok(Decision {
            allowed: denied == 0,
            states,
            denied_by: denied.checked_sub(1),
        })
    }

    async fn record(&self, rule: &Rule) -> Result<RuleState, LimiterError> {
        Ok(self.run("record", std::slice::from_ref(rule)).await?.1.remove(0))
    }

    async fn peek(&self, rule: &Rule) -> Result<RuleState, LimiterError> {
        Ok(self.run("peek", std::slice::from_ref(rule)).await?.1.remove(0))
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
