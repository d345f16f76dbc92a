//! Any public git host: a shallow `git clone` (the `git` binary, no libgit2/gix) with a
//! timeout and a size cap, then metadata from the history.
//!
//! The host is resolved and checked by the net guard first, and git is pinned to that
//! address with `http.curloptResolve`, so a DNS answer can't change between the check and
//! the connect. Redirects are off, only http(s) transports are allowed, no hooks,
//! credential helpers, system/global config or symlinks are used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::process::Command;
use url::Url;

use crate::config::Limits;
use crate::error::ScanError;
use crate::meta::{Commit, RepoMeta};
use crate::netguard::resolve_checked;
use crate::tree::{clean_path, FileTree, RepoFile, HEAD_BYTES};

/// Commits fetched by the shallow clone: enough for cadence and authorship.
pub const CLONE_DEPTH: u32 = 300;

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> std::io::Result<TempDir> {
        use sha2::{Digest, Sha256};
        let seed = format!(
            "{:?}{:?}{}",
            std::time::SystemTime::now(),
            std::thread::current().id(),
            std::process::id()
        );
        let name = format!("{prefix}-{}", &hex::encode(Sha256::digest(seed.as_bytes()))[..16]);
        let p = std::env::temp_dir().join(name);
        std::fs::create_dir(&p)?;
        Ok(TempDir(p))
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct GitSource {
    pub allow_private: bool,
    pub limits: Limits,
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
        let tmp = TempDir::new("aura-clone").map_err(|_| ScanError::transient("No temporary space for the clone."))?;
        let home = tmp.path().join("home");
        let dest = tmp.path().join("repo");
        std::fs::create_dir(&home).map_err(|_| ScanError::transient("No temporary space for the clone."))?;

        let mut clone = self.git(&home, pin.as_deref());
        clone
            .args([
                "clone",
                "--quiet",
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

        let log = self
            .output(&home, &dest, &["log", "--format=%aI%x09%aN%x09%aE", "-n", "5000"])
            .await
            .unwrap_or_default();
        let shallow = dest.join(".git/shallow").exists();
        let mut ls = self.git(&home, pin.as_deref());
        ls.args(["ls-remote", "--tags", "--", url.as_str()]);
        let tags = match tokio::time::timeout(Duration::from_secs(20), ls.output()).await {
            Ok(Ok(o)) if o.status.success() => String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter(|l| !l.ends_with("^{}"))
                .count() as u64,
            _ => 0,
        };
        let limits = self.limits.clone();
        let dest2 = dest.clone();
        let tree = tokio::task::spawn_blocking(move || read_tree(&dest2, &limits))
            .await
            .map_err(|_| ScanError::transient("Reading the clone failed."))?;
        let meta = meta_from_log(&log, shallow, tags, now, url);
        drop(tmp);
        Ok((tree, meta))
    }

    async fn output(&self, home: &Path, repo: &Path, args: &[&str]) -> Option<String> {
        let mut c = self.git(home, None);
        c.arg("-C").arg(repo).args(args);
        let o = tokio::time::timeout(Duration::from_secs(20), c.output())
            .await
            .ok()?
            .ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
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
                let _ = e.take(16 * 1024).read_to_string(&mut s).await;
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
                            return Err(ScanError::permanent(format!("The repository is larger than the {} MB scan limit.", self.limits.max_archive_bytes / 1_048_576)));
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
                        return Err(ScanError::permanent(format!("The repository is larger than the {} MB scan limit.", self.limits.max_archive_bytes / 1_048_576)));
                    }
                }
            }
        }
    }
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
        };
        for u in ["http://[::1]:3000/a/b", "http://127.0.0.1:3000/a/b"] {
            assert_eq!(private.pin(&Url::parse(u).unwrap()).await.unwrap(), None, "{u}");
        }
        let public = GitSource {
            allow_private: false,
            limits: Limits::default(),
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
}
