//! The event bus on Redis pub/sub. Every instance publishes scan events to
//! `aura:scan:{id}` and job wake-ups to `aura:jobs`, and one subscriber task per instance
//! (pattern `aura:scan:*` plus `aura:jobs`) feeds its local [`Hub`]. Events are stored in the
//! database before they are published, so a message lost to a Redis hiccup only delays a
//! subscriber until its next check of the event log; the subscriber task reconnects on its
//! own.

use std::time::Duration;

use futures::StreamExt;

use super::Redis;
use crate::server::scans::events::{EventBus, Hub, ScanEvent};

const SCAN_PREFIX: &str = "aura:scan:";
const JOBS: &str = "aura:jobs";

pub struct RedisBus {
    redis: Redis,
    hub: std::sync::Arc<Hub>,
}

impl RedisBus {
    /// Starts the subscriber task and returns the bus.
    pub fn start(redis: Redis) -> std::sync::Arc<Self> {
        let bus = std::sync::Arc::new(RedisBus {
            redis,
            hub: Default::default(),
        });
        let (redis, hub) = (bus.redis.clone(), bus.hub.clone());
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(200);
            loop {
                match redis.client().get_async_pubsub().await {
                    Ok(mut ps) => {
                        if ps.psubscribe(format!("{SCAN_PREFIX}*")).await.is_ok() && ps.subscribe(JOBS).await.is_ok() {
                            delay = Duration::from_millis(200);
                            // Anything published while we were away: wake workers to look.
                            hub.wake_workers();
                            let mut stream = ps.into_on_message();
                            while let Some(msg) = stream.next().await {
                                if msg.get_channel_name() == JOBS {
                                    hub.wake_workers();
                                } else if let Ok(payload) = msg.get_payload::<String>() {
                                    if let Ok(ev) = serde_json::from_str::<ScanEvent>(&payload) {
                                        hub.deliver(&ev);
                                    }
                                }
                            }
                        }
                        tracing::warn!("Redis subscription lost; reconnecting");
                    }
                    Err(e) => tracing::warn!(error = %e, "Redis pub/sub unreachable; retrying"),
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        });
        bus
    }

    async fn publish_raw(&self, channel: String, payload: String) -> bool {
        let Some(mut conn) = self.redis.conn() else {
            return false;
        };
        redis::cmd("PUBLISH")
            .arg(channel)
            .arg(payload)
            .query_async::<i64>(&mut conn)
            .await
            .is_ok()
    }
}

#[async_trait::async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, ev: &ScanEvent) {
        let payload = serde_json::to_string(ev).unwrap_or_default();
        if !self.publish_raw(format!("{SCAN_PREFIX}{}", ev.scan_id), payload).await {
            // Redis is down: at least this instance's subscribers hear it now.
            self.hub.deliver(ev);
        }
    }

    async fn notify_jobs(&self) {
        // Local workers at once; other instances through Redis.
        self.hub.wake_workers();
        let _ = self.publish_raw(JOBS.into(), "1".into()).await;
    }

    fn hub(&self) -> &Hub {
        &self.hub
    }
}
