//! Dependency intelligence end to end: an OSV stand-in on loopback answering the documented
//! `querybatch` and `vulns/{id}` shapes, behind the GitHub stand-in; and the metadata
//! signals (squashed history, thin fork) through the GitHub stand-in.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aura_engine::{CheckStatus, Engine, NoProgress, RepoTarget, ScanResult, Severity, Verdict};
use common::*;
use serde_json::{json, Value};

fn gh(owner: &str, repo: &str) -> RepoTarget {
    RepoTarget::GitHub {
        owner: owner.into(),
        repo: repo.into(),
    }
}

fn check<'a>(r: &'a ScanResult, id: &str) -> &'a aura_engine::Check {
    r.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id} in {:#?}", r.checks))
}

#[derive(Default)]
struct OsvCounts {
    batches: AtomicUsize,
    queries: AtomicUsize,
    details: AtomicUsize,
}

/// OSV as documented: `POST /v1/querybatch` → `{"results":[{"vulns":[{"id","modified"}]}]}`
/// in query order (`{}` for a clean package); `GET /v1/vulns/{id}` → the record.
async fn osv_standin(status: u16, counts: Arc<OsvCounts>) -> std::net::SocketAddr {
    serve(Arc::new(move |req: Request| {
        if status != 200 {
            return Response::json(status, &json!({"code": 14, "message": "unavailable"}));
        }
        match (req.method.as_str(), req.path()) {
            ("POST", "/v1/querybatch") => {
                counts.batches.fetch_add(1, Ordering::SeqCst);
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                let queries = body["queries"].as_array().unwrap();
                assert!(queries.len() <= 1000);
                counts.queries.fetch_add(queries.len(), Ordering::SeqCst);
                let results: Vec<Value> = queries
                    .iter()
                    .map(|q| {
                        let (eco, name, ver) = (
                            q["package"]["ecosystem"].as_str().unwrap(),
                            q["package"]["name"].as_str().unwrap(),
                            q["version"].as_str().unwrap(),
                        );
                        match (eco, name, ver) {
                            ("npm", "event-streem", "3.3.6") => json!({"vulns": [{"id": "MAL-2025-4242", "modified": "2025-01-02T00:00:00Z"}]}),
                            ("npm", "lodash", "4.17.20") => json!({"vulns": [
                                {"id": "GHSA-35jh-r3h4-6jhm", "modified": "2024-01-01T00:00:00Z"},
                                {"id": "GHSA-29mw-wpgm-hmr9", "modified": "2024-01-01T00:00:00Z"}]}),
                            ("PyPI", "pyyaml", "5.3") => json!({"vulns": [{"id": "PYSEC-2020-96", "modified": "2024-01-01T00:00:00Z"}]}),
                            _ => json!({}),
                        }
                    })
                    .collect();
                Response::json(200, &json!({ "results": results }))
            }
            ("GET", p) if p.starts_with("/v1/vulns/") => {
                counts.details.fetch_add(1, Ordering::SeqCst);
                let id = &p["/v1/vulns/".len()..];
                let v = match id {
                    "MAL-2025-4242" => json!({"id": id, "summary": "Malicious code in event-streem (npm)", "details": "The package steals cryptocurrency wallets.", "affected": [{"package": {"ecosystem": "npm", "name": "event-streem"}, "versions": ["3.3.6"]}]}),
                    "GHSA-35jh-r3h4-6jhm" => json!({"id": id, "summary": "Command Injection in lodash", "database_specific": {"severity": "HIGH"}}),
                    "GHSA-29mw-wpgm-hmr9" => json!({"id": id, "summary": "ReDoS in lodash", "database_specific": {"severity": "MODERATE"}}),
                    "PYSEC-2020-96" => json!({"id": id, "details": "Arbitrary code execution in full_load", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}),
                    _ => return Response::json(404, &json!({"code": 5, "message": "Bug not found."})),
                };
                Response::json(200, &v)
            }
            _ => Response::json(404, &json!({"message": "Not Found"})),
        }
    }))
    .await
}

fn lockfile(extra: &str) -> String {
    format!(
        r#"{{"name":"@orbit/sdk","version":"3.2.0","lockfileVersion":3,"requires":true,"packages":{{
  "":{{"name":"@orbit/sdk","version":"3.2.0","dependencies":{{"@solana/web3.js":"^1.95.0","bs58":"^5.0.0"}}}},
  "node_modules/@solana/web3.js":{{"version":"1.95.3","resolved":"https://registry.npmjs.org/@solana/web3.js/-/web3.js-1.95.3.tgz"}},
  "node_modules/bs58":{{"version":"5.0.0","resolved":"https://registry.npmjs.org/bs58/-/bs58-5.0.0.tgz"}}{extra}}}}}"#
    )
}

