//! Tricks in the text itself: PyArmor-packed modules, payloads pushed off-screen by
//! whitespace, zero-width and homoglyph characters in identifiers, and code hidden in
//! images.

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::facts::Facts;
use super::{clip, finding, Place};
use crate::analysis::anchors::Sig;
use crate::analysis::classify::{file_name, Kind};
use crate::analysis::finding::ScamFinding;
use crate::analysis::lines::{around, contains, ident_byte, is_comment, line_of};
use crate::result::Severity;

pub(crate) fn text_tricks(
    path: &str,
    kind: Kind,
    data: &[u8],
    hits: &[(Sig, usize)],
    place: Place,
    f: &Facts,
    out: &mut Vec<ScamFinding>,
) {
    let ln = |p: usize| line_of(data, p);
    let python = kind == Kind::Code("Python");
    let dynamic = matches!(
        kind,
        Kind::Code("JavaScript" | "TypeScript" | "Python" | "Shell" | "PHP" | "Ruby" | "Lua")
    );

    // --- PyArmor: the module is an encrypted blob run by a native runtime; nobody can
    // review what it does.
    if python {
        if let Some(p) = f.all(Sig::PyArmor).find(|&p| {
            let line = around(data, p, 0, 0);
            !is_comment(data, p)
                && (data[p..].starts_with(b"__pyarmor__")
                    || data[p..].starts_with(b"pyarmor_runtime")
                    || contains(line, "import pytransform")
                    || contains(line, "from pytransform"))
        }) {
            let name = file_name(path);
            let depth = path.matches('/').count();
            let entry = place == Place::Install || name == "__init__.py" || depth == 0;
            out.push(finding(
                if entry { Severity::High } else { Severity::Medium },
                "PyArmor-packed Python",
                path,
                ln(p),
                format!(
                    "{path} line {} is PyArmor-packed: the real code is an encrypted blob run by a native runtime, so it cannot be reviewed{}.",
                    ln(p),
                    if entry { " (and it runs on install or import)" } else { "" }
                ),
            ));
        }
    }

    // --- Whitespace padding: code pushed 150+ columns to the right, off any screen.
    if dynamic {
        let mut seen_line = usize::MAX;
        for &(s, p) in hits {
            if s != Sig::SpacePad {
                continue;
            }
            let start = memchr::memrchr(b'\n', &data[..p]).map(|i| i + 1).unwrap_or(0);
            if start == seen_line {
                continue;
            }
            seen_line = start;
            let end = memchr::memchr(b'\n', &data[p..]).map(|i| p + i).unwrap_or(data.len());
            let line = &data[start..end];
            let (mut run, mut best, mut best_end) = (0usize, 0usize, 0usize);
            for (i, &b) in line.iter().enumerate() {
                if b == b' ' {
                    run += 1;
                    if run > best {
                        best = run;
                        best_end = i + 1;
                    }
                } else {
                    run = 0;
                }
            }
            if best < 150 {
                continue;
            }
            let tail = line[best_end..].trim_ascii();
            let head = line[..best_end - best].trim_ascii();
            let codey = tail.starts_with(b";")
                || [
                    "exec(",
                    "eval(",
                    "__import__",
                    "import ",
                    "require(",
                    "Function(",
                    "system(",
                    "b64decode",
                    "atob(",
                    "subprocess",
                    "child_process",
                ]
                .iter()
                .any(|m| contains(tail, m));
            // A padded comment or an aligned table is not hidden code.
            if codey && !tail.starts_with(b"#") && !tail.starts_with(b"//") && !head.starts_with(b"#") {
                out.push(finding(
                    Severity::High,
                    "Code hidden by whitespace padding",
                    path,
                    ln(p),
                    format!(
                        "{path} line {} hides code {best} spaces to the right, off-screen in any editor or diff: `{}`.",
                        ln(p),
                        clip(&String::from_utf8_lossy(tail), 60)
                    ),
                ));
                break;
            }
        }
    }

    // --- Zero-width characters inside identifiers.
    for &(s, p) in hits {
        if s != Sig::ZeroWidth || p == 0 {
            continue;
        }
        let width = 3; // every anchored zero-width character is 3 bytes in UTF-8
        let before = data[p - 1];
        let after = data.get(p + width).copied().unwrap_or(b' ');
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        if ident(before) && ident(after) && !is_comment(data, p) {
            out.push(finding(
                Severity::High,
                "Invisible characters in code identifiers",
                path,
                ln(p),
                format!(
                    "{path} line {} has a zero-width character inside a name: two names that look identical are different, which hides what the code calls.",
                    ln(p)
                ),
            ));
            break;
        }
    }

    // --- Homoglyphs: Cyrillic/Greek look-alikes mixed into an ASCII name.
    if kind.is_code() {
        if let Some(p) = homoglyph(data) {
            out.push(finding(
                Severity::High,
                "Look-alike letters in code identifiers",
                path,
                ln(p),
                format!(
                    "{path} line {} mixes Cyrillic or Greek look-alike letters into a Latin name: it reads like a familiar identifier but is a different one.",
                    ln(p)
                ),
            ));
        }
    }

    // --- Steganographic loaders: code decoded from an image and executed. Only sinks that
    // run code: Python's `exec(`/`eval(`, elsewhere eval-like calls (`eval`, `Function`,
    // `vm.*`); JavaScript's child_process `exec` runs a command (`exec(\`pngquant ${f}\`)`
    // in an image optimiser) and PHP's runs a shell.
    if dynamic {
        let exec_hit = hits.iter().find(|&&(s, p)| {
            let code_sink = match s {
                Sig::PyExec => python,
                Sig::EvalLike => true,
                Sig::ExecSink => ["runInNewContext", "runInThisContext", "runInContext", "vm.Script"]
                    .iter()
                    .any(|m| data[p..].starts_with(m.as_bytes())),
                _ => false,
            };
            // Called as a function, or as a method of `vm` (`vm.runInThisContext(src)`).
            let call = p == 0 || !ident_byte(data[p - 1]) || (s == Sig::ExecSink && data[..p].ends_with(b"vm."));
            code_sink && call && !is_comment(data, p) && runs_image_data(data, p)
        });
        if let Some(&(_, p)) = exec_hit {
            out.push(finding(
                Severity::Critical,
                "Runs code hidden in an image",
                path,
                ln(p),
                format!(
                    "{path} line {} executes data extracted from an image's pixels or trailing bytes (a steganographic loader).",
                    ln(p)
                ),
            ));
        }
    }
}

