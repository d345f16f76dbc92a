//! Content and metadata analyses. `scanner` does the single content pass; the other modules
//! turn its per-file signals (and repository metadata) into checks.

pub mod anchors;
mod build_hooks;
pub mod executables;
mod obfuscation;
pub mod classify;
pub mod scam;
pub mod scanner;
pub mod secrets;
pub mod ai_wrapper;
pub mod content;
pub mod manifests;
pub mod project;
pub mod fake_stars;
pub mod trust;
