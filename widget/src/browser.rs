//! Browser-only pieces (`hydrate`): following a scan's event stream, reading a scan, reloading.
//! The browser's own `EventSource` reconnects after a dropped connection and sends
//! `Last-Event-ID`, so the server resumes the stream where it broke.

use leptos::{
    prelude::*,
    wasm_bindgen::{closure::Closure, JsCast},
};
use web_sys::{EventSource, MessageEvent};

use crate::{
    json::Json,
    live::{Outcome, StreamEvent},
    model::Scan,
};

fn data(ev: &MessageEvent) -> Json {
    ev.data()
        .as_string()
        .and_then(|s| Json::parse(&s))
        .unwrap_or(Json::Null)
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
                if let Some(p) = v.int_at("percent") {
                    percent.set(p.clamp(0, 100) as u8);
                }
                if let Some(m) = v.str_at("message") {
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
                let error = data(&ev).str_at("error").unwrap_or("The scan failed.").to_string();
                done.run(Outcome::Failed(error));
            }
        };
        let cb = Closure::wrap(Box::new(on_event) as Box<dyn FnMut(MessageEvent)>);
        let _ = es.add_event_listener_with_callback(kind.as_str(), cb.as_ref().unchecked_ref());
        // The listener lives as long as the page; the stream is closed after the outcome.
        cb.forget();
    }
}

/// `GET /v1/scan/{id}` (public, no key), read into the widget's shape; `report_url` stands
/// in if the object carries none.
pub async fn fetch_scan(id: &str, report_url: &str) -> Option<Scan> {
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window()?;
    let mut url = String::from("/v1/scan/");
    url.push_str(id);
    let res: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !res.ok() {
        return None;
    }
    let text = JsFuture::from(res.text().ok()?).await.ok()?.as_string()?;
    Scan::from_json(&Json::parse(&text)?, report_url)
}

pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}
