//! Obfuscation that hides what code does without (yet) running a payload: character-code
//! chains, javascript-obfuscator output, escaped names, EBCDIC codec tricks, builtins
//! reached by an encoded or quoted name, and methods looked up by decoded names.
//! Each returns the position of the first instance.

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::decode::{escaped_literal, sensitive_name, DECODER};
use super::lexer::{self, Lang};
use crate::analysis::anchors::Sig;
use crate::analysis::lines::ident_byte;

/// Positions of one signal's hits, capped so a pathological file stays cheap.
fn of(hits: &[(Sig, usize)], s: Sig) -> impl Iterator<Item = usize> + '_ {
    hits.iter().filter(move |h| h.0 == s).map(|h| h.1).take(256)
}

static CHARCODE_CHAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^fromCharCode\s*\(\s*(?:(?:\d+|0x[0-9a-f]+)\s*,\s*){8,}").expect("chain"));
/// `fromCharCode(...[…])`, `fromCharCode.apply(null, […])` with 8+ numbers.
static CHARCODE_SPREAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^fromCharCode(?:\s*\(\s*\.\.\.|\.apply\s*\(\s*\w+\s*,)\s*\[\s*(?:(?:\d+|0x[0-9a-f]+)\s*,\s*){7,}")
        .expect("spread")
});
/// `fromCharCode(parseInt(s.substr(i, 2), 16))`: a hex string decoder.
static CHARCODE_HEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^fromCharCode\s*\(\s*parseInt\s*\([^()]*(?:substr|substring|slice)\s*\([^()]*\)\s*,\s*16\s*\)")
        .expect("hexdecode")
});
/// `fromCharCode(s.charCodeAt(i) ^ key.charCodeAt(…))`: an XOR string decoder.
static CHARCODE_XOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^fromCharCode\s*\([^;\n]{0,80}charCodeAt\s*\([^;\n]{0,40}\)\s*\^|^fromCharCode\s*\([^;\n]{0,40}\^\s*[\w.]+\.charCodeAt\s*\(")
        .expect("xor")
});
/// Python `chr(101)+chr(118)+chr(97)+chr(108)`.
static CHR_CHAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^chr\(\s*\d+\s*\)(?:\s*\+\s*chr\(\s*\d+\s*\)){3,}").expect("chr chain"));
/// `''.join(chr(c) for c in [112, 114, …])`, `''.join(map(chr, […]))`, with shifted or
/// XORed variants (`chr(c - 3)`, `chr(c ^ 7)`).
static CHR_JOIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)^(?:chr\(\s*\w+\s*(?:[-+^]\s*\w+\s*)?\)\s*for\s+\w+\s+in\s*|map\(\s*chr\s*,\s*)\[\s*(?:\d+\s*,\s*){7,}",
    )
    .expect("chr join")
});
static OBF_IDENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"_0x[0-9a-f]{4,6}").expect("obf regex"));
/// javascript-obfuscator's string-array rotation: `(function(_0xa, _0xb){ … push(…shift())`.
static OBF_ROTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(\s*function\s*\(\s*_0x[0-9a-f]{4,6}\s*,\s*_0x[0-9a-f]{4,6}\s*\)\s*\{").expect("rotation")
});
static PUSH_SHIFT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:\[\s*['"]push['"]\s*\]|\.push)\s*\(\s*_0x[0-9a-f]+\s*(?:\[\s*['"]shift['"]\s*\]|\.shift)\s*\(\s*\)"#,
    )
    .expect("push shift")
});
/// Its string-array function: `function _0x5808(){ const _0x1a = ['…', …]`.
static OBF_STRING_ARRAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"function\s+_0x[0-9a-f]{4,6}\s*\(\s*\)\s*\{\s*(?:var|const|let)\s+_0x[0-9a-f]{4,6}\s*=\s*\[")
        .expect("string array")
});
static BUILTINS_SUBSCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^(?:__)?builtins(?:__)?(?:['"]\s*\])?(?:\.__dict__)?\s*\[\s*b?["'](?:exec|eval|compile|__import__)["']"#,
    )
    .expect("builtins subscript")
});
static GETATTR_ARGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(__builtins__|builtins|__import__\(\s*["']builtins["']\s*\)|globals\(\)\s*\[\s*["']__builtins__["']\s*\])?[^,]*,\s*(b?["'](?:exec|eval|compile|__import__)["'])?"#)
        .expect("getattr args")
});

