//! Dependency intelligence: which exact package versions a repository installs (from
//! lockfiles and pinned manifests), what OSV knows about them (known-malicious releases and
//! known vulnerabilities), and dependencies that come from outside the package registries
//! (git, tarball URLs, local paths).
//!
//! Parsing is pure and runs on the fetched tree; the OSV lookup itself happens in
//! `sources::osv` before analysis, and its answer comes back here as [`DepsIntel`] so
//! `analyze` stays free of I/O.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::classify::{self, file_name};
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;
use crate::tree::FileTree;

/// Packages looked up per scan; a monorepo lockfile can list tens of thousands.
pub const MAX_PACKAGES: usize = 1_000;
const MAX_FLAGS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    Npm,
    PyPI,
    CratesIo,
    Go,
}

impl Ecosystem {
    /// The ecosystem name OSV uses.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
        }
    }
}

/// One exact package version the repository installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    /// The first file that pins it.
    pub file: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `git+https://…`, `github:user/repo`, `user/repo`, `-e git+…`.
    Git,
    /// A tarball or wheel URL.
    Url,
    /// `file:`/`link:` paths and local directories: workspace links.
    Local,
    /// `--index-url`/`--extra-index-url`/`--find-links`: packages from another index.
    Index,
}

/// A dependency installed from outside the package registries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepSource {
    pub file: String,
    pub name: String,
    pub spec: String,
    pub kind: SourceKind,
    /// Only a development dependency (npm `devDependencies`, `requirements-dev.txt`).
    pub dev: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifests {
    /// Deduplicated, at most [`MAX_PACKAGES`].
    pub packages: Vec<Package>,
    /// Distinct exact versions found before the cap.
    pub total: usize,
    /// Manifests and lockfiles read.
    pub files: Vec<String>,
    /// Lockfiles too large to read (only their first bytes were kept).
    pub unread: Vec<String>,
    pub sources: Vec<DepSource>,
}

/// How an OSV advisory rates, as far as its record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VulnSeverity {
    Unknown,
    Low,
    Moderate,
    High,
    Critical,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    pub id: String,
    pub summary: Option<String>,
    pub severity: VulnSeverity,
    /// Withdrawn advisories are ignored.
    pub withdrawn: bool,
}

impl Advisory {
    /// OSV's malicious-packages feed (OpenSSF): the release itself is malware.
    pub fn is_malicious(&self) -> bool {
        self.id.starts_with("MAL-") && !self.withdrawn
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageHit {
    pub package: Package,
    pub advisories: Vec<Advisory>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Analysis without network (tests, benches, `analyze`).
    Offline,
    /// Nothing pinned to an exact version: no query was needed.
    NothingToQuery,
    Done,
    /// OSV could not answer (down, 5xx, timeout); the reason, for the trader.
    Unavailable(String),
}

/// Manifests plus what OSV said about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepsIntel {
    pub manifests: Manifests,
    pub lookup: Lookup,
    /// Packages with at least one advisory (found before any failure).
    pub hits: Vec<PackageHit>,
}

impl DepsIntel {
    pub fn offline(manifests: Manifests) -> Self {
        DepsIntel {
            manifests,
            lookup: Lookup::Offline,
            hits: vec![],
        }
    }
}

// ---------------------------------------------------------------- collecting

struct Collector {
    seen: HashSet<(Ecosystem, String, String)>,
    all: Vec<Package>,
    m: Manifests,
}

impl Collector {
    fn add(&mut self, eco: Ecosystem, name: &str, version: &str, file: &str) {
        let name = name.trim();
        let version = version.trim();
        if name.is_empty() || !plausible_version(version) {
            return;
        }
        let name = match eco {
            Ecosystem::PyPI => pep503(name),
            _ => name.to_string(),
        };
        if self.seen.insert((eco, name.clone(), version.to_string())) {
            self.all.push(Package {
                ecosystem: eco,
                name,
                version: version.to_string(),
                file: file.to_string(),
            });
        }
    }
    fn source(&mut self, file: &str, name: &str, spec: &str, kind: SourceKind, dev: bool) {
        self.m.sources.push(DepSource {
            file: file.into(),
            name: name.into(),
            spec: spec.chars().take(200).collect(),
            kind,
            dev,
        });
    }
}

/// A version OSV can match exactly: starts with a digit, no ranges, wildcards or spaces.
fn plausible_version(v: &str) -> bool {
    v.len() <= 128
        && v.starts_with(|c: char| c.is_ascii_digit())
        && !v.contains(|c: char| c.is_whitespace() || matches!(c, '*' | '^' | '~' | '<' | '>' | '|' | ',' | ':' | '/'))
}

/// PEP 503 normal form: lower case, runs of `-_.` become `-`.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn is_requirements(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    name.ends_with(".txt")
        && (name.starts_with("requirements")
            || dir_of(path)
                .rsplit('/')
                .next()
                .is_some_and(|d| d.eq_ignore_ascii_case("requirements")))
}

