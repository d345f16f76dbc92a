//! Secret detection rules (the gitleaks class), verified around anchor hits.
//!
//! Every rule pairs a provider-specific shape with entropy and context checks to keep false
//! positives down (documentation examples, test keys, placeholders, detector patterns).
//! A finding never carries the secret itself: only a redacted preview built by [`redact`].
//!
//! [`RULE_BOOK`] lists every rule with true-positive and false-positive examples; a unit
//! test runs each through the real scanner, so a rule cannot drift from its examples.

use std::sync::LazyLock;

use base64::Engine as _;
use regex::bytes::Regex;
use sha2::{Digest, Sha256};

use super::anchors::{is_secret_sig, Sig, ANCHORS};
use super::classify::{self, Kind};
use super::finding::SecretFinding;
use super::lines::{contains_ci, line_of, line_span, window};
use crate::result::Severity;

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

fn distinct_bytes(v: &[u8]) -> usize {
    let mut seen = [false; 256];
    v.iter()
        .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
        .count()
}

fn looks_placeholder(v: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(v).to_ascii_lowercase();
    const WORDS: [&str; 16] = [
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
        "####",
        "****",
        "_here",
        "-here",
        "0000000000",
        "1234567890",
    ];
    // One character repeated, or a trivially sequential run.
    WORDS.iter().any(|w| lower.contains(w)) || distinct_bytes(v) <= 3
}

/// `BINANCE_SECRET_KEY`, `api-key-here`: words joined by separators, not a random value.
fn looks_identifier(v: &[u8]) -> bool {
    let parts: Vec<&[u8]> = v
        .split(|&b| matches!(b, b'_' | b'-' | b'.'))
        .filter(|p| !p.is_empty())
        .collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| p.iter().all(|b| b.is_ascii_alphabetic()) || p.iter().all(|b| b.is_ascii_digit()))
}

struct Rule {
    id: &'static str,
    title: &'static str,
    sig: Sig,
    /// Capture group 1 holds the secret.
    re: Regex,
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
        min_entropy,
        severity,
        prefix,
    }
}

/// Rules verified by a shape regex alone (plus per-rule checks in [`accept`]). PEM keys,
/// keypair arrays, mnemonics, exchange labels, Coinbase CDP keys, `.env` files and base64
/// values have their own verifiers below.
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
            r#"(?i)aws_secret_access_key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)"#,
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
        // Current and legacy Slack token shapes. The value must end at a real boundary, so
        // placeholders such as `xoxb-…-####` or `…-xxxx` never match a shorter prefix.
        rule(
            "slack_token",
            "Slack token",
            Sig::SlackToken,
            concat!(
                r"\b(",
                r"xoxe\.xox[bp]-\d-[A-Za-z0-9]{160,170}",
                r"|xoxe-\d-[A-Za-z0-9]{140,150}",
                r"|xapp-\d-[A-Z0-9]{8,12}-\d{10,14}-[a-f0-9]{32,64}",
                r"|xox[pe]-\d{1,13}-\d{1,13}-\d{1,13}-[A-Za-z0-9]{28,34}",
                r"|xoxb-\d{10,13}-\d{10,13}-[A-Za-z0-9]{24}",
                r"|xoxb-\d{8,14}-[A-Za-z0-9]{18,26}",
                r"|xox[os]-\d+-\d+-\d+-[A-Fa-f0-9]{16,}",
                r"|xox[ar]-(?:\d-)?[A-Za-z0-9]{8,48}",
                r")(?:[^A-Za-z0-9_#*.-]|$)"
            ),
            3.0,
            High,
            5,
        ),
        rule(
            "slack_webhook",
            "Slack webhook URL",
            Sig::SlackWebhook,
            r"(hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})(?:[^A-Za-z0-9]|$)",
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
        // Exactly 35 characters after `AIza`, then a boundary: longer runs are other data.
        rule(
            "google_api_key",
            "Google API key",
            Sig::GoogleApiKey,
            r"\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
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
            r"\b([0-9]{8,10}:AA[0-9A-Za-z_-]{33})(?:[^0-9A-Za-z_-]|$)",
            3.5,
            High,
            0,
        ),
        // Three dot-separated parts; the first must decode to a numeric user id (see
        // `discord_user_id`), which no JWT or random dotted string does.
        rule(
            "discord_bot_token",
            "Discord bot token",
            Sig::DiscordContext,
            r"(?:^|[^A-Za-z0-9_.-])([MNO][A-Za-z0-9]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})(?:[^A-Za-z0-9_.-]|$)",
            3.5,
            High,
            0,
        ),
        rule(
            "discord_webhook",
            "Discord webhook URL",
            Sig::DiscordWebhook,
            r"(discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,80})(?:[^A-Za-z0-9_-]|$)",
            3.5,
            Medium,
            0,
        ),
        rule(
            "rpc_api_key",
            "Infura API key (in an RPC URL)",
            Sig::RpcKey,
            r"infura\.io/(?:ws/)?v3/([0-9a-f]{32})(?:[^0-9A-Za-z_-]|$)",
            3.0,
            Medium,
            0,
        ),
        rule(
            "rpc_api_key",
            "Alchemy API key (in an RPC URL)",
            Sig::RpcKey,
            r"alchemy(?:api)?\.(?:com|io)/v2/([A-Za-z0-9_-]{32})(?:[^A-Za-z0-9_-]|$)",
            3.0,
            Medium,
            0,
        ),
        rule(
            "rpc_api_key",
            "Helius API key (in an RPC URL)",
            Sig::RpcKey,
            r#"helius(?:-rpc\.com|\.xyz)[^\s"'`]{0,80}?[?&]api-key=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"#,
            3.0,
            Medium,
            0,
        ),
        rule(
            "rpc_api_key",
            "QuickNode endpoint token (in an RPC URL)",
            Sig::RpcKey,
            r"quiknode\.pro/([A-Za-z0-9]{32,64})(?:[^A-Za-z0-9_-]|$)",
            3.0,
            Medium,
            0,
        ),
        // The context word and the key must be in one statement: the gap may not cross a
        // statement or property boundary (`;`, `,`, braces, a line break).
        rule(
            "eth_private_key",
            "Wallet private key (hex)",
            Sig::KeyContext,
            r#"(?i)(?:priv(?:ate)?[ _-]?key|wallet\()[^\n;{},]{0,40}?["'=:\s(`]\s*(?:0x)?([0-9a-f]{64})\b"#,
            3.0,
            Critical,
            0,
        ),
    ]
});

/// Published test keys (Hardhat/Anvil accounts #0–#3, Ganache `-d` accounts #0–#2):
/// public knowledge, not a leak.
const KNOWN_TEST_KEYS: [&str; 7] = [
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d",
    "6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1",
    "6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c",
];

/// Public RPC keys shipped in flagship libraries (ethers' default Infura and Alchemy
/// keys, MetaMask's public Infura id): in every copy of those libraries, not a leak.
const PUBLIC_RPC_KEYS: [&str; 3] = [
    "84842078b09946638c03157f83405213",
    "9aa3d95b3bc440fa88ea12eaa4456161",
    "_gg7wSSi0KMBsdKnGVfHDueq6xMB9EkC",
];

/// Public test mnemonics: the 24 English BIP-39 vectors of trezor/python-mnemonic
/// (`vectors.json`), Hardhat/Anvil, Ganache (`-d` and the docs' default).
const KNOWN_TEST_MNEMONICS: [&str; 27] = [
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "legal winner thank year wave sausage worth useful legal winner thank yellow",
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
    "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon agent",
    "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal will",
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter always",
    "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo when",
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
    "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title",
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless",
    "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
    "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
    "gravity machine north sort system female filter attitude volume fold club stay feature office ecology stable narrow fog",
    "hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy gospel tennis maple dilemma loan word shrug inflict delay length",
    "scheme spot photo card baby mountain device kick cradle pact join borrow",
    "horn tenant knee talent sponsor spell gate clip pulse soap slush warm silver nephew swap uncle crack brave",
    "panda eyebrow bullet gorilla call smoke muffin taste mesh discover soft ostrich alcohol speed nation flash devote level hobby quick inner drive ghost inside",
    "cat swing flag economy stadium alone churn speed unique patch report train",
    "light rule cinnamon wrap drastic word pride squirrel upgrade then income fatal apart sustain crack supply proud access",
    "all hour make first leader extend hole alien behind guard gospel lava path output census museum junior mass reopen famous sing advance salt reform",
    "vessel ladder alter error federal sibling chat ability sun glass valve picture",
    "scissors invite lock maple supreme raw rapid void congress muscle digital elegant little brisk hair mango congress clump",
    "void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing screen patrol group space point ten exist slush involve unfold",
    "test test test test test test test test test test test junk",
    "myth like bonus scare over problem client lizard pioneer submit female collect",
    "candy maple cake sugar pudding cream honey rich smooth crumble sweet treat",
];

