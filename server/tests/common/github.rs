//! A stand-in for GitHub's REST API on loopback: the documented response shapes for
//! `GET /repos/{owner}/{repo}`, `/users/{login}`, `/commits`, `/contributors`, and
//! `/tarball` (a 302 to an archive URL serving a real `.tar.gz` with GitHub's
//! `{owner}-{repo}-{sha}/` prefix), a fork's `/compare/{base}...{head}`; and, on the same
//! port, OSV's `POST /v1/querybatch` and `GET /v1/vulns/{id}` (point `AURA_OSV_API_URL` here).
//! Knobs make it slow, flaky, or count concurrency.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use chrono::Utc;
use serde_json::json;

#[derive(Clone)]
pub struct StubRepo {
    pub files: Vec<(String, String)>,
    pub created_days_ago: i64,
    pub stars: u64,
}

#[derive(Default)]
pub struct Stub {
    repos: Mutex<HashMap<String, StubRepo>>,
    /// Delay before the archive answers (keeps scans running long enough to watch).
    pub archive_delay_ms: AtomicUsize,
    /// The next N repository lookups answer 502 (a transient GitHub outage).
    pub fail_next: AtomicUsize,
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    pub archives_served: AtomicUsize,
    /// Forks: full name -> (parent full name, lines the fork changes).
    forks: Mutex<HashMap<String, (String, u64)>>,
    /// OSV's known-malicious packages: (ecosystem, name, version) -> `MAL-` id.
    malicious: Mutex<HashMap<(String, String, String), String>>,
    pub osv_batches: AtomicUsize,
}

pub struct GitHub {
    pub addr: SocketAddr,
    pub stub: Arc<Stub>,
}

impl GitHub {
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn add(&self, full_name: &str, repo: StubRepo) {
        self.stub
            .repos
            .lock()
            .unwrap()
            .insert(full_name.to_ascii_lowercase(), repo);
    }
    /// Makes `full_name` a fork of `parent` whose comparison changes `lines` lines.
    pub fn add_fork(&self, full_name: &str, parent: &str, repo: StubRepo, lines: u64) {
        self.add(full_name, repo);
        self.stub
            .forks
            .lock()
            .unwrap()
            .insert(full_name.to_ascii_lowercase(), (parent.to_string(), lines));
    }
    /// OSV will answer `id` (a `MAL-…` advisory) for this package version.
    pub fn add_malicious(&self, ecosystem: &str, name: &str, version: &str, id: &str) {
        let key = (ecosystem.to_string(), name.to_string(), version.to_string());
        self.stub.malicious.lock().unwrap().insert(key, id.to_string());
    }
    pub fn set_archive_delay(&self, d: Duration) {
        self.stub
            .archive_delay_ms
            .store(d.as_millis() as usize, Ordering::SeqCst);
    }
}

/// A small, healthy TypeScript project (tests, CI, licence, README), distinct per `seed`.
pub fn healthy_repo(seed: usize) -> StubRepo {
    let mut files = vec![
        ("README.md".to_string(), format!("# Orbit {seed}\n\nOrbit is a TypeScript SDK for building wallets and payment flows. It wraps transaction building, signing, fee estimation and confirmation tracking behind a small typed API.\n\n## Install\n\n```sh\nnpm install @orbit/sdk{seed}\n```\n\n## Contributing\n\nRun `npm test` before opening a pull request. Security reports go to SECURITY.md.\n")),
        ("LICENSE".into(), "MIT License\n\nCopyright (c) 2023 Orbit\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n".into()),
        ("package.json".into(), format!(r#"{{"name":"@orbit/sdk{seed}","version":"1.0.0","license":"MIT","scripts":{{"test":"vitest"}},"devDependencies":{{"vitest":"^1.0.0"}}}}"#)),
        (".github/workflows/ci.yml".into(), "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n".into()),
    ];
    for i in 0..10 {
        files.push((format!("src/mod{i}.ts"), source(seed * 100 + i)));
        if i % 3 == 0 {
            files.push((format!("test/mod{i}.test.ts"), format!("import {{ backoff{n} }} from '../src/mod{i}';\nimport {{ test, expect }} from 'vitest';\ntest('grows', () => {{ expect(backoff{n}(3, {{ retries: 1, timeoutMs: 10000 }})).toBeGreaterThan(700); }});\n", n = seed * 100 + i)));
        }
    }
    StubRepo {
        files,
        created_days_ago: 900,
        stars: 420,
    }
}

fn source(n: usize) -> String {
    // Structurally different per `n` (not only renamed), so distinct seeds are not clones.
    let extra: String = (0..(n % 7 + 2))
        .map(|k| format!("  step{k}(x: number): number {{ return x * {} + {k}; }}\n", n + k))
        .collect();
    format!(
        "export interface Options{n} {{ retries: number; timeoutMs: number }}\n\nexport function backoff{n}(attempt: number, opts: Options{n}): number {{\n  const base = Math.min(opts.timeoutMs, 100 * 2 ** attempt);\n  return base + Math.floor(Math.random() * {n});\n}}\n\nexport class Queue{n}<T> {{\n  private items: T[] = [];\n  push(x: T) {{ this.items.push(x); }}\n  pop(): T | undefined {{ return this.items.shift(); }}\n{extra}}}\n"
    )
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})),
    )
        .into_response()
}

