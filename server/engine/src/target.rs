//! Parsing of what a trader pastes into a scan target.
//!
//! Strict on purpose: a scan target ends up in an outbound request (GitHub API path or a
//! `git clone` URL), so anything that is not plainly a public repository address is refused
//! here, before any network is touched. Accepted forms (contract, "Scans"):
//! `https://github.com/{owner}/{repo}` (optional `.git`, trailing slash), `{owner}/{repo}`,
//! and `https` git URLs of other public hosts.

use std::fmt;

use url::{Host, Url};

/// Longest input we look at; real repository URLs are far shorter.
const MAX_INPUT: usize = 512;
/// GitHub's own limits: logins are at most 39 characters, repository names at most 100.
const MAX_OWNER: usize = 39;
const MAX_REPO: usize = 100;
const MAX_PATH_SEGMENTS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("the target is empty")]
    Empty,
    #[error("the target is too long")]
    TooLong,
    #[error("the target contains control characters or spaces")]
    BadCharacters,
    #[error("not a repository address: use https://github.com/owner/repo, owner/repo or an https git URL")]
    Unrecognised,
    #[error("only https URLs are accepted")]
    NotHttps,
    #[error("invalid GitHub owner name")]
    BadOwner,
    #[error("invalid repository name")]
    BadRepo,
    #[error("the URL must not contain credentials, a query or a fragment")]
    ExtraUrlParts,
    #[error("the host is not a public DNS name")]
    BadHost,
    #[error("invalid repository path")]
    BadPath,
    #[error("invalid X handle")]
    BadHandle,
}

/// A repository to scan.
///
/// `Git` holds a full URL: [`parse_repo_target`] only ever produces `https` URLs;
/// [`parse_repo_target_with`] with private targets allowed may produce `http` ones, which the
/// git source refuses unless private targets are allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoTarget {
    GitHub { owner: String, repo: String },
    Git { url: Url },
}

impl RepoTarget {
    /// Stable key for caches and indexes: lowercased `owner/repo` for GitHub, the canonical
    /// URL (its scheme, lowercase host, no trailing slash or `.git`) for other hosts.
    pub fn normalized(&self) -> String {
        match self {
            RepoTarget::GitHub { owner, repo } => {
                format!("{}/{}", owner.to_ascii_lowercase(), repo.to_ascii_lowercase())
            }
            RepoTarget::Git { url } => {
                let mut s = format!("{}://", url.scheme());
                if let Some(h) = url.host_str() {
                    s.push_str(&h.to_ascii_lowercase());
                }
                if let Some(p) = url.port() {
                    s.push_str(&format!(":{p}"));
                }
                let path = url.path().trim_end_matches('/');
                let path = path.strip_suffix(".git").unwrap_or(path);
                s.push_str(path);
                s
            }
        }
    }

    /// A short human name: `owner/repo` or the last two path segments.
    pub fn display_name(&self) -> String {
        match self {
            RepoTarget::GitHub { owner, repo } => format!("{owner}/{repo}"),
            RepoTarget::Git { url } => {
                let segs: Vec<&str> = url
                    .path()
                    .trim_matches('/')
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .collect();
                let tail = segs.iter().rev().take(2).rev().cloned().collect::<Vec<_>>().join("/");
                tail.strip_suffix(".git").unwrap_or(&tail).to_string()
            }
        }
    }

    /// The repository's own name (used to spot renamed branding in compare).
    pub fn repo_name(&self) -> String {
        match self {
            RepoTarget::GitHub { repo, .. } => repo.clone(),
            RepoTarget::Git { url } => {
                let last = url
                    .path()
                    .trim_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string();
                last.strip_suffix(".git").map(str::to_string).unwrap_or(last)
            }
        }
    }
}

impl fmt::Display for RepoTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized())
    }
}

fn check_basic(input: &str) -> Result<&str, TargetError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(TargetError::Empty);
    }
    if s.len() > MAX_INPUT {
        return Err(TargetError::TooLong);
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(TargetError::BadCharacters);
    }
    Ok(s)
}

/// GitHub login rule: alphanumerics and single hyphens, not starting or ending with one.
pub fn valid_github_owner(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_OWNER {
        return false;
    }
    let b = s.as_bytes();
    if b[0] == b'-' || b[b.len() - 1] == b'-' {
        return false;
    }
    let mut prev_hyphen = false;
    for &c in b {
        match c {
            b'-' => {
                if prev_hyphen {
                    return false;
                }
                prev_hyphen = true;
            }
            c if c.is_ascii_alphanumeric() => prev_hyphen = false,
            _ => return false,
        }
    }
    true
}

