//! The engine's newer signal families through the real server: a repository served by the
//! GitHub stand-in is scanned over `/v1/scan/repo` and the stored result carries token
//! owner powers, workflow integrity, README red flags, known-malicious dependencies (from the
//! OSV stand-in on the same port) and a thin fork. OSV being down costs information, never
//! the scan.

use crate::common::{app_with_github, github, post_scan, register, wait_finished, Db, TestApp};
use serde_json::{json, Value};

const TOKEN: &str = r#"pragma solidity ^0.6.12;
contract Ownable {
    address private _owner;
    address private _previousOwner;
    uint256 private _lockTime;
    modifier onlyOwner() { require(_owner == msg.sender, "Ownable: caller is not the owner"); _; }
    function owner() public view returns (address) { return _owner; }
    function renounceOwnership() public virtual onlyOwner { _owner = address(0); }
    function lock(uint256 time) public virtual onlyOwner { _previousOwner = _owner; _owner = address(0); _lockTime = now + time; }
    function unlock() public virtual { require(_previousOwner == msg.sender, "no"); require(now > _lockTime, "locked"); _owner = _previousOwner; }
}
contract MoonToken is Ownable {
    mapping (address => uint256) private _balances;
    mapping (address => bool) private _isBot;
    uint256 private _totalSupply;
    uint256 public _taxFee = 5;
    uint256 public _maxTxAmount = 5000000 * 10**9;
    function _transfer(address from, address to, uint256 amount) private {
        require(!_isBot[from] && !_isBot[to], "bot");
        if (from != owner()) require(amount <= _maxTxAmount, "max tx");
        uint256 fee = amount * _taxFee / 100;
        _balances[from] -= amount;
        _balances[to] += amount - fee;
    }
    function setBots(address[] memory bots_, bool v) public onlyOwner { for (uint i = 0; i < bots_.length; i++) { _isBot[bots_[i]] = v; } }
    function setTaxFeePercent(uint256 taxFee) external onlyOwner { _taxFee = taxFee; }
    function setMaxTxPercent(uint256 maxTxPercent) external onlyOwner { _maxTxAmount = _totalSupply * maxTxPercent / 100; }
}
"#;

const PR_TARGET: &str = "name: preview\non:\n  pull_request_target:\n    types: [opened, synchronize]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci && npm run build\n";

const LOCKFILE: &str = r#"{"name":"moon","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{
  "":{"name":"moon","version":"1.0.0","dependencies":{"event-streem":"3.3.6","bs58":"^5.0.0"}},
  "node_modules/event-streem":{"version":"3.3.6","resolved":"https://registry.npmjs.org/event-streem/-/event-streem-3.3.6.tgz"},
  "node_modules/bs58":{"version":"5.0.0","resolved":"https://registry.npmjs.org/bs58/-/bs58-5.0.0.tgz"}}}"#;

