//! Repository metadata as the trust checks need it, filled by either source (GitHub REST or
//! git history). Fields a source can't know stay `None` and the checks say so.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnerMeta {
    pub login: String,
    pub created_at: Option<DateTime<Utc>>,
    pub is_org: bool,
    pub followers: Option<u64>,
    pub public_repos: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stargazer {
    pub login: String,
    pub starred_at: DateTime<Utc>,
    /// Account details when they were looked up (a few per scan).
    pub account_created_at: Option<DateTime<Utc>>,
    pub followers: Option<u64>,
    pub public_repos: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    pub author: String,
    pub at: DateTime<Utc>,
}

/// How a fork differs from its parent (GitHub compare of the default branches).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForkCompare {
    /// `owner/repo` of the parent.
    pub parent: String,
    /// Commits on the fork that the parent does not have.
    pub ahead_by: u64,
    pub behind_by: u64,
    /// Sum of `files[].changes` (added + deleted lines).
    pub changed_lines: u64,
    pub changed_files: u64,
    /// The comparison was too large to list (GitHub's file cap or our size cap): not thin.
    pub truncated: bool,
}

/// What the oldest commit added, when the whole history is known (short histories only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootCommit {
    /// Lines added in code files outside tests, vendored trees and bundles, counted the way
    /// the project facts count code lines.
    pub code_additions: u64,
    /// Lines added in every file.
    pub additions: u64,
    pub files: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepoMeta {
    /// "GitHub" or "git history".
    pub source: String,
    pub full_name: String,
    pub description: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// True when `created_at` is only the oldest commit a shallow clone saw.
    pub created_is_lower_bound: bool,
    pub pushed_at: Option<DateTime<Utc>>,
    /// Recent commits, newest first (a page or two from the API, or the clone's history).
    pub commits: Vec<Commit>,
    /// (login or author name, contributions), most active first.
    pub contributors: Vec<(String, u64)>,
    pub owner: Option<OwnerMeta>,
    pub releases: Option<u64>,
    pub tags: u64,
    pub stars: Option<u64>,
    pub forks: Option<u64>,
    pub watchers: Option<u64>,
    pub open_issues: Option<u64>,
    pub archived: bool,
    pub fork_of: Option<String>,
    pub is_fork: bool,
    pub license_spdx: Option<String>,
    pub languages: Vec<(String, u64)>,
    /// `None` when the stargazer listing was unavailable (admins only since July 2026).
    pub stargazers: Option<Vec<Stargazer>>,
    /// GitHub forks only; `None` when unknown (not a fork, other hosts, the compare failed).
    pub fork_compare: Option<ForkCompare>,
    /// GitHub only, when fewer than a page of commits exist (so the oldest is known).
    pub root_commit: Option<RootCommit>,
    /// Seconds-resolution "now" used by all age computations, so tests are deterministic.
    pub now: DateTime<Utc>,
}

impl RepoMeta {
    pub fn age_days(&self, t: Option<DateTime<Utc>>) -> Option<i64> {
        t.map(|t| (self.now - t).num_days().max(0))
    }
}