/// PEM private keys, also inside JSON strings where line breaks are written `\n`.
static PEM_BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----(?:\s|\\[rn])*(?:[A-Za-z-]+:[^\n]*\n\s*)*([A-Za-z0-9+/=]{40,}(?:(?:\s|\\[rn])*[A-Za-z0-9+/=]{16,})+)")
        .expect("pem regex")
});
static SOLANA_ARRAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[\s*((?:\d{1,3}\s*,\s*){63}\d{1,3})\s*,?\s*\]").expect("solana regex"));
static MNEMONIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`=:]\s*((?:[a-z]{3,8}[ ]+){11,23}[a-z]{3,8})\s*(?:["'`\r\n]|$)"#).expect("mnemonic regex")
});
/// `LABEL = value` / `"label": "value"` / `label => 'value'`, where the label ends in
/// `key` or `secret` (`apiKey`, `BINANCE_API_SECRET`, `secret_key`, `secret`).
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)([a-z0-9_.-]{0,40}(?:key|secret))["'\]]?\s*(?:=>|:=|[:=])\s*(?:["'`]([A-Za-z0-9+/=_-]{16,128})["'`]|([A-Za-z0-9+/=_-]{16,128})[ \t]*(?:[,;})\r\n]|$))"#)
        .expect("labelled regex")
});
static CDP_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"organizations/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/apiKeys/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
        .expect("cdp regex")
});
static CDP_ED25519: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)"?private_?key"?\s*[:=]\s*["']([A-Za-z0-9+/]{80,}={0,2})["']"#).expect("cdp key regex")
});

/// The last non-blank byte before `i` (within `lo..i`).
fn last_non_blank(data: &[u8], lo: usize, i: usize) -> Option<u8> {
    data[lo..i].iter().rev().find(|b| !b.is_ascii_whitespace()).copied()
}

/// The statement around `pos` as a byte range, so a context word only vouches for values
/// in its own statement. Backwards: to the previous `;`, `{`, `}` or line break (unless
/// the line before ends in `(`, `[`, `=` or `:`, i.e. the expression continues). Forwards:
/// to the next `;` or line break outside brackets opened after `pos`, or the bracket that
/// closes one opened before it. Quoted text is skipped; both ends are capped.
pub fn statement(data: &[u8], pos: usize, max_back: usize, max_fwd: usize) -> (usize, usize) {
    let lo_cap = pos.saturating_sub(max_back);
    let mut start = pos;
    while start > lo_cap {
        match data[start - 1] {
            b';' | b'{' | b'}' => break,
            b'\n' if !matches!(last_non_blank(data, lo_cap, start - 1), Some(b'(' | b'[' | b'=' | b':')) => break,
            _ => start -= 1,
        }
    }
    // Whether `pos` is inside a string: replay the quotes of its line up to it.
    let line_start = memchr::memrchr(b'\n', &data[pos.saturating_sub(512)..pos])
        .map(|i| pos.saturating_sub(512) + i + 1)
        .unwrap_or(pos.saturating_sub(512));
    let mut quote = None::<u8>;
    for i in line_start..pos {
        step_quote(data, i, &mut quote);
    }
    let hi_cap = (pos + max_fwd).min(data.len());
    let (mut end, mut depth) = (pos, 0i32);
    while end < hi_cap {
        let c = data[end];
        let quoted = quote.is_some() && c != b'\n';
        step_quote(data, end, &mut quote);
        end += 1;
        if quoted || quote.is_some() {
            continue;
        }
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    break;
                }
            }
            b';' if depth == 0 => break,
            b'\n'
                if depth == 0
                    && !matches!(
                        last_non_blank(data, start, end - 1),
                        Some(b'(' | b'[' | b'{' | b'=' | b':')
                    ) =>
            {
                break
            }
            _ => {}
        }
    }
    (start, end)
}

/// One step of a string-literal tracker: quotes open and close (backslash escapes), a
/// line break ends any string but a template literal.
fn step_quote(data: &[u8], i: usize, quote: &mut Option<u8>) {
    let c = data[i];
    match *quote {
        Some(q) if c == q && (i == 0 || data[i - 1] != b'\\') => *quote = None,
        Some(q) if c == b'\n' && q != b'`' => *quote = None,
        Some(_) => {}
        None if matches!(c, b'"' | b'\'' | b'`') => *quote = Some(c),
        None => {}
    }
}

/// The start of the line `n` lines above the one holding `pos` (capped at 600 bytes).
fn lines_above(data: &[u8], pos: usize, n: usize) -> usize {
    let lo = pos.saturating_sub(600);
    let mut at = pos;
    for _ in 0..=n {
        match memchr::memrchr(b'\n', &data[lo..at]) {
            Some(i) => at = lo + i,
            None => return lo,
        }
    }
    at + 1
}

fn finding(
    rule: &'static str,
    title: impl Into<String>,
    severity: Severity,
    path: &str,
    line: u32,
    redacted: String,
) -> SecretFinding {
    SecretFinding {
        rule,
        title: title.into(),
        severity,
        path: path.to_string(),
        line,
        redacted,
    }
}

/// Verify one anchor hit. Returns findings (deduplicated later by the caller).
pub fn verify(sig: Sig, data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    verify_at(sig, data, pos, path, out, true)
}

fn verify_at(sig: Sig, data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>, decode: bool) {
    match sig {
        Sig::PemPrivate => return verify_pem(data, pos, path, out),
        Sig::SolanaArrayContext => return verify_solana(data, pos, path, out),
        Sig::MnemonicContext => return verify_mnemonic(data, pos, path, out),
        Sig::ExchangeContext => return verify_exchange(data, pos, path, out),
        Sig::CoinbaseCdp => return verify_coinbase_cdp(data, pos, path, out),
        Sig::Base64Secret if decode => return verify_base64(data, pos, path, out),
        Sig::Base64Secret => return,
        _ => {}
    }
    let (start, win) = if sig == Sig::DiscordContext {
        // The token may sit on the next line of a call or object (`client.login(\n'…')`).
        let (s, e) = statement(data, pos, 256, 1024);
        (s, &data[s..e])
    } else {
        window(data, pos, 256, 0)
    };
    for r in RULES.iter().filter(|r| r.sig == sig) {
        for caps in r.re.captures_iter(win) {
            let Some(m) = caps.get(1) else { continue };
            let v = m.as_bytes();
            if entropy(v) < r.min_entropy || looks_placeholder(v) {
                continue;
            }
            let Some((severity, title)) = accept(r, v, data, start + m.start(), path) else {
                continue;
            };
            out.push(finding(
                r.id,
                title,
                severity,
                path,
                line_of(data, start + m.start()),
                redact(v, r.prefix),
            ));
        }
    }
}

/// Per-rule checks after the shape matched: `None` rejects, otherwise the severity and
/// title to report.
fn accept(r: &Rule, v: &[u8], data: &[u8], at: usize, path: &str) -> Option<(Severity, &'static str)> {
    let lower = String::from_utf8_lossy(v).to_ascii_lowercase();
    match r.id {
        "eth_private_key" if KNOWN_TEST_KEYS.contains(&lower.as_str()) => None,
        // API documentation shows keys as the arguments of the functions it documents
        // (web3.js: `privateKeyToAccount("0x…")` in each JSDoc `@example`): reported low, so a
        // reviewer can still check it is not a real key.
        "eth_private_key" if in_doc_comment(data, at, path) => {
            Some((Severity::Low, "Private key shown in a documentation comment"))
        }
        "eth_private_key" if local_network_account(data, at, path) => {
            Some((Severity::Low, "Private key of a local development network's account"))
        }
        "rpc_api_key" if PUBLIC_RPC_KEYS.iter().any(|k| k.as_bytes() == v) => None,
        // The secret part of a Slack token is its last segment: `xoxb-…-000000…` is a
        // placeholder even though the digits before it vary.
        "slack_token" => {
            let tail = v.rsplit(|&b| b == b'-').next().unwrap_or(v);
            (!looks_placeholder(tail)).then_some((r.severity, r.title))
        }
        "discord_bot_token" => discord_user_id(v).then_some((r.severity, r.title)),
        // Firebase web config (`apiKey` next to `authDomain`, `projectId`, …) and Android
        // `google-services.json` are public client identifiers by design: restricted by
        // the project's security rules, not secret. Reported for completeness, no points.
        "google_api_key" if firebase_context(data, at, path) => {
            Some((Severity::Info, "Firebase web API key (public client configuration)"))
        }
        _ => Some((r.severity, r.title)),
    }
}

/// Whether `at` sits in an example of a documentation comment in source code: a JSDoc block
/// (`/** … */`, whose lines start with `*`) or Rust/Solidity `///` lines, with a code fence
/// or `@example` above it in the same comment. Plain `//` comments are not: a commented-out
/// line of configuration is as leaked as a live one; nor is code after a `*/`.
fn in_doc_comment(data: &[u8], at: usize, path: &str) -> bool {
    let ext = classify::extension(path);
    let jsdoc = matches!(ext.as_str(), "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "sol");
    let slashes = matches!(ext.as_str(), "rs" | "sol");
    let (line_start, _) = line_span(data, at);
    let line = data[line_start..at].trim_ascii_start();
    let example = |comment: &[u8]| contains_ci(comment, "```") || contains_ci(comment, "@example");
    if slashes && line.starts_with(b"///") {
        // The `///` lines above this one, up to the first that is not.
        let mut top = line_start;
        while top > 0 {
            let (prev, end) = line_span(data, top - 1);
            if !data[prev..end].trim_ascii_start().starts_with(b"///") {
                break;
            }
            top = prev;
        }
        return example(&data[top..at]);
    }
    if !jsdoc || !line.starts_with(b"*") || line.windows(2).any(|w| w == b"*/") {
        return false;
    }
    // A block opened with `/**` above and not closed before this line (within 8 KB: a doc
    // comment is not longer).
    let from = line_start.saturating_sub(8192);
    let before = &data[from..line_start];
    let last = |needle: &[u8]| before.windows(needle.len()).rposition(|w| w == needle);
    match (last(b"/**"), last(b"*/")) {
        (Some(open), close) if close.is_none_or(|c| open > c) => example(&before[open..]),
        _ => false,
    }
}

/// A network entry's `url` key starting its line (not a comment), and its value up to the
/// end of the line or the entry's next property.
static NETWORK_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*url\s*[:=]\s*([^\n,]*)").expect("static regex"));

/// A URL literal of a host on this machine or of a bare container name, nothing interpolated.
static LOCAL_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^["'`]https?://(localhost|127\.[0-9.]+|0\.0\.0\.0|[A-Za-z0-9-]+)(?::[0-9]+)?(?:/[^"'`$]*)?["'`]$"#)
        .expect("static regex")
});

/// Whether the secret at `at` is an account of a local development chain in a Hardhat or
/// Truffle config: the network entry it sits in (the nearest `url` key above, with no `}`
/// closing the entry in between) is a literal URL of this machine or of a bare container name
/// (`http://127.0.0.1:8545`, Aave's `http://ganache:8545`). Such accounts hold test ether; a
/// key beside a public RPC's url, or a url read from the environment, is not excused.
fn local_network_account(data: &[u8], at: usize, path: &str) -> bool {
    let name = classify::file_name(path);
    if !(name.starts_with("hardhat.config.") || name.starts_with("truffle-config.") || name == "truffle.js") {
        return false;
    }
    let above = &data[lines_above(data, at, 8)..at];
    let Some(value) = NETWORK_URL.captures_iter(above).last().and_then(|c| c.get(1)) else {
        return false;
    };
    !above[value.end()..].contains(&b'}') && LOCAL_URL.is_match(value.as_bytes().trim_ascii())
}

/// Discord bot tokens start with the bot's numeric user id in base64.
fn discord_user_id(token: &[u8]) -> bool {
    let first = token.split(|&b| b == b'.').next().unwrap_or(token);
    let Some(id) = decode_b64(first) else {
        return false;
    };
    (17..=20).contains(&id.len()) && id.iter().all(u8::is_ascii_digit)
}

fn firebase_context(data: &[u8], at: usize, path: &str) -> bool {
    let name = classify::file_name(path);
    if name == "google-services.json" || name == "GoogleService-Info.plist" {
        return true;
    }
    let lo = at.saturating_sub(600);
    let hi = (at + 600).min(data.len());
    let near = &data[lo..hi];
    [
        "authDomain",
        "messagingSenderId",
        "storageBucket",
        "firebaseapp.com",
        "current_key",
    ]
    .iter()
    .any(|w| memchr::memmem::find(near, w.as_bytes()).is_some())
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
        // A Coinbase CDP key file: reported once, as `coinbase_cdp_key`, with its name.
        let near = &data[pos.saturating_sub(2048)..(pos + 512).min(data.len())];
        if memchr::memmem::find(near, b"/apiKeys/").is_some() {
            return;
        }
        out.push(finding(
            "private_key_pem",
            "Private key (PEM)",
            Severity::Critical,
            path,
            line_of(data, lo + all.start()),
            redact(body.as_bytes(), 0),
        ));
    }
}

/// Words that make a 64-byte array a keypair: its own statement must name one.
const KEYPAIR_WORDS: [&str; 11] = [
    "keypair",
    "secretkey",
    "secret_key",
    "secret key",
    "privatekey",
    "private_key",
    "privkey",
    "wallet",
    "payer",
    "signer",
    "fromseed",
];

/// A 64-byte array (a Solana keypair as written by `solana-keygen`) in a keypair statement.
fn verify_solana(data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    let hi = (pos + 4096).min(data.len());
    let lo = pos.saturating_sub(200);
    let win = &data[lo..hi];
    for c in SOLANA_ARRAY.captures_iter(win) {
        let (Some(all), Some(nums)) = (c.get(0), c.get(1)) else {
            continue;
        };
        // `{ challenge: Uint8Array.from([…]) }` is a constant, not a key: the statement
        // holding the array (back to `{`, `;`, …) must say keypair, secret key, wallet, …
        let at = lo + all.start();
        let (s, _) = statement(data, at, 200, 0);
        let ctx = &data[s..at];
        if !KEYPAIR_WORDS.iter().any(|w| contains_ci(ctx, w)) {
            continue;
        }
        if let Some(bytes) = keypair_bytes(nums.as_bytes()) {
            out.push(finding(
                "solana_keypair",
                "Solana keypair (secret key bytes)",
                Severity::Critical,
                path,
                line_of(data, lo + nums.start()),
                redact(&bytes, 0),
            ));
        }
    }
}

/// Parse "12, 34, ..." into 64 bytes that look like an ed25519 keypair: values <= 255, as
/// random as key material. The second half of a keypair is the public key, never equal to
/// the first half: `SHA256(tag) || SHA256(tag)` (BIP-340 tagged-hash prefixes in
/// bitcoinjs/noble) is rejected, and so are sequences, strides and repeated bytes.
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
    if out.len() != 64 || out[..32] == out[32..] {
        return None;
    }
    // 64 random bytes have ~57 distinct values (σ≈2.6), each half ~30; near neighbours
    // (equal, ±1) about 0.7 times and a repeated stride about 0.25 times.
    let steps = out.windows(2).filter(|w| w[0].abs_diff(w[1]) <= 1).count();
    let strides = out
        .windows(3)
        .filter(|w| w[1].wrapping_sub(w[0]) == w[2].wrapping_sub(w[1]))
        .count();
    (distinct_bytes(&out) >= 40
        && distinct_bytes(&out[..32]) >= 20
        && distinct_bytes(&out[32..]) >= 20
        && steps < 8
        && strides < 6)
        .then_some(out)
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
            // A keypair named for a test cluster (`devnet.json`, `localnet/…`) holds no
            // value: still reported, but as the fixture it is.
            let lower = path.to_ascii_lowercase();
            let test_cluster = ["devnet", "testnet", "localnet"].iter().any(|c| lower.contains(c));
            out.push(finding(
                "solana_keypair",
                if test_cluster {
                    "Solana keypair file for a test cluster"
                } else {
                    "Solana keypair file"
                },
                if test_cluster {
                    Severity::Low
                } else {
                    Severity::Critical
                },
                path,
                1,
                redact(&bytes, 0),
            ));
        }
    }
}