/// Read every manifest and lockfile outside vendored and test trees (security tools keep
/// malicious lockfiles as fixtures; vendored trees are someone else's project).
pub fn collect(tree: &FileTree) -> Manifests {
    let mut c = Collector {
        seen: HashSet::new(),
        all: vec![],
        m: Manifests::default(),
    };
    let mut files: Vec<&crate::tree::RepoFile> = tree
        .files
        .iter()
        .filter(|f| !classify::vendored(&f.path) && !classify::test_path(&f.path))
        .filter(|f| {
            matches!(
                file_name(&f.path),
                "package.json"
                    | "package-lock.json"
                    | "npm-shrinkwrap.json"
                    | "yarn.lock"
                    | "pnpm-lock.yaml"
                    | "poetry.lock"
                    | "uv.lock"
                    | "Pipfile.lock"
                    | "Cargo.lock"
                    | "go.mod"
                    | "go.sum"
            ) || is_requirements(&f.path)
        })
        .collect();
    // Root manifests first, so the cap keeps the project's own dependencies.
    files.sort_by_key(|f| (f.path.matches('/').count(), f.path.clone()));
    let dirs_with = |names: &[&str]| -> HashSet<String> {
        files
            .iter()
            .filter(|f| names.contains(&file_name(&f.path)))
            .map(|f| dir_of(&f.path).to_string())
            .collect()
    };
    let npm_locked = dirs_with(&[
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
    ]);
    let go_mod = dirs_with(&["go.mod"]);
    for f in &files {
        let path = f.path.as_str();
        if f.truncated {
            c.m.unread.push(path.to_string());
            continue;
        }
        let Ok(text) = std::str::from_utf8(&f.data) else {
            continue;
        };
        c.m.files.push(path.to_string());
        match file_name(path) {
            "package.json" => package_json(&mut c, path, text, npm_locked.contains(dir_of(path))),
            "package-lock.json" | "npm-shrinkwrap.json" => package_lock(&mut c, path, text),
            "yarn.lock" => yarn_lock(&mut c, path, text),
            "pnpm-lock.yaml" => pnpm_lock(&mut c, path, text),
            "poetry.lock" | "uv.lock" => toml_packages(&mut c, path, text, Ecosystem::PyPI),
            "Cargo.lock" => toml_packages(&mut c, path, text, Ecosystem::CratesIo),
            "Pipfile.lock" => pipfile_lock(&mut c, path, text),
            "go.mod" => go_mod_file(&mut c, path, text),
            "go.sum" if !go_mod.contains(dir_of(path)) => go_sum(&mut c, path, text),
            "go.sum" => {}
            _ => requirements(&mut c, path, text),
        }
    }
    c.m.total = c.all.len();
    c.all.truncate(MAX_PACKAGES);
    c.m.packages = c.all;
    c.m
}

fn classify_npm_spec(spec: &str) -> Option<SourceKind> {
    let s = spec.trim();
    let lower = s.to_ascii_lowercase();
    if ["git+", "git://", "git@", "github:", "gitlab:", "bitbucket:", "gist:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Some(SourceKind::Git);
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(SourceKind::Url);
    }
    if ["file:", "link:", "portal:", "./", "../", "~/", "/"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Some(SourceKind::Local);
    }
    // npm reads a bare `user/repo` (optionally `#ref`) as a GitHub repository.
    let head = s.split('#').next().unwrap_or("");
    if !s.starts_with('@')
        && head.matches('/').count() == 1
        && !head.contains(':')
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        return Some(SourceKind::Git);
    }
    None
}

fn package_json(c: &mut Collector, path: &str, text: &str, locked: bool) {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return;
    };
    for (section, dev) in [
        ("dependencies", false),
        ("optionalDependencies", false),
        ("devDependencies", true),
    ] {
        let Some(deps) = v.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, spec) in deps {
            let Some(spec) = spec.as_str() else { continue };
            match classify_npm_spec(spec) {
                Some(kind) => c.source(path, name, spec, kind, dev),
                // An exact pin counts only when no lockfile says what is really installed.
                None if !locked => {
                    let v = spec.trim().trim_start_matches('=').trim_start_matches('v');
                    let core = v.split(['-', '+']).next().unwrap_or("");
                    let parts: Vec<&str> = core.split('.').collect();
                    if parts.len() == 3
                        && parts
                            .iter()
                            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    {
                        c.add(Ecosystem::Npm, name, v, path);
                    }
                }
                None => {}
            }
        }
    }
}

fn package_lock(c: &mut Collector, path: &str, text: &str) {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let registry = |e: &Value| {
        let resolved = e.get("resolved").and_then(Value::as_str).unwrap_or("");
        public_npm(resolved) && e.get("link").and_then(Value::as_bool) != Some(true)
    };
    if let Some(pkgs) = v.get("packages").and_then(Value::as_object) {
        for (key, e) in pkgs {
            // "" is the project itself; keys without node_modules/ are workspace folders.
            let Some(i) = key.rfind("node_modules/") else {
                continue;
            };
            if !registry(e) {
                continue;
            }
            let name = e
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&key[i + "node_modules/".len()..]);
            if let Some(ver) = e.get("version").and_then(Value::as_str) {
                c.add(Ecosystem::Npm, name, ver, path);
            }
        }
        return;
    }
    // Lockfile v1: nested `dependencies`.
    fn walk(c: &mut Collector, path: &str, deps: &serde_json::Map<String, Value>, depth: usize) {
        if depth > 64 {
            return;
        }
        for (name, e) in deps {
            let resolved = e.get("resolved").and_then(Value::as_str).unwrap_or("");
            if public_npm(resolved) {
                if let Some(ver) = e.get("version").and_then(Value::as_str) {
                    c.add(Ecosystem::Npm, name, ver, path);
                }
            }
            if let Some(sub) = e.get("dependencies").and_then(Value::as_object) {
                walk(c, path, sub, depth + 1);
            }
        }
    }
    if let Some(deps) = v.get("dependencies").and_then(Value::as_object) {
        walk(c, path, deps, 0);
    }
}

/// Resolved from the public npm registry (or not recorded). A package from a private
/// registry is not the public package of that name: OSV's advisories (a `MAL-` record for a
/// dependency-confusion squat of an internal name) are about the public one.
fn public_npm(resolved: &str) -> bool {
    resolved.is_empty()
        || [
            "https://registry.npmjs.org/",
            "https://registry.yarnpkg.com/",
            "https://registry.npmmirror.com/",
        ]
        .iter()
        .any(|r| resolved.starts_with(r))
}

/// `name@range` → name (scoped names start with `@`).
fn npm_name_of_spec(spec: &str) -> Option<(&str, &str)> {
    let spec = spec.trim().trim_matches('"');
    // Skip a scope's leading `@` (a byte offset of 0 or 1, always a char boundary).
    let off = usize::from(spec.starts_with('@'));
    let at = spec[off..].find('@')? + off;
    Some((&spec[..at], &spec[at + 1..]))
}

