//! Browser-only helpers for the hydrated pieces: following a scan's event stream, fetching
//! its JSON, the clipboard. Compiled only into the wasm bundle; every caller sits behind
//! `#[cfg(feature = "hydrate")]`, so server renders never touch `web_sys`.

use leptos::{
    prelude::*,
    wasm_bindgen::{closure::Closure, JsCast},
};
use web_sys::{EventSource, MessageEvent};

use crate::{events::StreamEvent, reports::Report};

/// How a followed scan ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Completed,
    Failed(String),
}

fn data(ev: &MessageEvent) -> serde_json::Value {
    ev.data()
        .as_string()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// Opens an `EventSource` on `path` and feeds `percent`/`message` until the outcome, then
/// closes it (an open `EventSource` would otherwise reconnect forever) and calls `done`.
/// One listener per [`StreamEvent`], handled by one exhaustive `match`: an event added to
/// the contract does not compile here until the follower knows what to do with it.
pub fn follow(path: &str, percent: RwSignal<u8>, message: RwSignal<String>, done: Callback<Outcome>) {
    let Ok(es) = EventSource::new(path) else { return };
    for &kind in StreamEvent::ALL {
        let stream = es.clone();
        let on_event = move |ev: MessageEvent| match kind {
            StreamEvent::ScanStarted => message.set("Scan started".into()),
            StreamEvent::Progress => {
                let v = data(&ev);
                if let Some(p) = v["percent"].as_u64() {
                    percent.set(p.min(100) as u8);
                }
                if let Some(m) = v["message"].as_str() {
                    message.set(m.chars().take(120).collect());
                }
            }
            StreamEvent::ScanCompleted => {
                stream.close();
                percent.set(100);
                done.run(Outcome::Completed);
            }
            StreamEvent::ScanFailed => {
                stream.close();
                let error = data(&ev)["error"].as_str().unwrap_or("The scan failed.").to_string();
                done.run(Outcome::Failed(error));
            }
        };
        let cb = Closure::wrap(Box::new(on_event) as Box<dyn FnMut(MessageEvent)>);
        let _ = es.add_event_listener_with_callback(kind.as_str(), cb.as_ref().unchecked_ref());
        // The listener lives as long as the page; the stream is closed after the outcome.
        cb.forget();
    }
}

/// `GET /v1/scan/{id}` read into the page's shape (the field names are the contract's).
pub async fn fetch_report(id: &str) -> Option<Report> {
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window()?;
    let res: web_sys::Response = JsFuture::from(window.fetch_with_str(&format!("/v1/scan/{id}")))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !res.ok() {
        return None;
    }
    let text = JsFuture::from(res.text().ok()?).await.ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

pub fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}
