//! Test support: real git fixture repositories, a tiny loopback HTTP/1.1 server, a GitHub
//! REST + tarball mock built from a fixture's real history, and git smart-HTTP served by
//! `git http-backend` as CGI.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use aura_engine::{EngineConfig, Limits};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---------------------------------------------------------------- fixture repositories

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub now: DateTime<Utc>,
}

fn git_env(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", "/nonexistent")
}

pub fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = git_env(&mut Command::new("git"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        Fixture { dir, now: Utc::now() }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }
    /// Commit everything as `author`, dated `days_ago` days before now.
    pub fn commit(&self, author: &str, days_ago: i64, msg: &str) -> &Self {
        let when = self.now - Duration::days(days_ago) - Duration::minutes(5);
        let date = format!("{} +0000", when.timestamp());
        let email = format!("{}@example.org", author.to_lowercase());
        git(self.path(), &["add", "-A"]);
        let out = git_env(&mut Command::new("git"))
            .arg("-C")
            .arg(self.path())
            .args([
                "-c",
                &format!("user.name={author}"),
                "-c",
                &format!("user.email={email}"),
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                msg,
            ])
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        self
    }
    pub fn tag(&self, name: &str) -> &Self {
        git(self.path(), &["tag", name]);
        self
    }
    /// (author, ISO date, sha) newest first, from the real history.
    pub fn log(&self) -> Vec<(String, String, String)> {
        let out = String::from_utf8(git(self.path(), &["log", "--format=%aN%x09%aI%x09%H"])).unwrap();
        out.lines()
            .map(|l| {
                let p: Vec<&str> = l.split('\t').collect();
                (p[0].to_string(), p[1].to_string(), p[2].to_string())
            })
            .collect()
    }
    pub fn tarball(&self, prefix: &str) -> Vec<u8> {
        git(
            self.path(),
            &["archive", "--format=tar.gz", &format!("--prefix={prefix}/"), "HEAD"],
        )
    }
    /// A bare copy under `root/name.git` for smart-HTTP serving.
    pub fn bare_into(&self, root: &Path, name: &str) -> PathBuf {
        let dest = root.join(format!("{name}.git"));
        let out = git_env(&mut Command::new("git"))
            .args(["clone", "-q", "--bare"])
            .arg(self.path())
            .arg(&dest)
            .output()
            .unwrap();
        assert!(out.status.success());
        dest
    }
}

// ---------------------------------------------------------------- loopback HTTP server

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, v: &Value) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(v).unwrap(),
        }
    }
    pub fn status(status: u16) -> Self {
        Response {
            status,
            headers: vec![],
            body: vec![],
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

pub type Handler = Arc<dyn Fn(Request) -> Response + Send + Sync>;

/// Serve `handler` on 127.0.0.1:0, one request per connection.
pub async fn serve(handler: Handler) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                break;
            };
            let h = handler.clone();
            tokio::spawn(async move {
                let Some(req) = read_request(&mut sock).await else {
                    return;
                };
                let resp = tokio::task::spawn_blocking(move || h(req))
                    .await
                    .unwrap_or_else(|_| Response::status(500));
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    resp.status,
                    resp.body.len()
                );
                for (k, v) in &resp.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&resp.body).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    addr
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = buf[head_end + 4..].to_vec();
    if let Some(len) = headers.get("content-length").and_then(|l| l.parse::<usize>().ok()) {
        while body.len() < len {
            let n = sock.read(&mut tmp).await.ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&tmp[..n]);
        }
    } else if headers.get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            if let Some(decoded) = dechunk(&body) {
                body = decoded;
                break;
            }
            let n = sock.read(&mut tmp).await.ok()?;
            if n == 0 {
                return None;
            }
            body.extend_from_slice(&tmp[..n]);
        }
    }
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

/// Decode a complete chunked body, or `None` if more bytes are needed.
fn dechunk(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let nl = raw[i..].windows(2).position(|w| w == b"\r\n")? + i;
        let size = usize::from_str_radix(String::from_utf8_lossy(&raw[i..nl]).split(';').next()?.trim(), 16).ok()?;
        i = nl + 2;
        if size == 0 {
            return Some(out);
        }
        if raw.len() < i + size + 2 {
            return None;
        }
        out.extend_from_slice(&raw[i..i + size]);
        i += size + 2;
    }
}