fn iso(days_ago: i64) -> String {
    (Utc::now() - chrono::Duration::days(days_ago))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

async fn repo(State(s): State<Arc<Stub>>, Path((owner, name)): Path<(String, String)>) -> Response {
    if s.fail_next.load(Ordering::SeqCst) > 0 {
        s.fail_next.fetch_sub(1, Ordering::SeqCst);
        return (StatusCode::BAD_GATEWAY, Json(json!({"message": "Server Error"}))).into_response();
    }
    let Some(r) = s
        .repos
        .lock()
        .unwrap()
        .get(&format!("{owner}/{name}").to_ascii_lowercase())
        .cloned()
    else {
        return not_found();
    };
    let fork = s
        .forks
        .lock()
        .unwrap()
        .get(&format!("{owner}/{name}").to_ascii_lowercase())
        .cloned();
    Json(json!({
        "id": 1, "name": name, "full_name": format!("{owner}/{name}"), "private": false,
        "owner": {"login": owner, "type": "User"},
        "description": "A wallet SDK", "fork": fork.is_some(),
        "parent": fork.as_ref().map(|(p, _)| json!({"full_name": p, "default_branch": "main"})),
        "created_at": iso(r.created_days_ago), "updated_at": iso(1), "pushed_at": iso(2),
        "stargazers_count": r.stars, "watchers_count": r.stars, "subscribers_count": 12,
        "forks_count": 30, "open_issues_count": 4, "archived": false, "default_branch": "main",
        "license": {"key": "mit", "spdx_id": "MIT"},
    }))
    .into_response()
}

async fn sub(State(s): State<Arc<Stub>>, Path((owner, name, what)): Path<(String, String, String)>) -> Response {
    if !s
        .repos
        .lock()
        .unwrap()
        .contains_key(&format!("{owner}/{name}").to_ascii_lowercase())
    {
        return not_found();
    }
    match what.as_str() {
        "commits" => Json(
            (0..30)
                .map(|i| {
                    let who = ["alice", "bob", "carol", "dave"][i % 4];
                    json!({"sha": format!("{:040x}", i + 1), "commit": {"author": {"name": who, "email": format!("{who}@example.org"), "date": iso(i as i64 * 20)}, "committer": {"name": who, "date": iso(i as i64 * 20)}, "message": "change"}, "author": {"login": who, "type": "User"}})
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        "contributors" => Json(json!([
            {"login": "alice", "id": 1, "type": "User", "contributions": 40},
            {"login": "bob", "id": 2, "type": "User", "contributions": 25},
            {"login": "carol", "id": 3, "type": "User", "contributions": 12},
            {"login": "dave", "id": 4, "type": "User", "contributions": 5}
        ]))
        .into_response(),
        "tarball" => (StatusCode::FOUND, [(header::LOCATION, format!("/_archive/{owner}/{name}"))]).into_response(),
        _ => not_found(),
    }
}

async fn user(Path(login): Path<String>) -> Response {
    Json(json!({"login": login, "type": "User", "created_at": iso(2000), "followers": 300, "public_repos": 25}))
        .into_response()
}

struct InFlight<'a>(&'a Stub);
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn archive(State(s): State<Arc<Stub>>, Path((owner, name)): Path<(String, String)>) -> Response {
    let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let _guard = InFlight(&s);
    let delay = s.archive_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay as u64)).await;
    }
    let Some(r) = s
        .repos
        .lock()
        .unwrap()
        .get(&format!("{owner}/{name}").to_ascii_lowercase())
        .cloned()
    else {
        return not_found();
    };
    let bytes = tarball(&format!("{owner}-{name}-abc1234"), &r.files);
    s.archives_served.fetch_add(1, Ordering::SeqCst);
    ([(header::CONTENT_TYPE, "application/x-gzip")], Body::from(bytes)).into_response()
}

