//! Obfuscation detectors (dynamic languages): code run from decoded or decrypted text, in
//! the call's own argument or through a variable of the same function; packer output;
//! character-code chains; javascript-obfuscator output; names hidden in escapes or EBCDIC;
//! builtins reached by an encoded name. Any code file: long base64 blobs.
//!
//! Cost: the same-expression check reads each exec-like call's own argument; the
//! whole-file lexer and data flow run only for files holding both an exec-like and a
//! decoder anchor (and never on minified or bundled files, where one line holds megabytes
//! of unrelated code).

mod blob;
mod decode;
mod flow;
mod lexer;
mod signals;

use super::anchors::{Sig, NSIG};
use super::classify::{self, Kind};
use super::finding::ScamFinding;
use super::lines::{comment_line, line_of, window};
use crate::result::Severity;
use lexer::Lang;

/// Most sinks examined per file (bounded verification cost).
const MAX_SINKS: usize = 64;

#[allow(clippy::too_many_arguments)]
pub(super) fn obfuscation(
    path: &str,
    kind: Kind,
    data: &[u8],
    hits: &[(Sig, usize)],
    counts: &[u32; NSIG],
    exfil_or_wallet: bool,
    is_test: bool,
    out: &mut Vec<ScamFinding>,
) {
    let lang = Lang::of(kind);
    let c = |s: Sig| {
        if lang.is_some() {
            counts[s as usize]
        } else {
            0
        }
    };
    let minified = classify::minified(path) || bundled(data);
    let mut reasons: Vec<(u32, String)> = Vec::new();
    let mut severity = Severity::Medium;
    // Hiding techniques (high): (position, reason).
    let mut highs: Vec<(usize, String)> = Vec::new();

    if let Some(lang) = lang {
        // --- Code run from decoded text.
        let sinks: Vec<flow::Sink> = hits
            .iter()
            .filter(|(s, _)| matches!(s, Sig::EvalLike | Sig::PyExec | Sig::ExecSink | Sig::ProcessSpawn))
            .filter_map(|&(s, p)| flow::sink_at(data, lang, s, p))
            .filter(|s| {
                let (_, line) = window(data, s.pos, 400, 0);
                !comment_line(line)
            })
            .take(MAX_SINKS)
            .collect();
        let mut runs_decoded = sinks
            .iter()
            .find(|s| flow::decoded_in_place(data, lang, s))
            .map(|s| (s.pos, "runs code decoded at run time (eval/exec over decoded strings)"));
        let decoders = c(Sig::Decoder) + c(Sig::FromCharCode) + c(Sig::EscapedName);
        if decoders > 0 && !minified && (runs_decoded.is_none() || lang == Lang::Js) {
            let f = flow::Flow::new(data, lang);
            if runs_decoded.is_none() {
                runs_decoded = sinks
                    .iter()
                    .find(|s| f.decoded_via_variable(s))
                    .map(|s| {
                        (
                            s.pos,
                            "runs code it decoded or decrypted a few lines earlier (decode, then eval/exec of the variable)",
                        )
                    })
                    .or_else(|| {
                        f.alias_calls().map(|p| {
                            (p, "runs decoded code through exec/eval fetched from builtins by name")
                        })
                    });
            }
            if let Some(p) = f.decoded_member_call() {
                highs.push((p, "calls a method whose name is decoded at run time".into()));
            }
        }
        // `new module.constructor` / `m._compile(text)` over decrypted or decoded text
        // (flatmap-stream): `require` of a string no reviewer can read. Checked on minified
        // files too (the payload sat in a `.min.js`); `require-from-string` compiles its
        // argument with no decoder in sight.
        if runs_decoded.is_none() && lang == Lang::Js && c(Sig::Decoder) > 0 {
            runs_decoded = module_compile(data, hits).map(|p| {
                (
                    p,
                    "compiles decrypted or decoded text as a new module (new module.constructor / _compile)",
                )
            });
        }
        if let Some((p, why)) = runs_decoded {
            severity = Severity::Critical;
            reasons.insert(0, (line_of(data, p), why.into()));
        }

        // --- Hiding without (visibly) running.
        if let Some(&(_, p)) = hits.iter().find(|(s, _)| *s == Sig::Packer) {
            highs.push((p, "contains packed code (eval(function(p,a,c,k,e,...)))".into()));
        }
        // Minifiers emit `String.fromCharCode` loops of their own (GraphiQL's UTF-8 code):
        // in minified files only a decoded payload that runs counts (above).
        if let Some(p) = (!minified)
            .then(|| signals::charcode(data, hits, c(Sig::FromCharCode)))
            .flatten()
        {
            highs.push((
                p,
                "builds strings from character codes (fromCharCode/chr chains or decoders)".into(),
            ));
        }
        if let Some(p) = signals::obfuscator(data, hits, c(Sig::ObfuscatorIdent)) {
            highs.push((
                p,
                "contains javascript-obfuscator output (_0x names, string-array rotation)".into(),
            ));
            if runs_decoded.is_none() {
                if let Some(what) = string_array_payload(data, p) {
                    severity = Severity::Critical;
                    reasons.insert(0, (line_of(data, p), what));
                }
            }
        }
        if c(Sig::EscapedName) > 0 {
            if let Some((p, name)) = signals::escaped_name(data, lang, hits) {
                highs.push((p, format!("hides the name `{name}` in escaped text")));
            }
        }
        if let Some(p) = signals::codec_trick(data, hits) {
            highs.push((
                p,
                "decodes hidden text with an EBCDIC code page (.decode(\"cp1026\"))".into(),
            ));
        }
        if c(Sig::ExecSink) > 0 {
            if let Some(p) = signals::builtins_lookup(data, lang, hits) {
                highs.push((
                    p,
                    "reaches exec/eval or a module through a quoted or encoded name (getattr/builtins)".into(),
                ));
            }
        }
        if !minified {
            if let Some(p) = signals::decoded_member(data, lang, hits) {
                highs.push((p, "looks up a global or module member by a decoded name".into()));
            }
        }
    }

    if !highs.is_empty() {
        severity = severity.max(Severity::High);
        reasons.extend(highs.into_iter().map(|(p, why)| (line_of(data, p), why)));
    }

    // --- Long blobs, any code file; not in tests, not in bundles; one per file.
    if !minified && !is_test && !blob::testish(path) && !blob::generated_or_word_list(path) {
        if let Some((line, len)) = blob::long_blob(data) {
            reasons.push((line, format!("embeds a {len}-character base64 blob")));
        }
    }
    if reasons.is_empty() {
        return;
    }
    if exfil_or_wallet && severity >= Severity::High {
        severity = Severity::Critical;
    }
    let line = reasons[0].0;
    let text: Vec<String> = reasons.iter().map(|(l, r)| format!("{r} (line {l})")).collect();
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

/// What the base64 entries of a javascript-obfuscator string array hide, when they name a
/// process-spawning module and a command that downloads and runs code (`child_process`,
/// `exec`, `curl … | sh`): the loader's payload in plain words.
fn string_array_payload(data: &[u8], p: usize) -> Option<String> {
    use base64::Engine as _;
    let end = (p + 20_000).min(data.len());
    let start = p.saturating_sub(2_000);
    let text = &data[start..end];
    let mut decoded: Vec<String> = Vec::new();
    for chunk in text.split(|&b| b == b'\'' || b == b'"').skip(1).step_by(2) {
        if chunk.len() < 4
            || chunk.len() > 400
            || !chunk.len().is_multiple_of(4)
            || !chunk
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            continue;
        }
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(chunk) {
            if let Ok(s) = String::from_utf8(bytes) {
                decoded.push(s.to_ascii_lowercase());
            }
        }
        if decoded.len() > 500 {
            break;
        }
    }
    let spawner = decoded
        .iter()
        .any(|d| matches!(d.as_str(), "child_process" | "exec" | "execsync" | "spawn"));
    let command = decoded.iter().find(|d| {
        ["curl ", "wget ", "iwr ", "invoke-webrequest", "powershell", "certutil"]
            .iter()
            .any(|w| d.contains(w))
            && ["| sh", "|sh", "| bash", "|bash", "iex", "-enc", "| cmd"]
                .iter()
                .any(|w| d.contains(w))
    })?;
    spawner.then(|| {
        format!(
            "hides `child_process` and the command `{}` in its base64 string array (a loader that downloads and runs code)",
            command.chars().take(80).collect::<String>()
        )
    })
}

