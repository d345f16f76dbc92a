//! `readme.signals`: what the README itself gives away. Shill wording ("100x", "guaranteed
//! returns", "connect your wallet to claim"), the "send 1 ETH, get 2 ETH back" giveaway, and
//! repositories that are nothing but a README promoting a token, a download or a wallet
//! connection (`#NoCode`). Documentation and awesome-list repositories are legitimately
//! code-less: without the promotion they are only noted (info, no points).

use std::sync::LazyLock;

use regex::Regex;

use super::classify::{self, Kind};
use super::project::ProjectFacts;
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;
use crate::tree::FileTree;

pub const SHILL_POINTS: i32 = -5;
pub const GIVEAWAY_POINTS: i32 = -30;
pub const NO_CODE_POINTS: i32 = -5;
/// Distinct shill phrases needed for the finding: one "100x" in a changelog is noise.
const SHILL_MIN: usize = 2;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ReadmeSignals {
    pub has_readme: bool,
    pub shill: Vec<String>,
    /// The giveaway sentence, quoted.
    pub giveaway: Option<String>,
    /// No code file at all in the repository.
    pub code_less: bool,
    /// What a code-less README promotes (download, wallet connection, token address).
    pub promotes: Vec<&'static str>,
}

static SHILL: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("100x", r"\b100x\b"),
        ("1000x", r"\b1,?000x\b"),
        (
            "guaranteed returns",
            r"\bguarantee(?:d|s)?\s+(?:\w+\s+)?(?:returns?|profits?|gains?|income|roi)\b",
        ),
        ("risk-free", r"\brisk[- ]free\b"),
        (
            "connect your wallet to claim",
            r"\bconnect\s+(?:your\s+)?wallet\s+(?:to|and)\s+claim\b",
        ),
        (
            "airdrop claim",
            r"\b(?:claim\s+(?:your\s+|the\s+)?(?:free\s+)?airdrop|airdrop\s+claim)\b",
        ),
        ("double your", r"\bdouble\s+your\b"),
        ("send … and receive", r"\bsend\b[^.\n]{1,40}\b(?:and|to)\s+receive\b"),
        ("get rich", r"\bget\s+rich\b"),
        ("passive income", r"\bpassive\s+income\b"),
    ]
    .into_iter()
    .map(|(n, r)| (n, Regex::new(&format!("(?i){r}")).expect("shill regex")))
    .collect()
});

/// "Send 1 ETH … get 2 ETH back": the amount returned is at least twice the amount sent.
static GIVEAWAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bsend\s+(?:any(?:where)?\s+(?:from|between)\s+)?(\d+(?:\.\d+)?)\s*([a-z]{2,5})?\b[^.\n]{0,80}?\b(?:get|receive|we(?:'ll| will)\s+send)\s+(?:back\s+)?(\d+(?:\.\d+)?)\s*([a-z]{2,5})?")
        .expect("giveaway regex")
});

static PROMO: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("a wallet connection", r"\bconnect\s+(?:your\s+)?(?:wallet|metamask|phantom)\b"),
        ("a download", r"(?:\.(?:exe|msi|dmg|apk|scr)\b|releases/download/|\bdownload\s+(?:the\s+|our\s+)?(?:app|bot|client|installer|setup|tool|software)\b)"),
        ("a token address", r"(?:\b(?:contract\s+address|token\s+address|\bCA)\s*[:=]|\bbuy\s+(?:now\s+)?on\s+(?:pump\.fun|raydium|uniswap|pancakeswap)|\bpresale\b)"),
    ]
    .into_iter()
    .map(|(n, r)| (n, Regex::new(&format!("(?i){r}")).expect("promo regex")))
    .collect()
});

const COINS: [&str; 16] = [
    "ETH", "BTC", "SOL", "BNB", "USDT", "USDC", "MATIC", "POL", "TRX", "XRP", "DOGE", "ADA", "AVAX", "TON", "SUI",
    "ARB",
];

fn quote(text: &str, start: usize, end: usize) -> String {
    let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text[end..].find('\n').map(|i| end + i).unwrap_or(text.len());
    let l = text[line_start..line_end]
        .trim()
        .trim_start_matches(['#', '-', '*', '>', ' ']);
    let q: String = l.chars().take(140).collect();
    if l.chars().count() > 140 {
        format!("{q}…")
    } else {
        q
    }
}