/// GitHub repository rule: `[A-Za-z0-9._-]{1,100}`, not `.` or `..`, and not ending in
/// `.git` (GitHub reserves that suffix; accepting it would make `x.git.git` ambiguous).
pub fn valid_github_repo(s: &str) -> bool {
    !s.is_empty()
        && !s.to_ascii_lowercase().ends_with(".git")
        && s.len() <= MAX_REPO
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-')
}

fn strip_git_suffix(s: &str) -> &str {
    if s.len() > 4 && s.is_char_boundary(s.len() - 4) && s[s.len() - 4..].eq_ignore_ascii_case(".git") {
        &s[..s.len() - 4]
    } else {
        s
    }
}

fn github_pair(owner: &str, repo: &str) -> Result<RepoTarget, TargetError> {
    let repo = strip_git_suffix(repo);
    if !valid_github_owner(owner) {
        return Err(TargetError::BadOwner);
    }
    if !valid_github_repo(repo) {
        return Err(TargetError::BadRepo);
    }
    Ok(RepoTarget::GitHub {
        owner: owner.to_string(),
        repo: repo.to_string(),
    })
}

/// A host that could be public: a DNS name with at least one dot, not an IP literal and not
/// one of the names reserved for local use.
fn public_dns_name(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h.is_empty() || h.len() > 253 || !h.contains('.') {
        return false;
    }
    const LOCAL_SUFFIXES: [&str; 7] = [
        ".localhost",
        ".local",
        ".internal",
        ".lan",
        ".home.arpa",
        ".intranet",
        ".corp",
    ];
    if h == "localhost" || LOCAL_SUFFIXES.iter().any(|s| h.ends_with(s)) {
        return false;
    }
    // Every label: LDH, 1..63, no leading/trailing hyphen; the TLD is not all digits (that
    // would be an IPv4 literal in disguise, e.g. "127.1").
    let labels: Vec<&str> = h.split('.').collect();
    for l in &labels {
        if l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-') {
            return false;
        }
        if !l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
            return false;
        }
    }
    labels
        .last()
        .is_some_and(|tld| !tld.bytes().all(|c| c.is_ascii_digit()))
}

fn valid_path_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'~'))
}

/// Parse a pasted repository address. See the module docs for the accepted forms.
pub fn parse_repo_target(input: &str) -> Result<RepoTarget, TargetError> {
    parse_repo_target_with(input, false)
}

/// As [`parse_repo_target`]; with `allow_private` (self-hosting, tests:
/// `AURA_ALLOW_PRIVATE_TARGETS`) a git host may also be an IP address or a local name
/// (`localhost`, `gitea`, `git.lan`) and be reached over plain `http`. The net guard still
/// decides at connect time what addresses may be reached.
pub fn parse_repo_target_with(input: &str, allow_private: bool) -> Result<RepoTarget, TargetError> {
    let s = check_basic(input)?;
    if !s.contains("://") {
        // Bare `owner/repo`; anything with a scheme-less host (`github.com/a/b`) is refused
        // because the contract lists only the three forms.
        let s = s.strip_suffix('/').unwrap_or(s);
        let mut parts = s.split('/');
        return match (parts.next(), parts.next(), parts.next()) {
            (Some(o), Some(r), None) => github_pair(o, r),
            _ => Err(TargetError::Unrecognised),
        };
    }
    let url = Url::parse(s).map_err(|_| TargetError::Unrecognised)?;
    if url.scheme() != "https" && !(allow_private && url.scheme() == "http") {
        return Err(TargetError::NotHttps);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::ExtraUrlParts);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(TargetError::ExtraUrlParts);
    }
    // The raw path, before the URL parser resolved dot segments or percent escapes: refuse
    // anything the parser would have rewritten.
    let raw_path = s
        .split("://")
        .nth(1)
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]));
    if let Some(rp) = raw_path {
        if rp.contains("/./") || rp.contains("/../") || rp.contains('%') || rp.contains('\\') {
            return Err(TargetError::BadPath);
        }
    }
    let host = match url.host() {
        Some(Host::Domain(d)) => d.to_ascii_lowercase(),
        Some(Host::Ipv4(ip)) if allow_private => ip.to_string(),
        Some(Host::Ipv6(ip)) if allow_private => format!("[{ip}]"),
        Some(_) => return Err(TargetError::BadHost),
        None => return Err(TargetError::BadHost),
    };
    let path = url.path();
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let segs: Vec<&str> = trimmed.trim_start_matches('/').split('/').collect();

    if host == "github.com" || host == "www.github.com" {
        if url.port().is_some() {
            return Err(TargetError::BadHost);
        }
        return match segs.as_slice() {
            [o, r] => github_pair(o, r),
            _ => Err(TargetError::Unrecognised),
        };
    }
    if !allow_private && !public_dns_name(&host) {
        return Err(TargetError::BadHost);
    }
    if segs.is_empty() || segs.len() > MAX_PATH_SEGMENTS || !segs.iter().all(|s| valid_path_segment(s)) {
        return Err(TargetError::BadPath);
    }
    // Rebuild the URL from validated parts so what we clone is exactly what we checked.
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let rebuilt = format!("{}://{host}{port}/{}", url.scheme(), segs.join("/"));
    let url = Url::parse(&rebuilt).map_err(|_| TargetError::Unrecognised)?;
    Ok(RepoTarget::Git { url })
}

