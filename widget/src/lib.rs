//! The embeddable widget (`/embed/scan`, `/embed/result/{id}`) and its own small hydrate
//! bundle.
//!
//! The widget page used to hydrate the whole application (every page, the router, serde
//! paths): megabytes of wasm a trading terminal's iframe never runs. This crate holds only
//! what the widget needs, compiled three ways:
//! - `ssr`: the server renders the widget page ([`page::render`]) from [`Props`], with the
//!   same components the bundle hydrates (one copy of the view code);
//! - `hydrate`: the browser side of the components: the stream follower ([`live`]) that the
//!   application's report page and dashboard share, and the widget's refresh at the outcome;
//! - `bundle` (`hydrate` plus the wasm entry point [`hydrate`]): the widget's own bundle,
//!   built by cargo-leptos as the workspace's second project (`Cargo.toml`,
//!   `[[workspace.metadata.leptos]]` named `widget`) into `target/site/widget/pkg/`.
//!
//! Kept small on purpose: no router, no meta tags, no serde (a few JSON fields are read by
//! [`json`]), no `format!` (numbers by [`text::num`]), the browser's `EventSource` and
//! `fetch` through `web-sys`.

pub mod json;
pub mod live;
pub mod model;
#[cfg(feature = "ssr")]
pub mod page;
pub mod text;
pub mod view;

#[cfg(feature = "hydrate")]
pub mod browser;

pub use model::{Content, Flag, Props, Scan, State, Verdict};
pub use view::Widget;

/// The element of the widget page that carries its [`Props`] as JSON.
pub const STATE_ID: &str = "aura-widget-state";
/// The bundle's files, as cargo-leptos writes them: site root `target/site/widget`, package
/// directory `pkg`, output name `widget` (the project's settings in the workspace's
/// `Cargo.toml`, checked by a test below).
pub const JS_URL: &str = "/widget/pkg/widget.js";
pub const WASM_URL: &str = "/widget/pkg/widget.wasm";

/// The bundle's entry point: reads the props the server wrote into the page and hydrates
/// the widget, which is the whole `<body>`. A page without readable props is left as the
/// server rendered it.
#[cfg(feature = "bundle")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::*;
    let props = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(STATE_ID))
        .and_then(|e| e.text_content())
        .and_then(|text| crate::model::Props::from_json(&text));
    if let Some(props) = props {
        leptos::mount::hydrate_body(move || view! { <Widget props=props/> });
    }
}

#[cfg(test)]
mod tests {
    /// The URLs above are where the workspace's cargo-leptos project puts the bundle.
    #[test]
    fn urls_match_the_cargo_leptos_project() {
        let manifest = include_str!("../../Cargo.toml");
        let project = manifest
            .split("[[workspace.metadata.leptos]]")
            .find(|p| p.contains("name = \"widget\""))
            .expect("a cargo-leptos project named widget");
        for setting in [
            "lib-package = \"aura-widget\"",
            "output-name = \"widget\"",
            "site-root = \"target/site/widget\"",
            "site-pkg-dir = \"pkg\"",
        ] {
            assert!(project.contains(setting), "{setting}");
        }
        assert_eq!(super::JS_URL, "/widget/pkg/widget.js");
        assert_eq!(super::WASM_URL, "/widget/pkg/widget.wasm");
    }
}