/// Markers of a phrase shown as documentation rather than used.
const EXAMPLE_MARKERS: [&str; 5] = ["e.g.", "example", "output:", "sample", "for instance"];

fn verify_mnemonic(data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    // Only the statement that names the mnemonic: a phrase in the next statement is not
    // vouched for by this word.
    let (start, end) = statement(data, pos, 0, 2048);
    let win = &data[start..end];
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
        // In README/docs, or under "e.g." / "example output" a few lines above, a phrase
        // is documentation: reported low so a reviewer can check it is not a real seed.
        let shown = classify::kind_of(path) == Kind::Doc || {
            let above = &data[lines_above(data, start, 3)..end];
            EXAMPLE_MARKERS.iter().any(|w| contains_ci(above, w))
        };
        let (severity, title) = if shown {
            (Severity::Low, "Seed phrase shown in documentation or as an example")
        } else if local_network_account(data, start + m.start(), path) {
            (Severity::Low, "Seed phrase of a local development network's accounts")
        } else {
            (Severity::Critical, "Wallet seed phrase (BIP-39 mnemonic)")
        };
        out.push(finding(
            "bip39_mnemonic",
            title,
            severity,
            path,
            line_of(data, start + m.start()),
            format!(
                "{} words…[sha256:{}]",
                words.len(),
                hex::encode(&Sha256::digest(normal.as_bytes())[..4])
            ),
        ));
    }
}