async fn scan_with_osv(fx: &Fixture, osv: Option<std::net::SocketAddr>, repo: GhRepo) -> ScanResult {
    let (o, n) = (repo.owner.clone(), repo.repo.clone());
    let api = github_mock(fx, repo, Failure::None).await;
    let mut cfg = config(api);
    if let Some(osv) = osv {
        cfg.osv_api_url = format!("http://{osv}");
    }
    Engine::new(cfg)
        .scan_repo(&gh(&o, &n), &NoProgress)
        .await
        .expect("scan completes")
        .result
}

const NEW_CHECKS: [&str; 5] = [
    "deps.malicious",
    "deps.vulnerabilities",
    "deps.sources",
    "history.squashed",
    "fork.thin",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_lockfile_costs_nothing_and_is_cached() {
    let counts = Arc::new(OsvCounts::default());
    let osv = osv_standin(200, counts.clone()).await;
    let fx = established_repo();
    fx.write("package-lock.json", lockfile(""));
    fx.commit("Alice", 1, "lockfile");
    let r = scan_with_osv(&fx, Some(osv), GhRepo::new("orbit", "sdk")).await;
    for id in NEW_CHECKS {
        assert_eq!(check(&r, id).points, 0, "{:#?}", check(&r, id));
    }
    assert_eq!(check(&r, "deps.malicious").status, CheckStatus::Pass);
    assert!(check(&r, "deps.vulnerabilities").detail.contains("2 pinned package"));
    assert_eq!(counts.batches.load(Ordering::SeqCst), 1);
    assert_eq!(counts.queries.load(Ordering::SeqCst), 2);
    // The same packages again within the day: answered from the cache.
    let again = scan_with_osv(&fx, Some(osv), GhRepo::new("orbit", "sdk")).await;
    assert_eq!(counts.batches.load(Ordering::SeqCst), 1, "cached");
    assert_eq!(again.score, r.score);
    assert_eq!(check(&again, "deps.malicious").status, CheckStatus::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malicious_release_is_scam() {
    let counts = Arc::new(OsvCounts::default());
    let osv = osv_standin(200, counts.clone()).await;
    let fx = established_repo();
    fx.write(
        "package-lock.json",
        lockfile(r#","node_modules/event-streem":{"version":"3.3.6","resolved":"https://registry.npmjs.org/event-streem/-/event-streem-3.3.6.tgz"}"#),
    );
    fx.commit("Mallory", 1, "deps");
    let r = scan_with_osv(&fx, Some(osv), GhRepo::new("orbit", "sdk")).await;
    assert_eq!(r.verdict, Verdict::Scam, "{r:#?}");
    let c = check(&r, "deps.malicious");
    assert_eq!((c.status, c.points), (CheckStatus::Fail, -50));
    let f = &r.red_flags[0];
    assert_eq!((f.id.as_str(), f.severity), ("deps.malicious", Severity::Critical));
    assert!(f.title.contains("event-streem@3.3.6"), "{f:#?}");
    assert!(
        f.detail.contains("MAL-2025-4242") && f.detail.contains("package-lock.json"),
        "{f:#?}"
    );
    assert!(r.tags.contains(&"#MaliciousDependency".to_string()));
    assert_eq!(counts.details.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vulnerable_versions_cost_points_never_scam() {
    let counts = Arc::new(OsvCounts::default());
    let osv = osv_standin(200, counts.clone()).await;
    let fx = established_repo();
    fx.write("package-lock.json", lockfile(""));
    fx.commit("Alice", 2, "lockfile");
    let clean = scan_with_osv(&fx, Some(osv), GhRepo::new("orbit", "sdk")).await;

    fx.write(
        "package-lock.json",
        lockfile(r#","node_modules/lodash":{"version":"4.17.20","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"}"#),
    );
    fx.write("scripts/requirements.txt", "PyYAML==5.3\nrequests>=2\n");
    fx.commit("Alice", 1, "deps");
    let r = scan_with_osv(&fx, Some(osv), GhRepo::new("orbit", "sdk")).await;
    assert_ne!(r.verdict, Verdict::Scam);
    let c = check(&r, "deps.vulnerabilities");
    assert_eq!((c.status, c.points), (CheckStatus::Warn, -10), "{c:#?}");
    assert!(
        c.detail.contains("lodash 4.17.20") && c.detail.contains("pyyaml 5.3"),
        "{c:#?}"
    );
    let f = r.red_flags.iter().find(|f| f.id == "deps.vulnerabilities").unwrap();
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(r.score as i32, clean.score as i32 - 10, "only this check moved");
    assert!(counts.details.load(Ordering::SeqCst) >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn osv_down_is_info_and_the_scan_completes() {
    let fx = established_repo();
    fx.write(
        "package-lock.json",
        // A name no other test asks about: caches are per API base, and a port may be reused.
        lockfile(r#","node_modules/only-asked-when-down":{"version":"1.0.0"}"#),
    );
    fx.commit("Alice", 1, "lockfile");
    let counts = Arc::new(OsvCounts::default());
    let down = osv_standin(503, counts).await;
    let r = scan_with_osv(&fx, Some(down), GhRepo::new("orbit", "sdk")).await;
    for id in ["deps.malicious", "deps.vulnerabilities"] {
        let c = check(&r, id);
        assert_eq!((c.status, c.points), (CheckStatus::Info, 0), "{c:#?}");
        assert!(c.detail.contains("503"), "{c:#?}");
    }
    assert_ne!(r.verdict, Verdict::Scam);
    // Nothing listening at all.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let r2 = scan_with_osv(&fx, Some(closed), GhRepo::new("orbit", "sdk")).await;
    let c = check(&r2, "deps.malicious");
    assert_eq!((c.status, c.points), (CheckStatus::Info, 0), "{c:#?}");
    assert!(c.detail.contains("could not be reached"), "{c:#?}");
    assert_eq!(r2.score, r.score);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_dependency_is_a_source_finding() {
    let fx = established_repo();
    fx.write("package.json", r#"{"name":"@orbit/sdk","version":"3.2.0","license":"MIT","scripts":{"test":"vitest"},"dependencies":{"@solana/web3.js":"^1.95.0","wallet-utils":"github:someone/wallet-utils#main"},"devDependencies":{"vitest":"^1.0.0","local-tools":"file:../tools"}}"#);
    fx.commit("Alice", 1, "git dep");
    let r = scan_with_osv(&fx, None, GhRepo::new("orbit", "sdk")).await;
    let c = check(&r, "deps.sources");
    assert_eq!((c.status, c.points), (CheckStatus::Warn, -3), "{c:#?}");
    assert!(c.detail.contains("wallet-utils"));
    // Without exact pins there is nothing to ask OSV.
    assert_eq!(check(&r, "deps.malicious").status, CheckStatus::Info);
}

/// One commit carrying 6,000 lines on a 20-day-old repository.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn squashed_history_on_a_young_repository() {
    let fx = Fixture::new();
    fx.write("README.md", README).write("LICENSE", MIT);
    for i in 0..40 {
        fx.write(&format!("src/m{i}.ts"), benign_source(i).repeat(10));
    }
    fx.commit("Dev", 3, "initial commit");
    fx.write("README.md", format!("{README}\nMore docs.\n"));
    fx.commit("Dev", 1, "docs");
    let mut repo = GhRepo::new("fresh", "token-sdk");
    repo.created_days_ago = 20;
    let r = scan_with_osv(&fx, None, repo.clone()).await;
    let c = check(&r, "history.squashed");
    assert_eq!((c.status, c.points), (CheckStatus::Warn, -5), "{c:#?}");
    assert!(r.tags.contains(&"#SquashedHistory".to_string()));
    // The same history on an old repository is only a note.
    repo.created_days_ago = 900;
    let r = scan_with_osv(&fx, None, repo).await;
    assert_eq!(check(&r, "history.squashed").points, 0);
    assert_eq!(check(&r, "history.squashed").status, CheckStatus::Info);

    // Many commits after a big first one: the root commit's additions (from the commit
    // API's per-file counts) still show the code arrived at once.
    for i in 0..6 {
        fx.write("CHANGELOG.md", format!("v0.{i}\n"));
        fx.commit("Dev", 1, "tweak");
    }
    let mut repo = GhRepo::new("fresh", "token-sdk");
    repo.created_days_ago = 20;
    let r = scan_with_osv(&fx, None, repo).await;
    let c = check(&r, "history.squashed");
    assert_eq!(c.points, -5, "{c:#?}");
    assert!(c.detail.contains("first commit added"), "{c:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thin_fork_and_real_fork() {
    let fx = established_repo();
    let mut repo = GhRepo::new("orbit", "sdk");
    repo.fork = true;
    repo.fork_compare = Some(
        json!({"status": "diverged", "ahead_by": 1, "behind_by": 12, "total_commits": 1,
        "files": [{"filename": "README.md", "status": "modified", "additions": 3, "deletions": 1, "changes": 4, "patch": "@@"}]}),
    );
    let r = scan_with_osv(&fx, None, repo.clone()).await;
    let c = check(&r, "fork.thin");
    assert_eq!((c.status, c.points), (CheckStatus::Warn, -5), "{c:#?}");
    assert!(c.detail.contains("changes 4 line(s) of upstream/original"), "{c:#?}");
    assert!(r.tags.contains(&"#ThinFork".to_string()));

    repo.fork_compare = Some(json!({"status": "ahead", "ahead_by": 48, "behind_by": 0,
        "files": (0..30).map(|i| json!({"filename": format!("src/f{i}.ts"), "changes": 40})).collect::<Vec<_>>()}));
    let r = scan_with_osv(&fx, None, repo.clone()).await;
    let c = check(&r, "fork.thin");
    assert_eq!((c.status, c.points), (CheckStatus::Info, 0), "{c:#?}");

    // The compare failing leaves it unknown; the scan goes on.
    repo.fork_compare = None;
    let r = scan_with_osv(&fx, None, repo).await;
    let c = check(&r, "fork.thin");
    assert_eq!((c.status, c.points), (CheckStatus::Info, 0), "{c:#?}");
}