/// Character-code chains and decoders in JavaScript (`fromCharCode`) and Python (`chr`).
pub(super) fn charcode(d: &[u8], hits: &[(Sig, usize)], count: u32) -> Option<usize> {
    let win = |p: usize| &d[p..(p + 400).min(d.len())];
    if count >= 20 {
        return of(hits, Sig::FromCharCode).next();
    }
    of(hits, Sig::FromCharCode)
        .find(|&p| {
            let w = win(p);
            CHARCODE_CHAIN.is_match(w)
                || CHARCODE_SPREAD.is_match(w)
                || CHARCODE_HEX.is_match(w)
                || CHARCODE_XOR.is_match(w)
        })
        .or_else(|| {
            of(hits, Sig::Decoder).find(|&p| {
                let w = win(p);
                (w.starts_with(b"chr(") && (CHR_CHAIN.is_match(w) || CHR_JOIN.is_match(w)))
                    || (w.starts_with(b"map(chr") && CHR_JOIN.is_match(w))
            })
        })
}

/// javascript-obfuscator output: 20+ `_0x` names, or its rotation function or string-array
/// function with a handful of them.
pub(super) fn obfuscator(d: &[u8], hits: &[(Sig, usize)], count: u32) -> Option<usize> {
    let first = of(hits, Sig::ObfuscatorIdent).next()?;
    if count >= 20 && OBF_IDENT.find_iter(d).take(20).count() >= 20 {
        return Some(first);
    }
    if count < 4 {
        return None;
    }
    of(hits, Sig::ObfuscatorIdent).find(|&p| {
        let lo = p.saturating_sub(24);
        let w = &d[lo..(p + 2000).min(d.len())];
        OBF_STRING_ARRAY.is_match(w)
            || OBF_ROTATION
                .find(w)
                .is_some_and(|m| m.start() <= p - lo && PUSH_SHIFT.is_match(&w[m.end()..]))
    })
}

/// The string literal around an escape anchor, decoded, if it spells a sensitive name.
pub(super) fn escaped_name(d: &[u8], lang: Lang, hits: &[(Sig, usize)]) -> Option<(usize, &'static str)> {
    for p in of(hits, Sig::EscapedName).take(64) {
        // Walk back over the escapes to the opening quote.
        let mut s = p;
        while s > 0 && p - s < 4096 {
            let c = d[s - 1];
            if matches!(c, b'"' | b'\'' | b'`') {
                break;
            }
            if !(c == b'\\' || c.is_ascii_alphanumeric()) {
                s = 0;
                break;
            }
            s -= 1;
        }
        if s == 0 {
            continue;
        }
        let open = s - 1;
        let Some((end, lexer::STR)) = lexer::literal_at(d, lang, open, b'=') else {
            continue;
        };
        if let Some(name) = escaped_literal(&d[open..end]).as_deref().and_then(sensitive_name) {
            return Some((p, name));
        }
    }
    None
}

/// `b"\x85\xa5\x81\x93".decode("cp1026")`: text hidden in an EBCDIC code page.
pub(super) fn codec_trick(d: &[u8], hits: &[(Sig, usize)]) -> Option<usize> {
    of(hits, Sig::Decoder).find(|&p| {
        if !d[p..].starts_with(b"cp") {
            return false;
        }
        let before = &d[p.saturating_sub(14)..p];
        let Some(k) = memchr::memmem::rfind(before, b"decode(") else {
            return false;
        };
        let at = p.saturating_sub(14) + k;
        // The decoded thing is a bytes literal written in escapes: `b"\x85…".decode(`.
        at >= 2 && matches!(d[at - 2], b'"' | b'\'') && d[at - 1] == b'.' && {
            let lo = at.saturating_sub(200);
            memchr::memmem::find(&d[lo..at], b"\\x").is_some()
        }
    })
}

