//! A light lexer for the dynamic languages the obfuscation check reads: where strings and
//! comments are, where a call's argument list ends, and which function a position is in.
//!
//! Hand-written rather than tree-sitter: the check only needs string/comment boundaries,
//! bracket balance and function extents, it runs only on the few files that contain both
//! an exec-like and a decoder anchor, and six grammars plus a C toolchain would weigh more
//! than the rest of the engine. It errs towards "code" on anything it does not understand.

use crate::analysis::classify::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Js,
    Py,
    Rb,
    Php,
    Sh,
    Lua,
}

impl Lang {
    pub(super) fn of(kind: Kind) -> Option<Lang> {
        Some(match kind {
            Kind::Code("JavaScript" | "TypeScript") => Lang::Js,
            Kind::Code("Python") => Lang::Py,
            Kind::Code("Ruby") => Lang::Rb,
            Kind::Code("PHP") => Lang::Php,
            Kind::Code("Shell") => Lang::Sh,
            Kind::Code("Lua") => Lang::Lua,
            _ => return None,
        })
    }
}

pub(super) const CODE: u8 = 0;
pub(super) const STR: u8 = 1;
pub(super) const COMMENT: u8 = 2;

/// Longest argument list or statement examined (a payload argument can be long; past this
/// the call is judged on what was read).
pub(super) const MAX_SPAN: usize = 64 * 1024;

fn line_end(d: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &d[i..]).map_or(d.len(), |k| i + k)
}

fn find_from(d: &[u8], i: usize, needle: &[u8]) -> usize {
    memchr::memmem::find(&d[i..], needle).map_or(d.len(), |k| i + k + needle.len())
}

/// End (exclusive) of the quoted string opening at `i`. Strings of Python and JavaScript
/// (except template literals) end at a newline when unterminated, so one stray quote does
/// not swallow the file.
fn string_end(d: &[u8], lang: Lang, i: usize) -> usize {
    let q = d[i];
    if lang == Lang::Py && d.len() >= i + 3 && d[i + 1] == q && d[i + 2] == q {
        let close = [q, q, q];
        let mut j = i + 3;
        while j < d.len() {
            if d[j] == b'\\' {
                j += 2;
                continue;
            }
            if d[j..].starts_with(&close) {
                return j + 3;
            }
            j += 1;
        }
        return d.len();
    }
    let single_line = matches!(lang, Lang::Py | Lang::Js) && q != b'`';
    let mut j = i + 1;
    while j < d.len() {
        match d[j] {
            b'\\' if !(lang == Lang::Sh && q == b'\'') => j += 2,
            b'\n' if single_line => return j,
            b if b == q => return j + 1,
            _ => j += 1,
        }
    }
    d.len()
}

/// If a string or comment starts at `i` (in code), its end (exclusive) and class. `prev` is
/// the last non-blank code byte before `i` (0 at the start), which tells a JavaScript regex
/// literal from a division.
pub(super) fn literal_at(d: &[u8], lang: Lang, i: usize, prev: u8) -> Option<(usize, u8)> {
    let b = d[i];
    let next = d.get(i + 1).copied().unwrap_or(0);
    match (lang, b) {
        (Lang::Js | Lang::Php, b'/') if next == b'/' => return Some((line_end(d, i), COMMENT)),
        (Lang::Js | Lang::Php, b'/') if next == b'*' => return Some((find_from(d, i + 2, b"*/"), COMMENT)),
        (Lang::Py | Lang::Rb | Lang::Php, b'#') => return Some((line_end(d, i), COMMENT)),
        (Lang::Sh, b'#') if i == 0 || d[i - 1].is_ascii_whitespace() || d[i - 1] == b';' => {
            return Some((line_end(d, i), COMMENT))
        }
        (Lang::Lua, b'-') if next == b'-' => {
            return Some(if d[i..].starts_with(b"--[[") {
                (find_from(d, i + 4, b"]]"), COMMENT)
            } else {
                (line_end(d, i), COMMENT)
            });
        }
        (Lang::Js, b'/') if prev == 0 || b"(,=:[!&|?{};+-*%<>~^".contains(&prev) => {
            // A regex literal: to the closing slash outside a character class, same line.
            let mut j = i + 1;
            let mut class = false;
            while j < d.len() {
                match d[j] {
                    b'\\' => j += 1,
                    b'\n' => return None,
                    b'[' => class = true,
                    b']' => class = false,
                    b'/' if !class => return Some((j + 1, STR)),
                    _ => {}
                }
                j += 1;
            }
            return None;
        }
        (_, b'"' | b'\'') => {}
        (Lang::Js | Lang::Sh | Lang::Rb, b'`') => {}
        _ => return None,
    }
    // Ruby `?'` character literals and `'` inside an identifier (Rust-style lifetimes never
    // reach here) are rare enough to ignore.
    Some((string_end(d, lang, i), STR))
}

