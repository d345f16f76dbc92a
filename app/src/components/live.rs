//! Interactive pieces shared by the pages. They render complete HTML on the server (a
//! progress bar at the stored percentage, a copyable text field) and come alive once
//! hydrated: the CSP allows no inline handlers, so behaviour is wasm only.

use leptos::prelude::*;

/// The live progress bar lives with the widget (`aura_widget::live`), which shares it with
/// the report page and the dashboard: one follower of the event stream for every bundle.
pub use aura_widget::live::{LiveProgress, Outcome};

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