/// The exchange an anchor names, for titles.
fn exchange_name(anchor: &[u8]) -> &'static str {
    let a = anchor.to_ascii_lowercase();
    match a.get(..3) {
        Some(b"bin") => "Binance",
        Some(b"coi") => "Coinbase",
        Some(b"kra") => "Kraken",
        Some(b"kuc") => "KuCoin",
        Some(b"byb") => "Bybit",
        _ => "OKX",
    }
}

/// Exchange API credentials have no shape of their own: a value labelled `…key`/`…secret`
/// in the statement that names the exchange (`BINANCE_API_SECRET = "…"`,
/// `new ccxt.kraken({ apiKey: '…', secret: '…' })`), random enough, not a placeholder.
/// The secret signs orders (critical); the key alone only identifies the account (medium).
fn verify_exchange(data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    if is_env_file(path) {
        return; // `env_file_secret` reports every secret line of a committed .env file
    }
    let exchange = exchange_name(&data[pos..(pos + 8).min(data.len())]);
    let (start, end) = statement(data, pos, 256, 2048);
    let win = &data[start..end];
    for c in LABELLED.captures_iter(win) {
        let (Some(label), Some(v)) = (c.get(1), c.get(2).or_else(|| c.get(3))) else {
            continue;
        };
        let l = label.as_bytes().to_ascii_lowercase();
        let val = v.as_bytes();
        if contains_ci(&l, "public")
            || contains_ci(&l, "pass")
            || !exchange_value_shape(val)
            || contains_ci(val, exchange)
            || !val.iter().any(u8::is_ascii_digit)
            || !val.iter().any(u8::is_ascii_alphabetic)
            || looks_placeholder(val)
            || looks_identifier(val)
            || entropy(val) < 3.2
        {
            continue;
        }
        let secret = contains_ci(&l, "secret") || contains_ci(&l, "priv");
        let (rule, title, severity) = if secret {
            (
                "exchange_api_secret",
                format!("{exchange} API secret"),
                Severity::Critical,
            )
        } else {
            ("exchange_api_key", format!("{exchange} API key"), Severity::Medium)
        };
        out.push(finding(
            rule,
            title,
            severity,
            path,
            line_of(data, start + v.start()),
            redact(val, 0),
        ));
    }
}

/// Exchange keys and secrets are alphanumeric (Binance, Bybit), base64 (Kraken) or hex
/// and UUIDs (KuCoin, OKX): `_` never occurs and `-` only in a UUID, which keeps names
/// such as `binance_BTC-USDT_1m` out.
fn exchange_value_shape(v: &[u8]) -> bool {
    static UUID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
            .expect("uuid regex")
    });
    !v.contains(&b'_') && (!v.contains(&b'-') || UUID.is_match(v))
}

/// Coinbase Developer Platform keys: the key name (`organizations/…/apiKeys/…`) is an
/// identifier (low); with its EC or Ed25519 private key beside it, the pair signs API
/// requests for the account (critical, reported once for the pair).
fn verify_coinbase_cdp(data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    let lo = pos.saturating_sub(128);
    let hi = (pos + 128).min(data.len());
    let Some(name) = CDP_NAME.captures(&data[lo..hi]).and_then(|c| c.get(0)) else {
        return;
    };
    let near = &data[pos.saturating_sub(1024)..(pos + 2048).min(data.len())];
    let with_key = PEM_BODY
        .captures(near)
        .and_then(|c| c.get(2))
        .is_some_and(|b| entropy(b.as_bytes()) >= 4.5)
        || CDP_ED25519
            .captures(near)
            .and_then(|c| c.get(1))
            .is_some_and(|k| entropy(k.as_bytes()) >= 4.5);
    let (title, severity) = if with_key {
        ("Coinbase CDP API key with its private key", Severity::Critical)
    } else {
        ("Coinbase CDP API key name", Severity::Low)
    };
    out.push(finding(
        "coinbase_cdp_key",
        title,
        severity,
        path,
        line_of(data, lo + name.start()),
        redact(name.as_bytes(), 0),
    ));
}

/// Lenient base64 (standard or URL-safe alphabet, padding optional).
fn decode_b64(s: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode};
    static ENGINE: LazyLock<GeneralPurpose> = LazyLock::new(|| {
        GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(DecodePaddingMode::Indifferent)
                .with_decode_allow_trailing_bits(true),
        )
    });
    let mut v: Vec<u8> = s
        .iter()
        .filter(|&&b| b != b'=')
        .map(|&b| match b {
            b'-' => b'+',
            b'_' => b'/',
            b => b,
        })
        .collect();
    if v.len() % 4 == 1 {
        v.pop();
    }
    ENGINE.decode(&v).ok()
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_')
}

/// A base64 value whose decoding is a secret: decoded one level, verified with the rules
/// above, reported under the decoded rule with "(base64-encoded)" at the value's line.
fn verify_base64(data: &[u8], pos: usize, path: &str, out: &mut Vec<SecretFinding>) {
    // The encoded value: back to its first character (the decoding's byte 0), forward
    // across wrapped lines (PEM/MIME style, 60–76 characters per line).
    let lo_cap = pos.saturating_sub(16384);
    let mut s = pos;
    // `=` only pads the end of a value, so it never continues one backwards (`token=…`).
    while s > lo_cap && is_b64(data[s - 1]) && data[s - 1] != b'=' {
        s -= 1;
    }
    let hi_cap = (pos + 16384).min(data.len());
    let mut enc = Vec::new();
    let mut i = s;
    loop {
        let seg = i;
        while i < hi_cap && is_b64(data[i]) {
            i += 1;
        }
        enc.extend_from_slice(&data[seg..i]);
        let len = i - seg;
        let mut j = i;
        if j < hi_cap && data[j] == b'\r' {
            j += 1;
        }
        if !(len >= 60 && len.is_multiple_of(4) && j < hi_cap && data[j] == b'\n') {
            break;
        }
        j += 1;
        while j < hi_cap && matches!(data[j], b' ' | b'\t') {
            j += 1;
        }
        if j >= hi_cap || !is_b64(data[j]) {
            break;
        }
        i = j;
    }
    if enc.len() < 16 {
        return;
    }
    let Some(decoded) = decode_b64(&enc) else {
        return;
    };
    let printable = decoded
        .iter()
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    if printable * 10 < decoded.len() * 9 {
        return; // binary (an image, a compressed blob): not an encoded text secret
    }
    let mut inner = Vec::new();
    let mut hits = 0;
    for (lit, sig) in ANCHORS.iter() {
        if !is_secret_sig(*sig) || *sig == Sig::Base64Secret {
            continue;
        }
        for p in memchr::memmem::find_iter(&decoded, lit.as_bytes()) {
            hits += 1;
            if hits > 64 {
                break;
            }
            verify_at(*sig, &decoded, p, path, &mut inner, false);
        }
    }
    inner.sort_by(|a, b| (a.rule, &a.redacted).cmp(&(b.rule, &b.redacted)));
    inner.dedup_by(|a, b| a.rule == b.rule && a.redacted == b.redacted);
    let line = line_of(data, s);
    for f in inner {
        out.push(SecretFinding {
            title: format!("{} (base64-encoded)", f.title),
            line,
            ..f
        });
    }
}

/// `.env`-style files committed with live-looking values (not `.env.example` & co.).
pub fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if !(name == ".env" || name.starts_with(".env.") || name.ends_with(".env")) {
        return false;
    }
    !["example", "sample", "template", "dist", "defaults", "test", "ci"]
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
        if !sensitive || v.len() < 12 || looks_placeholder(v.as_bytes()) || entropy(v.as_bytes()) < 3.3 {
            continue;
        }
        out.push(finding(
            "env_file_secret",
            "Secret in a committed .env file",
            Severity::High,
            path,
            i as u32 + 1,
            format!("{}={}", k.trim(), redact(v.as_bytes(), 0)),
        ));
    }
}

/// One rule with examples it must find (at the given severity) and near misses it must
/// not report. Every value is synthetic (random, generated for these examples).
pub struct RuleSpec {
    pub id: &'static str,
    /// (path, text, severity the finding must carry).
    pub positives: &'static [(&'static str, &'static str, Severity)],
    /// (path, text): the rule must report nothing here.
    pub negatives: &'static [(&'static str, &'static str)],
}