/// A real gzipped tar made by the system's `tar`, as GitHub's archive host would send.
fn tarball(prefix: &str, files: &[(String, String)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(prefix).join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    let out = std::process::Command::new("tar")
        .arg("czf")
        .arg("-")
        .arg("-C")
        .arg(dir.path())
        .arg(prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "tar failed");
    out.stdout
}

/// `GET /repos/{parent}/compare/main...{owner}:{repo}:main`: what a fork changes.
async fn compare(State(s): State<Arc<Stub>>, Path((_, _, basehead)): Path<(String, String, String)>) -> Response {
    let head = basehead.split("...").nth(1).unwrap_or_default();
    let mut parts = head.split(':');
    let (owner, repo) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let Some((_, lines)) = s
        .forks
        .lock()
        .unwrap()
        .get(&format!("{owner}/{repo}").to_ascii_lowercase())
        .cloned()
    else {
        return not_found();
    };
    Json(json!({"status": "ahead", "ahead_by": 1, "behind_by": 0, "total_commits": 1,
        "files": [{"filename": "README.md", "status": "modified", "additions": lines, "deletions": 0, "changes": lines}]}))
    .into_response()
}

/// OSV's batch query: ids only, in query order, `{}` for a clean package.
async fn osv_batch(State(s): State<Arc<Stub>>, Json(body): Json<serde_json::Value>) -> Response {
    s.osv_batches.fetch_add(1, Ordering::SeqCst);
    let known = s.malicious.lock().unwrap().clone();
    let results: Vec<_> = body["queries"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|q| {
            let key = (
                q["package"]["ecosystem"].as_str().unwrap_or_default().to_string(),
                q["package"]["name"].as_str().unwrap_or_default().to_string(),
                q["version"].as_str().unwrap_or_default().to_string(),
            );
            match known.get(&key) {
                Some(id) => json!({"vulns": [{"id": id, "modified": "2025-01-02T00:00:00Z"}]}),
                None => json!({}),
            }
        })
        .collect();
    Json(json!({ "results": results })).into_response()
}

async fn osv_vuln(State(s): State<Arc<Stub>>, Path(id): Path<String>) -> Response {
    let known = s.malicious.lock().unwrap().clone();
    let Some(((eco, name, version), _)) = known.iter().find(|(_, v)| **v == id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"code": 5, "message": "Bug not found."})),
        )
            .into_response();
    };
    Json(json!({"id": id, "summary": format!("Malicious code in {name} ({eco})"),
        "details": "The package steals cryptocurrency wallets.",
        "affected": [{"package": {"ecosystem": eco, "name": name}, "versions": [version]}]}))
    .into_response()
}

pub async fn start() -> GitHub {
    let stub = Arc::new(Stub::default());
    let app = Router::new()
        .route("/repos/{owner}/{name}", get(repo))
        .route("/repos/{owner}/{name}/{what}", get(sub))
        .route("/repos/{owner}/{name}/compare/{basehead}", get(compare))
        .route("/v1/querybatch", axum::routing::post(osv_batch))
        .route("/v1/vulns/{id}", get(osv_vuln))
        .route("/users/{login}", get(user))
        .route("/_archive/{owner}/{name}", get(archive))
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    GitHub { addr, stub }
}
