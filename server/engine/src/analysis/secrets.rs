//! Secret detection rules (the gitleaks class), verified around anchor hits.
//!
//! Every rule pairs a provider-specific shape with entropy and context checks to keep false
//! positives down (documentation examples, test keys, placeholders, detector patterns).
//! A finding never carries the secret itself: only a redacted preview built by [`redact`].

use std::sync::LazyLock;

use regex::bytes::Regex;
use sha2::{Digest, Sha256};

use super::anchors::Sig;
use crate::result::Severity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFinding {
    /// Stable rule id, e.g. `github_token`; flags use `secrets.{rule}`.
    pub rule: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub path: String,
    pub line: u32,
    /// Redacted preview: public prefix, length and a short hash. Never the value.
    pub redacted: String,
}

/// Shannon entropy in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// `ghp_…[40 chars, sha256:1a2b3c4d]`: enough to find and rotate the key, useless to use it.
pub fn redact(secret: &[u8], public_prefix: usize) -> String {
    let keep = public_prefix.min(secret.len() / 4).min(8);
    let prefix = String::from_utf8_lossy(&secret[..keep]);
    let digest = Sha256::digest(secret);
    format!(
        "{prefix}…[{} chars, sha256:{}]",
        secret.len(),
        hex::encode(&digest[..4])
    )
}

fn looks_placeholder(v: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(v).to_ascii_lowercase();
    const WORDS: [&str; 12] = [
        "example",
        "xxxx",
        "your",
        "dummy",
        "placeholder",
        "changeme",
        "fake",
        "sample",
        "redacted",
        "<",
        "0000000000",
        "1234567890",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // One character repeated, or a trivially sequential run.
    let distinct = {
        let mut seen = [false; 256];
        v.iter()
            .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
            .count()
    };
    distinct <= 3
}

struct Rule {
    id: &'static str,
    title: &'static str,
    sig: Sig,
    re: Regex,
    /// Capture group holding the secret.
    group: usize,
    min_entropy: f64,
    severity: Severity,
    prefix: usize,
}

fn rule(
    id: &'static str,
    title: &'static str,
    sig: Sig,
    re: &str,
    min_entropy: f64,
    severity: Severity,
    prefix: usize,
) -> Rule {
    Rule {
        id,
        title,
        sig,
        re: Regex::new(re).expect("static secret regex"),
        group: 1,
        min_entropy,
        severity,
        prefix,
    }
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Severity::*;
    vec![
        rule(
            "aws_access_key",
            "AWS access key ID",
            Sig::AwsKeyId,
            r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b",
            3.0,
            High,
            4,
        ),
        rule(
            "aws_secret_key",
            "AWS secret access key",
            Sig::AwsSecret,
            r#"(?i)aws_secret_access_key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})\b"#,
            4.0,
            Critical,
            0,
        ),
        rule(
            "github_token",
            "GitHub token",
            Sig::GithubToken,
            r"\b(gh[pousr]_[A-Za-z0-9]{36})\b",
            3.5,
            Critical,
            4,
        ),
        rule(
            "github_token",
            "GitHub fine-grained token",
            Sig::GithubPat,
            r"\b(github_pat_[A-Za-z0-9_]{82})\b",
            3.5,
            Critical,
            11,
        ),
        rule(
            "slack_token",
            "Slack token",
            Sig::SlackToken,
            r"\b(xox[bparse]-[0-9]{8,13}-[0-9A-Za-z-]{8,})\b",
            3.0,
            High,
            5,
        ),
        rule(
            "slack_webhook",
            "Slack webhook URL",
            Sig::SlackWebhook,
            r"(hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})",
            3.5,
            Medium,
            24,
        ),
        rule(
            "stripe_live_key",
            "Stripe live secret key",
            Sig::StripeLive,
            r"\b([sr]k_live_[0-9a-zA-Z]{24,99})\b",
            3.5,
            Critical,
            8,
        ),
        rule(
            "openai_key",
            "OpenAI API key",
            Sig::OpenAiKey,
            r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200})",
            4.0,
            Critical,
            3,
        ),
        rule(
            "openai_key",
            "OpenAI API key",
            Sig::OpenAiKey,
            r"\b(sk-(?:proj|svcacct)-[A-Za-z0-9_-]{80,200})",
            4.0,
            Critical,
            3,
        ),
        rule(
            "anthropic_key",
            "Anthropic API key",
            Sig::AnthropicKey,
            r"\b(sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,120})",
            4.0,
            Critical,
            7,
        ),
        rule(
            "google_api_key",
            "Google API key",
            Sig::GoogleApiKey,
            r"\b(AIza[0-9A-Za-z_-]{35})",
            3.5,
            Medium,
            4,
        ),
        rule(
            "npm_token",
            "npm access token",
            Sig::NpmToken,
            r"\b(npm_[A-Za-z0-9]{36})\b",
            3.5,
            High,
            4,
        ),
        rule(
            "telegram_bot_token",
            "Telegram bot token",
            Sig::TelegramToken,
            r"\b([0-9]{8,10}:AA[0-9A-Za-z_-]{33})\b",
            3.5,
            High,
            0,
        ),
        rule(
            "eth_private_key",
            "Wallet private key (hex)",
            Sig::KeyContext,
            r#"(?i)(?:priv(?:ate)?[ _-]?key|wallet\()[^\n]{0,40}?["'=:\s(`]\s*(?:0x)?([0-9a-f]{64})\b"#,
            3.0,
            Critical,
            0,
        ),
    ]
});

