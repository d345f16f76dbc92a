//! The one contract of a scan's event stream (`GET /v1/scan/{id}/stream`): the worker
//! produces these events, `scan_events` stores them, the SSE route names them (`event:`), the
//! OpenAPI document describes them and the browser follows them. Isomorphic, so the server
//! and the wasm bundle share the names instead of repeating them.

use crate::status::string_enum;

string_enum! {
    /// The `event:` name of a server-sent event; its `data:` is the JSON [`Self::data_shape`]
    /// describes.
    pub enum StreamEvent {
        /// The worker took the scan up (sent once, on the first attempt).
        ScanStarted = "scan_started",
        /// The engine's progress; `percent` never goes down and stays below 100.
        Progress = "progress",
        /// The outcome is stored; the last event.
        ScanCompleted = "scan_completed",
        /// The scan failed for good; the last event.
        ScanFailed = "scan_failed",
    }
}

impl StreamEvent {
    /// The stream's last event: nothing follows it, and a finished scan replays only it.
    /// Also the events a webhook can subscribe to.
    pub const fn is_terminal(self) -> bool {
        matches!(self, StreamEvent::ScanCompleted | StreamEvent::ScanFailed)
    }

    /// The keys of the event's `data:` JSON (for the API description).
    pub const fn data_shape(self) -> &'static str {
        match self {
            StreamEvent::ScanStarted => "{scanId, repo}",
            StreamEvent::Progress => "{percent, message}",
            StreamEvent::ScanCompleted => "{scanId, score, grade, verdict, reportUrl}",
            StreamEvent::ScanFailed => "{scanId, error}",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_wire_names() {
        let names: Vec<&str> = StreamEvent::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(names, ["scan_started", "progress", "scan_completed", "scan_failed"]);
        assert_eq!(serde_json::to_value(StreamEvent::ScanFailed).unwrap(), "scan_failed");
        assert_eq!("progress".parse::<StreamEvent>().unwrap(), StreamEvent::Progress);
        assert!(StreamEvent::ScanCompleted.is_terminal() && !StreamEvent::Progress.is_terminal());
    }

    /// The browser's follower (`aura_widget::live`, in every bundle) listens for exactly
    /// these events: it cannot name this type, so this test holds the two lists together.
    #[test]
    fn the_browser_follows_every_event() {
        let followed: Vec<&str> = aura_widget::live::StreamEvent::ALL.iter().map(|e| e.as_str()).collect();
        let names: Vec<&str> = StreamEvent::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(followed, names);
    }
}