// ---------------------------------------------------------------- git smart HTTP (CGI)

/// Serve every bare repository under `root` with `git http-backend`.
pub async fn serve_git(root: PathBuf) -> SocketAddr {
    let exec = String::from_utf8(Command::new("git").arg("--exec-path").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let backend = Path::new(&exec).join("git-http-backend");
    serve(Arc::new(move |req: Request| {
        let mut cmd = Command::new(&backend);
        cmd.env_clear()
            .env("GIT_PROJECT_ROOT", &root)
            .env("GIT_HTTP_EXPORT_ALL", "1")
            .env("REQUEST_METHOD", &req.method)
            .env("PATH_INFO", req.path())
            .env("QUERY_STRING", req.query())
            .env("REMOTE_ADDR", "127.0.0.1")
            .env("CONTENT_LENGTH", req.body.len().to_string())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (h, env) in [
            ("content-type", "CONTENT_TYPE"),
            ("content-encoding", "HTTP_CONTENT_ENCODING"),
            ("git-protocol", "GIT_PROTOCOL"),
        ] {
            if let Some(v) = req.headers.get(h) {
                cmd.env(env, v);
            }
        }
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(&req.body);
        }
        let out = child.wait_with_output().unwrap();
        let raw = out.stdout;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| (i, 4))
            .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
        let Some((i, sep)) = split else {
            return Response::status(500);
        };
        let head = String::from_utf8_lossy(&raw[..i]).to_string();
        let mut resp = Response {
            status: 200,
            headers: vec![],
            body: raw[i + sep..].to_vec(),
        };
        for line in head.lines() {
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("status") {
                    resp.status = v.trim().split(' ').next().and_then(|s| s.parse().ok()).unwrap_or(200);
                } else {
                    resp.headers.push((k.trim().into(), v.trim().into()));
                }
            }
        }
        resp
    }))
    .await
}

// ---------------------------------------------------------------- GitHub mock

/// What the mock GitHub answers about one repository.
#[derive(Clone)]
pub struct GhRepo {
    pub owner: String,
    pub repo: String,
    pub created_days_ago: i64,
    pub owner_days_ago: i64,
    pub stars: u64,
    pub forks: u64,
    pub watchers: u64,
    pub archived: bool,
    pub fork: bool,
    pub license: Option<&'static str>,
    /// `None`: the stargazer listing answers 403 (admins only).
    pub stargazers: Option<Vec<(String, DateTime<Utc>, i64)>>,
    pub releases: usize,
    /// What `GET /repos/upstream/original/compare/…` answers for a fork (`None`: 404).
    pub fork_compare: Option<Value>,
}

impl GhRepo {
    pub fn new(owner: &str, repo: &str) -> Self {
        GhRepo {
            owner: owner.into(),
            repo: repo.into(),
            created_days_ago: 1200,
            owner_days_ago: 2500,
            stars: 850,
            forks: 120,
            watchers: 40,
            archived: false,
            fork: false,
            license: Some("MIT"),
            stargazers: None,
            releases: 5,
            fork_compare: None,
        }
    }
}