/// Python builtins reached by name: `getattr(builtins, 'exec')`, `getattr(__builtins__,
/// <decoded>)`, `__builtins__.__dict__['eval']`, `getattr(os, b64decode(…))`,
/// `__import__(<decoded>)`.
pub(super) fn builtins_lookup(d: &[u8], lang: Lang, hits: &[(Sig, usize)]) -> Option<usize> {
    if lang != Lang::Py {
        return None;
    }
    of(hits, Sig::ExecSink).find(|&p| {
        let prev_ok = p == 0 || !ident_byte(d[p - 1]) || d[p - 1] == b'_';
        if d[p..].starts_with(b"getattr(") && prev_ok {
            let (view, lits) = lexer::arg_view(d, lang, p + 7);
            let second_decoded = view.iter().position(|&c| c == b',').is_some_and(|k| {
                let rest = &view[k..];
                DECODER.is_match(rest) || lits.iter().any(|&(a, z)| escaped_literal(&d[a..z]).is_some())
            });
            let named = GETATTR_ARGS
                .captures(&view)
                .is_some_and(|c| c.get(1).is_some() && c.get(2).is_some());
            return second_decoded || named;
        }
        if d[p..].starts_with(b"builtins") {
            let lo = p.saturating_sub(2);
            return BUILTINS_SUBSCRIPT.is_match(&d[lo..(p + 80).min(d.len())]);
        }
        false
    })
}

/// JavaScript: a global or module member looked up by a decoded name,
/// `process[Buffer.from('c3Bhd24=', 'base64').toString()](…)`, `global[Buffer.from([66, …])]`,
/// `os[String.fromCharCode(…)]()`.
pub(super) fn decoded_member(d: &[u8], lang: Lang, hits: &[(Sig, usize)]) -> Option<usize> {
    if lang != Lang::Js {
        return None;
    }
    hits.iter()
        .filter(|h| matches!(h.0, Sig::Decoder | Sig::FromCharCode))
        .take(256)
        .map(|h| h.1)
        .find(|&p| {
            // Walk back to an unmatched `[` within the expression.
            let lo = p.saturating_sub(80);
            let mut depth = 0i32;
            let mut k = p;
            let open = loop {
                if k <= lo {
                    break None;
                }
                k -= 1;
                match d[k] {
                    b']' | b')' => depth += 1,
                    b'(' => depth -= 1,
                    b'[' if depth == 0 => break Some(k),
                    b'[' => depth -= 1,
                    b';' | b'\n' | b'{' | b'}' => break None,
                    _ => {}
                }
            };
            let Some(open) = open else { return false };
            if open == 0 || !(ident_byte(d[open - 1]) || d[open - 1] == b')') {
                return false;
            }
            let close = lexer::close_of(d, lang, open);
            // A member key is short; a longer bracket is an array or an index expression.
            if close >= d.len() || close - open > 400 || !DECODER.is_match(&d[open..close]) {
                return false;
            }
            let recv_end = open;
            let mut rs = recv_end;
            while rs > 0 && (d[rs - 1].is_ascii_alphanumeric() || d[rs - 1] == b'_' || d[rs - 1] == b'$') {
                rs -= 1;
            }
            let global = matches!(
                &d[rs..recv_end],
                b"global"
                    | b"globalThis"
                    | b"window"
                    | b"self"
                    | b"process"
                    | b"os"
                    | b"child_process"
                    | b"require"
                    | b"module"
            );
            global || d.get(close + 1) == Some(&b'(')
        })
}