/// Classic (v1) and Berry yarn lockfiles, line by line.
fn yarn_lock(c: &mut Collector, path: &str, text: &str) {
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            current = None;
            let Some(key) = line.strip_suffix(':') else {
                continue;
            };
            let first = key.split(',').next().unwrap_or("");
            let Some((name, range)) = npm_name_of_spec(first) else {
                continue;
            };
            // Berry protocols other than the registry are local or git code.
            let r = range.to_ascii_lowercase();
            let registry = if r.contains(':') {
                r.starts_with("npm:") && !r.contains("://")
            } else {
                classify_npm_spec(range).is_none()
            };
            if registry && name != "__metadata" {
                current = Some(name.to_string());
            }
            continue;
        }
        let t = line.trim();
        if let Some(name) = &current {
            if let Some(v) = t.strip_prefix("version ").or_else(|| t.strip_prefix("version:")) {
                c.add(Ecosystem::Npm, &name.clone(), v.trim().trim_matches('"'), path);
                current = None;
            }
        }
    }
}

/// pnpm lockfiles v5 (`/name/1.0.0_peer`), v6 (`/name@1.0.0(peer)`) and v9
/// (`name@1.0.0`): the keys of the top-level `packages:` map.
fn pnpm_lock(c: &mut Collector, path: &str, text: &str) {
    let v5 = text
        .lines()
        .find_map(|l| l.strip_prefix("lockfileVersion:"))
        .map(|v| v.trim().trim_matches(|c| c == '\'' || c == '"').starts_with('5'))
        .unwrap_or(false);
    let mut in_packages = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_packages = line.trim_end() == "packages:";
            continue;
        }
        if !in_packages || !line.starts_with("  ") || line.starts_with("   ") {
            continue;
        }
        let Some(key) = line.trim().strip_suffix(':') else {
            continue;
        };
        let key = key.trim_matches(|c| c == '\'' || c == '"');
        if key.contains("://") || key.starts_with("file:") || key.starts_with("link:") {
            continue;
        }
        let key = key.strip_prefix('/').unwrap_or(key);
        let key = key.split('(').next().unwrap_or(key);
        let (name, ver) = if v5 {
            let Some((n, v)) = key.rsplit_once('/') else {
                continue;
            };
            (n, v.split('_').next().unwrap_or(v))
        } else {
            let off = usize::from(key.starts_with('@'));
            let Some(at) = key[off..].rfind('@').map(|a| a + off) else {
                continue;
            };
            (&key[..at], &key[at + 1..])
        };
        if !name.contains(':') {
            c.add(Ecosystem::Npm, name, ver, path);
        }
    }
}

fn toml_string(line: &str, key: &str) -> Option<String> {
    let rest = line.strip_prefix(key)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim();
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// `[[package]]` tables of Cargo.lock, poetry.lock and uv.lock, line by line. Only
/// registry packages: workspace members, path and git sources are the project's own code or
/// not what the registry holds under that version.
fn toml_packages(c: &mut Collector, path: &str, text: &str, eco: Ecosystem) {
    #[derive(Default)]
    struct Block {
        name: Option<String>,
        version: Option<String>,
        source: Option<String>,
        poetry_source_type: Option<String>,
    }
    let cargo = eco == Ecosystem::CratesIo;
    let uv = file_name(path) == "uv.lock";
    let flush = |c: &mut Collector, b: &Block| {
        let (Some(n), Some(v)) = (&b.name, &b.version) else {
            return;
        };
        let ok = if cargo {
            b.source.as_deref().is_some_and(|s| {
                s.starts_with("registry+") && s.contains("crates.io-index")
                    || s.starts_with("sparse+") && s.contains("index.crates.io")
            })
        } else if uv {
            // PyPI itself, not a private index (its packages are not PyPI's of that name).
            b.source
                .as_deref()
                .is_some_and(|s| s.contains("registry") && s.contains("://pypi.org/"))
        } else {
            // Any `[package.source]` (git, path, url, or a private `legacy` index) is not PyPI.
            b.poetry_source_type.is_none()
        };
        if ok {
            c.add(eco, n, v, path);
        }
    };
    let mut block: Option<Block> = None;
    let mut in_poetry_source = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with('[') {
            in_poetry_source = false;
            if line == "[[package]]" {
                if let Some(b) = block.take() {
                    flush(c, &b);
                }
                block = Some(Block::default());
            } else if line == "[package.source]" {
                in_poetry_source = true;
            } else if !line.starts_with("[package.") && !line.starts_with("[[package.") {
                if let Some(b) = block.take() {
                    flush(c, &b);
                }
            }
            continue;
        }
        let Some(b) = block.as_mut() else { continue };
        // Only top-level keys of the block (sub-tables' keys are indented or under headers).
        if raw.starts_with(' ') || raw.starts_with('\t') {
            continue;
        }
        if in_poetry_source {
            if let Some(t) = toml_string(line, "type") {
                b.poetry_source_type = Some(t);
            }
            continue;
        }
        if let Some(n) = toml_string(line, "name") {
            b.name.get_or_insert(n);
        } else if let Some(v) = toml_string(line, "version") {
            b.version.get_or_insert(v);
        } else if let Some(rest) = line.strip_prefix("source") {
            if let Some(v) = rest.trim_start().strip_prefix('=') {
                b.source = Some(v.trim().trim_matches('"').to_string());
            }
        }
    }
    if let Some(b) = block.take() {
        flush(c, &b);
    }
}

fn pipfile_lock(c: &mut Collector, path: &str, text: &str) {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return;
    };
    for section in ["default", "develop"] {
        let Some(deps) = v.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, e) in deps {
            if let Some(ver) = e.get("version").and_then(Value::as_str) {
                if let Some(ver) = ver.strip_prefix("==") {
                    c.add(Ecosystem::PyPI, name, ver, path);
                }
            }
        }
    }
}

/// Go versions go to OSV without the `v` (its Go records use bare semver).
fn go_version(v: &str) -> &str {
    v.strip_prefix('v').unwrap_or(v)
}

