//! A scan's live progress bar, shared by the widget, the report page and the dashboard's scan
//! box. It renders complete HTML on the server (the bar at the stored percentage) and, once
//! hydrated, follows `/v1/scan/{id}/stream` (the CSP allows no inline handlers, so behaviour
//! is wasm only).

use leptos::prelude::*;

use crate::text::{concat, num};

/// How a followed scan ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Completed,
    Failed(String),
}

/// The events of a scan's stream, as the follower handles them. The contract's one
/// definition is `app::events::StreamEvent`; a test there keeps [`StreamEvent::ALL`] equal
/// to it (the widget's bundle cannot link the app, which depends on this crate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamEvent {
    ScanStarted,
    Progress,
    ScanCompleted,
    ScanFailed,
}

impl StreamEvent {
    pub const ALL: &'static [StreamEvent] = &[
        StreamEvent::ScanStarted,
        StreamEvent::Progress,
        StreamEvent::ScanCompleted,
        StreamEvent::ScanFailed,
    ];

    /// The `event:` name.
    pub const fn as_str(self) -> &'static str {
        match self {
            StreamEvent::ScanStarted => "scan_started",
            StreamEvent::Progress => "progress",
            StreamEvent::ScanCompleted => "scan_completed",
            StreamEvent::ScanFailed => "scan_failed",
        }
    }
}

/// A scan's progress bar, following the stream at `stream_path` once hydrated; calls
/// `on_done` with the outcome after the stream has been closed.
#[component]
pub fn LiveProgress(
    stream_path: String,
    percent: u8,
    /// Still waiting for a worker (the first message says so).
    queued: bool,
    #[prop(into)] on_done: Callback<Outcome>,
) -> impl IntoView {
    let percent = RwSignal::new(percent);
    let message = RwSignal::new(String::from(if queued {
        "Waiting for a scanner…"
    } else {
        "Scanning…"
    }));
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            crate::browser::follow(&stream_path, percent, message, on_done);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (stream_path, on_done);
    let digits = move || num(u32::from(percent.get()));
    view! {
        <div class="live" data-testid="live-progress">
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=digits>
                <div class="progress-bar" style:width=move || concat(&digits(), "%")></div>
            </div>
            <p class="progress-message">
                <span>{move || message.get()}</span>
                " · "
                <span data-testid="progress-percent">{digits}"%"</span>
            </p>
        </div>
    }
}