/// Parse an X (Twitter) handle: `@name`, `name`, or an `https://x.com/name` /
/// `https://twitter.com/name` profile URL. X's rule: 1-15 of `[A-Za-z0-9_]`.
pub fn parse_x_handle(input: &str) -> Result<String, TargetError> {
    let s = check_basic(input).map_err(|_| TargetError::BadHandle)?;
    let name = if s.contains("://") {
        let url = Url::parse(s).map_err(|_| TargetError::BadHandle)?;
        if url.scheme() != "https" || url.query().is_some() || url.fragment().is_some() {
            return Err(TargetError::BadHandle);
        }
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        if !matches!(
            host.as_str(),
            "x.com" | "www.x.com" | "twitter.com" | "www.twitter.com" | "mobile.twitter.com"
        ) {
            return Err(TargetError::BadHandle);
        }
        let p = url.path().trim_matches('/');
        if p.contains('/') {
            return Err(TargetError::BadHandle);
        }
        p.to_string()
    } else {
        s.strip_prefix('@').unwrap_or(s).to_string()
    };
    if name.is_empty() || name.len() > 15 || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return Err(TargetError::BadHandle);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gh(o: &str, r: &str) -> RepoTarget {
        RepoTarget::GitHub {
            owner: o.into(),
            repo: r.into(),
        }
    }

    #[test]
    fn github_forms() {
        assert_eq!(
            parse_repo_target("https://github.com/coral-xyz/anchor").unwrap(),
            gh("coral-xyz", "anchor")
        );
        assert_eq!(
            parse_repo_target("https://github.com/coral-xyz/anchor.git").unwrap(),
            gh("coral-xyz", "anchor")
        );
        assert_eq!(
            parse_repo_target("https://github.com/coral-xyz/anchor/").unwrap(),
            gh("coral-xyz", "anchor")
        );
        assert_eq!(
            parse_repo_target(" https://GitHub.com/Coral-XYZ/Anchor ").unwrap(),
            gh("Coral-XYZ", "Anchor")
        );
        assert_eq!(
            parse_repo_target("coral-xyz/anchor").unwrap(),
            gh("coral-xyz", "anchor")
        );
        assert_eq!(
            parse_repo_target("solana-labs/solana-web3.js").unwrap(),
            gh("solana-labs", "solana-web3.js")
        );
        assert_eq!(parse_repo_target("a/b_c.d-e").unwrap(), gh("a", "b_c.d-e"));
        assert_eq!(parse_repo_target("a/B.GIT").unwrap(), gh("a", "B"));
        assert!(parse_repo_target("a/b.git.git").is_err());
    }

    #[test]
    fn normalized_forms() {
        assert_eq!(
            parse_repo_target("Coral-XYZ/Anchor").unwrap().normalized(),
            "coral-xyz/anchor"
        );
        let t = parse_repo_target("https://GitLab.com/group/sub/proj.git/").unwrap();
        assert_eq!(t.normalized(), "https://gitlab.com/group/sub/proj");
        assert_eq!(t.display_name(), "sub/proj");
        assert_eq!(t.repo_name(), "proj");
        let t = parse_repo_target("https://git.sr.ht/~user/repo").unwrap();
        assert_eq!(t.normalized(), "https://git.sr.ht/~user/repo");
    }

    #[test]
    fn rejects_bad_github_names() {
        for bad in [
            "-abc/repo",
            "abc-/repo",
            "a--b/repo",
            "a_b/repo",
            "abc/.",
            "abc/..",
            "abc/",
            "/repo",
            "abc/re po",
            "abc/re$po",
            "a/b/c",
            "https://github.com/a",
            "https://github.com/a/b/tree/main",
            "https://github.com/a/b?tab=readme",
            "https://github.com/a/b#x",
            "https://github.com:8443/a/b",
            "https://user:pw@github.com/a/b",
            "http://github.com/a/b",
            "git@github.com:a/b.git",
            "ssh://git@github.com/a/b",
            "file:///etc/passwd",
            "github.com/a/b",
            "",
            "abcdefghijabcdefghijabcdefghijabcdefghij/repo",
            "a/.git",
        ] {
            assert!(parse_repo_target(bad).is_err(), "{bad:?} should be rejected");
        }
        let long_repo = format!("a/{}", "r".repeat(101));
        assert!(parse_repo_target(&long_repo).is_err());
    }

    #[test]
    fn private_hosts_only_when_allowed() {
        for (input, want) in [
            (
                "http://127.0.0.1:8080/acme/wallet.git",
                "http://127.0.0.1:8080/acme/wallet",
            ),
            ("https://10.0.0.5/acme/wallet", "https://10.0.0.5/acme/wallet"),
            ("http://[::1]:3000/acme/wallet", "http://[::1]:3000/acme/wallet"),
            ("http://gitea:3000/acme/wallet", "http://gitea:3000/acme/wallet"),
            ("https://git.lan/acme/wallet", "https://git.lan/acme/wallet"),
        ] {
            assert!(parse_repo_target(input).is_err(), "{input} refused by default");
            let t = parse_repo_target_with(input, true).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(t.normalized(), want);
        }
        // Everything else about the address is still checked.
        for bad in [
            "ftp://10.0.0.5/a/b",
            "http://u@10.0.0.5/a/b",
            "http://10.0.0.5/a/../b",
            "http://10.0.0.5/",
        ] {
            assert!(parse_repo_target_with(bad, true).is_err(), "{bad}");
        }
        assert_eq!(
            parse_repo_target_with("acme/wallet", true).unwrap(),
            parse_repo_target("acme/wallet").unwrap()
        );
    }

    #[test]
    fn other_hosts() {
        let t = parse_repo_target("https://codeberg.org/forgejo/forgejo").unwrap();
        assert!(matches!(t, RepoTarget::Git { .. }));
        for bad in [
            "https://127.0.0.1/a/b",
            "https://[::1]/a/b",
            "https://localhost/a/b",
            "https://intranet/a/b",
            "https://git.corp/a/b",
            "https://box.local/a/b",
            "https://10.0.0.1/a/b",
            "https://0x7f.1/a/b",
            "https://127.1/a/b",
            "https://gitlab.com/",
            "https://gitlab.com/a/../b",
            "https://gitlab.com/a/%2e%2e/b",
            "https://gitlab.com/a/b?x=1",
            "https://u@gitlab.com/a/b",
            "http://gitlab.com/a/b",
            "https://gitlab.com/a b/c",
            "https://gitlab.com/a/b;c",
            "https://exa_mple.com/a/b",
            "https://gitlab.com/a\\b/c",
        ] {
            assert!(parse_repo_target(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn control_and_length() {
        assert_eq!(parse_repo_target("a/b\n"), Ok(gh("a", "b"))); // trimmed
        assert_eq!(parse_repo_target("a/\u{0}b"), Err(TargetError::BadCharacters));
        assert_eq!(parse_repo_target(&"a".repeat(600)), Err(TargetError::TooLong));
    }

    #[test]
    fn x_handles() {
        assert_eq!(parse_x_handle("@aura_sec").unwrap(), "aura_sec");
        assert_eq!(parse_x_handle("AuraSec").unwrap(), "AuraSec");
        assert_eq!(parse_x_handle("https://x.com/AuraSec").unwrap(), "AuraSec");
        assert_eq!(parse_x_handle("https://twitter.com/AuraSec/").unwrap(), "AuraSec");
        for bad in [
            "",
            "@",
            "a-b",
            "abcdefghijklmnop",
            "https://evil.com/x",
            "https://x.com/a/status/1",
            "@a b",
        ] {
            assert!(parse_x_handle(bad).is_err(), "{bad:?}");
        }
    }
}