fn go_mod_file(c: &mut Collector, path: &str, text: &str) {
    let mut replaced: HashSet<String> = HashSet::new();
    let mut requires: Vec<(String, String)> = vec![];
    let mut block: Option<&str> = None;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if line == ")" {
            block = None;
            continue;
        }
        let (kind, rest) = match block {
            Some(k) => (k, line),
            None => {
                let (k, r) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                let r = r.trim();
                if r == "(" {
                    block = Some(match k {
                        "require" => "require",
                        "replace" => "replace",
                        _ => "other",
                    });
                    continue;
                }
                (k, r)
            }
        };
        let mut parts = rest.split_whitespace();
        match kind {
            "require" => {
                if let (Some(m), Some(v)) = (parts.next(), parts.next()) {
                    requires.push((m.to_string(), v.to_string()));
                }
            }
            "replace" => {
                if let Some(m) = parts.next() {
                    replaced.insert(m.to_string());
                }
            }
            _ => {}
        }
    }
    for (m, v) in requires {
        if !replaced.contains(&m) {
            c.add(Ecosystem::Go, &m, go_version(&v), path);
        }
    }
}

fn go_sum(c: &mut Collector, path: &str, text: &str) {
    for line in text.lines() {
        let mut p = line.split_whitespace();
        let (Some(m), Some(v)) = (p.next(), p.next()) else {
            continue;
        };
        // `/go.mod` lines are hashes of module files read for version selection only.
        if !v.ends_with("/go.mod") {
            c.add(Ecosystem::Go, m, go_version(v), path);
        }
    }
}

fn requirements(c: &mut Collector, path: &str, text: &str) {
    let lower_name = file_name(path).to_ascii_lowercase();
    let dev = ["dev", "test", "doc", "lint", "ci"]
        .iter()
        .any(|w| lower_name.contains(w));
    let mut joined = String::new();
    for raw in text.lines() {
        // Line continuations.
        if let Some(head) = raw.strip_suffix('\\') {
            joined.push_str(head);
            joined.push(' ');
            continue;
        }
        joined.push_str(raw);
        let line = std::mem::take(&mut joined);
        // A comment starts at `#` preceded by whitespace (URLs carry `#egg=` fragments).
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None if line.trim_start().starts_with('#') => "",
            None => &line,
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(rest) = ["--index-url", "--extra-index-url", "--find-links", "-i ", "-f "]
            .iter()
            .find_map(|p| lower.strip_prefix(p).map(|_| &line[p.len()..]))
        {
            let url = rest.trim_start_matches('=').trim();
            if url.starts_with("http") {
                c.source(path, "", url, SourceKind::Index, dev);
            }
            continue;
        }
        let (editable, spec) = match line.strip_prefix("-e ").or_else(|| line.strip_prefix("--editable ")) {
            Some(s) => (true, s.trim()),
            None => (false, line),
        };
        if spec.starts_with('-') {
            continue; // -r, -c, --hash, --no-binary, …
        }
        let url_kind = |u: &str| {
            let l = u.to_ascii_lowercase();
            if l.starts_with("git+") || l.starts_with("git://") {
                Some(SourceKind::Git)
            } else if l.starts_with("file:") || l.starts_with('.') || l.starts_with('/') {
                Some(SourceKind::Local)
            } else if l.starts_with("http://") || l.starts_with("https://") {
                Some(SourceKind::Url)
            } else {
                None
            }
        };
        // `name @ url` (PEP 508 direct reference).
        if let Some((name, url)) = spec.split_once(" @ ").or_else(|| spec.split_once("@ ")) {
            if let Some(k) = url_kind(url.trim()) {
                c.source(path, name.trim(), url.trim(), k, dev);
                continue;
            }
        }
        if let Some(k) = url_kind(spec) {
            c.source(path, "", spec, k, dev);
            continue;
        }
        if editable {
            c.source(path, "", spec, SourceKind::Local, dev);
            continue;
        }
        // name[extras] == version ; markers --hash=…
        let spec = spec.split(';').next().unwrap_or("");
        let spec = spec.split(" --").next().unwrap_or("");
        let spec: String = spec.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(i) = spec.find("==") else { continue };
        let name = spec[..i].split('[').next().unwrap_or("");
        let ver = spec[i + 2..].trim_start_matches('=');
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            c.add(Ecosystem::PyPI, name, ver, path);
        }
    }
}

// ---------------------------------------------------------------- checks

