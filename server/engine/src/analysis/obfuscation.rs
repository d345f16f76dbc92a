//! Obfuscation detectors: eval/exec over decoded strings, packer output, character-code
//! chains, javascript-obfuscator identifiers (dynamic languages only), and long encoded
//! blobs (any code file).

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::anchors::Sig;
use super::classify::{self, Kind};
use super::scam::{comment_line, contains, first, ident_byte, ScamFinding};
use super::scanner::NSIG;
use super::secrets::{line_of, window};
use crate::result::Severity;

static CHARCODE_CHAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"fromCharCode\s*\(\s*(?:\d+\s*,\s*){8,}").expect("charcode regex")
});
static OBF_IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"_0x[0-9a-f]{4,6}").expect("obf regex"));

pub(super) fn obfuscation(
    path: &str,
    kind: Kind,
    data: &[u8],
    hits: &[(Sig, usize)],
    counts: &[u32; NSIG],
    exfil_or_wallet: bool,
    out: &mut Vec<ScamFinding>,
) {
    let dynamic = matches!(
        kind,
        Kind::Code("JavaScript" | "TypeScript" | "Python" | "Shell" | "PHP" | "Ruby" | "Lua")
    );
    let c = |s: Sig| if dynamic { counts[s as usize] } else { 0 };
    const DECODERS: [&str; 12] = [
        "atob(",
        "Buffer.from(",
        "unescape(",
        "fromCharCode",
        "decodeURIComponent(",
        "\\x",
        "base64",
        "b64decode",
        "decompress",
        "marshal.loads",
        "codecs.decode",
        "rot13",
    ];
    // A call, not part of a longer name: `retrieval(`, `isFunction(`, `re.exec(` don't count.
    let is_call = |pos: usize| pos == 0 || !ident_byte(data[pos - 1]);
    let eval_decoded = hits
        .iter()
        .filter(|(s, _)| dynamic && matches!(s, Sig::EvalLike | Sig::PyExec))
        .find(|&&(_, pos)| {
            if !is_call(pos) {
                return false;
            }
            // The decoder must be inside the call's own argument: in a minified bundle the
            // same line holds megabytes of unrelated code.
            let (_, line) = window(data, pos, 400, 0);
            let arg = &data[pos..(pos + 120).min(data.len())];
            !comment_line(line) && DECODERS.iter().any(|d| contains(arg, d))
        });
    let minified = classify::minified(path) || bundled(data);
    let mut reasons: Vec<(u32, String)> = Vec::new();
    let mut severity = Severity::Medium;
    if let Some(&(_, p)) = eval_decoded {
        severity = Severity::Critical;
        reasons.push((
            line_of(data, p),
            "runs code decoded at run time (eval/exec over decoded strings)".into(),
        ));
    }
    if let Some(&(_, p)) = hits.iter().find(|(s, _)| dynamic && *s == Sig::Packer) {
        severity = severity.max(Severity::High);
        reasons.push((
            line_of(data, p),
            "contains packed code (eval(function(p,a,c,k,e,...)))".into(),
        ));
    }
    if c(Sig::FromCharCode) >= 20
        || hits.iter().any(|&(s, p)| {
            dynamic
                && s == Sig::FromCharCode
                && CHARCODE_CHAIN.is_match(&data[p..(p + 200).min(data.len())])
        })
    {
        severity = severity.max(Severity::High);
        let p = first(hits, Sig::FromCharCode).unwrap_or(0);
        reasons.push((
            line_of(data, p),
            "builds strings from character-code chains".into(),
        ));
    }
    if c(Sig::ObfuscatorIdent) >= 20 && OBF_IDENT.find_iter(data).take(20).count() >= 20 {
        severity = severity.max(Severity::High);
        let p = first(hits, Sig::ObfuscatorIdent).unwrap_or(0);
        reasons.push((
            line_of(data, p),
            "uses javascript-obfuscator style _0x identifiers".into(),
        ));
    }
    if !minified {
        if let Some((line, len)) = long_blob(data) {
            reasons.push((line, format!("embeds a {len}-character encoded blob")));
        }
    }
    if reasons.is_empty() {
        return;
    }
    if exfil_or_wallet && severity >= Severity::High {
        severity = Severity::Critical;
    }
    let line = reasons[0].0;
    let text: Vec<String> = reasons
        .iter()
        .map(|(l, r)| format!("{r} (line {l})"))
        .collect();
    out.push(ScamFinding::new(
        "scam.obfuscation",
        severity,
        if severity == Severity::Critical {
            "Obfuscated code that runs hidden payloads"
        } else {
            "Obfuscated code"
        },
        path,
        line,
        format!("{path} {}.", text.join("; ")),
    ));
}

/// Base64 of well-known binary formats (WebAssembly, PNG, JPEG, GIF, WOFF/WOFF2, OpenType,
/// TrueType, gzip): embedded assets, not hidden code.
const KNOWN_MEDIA: [&str; 9] = [
    "AGFzbQ",
    "iVBORw0KGgo",
    "/9j/",
    "R0lGOD",
    "d09GRg",
    "d09GMg",
    "T1RUTw",
    "AAEAAA",
    "H4sI",
];

/// Generated bundles (webpack output and the like) whatever their name: large files of very
/// long lines. A small file holding one long blob is not a bundle.
fn bundled(data: &[u8]) -> bool {
    let lines = memchr::memchr_iter(b'\n', data).count() + 1;
    data.len() > 50_000 && data.len() / lines > 300
}

/// The longest base64/hex run on any long line, if it is long enough to hide a payload.
/// Only lines of 1,500+ bytes are examined, so ordinary code costs one `memchr` pass.
fn long_blob(data: &[u8]) -> Option<(u32, usize)> {
    const MIN: usize = 1500;
    let mut start = 0;
    let mut line_no = 0u32;
    for nl in memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len())) {
        line_no += 1;
        let line = &data[start..nl];
        start = nl + 1;
        if line.len() < MIN {
            continue;
        }
        // Longest run of base64 characters that mixes letters and digits: a long decimal
        // literal (a big-number test vector) is not a hidden payload.
        let (mut run, mut best, mut best_end) = (0usize, 0usize, 0usize);
        let (mut alpha, mut digit) = (false, false);
        for (i, &b) in line.iter().enumerate() {
            if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=' {
                run += 1;
                alpha |= b.is_ascii_alphabetic();
                digit |= b.is_ascii_digit();
                if run > best && alpha && digit {
                    best = run;
                    best_end = i;
                }
            } else {
                run = 0;
                alpha = false;
                digit = false;
            }
        }
        if best >= MIN {
            let begin = best_end + 1 - best;
            // Inline images and fonts are data, not hidden code.
            let before = &line[begin.saturating_sub(40)..begin];
            if contains(before, "base64,")
                || KNOWN_MEDIA
                    .iter()
                    .any(|m| line[begin..].starts_with(m.as_bytes()))
            {
                continue;
            }
            return Some((line_no, best));
        }
    }
    None
}