/// Class of every byte: [`CODE`], [`STR`] (quotes included) or [`COMMENT`].
pub(super) fn mask(d: &[u8], lang: Lang) -> Vec<u8> {
    let mut m = vec![CODE; d.len()];
    let mut i = 0;
    let mut prev = 0u8;
    while i < d.len() {
        if let Some((end, class)) = literal_at(d, lang, i, prev) {
            let end = end.max(i + 1).min(d.len());
            m[i..end].fill(class);
            if class == STR {
                prev = b'"';
            }
            i = end;
            continue;
        }
        if !d[i].is_ascii_whitespace() {
            prev = d[i];
        }
        i += 1;
    }
    m
}

/// Index of the bracket closing the one at `open` (string- and comment-aware), or the end of
/// what was read when it is not found within [`MAX_SPAN`]. Works without a file mask, so the
/// same-expression check needs no whole-file lexing.
pub(super) fn close_of(d: &[u8], lang: Lang, open: usize) -> usize {
    let cap = (open + MAX_SPAN).min(d.len());
    let mut depth = 0usize;
    let mut i = open;
    let mut prev = 0u8;
    while i < cap {
        if i > open {
            if let Some((end, class)) = literal_at(d, lang, i, prev) {
                if class == STR {
                    prev = b'"';
                }
                i = end.max(i + 1);
                continue;
            }
        }
        match d[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        if !d[i].is_ascii_whitespace() {
            prev = d[i];
        }
        i += 1;
    }
    cap
}

/// The argument text of the call whose `(` is at `open`, with string contents and comments
/// blanked (spaces), except short strings (encoding names such as `'base64'`, `'rot13'`),
/// whose letters are kept. Code inside a long string literal (`eval("…atob(x)…")` in a
/// webpack dev bundle) is visible code, not a decoded payload, so it must not count.
/// Also returns the string literals of the argument, raw, for escape analysis.
pub(super) fn arg_view(d: &[u8], lang: Lang, open: usize) -> (Vec<u8>, Vec<(usize, usize)>) {
    let close = close_of(d, lang, open);
    let start = (open + 1).min(close);
    let mut out = Vec::with_capacity(close - start);
    let mut lits = Vec::new();
    let mut i = start;
    let mut prev = b'(';
    while i < close {
        if let Some((end, class)) = literal_at(d, lang, i, prev) {
            let end = end.max(i + 1).min(close);
            if class == STR {
                lits.push((i, end));
                out.extend(blank_string(&d[i..end]));
                prev = b'"';
            } else {
                out.extend(std::iter::repeat_n(b' ', end - i));
            }
            i = end;
            continue;
        }
        if !d[i].is_ascii_whitespace() {
            prev = d[i];
        }
        out.push(d[i]);
        i += 1;
    }
    (out, lits)
}

/// A string literal as the decoder patterns see it: short ones keep their letters (minus
/// brackets, which would unbalance), long ones become blanks between their quotes.
pub(super) fn blank_string(s: &[u8]) -> Vec<u8> {
    if s.len() <= 24 {
        s.iter()
            .map(|&b| if b"()[]{};".contains(&b) { b' ' } else { b })
            .collect()
    } else {
        let mut v = vec![b' '; s.len()];
        v[0] = s[0];
        if let Some(l) = v.last_mut() {
            *l = s[s.len() - 1];
        }
        v
    }
}

/// The whole file blanked like [`arg_view`]: what the statement and assignment patterns of
/// the flow analysis read.
pub(super) fn blank_file(d: &[u8], m: &[u8]) -> Vec<u8> {
    let mut out = d.to_vec();
    let mut i = 0;
    while i < d.len() {
        if m[i] == CODE {
            i += 1;
            continue;
        }
        let class = m[i];
        let mut j = i;
        while j < d.len() && m[j] == class {
            j += 1;
        }
        if class == COMMENT {
            for (k, b) in out[i..j].iter_mut().enumerate() {
                if d[i + k] != b'\n' {
                    *b = b' ';
                }
            }
        } else {
            // Keep newlines so line structure (Python indentation) survives.
            let blanked = blank_string(&d[i..j]);
            for (k, b) in blanked.into_iter().enumerate() {
                out[i + k] = if d[i + k] == b'\n' { b'\n' } else { b };
            }
        }
        i = j;
    }
    out
}

/// Function extents of a file: `(start, end, name)`, sorted by start. Python and Ruby by
/// indentation of `def` lines; brace languages by `{…}` blocks that follow a parameter list
/// (not `if`/`for`/`while`/…) or `=>`. Shell and Lua: none (file scope).
pub(super) fn functions(b: &[u8], m: &[u8], lang: Lang) -> Vec<(usize, usize, String)> {
    let mut out = match lang {
        Lang::Py | Lang::Rb => indent_functions(b, m),
        Lang::Js | Lang::Php => brace_functions(b, m),
        Lang::Sh | Lang::Lua => Vec::new(),
    };
    out.sort_by_key(|f| f.0);
    out
}

fn ident_at_end(b: &[u8], mut end: usize) -> (usize, &[u8]) {
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let mut s = end;
    while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_' || b[s - 1] == b'$') {
        s -= 1;
    }
    (s, &b[s..end])
}