pub enum Failure {
    None,
    RateLimited,
    ServerError,
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Start the archive host (answers the tarball) and the API host (302s to it).
pub async fn github_mock(fx: &Fixture, r: GhRepo, failure: Failure) -> SocketAddr {
    let now = fx.now;
    let log = fx.log();
    let sha7 = log.first().map(|l| l.2[..7].to_string()).unwrap_or_default();
    let tarball = Arc::new(fx.tarball(&format!("{}-{}-{sha7}", r.owner, r.repo)));
    let tb = tarball.clone();
    let archive_host = serve(Arc::new(move |req: Request| {
        // The API token must not follow the redirect to another host.
        if req.headers.contains_key("authorization") {
            return Response::status(500);
        }
        if req.path().starts_with("/archive/") {
            Response {
                status: 200,
                headers: vec![("Content-Type".into(), "application/x-gzip".into())],
                body: tb.to_vec(),
            }
        } else {
            Response::status(404)
        }
    }))
    .await;

    let mut counts: HashMap<String, u64> = HashMap::new();
    for (a, _, _) in &log {
        *counts.entry(a.clone()).or_default() += 1;
    }
    let mut contributors: Vec<Value> = counts
        .iter()
        .map(|(a, c)| json!({"login": a.to_lowercase(), "id": 1, "type": "User", "contributions": c}))
        .collect();
    contributors.sort_by(|a, b| b["contributions"].as_u64().cmp(&a["contributions"].as_u64()));
    let commits: Vec<Value> = log.iter().map(|(a, d, sha)| json!({
        "sha": sha,
        "commit": {"author": {"name": a, "email": format!("{}@example.org", a.to_lowercase()), "date": d}, "committer": {"name": a, "date": d}, "message": "m"},
        "author": {"login": a.to_lowercase(), "type": "User"}
    })).collect();
    let full = format!("{}/{}", r.owner, r.repo);
    let repo_json = json!({
        "id": 1, "name": r.repo, "full_name": full, "private": false,
        "owner": {"login": r.owner, "type": "User"},
        "description": "fixture", "fork": r.fork,
        "created_at": iso(now - Duration::days(r.created_days_ago)),
        "updated_at": iso(now), "pushed_at": log.first().map(|l| l.1.clone()),
        "stargazers_count": r.stars, "watchers_count": r.stars, "subscribers_count": r.watchers,
        "forks_count": r.forks, "open_issues_count": 3, "archived": r.archived, "default_branch": "main",
        "license": r.license.map(|l| json!({"key": l.to_lowercase(), "spdx_id": l})),
        "parent": if r.fork { json!({"full_name": "upstream/original", "default_branch": "main"}) } else { Value::Null },
    });
    let owner_json = json!({"login": r.owner, "type": "User", "created_at": iso(now - Duration::days(r.owner_days_ago)), "followers": 300, "public_repos": 25});
    let releases: Vec<Value> = (0..r.releases)
        .map(|i| json!({"tag_name": format!("v{i}"), "published_at": iso(now - Duration::days(30 * i as i64))}))
        .collect();
    let tags: Vec<Value> = (0..r.releases).map(|i| json!({"name": format!("v{i}")})).collect();
    let stargazers = r.stargazers.clone();
    let fork_compare = r.fork_compare.clone();
    let fx_dir = fx.path().to_path_buf();
    let archive = format!("http://{archive_host}/archive/{full}/{sha7}");
    let base_repo = format!("/repos/{full}");
    let self_addr: Arc<std::sync::Mutex<Option<SocketAddr>>> = Arc::new(std::sync::Mutex::new(None));
    let sa = self_addr.clone();

    let addr = serve(Arc::new(move |req: Request| {
        match failure {
            Failure::RateLimited => {
                return Response::json(403, &json!({"message": "API rate limit exceeded"}))
                    .header("x-ratelimit-remaining", "0")
                    .header("x-ratelimit-reset", &(now.timestamp() + 600).to_string())
            }
            Failure::ServerError => return Response::json(502, &json!({"message": "Server Error"})),
            Failure::None => {}
        }
        assert_eq!(req.headers.get("authorization").map(String::as_str), Some("Bearer ghp_testtokenthatmustnotleak000000000000"));
        let me = sa.lock().unwrap().unwrap();
        let p = req.path().to_string();
        let page: usize = req.query().split('&').find_map(|kv| kv.strip_prefix("page=")).and_then(|v| v.parse().ok()).unwrap_or(1);
        if p == base_repo {
            Response::json(200, &repo_json)
        } else if p == format!("{base_repo}/contributors") {
            // Two per page, so the engine has to follow Link headers.
            let pages = contributors.len().div_ceil(2).max(1);
            let items: Vec<Value> = contributors.iter().skip((page - 1) * 2).take(2).cloned().collect();
            let mut resp = Response::json(200, &Value::Array(items));
            let mut links = Vec::new();
            if page < pages {
                links.push(format!("<http://{me}{p}?per_page=2&page={}>; rel=\"next\"", page + 1));
                links.push(format!("<http://{me}{p}?per_page=2&page={pages}>; rel=\"last\""));
            }
            if !links.is_empty() {
                resp = resp.header("Link", &links.join(", "));
            }
            resp
        } else if let Some(sha) = p.strip_prefix(&format!("{base_repo}/commits/")) {
            // One commit with its per-file line counts, from the fixture's real history.
            let numstat = String::from_utf8(git(&fx_dir, &["show", "--numstat", "--format=", sha])).unwrap();
            let files: Vec<Value> = numstat.lines().filter_map(|l| {
                let mut p = l.split('\t');
                let add: u64 = p.next()?.parse().ok()?;
                let del: u64 = p.next()?.parse().ok()?;
                Some(json!({"filename": p.next()?, "additions": add, "deletions": del, "changes": add + del}))
            }).collect();
            let additions: u64 = files.iter().map(|f| f["additions"].as_u64().unwrap()).sum();
            Response::json(200, &json!({"sha": sha, "stats": {"additions": additions, "deletions": 0, "total": additions}, "files": files}))
        } else if p.starts_with("/repos/upstream/original/compare/") {
            assert_eq!(p, format!("/repos/upstream/original/compare/main...{}:{}:main", r.owner, r.repo));
            match &fork_compare {
                Some(v) => Response::json(200, v),
                None => Response::json(404, &json!({"message": "Not Found"})),
            }
        } else if p == format!("{base_repo}/commits") {
            Response::json(200, &Value::Array(commits.iter().take(100).cloned().collect()))
        } else if p == format!("{base_repo}/releases") {
            Response::json(200, &Value::Array(releases.clone()))
        } else if p == format!("{base_repo}/tags") {
            Response::json(200, &Value::Array(tags.clone()))
        } else if p == format!("{base_repo}/languages") {
            Response::json(200, &json!({"TypeScript": 52000, "JavaScript": 3000}))
        } else if p == format!("{base_repo}/stargazers") {
            assert_eq!(req.headers.get("accept").map(String::as_str), Some("application/vnd.github.star+json"));
            match &stargazers {
                None => Response::json(403, &json!({"message": "Must have admin rights to Repository."})),
                Some(list) => Response::json(200, &Value::Array(list.iter().map(|(l, at, _)| json!({"starred_at": iso(*at), "user": {"login": l}})).collect())),
            }
        } else if let Some(login) = p.strip_prefix("/users/") {
            if login == r.owner {
                Response::json(200, &owner_json)
            } else if let Some((_, at, age)) = stargazers.as_ref().and_then(|s| s.iter().find(|(l, _, _)| l == login)) {
                Response::json(200, &json!({"login": login, "type": "User", "created_at": iso(*at - Duration::days(*age)), "followers": 0, "public_repos": 0}))
            } else {
                Response::json(404, &json!({"message": "Not Found"}))
            }
        } else if p == format!("{base_repo}/tarball") {
            Response::status(302).header("Location", &archive)
        } else {
            Response::json(404, &json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}))
        }
    }))
    .await;
    *self_addr.lock().unwrap() = Some(addr);
    addr
}