/// Published test keys (Hardhat/Anvil account #0 and #1): public knowledge, not a leak.
const KNOWN_TEST_KEYS: [&str; 2] = [
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
];

/// Public test mnemonics (BIP-39 vectors, Hardhat, Ganache).
const KNOWN_TEST_MNEMONICS: [&str; 3] = [
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "test test test test test test test test test test test junk",
    "candy maple cake sugar pudding cream honey rich smooth crumble sweet treat",
];

static PEM_BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----\s*(?:[A-Za-z-]+:[^\n]*\n\s*)*([A-Za-z0-9+/=]{40,}(?:\s*[A-Za-z0-9+/=]{16,}){1,})")
        .expect("pem regex")
});
static SOLANA_ARRAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[\s*((?:\d{1,3}\s*,\s*){63}\d{1,3})\s*,?\s*\]").expect("solana regex")
});
static MNEMONIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`=:]\s*((?:[a-z]{3,8}[ ]+){11,23}[a-z]{3,8})\s*["'`\r\n]"#)
        .expect("mnemonic regex")
});

/// A byte window around `pos`: from the start of its line to `after` bytes past the end of
/// its line (both capped), so verification never scans whole files.
pub fn window(data: &[u8], pos: usize, before: usize, after_lines: usize) -> (usize, &[u8]) {
    let lo_cap = pos.saturating_sub(before);
    let start = memchr::memrchr(b'\n', &data[lo_cap..pos])
        .map(|i| lo_cap + i + 1)
        .unwrap_or(lo_cap);
    let mut end = pos;
    for _ in 0..=after_lines {
        match memchr::memchr(b'\n', &data[end.min(data.len())..]) {
            Some(i) => end = end + i + 1,
            None => {
                end = data.len();
                break;
            }
        }
        if end - pos > 8192 {
            break;
        }
    }
    let end = end.min(data.len()).min(pos + 8192);
    (start, &data[start..end])
}

pub fn line_of(data: &[u8], pos: usize) -> u32 {
    memchr::memchr_iter(b'\n', &data[..pos.min(data.len())]).count() as u32 + 1
}

/// Verify one anchor hit. Returns findings (deduplicated later by the caller).
pub fn verify(sig: Sig, data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    match sig {
        Sig::PemPrivate => return verify_pem(data, pos, path, out),
        Sig::SolanaArrayContext => return verify_solana(data, pos, path, out),
        Sig::MnemonicContext => return verify_mnemonic(data, pos, path, out),
        _ => {}
    }
    let (start, win) = window(data, pos, 256, 0);
    for r in RULES.iter().filter(|r| r.sig == sig) {
        for caps in r.re.captures_iter(win) {
            let Some(m) = caps.get(r.group) else { continue };
            let v = m.as_bytes();
            if entropy(v) < r.min_entropy || looks_placeholder(v) {
                continue;
            }
            if r.id == "eth_private_key" {
                let lower = String::from_utf8_lossy(v).to_ascii_lowercase();
                if KNOWN_TEST_KEYS.contains(&lower.as_str()) {
                    continue;
                }
            }
            out.push(SecretFinding {
                rule: r.id,
                title: r.title,
                severity: r.severity,
                path: path.to_string(),
                line: line_of(data, start + m.start()),
                redacted: redact(v, r.prefix),
            });
        }
    }
}

