//! Interactive pieces shared by the report page and the embed widget. They render complete
//! HTML on the server (a progress bar at the stored percentage, a copyable text field) and
//! come alive once hydrated: the CSP allows no inline handlers, so behaviour is wasm only.

use leptos::prelude::*;

use crate::status::ScanStatus;

#[cfg(feature = "hydrate")]
pub use crate::browser::Outcome;

/// How a followed scan ended (server builds never construct one).
#[cfg(not(feature = "hydrate"))]
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Completed,
    Failed(String),
}

/// A scan's progress bar, following `/v1/scan/{id}/stream` once hydrated; calls `on_done`
/// with the outcome after the stream has been closed.
#[component]
pub fn LiveProgress(
    stream_path: String,
    percent: u8,
    status: ScanStatus,
    #[prop(into)] on_done: Callback<Outcome>,
) -> impl IntoView {
    let percent = RwSignal::new(percent);
    let message = RwSignal::new(
        if status == ScanStatus::Queued {
            "Waiting for a scanner…"
        } else {
            "Scanning…"
        }
        .to_string(),
    );
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            crate::browser::follow(&stream_path, percent, message, on_done);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (stream_path, on_done);
    view! {
        <div class="live" data-testid="live-progress">
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=move || percent.get()>
                <div class="progress-bar" style:width=move || format!("{}%", percent.get())></div>
            </div>
            <p class="progress-message">
                <span>{move || message.get()}</span>
                " · "
                <span data-testid="progress-percent">{move || percent.get()}"%"</span>
            </p>
        </div>
    }
}

/// A read-only field with its text selected on focus, and a button that copies it once the
/// page is hydrated (without JavaScript the field can still be selected by hand).
#[component]
pub fn CopyField(label: &'static str, text: String, testid: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let value = text.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        crate::browser::copy_to_clipboard(&value);
        #[cfg(not(feature = "hydrate"))]
        let _ = &value;
        copied.set(true);
    };
    view! {
        <div class="copy-field">
            <label>{label}</label>
            <div class="copy-row">
                <input type="text" readonly value=text data-testid=testid/>
                <button type="button" class="button" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}
