//! AuraSecurity scan engine.
//!
//! Pure: sources in (GitHub REST + tarball, any public git host, X API), a scored,
//! explainable report and progress events out. No web framework and no database, so it can
//! be tested, fuzzed and benchmarked alone; the server's workers own the I/O around it.
//!
//! ```no_run
//! use aura_engine::{parse_repo_target, Engine, EngineConfig, NoProgress};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::new(EngineConfig::from_env());
//! let target = parse_repo_target("https://github.com/coral-xyz/anchor")?;
//! let outcome = engine.scan_repo(&target, &NoProgress).await?;
//! println!("{} {} {}", outcome.result.score, outcome.result.grade.as_str(), outcome.result.verdict.as_str());
//! # Ok(()) }
//! ```
//!
//! Layout: `target` (what may be scanned), `netguard` (where we may connect), `sources`
//! (GitHub, git, archives), `analysis` (one content pass + the checks), `scoring`/`result`
//! (the contract's result), `fingerprint`/`compare`, `x_profile`, `engine` (orchestration).
//! Every check, its data source and its points: `CHECKS.md`.

pub mod analysis;
pub mod compare;
pub mod config;
pub mod engine;
pub mod error;
pub mod fingerprint;
pub mod meta;
pub mod netguard;
pub mod result;
pub mod scoring;
pub mod sources;
pub mod target;
pub mod tree;
pub mod x_profile;

pub use config::{EngineConfig, Limits};
pub use engine::{analyze, Engine, NoProgress, ProgressSink, RepoOutcome};
pub use error::{ErrorKind, ScanError};
pub use fingerprint::{similarity, Fingerprint};
pub use netguard::{is_forbidden_ip, resolve_checked, NetGuardError};
pub use result::{Check, CheckStatus, Flag, Grade, ScanResult, Severity, Verdict};
pub use target::{parse_repo_target, parse_repo_target_with, parse_x_handle, RepoTarget, TargetError};