/// A module compiled from a string next to a decoder: `new module.constructor` or
/// `._compile(` with `createDecipher`, `Buffer.from(…, 'hex'|'base64')` or `atob(` within
/// ~1.5 KB.
fn module_compile(data: &[u8], hits: &[(Sig, usize)]) -> Option<usize> {
    let compile = hits.iter().find_map(|&(s, p)| {
        let new_module = s == Sig::ExecSink
            && data[p..].starts_with(b"module.constructor")
            && data[..p].trim_ascii_end().ends_with(b"new");
        let underscore = s == Sig::ExecSink && data[p..].starts_with(b"compile(") && data[..p].ends_with(b"._");
        (new_module || underscore).then_some(p)
    })?;
    hits.iter()
        .filter(|(s, _)| *s == Sig::Decoder)
        .any(|&(_, p)| {
            if p.abs_diff(compile) > 1500 {
                return false;
            }
            let arg = &data[p..(p + 60).min(data.len())];
            data[p..].starts_with(b"createDecipher")
                || data[p..].starts_with(b"atob(")
                || (data[p..].starts_with(b"Buffer.from(")
                    && [&b"\"hex\""[..], b"'hex'", b"\"base64\"", b"'base64'"]
                        .iter()
                        .any(|e| memchr::memmem::find(arg, e).is_some()))
        })
        .then_some(compile)
}

/// Generated bundles (webpack output and the like) whatever their name: large files of very
/// long lines. A small file holding one long blob is not a bundle.
fn bundled(data: &[u8]) -> bool {
    let lines = memchr::memchr_iter(b'\n', data).count() + 1;
    data.len() > 50_000 && data.len() / lines > 300
}

#[cfg(test)]
mod tests;