fn indent_functions(b: &[u8], m: &[u8]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut open: Vec<(usize, usize, String)> = Vec::new(); // (indent, start, name)
    let mut start = 0;
    while start < b.len() {
        let end = line_end(b, start);
        let line = &b[start..end];
        let indent = line.iter().take_while(|c| **c == b' ' || **c == b'\t').count();
        let first = start + indent;
        let code_line = indent < line.len() && m[first] == CODE;
        if code_line {
            while open.last().is_some_and(|o| o.0 >= indent) {
                let (_, s, name) = open.pop().expect("non-empty");
                out.push((s, start, name));
            }
            let t = &line[indent..];
            let rest = t.strip_prefix(b"async def ").or_else(|| t.strip_prefix(b"def "));
            if let Some(rest) = rest {
                let rest = rest.trim_ascii_start();
                let rest = rest.strip_prefix(b"self.").unwrap_or(rest);
                let n = rest
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'?' || **c == b'!')
                    .count();
                open.push((indent, start, String::from_utf8_lossy(&rest[..n]).into()));
            }
        }
        start = end + 1;
    }
    for (_, s, name) in open {
        out.push((s, b.len(), name));
    }
    out
}

fn brace_functions(b: &[u8], m: &[u8]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut parens: Vec<usize> = Vec::new();
    let mut last_paren: (usize, usize) = (usize::MAX, usize::MAX); // (open, close)
    let mut braces: Vec<Option<(usize, String)>> = Vec::new();
    let mut prev: (usize, u8) = (usize::MAX, 0); // last non-blank code byte
    let mut prev2: u8 = 0;
    for i in 0..b.len() {
        if m[i] != CODE {
            continue;
        }
        match b[i] {
            b'(' => parens.push(i),
            b')' => {
                if let Some(o) = parens.pop() {
                    last_paren = (o, i);
                }
            }
            b'{' => {
                let func = if prev.1 == b'>' && prev2 == b'=' {
                    Some((i, arrow_name(b, prev.0.saturating_sub(1))))
                } else if prev.1 == b')' && prev.0 == last_paren.1 {
                    let (s, word) = ident_at_end(b, last_paren.0);
                    match word {
                        b"if" | b"for" | b"while" | b"switch" | b"catch" | b"with" | b"foreach" | b"elseif" => None,
                        b"function" | b"" => Some((i, assigned_name(b, s))),
                        w => Some((i, String::from_utf8_lossy(w).into())),
                    }
                } else {
                    None
                };
                braces.push(func);
            }
            b'}' => {
                if let Some(Some((s, name))) = braces.pop() {
                    out.push((s, i + 1, name));
                }
            }
            _ => {}
        }
        if !b[i].is_ascii_whitespace() {
            prev2 = prev.1;
            prev = (i, b[i]);
        }
    }
    out
}