fn coverage_note(m: &Manifests) -> String {
    let mut s = String::new();
    if m.total > m.packages.len() {
        s.push_str(&format!(
            " Only the first {} of {} pinned packages were checked.",
            m.packages.len(),
            m.total
        ));
    }
    if !m.unread.is_empty() {
        s.push_str(&format!(
            " Too large to read: {}.",
            m.unread.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    s
}

fn not_checked(lookup: &Lookup, m: &Manifests) -> Option<String> {
    match lookup {
        Lookup::Offline => Some("Dependencies were not looked up in OSV in this analysis.".into()),
        Lookup::NothingToQuery if m.unread.is_empty() => {
            Some("No lockfile or exactly pinned dependency to check against OSV.".into())
        }
        Lookup::NothingToQuery => Some(format!(
            "No readable lockfile to check against OSV.{}",
            coverage_note(m)
        )),
        Lookup::Unavailable(why) => Some(format!(
            "The OSV vulnerability database could not be reached ({why}); {} pinned packages were not checked.",
            m.packages.len()
        )),
        Lookup::Done => None,
    }
}

fn pkg_label(p: &Package) -> String {
    format!("{} {} ({})", p.name, p.version, p.ecosystem.osv_name())
}

/// `deps.malicious`, `deps.vulnerabilities` and `deps.sources`. All 0 points when clean.
pub fn assess(d: &DepsIntel) -> Assessment {
    let mut a = Assessment::default();
    let m = &d.manifests;
    let unchecked = not_checked(&d.lookup, m);

    // Known-malicious releases: a scam check. Reported even when a later OSV chunk failed.
    let malicious: Vec<(&Package, &Advisory)> = d
        .hits
        .iter()
        .flat_map(|h| {
            h.advisories
                .iter()
                .filter(|v| v.is_malicious())
                .map(move |v| (&h.package, v))
        })
        .collect();
    if !malicious.is_empty() {
        let names: Vec<String> = malicious
            .iter()
            .map(|(p, v)| format!("{} ({})", pkg_label(p), v.id))
            .collect();
        a.check(
            "deps.malicious",
            "Known-malicious dependencies",
            CheckStatus::Fail,
            -50,
            format!(
                "{} installed package version(s) are known malware in OSV: {}.",
                malicious.len(),
                names.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
        );
        for (p, v) in malicious.iter().take(MAX_FLAGS) {
            a.red(
                "deps.malicious",
                Severity::Critical,
                format!("Known-malicious package {}@{}", p.name, p.version),
                format!(
                    "{} installs {} {}, which OSV lists as malicious ({}{}). Installing this project runs that code.",
                    p.file,
                    p.name,
                    p.version,
                    v.id,
                    v.summary.as_deref().map(|s| format!(": {s}")).unwrap_or_default()
                ),
            );
        }
        a.tag("#MaliciousDependency");
        a.critical_scam = true;
    } else if let Some(why) = &unchecked {
        a.check(
            "deps.malicious",
            "Known-malicious dependencies",
            CheckStatus::Info,
            0,
            why.clone(),
        );
    } else {
        a.check(
            "deps.malicious",
            "Known-malicious dependencies",
            CheckStatus::Pass,
            0,
            format!(
                "{} pinned package version(s) checked against OSV; none is a known-malicious release.{}",
                m.packages.len(),
                coverage_note(m)
            ),
        );
    }

    // Known vulnerabilities: worth knowing, never a scam.
    let mut worst: Vec<(&Package, VulnSeverity, Vec<&Advisory>)> = d
        .hits
        .iter()
        .filter_map(|h| {
            let vulns: Vec<&Advisory> = h
                .advisories
                .iter()
                .filter(|v| !v.withdrawn && !v.id.starts_with("MAL-"))
                .collect();
            let w = vulns.iter().map(|v| v.severity).max()?;
            Some((&h.package, w, vulns))
        })
        .collect();
    worst.sort_by_key(|w| std::cmp::Reverse(w.1));
    if worst.is_empty() {
        match &unchecked {
            Some(why) => a.check(
                "deps.vulnerabilities",
                "Known vulnerabilities in dependencies",
                CheckStatus::Info,
                0,
                why.clone(),
            ),
            None => a.check(
                "deps.vulnerabilities",
                "Known vulnerabilities in dependencies",
                CheckStatus::Pass,
                0,
                format!(
                    "No known vulnerabilities in {} pinned package version(s).{}",
                    m.packages.len(),
                    coverage_note(m)
                ),
            ),
        }
    } else {
        let serious = worst.iter().filter(|w| w.1 >= VulnSeverity::High).count();
        let points = (-5 * serious as i32).max(-10);
        let list: Vec<String> = worst
            .iter()
            .take(5)
            .map(|(p, _, v)| {
                format!(
                    "{} ({})",
                    pkg_label(p),
                    v.iter().take(2).map(|v| v.id.as_str()).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        let partial = match &d.lookup {
            Lookup::Unavailable(why) => format!(" OSV stopped answering part-way ({why})."),
            _ => String::new(),
        };
        a.check(
            "deps.vulnerabilities",
            "Known vulnerabilities in dependencies",
            if serious > 0 {
                CheckStatus::Warn
            } else {
                CheckStatus::Info
            },
            points,
            format!(
                "{} package version(s) with known vulnerabilities, {serious} rated high or critical: {}.{}{partial}",
                worst.len(),
                list.join("; "),
                coverage_note(m)
            ),
        );
        for (p, sev, v) in worst.iter().filter(|w| w.1 >= VulnSeverity::High).take(MAX_FLAGS) {
            let first = v.iter().max_by_key(|v| v.severity).expect("non-empty");
            a.red(
                "deps.vulnerabilities",
                Severity::Medium,
                format!(
                    "Vulnerable dependency {}@{} ({})",
                    p.name,
                    p.version,
                    if *sev == VulnSeverity::Critical {
                        "critical"
                    } else {
                        "high"
                    }
                ),
                format!(
                    "{} pins {} {}: {}{}. Upgrade to a fixed release.",
                    p.file,
                    p.name,
                    p.version,
                    first.id,
                    first.summary.as_deref().map(|s| format!(" — {s}")).unwrap_or_default()
                ),
            );
        }
        if serious > 0 {
            a.tag("#VulnerableDeps");
        }
    }

    sources_check(&mut a, m);
    a
}

fn sources_check(a: &mut Assessment, m: &Manifests) {
    let remote: Vec<&DepSource> = m
        .sources
        .iter()
        .filter(|s| matches!(s.kind, SourceKind::Git | SourceKind::Url))
        .collect();
    let shipped: Vec<&&DepSource> = remote.iter().filter(|s| !s.dev).collect();
    let describe = |s: &DepSource| {
        if s.name.is_empty() {
            format!("{} in {}", s.spec, s.file)
        } else {
            format!("{} → {} in {}", s.name, s.spec, s.file)
        }
    };
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &m.sources {
        *by_kind
            .entry(match s.kind {
                SourceKind::Git => "git",
                SourceKind::Url => "URL",
                SourceKind::Local => "local path",
                SourceKind::Index => "extra package index",
            })
            .or_default() += 1;
    }
    let counts = by_kind
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    if !shipped.is_empty() {
        a.check(
            "deps.sources",
            "Dependencies from outside the registries",
            CheckStatus::Warn,
            -3,
            format!(
                "{} runtime dependenc{} installed straight from git or a URL ({counts}): {}. Such code has no registry release or advisory history, and can change under the same name.",
                shipped.len(),
                if shipped.len() == 1 { "y is" } else { "ies are" },
                shipped.iter().take(3).map(|s| describe(s)).collect::<Vec<_>>().join("; ")
            ),
        );
        for s in shipped.iter().take(MAX_FLAGS) {
            a.red(
                "deps.sources",
                Severity::Medium,
                format!(
                    "Dependency from {}{}",
                    if s.kind == SourceKind::Git { "git" } else { "a URL" },
                    if s.name.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", s.name)
                    }
                ),
                describe(s),
            );
        }
    } else if !m.sources.is_empty() {
        a.check(
            "deps.sources",
            "Dependencies from outside the registries",
            CheckStatus::Info,
            0,
            format!(
                "Non-registry dependencies ({counts}): workspace links, development-only or extra indexes{}.",
                remote
                    .first()
                    .map(|s| format!("; e.g. {}", describe(s)))
                    .unwrap_or_default()
            ),
        );
    } else {
        a.check(
            "deps.sources",
            "Dependencies from outside the registries",
            CheckStatus::Pass,
            0,
            if m.files.is_empty() {
                "No dependency manifests found.".to_string()
            } else {
                "Every declared dependency comes from a package registry.".to_string()
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> FileTree {
        let mut t = FileTree::default();
        for (p, c) in files {
            t.add(*p, c.as_bytes().to_vec());
        }
        t
    }

    fn has(m: &Manifests, eco: Ecosystem, name: &str, ver: &str) -> bool {
        m.packages
            .iter()
            .any(|p| p.ecosystem == eco && p.name == name && p.version == ver)
    }

    #[test]
    fn npm_lockfiles() {
        let lock = r#"{"name":"app","lockfileVersion":3,"packages":{
            "":{"name":"app","dependencies":{"lodash":"^4.17.0"}},
            "node_modules/lodash":{"version":"4.17.20","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"},
            "node_modules/@scope/pkg/node_modules/ms":{"version":"2.0.0"},
            "node_modules/alias":{"name":"real-name","version":"1.0.0"},
            "node_modules/mine":{"resolved":"packages/mine","link":true},
            "node_modules/fromgit":{"version":"1.0.0","resolved":"git+ssh://git@github.com/a/b.git#abc"},
            "node_modules/@corp/internal":{"version":"9.0.0","resolved":"https://npm.corp.example/@corp/internal/-/internal-9.0.0.tgz"},
            "packages/mine":{"version":"0.1.0"}}}"#;
        let m = collect(&tree(&[
            ("package-lock.json", lock),
            (
                "package.json",
                r#"{"dependencies":{"lodash":"^4.17.0","left-pad":"1.3.0"}}"#,
            ),
        ]));
        assert!(has(&m, Ecosystem::Npm, "lodash", "4.17.20"));
        assert!(has(&m, Ecosystem::Npm, "ms", "2.0.0"));
        assert!(has(&m, Ecosystem::Npm, "real-name", "1.0.0"));
        assert!(!m.packages.iter().any(|p| p.name == "mine" || p.name == "fromgit"));
        // With a lockfile next to it, package.json pins are not guessed at.
        assert!(!m.packages.iter().any(|p| p.name == "left-pad"));
        // v1 nested dependencies.
        let v1 = r#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}}}}"#;
        let m = collect(&tree(&[("package-lock.json", v1)]));
        assert!(has(&m, Ecosystem::Npm, "a", "1.0.0") && has(&m, Ecosystem::Npm, "b", "2.0.0"));
        // Without a lockfile an exact pin counts, a range does not.
        let m = collect(&tree(&[(
            "package.json",
            r#"{"dependencies":{"left-pad":"1.3.0","x":"^1.0.0","y":"latest","z":"1.2.x"}}"#,
        )]));
        assert!(has(&m, Ecosystem::Npm, "left-pad", "1.3.0"));
        assert_eq!(m.packages.len(), 1);
    }

    #[test]
    fn non_ascii_names_do_not_panic() {
        // Regression: slicing at byte 1 of a name starting with a multi-byte character.
        let yarn = "# yarn lockfile v1\n\nä@^1:\n  version \"1.0.0\"\n";
        let _ = collect(&tree(&[("yarn.lock", yarn)]));
        let pnpm = "lockfileVersion: '9.0'\n\npackages:\n\n  ä@1.0.0:\n    resolution: {}\n";
        let m = collect(&tree(&[("pnpm-lock.yaml", pnpm)]));
        assert!(has(&m, Ecosystem::Npm, "ä", "1.0.0"));
    }

    #[test]
    fn yarn_and_pnpm() {
        let yarn = "# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  resolved \"https://registry.yarnpkg.com/x\"\n\nlodash@^4.17.0:\n  version \"4.17.21\"\n\nmine@file:../mine:\n  version \"0.0.1\"\n";
        let m = collect(&tree(&[("yarn.lock", yarn)]));
        assert!(has(&m, Ecosystem::Npm, "@babel/code-frame", "7.12.13"));
        assert!(has(&m, Ecosystem::Npm, "lodash", "4.17.21"));
        assert!(!m.packages.iter().any(|p| p.name == "mine"));
        let berry = "__metadata:\n  version: 6\n\n\"lodash@npm:^4.17.0\":\n  version: 4.17.21\n  resolution: \"lodash@npm:4.17.21\"\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n";
        let m = collect(&tree(&[("yarn.lock", berry)]));
        assert!(has(&m, Ecosystem::Npm, "lodash", "4.17.21"));
        assert_eq!(m.packages.len(), 1);

        let v9 = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      lodash:\n        specifier: ^4.17.0\n        version: 4.17.21\n\npackages:\n\n  '@babel/core@7.24.0':\n    resolution: {integrity: sha512-x}\n\n  lodash@4.17.21:\n    resolution: {integrity: sha512-y}\n\n  react-dom@18.2.0(react@18.2.0):\n    resolution: {}\n\nsnapshots:\n\n  lodash@4.17.22: {}\n";
        let m = collect(&tree(&[("pnpm-lock.yaml", v9)]));
        assert!(has(&m, Ecosystem::Npm, "@babel/core", "7.24.0"));
        assert!(has(&m, Ecosystem::Npm, "lodash", "4.17.21"));
        assert!(has(&m, Ecosystem::Npm, "react-dom", "18.2.0"));
        assert!(
            !has(&m, Ecosystem::Npm, "lodash", "4.17.22"),
            "snapshots are not packages"
        );
        let v5 = "lockfileVersion: 5.4\n\npackages:\n\n  /@babel/core/7.12.3:\n    resolution: {}\n  /react-dom/17.0.2_react@17.0.2:\n    resolution: {}\n";
        let m = collect(&tree(&[("pnpm-lock.yaml", v5)]));
        assert!(has(&m, Ecosystem::Npm, "@babel/core", "7.12.3"));
        assert!(has(&m, Ecosystem::Npm, "react-dom", "17.0.2"));
    }

    #[test]
    fn python_rust_go() {
        let req = "# pinned\nrequests == 2.19.0\nDjango[argon2]==3.0.1 ; python_version >= '3.8'\nflask>=2.0\nnumpy==1.*\n-r base.txt\n--hash=sha256:abc\nPyYAML==5.3 \\\n    --hash=sha256:def\n";
        let m = collect(&tree(&[("requirements.txt", req)]));
        assert!(has(&m, Ecosystem::PyPI, "requests", "2.19.0"));
        assert!(has(&m, Ecosystem::PyPI, "django", "3.0.1"));
        assert!(has(&m, Ecosystem::PyPI, "pyyaml", "5.3"));
        assert_eq!(m.packages.len(), 3, "{:?}", m.packages);

        let poetry = "[[package]]\nname = \"urllib3\"\nversion = \"1.26.4\"\ndescription = \"x\"\n\n[package.extras]\nbrotli = [\"brotlipy (>=0.6.0)\"]\n\n[[package]]\nname = \"mylib\"\nversion = \"0.1.0\"\n\n[package.source]\ntype = \"git\"\nurl = \"https://github.com/a/b\"\n\n[metadata]\nlock-version = \"2.0\"\n";
        let m = collect(&tree(&[("poetry.lock", poetry)]));
        assert!(has(&m, Ecosystem::PyPI, "urllib3", "1.26.4"));
        assert!(!m.packages.iter().any(|p| p.name == "mylib"));

        let uv = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"corp-lib\"\nversion = \"1.0.0\"\nsource = { registry = \"https://pypi.corp.example/simple\" }\n\n[[package]]\nname = \"jinja2\"\nversion = \"2.10\"\nsource = { registry = \"https://pypi.org/simple\" }\ndependencies = [\n    { name = \"markupsafe\" },\n]\n";
        let m = collect(&tree(&[("uv.lock", uv)]));
        assert!(has(&m, Ecosystem::PyPI, "jinja2", "2.10"));
        assert_eq!(m.packages.len(), 1);

        let cargo = "version = 3\n\n[[package]]\nname = \"mycrate\"\nversion = \"0.1.0\"\ndependencies = [\n \"smallvec\",\n]\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"abc\"\n\n[[package]]\nname = \"forked\"\nversion = \"1.0.0\"\nsource = \"git+https://github.com/a/forked#abc\"\n";
        let m = collect(&tree(&[("Cargo.lock", cargo)]));
        assert!(has(&m, Ecosystem::CratesIo, "smallvec", "1.6.0"));
        assert_eq!(m.packages.len(), 1);

        let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.17.0\n\tgithub.com/a/b v1.2.3 // indirect\n)\n\nrequire github.com/c/d v0.0.0-20200101000000-abcdef123456\n\nreplace github.com/a/b => ../b\n";
        let gosum =
            "golang.org/x/net v0.17.0 h1:x=\ngolang.org/x/net v0.10.0/go.mod h1:y=\ngolang.org/x/text v0.3.0 h1:z=\n";
        let m = collect(&tree(&[("go.mod", gomod), ("go.sum", gosum)]));
        assert!(has(&m, Ecosystem::Go, "golang.org/x/net", "0.17.0"));
        assert!(has(
            &m,
            Ecosystem::Go,
            "github.com/c/d",
            "0.0.0-20200101000000-abcdef123456"
        ));
        assert!(!m.packages.iter().any(|p| p.name == "github.com/a/b"), "replaced");
        assert!(
            !m.packages.iter().any(|p| p.name == "golang.org/x/text"),
            "go.sum ignored next to go.mod"
        );
        let m = collect(&tree(&[("svc/go.sum", gosum)]));
        assert!(has(&m, Ecosystem::Go, "golang.org/x/text", "0.3.0"));
        assert!(!has(&m, Ecosystem::Go, "golang.org/x/net", "0.10.0"));
    }

    #[test]
    fn skips_vendored_tests_and_truncated() {
        let lock = r#"{"lockfileVersion":3,"packages":{"node_modules/evil":{"version":"1.0.0"}}}"#;
        let mut t = tree(&[
            ("node_modules/x/package-lock.json", lock),
            ("test/fixtures/malicious/package-lock.json", lock),
        ]);
        t.files.push(crate::tree::RepoFile {
            path: "package-lock.json".into(),
            data: b"{".to_vec(),
            size: 9_000_000,
            truncated: true,
        });
        let m = collect(&t);
        assert!(m.packages.is_empty());
        assert_eq!(m.unread, vec!["package-lock.json".to_string()]);
    }

    #[test]
    fn cap_keeps_root_first() {
        let mut root = String::from("[[package]]\n");
        let mut deep = String::new();
        for i in 0..900 {
            root.push_str(&format!(
                "[[package]]\nname = \"r{i}\"\nversion = \"1.0.{i}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
            ));
            deep.push_str(&format!("d{i}==1.0.{i}\n"));
        }
        let m = collect(&tree(&[("a/b/requirements.txt", &deep), ("Cargo.lock", &root)]));
        assert_eq!(m.total, 1800);
        assert_eq!(m.packages.len(), MAX_PACKAGES);
        assert!(m.packages[..900].iter().all(|p| p.ecosystem == Ecosystem::CratesIo));
    }

    #[test]
    fn sources() {
        let pj = r#"{"dependencies":{"a":"git+https://github.com/x/a.git","b":"github:x/b","c":"x/c#v1","d":"https://cdn.example/d-1.0.0.tgz","e":"file:../e","f":"^1.0.0","g":"@scope/g","h":"npm:other@1.0.0","i":"workspace:*"},"devDependencies":{"t":"git+https://github.com/x/t.git"}}"#;
        let m = collect(&tree(&[("package.json", pj)]));
        let kind = |n: &str| m.sources.iter().find(|s| s.name == n).map(|s| (s.kind, s.dev));
        assert_eq!(kind("a"), Some((SourceKind::Git, false)));
        assert_eq!(kind("b"), Some((SourceKind::Git, false)));
        assert_eq!(kind("c"), Some((SourceKind::Git, false)));
        assert_eq!(kind("d"), Some((SourceKind::Url, false)));
        assert_eq!(kind("e"), Some((SourceKind::Local, false)));
        assert_eq!(kind("t"), Some((SourceKind::Git, true)));
        for n in ["f", "g", "h", "i"] {
            assert_eq!(kind(n), None, "{n}");
        }
        let req = "pkg @ https://files.example/pkg-1.0.tar.gz\n-e git+https://github.com/x/y.git#egg=y\n-e .\n--extra-index-url https://download.pytorch.org/whl/cu118\nrequests==2.31.0  # comment\n";
        let m = collect(&tree(&[("requirements.txt", req)]));
        let kinds: Vec<SourceKind> = m.sources.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            vec![SourceKind::Url, SourceKind::Git, SourceKind::Local, SourceKind::Index]
        );
        assert!(has(&m, Ecosystem::PyPI, "requests", "2.31.0"));
    }

    fn intel(hits: Vec<PackageHit>, lookup: Lookup) -> DepsIntel {
        DepsIntel {
            manifests: Manifests {
                packages: hits.iter().map(|h| h.package.clone()).collect(),
                total: hits.len(),
                files: vec!["package-lock.json".into()],
                ..Default::default()
            },
            lookup,
            hits,
        }
    }

    fn hit(name: &str, adv: &[(&str, VulnSeverity)]) -> PackageHit {
        PackageHit {
            package: Package {
                ecosystem: Ecosystem::Npm,
                name: name.into(),
                version: "1.0.0".into(),
                file: "package-lock.json".into(),
            },
            advisories: adv
                .iter()
                .map(|(id, s)| Advisory {
                    id: id.to_string(),
                    summary: Some("Malicious code in x".into()),
                    severity: *s,
                    withdrawn: false,
                })
                .collect(),
        }
    }

    fn check<'a>(a: &'a Assessment, id: &str) -> &'a crate::result::Check {
        a.checks.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn malicious_is_critical_scam_vulnerable_is_points() {
        let a = assess(&intel(
            vec![hit("evil-pkg", &[("MAL-2024-1234", VulnSeverity::Unknown)])],
            Lookup::Done,
        ));
        assert!(a.critical_scam);
        assert_eq!(check(&a, "deps.malicious").points, -50);
        assert!(a.red_flags[0].detail.contains("MAL-2024-1234"));
        assert_eq!(check(&a, "deps.vulnerabilities").points, 0);

        // A withdrawn MAL- record is not a finding.
        let mut h = hit("ok-pkg", &[("MAL-2024-9", VulnSeverity::Unknown)]);
        h.advisories[0].withdrawn = true;
        let a = assess(&intel(vec![h], Lookup::Done));
        assert!(!a.critical_scam);

        let a = assess(&intel(
            vec![
                hit(
                    "a",
                    &[("GHSA-1", VulnSeverity::Critical), ("GHSA-2", VulnSeverity::Low)],
                ),
                hit("b", &[("GHSA-3", VulnSeverity::High)]),
                hit("c", &[("GHSA-4", VulnSeverity::High)]),
                hit("d", &[("GHSA-5", VulnSeverity::Moderate)]),
            ],
            Lookup::Done,
        ));
        assert!(!a.critical_scam, "vulnerabilities are never a scam");
        let c = check(&a, "deps.vulnerabilities");
        assert_eq!(c.points, -10, "capped");
        assert_eq!(c.status, CheckStatus::Warn);
        assert_eq!(check(&a, "deps.malicious").status, CheckStatus::Pass);

        let a = assess(&intel(
            vec![hit("d", &[("GHSA-5", VulnSeverity::Moderate)])],
            Lookup::Done,
        ));
        let c = check(&a, "deps.vulnerabilities");
        assert_eq!((c.points, c.status), (0, CheckStatus::Info));
    }

    #[test]
    fn unavailable_and_clean_are_zero() {
        let a = assess(&intel(vec![], Lookup::Unavailable("it answered 503".into())));
        for id in ["deps.malicious", "deps.vulnerabilities"] {
            let c = check(&a, id);
            assert_eq!((c.points, c.status), (0, CheckStatus::Info));
            assert!(c.detail.contains("503"));
        }
        let a = assess(&intel(vec![], Lookup::Done));
        assert!(a.checks.iter().all(|c| c.points == 0));
        assert_eq!(a.checks.len(), 3);
        assert!(a.red_flags.is_empty());
    }

    #[test]
    fn sources_points() {
        let dev_only = collect(&tree(&[(
            "package.json",
            r#"{"dependencies":{"e":"file:../e"},"devDependencies":{"t":"github:x/t"}}"#,
        )]));
        let a = assess(&DepsIntel::offline(dev_only));
        let c = check(&a, "deps.sources");
        assert_eq!((c.points, c.status), (0, CheckStatus::Info));
        let runtime = collect(&tree(&[(
            "package.json",
            r#"{"dependencies":{"w":"git+https://github.com/x/w.git"}}"#,
        )]));
        let a = assess(&DepsIntel::offline(runtime));
        let c = check(&a, "deps.sources");
        assert_eq!((c.points, c.status), (-3, CheckStatus::Warn));
        assert!(!a.critical_scam);
        let clean = collect(&tree(&[("package.json", r#"{"dependencies":{"x":"^1.0.0"}}"#)]));
        let a = assess(&DepsIntel::offline(clean));
        assert_eq!(check(&a, "deps.sources").status, CheckStatus::Pass);
    }
}