pub fn config(api: SocketAddr) -> EngineConfig {
    EngineConfig {
        github_api_url: format!("http://{api}"),
        github_token: Some("ghp_testtokenthatmustnotleak000000000000".into()),
        x_api_url: format!("http://{api}"),
        x_bearer_token: Some("x-test-bearer".into()),
        // The GitHub stand-in answers 404 here: OSV "unavailable" unless a test brings one.
        osv_api_url: format!("http://{api}"),
        allow_private_targets: true,
        limits: Limits::default(),
        work_dir: aura_engine::config::default_work_dir(),
    }
}

/// Progress events, recorded.
#[derive(Default)]
pub struct Recorder(pub std::sync::Mutex<Vec<(u8, String)>>);
impl aura_engine::ProgressSink for Recorder {
    fn progress(&self, p: u8, m: &str) {
        self.0.lock().unwrap().push((p, m.to_string()));
    }
}

// ---------------------------------------------------------------- fixture content

pub const README: &str = "# Orbit SDK\n\nOrbit is a TypeScript SDK for building Solana wallets and payment flows. It wraps transaction building, \
signing with hardware and software keypairs, fee estimation and confirmation tracking behind a small, typed API that works in Node \
and in the browser. The project has been used in production by several wallets since 2023 and follows semantic versioning.\n\n\
## Install\n\n```sh\nnpm install @orbit/sdk\n```\n\n## Usage\n\n```ts\nimport { Orbit } from '@orbit/sdk';\nconst orbit = new Orbit({ rpc: 'https://api.mainnet-beta.solana.com' });\n\
const sig = await orbit.transfer({ to, lamports });\n```\n\n## Contributing\n\nPull requests are welcome. Run the test suite with `npm test` and \
lint with `npm run lint` before opening one. Please describe the motivation for the change and link any related issue. Security \
reports go to the address in SECURITY.md, never to public issues. Releases are cut from the main branch after the CI pipeline passes on \
all supported Node versions.\n";