/// A token project with every new family's red flag in it.
fn moon_repo() -> github::StubRepo {
    let mut r = github::healthy_repo(7);
    r.files.retain(|(p, _)| p != "README.md" && p != "package.json");
    r.files.extend([
        ("README.md".into(), "# MoonToken\n\nFair launch, ownership renounced, 100% SAFU. Guaranteed returns: 100x from here, risk-free. Buy before the listing.\n\n## Install\n\n```sh\nnpm install\n```\n".into()),
        ("contracts/MoonToken.sol".into(), TOKEN.into()),
        (".github/workflows/preview.yml".into(), PR_TARGET.into()),
        ("package.json".into(), r#"{"name":"moon","version":"1.0.0","license":"MIT","dependencies":{"event-streem":"3.3.6","bs58":"^5.0.0"}}"#.into()),
        ("package-lock.json".into(), LOCKFILE.into()),
    ]);
    r
}

async fn scan(app: &TestApp, key: &str, url: &str) -> Value {
    let res = post_scan(app, key, json!({"url": url, "fresh": true})).await;
    assert_eq!(res.status(), 202, "{:?}", res.text().await);
    let id = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = wait_finished(app, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    done["result"].clone()
}

fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {r}"))
}

fn flags<'a>(r: &'a Value, id: &str) -> Vec<&'a Value> {
    r["red_flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_signal_families_reach_the_stored_result() {
    let Some((app, gh)) = app_with_github(Db::Sqlite, &[]).await else {
        return;
    };
    gh.add("moon/token", moon_repo());
    gh.add_malicious("npm", "event-streem", "3.3.6", "MAL-2025-4242");
    gh.add("acme/orbit", github::healthy_repo(1));
    gh.add_fork("copycat/orbit", "acme/orbit", github::healthy_repo(1), 4);
    let (_, key) = register(&app, "bot@acme.example").await;

    let r = scan(&app, &key, "moon/token").await;
    // A known-malicious dependency is a critical scam finding: SCAM, naming the advisory.
    assert_eq!(r["verdict"], "SCAM", "{r}");
    let mal = flags(&r, "deps.malicious");
    assert!(
        mal.iter()
            .any(|f| f["severity"] == "critical" && f["detail"].as_str().unwrap().contains("MAL-2025-4242")),
        "{r}"
    );
    // Owner powers on a token whose README says "renounced": the high flag, quoting it.
    let powers = check(&r, "contract.owner_powers");
    assert!(powers["points"].as_i64().unwrap() < 0, "{powers}");
    assert!(
        flags(&r, "contract.owner_powers")
            .iter()
            .any(|f| f["severity"] == "high"),
        "{r}"
    );
    // pull_request_target checking out the pull request's code.
    let wf = check(&r, "workflow.integrity");
    assert!(wf["points"].as_i64().unwrap() < 0 && wf["status"] == "fail", "{wf}");
    // Shill wording in the README.
    assert!(check(&r, "readme.signals")["points"].as_i64().unwrap() < 0, "{r}");
    // Every point is still explained: the score is the clamped sum of the checks.
    let sum: i64 = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["points"].as_i64().unwrap())
        .sum();
    assert_eq!(r["score"].as_i64().unwrap(), sum.clamp(0, 100));

    // A healthy, established project: none of the new checks costs it a point.
    let p = scan(&app, &key, "acme/orbit").await;
    for id in [
        "contract.owner_powers",
        "workflow.integrity",
        "readme.signals",
        "deps.malicious",
        "deps.vulnerabilities",
        "deps.sources",
        "history.squashed",
        "fork.thin",
    ] {
        assert_eq!(check(&p, id)["points"], 0, "{id}: {p}");
    }
    assert!(
        flags(&p, "deps.malicious").is_empty() && flags(&p, "contract.owner_powers").is_empty(),
        "{p}"
    );
    // A fork of it that changes four lines.
    let f = scan(&app, &key, "copycat/orbit").await;
    let thin = check(&f, "fork.thin");
    assert!(
        thin["points"].as_i64().unwrap() < 0 && thin["detail"].as_str().unwrap().contains("acme/orbit"),
        "{thin}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn osv_unreachable_costs_information_not_the_scan() {
    // Nothing listens on port 9 of loopback: every OSV request is refused.
    let Some((app, gh)) = app_with_github(Db::Sqlite, &[("AURA_OSV_API_URL", "http://127.0.0.1:9")]).await else {
        return;
    };
    gh.add("moon/token", moon_repo());
    let (_, key) = register(&app, "bot@acme.example").await;
    let r = scan(&app, &key, "moon/token").await;
    let mal = check(&r, "deps.malicious");
    assert_eq!(
        (mal["status"].as_str(), mal["points"].as_i64()),
        (Some("info"), Some(0)),
        "{mal}"
    );
    assert!(flags(&r, "deps.malicious").is_empty(), "{r}");
    // The other families still report.
    assert!(check(&r, "workflow.integrity")["points"].as_i64().unwrap() < 0);
}
