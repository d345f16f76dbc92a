//! Package-level correlation over the per-file facts: secret keys handed to a helper of
//! another module that sends them out (the @solana/web3.js 1.95.6 backdoor: `Keypair`
//! calls `addToQueue(secretKey)` from `utils/queue`, which POSTs to a hard-coded host
//! disguised as a header). Each file alone is innocent-looking; the import joins them.
//!
//! Cost: only files whose anchor counts show key material are read for imports, and only
//! the modules they import with a network send are read in full.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::facts;
use crate::analysis::anchors::Sig;
use crate::analysis::finding::ScamFinding;
use crate::analysis::lines::around;
use crate::analysis::scanner::FileScan;
use crate::result::Severity;
use crate::tree::FileTree;

static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:import\s*\{([^}]*)\}\s*from|(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\()\s*['"](\.{1,2}/[^'"\n]*)['"]"#)
        .expect("import regex")
});

/// Names of secret key material in JS/TS (not `publicKey`).
const KEY_WORDS: [&str; 7] = [
    "secretKey",
    "privateKey",
    "private_key",
    "secret_key",
    "mnemonic",
    "seedPhrase",
    "seed_phrase",
];

fn js(path: &str) -> bool {
    [".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx"]
        .iter()
        .any(|e| path.ends_with(e))
}

/// `dir/../x` → normalised path.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for c in rel.split('/') {
        match c {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

pub(crate) fn evaluate(tree: &FileTree, scans: &[FileScan], out: &mut Vec<ScamFinding>) {
    // Path look-ups by map: a large repository has thousands of files.
    let files: HashMap<&str, &[u8]> = tree
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    let by_path: HashMap<&str, &FileScan> = scans.iter().map(|s| (s.path.as_str(), s)).collect();
    for a in scans {
        // Bundles and minified files have no relative imports left to follow.
        if a.is_test
            || !js(&a.path)
            || a.bytes > 256 * 1024
            || crate::analysis::classify::minified(&a.path)
            || a.count(Sig::SolanaArrayContext) + a.count(Sig::KeyContext) == 0
        {
            continue;
        }
        let Some(src) = files.get(a.path.as_str()) else {
            continue;
        };
        let text = String::from_utf8_lossy(src);
        let dir = a.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        'imports: for cap in IMPORT.captures_iter(&text) {
            let names = cap.get(1).or(cap.get(2)).map(|m| m.as_str()).unwrap_or("");
            let module = join(dir, &cap[3]);
            let Some(b) = resolve(&module, &by_path) else {
                continue;
            };
            if b.count(Sig::NetSend) + b.count(Sig::NetworkUse) == 0 {
                continue;
            }
            for name in names.split(',') {
                // `a as b`: called under the local name.
                let local = name.split(" as ").last().unwrap_or(name).trim();
                if local.is_empty() || !local.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let Some((call_at, arg)) = key_call(&text, local) else {
                    continue;
                };
                let Some(server) = posts_out(&files, b, name.split(" as ").next().unwrap_or(name).trim()) else {
                    continue;
                };
                let line = text[..call_at].matches('\n').count() as u32 + 1;
                out.push(ScamFinding::new(
                    "scam.wallet_exfiltration",
                    Severity::Critical,
                    "Passes secret keys to a helper that sends them out",
                    &a.path,
                    line,
                    format!(
                        "{} passes {arg} to {local}() (line {line}), defined in {}, a module that POSTs to a hard-coded server, {}: secret keys leave the machine.",
                        a.path,
                        b.path,
                        super::clip(&server, 80)
                    ),
                ));
                break 'imports;
            }
        }
    }
}

fn resolve<'a>(module: &str, scans: &HashMap<&str, &'a FileScan>) -> Option<&'a FileScan> {
    let stem = module
        .strip_suffix(".js")
        .or_else(|| module.strip_suffix(".ts"))
        .unwrap_or(module);
    ["", ".ts", ".js", ".tsx", ".mjs", ".cjs", "/index.ts", "/index.js"]
        .iter()
        .find_map(|ext| {
            let p = format!("{stem}{ext}");
            scans.get(p.as_str()).copied().filter(|s| !s.is_test)
        })
}

/// A call `name(…)` whose argument names secret key material: (position, the key word).
fn key_call(text: &str, name: &str) -> Option<(usize, &'static str)> {
    let pat = format!("{name}(");
    text.match_indices(&pat).find_map(|(i, _)| {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            return None;
        }
        let line_start = text[..i].rfind('\n').map(|j| j + 1).unwrap_or(0);
        let lead = text[line_start..i].trim_start();
        if lead.starts_with("//") || lead.starts_with('*') || lead.contains("function ") {
            return None;
        }
        let rest = &text[i + pat.len()..];
        let mut end = rest.find(['\n', ';']).unwrap_or(rest.len()).min(240);
        // Byte 240 may fall inside a multi-byte character (CJK text in a template literal):
        // step back to a character boundary rather than panic on the slice.
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let arg = &rest[..end];
        KEY_WORDS.iter().find(|k| arg.contains(*k)).map(|k| (i, *k))
    })
}

/// Does module `b` export `name` and POST to a hard-coded server? Returns the server.
fn posts_out(files: &HashMap<&str, &[u8]>, b: &FileScan, name: &str) -> Option<String> {
    let data: &[u8] = files.get(b.path.as_str())?;
    let text = String::from_utf8_lossy(data);
    let exported = [
        format!("export function {name}("),
        format!("export async function {name}("),
        format!("export const {name} "),
        format!("export const {name}="),
        format!("exports.{name} "),
        format!("exports.{name}="),
    ]
    .iter()
    .any(|d| text.contains(d.as_str()))
        || (text.contains("export {") || text.contains("module.exports"))
            && text.contains(&format!("function {name}("));
    if !exported {
        return None;
    }
    let post = text.contains("'POST'")
        || text.contains("\"POST\"")
        || text.contains(".post(")
        || text.contains("method: `POST`");
    if !post {
        return None;
    }
    // The sending call: `fetch(`/`axios`/`request(` with a literal server nearby.
    ["fetch(", "axios", "request(", "XMLHttpRequest"]
        .iter()
        .filter_map(|m| memchr::memmem::find(data, m.as_bytes()))
        .find_map(|p| facts::hard_coded_server(around(data, p, 2, 6)))
}

#[cfg(test)]
mod tests {
    use super::key_call;

    #[test]
    fn key_call_cuts_multibyte_arguments_on_a_char_boundary() {
        // Byte 240 of the argument falls inside a three-byte CJK character.
        let cjk = "账".repeat(80);
        let positive = format!("notify(privateKey, `{cjk}`);\n");
        assert_eq!(key_call(&positive, "notify"), Some((0, "privateKey")));
        // The brief's shape: the key word sits beyond the cut; no panic, no finding.
        let beyond = format!("notify(`{cjk}账户 ${{privateKey}}`);\n");
        assert_eq!(key_call(&beyond, "notify"), None);
        // Near miss: the public key, same multibyte text at the cut.
        let public = format!("notify(publicKey, `{cjk}`);\n");
        assert_eq!(key_call(&public, "notify"), None);
        // Every cut offset across a character: none panics.
        for pad in 0..3 {
            let text = format!("notify({}`{cjk}`, secretKey);\n", "a".repeat(pad));
            assert_eq!(key_call(&text, "notify"), None);
        }
    }
}