fn verify_pem(data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    let lo = pos.saturating_sub(64);
    let hi = (pos + 8192).min(data.len());
    let win = &data[lo..hi];
    if let Some(c) = PEM_BODY.captures(win) {
        let (Some(all), Some(body)) = (c.get(0), c.get(2)) else {
            return;
        };
        // The hit must belong to this header (not a later one), and the body must be random.
        if lo + all.start() > pos || entropy(body.as_bytes()) < 4.5 {
            return;
        }
        out.push(SecretFinding {
            rule: "private_key_pem",
            title: "Private key (PEM)",
            severity: Severity::Critical,
            path: path.to_string(),
            line: line_of(data, lo + all.start()),
            redacted: redact(body.as_bytes(), 0),
        });
    }
}

/// A 64-byte array (a Solana keypair as written by `solana-keygen`) next to key context.
fn verify_solana(data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    let hi = (pos + 4096).min(data.len());
    let lo = pos.saturating_sub(200);
    let win = &data[lo..hi];
    for c in SOLANA_ARRAY.captures_iter(win) {
        let Some(nums) = c.get(1) else { continue };
        if let Some(bytes) = keypair_bytes(nums.as_bytes()) {
            out.push(SecretFinding {
                rule: "solana_keypair",
                title: "Solana keypair (secret key bytes)",
                severity: Severity::Critical,
                path: path.to_string(),
                line: line_of(data, lo + nums.start()),
                redacted: redact(&bytes, 0),
            });
        }
    }
}

/// Parse "12, 34, ..." into 64 bytes that look random (values <= 255, many distinct).
pub fn keypair_bytes(nums: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(nums).ok()?;
    let mut out = Vec::with_capacity(64);
    for part in s.split(',') {
        let v: u16 = part.trim().parse().ok()?;
        if v > 255 {
            return None;
        }
        out.push(v as u8);
    }
    let mut seen = [false; 256];
    let distinct = out
        .iter()
        .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
        .count();
    (out.len() == 64 && distinct >= 32).then_some(out)
}

/// Whole-file check for keypair files such as `id.json` (`[12,34,...]` and nothing else).
pub fn verify_keypair_file(data: &[u8], path: &str, out: &mut Vec<SecretFinding>) {
    if data.len() > 2048 || !path.ends_with(".json") {
        return;
    }
    let t = data.trim_ascii();
    if t.first() != Some(&b'[') {
        return;
    }
    if let Some(c) = SOLANA_ARRAY.captures(t) {
        if let Some(bytes) = c.get(1).and_then(|m| keypair_bytes(m.as_bytes())) {
            out.push(SecretFinding {
                rule: "solana_keypair",
                title: "Solana keypair file",
                severity: Severity::Critical,
                path: path.to_string(),
                line: 1,
                redacted: redact(&bytes, 0),
            });
        }
    }
}

fn verify_mnemonic(data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    let (start, win) = window(data, pos, 0, 2);
    for c in MNEMONIC.captures_iter(win) {
        let Some(m) = c.get(1) else { continue };
        let phrase = String::from_utf8_lossy(m.as_bytes());
        let words: Vec<&str> = phrase.split_whitespace().collect();
        if ![12, 15, 18, 21, 24].contains(&words.len()) {
            continue;
        }
        let mut distinct = words.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let normal = words.join(" ");
        if distinct.len() < 10 || KNOWN_TEST_MNEMONICS.contains(&normal.as_str()) {
            continue;
        }
        out.push(SecretFinding {
            rule: "bip39_mnemonic",
            title: "Wallet seed phrase (BIP-39 mnemonic)",
            severity: Severity::Critical,
            path: path.to_string(),
            line: line_of(data, start + m.start()),
            redacted: format!(
                "{} words…[sha256:{}]",
                words.len(),
                hex::encode(&Sha256::digest(normal.as_bytes())[..4])
            ),
        });
    }
}

/// `.env`-style files committed with live-looking values (not `.env.example` & co.).
pub fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if !(name == ".env" || name.starts_with(".env.") || name.ends_with(".env")) {
        return false;
    }
    ![
        "example", "sample", "template", "dist", "defaults", "test", "ci",
    ]
    .iter()
    .any(|w| name.contains(w))
}

