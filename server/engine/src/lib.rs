//! AuraSecurity scan engine.
//!
//! Pure: sources in (GitHub REST + tarball, any public git host, X API), a scored,
//! explainable report and progress events out. No web framework and no database, so it can
//! be tested, fuzzed and benchmarked alone; the server's workers own the I/O around it.

pub mod config;
pub mod error;
pub mod netguard;
pub mod result;
pub mod scoring;
pub mod target;

pub use config::{EngineConfig, Limits};
pub use error::{ErrorKind, ScanError};
pub use result::{Check, CheckStatus, Flag, Grade, ScanResult, Severity, Verdict};
pub use target::{parse_repo_target, parse_x_handle, RepoTarget, TargetError};
pub mod analysis;
pub mod compare;
pub mod engine;
pub mod fingerprint;
pub mod meta;
pub mod sources;
pub mod tree;
pub mod x_profile;

pub use engine::{analyze, Engine, NoProgress, ProgressSink, RepoOutcome};
pub use fingerprint::{similarity, Fingerprint};
pub use netguard::{is_forbidden_ip, resolve_checked, NetGuardError};