/// The shill phrases of `text`, one name each: the README check and the X-profile check
/// read shill language from this one table.
pub fn shill_phrases(text: &str) -> impl Iterator<Item = &'static str> + '_ {
    SHILL.iter().filter(|(_, r)| r.is_match(text)).map(|(n, _)| *n)
}

/// Is the giveaway at `pos` quoted as a warning ("beware of scammers who say: send 1 ETH,
/// get 2 back")? Anti-scam projects describe the scam they fight.
fn warned_about(readme: &str, pos: usize) -> bool {
    let start = readme[..pos].rfind("\n\n").map_or(0, |i| i + 2);
    let before = readme[start..pos].to_ascii_lowercase();
    [
        "scam", "beware", "never ", "warning", "fake", "phishing", "fraud", "don't", "do not",
    ]
    .iter()
    .any(|w| before.contains(w))
}

/// Does the README point readers at a download (an `.exe`/`.msi`/`.dmg`/`.apk`, a release
/// asset, "download the app")? Whether or not the repository has code.
pub fn promotes_download(readme: &str) -> bool {
    PROMO.iter().any(|(n, r)| *n == "a download" && r.is_match(readme))
}

pub fn signals(readme: &str, code_less: bool) -> ReadmeSignals {
    let mut s = ReadmeSignals {
        has_readme: !readme.trim().is_empty(),
        code_less,
        ..Default::default()
    };
    s.shill = shill_phrases(readme).map(str::to_string).collect();
    for c in GIVEAWAY.captures_iter(readme) {
        let (Ok(sent), Ok(got)) = (c[1].parse::<f64>(), c[3].parse::<f64>()) else {
            continue;
        };
        // Both amounts in the same coin: "send 2 requests, get 4 responses" is not it.
        let same_unit = match (c.get(2), c.get(4)) {
            (Some(a), Some(b)) => {
                a.as_str().eq_ignore_ascii_case(b.as_str()) && COINS.contains(&a.as_str().to_ascii_uppercase().as_str())
            }
            _ => false,
        };
        let m = c.get(0).expect("match");
        if sent > 0.0 && got >= 2.0 * sent && same_unit && !warned_about(readme, m.start()) {
            s.giveaway = Some(quote(readme, m.start(), m.end()));
            break;
        }
    }
    if code_less {
        s.promotes = PROMO
            .iter()
            .filter(|(_, r)| r.is_match(readme))
            .map(|(n, _)| *n)
            .collect();
    }
    s
}

/// Gather the signals from the tree: the README text and whether any file is code.
pub fn analyse(tree: &FileTree, facts: &ProjectFacts) -> ReadmeSignals {
    let code_less = !tree.files.is_empty()
        && !tree
            .files
            .iter()
            .any(|f| matches!(classify::kind_of(&f.path), Kind::Code(_)));
    signals(&facts.readme_text, code_less)
}

