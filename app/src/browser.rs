//! Browser-only helpers for the hydrated pieces: the clipboard, reloading. (Following a
//! scan's event stream is `aura_widget::browser`, shared with the widget.) Compiled only into
//! the wasm bundle; every caller sits behind `#[cfg(feature = "hydrate")]`, so server renders
//! never touch `web_sys`.

pub use aura_widget::browser::reload;

pub fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}
