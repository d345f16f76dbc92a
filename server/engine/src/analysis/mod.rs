//! Content and metadata analyses. `scanner` does the single content pass; the other modules
//! turn its per-file signals (and repository metadata) into checks.

pub mod ai_wrapper;
pub mod anchors;
mod behaviour;
mod build_hooks;
pub mod classify;
pub mod content;
pub mod contracts;
pub mod dependencies;
mod endpoints;
pub mod executables;
pub mod fake_stars;
pub mod finding;
mod lines;
pub mod manifests;
mod obfuscation;
pub mod project;
pub mod readme;
pub mod repo_signals;
pub mod scam;
pub mod scanner;
pub mod secrets;
pub mod trust;
pub mod workflows;