pub fn assess(s: &ReadmeSignals) -> Assessment {
    let mut a = Assessment::default();
    let (id, name) = ("readme.signals", "README red flags");
    let mut points = 0;
    let mut details = Vec::new();
    if let Some(g) = &s.giveaway {
        points += GIVEAWAY_POINTS;
        let d = format!("The README runs a \"send crypto, get double back\" giveaway: \"{g}\".");
        // "Send 1 ETH, get 2 back" has no honest reading: the same finding in an X profile
        // is critical, and so it is here.
        a.red(id, Severity::Critical, "Giveaway scam wording in README", d.clone());
        a.critical_scam = true;
        a.tag("#GiveawayScam");
        details.push(d);
    }
    if s.shill.len() >= SHILL_MIN {
        points += SHILL_POINTS;
        let d = format!(
            "The README uses shill wording: {}.",
            s.shill
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        a.red(id, Severity::Medium, "Shill wording in README", d.clone());
        a.tag("#ShillReadme");
        details.push(d);
    }
    if s.code_less && !s.promotes.is_empty() {
        points += NO_CODE_POINTS;
        let d = format!(
            "The repository has no code at all, only a README promoting {}.",
            s.promotes.join(" and ")
        );
        a.red(id, Severity::Medium, "README-only repository", d.clone());
        a.tag("#NoCode");
        details.push(d);
    }
    let status = if s.giveaway.is_some() {
        CheckStatus::Fail
    } else if points < 0 {
        CheckStatus::Warn
    } else if s.code_less {
        CheckStatus::Info
    } else {
        CheckStatus::Pass
    };
    let detail = if !details.is_empty() {
        details.join(" ")
    } else if s.code_less {
        "No code files: a documentation or list repository, promoting nothing to download or connect.".into()
    } else if !s.has_readme {
        "No README to read.".into()
    } else {
        "No shill or giveaway wording in the README.".into()
    };
    a.check(id, name, status, points, detail);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shill_wording_needs_two_phrases() {
        let s = signals("Guaranteed returns! This gem will 100x. Risk-free staking.", false);
        assert_eq!(s.shill, vec!["100x", "guaranteed returns", "risk-free"]);
        let a = assess(&s);
        assert_eq!(
            (a.checks[0].status, a.checks[0].points),
            (CheckStatus::Warn, SHILL_POINTS)
        );
        assert_eq!(a.tags, vec!["#ShillReadme"]);
        // One phrase alone, and near misses.
        let one = signals("Benchmarks: 100x faster than the reference implementation.", false);
        assert_eq!(one.shill.len(), 1);
        assert_eq!(assess(&one).checks[0].points, 0);
        let near = signals("We guarantee nothing. Returns are logged. A 1000 x 1000 matrix. Risk management free of charge is not offered.", false);
        assert!(near.shill.is_empty(), "{:?}", near.shill);
    }

    #[test]
    fn giveaway_send_x_get_2x() {
        let s = signals(
            "## Giveaway\nSend 1 ETH to the address below and get 2 ETH back instantly!\n",
            false,
        );
        assert_eq!(
            s.giveaway.as_deref(),
            Some("Send 1 ETH to the address below and get 2 ETH back instantly!")
        );
        let a = assess(&s);
        assert_eq!(
            (a.checks[0].status, a.checks[0].points),
            (CheckStatus::Fail, GIVEAWAY_POINTS)
        );
        assert!(a.critical_scam, "a giveaway is a scam a reviewer signs: SCAM");
        // An anti-scam project quoting the scam it warns about is not running it.
        let warned = signals(
            "## Stay safe\nBeware of scammers who say: send 1 ETH to this address and get 2 ETH back.\n",
            false,
        );
        assert!(warned.giveaway.is_none());
        assert!(signals("send 0.5 SOL, we will send 1 SOL back", false)
            .giveaway
            .is_some());
        // Near misses: same amount back (a swap, a refund), other units, no return.
        assert!(signals("Send 1 ETH and get 1 ETH worth of WETH.", false)
            .giveaway
            .is_none());
        assert!(signals("Send 10 USDC to get 20 points in the leaderboard.", false)
            .giveaway
            .is_none());
        assert!(signals("Send 2 requests and get 4 responses.", false)
            .giveaway
            .is_none());
        assert!(signals("Send a pull request to get your name listed.", false)
            .giveaway
            .is_none());
    }

    #[test]
    fn readme_only_repository_only_when_promoting() {
        let promo = signals(
            "# MoonApp\nDownload the app: https://x.io/MoonApp.exe\nConnect your wallet to start earning.",
            true,
        );
        assert_eq!(promo.promotes, vec!["a wallet connection", "a download"]);
        let a = assess(&promo);
        assert_eq!(a.checks[0].points, NO_CODE_POINTS);
        assert!(a.tags.contains(&"#NoCode".to_string()));
        // An awesome list: code-less, nothing promoted.
        let list = signals("# Awesome Solana\n- [Anchor](https://github.com/coral-xyz/anchor) - framework\n- [Phantom](https://phantom.app) - wallet\n", true);
        assert!(list.promotes.is_empty());
        let a = assess(&list);
        assert_eq!((a.checks[0].status, a.checks[0].points), (CheckStatus::Info, 0));
        // The same promotion in a repository with code is not #NoCode.
        let code = signals("Connect your wallet. Download the app.", false);
        assert!(code.promotes.is_empty());
        assert_eq!(assess(&code).checks[0].points, 0);
    }

    #[test]
    fn code_less_is_read_from_the_tree() {
        let mut tree = FileTree::default();
        tree.add(
            "README.md",
            b"# Token\nCA: 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU\nBuy now on pump.fun".to_vec(),
        );
        tree.add("logo.png", vec![0x89, b'P', b'N', b'G']);
        let facts = ProjectFacts {
            readme_text: String::from_utf8_lossy(&tree.files[0].data).to_string(),
            ..Default::default()
        };
        let s = analyse(&tree, &facts);
        assert!(s.code_less);
        assert_eq!(s.promotes, vec!["a token address"]);
        tree.add("src/index.ts", b"export {}".to_vec());
        assert!(!analyse(&tree, &facts).code_less);
    }
}
