//! Any public git host: a shallow `git clone` (the `git` binary, no libgit2/gix) with a
//! timeout and a size cap, then metadata from the history.
//!
//! Bounded: the clone is `--no-checkout` (nothing is ever written but the object store,
//! which is capped while it downloads) in its own directory under the work directory.
//! `git ls-tree` lists the commit's files through a bounded reader: more than
//! `max_tree_entries` paths, or files totalling more than `max_unpacked_bytes`, fail the
//! scan as too large (git bombs: a million empty files, one huge blob behind many paths).
//! The files picked under the usual caps (`max_files`, `max_file_bytes`,
//! `max_archive_bytes`, same walk as [`read_tree`]) are read through one
//! `git cat-file --batch` with the sizes known in advance; oversized files keep their first
//! bytes from a streamed `cat-file` that is stopped there. Every other subprocess has a
//! timeout and capped output.
//!
//! The host is resolved and checked by the net guard first, and git is pinned to that
//! address with `http.curloptResolve`, so a DNS answer can't change between the check and
//! the connect. Redirects are off, only http(s) transports are allowed, no hooks,
//! credential helpers, system/global config or symlinks are used.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use url::Url;

use crate::config::Limits;
use crate::error::ScanError;
use crate::meta::{Commit, RepoMeta};
use crate::netguard::resolve_checked;
use crate::tree::{clean_path, FileTree, RepoFile, HEAD_BYTES};

/// Commits fetched by the shallow clone: enough for cadence and authorship.
pub const CLONE_DEPTH: u32 = 300;

/// Work directory entries made by [`TempDir::new_in`] start with this.
const CLONE_PREFIX: &str = "aura-clone";
/// The lock file a live [`TempDir`] holds inside itself.
const LOCK_FILE: &str = ".aura-lock";
/// Output kept from `git log` and `git ls-remote`, and error text kept from any git.
const LOG_BYTES: usize = 2 * 1024 * 1024;
const LS_REMOTE_BYTES: usize = 4 * 1024 * 1024;
const STDERR_BYTES: usize = 16 * 1024;
/// Timeout of the small git commands (log, ls-remote, ls-tree, one file's first bytes).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest `ls-tree` record read (mode, type, id, size, path): git paths are far shorter.
const MAX_RECORD: u64 = 64 * 1024;
/// Oversized files whose first bytes are read (one short `cat-file` each); others keep none.
const MAX_HEADS: usize = 256;

/// A temporary directory removed on drop. One made by [`TempDir::new_in`] also holds a lock
/// on a file inside it while it lives, so [`clean_work_dir`] can tell a crashed process's
/// leftovers from another process's clone in progress.
pub struct TempDir(PathBuf, Option<std::fs::File>);

