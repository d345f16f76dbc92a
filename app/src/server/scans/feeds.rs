//! Following a scan on this instance. Every subscriber of a scan shares the hub's one
//! broadcast channel for it and one poller of its event log, so a stream costs a receiver,
//! not a task, a channel and a database poll of its own: 10,000 viewers of one scan make one
//! query every [`RECHECK`], not 1,000 a second.
//!
//! The poller is the backstop for a publish this instance never heard (another instance's
//! worker with the shared bus down): it re-reads the log and broadcasts what is new; the
//! subscribers drop what they already sent by sequence number.

use std::time::Duration;

use tokio::sync::broadcast;

use super::events::{self, ScanEvent};
use crate::server::state::AppState;

/// How often a watched scan's log is re-read.
pub const RECHECK: Duration = Duration::from_secs(10);

/// Subscribes to a scan's live events; the first subscriber on this instance starts its
/// log poller, which ends with the scan's outcome or once nobody watches.
pub fn subscribe(state: &AppState, scan_id: &str) -> broadcast::Receiver<ScanEvent> {
    let (rx, created) = state.bus.hub().join(scan_id);
    if let Some(weak) = created {
        // Counted from here, not from the task's first poll, so the count is never behind.
        let running = state.bus.hub().poller();
        tokio::spawn(poll_log(state.clone(), scan_id.to_owned(), weak, running));
    }
    rx
}

async fn poll_log(
    state: AppState,
    scan_id: String,
    channel: broadcast::WeakSender<ScanEvent>,
    _running: events::PollerRunning,
) {
    let mut seen = match events::last(&state.db, &scan_id).await {
        Ok(last) => last.map_or(0, |e| e.seq),
        Err(_) => 0,
    };
    loop {
        tokio::time::sleep(RECHECK).await;
        // The channel left the hub (nobody watched) or nobody listens now: done.
        let Some(tx) = channel.upgrade().filter(|tx| tx.receiver_count() > 0) else {
            return;
        };
        match events::since(&state.db, &scan_id, seen).await {
            Ok(evs) => {
                for ev in evs {
                    seen = ev.seq;
                    let end = ev.is_terminal();
                    let _ = tx.send(ev);
                    if end {
                        return;
                    }
                }
            }
            Err(e) => tracing::warn!(scan = %scan_id, error = %e, "reading scan events failed"),
        }
    }
}