pub fn verify_env_file(data: &[u8], path: &str, out: &mut Vec<SecretFinding>) {
    let text = String::from_utf8_lossy(data);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let key = k.trim().to_ascii_uppercase();
        let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
        let sensitive = [
            "SECRET",
            "TOKEN",
            "KEY",
            "PASSWORD",
            "PASSWD",
            "PRIVATE",
            "MNEMONIC",
            "SEED",
            "CREDENTIAL",
            "DATABASE_URL",
        ]
        .iter()
        .any(|w| key.contains(w));
        if !sensitive
            || v.len() < 12
            || looks_placeholder(v.as_bytes())
            || entropy(v.as_bytes()) < 3.3
        {
            continue;
        }
        out.push(SecretFinding {
            rule: "env_file_secret",
            title: "Secret in a committed .env file",
            severity: Severity::High,
            path: path.to_string(),
            line: i as u32 + 1,
            redacted: format!("{}={}", k.trim(), redact(v.as_bytes(), 0)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sig: Sig, text: &str) -> Vec<SecretFinding> {
        let mut out = Vec::new();
        let anchor = super::super::anchors::ANCHORS
            .iter()
            .filter(|(_, s)| *s == sig)
            .filter_map(|(lit, _)| text.find(lit))
            .min()
            .expect("anchor present");
        verify(sig, text.as_bytes(), anchor, "src/x.js", &mut out);
        out
    }

    #[test]
    fn github_token_found_and_redacted() {
        let tok = "ghp_Z9xK2mQ7vL4pR8sT1wY6bN3cD5fG0hJ2kL4m";
        let f = run(Sig::GithubToken, &format!("const t = \"{tok}\";"));
        assert_eq!(f.len(), 1);
        assert!(!f[0].redacted.contains(&tok[4..]));
        assert!(f[0].redacted.starts_with("ghp_…[40 chars"));
    }

    #[test]
    fn detector_patterns_and_examples_do_not_fire() {
        assert!(run(Sig::GithubToken, r"const re = /ghp_[A-Za-z0-9]{36}/;").is_empty());
        assert!(run(Sig::AwsKeyId, "aws_access_key_id = AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(run(Sig::StripeLive, "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx").is_empty());
        assert!(run(
            Sig::PemPrivate,
            "if line.contains(\"-----BEGIN RSA PRIVATE KEY-----\") {"
        )
        .is_empty());
        // A transaction hash is 64 hex chars too, but has no key context.
        assert!(run(Sig::KeyContext, "let privateKeyless = 1;\nconst txHash = '0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060';").is_empty());
        assert!(run(
            Sig::KeyContext,
            "PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        )
        .is_empty());
        assert!(run(
            Sig::MnemonicContext,
            "mnemonic: \"test test test test test test test test test test test junk\""
        )
        .is_empty());
    }

    #[test]
    fn wallet_secrets() {
        let f = run(Sig::KeyContext, "const PRIVATE_KEY = \"0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318\";");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "eth_private_key");
        let f = run(Sig::MnemonicContext, "const mnemonic = \"ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic\";");
        assert_eq!(f.len(), 1);
        let arr: Vec<String> = (0..64).map(|i| ((i * 37 + 11) % 256).to_string()).collect();
        let f = run(
            Sig::SolanaArrayContext,
            &format!(
                "const kp = Keypair.fromSecretKey(Uint8Array.from([{}]));",
                arr.join(",")
            ),
        );
        assert_eq!(f.len(), 1);
        assert!(!f[0].redacted.contains(&arr[..5].join(",")));
    }

    #[test]
    fn pem_with_body() {
        let body = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naDPnhqiJu8dUAZKLZYdPMt6bZC8z9Zv0tX6MMlDKQVnEUdHCPlOkCaoWEkLzpMtX\n";
        let text =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n");
        let pos = text.find("PRIVATE KEY").unwrap();
        let mut out = Vec::new();
        verify(Sig::PemPrivate, text.as_bytes(), pos, "k.pem", &mut out);
        assert_eq!(out.len(), 1);
        let pubkey = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0Z3VS5JJcds3xfn\n-----END PUBLIC KEY-----";
        assert!(!pubkey.contains("PRIVATE KEY"));
    }

    #[test]
    fn env_files() {
        assert!(is_env_file(".env"));
        assert!(is_env_file("app/.env.production"));
        assert!(!is_env_file(".env.example"));
        assert!(!is_env_file("src/env.rs"));
        let mut out = Vec::new();
        verify_env_file(b"# keys\nAPI_KEY=your_api_key_here\nPORT=3000\nBOT_TOKEN=\"8f3kQ9zLmP2xV7nR4tY1wB6c\"\n", ".env", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].line, 4);
        assert!(!out[0].redacted.contains("8f3kQ9zLmP2xV7nR4tY1wB6c"));
    }

    #[test]
    fn entropy_sane() {
        assert!(entropy(b"aaaaaaaa") < 0.1);
        assert!(entropy(b"abcdefghijklmnop") > 3.9);
    }
}