impl TempDir {
    /// In the system temp directory (tests and tools).
    pub fn new(prefix: &str) -> std::io::Result<TempDir> {
        let p = std::env::temp_dir().join(unique_name(prefix));
        std::fs::create_dir(&p)?;
        Ok(TempDir(p, None))
    }
    /// In `base` (created if needed), locked while it lives.
    pub fn new_in(base: &Path, prefix: &str) -> std::io::Result<TempDir> {
        std::fs::create_dir_all(base)?;
        let p = base.join(unique_name(prefix));
        std::fs::create_dir(&p)?;
        // Removed on drop should the lock fail.
        let mut dir = TempDir(p, None);
        let lock = std::fs::File::create(dir.0.join(LOCK_FILE))?;
        lock.lock()?;
        dir.1 = Some(lock);
        Ok(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

fn unique_name(prefix: &str) -> String {
    use sha2::{Digest, Sha256};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seed = format!(
        "{:?}{:?}{}{}",
        std::time::SystemTime::now(),
        std::thread::current().id(),
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    format!("{prefix}-{}", &hex::encode(Sha256::digest(seed.as_bytes()))[..16])
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Removes what clones left in `work_dir` when their process died (crash, kill): every
/// `aura-clone-*` directory whose lock nobody holds. A directory without a lock file is
/// removed once it is a minute old (a clone just being created has none for an instant).
/// Called at start-up; returns how many were removed.
pub fn clean_work_dir(work_dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(work_dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in rd.flatten() {
        if !e.file_name().to_string_lossy().starts_with(CLONE_PREFIX) {
            continue;
        }
        let path = e.path();
        let stale = match std::fs::File::open(path.join(LOCK_FILE)) {
            // The lock is released when its holder exits, however it exits.
            Ok(f) => f.try_lock().is_ok(),
            Err(_) => e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_none_or(|age| age > Duration::from_secs(60)),
        };
        if stale {
            let ok = if e.file_type().is_ok_and(|t| t.is_dir()) {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            if ok.is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

pub struct GitSource {
    pub allow_private: bool,
    pub limits: Limits,
    /// Clones go in a directory of their own under this one.
    pub work_dir: PathBuf,
}

/// One path at the scanned commit, from `git ls-tree -r -l`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    pub kind: EntryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File {
        oid: String,
        size: u64,
    },
    Link,
    /// A submodule: a checkout has an empty directory there.
    Submodule,
}

/// What to read: the walk's verdicts (skipped, incomplete) and the files by object id.
#[derive(Debug, Default)]
pub struct Plan {
    pub tree: FileTree,
    /// Files read whole: (clean path, object id, size).
    pub whole: Vec<(String, String, u64)>,
    /// Files over `max_file_bytes`: only their first bytes are kept.
    pub heads: Vec<(String, String, u64)>,
}

fn too_large(what: String) -> ScanError {
    ScanError::permanent(format!("The repository is too large: {what}."))
}

impl GitSource {
    /// Base `git` invocation with the hardening options and the pinned address.
    fn git(&self, home: &Path, pin: Option<&str>) -> Command {
        let mut c = Command::new("git");
        c.env_clear()
            .env(
                "PATH",
                std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin:/usr/local/bin".into()),
            )
            .env("HOME", home)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_ASKPASS", "/bin/false")
            .env(
                "GIT_ALLOW_PROTOCOL",
                if self.allow_private { "http:https" } else { "https" },
            )
            .args([
                "-c",
                "http.followRedirects=false",
                "-c",
                "credential.helper=",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .args([
                "-c",
                "core.symlinks=false",
                "-c",
                "protocol.file.allow=never",
                "-c",
                "http.lowSpeedLimit=1000",
                "-c",
                "http.lowSpeedTime=30",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(p) = pin {
            c.args(["-c", &format!("http.curloptResolve={p}")]);
        }
        c
    }

    /// Resolve and check the host; return the `host:port:addr` pin for curl, or `None` for
    /// an address literal (checked too, but there is no name to pin).
    async fn pin(&self, url: &Url) -> Result<Option<String>, ScanError> {
        let ok_scheme = url.scheme() == "https" || (self.allow_private && url.scheme() == "http");
        if !ok_scheme {
            return Err(ScanError::permanent("Only https git URLs can be scanned."));
        }
        let port = url.port_or_known_default().unwrap_or(443);
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d,
            Some(literal) => {
                resolve_checked(&literal.to_string(), port, self.allow_private).await?;
                return Ok(None);
            }
            None => return Err(ScanError::permanent("The URL has no host.")),
        };
        let addrs = resolve_checked(host, port, self.allow_private).await?;
        let ip = addrs[0].ip();
        let ip_text = if ip.is_ipv6() {
            format!("[{ip}]")
        } else {
            ip.to_string()
        };
        Ok(Some(format!("{host}:{port}:{ip_text}")))
    }

    pub async fn fetch(&self, url: &Url, now: DateTime<Utc>) -> Result<(FileTree, RepoMeta), ScanError> {
        let pin = self.pin(url).await?;
        let no_space = |_| ScanError::transient("No temporary space for the clone.");
        let tmp = TempDir::new_in(&self.work_dir, CLONE_PREFIX).map_err(no_space)?;
        let home = tmp.path().join("home");
        let dest = tmp.path().join("repo");
        std::fs::create_dir(&home).map_err(no_space)?;

        let mut clone = self.git(&home, pin.as_deref());
        clone
            .args([
                "clone",
                "--quiet",
                "--no-checkout",
                "--no-tags",
                "--single-branch",
                "--depth",
                &CLONE_DEPTH.to_string(),
                "--",
                url.as_str(),
            ])
            .arg(&dest);
        let child = clone
            .spawn()
            .map_err(|_| ScanError::permanent("git is not installed on the scan worker."))?;
        self.wait_capped(child, &dest).await?;

        let entries = self.list_tree(&home, &dest).await?;
        let plan = plan_tree(entries, &self.limits);
        let tree = self.read_plan(&home, &dest, plan).await?;

        let log = self
            .output(
                &home,
                &dest,
                &["log", "--format=%aI%x09%aN%x09%aE", "-n", "5000"],
                LOG_BYTES,
            )
            .await
            .unwrap_or_default();
        let shallow = dest.join(".git/shallow").exists();
        let mut ls = self.git(&home, pin.as_deref());
        ls.args(["ls-remote", "--tags", "--", url.as_str()]);
        let tags = match run_bounded(ls, LS_REMOTE_BYTES, COMMAND_TIMEOUT).await {
            Some(o) if o.ok => complete_lines(&o.stdout)
                .lines()
                .filter(|l| !l.ends_with("^{}"))
                .count() as u64,
            _ => 0,
        };
        let meta = meta_from_log(&log, shallow, tags, now, url);
        drop(tmp);
        Ok((tree, meta))
    }

    /// A git command in the clone, its output capped at `max` bytes (a cut-off last line is
    /// dropped). `None` when it fails or times out.
    async fn output(&self, home: &Path, repo: &Path, args: &[&str], max: usize) -> Option<String> {
        let mut c = self.git(home, None);
        c.arg("-C").arg(repo).args(args);
        let o = run_bounded(c, max, COMMAND_TIMEOUT).await?;
        o.ok.then(|| complete_lines(&o.stdout))
    }

    /// Every path at HEAD, read record by record: stops (and fails as too large) past
    /// `max_tree_entries` paths or `max_unpacked_bytes` of files, without reading further.
    async fn list_tree(&self, home: &Path, repo: &Path) -> Result<Vec<TreeEntry>, ScanError> {
        let mut c = self.git(home, None);
        c.arg("-C")
            .arg(repo)
            .args(["ls-tree", "-r", "-l", "-z", "--full-tree", "HEAD"]);
        let mut child = c
            .spawn()
            .map_err(|_| ScanError::permanent("git is not installed on the scan worker."))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| ScanError::transient("Listing the repository's files failed."))?;
        let stderr = drain_stderr(child.stderr.take());
        let limits = &self.limits;
        let read = async {
            let mut reader = tokio::io::BufReader::with_capacity(64 * 1024, stdout);
            let mut entries = Vec::new();
            let mut total = 0u64;
            let mut rec = Vec::new();
            loop {
                rec.clear();
                let n = (&mut reader)
                    .take(MAX_RECORD)
                    .read_until(0, &mut rec)
                    .await
                    .map_err(|_| ScanError::transient("Listing the repository's files failed."))?;
                if n == 0 {
                    return Ok(entries);
                }
                if rec.last() != Some(&0) {
                    return Err(ScanError::permanent("The repository's file list could not be read."));
                }
                rec.pop();
                let Some(entry) = parse_ls_tree(&rec) else {
                    continue;
                };
                if let EntryKind::File { size, .. } = entry.kind {
                    total = total.saturating_add(size);
                    if total > limits.max_unpacked_bytes {
                        return Err(too_large(format!(
                            "its files total more than {} MB",
                            limits.max_unpacked_bytes / 1_048_576
                        )));
                    }
                }
                entries.push(entry);
                if entries.len() > limits.max_tree_entries {
                    return Err(too_large(format!("more than {} files", limits.max_tree_entries)));
                }
            }
        };
        let res = match tokio::time::timeout(COMMAND_TIMEOUT, read).await {
            Ok(r) => r,
            Err(_) => Err(ScanError::transient("Listing the repository's files took too long.")),
        };
        match res {
            Ok(entries) => {
                let status = tokio::time::timeout(COMMAND_TIMEOUT, child.wait()).await;
                let ok = matches!(status, Ok(Ok(s)) if s.success());
                let err = stderr.await.unwrap_or_default();
                // An empty repository has no HEAD: nothing to read, like an empty checkout.
                let empty_repository = entries.is_empty() && err.contains("Not a valid object name");
                if !ok && !empty_repository {
                    return Err(ScanError::transient("Listing the repository's files failed."));
                }
                Ok(entries)
            }
            Err(e) => {
                let _ = child.kill().await;
                Err(e)
            }
        }
    }

    /// Reads the plan's files: whole ones through one `git cat-file --batch` (sizes known,
    /// so memory is what the plan allows), oversized ones' first bytes one by one.
    async fn read_plan(&self, home: &Path, repo: &Path, plan: Plan) -> Result<FileTree, ScanError> {
        let Plan { mut tree, whole, heads } = plan;
        let failed = || ScanError::transient("Reading the repository's files failed.");
        let mut blobs: HashMap<String, Vec<u8>> = HashMap::new();
        let mut sizes: Vec<(String, u64)> = Vec::new();
        let mut seen = HashSet::new();
        for (_, oid, size) in &whole {
            if seen.insert(oid.clone()) {
                sizes.push((oid.clone(), *size));
            }
        }
        if !sizes.is_empty() {
            let mut c = self.git(home, None);
            c.arg("-C")
                .arg(repo)
                .args(["cat-file", "--batch"])
                .stdin(Stdio::piped());
            let mut child = c.spawn().map_err(|_| failed())?;
            let mut stdin = child.stdin.take().ok_or_else(failed)?;
            let stdout = child.stdout.take().ok_or_else(failed)?;
            let _stderr = drain_stderr(child.stderr.take());
            let ids: String = sizes.iter().map(|(oid, _)| format!("{oid}\n")).collect();
            let writer = tokio::spawn(async move {
                let _ = stdin.write_all(ids.as_bytes()).await;
                // Dropping stdin ends the batch.
            });
            let read = async {
                let mut reader = tokio::io::BufReader::with_capacity(64 * 1024, stdout);
                let mut header = Vec::new();
                for (oid, size) in &sizes {
                    header.clear();
                    (&mut reader)
                        .take(256)
                        .read_until(b'\n', &mut header)
                        .await
                        .map_err(|_| failed())?;
                    let text = String::from_utf8_lossy(&header);
                    let mut f = text.trim_end().split(' ');
                    let (Some(got), Some("blob"), Some(n)) = (f.next(), f.next(), f.next()) else {
                        return Err(failed());
                    };
                    // The listing said how large: a different answer is not read.
                    if got != oid || n.parse::<u64>().ok() != Some(*size) {
                        return Err(failed());
                    }
                    let mut data = vec![0u8; *size as usize + 1];
                    reader.read_exact(&mut data).await.map_err(|_| failed())?;
                    data.pop();
                    blobs.insert(oid.clone(), data);
                }
                Ok::<_, ScanError>(())
            };
            let res = tokio::time::timeout(self.limits.clone_timeout, read).await;
            writer.abort();
            let _ = child.kill().await;
            match res {
                Ok(r) => r?,
                Err(_) => return Err(ScanError::transient("Reading the repository's files took too long.")),
            }
        }
        // A blob behind several paths is copied for all but its last one.
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for (_, oid, _) in &whole {
            *uses.entry(oid.as_str()).or_default() += 1;
        }
        let mut files = Vec::with_capacity(whole.len());
        for (path, oid, _) in &whole {
            let left = uses.get_mut(oid.as_str()).map_or(0, |n| {
                *n -= 1;
                *n
            });
            let data = if left == 0 {
                blobs.remove(oid)
            } else {
                blobs.get(oid).cloned()
            };
            if let Some(data) = data {
                files.push(RepoFile {
                    path: path.clone(),
                    size: data.len() as u64,
                    data,
                    truncated: false,
                });
            }
        }
        tree.files.extend(files);
        drop(blobs);
        let mut firsts: HashMap<String, Vec<u8>> = HashMap::new();
        for (path, oid, size) in heads {
            if !firsts.contains_key(&oid) && firsts.len() < MAX_HEADS && size <= self.limits.max_archive_bytes {
                let head = self.head_of(home, repo, &oid).await;
                firsts.insert(oid.clone(), head);
            }
            tree.files.push(RepoFile {
                path,
                data: firsts.get(&oid).cloned().unwrap_or_default(),
                size,
                truncated: true,
            });
        }
        tree.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(tree)
    }

    /// The first [`HEAD_BYTES`] of a blob: git streams blobs over `core.bigFileThreshold`,
    /// so stopping it after those bytes costs little whatever the blob's size.
    async fn head_of(&self, home: &Path, repo: &Path, oid: &str) -> Vec<u8> {
        let mut c = self.git(home, None);
        c.arg("-C")
            .arg(repo)
            .args([
                "-c",
                &format!("core.bigFileThreshold={}", self.limits.max_file_bytes),
                "cat-file",
                "blob",
                oid,
            ])
            .stderr(Stdio::null());
        let Ok(mut child) = c.spawn() else {
            return Vec::new();
        };
        let mut head = Vec::new();
        if let Some(out) = child.stdout.take() {
            let _ = tokio::time::timeout(COMMAND_TIMEOUT, out.take(HEAD_BYTES as u64).read_to_end(&mut head)).await;
        }
        let _ = child.kill().await;
        head
    }

    /// Wait for `git clone` under the timeout, polling the object store size against the cap.
    async fn wait_capped(&self, mut child: tokio::process::Child, dest: &Path) -> Result<(), ScanError> {
        let deadline = tokio::time::Instant::now() + self.limits.clone_timeout;
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        let mut stderr = child.stderr.take();
        let err_task = tokio::spawn(async move {
            let mut s = String::new();
            if let Some(e) = stderr.as_mut() {
                use tokio::io::AsyncReadExt;
                let _ = e.take(STDERR_BYTES as u64).read_to_string(&mut s).await;
            }
            s
        });
        loop {
            tokio::select! {
                status = child.wait() => {
                    let status = status.map_err(|_| ScanError::transient("git clone failed to run."))?;
                    if status.success() {
                        // A small clone can finish between two polls: check once more.
                        if dir_size(&dest.join(".git")) > self.limits.max_archive_bytes {
                            return Err(self.download_too_large());
                        }
                        return Ok(());
                    }
                    let err = err_task.await.unwrap_or_default();
                    return Err(clone_error(&err));
                }
                _ = tick.tick() => {
                    if tokio::time::Instant::now() >= deadline {
                        let _ = child.kill().await;
                        return Err(ScanError::transient("Cloning the repository took too long; try again later."));
                    }
                    if dir_size(&dest.join(".git")) > self.limits.max_archive_bytes {
                        let _ = child.kill().await;
                        return Err(self.download_too_large());
                    }
                }
            }
        }
    }

    fn download_too_large(&self) -> ScanError {
        too_large(format!(
            "larger than the {} MB download limit",
            self.limits.max_archive_bytes / 1_048_576
        ))
    }
}

/// A finished command's capped output.
struct Bounded {
    ok: bool,
    stdout: Vec<u8>,
}

/// Runs `cmd` for at most `timeout`, keeping at most `max` bytes of its output (it is
/// stopped once it writes more; stderr is drained and dropped). `None` when it can't run or
/// runs out of time.
async fn run_bounded(mut cmd: Command, max: usize, timeout: Duration) -> Option<Bounded> {
    let mut child = cmd.spawn().ok()?;
    let stdout = child.stdout.take()?;
    let stderr = drain_stderr(child.stderr.take());
    let run = async {
        let mut out = Vec::new();
        stdout.take(max as u64 + 1).read_to_end(&mut out).await.ok()?;
        if out.len() > max {
            // More than we keep: stop it, and keep the part read.
            out.truncate(max);
            let _ = child.kill().await;
            return Some(Bounded { ok: true, stdout: out });
        }
        let status = child.wait().await.ok()?;
        Some(Bounded {
            ok: status.success(),
            stdout: out,
        })
    };
    let res = tokio::time::timeout(timeout, run).await.ok().flatten();
    stderr.abort();
    res
}

/// Reads a child's stderr to its end, keeping the first [`STDERR_BYTES`] (so the child never
/// blocks on a full pipe, and a chatty one costs no memory).
fn drain_stderr(stderr: Option<tokio::process::ChildStderr>) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        let Some(mut e) = stderr else {
            return String::new();
        };
        let mut kept = Vec::new();
        let mut buf = vec![0u8; 8192];
        while let Ok(n) = e.read(&mut buf).await {
            if n == 0 {
                break;
            }
            let room = STDERR_BYTES.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

/// Output up to its last newline (a line cut off by an output cap is dropped).
fn complete_lines(out: &[u8]) -> String {
    let end = out.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    String::from_utf8_lossy(&out[..end]).into_owned()
}

/// One `git ls-tree -r -l -z` record: `<mode> <type> <oid> <size>\t<path>`.
fn parse_ls_tree(rec: &[u8]) -> Option<TreeEntry> {
    let tab = rec.iter().position(|&b| b == b'\t')?;
    let meta = std::str::from_utf8(&rec[..tab]).ok()?;
    let path = String::from_utf8_lossy(&rec[tab + 1..]).into_owned();
    let mut f = meta.split_ascii_whitespace();
    let (mode, kind, oid, size) = (f.next()?, f.next()?, f.next()?, f.next()?);
    let kind = match (mode, kind) {
        ("120000", "blob") => EntryKind::Link,
        (_, "blob") => EntryKind::File {
            oid: oid.to_string(),
            size: size.parse().ok()?,
        },
        (_, "commit") => EntryKind::Submodule,
        _ => return None,
    };
    Some(TreeEntry { path, kind })
}

/// Decides what to read from a commit's listing exactly as [`read_tree`] decides for a
/// checkout: the same walk order (directories depth first, entries by name), the same
/// depth, file-count and byte caps. Links are recorded, never read.
pub fn plan_tree(entries: Vec<TreeEntry>, limits: &Limits) -> Plan {
    enum Node {
        Dir(String),
        Leaf(usize),
    }
    // Directory (raw path, "" for the root) -> its entries by name.
    let mut dirs: HashMap<String, Vec<(String, Node)>> = HashMap::new();
    let mut known: HashSet<String> = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let (parent, name) = match e.path.rsplit_once('/') {
            Some((p, n)) => (p.to_string(), n.to_string()),
            None => (String::new(), e.path.clone()),
        };
        // Make sure every ancestor is listed in its parent.
        let mut dir = parent.clone();
        while !dir.is_empty() && known.insert(dir.clone()) {
            let (up, dname) = match dir.rsplit_once('/') {
                Some((u, d)) => (u.to_string(), d.to_string()),
                None => (String::new(), dir.clone()),
            };
            dirs.entry(up.clone())
                .or_default()
                .push((dname, Node::Dir(dir.clone())));
            dir = up;
        }
        let node = match e.kind {
            // A checkout has an empty directory for a submodule.
            EntryKind::Submodule => Node::Dir(e.path.clone()),
            _ => Node::Leaf(i),
        };
        dirs.entry(parent).or_default().push((name, node));
    }
    let mut plan = Plan::default();
    let mut kept = 0u64;
    let mut stack: Vec<(String, String)> = vec![(String::new(), String::new())];
    'walk: while let Some((raw, rel)) = stack.pop() {
        let Some(mut children) = dirs.remove(&raw) else {
            continue;
        };
        children.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, node) in children {
            let rel_path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if rel.is_empty() && name == ".git" {
                continue;
            }
            let Some(clean) = clean_path(&rel_path, limits.max_path_depth) else {
                plan.tree.skipped.push((rel_path, "path too deep".into()));
                continue;
            };
            match node {
                Node::Dir(raw) => stack.push((raw, clean)),
                Node::Leaf(i) => match &entries[i].kind {
                    EntryKind::Link => plan.tree.skipped.push((clean, "link (not followed)".into())),
                    EntryKind::Submodule => {}
                    EntryKind::File { oid, size } => {
                        if plan.heads.len() + plan.whole.len() >= limits.max_files {
                            plan.tree.incomplete = true;
                            break 'walk;
                        }
                        if *size > limits.max_file_bytes {
                            plan.heads.push((clean, oid.clone(), *size));
                            continue;
                        }
                        if kept + size > limits.max_archive_bytes {
                            plan.tree.incomplete = true;
                            break 'walk;
                        }
                        kept += size;
                        plan.whole.push((clean, oid.clone(), *size));
                    }
                },
            }
        }
    }
    plan
}

fn clone_error(stderr: &str) -> ScanError {
    let s = stderr.to_ascii_lowercase();
    if s.contains("not found")
        || s.contains("404")
        || s.contains("does not appear to be a git repository")
        || s.contains("repository not found")
    {
        ScanError::permanent("Repository not found (it may be private or deleted).")
    } else if s.contains("authentication")
        || s.contains("could not read username")
        || s.contains("401")
        || s.contains("403")
    {
        ScanError::permanent("The repository is not public.")
    } else if s.contains("redirect") || s.contains("301") || s.contains("302") {
        ScanError::permanent("The host redirected the clone; use the repository's canonical URL.")
    } else if s.contains("50") || s.contains("timed out") || s.contains("could not resolve") || s.contains("connection")
    {
        ScanError::transient("The git host could not be reached; try again later.")
    } else {
        ScanError::permanent("The repository could not be cloned.")
    }
}

fn dir_size(p: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// Walk a checkout into a [`FileTree`] under the same caps as archives. Symlinks are
/// recorded and never followed (`symlink_metadata`), `.git` is skipped.
pub fn read_tree(root: &Path, limits: &Limits) -> FileTree {
    let mut tree = FileTree::default();
    let mut kept = 0u64;
    // Walk first, read after: the walk decides what is in (file count and byte budgets, from
    // metadata), then the contents are read on every core (one thread reading a large
    // checkout was half the content scan's time).
    let mut pending: Vec<(PathBuf, String)> = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    'walk: while let Some((dir, rel)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let rel_path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if rel.is_empty() && name == ".git" {
                continue;
            }
            let Some(clean) = clean_path(&rel_path, limits.max_path_depth) else {
                tree.skipped.push((rel_path, "path too deep".into()));
                continue;
            };
            let Ok(md) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if md.file_type().is_symlink() {
                tree.skipped.push((clean, "link (not followed)".into()));
            } else if md.is_dir() {
                stack.push((e.path(), clean));
            } else if md.is_file() {
                if tree.files.len() + pending.len() >= limits.max_files {
                    tree.incomplete = true;
                    break 'walk;
                }
                let size = md.len();
                if size > limits.max_file_bytes {
                    let mut head = vec![0u8; HEAD_BYTES];
                    let n = std::fs::File::open(e.path())
                        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                        .unwrap_or(0);
                    head.truncate(n);
                    tree.files.push(RepoFile {
                        path: clean,
                        data: head,
                        size,
                        truncated: true,
                    });
                    continue;
                }
                if kept + size > limits.max_archive_bytes {
                    tree.incomplete = true;
                    break 'walk;
                }
                kept += size;
                pending.push((e.path(), clean));
            } else {
                tree.skipped.push((clean, "special file".into()));
            }
        }
    }
    tree.files.extend(read_files(pending));
    tree.files.sort_by(|a, b| a.path.cmp(&b.path));
    tree
}

/// Reads the walk's files on every core; a file that can no longer be read is left out.
fn read_files(pending: Vec<(PathBuf, String)>) -> Vec<RepoFile> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let read = |(path, clean): &(PathBuf, String)| {
        std::fs::read(path).ok().map(|data| RepoFile {
            path: clean.clone(),
            size: data.len() as u64,
            data,
            truncated: false,
        })
    };
    if threads == 1 || pending.len() < 64 {
        return pending.iter().filter_map(read).collect();
    }
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let pending = &pending;
                // Every `threads`-th file: sizes even out across threads without a queue.
                s.spawn(move || {
                    pending
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .filter_map(read)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
    })
}

/// Metadata from `git log --format=%aI%x09%aN%x09%aE` output (newest first).
pub fn meta_from_log(log: &str, shallow: bool, tags: u64, now: DateTime<Utc>, url: &Url) -> RepoMeta {
    let mut commits = Vec::new();
    let mut by_author: HashMap<String, (String, u64)> = HashMap::new();
    for line in log.lines() {
        let mut p = line.splitn(3, '\t');
        let (Some(date), Some(name), email) = (p.next(), p.next(), p.next()) else {
            continue;
        };
        let Ok(at) = DateTime::parse_from_rfc3339(date) else {
            continue;
        };
        // Authors are identified by email where present: names vary more.
        let key = email.filter(|e| !e.is_empty()).unwrap_or(name).to_ascii_lowercase();
        let entry = by_author.entry(key).or_insert_with(|| (name.to_string(), 0));
        entry.1 += 1;
        commits.push(Commit {
            author: name.to_string(),
            at: at.with_timezone(&Utc),
        });
    }
    let mut contributors: Vec<(String, u64)> = by_author.into_values().collect();
    contributors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    RepoMeta {
        source: "git history".into(),
        full_name: url.as_str().to_string(),
        created_at: commits.last().map(|c| c.at),
        created_is_lower_bound: shallow && commits.len() as u32 >= CLONE_DEPTH,
        pushed_at: commits.first().map(|c| c.at),
        commits,
        contributors,
        tags,
        now,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn address_literals_are_checked_but_not_pinned() {
        let private = GitSource {
            allow_private: true,
            limits: Limits::default(),
            work_dir: std::env::temp_dir(),
        };
        for u in ["http://[::1]:3000/a/b", "http://127.0.0.1:3000/a/b"] {
            assert_eq!(private.pin(&Url::parse(u).unwrap()).await.unwrap(), None, "{u}");
        }
        let public = GitSource {
            allow_private: false,
            limits: Limits::default(),
            work_dir: std::env::temp_dir(),
        };
        assert!(
            public.pin(&Url::parse("https://[::1]/a/b").unwrap()).await.is_err(),
            "the guard still refuses"
        );
        assert!(public.pin(&Url::parse("https://10.0.0.5/a/b").unwrap()).await.is_err());
    }

    #[test]
    fn log_parsing() {
        let log = "2026-08-30T10:00:00+00:00\tAlice\talice@x.io\n2026-08-01T10:00:00+02:00\tBob\tbob@x.io\n2024-01-01T00:00:00Z\talice\tALICE@x.io\nbad line\n";
        let url = Url::parse("https://git.example.org/a/b").unwrap();
        let m = meta_from_log(log, false, 2, Utc::now(), &url);
        assert_eq!(m.commits.len(), 3);
        assert_eq!(m.contributors.len(), 2);
        assert_eq!(m.contributors[0].1, 2);
        assert_eq!(m.created_at.unwrap().to_rfc3339(), "2024-01-01T00:00:00+00:00");
        assert!(!m.created_is_lower_bound);
    }

    #[test]
    fn reads_tree_without_following_links() {
        let tmp = TempDir::new("aura-test").unwrap();
        std::fs::create_dir_all(tmp.path().join("src")).unwrap();
        std::fs::write(tmp.path().join("src/a.rs"), "fn a() {}").unwrap();
        std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
        std::fs::write(tmp.path().join(".git/config"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", tmp.path().join("passwd")).unwrap();
        let t = read_tree(tmp.path(), &Limits::default());
        assert_eq!(
            t.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            vec!["src/a.rs"]
        );
        #[cfg(unix)]
        assert_eq!(
            t.skipped,
            vec![("passwd".to_string(), "link (not followed)".to_string())]
        );
    }

    fn sh_git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@x.io"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    fn source(limits: Limits) -> GitSource {
        GitSource {
            allow_private: true,
            limits,
            work_dir: std::env::temp_dir(),
        }
    }

    /// A repository's commit read from the object store gives what a checkout walk gives,
    /// caps included.
    #[tokio::test]
    async fn object_store_reading_matches_the_checkout_walk() {
        let tmp = TempDir::new("aura-test").unwrap();
        let root = tmp.path();
        sh_git(root, &["init", "-q", "-b", "main"]);
        let w = |rel: &str, data: &[u8]| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, data).unwrap();
        };
        w("README.md", b"# x\n");
        w("src/a.rs", b"fn a() {}\n");
        w("src/b/c.rs", b"fn c() {}\n");
        w("src/b/same.rs", b"fn a() {}\n");
        w("z/deep/er/than/four/f.txt", b"deep\n");
        let mut big = b"MZ".to_vec();
        big.resize(3 * 1024 * 1024, 7);
        w("bin/tool.exe", &big);
        w("bin/copy.exe", &big);
        w("empty", b"");
        sh_git(root, &["add", "-A"]);
        sh_git(root, &["commit", "-q", "-m", "x"]);
        let home = root.join(".git/aura-home");
        std::fs::create_dir_all(&home).unwrap();
        for limits in [
            Limits {
                max_path_depth: 4,
                ..Limits::default()
            },
            Limits {
                max_files: 3,
                ..Limits::default()
            },
            Limits {
                max_archive_bytes: 25,
                ..Limits::default()
            },
        ] {
            let walked = read_tree(root, &limits);
            let src = source(limits.clone());
            let entries = src.list_tree(&home, root).await.unwrap();
            let read = src.read_plan(&home, root, plan_tree(entries, &limits)).await.unwrap();
            let key = |t: &FileTree| {
                t.files
                    .iter()
                    .map(|f| (f.path.clone(), f.data.clone(), f.size, f.truncated))
                    .collect::<Vec<_>>()
            };
            assert_eq!(key(&read), key(&walked), "{limits:?}");
            assert_eq!(read.skipped, walked.skipped, "{limits:?}");
            assert_eq!(read.incomplete, walked.incomplete, "{limits:?}");
        }
        // The oversized file keeps its first bytes, as in a checkout.
        let t = read_tree(root, &Limits::default());
        let exe = t.get("bin/tool.exe").unwrap();
        assert!(exe.truncated && exe.data.len() == HEAD_BYTES && exe.size == 3 * 1024 * 1024);
    }

    /// Git bombs fail as too large while listing: too many paths, or too many bytes behind them.
    #[tokio::test]
    async fn bombs_are_too_large() {
        let tmp = TempDir::new("aura-test").unwrap();
        let root = tmp.path();
        sh_git(root, &["init", "-q", "-b", "main"]);
        for i in 0..50 {
            std::fs::write(root.join(format!("f{i}")), vec![b'a'; 1000]).unwrap();
        }
        sh_git(root, &["add", "-A"]);
        sh_git(root, &["commit", "-q", "-m", "x"]);
        let home = root.join(".git/aura-home");
        std::fs::create_dir_all(&home).unwrap();
        let e = source(Limits {
            max_tree_entries: 20,
            ..Limits::default()
        })
        .list_tree(&home, root)
        .await
        .unwrap_err();
        assert!(
            e.kind == crate::ErrorKind::Permanent && e.message.contains("too large: more than 20 files"),
            "{e:?}"
        );
        let e = source(Limits {
            max_unpacked_bytes: 10_000,
            ..Limits::default()
        })
        .list_tree(&home, root)
        .await
        .unwrap_err();
        assert!(
            e.kind == crate::ErrorKind::Permanent && e.message.contains("too large"),
            "{e:?}"
        );
        assert_eq!(
            source(Limits::default()).list_tree(&home, root).await.unwrap().len(),
            50
        );
    }

    #[test]
    fn leftovers_are_removed_but_live_clones_kept() {
        let base = TempDir::new("aura-work-test").unwrap();
        let live = TempDir::new_in(base.path(), CLONE_PREFIX).unwrap();
        std::fs::write(live.path().join("x"), "x").unwrap();
        // A crashed process's clone: its lock file is there, nobody holds it.
        let dead = base.path().join("aura-clone-dead");
        std::fs::create_dir_all(dead.join("repo/.git")).unwrap();
        std::fs::write(dead.join(LOCK_FILE), "").unwrap();
        // Not ours.
        std::fs::create_dir_all(base.path().join("other")).unwrap();
        assert_eq!(clean_work_dir(base.path()), 1);
        assert!(!dead.exists());
        assert!(live.path().join("x").exists());
        assert!(base.path().join("other").exists());
        let p = live.path().to_path_buf();
        drop(live);
        assert!(!p.exists());
        assert_eq!(clean_work_dir(&base.path().join("missing")), 0);
    }

    #[test]
    fn ls_tree_records() {
        let f = parse_ls_tree(b"100644 blob e69de29bb2d1d6434b8b29ae775ad8c2e48c5391       0\ta/b c.txt").unwrap();
        assert_eq!(
            f,
            TreeEntry {
                path: "a/b c.txt".into(),
                kind: EntryKind::File {
                    oid: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391".into(),
                    size: 0
                }
            }
        );
        assert_eq!(
            parse_ls_tree(b"120000 blob e69de29bb2d1d6434b8b29ae775ad8c2e48c5391      11\tl")
                .unwrap()
                .kind,
            EntryKind::Link
        );
        assert_eq!(
            parse_ls_tree(b"160000 commit e69de29bb2d1d6434b8b29ae775ad8c2e48c5391       -\tsub")
                .unwrap()
                .kind,
            EntryKind::Submodule
        );
        assert_eq!(complete_lines(b"a\nb\ncut"), "a\nb\n");
    }
}