const JS: &str = "src/config.js";
const PY: &str = "src/settings.py";

// Synthetic 64-byte arrays: two random ones, and one 32-byte half written twice (the
// shape of `SHA256(tag) || SHA256(tag)` BIP-340 tagged-hash prefixes).
macro_rules! random_bytes_a {
    () => {
        "85,159,5,67,121,120,4,154,242,18,170,77,79,38,34,170,158,190,255,211,114,226,148,218,57,196,69,192,242,89,178,102,142,240,242,103,219,168,112,40,50,141,137,219,181,195,235,142,134,232,77,140,239,0,202,100,238,157,93,193,61,56,34,165"
    };
}
macro_rules! random_bytes_b {
    () => {
        "82,36,230,126,117,207,168,45,71,217,231,91,99,211,160,33,194,214,206,38,59,145,135,78,104,36,214,23,247,224,83,12,54,117,241,160,209,89,218,137,159,201,109,3,136,181,21,136,13,149,201,207,214,39,207,179,172,218,116,229,3,84,17,174"
    };
}
macro_rules! doubled_half {
    () => {
        "55, 103, 91, 214, 15, 52, 81, 228, 203, 106, 153, 131, 47, 46, 30, 100, 62, 175, 245, 170, 57, 180, 126, 247, 169, 6, 17, 213, 241, 252, 210, 154, 55, 103, 91, 214, 15, 52, 81, 228, 203, 106, 153, 131, 47, 46, 30, 100, 62, 175, 245, 170, 57, 180, 126, 247, 169, 6, 17, 213, 241, 252, 210, 154"
    };
}

