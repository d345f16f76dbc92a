//! Delivery workers: claim a delivery job, sign the stored body with the account's current
//! secret(s), POST it, log the attempt, and schedule the next one or give up.
//!
//! Outbound safety: the URL is checked again before every attempt (a clear, logged refusal
//! when it now resolves to a private address), the client's resolver refuses such addresses
//! at connect time too (so a DNS rebinding between check and connect gains nothing),
//! redirects are not followed, and connect/total timeouts bound every attempt.

use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::{header::HeaderValue, redirect::Policy};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use tokio::{sync::watch, task::JoinHandle};

use super::{deliveries::Delivery, signing};
use crate::server::{
    accounts, audit,
    entities::{delivery, delivery_attempt, webhook},
    jobs::{self, Job, JobKind},
    outbound,
    state::AppState,
};
use crate::status::DeliveryStatus;

const LEASE: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_secs(1);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest `Retry-After` we honour; a receiver cannot park a delivery for days.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
const ERROR_SNIPPET: usize = 256;

pub fn client(allow_private: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .dns_resolver(std::sync::Arc::new(aura_engine::netguard::GuardedResolver {
            allow_private,
        }))
        .redirect(Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TOTAL_TIMEOUT)
        .user_agent(concat!("AuraSecurity-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("webhook HTTP client")
}

pub fn spawn_delivery_workers(state: &AppState, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let claimer = jobs::Claimer::new(JobKind::Delivery, state.config.delivery_workers);
    let http = client(state.config.allow_private_targets);
    (0..state.config.delivery_workers)
        .map(|i| {
            let w = Worker {
                state: state.clone(),
                id: claimer.worker_id(i),
                claimer: claimer.clone(),
                http: http.clone(),
            };
            tokio::spawn(w.run(shutdown.clone()))
        })
        .collect()
}

struct Worker {
    state: AppState,
    id: String,
    claimer: jobs::Claimer,
    http: reqwest::Client,
}

/// What one attempt came to.
#[derive(Debug, Default)]
struct Sent {
    status: Option<u16>,
    error: Option<String>,
    guard_refused: bool,
    retry_after: Option<Duration>,
}

impl Sent {
    fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

impl Worker {
    async fn run(self, shutdown: watch::Receiver<bool>) {
        // A delivery takes at most TOTAL_TIMEOUT, so at shutdown the current one is simply
        // finished; nothing is released half-done.
        let this = &self;
        jobs::work(&self.state, &self.claimer, &self.id, LEASE, POLL, shutdown, move |job| async move {
            if let Err(e) = this.run_job(&job).await {
                tracing::warn!(job = job.id, error = %e, "delivery bookkeeping failed; the job runs again after its lease");
            }
        })
        .await;
    }

    #[tracing::instrument(name = "delivery_job", skip_all, fields(delivery_id = %job.ref_id, job_id = job.id, attempt = job.attempts))]
    async fn run_job(&self, job: &Job) -> Result<(), sea_orm::DbErr> {
        let db = &self.state.db;
        let Some(d) = delivery::Entity::find_by_id(job.ref_id.clone()).one(db).await? else {
            jobs::finish_failed(db, job, false, "delivery record missing").await?;
            return Ok(());
        };
        if d.status == DeliveryStatus::Sent {
            jobs::complete(db, job).await?;
            return Ok(());
        }
        let hook = match &d.webhook_id {
            Some(id) => webhook::Entity::find_by_id(id.clone()).one(db).await?,
            None => None,
        };
        if d.webhook_id.is_some() && hook.as_ref().is_none_or(|h| h.disabled_at.is_some()) {
            let why = if hook.is_none() {
                "Not sent: the endpoint was deleted."
            } else {
                "Not sent: the endpoint is disabled."
            };
            self.settle(job, d, why, false).await?;
            return Ok(());
        }

        let started = Instant::now();
        let sent = self.send(&d).await;
        let latency = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        metrics::counter!("webhook_attempts_total", "ok" => if sent.ok() { "true" } else { "false" }).increment(1);
        let attempt = d.attempts + 1;
        delivery_attempt::ActiveModel {
            delivery_id: Set(d.id.clone()),
            attempt: Set(attempt),
            status_code: Set(sent.status.map(|s| s as i16)),
            error: Set(sent.error.clone()),
            guard_refused: Set(sent.guard_refused),
            latency_ms: Set(latency),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;

        let mut am: delivery::ActiveModel = d.clone().into();
        am.attempts = Set(attempt);
        am.last_status_code = Set(sent.status.map(|s| s as i16));
        am.last_error = Set(sent.error.clone());
        am.updated_at = Set(Utc::now());

        if sent.ok() {
            am.status = Set(DeliveryStatus::Sent);
            am.update(db).await?;
            jobs::complete(db, job).await?;
            if let Some(h) = hook.filter(|h| h.failing_since.is_some()) {
                let mut hm: webhook::ActiveModel = h.into();
                hm.failing_since = Set(None);
                hm.update(db).await?;
            }
            return Ok(());
        }

        if job.attempts < job.max_attempts {
            let delays = &self.state.config.webhook_retry_delays;
            let base = delays
                .get(job.attempts as usize - 1)
                .or(delays.last())
                .copied()
                .unwrap_or(Duration::ZERO);
            let delay = with_jitter(base).max(sent.retry_after.map(|r| r.min(MAX_RETRY_AFTER)).unwrap_or_default());
            am.update(db).await?;
            jobs::retry(db, job, delay, sent.error.as_deref().unwrap_or("failed")).await?;
        } else {
            let d = am.update(db).await?;
            let error = sent.error.clone().unwrap_or_default();
            self.settle(job, d, &error, true).await?;
        }
        if let Some(h) = hook {
            self.note_failure(h, d.created_at).await?;
        }
        Ok(())
    }

    /// Ends a delivery as failed; `attempted`: the error is already on the row.
    async fn settle(&self, job: &Job, d: Delivery, error: &str, attempted: bool) -> Result<(), sea_orm::DbErr> {
        let mut am: delivery::ActiveModel = d.into();
        am.status = Set(DeliveryStatus::Failed);
        if !attempted {
            am.last_error = Set(Some(error.to_owned()));
        }
        am.updated_at = Set(Utc::now());
        am.update(&self.state.db).await?;
        jobs::finish_failed(&self.state.db, job, false, error).await?;
        Ok(())
    }

    /// Endpoint health: an endpoint failing continuously for the configured time is disabled,
    /// with the reason shown to the partner and written to the audit log.
    /// `queued_at`: when the failed delivery was queued, the start of a new failing run (so
    /// replaying "since the endpoint started failing" includes it).
    async fn note_failure(&self, h: webhook::Model, queued_at: chrono::DateTime<Utc>) -> Result<(), sea_orm::DbErr> {
        let now = Utc::now();
        let since = h.failing_since.unwrap_or(queued_at);
        let limit =
            chrono::Duration::from_std(self.state.config.webhook_disable_after).unwrap_or(chrono::Duration::MAX);
        let disable = h.disabled_at.is_none() && now - since >= limit;
        let (id, account_id, url) = (h.id.clone(), h.account_id.clone(), h.url.clone());
        let mut hm: webhook::ActiveModel = h.into();
        hm.failing_since = Set(Some(since));
        if disable {
            let reason = format!(
                "Disabled automatically: every delivery since {} failed. Fix the endpoint, then re-enable it and replay what it missed.",
                since.format("%Y-%m-%d %H:%M UTC")
            );
            hm.disabled_at = Set(Some(now));
            hm.disabled_reason = Set(Some(reason.clone()));
            hm.update(&self.state.db).await?;
            tracing::warn!(webhook = %id, "webhook endpoint disabled after continuous failures");
            let actor = accounts::get(&self.state.db, &account_id)
                .await
                .map(|a| a.email)
                .unwrap_or(account_id);
            audit::record(
                &self.state.db,
                "system",
                "webhook.disabled",
                &format!("{actor} {url}"),
                &audit::Origin::default(),
                Some(serde_json::json!({"webhook_id": id, "reason": reason})),
            )
            .await;
        } else {
            hm.update(&self.state.db).await?;
        }
        Ok(())
    }

    async fn send(&self, d: &Delivery) -> Sent {
        let allow_private = self.state.config.allow_private_targets;
        if let Err(e) = outbound::validate(&d.url, allow_private).await {
            return Sent {
                error: Some(format!("Refused by our SSRF guard: {}", e.public_message())),
                guard_refused: true,
                ..Default::default()
            };
        }
        let secrets = match accounts::get(&self.state.db, &d.account_id)
            .await
            .and_then(|a| accounts::webhook_secrets(&self.state.config, &a))
        {
            Ok(s) => s,
            Err(e) => {
                return Sent {
                    error: Some(format!("Cannot sign: {}", e.public_message())),
                    ..Default::default()
                }
            }
        };
        let ts = Utc::now().timestamp();
        let sig = signing::sign(&secrets, &d.id, ts, d.payload.as_bytes());
        let header = |v: &str| HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static(""));
        let req = self
            .http
            .post(&d.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-AuraSecurity-Signature", header(&sig.aura))
            .header("X-AuraSecurity-Event", header(&d.event))
            .header("X-AuraSecurity-Delivery", header(&d.id))
            .header("X-AuraSecurity-Timestamp", ts)
            .header("webhook-id", header(&d.id))
            .header("webhook-timestamp", ts)
            .header("webhook-signature", header(&sig.standard))
            .body(d.payload.clone());
        match req.send().await {
            Ok(mut res) => {
                let status = res.status().as_u16();
                let retry_after = res
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let error = if (200..300).contains(&status) {
                    None
                } else {
                    // A little of the receiver's answer helps the partner debug; never more.
                    let snippet = match tokio::time::timeout(Duration::from_secs(2), res.chunk()).await {
                        Ok(Ok(Some(b))) => String::from_utf8_lossy(&b[..b.len().min(ERROR_SNIPPET)])
                            .trim()
                            .to_string(),
                        _ => String::new(),
                    };
                    Some(if snippet.is_empty() {
                        format!("HTTP {status}")
                    } else {
                        format!("HTTP {status}: {snippet}")
                    })
                };
                Sent {
                    status: Some(status),
                    error,
                    guard_refused: false,
                    retry_after,
                }
            }
            Err(e) => {
                let what = if e.is_timeout() {
                    "timed out".to_string()
                } else if e.is_connect() {
                    format!("connection failed: {}", root_cause(&e))
                } else {
                    root_cause(&e)
                };
                let guard = what.contains("non-public address");
                Sent {
                    error: Some(if guard {
                        format!("Refused by our SSRF guard: {what}")
                    } else {
                        what
                    }),
                    guard_refused: guard,
                    ..Default::default()
                }
            }
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Up to +10 %, so endpoints that fail together are not retried in lockstep.
fn with_jitter(d: Duration) -> Duration {
    let r = u16::from_le_bytes(crate::server::crypto::random_bytes::<2>()) as f64 / u16::MAX as f64;
    d + d.mul_f64(0.1 * r)
}
