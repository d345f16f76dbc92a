//! Engine configuration, typed once. Tokens never appear in `Debug` output.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Hard caps on what a scan may download and unpack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Total bytes of a repository's contents (compressed download and unpacked files alike).
    pub max_archive_bytes: u64,
    /// Number of archive entries / files considered.
    pub max_files: usize,
    /// Path components below the repository root.
    pub max_path_depth: usize,
    /// Files larger than this are skipped (reason recorded), not read.
    pub max_file_bytes: u64,
    /// Git sources: paths listed at the scanned commit (files, links, submodules). More
    /// fails the scan as too large (a tree of a million empty files is a git bomb; below
    /// this, `max_files` only makes a scan partial).
    pub max_tree_entries: usize,
    /// Git sources: total size of the files at the scanned commit, what a checkout would
    /// write (200 paths to one 1 GiB blob are 200 GiB). More fails the scan as too large.
    pub max_unpacked_bytes: u64,
    /// Wall-clock limit for `git clone`.
    pub clone_timeout: Duration,
    /// Per-request timeout for API calls and downloads.
    pub http_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_archive_bytes: 256 * 1024 * 1024,
            max_files: 40_000,
            max_path_depth: 32,
            max_file_bytes: 2 * 1024 * 1024,
            max_tree_entries: 200_000,
            max_unpacked_bytes: 2 * 1024 * 1024 * 1024,
            clone_timeout: Duration::from_secs(90),
            http_timeout: Duration::from_secs(60),
        }
    }
}

#[derive(Clone)]
pub struct EngineConfig {
    pub github_api_url: String,
    pub github_token: Option<String>,
    pub x_api_url: String,
    pub x_bearer_token: Option<String>,
    /// OSV vulnerability database (dependency checks). Lookups are best effort: when it is
    /// unreachable the dependency checks say so and the scan completes.
    pub osv_api_url: String,
    /// Tests and self-hosted setups only: lets targets resolve to loopback/private
    /// addresses and allows plain `http`.
    pub allow_private_targets: bool,
    pub limits: Limits,
    /// Where git sources clone (each scan in its own directory, removed afterwards; what a
    /// crash leaves behind is removed by [`crate::sources::git::clean_work_dir`] at start-up).
    pub work_dir: PathBuf,
}

/// The default work directory when none is configured: `aura-work` in the system temp dir.
pub fn default_work_dir() -> PathBuf {
    std::env::temp_dir().join("aura-work")
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            github_api_url: "https://api.github.com".into(),
            github_token: None,
            x_api_url: "https://api.x.com".into(),
            x_bearer_token: None,
            osv_api_url: "https://api.osv.dev".into(),
            allow_private_targets: false,
            limits: Limits::default(),
            work_dir: default_work_dir(),
        }
    }
}

impl EngineConfig {
    /// Read `AURA_GITHUB_API_URL`, `AURA_GITHUB_TOKEN`, `AURA_X_API_URL`,
    /// `AURA_X_BEARER_TOKEN`, `AURA_OSV_API_URL`, `AURA_ALLOW_PRIVATE_TARGETS`
    /// (1/true/yes) and `AURA_WORK_DIR`, with defaults.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let d = EngineConfig::default();
        EngineConfig {
            github_api_url: var("AURA_GITHUB_API_URL").unwrap_or(d.github_api_url),
            github_token: var("AURA_GITHUB_TOKEN"),
            x_api_url: var("AURA_X_API_URL").unwrap_or(d.x_api_url),
            x_bearer_token: var("AURA_X_BEARER_TOKEN"),
            osv_api_url: var("AURA_OSV_API_URL").unwrap_or(d.osv_api_url),
            allow_private_targets: var("AURA_ALLOW_PRIVATE_TARGETS")
                .map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
                .unwrap_or(false),
            limits: Limits::default(),
            work_dir: var("AURA_WORK_DIR").map(PathBuf::from).unwrap_or(d.work_dir),
        }
    }
}

impl fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hide = |t: &Option<String>| if t.is_some() { "<set>" } else { "<unset>" };
        f.debug_struct("EngineConfig")
            .field("github_api_url", &self.github_api_url)
            .field("github_token", &hide(&self.github_token))
            .field("x_api_url", &self.x_api_url)
            .field("x_bearer_token", &hide(&self.x_bearer_token))
            .field("osv_api_url", &self.osv_api_url)
            .field("allow_private_targets", &self.allow_private_targets)
            .field("limits", &self.limits)
            .field("work_dir", &self.work_dir)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_hides_tokens() {
        let c = super::EngineConfig {
            github_token: Some("ghp_secretvalue".into()),
            ..Default::default()
        };
        let s = format!("{c:?}");
        assert!(!s.contains("ghp_secretvalue"));
        assert!(s.contains("<set>"));
    }
}