pub const RULE_BOOK: &[RuleSpec] = &[
    RuleSpec {
        id: "aws_access_key",
        positives: &[(JS, "const AWS_KEY = 'AKIAZ7QW3ERT5YUI9OPL';", Severity::High)],
        negatives: &[
            (JS, "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
            (JS, "const AWS_KEY = 'AKIAXXXXXXXXXXXXXXXX';"),
        ],
    },
    RuleSpec {
        id: "aws_secret_key",
        positives: &[(
            PY,
            "aws_secret_access_key = 'Ynnr52sBPmY5XtqL8E4uqMECJeUBLW5sO4eTv71D'",
            Severity::Critical,
        )],
        negatives: &[
            (PY, "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            (PY, "aws_secret_access_key = os.environ['AWS_SECRET_ACCESS_KEY']"),
        ],
    },
    RuleSpec {
        id: "github_token",
        positives: &[
            (JS, "const t = \"ghp_Z9xK2mQ7vL4pR8sT1wY6bN3cD5fG0hJ2kL4m\";", Severity::Critical),
            (JS, "token: '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'", Severity::Critical),
            // base64 of a ghp_ token, decoded one level
            (JS, "const t = atob('Z2hwX0JoTzZybXNLMWdISzN6MFQ5MzdSNG5SMVMzbHNhYzlvOU4yaA==');", Severity::Critical),
        ],
        negatives: &[
            (JS, "const re = /ghp_[A-Za-z0-9]{36}/;"),
            (JS, "const t = 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';"),
            (JS, "const t = atob('Z2hwX3h4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==');"),
            (JS, "const doc = 'Z2hwXyBpcyB0aGUgcHJlZml4IG9mIGEgR2l0SHViIHBlcnNvbmFsIGFjY2VzcyB0b2tlbg==';"),
        ],
    },
    RuleSpec {
        id: "slack_token",
        positives: &[
            (JS, "const bot = 'xoxb-283524364922-2418747010719-wBH8C2r16j9aXGrL3kLKyuhx';", Severity::High),
            // older user-token format: digits-digits-digits-hex32
            (JS, "SLACK_TOKEN = 'xoxp-5263752937-53447691556-43644217887-2e7a5200af5e8486b39e05216ba01f89'", Severity::High),
            (JS, "const cfg = 'xoxe.xoxp-1-X36S0P5L0UFJL57ZWYMUNG5ZMPQ44FC4F1DVGHDUPJ5DXQSNL1WAM3Z71TLJ9NS2KWPYO9LO7FCCXZAWN0UPWNLFBA5RP5Y18ZAAKI2IGN8DT9H2SV4OJM9FJ7LHKLT3VXWXHIT1XGF9KXCPS76G0IUD49LX7GWCCEHR';", Severity::High),
            (JS, "const refresh = 'xoxe-1-YXFRW3NMDSRWNLRL7UVL1Y7YGXZ2AL1LMC97A1KU59CIKJTMQ7T9V0WXXS7BNN588DSZOMR7DHPL81F4FAK5449J52J6YLTGP1FSCHURUB94YQMTIF2AKLKZHL9S6AIOCSEW3H88Q39P2X6PEB';", Severity::High),
            (JS, "const app = 'xapp-1-A259M3B5FFA-2835243649221-b8c0cd3eefb80631d03332a67437f76a88aa8c8c36bd3fe17033e44ef24c3457';", Severity::High),
        ],
        negatives: &[
            (JS, "const bot = 'xoxb-8127364512-3392817465-####################';"),
            (JS, "const user = 'xoxp-283524364922-241874701071-241874701071-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';"),
            (JS, "const bot = 'xoxb-your-bot-token';"),
            (JS, "SLACK_BOT_TOKEN=xoxb-000000000000-0000000000000-000000000000000000000000"),
        ],
    },
    RuleSpec {
        id: "slack_webhook",
        positives: &[(
            JS,
            "const hook = 'https://hooks.slack.com/services/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';",
            Severity::Medium,
        )],
        negatives: &[(
            JS,
            "const hook = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';",
        )],
    },
    RuleSpec {
        id: "stripe_live_key",
        positives: &[(JS, "const stripe = require('stripe')('sk_live_doQTBkCfvAGfyUPzEBLdnM2udroJ2NafnO');", Severity::Critical)],
        negatives: &[
            (JS, "const stripe = require('stripe')('sk_live_xxxxxxxxxxxxxxxxxxxxxxxx');"),
            (JS, "const stripe = require('stripe')('sk_test_doQTBkCfvAGfyUPzEBLdnM2udroJ2NafnO');"),
        ],
    },
    RuleSpec {
        id: "openai_key",
        positives: &[
            (PY, "OPENAI_API_KEY = 'sk-proj-xmBK0efhgVPn2DnPImz6ZMSubwRQYUmA33IZiQcST3BlbkFJ0eeQ04LNP4YB5rrvvoVMpm6A65TuDDbZSzVpopOV'", Severity::Critical),
            (PY, "client = OpenAI(api_key='sk-proj-rHX3t2OkK3-C3azOJZpxEKJXYqIt3CvHK_LOd86RycT8qCXmYxX1PhDf1SiX0DJ9WHdlGybWi_w2x0vgxBGzV5ZXv20egSmpo38si1nfs7Dn7s6DkXzwzR7t')", Severity::Critical),
        ],
        negatives: &[
            (PY, "OPENAI_API_KEY = 'sk-proj-...'  # from platform.openai.com"),
            (PY, "KEY_RE = re.compile(r'sk-proj-[A-Za-z0-9_-]{80,}')"),
        ],
    },
    RuleSpec {
        id: "anthropic_key",
        positives: &[(PY, "ANTHROPIC_API_KEY = 'sk-ant-api03-TMAGM5apsKhSASunkCnsE0mxqlSloBAN1fVt2x8MkpcpEV1uh6fDnzl2KMr0IM7PljKDZblhBlG_iyT4t84yLXGbQqKBZAA'", Severity::Critical)],
        negatives: &[(PY, "ANTHROPIC_API_KEY = 'sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'")],
    },
    RuleSpec {
        id: "google_api_key",
        positives: &[
            (JS, "const MAPS_KEY = 'AIzaCtL-XmlX0INpVNyY2N1b_3G0N5QateycZdo';", Severity::Medium),
            // Firebase web config: a public client identifier by design.
            (JS, "const firebaseConfig = {\n  apiKey: \"AIzatUQI0Za45bR4ELVoTalWDNxbslHVDIYPplu\",\n  authDomain: \"orbit-demo.firebaseapp.com\",\n  projectId: \"orbit-demo\",\n};", Severity::Info),
        ],
        negatives: &[
            // 40 characters after AIza, no boundary: not a Google key
            (JS, "const blob = 'AIzaCtL-XmlX0INpVNyY2N1b_3G0N5QateycZdoQ7x9k';"),
            (JS, "const MAPS_KEY = 'AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';"),
        ],
    },
    RuleSpec {
        id: "npm_token",
        positives: &[(".npmrc", "//registry.npmjs.org/:_authToken=npm_XrdWk7Urq4XYYbSLkRYFfQJqB94EXdHte1dO", Severity::High)],
        negatives: &[
            (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}"),
            (JS, "const v = process.env.npm_package_version;"),
        ],
    },
    RuleSpec {
        id: "telegram_bot_token",
        positives: &[(PY, "BOT_TOKEN = '7394018265:AAzNTRg-xg3bIiPjKGEzC8LqsoLGJ5F-TdP'", Severity::High)],
        negatives: &[
            (PY, "BOT_TOKEN = '123456789:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'"),
            (PY, "BOT_TOKEN = '7394018265:AAzNTRg-xg3bIiPjKGEzC8LqsoLGJ5F-TdPq8'"),
        ],
    },
    RuleSpec {
        id: "discord_bot_token",
        positives: &[
            (JS, "client.login('MTE5Njc4NjI0NTQ2ODQxNTQ0OQ.X7a8SR.ajPG8opcjna3AqyW8pCoN2uosToSCWsu6X6KrW');", Severity::High),
            (PY, "DISCORD_TOKEN = \"MTE5Njc4NjI0NTQ2ODQxNTQ0OQ.X7a8SR.ajPG8opcjna3AqyW8pCoN2uosToSCWsu6X6KrW\"", Severity::High),
        ],
        negatives: &[
            // right shape, but the first part is not a base64 user id
            (JS, "client.login('MZEW2yT551naevhdW4PoQqezmu.jBxoFu.aekylmb319DUS4LPXPBL2TBf3i38UQA4gSP2ur');"),
            (JS, "client.login(process.env.DISCORD_TOKEN);"),
        ],
    },
    RuleSpec {
        id: "discord_webhook",
        positives: &[(
            JS,
            "const HOOK = 'https://discord.com/api/webhooks/1196786245468415449/uqYyuHKzxZxQL9h47QHd-If5xBm-_NLfc0iz7yqW6x4hJm5RWCOrW7AjSR8-8guHydh1';",
            Severity::Medium,
        )],
        negatives: &[
            (JS, "const HOOK = `https://discord.com/api/webhooks/${id}/${token}`;"),
            (JS, "const HOOK = 'https://discord.com/api/webhooks/000000000000000000/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';"),
        ],
    },
    RuleSpec {
        id: "rpc_api_key",
        positives: &[
            (JS, "const rpc = 'https://mainnet.infura.io/v3/f35152760cbce17e1c443e9f10bded72';", Severity::Medium),
            (JS, "const rpc = 'https://eth-mainnet.g.alchemy.com/v2/gLWdExPMJzTzNc3icPatpvNATkJEMh2w';", Severity::Medium),
            (JS, "const rpc = 'https://mainnet.helius-rpc.com/?api-key=3cc15e67-cf15-4a77-bc68-05a63451aaec';", Severity::Medium),
            (JS, "const rpc = 'https://old-frost-lake.solana-mainnet.quiknode.pro/1205812b6721896921fc1b092d68a8b78e36a895/';", Severity::Medium),
        ],
        negatives: &[
            // ethers' built-in community key
            (JS, "const rpc = 'https://mainnet.infura.io/v3/84842078b09946638c03157f83405213';"),
            (JS, "const rpc = `https://mainnet.infura.io/v3/${process.env.INFURA_KEY}`;"),
            (JS, "const rpc = 'https://eth-mainnet.g.alchemy.com/v2/demo';"),
            (JS, "const rpc = 'https://mainnet.helius-rpc.com/?api-key=<YOUR_API_KEY>';"),
        ],
    },
    RuleSpec {
        id: "private_key_pem",
        positives: &[
            ("deploy/key.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naDPnhqiJu8dUAZKLZYdPMt6bZC8z9Zv0tX6MMlDKQVnEUdHCPlOkCaoWEkLzpMtX\n-----END RSA PRIVATE KEY-----\n", Severity::Critical),
            // a service-account JSON: line breaks written `\n` inside the string
            ("deploy/sa.json", "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nh+aa0ePlLrVABYMCa8jgxX+VfGDkzqG1sKlpY05tPtO8F6e8cYyivkleuDMxzGd3\\nsgQNzgkO5+SWkTCmOZciCdxlKi4uMnxnAS/ZBM7Nn5HU9ND4UAnKy2YzA3W1Tp41\\n-----END PRIVATE KEY-----\\n\"}", Severity::Critical),
            // base64 of an OpenSSH key, decoded one level
            ("k8s/secret.yaml", "data:\n  id_ed25519: LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0KdTNqbW1lS05KOW5vN1J1WXhvS2pROFBaVFBDa1M2b0xMWkFXcGJEMGNsMldMaHNJcWFKTzFGdXRmd05BZVE2enVoL0EKSTA0NmQxKzJNSG1md2k5UkNBZHM1WnF5WDkweTVaMkI4ZDRFaC9LY0RGWlRwS1JsNUlVUjV0VnZoTTdmcmhPV3ZTdmIKLS0tLS1FTkQgT1BFTlNTSCBQUklWQVRFIEtFWS0tLS0tCg==\n", Severity::Critical),
        ],
        negatives: &[
            ("src/scan.rs", "if line.contains(\"-----BEGIN RSA PRIVATE KEY-----\") {"),
            // a Coinbase CDP key file: reported once, as coinbase_cdp_key
            ("cdp_api_key.json", "{\n  \"name\": \"organizations/3ec0035a-2dee-4ce8-836e-469e0e2c0bd8/apiKeys/a3f2c149-ea1d-4d11-b6c3-495298fd8621\",\n  \"privateKey\": \"-----BEGIN EC PRIVATE KEY-----\\nnm3yOUpwpXkDFx8NZY3hywGi3suTgKhV71hCfrijyoluE76ZcLeML1GP+ztAm0AF\\nDhbaXNP2B3WjtgDTLoglAQ==\\n-----END EC PRIVATE KEY-----\\n\"\n}\n"),
            ("deploy/key.pem", "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"),
        ],
    },
    RuleSpec {
        id: "eth_private_key",
        positives: &[
            (JS, "const PRIVATE_KEY = \"0xab95d95a51644fbb1f8ba582b9b3811cfb91695da3ce7b684800bd0d502d2efb\";", Severity::Critical),
            (JS, "const signer = new Wallet('6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2', provider);", Severity::Critical),
            // a local chain's account in a Truffle config: low
            ("truffle-config.js", "development: {\n  host: '127.0.0.1',\n  url: 'http://localhost:7545',\n  privateKey: '0x6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2',\n},", Severity::Low),
            // …but not under a commented-out local url, nor an interpolated host
            ("hardhat.config.js", "sepolia: {\n  // url: 'http://127.0.0.1:8545',\n  url: SEPOLIA_RPC,\n  accounts: [privateKey('0x6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2')],\n},", Severity::Critical),
            ("hardhat.config.js", "sepolia: {\n  url: `https://${RPC}/v3`,\n  privateKey: '0x6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2',\n},", Severity::Critical),
            // a commented-out line is still the key
            (JS, "// const PRIVATE_KEY = \"0xab95d95a51644fbb1f8ba582b9b3811cfb91695da3ce7b684800bd0d502d2efb\";", Severity::Critical),
            // a JSDoc example (web3.js documents each key function so): low
            (JS, "/**\n * Get the address of a private key.\n * @example\n * ```ts\n * web3.eth.accounts.privateKeyToAddress(\"0xbe6383dad004f233317e46ddb46ad31b16064d14447a95cc1d8c8d4bc61c3728\")\n * ```\n */\nexport const privateKeyToAddress = (k: string) => derive(k);", Severity::Low),
            ("src/wallet.rs", "/// ```\n/// let wallet = LocalWallet::from_private_key(\"6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2\");\n/// ```\npub fn from_private_key(k: &str) -> Self { parse(k) }", Severity::Low),
            // …but not a doc comment with no example in it, code after the comment closes, nor
            // `///` in JavaScript (a plain comment there)
            ("src/wallet.rs", "/// Signs with the deployer's key.\n/// let key = from_private_key(\"6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2\");\npub fn sign() {}", Severity::Critical),
            (JS, "/** @example ```ts sign() ``` */ const privateKey = \"0x6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2\";", Severity::Critical),
            (JS, "/// ```\n/// const privateKey = \"0x6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2\";", Severity::Critical),
            // a `*` line after the doc comment closed is code again
            (JS, "/** Scale. */\nconst signer = base\n  * privateKey(\"0x6d1065cf72ecdf957fe1f2a844edebef31e35b41b98de956311a9d67fbda83e2\");", Severity::Critical),
        ],
        negatives: &[
            // Hardhat account #0
            (JS, "PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
            (JS, "let privateKeyless = 1;\nconst txHash = '0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060';"),
            // the context word belongs to another statement (minified bundle)
            (JS, "function a(){return this.privateKey}function b(){const h=\"0xab95d95a51644fbb1f8ba582b9b3811cfb91695da3ce7b684800bd0d502d2efb\"}"),
            (JS, "const opts = { privateKey: derive(seed), salt: '0xab95d95a51644fbb1f8ba582b9b3811cfb91695da3ce7b684800bd0d502d2efb' };"),
        ],
    },
    RuleSpec {
        id: "solana_keypair",
        positives: &[
            (JS, concat!("const payer = Keypair.fromSecretKey(Uint8Array.from([", random_bytes_a!(), "]));"), Severity::Critical),
            (JS, concat!("const wallet = Keypair.fromSecretKey(\n  new Uint8Array([", random_bytes_b!(), "])\n);"), Severity::Critical),
            ("wallet/id.json", concat!("[", random_bytes_b!(), "]"), Severity::Critical),
            // a keypair named for a test cluster (solana-program-library's token-lending/devnet.json)
            ("token-lending/devnet.json", concat!("[", random_bytes_b!(), "]"), Severity::Low),
        ],
        negatives: &[
            // BIP-340 tagged-hash prefixes (bitcoinjs, noble): SHA256(tag) twice, and not a keypair
            (JS, concat!("const TAGGED_HASH_PREFIXES = {\n  challenge: Uint8Array.from([", doubled_half!(), "]),\n};")),
            (JS, concat!("const secretKey = Uint8Array.from([", doubled_half!(), "]);")),
            // random bytes, but nothing says keypair
            (JS, concat!("const digest = Uint8Array.from([", random_bytes_a!(), "]);")),
            (JS, "const secretKey = new Uint8Array([0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63]);"),
        ],
    },
    RuleSpec {
        id: "bip39_mnemonic",
        positives: &[
            (JS, "const mnemonic = \"velvet orbit canyon lemon bridge frost humble quiet rocket tunnel amber switch\";", Severity::Critical),
            (PY, "MNEMONIC = (\n    'velvet orbit canyon lemon bridge frost humble quiet rocket tunnel amber switch'\n)", Severity::Critical),
            // README example output: documentation, reported low
            ("README.md", "Run `wallet new` and note the seed phrase:\n\n```\nmnemonic: velvet orbit canyon lemon bridge frost humble quiet rocket tunnel amber switch\n```\n", Severity::Low),
            (JS, "// e.g. the output looks like:\n// mnemonic: 'velvet orbit canyon lemon bridge frost humble quiet rocket tunnel amber switch'\n", Severity::Low),
            // the accounts of a local chain in a Hardhat config (Aave's ganache network): low
            ("hardhat.config.ts", "networks: {\n  ganache: {\n    url: 'http://ganache:8545',\n    accounts: {\n      mnemonic: 'velvet orbit canyon lemon bridge frost humble quiet rocket tunnel amber switch',\n    },\n  },\n}", Severity::Low),
            // …but not beside a public chain's url, nor after the local entry closed
            ("hardhat.config.ts", "networks: {\n  mainnet: {\n    url: 'https://mainnet.infura.io/v3/' + INFURA,\n    accounts: { mnemonic: 'velvet orbit canyon lemon bridge frost humble quiet rocket tunnel amber switch' },\n  },\n}", Severity::Critical),
            ("hardhat.config.js", "networks: {\n  localhost: { url: 'http://127.0.0.1:8545' },\n  mainnet: {\n    accounts: { mnemonic: 'velvet orbit canyon lemon bridge frost humble quiet rocket tunnel amber switch' },\n  },\n}", Severity::Critical),
        ],
        negatives: &[
            (JS, "mnemonic: \"test test test test test test test test test test test junk\""),
            (JS, "const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';"),
            (JS, "const mnemonic = 'legal winner thank year wave sausage worth useful legal winner thank yellow';"),
            (JS, "const mnemonic = 'ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic';"),
            ("README.md", "mnemonic: \"scheme spot photo card baby mountain device kick cradle pact join borrow\""),
            // the word names another statement
            (JS, "function load(mnemonic) { return derive(mnemonic); }\nconst BANNER = 'welcome aboard friend enjoy every quiet moment under bright summer skies today';"),
        ],
    },
    RuleSpec {
        id: "env_file_secret",
        positives: &[(".env", "# keys\nBOT_TOKEN=\"8f3kQ9zLmP2xV7nR4tY1wB6c\"\n", Severity::High)],
        negatives: &[
            (".env", "API_KEY=your_api_key_here\nPORT=3000\n"),
            (".env.example", "BOT_TOKEN=\"8f3kQ9zLmP2xV7nR4tY1wB6c\"\n"),
        ],
    },
    RuleSpec {
        id: "exchange_api_secret",
        positives: &[
            (PY, "BINANCE_API_SECRET = \"c5EPuTBh5HprpqHEpTm7KqzcriWPnG4H1gU92He9sh1bzEjHUlmOsfRgB9AcbcT2\"", Severity::Critical),
            (JS, "const exchange = new ccxt.binance({\n  apiKey: 'ZvGG02I2TcW5xmpkR4NrlZJO1n4Ss1UovxEhMonrC3RgrUbVYTxaxu19gxOJ7DmZ',\n  secret: 'c5EPuTBh5HprpqHEpTm7KqzcriWPnG4H1gU92He9sh1bzEjHUlmOsfRgB9AcbcT2',\n});", Severity::Critical),
            ("config/kraken.yml", "kraken_private_key: '4QYdiy3FYEpV2eIgDdIaqSZSY+IW6YAud+sV9YyGezgHH7TfFMKOhMp3K47KpLDw/5TKFdpobpNDOwwsvx9QPg=='\n", Severity::Critical),
            (PY, "exchange = ccxt.kucoin({'apiKey': '99ac70803a3d51eb2f02d53b', 'secret': '3ec0035a-2dee-4ce8-836e-469e0e2c0bd8', 'password': 'orbit'})", Severity::Critical),
            (PY, "bybit_secret = 'G6zxvRtUI0hGB56FCnZIyFe5PMKDEOrMzZd5'", Severity::Critical),
            (JS, "const okx = { apiKey: 'a3f2c149-ea1d-4d11-b6c3-495298fd8621', secretKey: '8F87967EE3DBF68BBEDF06CC70AA77C4', passphrase: 'orbit' };", Severity::Critical),
        ],
        negatives: &[
            (PY, "BINANCE_API_SECRET = \"your_binance_api_secret\""),
            (JS, "const exchange = new ccxt.binance({ apiKey: process.env.BINANCE_KEY, secret: process.env.BINANCE_SECRET });"),
            (PY, "binance_secret = 'BINANCE_SECRET_PLACEHOLDER_VALUE'"),
            (PY, "BYBIT_SECRET = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'"),
            // the exchange is named in another statement
            (JS, "log('binance ready');\nconst secret = 'c5EPuTBh5HprpqHEpTm7KqzcriWPnG4H1gU92He9sh1bzEjHUlmOsfRgB9AcbcT2';"),
        ],
    },
    RuleSpec {
        id: "exchange_api_key",
        positives: &[
            (PY, "BYBIT_API_KEY = 'o8FHzdMoL7yLZ1o8pi'", Severity::Medium),
            (JS, "const exchange = new ccxt.binance({\n  apiKey: 'ZvGG02I2TcW5xmpkR4NrlZJO1n4Ss1UovxEhMonrC3RgrUbVYTxaxu19gxOJ7DmZ',\n  secret: process.env.BINANCE_SECRET,\n});", Severity::Medium),
        ],
        negatives: &[
            (PY, "OKX_API_KEY = os.getenv('OKX_API_KEY')"),
            // a cache key that names the exchange (hummingbot)
            (PY, "key = \"binance_BTC-USDT_1m\""),
            (JS, "const binance = { apiKeyUrl: 'https://www.binance.com/en/my/settings/api-management' };"),
        ],
    },
    RuleSpec {
        id: "coinbase_cdp_key",
        positives: &[
            ("cdp_api_key.json", "{\n  \"name\": \"organizations/3ec0035a-2dee-4ce8-836e-469e0e2c0bd8/apiKeys/a3f2c149-ea1d-4d11-b6c3-495298fd8621\",\n  \"privateKey\": \"-----BEGIN EC PRIVATE KEY-----\\nnm3yOUpwpXkDFx8NZY3hywGi3suTgKhV71hCfrijyoluE76ZcLeML1GP+ztAm0AF\\nDhbaXNP2B3WjtgDTLoglAQ==\\n-----END EC PRIVATE KEY-----\\n\"\n}\n", Severity::Critical),
            (JS, "const KEY_NAME = 'organizations/3ec0035a-2dee-4ce8-836e-469e0e2c0bd8/apiKeys/a3f2c149-ea1d-4d11-b6c3-495298fd8621';", Severity::Low),
        ],
        negatives: &[
            (JS, "const KEY_NAME = `organizations/${orgId}/apiKeys/${keyId}`;"),
            ("README.md", "Set `CDP_KEY_NAME` to `organizations/{org_id}/apiKeys/{key_id}`."),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::scanner::Scanner;
    use crate::tree::RepoFile;

    /// Every rule id the verifiers can emit; each must have a row in [`RULE_BOOK`].
    const ALL_RULES: [&str; 22] = [
        "aws_access_key",
        "aws_secret_key",
        "github_token",
        "slack_token",
        "slack_webhook",
        "stripe_live_key",
        "openai_key",
        "anthropic_key",
        "google_api_key",
        "npm_token",
        "telegram_bot_token",
        "discord_bot_token",
        "discord_webhook",
        "rpc_api_key",
        "private_key_pem",
        "eth_private_key",
        "solana_keypair",
        "bip39_mnemonic",
        "env_file_secret",
        "exchange_api_secret",
        "exchange_api_key",
        "coinbase_cdp_key",
    ];

    fn scan(path: &str, text: &str) -> Vec<SecretFinding> {
        crate::analysis::scanner::scan_text(path, text)
            .expect("scanned")
            .secrets
    }

    /// The gitleaks discipline: each rule's own examples, through the real scanner.
    #[test]
    fn every_rule_finds_its_positives_and_ignores_its_negatives() {
        let mut failures = Vec::new();
        for spec in RULE_BOOK {
            assert!(
                !spec.positives.is_empty() && !spec.negatives.is_empty(),
                "{} needs positives and negatives",
                spec.id
            );
            for (path, text, sev) in spec.positives {
                let found = scan(path, text);
                if !found.iter().any(|f| f.rule == spec.id && f.severity == *sev) {
                    failures.push(format!(
                        "{}: missed ({sev:?}) in {path}: {text:?}\n  got {found:?}",
                        spec.id
                    ));
                }
                for f in &found {
                    assert!(
                        f.redacted.contains('…') || f.redacted.contains("words"),
                        "unredacted: {f:?}"
                    );
                }
            }
            for (path, text) in spec.negatives {
                let found = scan(path, text);
                if found.iter().any(|f| f.rule == spec.id) {
                    failures.push(format!(
                        "{}: fired on negative in {path}: {text:?}\n  got {found:?}",
                        spec.id
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn rule_book_covers_every_rule() {
        let book: Vec<&str> = RULE_BOOK.iter().map(|s| s.id).collect();
        let mut sorted = book.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), book.len(), "one row per rule");
        let mut all = ALL_RULES.to_vec();
        all.sort_unstable();
        assert_eq!(sorted, all);
        for r in RULES.iter() {
            assert!(book.contains(&r.id), "{} has no examples", r.id);
        }
    }

    /// Each base64 anchor is the part of the prefix's encoding that does not depend on
    /// the bytes around it, at the alignment it claims.
    #[test]
    fn base64_anchors_are_the_encodings_they_claim() {
        use base64::engine::general_purpose::STANDARD;
        let stable = |p: &[u8], k: usize| -> String {
            let enc = |fill: u8| {
                let mut v = vec![fill; k];
                v.extend_from_slice(p);
                STANDARD.encode(v)
            };
            let (a, b) = (enc(0), enc(0xff));
            let skip = [0, 2, 3][k];
            let full = (k + p.len()) * 8 / 6;
            assert_eq!(a[skip..full], b[skip..full]);
            a[skip..full].to_string()
        };
        let mut want: Vec<String> = [
            "ghp_",
            "gho_",
            "ghs_",
            "github_pat_",
            "sk_live_",
            "xoxb-",
            "xoxp-",
            "AKIA",
            "sk-ant-",
            "sk-proj-",
            "npm_",
        ]
        .iter()
        .map(|p| stable(p.as_bytes(), 0))
        .collect();
        want.extend((0..3).map(|k| stable(b"PRIVATE KEY-----", k)));
        let mut have: Vec<String> = ANCHORS
            .iter()
            .filter(|(_, s)| *s == Sig::Base64Secret)
            .map(|(a, _)| a.to_string())
            .collect();
        want.sort();
        have.sort();
        assert_eq!(want, have);
    }

    #[test]
    fn base64_findings_say_so_and_stay_redacted() {
        let tok = "ghp_BhO6rmsK1gHK3z0T937R4nR1S3lsac9o9N2h";
        let f = scan(
            "src/a.js",
            "const x = 1;\nconst t = atob('Z2hwX0JoTzZybXNLMWdISzN6MFQ5MzdSNG5SMVMzbHNhYzlvOU4yaA==');\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].title, "GitHub token (base64-encoded)");
        assert_eq!(f[0].line, 2);
        assert!(!f[0].redacted.contains(&tok[4..]));
    }

    /// A public Firebase web config is listed as info and does not fail the check.
    #[test]
    fn info_findings_do_not_fail_the_secrets_check() {
        use crate::analysis::{content, scanner::ContentReport};
        use crate::result::CheckStatus;
        let (path, text, _) = RULE_BOOK
            .iter()
            .find(|r| r.id == "google_api_key")
            .and_then(|r| r.positives.iter().find(|p| p.2 == Severity::Info))
            .expect("firebase example");
        let f = RepoFile {
            path: path.to_string(),
            data: text.as_bytes().to_vec(),
            size: text.len() as u64,
            truncated: false,
        };
        let report = ContentReport {
            files: vec![Scanner::global().scan_file(&f, &mut Vec::new()).unwrap()],
            ..Default::default()
        };
        let a = content::secrets(&report);
        assert_eq!(a.checks[0].status, CheckStatus::Pass);
        assert_eq!(a.checks[0].points, content::SECRETS_PASS_POINTS);
        assert!(a
            .red_flags
            .iter()
            .any(|f| f.id == "secrets.google_api_key" && f.severity == Severity::Info));
    }

    #[test]
    fn github_token_found_and_redacted() {
        let tok = "ghp_Z9xK2mQ7vL4pR8sT1wY6bN3cD5fG0hJ2kL4m";
        let f = scan("src/x.js", &format!("const t = \"{tok}\";"));
        assert_eq!(f.len(), 1);
        assert!(!f[0].redacted.contains(&tok[4..]));
        assert!(f[0].redacted.starts_with("ghp_…[40 chars"));
    }

    #[test]
    fn statements_end_where_code_says() {
        let s = b"a = 1; const k = call(\n  x,\n  y\n); next()";
        let pos = 13; // `k`
        let (lo, hi) = statement(s, pos, 100, 100);
        assert_eq!(&s[lo..hi], b" const k = call(\n  x,\n  y\n);");
        // A closing bracket of an enclosing call ends it; quotes hide brackets.
        let s = b"f(privateKey, \")(\"); g()";
        let (lo, hi) = statement(s, 2, 100, 100);
        assert_eq!(&s[lo..hi], b"f(privateKey, \")(\")");
        // An anchor inside a string is still inside it.
        let s = b"{\"binance\": {\n  \"apiKey\": \"k\",\n  \"secret\": \"s\"\n}}\nnext";
        let (lo, hi) = statement(s, 2, 0, 200);
        assert_eq!(&s[lo..hi], &s[2..s.len() - 5]);
    }

    #[test]
    fn keypair_bytes_needs_key_material() {
        let random: Vec<String> = [85u8, 159, 5, 67, 121, 120, 4, 154]
            .iter()
            .cycle()
            .take(64)
            .map(|b| b.to_string())
            .collect();
        // eight distinct values repeated: not key material
        assert!(keypair_bytes(random.join(",").as_bytes()).is_none());
        let stride: Vec<String> = (0..64).map(|i| ((i * 37 + 11) % 256).to_string()).collect();
        assert!(keypair_bytes(stride.join(",").as_bytes()).is_none());
    }

    #[test]
    fn env_files() {
        assert!(is_env_file(".env"));
        assert!(is_env_file("app/.env.production"));
        assert!(!is_env_file(".env.example"));
        assert!(!is_env_file("src/env.rs"));
        let mut out = Vec::new();
        verify_env_file(
            b"# keys\nAPI_KEY=your_api_key_here\nPORT=3000\nBOT_TOKEN=\"8f3kQ9zLmP2xV7nR4tY1wB6c\"\n",
            ".env",
            &mut out,
        );
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
