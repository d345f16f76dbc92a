//! Repositories on any git host, through the real server: a bare repository served by
//! `git http-backend` (git's smart HTTP) on loopback is scanned when the server allows
//! private targets (self-hosting, `AURA_ALLOW_PRIVATE_TARGETS`), and refused as a target
//! otherwise.

// The engine's own test support: real fixture repositories and the smart-HTTP server.
#[path = "../../engine/tests/common/mod.rs"]
mod git_fixture;

use crate::common::{register, spawn_with, wait_finished, Db};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_hosted_git_server_is_scanned_only_when_private_targets_are_allowed() {
    let root = tempfile::tempdir().unwrap();
    let repo = git_fixture::Fixture::new();
    repo.write("README.md", "# Wallet\n\nA wallet SDK.\n")
        .write(
            "package.json",
            r#"{"name":"wallet","version":"1.0.0","scripts":{"test":"node test.js"}}"#,
        )
        .write("index.js", "module.exports = { balance: (a) => a.lamports / 1e9 };\n")
        .write(
            "test.js",
            "require('assert').equal(require('./index').balance({ lamports: 1e9 }), 1);\n",
        )
        .commit("Alice", 40, "initial commit")
        .commit("Bob", 3, "tests");
    repo.bare_into(root.path(), "wallet");
    let addr = git_fixture::serve_git(root.path().to_path_buf()).await;
    let url = format!("http://{addr}/wallet.git");

    // Self-hosting: the test harness allows private targets.
    let app = spawn_with(Db::Sqlite, &[]).await.unwrap();
    let (_, key) = register(&app, "selfhost@acme.example").await;
    let res = app
        .client
        .post(app.url("/v1/scan/repo"))
        .bearer_auth(&key)
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let id = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = wait_finished(&app, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["target"], format!("http://{addr}/wallet"), "{done}");
    assert!(done["result"]["score"].as_u64().is_some(), "{done}");
    app.stop().await;

    // A public deployment refuses the same address before queueing anything.
    let public = spawn_with(Db::Sqlite, &[("AURA_ALLOW_PRIVATE_TARGETS", "false")])
        .await
        .unwrap();
    let (_, key) = register(&public, "public@acme.example").await;
    for target in [url.clone(), format!("https://{addr}/wallet.git")] {
        let res = public
            .client
            .post(public.url("/v1/scan/repo"))
            .bearer_auth(&key)
            .json(&json!({ "url": target }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{target}");
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "invalid_target");
    }
    public.stop().await;
}

/// Runs git in `dir` with `input` on stdin (written in 1 MiB pieces, `zeros` of them zero
/// bytes after `head` and before `tail`), returning its trimmed stdout.
fn git_with_input(dir: &std::path::Path, args: &[&str], head: &[u8], zeros: u64, tail: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bomb")
        .env("GIT_AUTHOR_EMAIL", "bomb@example.org")
        .env("GIT_COMMITTER_NAME", "Bomb")
        .env("GIT_COMMITTER_EMAIL", "bomb@example.org")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    {
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(head).unwrap();
        let chunk = vec![0u8; 1 << 20];
        let mut left = zeros;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            stdin.write_all(&chunk[..n]).unwrap();
            left -= n as u64;
        }
        stdin.write_all(tail).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Two git bombs as bare repositories under `root`: `blob.git`, one 1 GiB blob of zeros
/// behind 200 paths (200 GiB checked out, ~5 MB packed), and `files.git`, 1,000,000 empty
/// files (a tree of 1,000 names for the empty blob, referenced 1,000 times by the root).
fn build_bombs(root: &std::path::Path) {
    const GIB: u64 = 1 << 30;
    for name in ["blob.git", "files.git"] {
        git_fixture::git(root, &["init", "-q", "--bare", "-b", "main", name]);
    }
    // fast-import streams the blob into a pack (no loose 1 GiB object, nothing to repack).
    let mut tail =
        b"\ncommit refs/heads/main\ncommitter Bomb <bomb@example.org> 1700000000 +0000\ndata 5\nbomb\n".to_vec();
    for i in 0..200 {
        tail.extend_from_slice(format!("M 100644 :1 zeros-{i:03}.bin\n").as_bytes());
    }
    git_with_input(
        &root.join("blob.git"),
        &[
            "-c",
            "pack.compression=1",
            "-c",
            "core.bigFileThreshold=1m",
            "fast-import",
            "--quiet",
        ],
        format!("blob\nmark :1\ndata {GIB}\n").as_bytes(),
        GIB,
        &tail,
    );
    let files = root.join("files.git");
    let empty = git_with_input(&files, &["hash-object", "-w", "--stdin"], b"", 0, b"");
    let leaf: String = (0..1000).map(|i| format!("100644 blob {empty}\tf{i:03}\n")).collect();
    let leaf = git_with_input(&files, &["mktree"], leaf.as_bytes(), 0, b"");
    let top: String = (0..1000).map(|i| format!("040000 tree {leaf}\td{i:03}\n")).collect();
    let top = git_with_input(&files, &["mktree"], top.as_bytes(), 0, b"");
    let commit = git_with_input(&files, &["commit-tree", &top, "-m", "bomb"], b"", 0, b"");
    git_fixture::git(&files, &["update-ref", "refs/heads/main", &commit]);
}

fn dir_size(p: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// This process's resident set (the server runs in it), from /proc.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_bombs_fail_as_too_large_within_bounded_disk_memory_and_time() {
    let root = tempfile::tempdir().unwrap();
    let setup = std::time::Instant::now();
    let bombs = root.path().to_path_buf();
    tokio::task::spawn_blocking(move || build_bombs(&bombs)).await.unwrap();
    eprintln!("bombs built in {:?}", setup.elapsed());
    let addr = git_fixture::serve_git(root.path().to_path_buf()).await;

    let work = tempfile::tempdir().unwrap();
    // A crashed scan's leftover clone: removed when the server starts.
    let leftover = work.path().join("aura-clone-0123456789abcdef");
    std::fs::create_dir_all(leftover.join("repo/.git")).unwrap();
    std::fs::write(leftover.join(".aura-lock"), "").unwrap();
    let work_dir = work.path().display().to_string();
    let app = spawn_with(Db::Sqlite, &[("AURA_WORK_DIR", &work_dir)]).await.unwrap();
    assert!(!leftover.exists(), "leftovers are removed at start-up");
    let caps = aura_engine::Limits::default();
    let (_, key) = register(&app, "bombs@acme.example").await;

    for (repo, expected) in [
        ("blob.git", "too large: its files total more than"),
        ("files.git", "too large: more than 200000 files"),
    ] {
        // Disk (the work directory) and memory (this process, where the server runs) sampled
        // through the scan.
        let rss_before = rss_bytes();
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let work_path = work.path().to_path_buf();
        let sampler = tokio::spawn(async move {
            let (mut disk, mut rss) = (0u64, 0u64);
            loop {
                disk = disk.max(dir_size(&work_path));
                rss = rss.max(rss_bytes());
                tokio::select! {
                    _ = stopped.changed() => return (disk, rss),
                    _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
                }
            }
        });
        let started = std::time::Instant::now();
        let res = app
            .client
            .post(app.url("/v1/scan/repo"))
            .bearer_auth(&key)
            .json(&json!({ "url": format!("http://{addr}/{repo}") }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202, "{repo}");
        let id = res.json::<Value>().await.unwrap()["scan_id"]
            .as_str()
            .unwrap()
            .to_string();
        let done = wait_finished(&app, &id).await;
        let took = started.elapsed();
        stop.send(true).unwrap();
        let (disk, rss) = sampler.await.unwrap();
        let rss_growth = rss.saturating_sub(rss_before);
        eprintln!(
            "{repo}: failed in {took:?}; work dir peak {} KiB; RSS growth {} KiB",
            disk / 1024,
            rss_growth / 1024
        );
        assert_eq!(done["status"], "failed", "{done}");
        let error = done["error"].as_str().unwrap();
        assert!(error.contains(expected), "{repo}: {error}");
        // A guard against a hang, not a timing: the caps stop the clone long before this.
        assert!(took < std::time::Duration::from_secs(120), "{repo}: {took:?}");
        assert!(disk <= caps.max_archive_bytes, "{repo}: work dir reached {disk} bytes");
        assert!(
            rss_growth <= caps.max_archive_bytes,
            "{repo}: RSS grew {rss_growth} bytes"
        );
        // The clone is gone with the scan.
        assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0, "{repo}");
    }
    app.stop().await;
}