/// `NAME = function`, `NAME: function`, `NAME = async function` before position `s`.
fn assigned_name(b: &[u8], s: usize) -> String {
    let (s, w) = ident_at_end(b, s);
    let s = if w == b"async" { ident_at_end(b, s).0 } else { s };
    let mut e = s;
    while e > 0 && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    if e > 0 && (b[e - 1] == b'=' || b[e - 1] == b':') && !(e > 1 && b[e - 2] == b'=') {
        return String::from_utf8_lossy(ident_at_end(b, e - 1).1).into();
    }
    String::new()
}

/// Name of an arrow function `NAME = (…) =>` whose `=` of `=>` is at `eq`.
fn arrow_name(b: &[u8], eq: usize) -> String {
    let mut e = eq;
    while e > 0 && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    let s = if e > 0 && b[e - 1] == b')' {
        // Walk back to the parameter list's `(`.
        let mut depth = 0usize;
        let mut k = e;
        loop {
            if k == 0 {
                return String::new();
            }
            k -= 1;
            match b[k] {
                b')' => depth += 1,
                b'(' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        k
    } else {
        ident_at_end(b, e).0
    };
    assigned_name(b, s)
}

/// The innermost function containing `pos` (index into `funcs`), if any.
pub(super) fn function_of(funcs: &[(usize, usize, String)], pos: usize) -> Option<usize> {
    let n = funcs.partition_point(|f| f.0 <= pos);
    (0..n).rev().find(|&k| funcs[k].1 > pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_comments_and_calls() {
        let js = b"eval(x) // atob(\nconst s = 'a)b'; f(\"(\", `)`, /\\)/g)";
        let m = mask(js, Lang::Js);
        assert_eq!(m[memchr::memmem::find(js, b"atob").unwrap()], COMMENT);
        assert_eq!(close_of(js, Lang::Js, 4), 6, "eval(x) closes at its own paren");
        let f = memchr::memmem::find(js, b"f(").unwrap() + 1;
        assert_eq!(js[close_of(js, Lang::Js, f)], b')');
        assert_eq!(close_of(js, Lang::Js, f), js.len() - 1);
        let py = b"x = 10 // 3  # comment (\ny = \"\"\"doc ( \"\"\"\nexec(y)";
        let m = mask(py, Lang::Py);
        let c = memchr::memmem::find(py, b"comment").unwrap();
        assert_eq!(m[c], COMMENT);
        let e = memchr::memmem::find(py, b"exec(").unwrap() + 4;
        assert_eq!(close_of(py, Lang::Py, e), py.len() - 1);
        // Division is not a regex literal.
        let div = b"a = b / c; eval(d) / 2";
        assert_eq!(mask(div, Lang::Js).iter().filter(|&&c| c != CODE).count(), 0);
    }

    #[test]
    fn function_extents() {
        let js = b"function run(p) { if (p) { eval(p) } }\nconst dec = (s) => { return atob(s) };\nobj = { a: 1 };";
        let m = mask(js, Lang::Js);
        let f = functions(js, &m, Lang::Js);
        let names: Vec<&str> = f.iter().map(|x| x.2.as_str()).collect();
        assert_eq!(names, ["run", "dec"]);
        let e = memchr::memmem::find(js, b"eval").unwrap();
        assert_eq!(function_of(&f, e), Some(0));
        let py = b"import base64\ndef load():\n    d = 1\n    if d:\n        exec(d)\n\nexec(x)\n";
        let m = mask(py, Lang::Py);
        let f = functions(py, &m, Lang::Py);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].2, "load");
        let inner = memchr::memmem::find(py, b"exec(d)").unwrap();
        let outer = memchr::memmem::find(py, b"exec(x)").unwrap();
        assert_eq!(function_of(&f, inner), Some(0));
        assert_eq!(function_of(&f, outer), None);
    }
}