/// Image reads: file extensions and pixel or steganography APIs.
const IMAGE_EXT: [&str; 7] = [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp"];
const PIXELS: [&str; 5] = ["getpixel", "getdata(", "getImageData", "lsb.reveal", "stegano"];

/// `NAME = …`, `NAME += …` (`const`/`let`/`var`/`$`), `with … as NAME:`, `for NAME in …`:
/// the names a line assigns.
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:(?:const|let|var|local)\s+)?\$?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\+|\.|\|\|)?=[^=>]|\bas\s+([A-Za-z_][A-Za-z0-9_]*)\s*:|\bfor\s*\(?\s*(?:(?:const|let|var)\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+(?:in|of)\b",
    )
    .expect("assigned regex")
});
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$?[A-Za-z_][A-Za-z0-9_]*").expect("word regex"));

/// Does the code sink at `p` run bytes read from an image? The 15 lines before it must read
/// an image (a pixel API, or an image file opened as bytes), and the sink's argument must
/// hold that data: the read itself, or a variable assigned from it (through any number of
/// assignments in those lines).
fn runs_image_data(data: &[u8], p: usize) -> bool {
    let back = around(data, p, 15, 0);
    let pixels = PIXELS.iter().any(|m| contains(back, m));
    let image_bytes = IMAGE_EXT.iter().any(|m| contains(back, m))
        && [
            "'rb'",
            "\"rb\"",
            "readFileSync",
            "read_bytes",
            "Image.open",
            "readFile(",
        ]
        .iter()
        .any(|m| contains(back, m));
    if !(pixels || image_bytes) {
        return false;
    }
    let image = |l: &[u8]| IMAGE_EXT.iter().chain(PIXELS.iter()).any(|m| contains(l, m));
    // `back` ends at the end of the sink's line; the lines before the sink's own.
    let sink_line = memchr::memrchr(b'\n', &data[..p]).map_or(0, |k| k + 1);
    // `back` is a slice of `data`: its offset is the distance between their starts.
    let back_start = back.as_ptr() as usize - data.as_ptr() as usize;
    let before = &data[back_start.min(sink_line)..sink_line];
    let mut tainted: Vec<&[u8]> = Vec::new();
    for l in before.split(|&b| b == b'\n') {
        let Some(c) = ASSIGNED.captures(l) else {
            continue;
        };
        let Some(name) = c.get(1).or(c.get(2)).or(c.get(3)) else {
            continue;
        };
        // The whole line: the source of `with open(…) as fh:` sits before the name.
        if image(l) || WORD.find_iter(l).any(|w| tainted.contains(&w.as_bytes())) {
            tainted.push(name.as_bytes());
        }
    }
    // The sink's argument: from its `(` to the matching `)` (a call may span lines), at
    // most 512 bytes.
    let Some(open) = memchr::memchr(b'(', &data[p..(p + 40).min(data.len())]).map(|k| p + k) else {
        return false;
    };
    let cap = (open + 512).min(data.len());
    let mut depth = 0usize;
    let close = data[open..cap]
        .iter()
        .position(|&b| {
            match b {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0
        })
        .map_or(cap, |k| open + k + 1);
    let arg = &data[open..close];
    image(arg) || WORD.find_iter(arg).any(|w| tainted.contains(&w.as_bytes()))
}

/// Cyrillic and Greek letters drawn like Latin ones.
fn lookalike(c: char) -> bool {
    matches!(
        c,
        'а' | 'е'
            | 'о'
            | 'р'
            | 'с'
            | 'у'
            | 'х'
            | 'і'
            | 'ј'
            | 'ѕ'
            | 'ԁ'
            | 'һ'
            | 'А'
            | 'В'
            | 'Е'
            | 'К'
            | 'М'
            | 'Н'
            | 'О'
            | 'Р'
            | 'С'
            | 'Т'
            | 'Х'
            | 'І'
            | 'Ј'
            | 'Ѕ'
            | 'Α'
            | 'Β'
            | 'Ε'
            | 'Ζ'
            | 'Η'
            | 'Ι'
            | 'Κ'
            | 'Μ'
            | 'Ν'
            | 'Ο'
            | 'Ρ'
            | 'Τ'
            | 'Υ'
            | 'Χ'
            | 'ο'
            | 'ν'
    )
}

/// The first token mixing ASCII letters with Cyrillic/Greek letters that are all Latin
/// look-alikes (`pаypal` with a Cyrillic `а`). Real Cyrillic or Greek words contain letters
/// with no Latin twin, so they never qualify. One pass over the lead bytes of those
/// scripts (0xCE-0xD1, also 0xD2/0xD4 for `һ`/`ԁ`); ASCII-only files cost one `is_ascii`.
fn homoglyph(data: &[u8]) -> Option<usize> {
    if data.is_ascii() {
        return None;
    }
    let lead = |b: &u8| matches!(b, 0xCE | 0xCF | 0xD0 | 0xD1 | 0xD2 | 0xD4);
    let mut checked = 0;
    let mut from = 0;
    while let Some(i) = data[from..].iter().position(lead) {
        let p = from + i;
        from = p + 1;
        checked += 1;
        if checked > 2000 {
            return None;
        }
        // The token around p: ASCII identifier bytes and non-ASCII UTF-8 bytes.
        let tok = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        let mut s = p;
        while s > 0 && tok(data[s - 1]) && p - s < 64 {
            s -= 1;
        }
        let mut e = p;
        while e < data.len() && tok(data[e]) && e - p < 64 {
            e += 1;
        }
        from = from.max(e);
        let Ok(word) = std::str::from_utf8(&data[s..e]) else {
            continue;
        };
        let ascii_letters = word.chars().filter(|c| c.is_ascii_alphabetic()).count();
        let others: Vec<char> = word.chars().filter(|c| !c.is_ascii()).collect();
        if ascii_letters >= 2 && !others.is_empty() && others.iter().all(|&c| lookalike(c)) && !is_comment(data, p) {
            return Some(p);
        }
    }
    None
}