pub const MIT: &str = "MIT License\n\nCopyright (c) 2023 Orbit\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n";

/// A legitimately signing wallet library (reads a keypair, sends to an RPC).
pub const WALLET_TS: &str = "import { Connection, Keypair, sendAndConfirmTransaction, SystemProgram, Transaction } from '@solana/web3.js';\n\
import * as fs from 'fs';\nimport * as os from 'os';\n\n\
export function loadKeypair(path = os.homedir() + '/.config/solana/id.json'): Keypair {\n  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(path, 'utf8'))));\n}\n\n\
export async function transfer(conn: Connection, from: Keypair, to: string, lamports: number) {\n  const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to as any, lamports }));\n  return sendAndConfirmTransaction(conn, tx, [from]);\n}\n";

pub fn benign_source(i: usize) -> String {
    format!(
        "export interface Options{i} {{ retries: number; timeoutMs: number }}\n\nexport function backoff{i}(attempt: number, opts: Options{i}): number {{\n  const base = Math.min(opts.timeoutMs, 100 * 2 ** attempt);\n  return base + Math.floor(Math.random() * {i});\n}}\n\nexport class Queue{i}<T> {{\n  private items: T[] = [];\n  push(x: T) {{ this.items.push(x); }}\n  pop(): T | undefined {{ return this.items.shift(); }}\n  get size() {{ return this.items.length; }}\n}}\n"
    )
}

/// An established, benign project: 3+ years of history, six authors, tests, CI, licence.
pub fn established_repo() -> Fixture {
    let fx = Fixture::new();
    fx.write("README.md", README)
        .write("LICENSE", MIT)
        .write("SECURITY.md", "Report vulnerabilities to security@orbit.example.\n");
    fx.write(".github/workflows/ci.yml", "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n");
    fx.write("package.json", r#"{"name":"@orbit/sdk","version":"3.2.0","license":"MIT","scripts":{"test":"vitest","prepare":"husky install"},"dependencies":{"@solana/web3.js":"^1.95.0","bs58":"^5.0.0"},"devDependencies":{"vitest":"^1.0.0","husky":"^9.0.0"}}"#);
    fx.write("src/wallet.ts", WALLET_TS);
    fx.write("src/rpc.ts", "export const DEFAULT_RPC = 'https://api.mainnet-beta.solana.com';\nexport const LOCAL_RPC = 'http://127.0.0.1:8899';\n");
    fx.write("test/.keep", "");
    let authors = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank"];
    let mut day = 1250i64;
    let mut n = 0usize;
    while day > 0 {
        let a = authors[n % authors.len()];
        fx.write(&format!("src/mod{}.ts", n % 12), benign_source(n));
        if n.is_multiple_of(3) {
            fx.write(&format!("test/mod{}.test.ts", n % 12), format!("import {{ backoff{n} }} from '../src/mod{}';\nimport {{ test, expect }} from 'vitest';\ntest('backoff grows', () => {{\n  expect(backoff{n}(3, {{ retries: 1, timeoutMs: 10000 }})).toBeGreaterThan(700);\n}});\n", n % 12));
        }
        fx.commit(a, day, &format!("change {n}"));
        n += 1;
        day -= if day > 100 { 40 } else { 6 };
    }
    fx.tag("v3.2.0");
    fx
}
