//! What counts as decoding: decoder/decompressor/decrypter calls, character-code joins, and
//! string literals written almost entirely in escapes.

use std::sync::LazyLock;

use regex::bytes::Regex;

/// Strong decoders, case-insensitive (`Base64.decode64`, `base64_decode`, `b64decode`,
/// `bytes.fromhex`, `Fernet(k).decrypt`, `zlib.decompress`, `gzinflate`, `str_rot13`,
/// `codecs.decode`, `marshal.loads`, `chr(`, `map(chr, …)`, `Buffer.from(x, 'base64'|'hex')`,
/// `Buffer.from([…])`, `fromCharCode`, `.decode('rot13'|'hex'|'cp1026')`, Ruby `unpack('m')`).
/// Matched on text whose long string literals are blanked, so words inside visible code
/// strings do not count.
pub(super) static DECODER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?xi)
        \b(?: atob | b(?:16|32|64|85)decode | a85decode | (?:strict_|urlsafe_)?decode64
            | base64_?decode | gz(?:inflate|uncompress|decode) | str_rot13 | rot_?13
            | inflate(?:sync|raw|rawsync)? | gunzip(?:sync)? | unzipsync
            | brotlidecompress(?:sync)? | decompress | unhexlify | fromhex
            | a2b_(?:base64|hex) | fromcharcode | decrypt | createdecipher(?:iv)? )\b
        | \b(?: codecs\s*\.\s*decode | marshal\s*\.\s*loads? | chr\s*\( | map\s*\(\s*chr\b )
        | buffer\s*\.\s*from\s*\( (?:[^()]|\([^()]*\))* , \s*["'`](?:base64|base64url|hex)["'`]
        | buffer\s*\.\s*from\s*\(\s*\[
        | \.decode\(\s*["'](?:rot.?13|hex|base64|zlib|bz2|cp(?:037|273|424|500|875|1026|1140))
        | \.unpack1?\(\s*["']m
        "#,
    )
    .expect("decoder regex")
});

/// Weak decoders: only count inside the exec call's own argument (today's behaviour), never
/// through a variable (`decodeURIComponent(location.hash)` feeding a router is common).
pub(super) static WEAK_DECODER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:unescape|decodeuricomponent)\s*\(").expect("weak decoder regex"));

/// Names a dropper hides in escaped text.
const SENSITIVE: [&str; 16] = [
    "eval",
    "exec",
    "function",
    "constructor",
    "require",
    "child_process",
    "import",
    "spawn",
    "system",
    "compile",
    "builtins",
    "getattr",
    "subprocess",
    "http",
    "atob",
    "popen",
];

/// Decode a string literal (quotes included) written mostly in `\xHH`, octal `\NNN` or
/// `\uHHHH` escapes: at least 3 escapes covering at least 60 % of its content. `None` for
/// ordinary strings with an occasional escape.
pub(super) fn escaped_literal(lit: &[u8]) -> Option<String> {
    if lit.len() < 2 {
        return None;
    }
    let body = &lit[1..lit.len() - 1];
    let hexv = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|t| u32::from_str_radix(t, 16).ok())
    };
    let mut out = String::new();
    let (mut escapes, mut escaped_bytes) = (0usize, 0usize);
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        if rest[0] == b'\\' && rest.len() >= 4 && (rest[1] == b'x' || rest[1] == b'X') {
            if let Some(v) = hexv(&rest[2..4]) {
                out.push(char::from_u32(v).unwrap_or('?'));
                (escapes, escaped_bytes, i) = (escapes + 1, escaped_bytes + 4, i + 4);
                continue;
            }
        }
        if rest[0] == b'\\' && rest.len() >= 6 && rest[1] == b'u' {
            if let Some(v) = hexv(&rest[2..6]) {
                out.push(char::from_u32(v).unwrap_or('?'));
                (escapes, escaped_bytes, i) = (escapes + 1, escaped_bytes + 6, i + 6);
                continue;
            }
        }
        if rest[0] == b'\\' && rest.len() >= 4 && rest[1..4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            let v = u32::from(rest[1] - b'0') * 64 + u32::from(rest[2] - b'0') * 8 + u32::from(rest[3] - b'0');
            out.push(char::from_u32(v).unwrap_or('?'));
            (escapes, escaped_bytes, i) = (escapes + 1, escaped_bytes + 4, i + 4);
            continue;
        }
        out.push(rest[0] as char);
        i += 1;
    }
    (escapes >= 3 && escaped_bytes * 10 >= body.len() * 6).then_some(out)
}

/// The sensitive name an escaped literal spells, if any.
pub(super) fn sensitive_name(decoded: &str) -> Option<&'static str> {
    let low = decoded.to_ascii_lowercase();
    SENSITIVE.iter().copied().find(|w| low.contains(w))
}

/// Does this argument/right-hand side decode something? `view` is the blanked text, `lits`
/// the raw string literals inside it.
pub(super) fn decodes(view: &[u8], lits: &[&[u8]], weak: bool) -> bool {
    DECODER.is_match(view) || (weak && WEAK_DECODER.is_match(view)) || lits.iter().any(|l| escaped_literal(l).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders_case_insensitive() {
        for s in [
            "Base64.decode64(x)",
            "Base64.strict_decode64(x)",
            "base64_decode($x)",
            "gzinflate(base64_decode($p))",
            "str_rot13($s)",
            "zlib.decompress(d)",
            "bytes.fromhex(h)",
            "binascii.unhexlify(h)",
            "codecs.decode(s, 'rot13')",
            "x.decode('cp1026')",
            "marshal.loads(b)",
            "Fernet(k).decrypt(b)",
            "cipher.decrypt(ct)",
            "''.join(chr(c) for c in l)",
            "''.join(map(chr, l))",
            "Buffer.from(p, 'base64').toString()",
            "Buffer.from(admin, \"hex\")",
            "Buffer.from([101, 118])",
            "String.fromCharCode(101)",
            "zlib.inflateSync(b)",
            "data.unpack('m')",
        ] {
            assert!(DECODER.is_match(s.as_bytes()), "{s}");
        }
        for s in [
            "Buffer.from(str, 'utf8')",
            "x.toString('base64')",
            "line.decode('utf-8')",
            "JSON.parse(s)",
            "open(p).read()",
            "encrypt(x)",
            "chrome.runtime",
        ] {
            assert!(!DECODER.is_match(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn escaped_literals() {
        assert_eq!(escaped_literal(br#""\145\166\141\154""#).as_deref(), Some("eval"));
        assert_eq!(escaped_literal(br#""\x65\x78\x65\x63""#).as_deref(), Some("exec"));
        assert_eq!(
            escaped_literal(br#"'\u0065\u0076\u0061\u006c'"#).as_deref(),
            Some("eval")
        );
        assert_eq!(sensitive_name("__import__"), Some("import"));
        // An occasional escape in ordinary text is not a hidden string.
        assert_eq!(escaped_literal(br#""caf\xe9 au lait, merci""#), None);
        assert_eq!(escaped_literal(br#""\n""#), None);
        assert_eq!(sensitive_name("example"), None);
    }
}
