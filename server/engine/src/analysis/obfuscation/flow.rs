//! Where code runs (sinks) and whether what it runs was decoded: in the call's own argument,
//! or through a variable assigned from a decoder earlier in the same function.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::LazyLock;

use regex::bytes::Regex;

use super::decode::{decodes, DECODER};
use super::lexer::{self, Lang};
use crate::analysis::anchors::Sig;
use crate::analysis::lines::ident_byte;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SinkKind {
    /// eval/exec/Function/compile/vm: the argument is code.
    Code,
    /// A shell command string (`os.system`, `execSync`, child_process `exec`).
    Shell,
    /// A process with an argument vector: only with an interpreter's `-c`/`-e`.
    Spawn,
    /// `setTimeout`/`setInterval`: only a string first argument is code.
    Timer,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Sink {
    pub pos: usize,
    pub open: usize,
    pub kind: SinkKind,
}

fn receiver(d: &[u8], dot: usize) -> &[u8] {
    // `dot` is the index of the `.` before the method name.
    if dot > 0 && d[dot - 1] == b')' {
        let lo = dot.saturating_sub(24);
        return &d[lo..dot];
    }
    let mut s = dot;
    while s > 0 && (d[s - 1].is_ascii_alphanumeric() || d[s - 1] == b'_' || d[s - 1] == b'$') {
        s -= 1;
    }
    &d[s..dot]
}

fn builtins_receiver(r: &[u8]) -> bool {
    matches!(r, b"builtins" | b"__builtins__")
        || r.ends_with(b"__import__(\"builtins\")")
        || r.ends_with(b"__import__('builtins')")
}

fn next_paren(d: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < d.len() && i < from + 16 {
        match d[i] {
            b'(' => return Some(i),
            b' ' | b'\t' => i += 1,
            _ if d[i].is_ascii_alphanumeric() || d[i] == b'.' => i += 1,
            _ => return None,
        }
    }
    None
}

/// The sink an anchor hit stands for, if it is one in this language.
pub(super) fn sink_at(d: &[u8], lang: Lang, sig: Sig, pos: usize) -> Option<Sink> {
    let at = |s: &str| d[pos..].starts_with(s.as_bytes());
    let prev = if pos > 0 { d[pos - 1] } else { b' ' };
    let bare = !ident_byte(prev);
    let dotted = prev == b'.';
    let recv = || receiver(d, pos - 1);
    let sink = |open: usize, kind| Some(Sink { pos, open, kind });
    match sig {
        Sig::EvalLike if at("eval(") => {
            let ruby_meta = lang == Lang::Rb
                && [&b"instance_"[..], b"class_", b"module_"]
                    .iter()
                    .any(|p| d[..pos].ends_with(p));
            let via = dotted && {
                let r = recv();
                builtins_receiver(r) || matches!(r, b"window" | b"global" | b"globalThis" | b"Kernel" | b"binding")
            };
            (bare || ruby_meta || via).then_some(())?;
            sink(pos + 4, SinkKind::Code)
        }
        Sig::EvalLike if at("Function(") && lang == Lang::Js && bare => sink(pos + 8, SinkKind::Code),
        Sig::PyExec => {
            let open = pos + 4;
            if bare {
                return match lang {
                    Lang::Py => sink(open, SinkKind::Code),
                    _ => sink(open, SinkKind::Shell),
                };
            }
            if !dotted {
                return None;
            }
            let r = recv();
            if builtins_receiver(r) {
                return sink(open, SinkKind::Code);
            }
            let child = lang == Lang::Js
                && (matches!(r, b"child_process" | b"cp" | b"childProcess")
                    || r.ends_with(b"require('child_process')")
                    || r.ends_with(b"require(\"child_process\")")
                    || bound_to_child_process(d, r));
            let kernel = lang == Lang::Rb && r == b"Kernel";
            (child || kernel).then_some(Sink {
                pos,
                open,
                kind: SinkKind::Shell,
            })
        }
        Sig::ExecSink => {
            let word_ok = bare || dotted;
            match lang {
                Lang::Py if at("compile(") => {
                    (bare || (dotted && builtins_receiver(recv()))).then_some(())?;
                    sink(pos + 7, SinkKind::Code)
                }
                Lang::Py if at("os.popen(") && !ident_byte(prev) => sink(pos + 8, SinkKind::Shell),
                Lang::Js if at("runIn") || at("vm.Script") => {
                    let open = next_paren(d, pos + 5)?;
                    sink(open, SinkKind::Code)
                }
                Lang::Js if (at("setTimeout(") || at("setInterval(")) && word_ok => {
                    let open = pos + if at("setTimeout(") { 10 } else { 11 };
                    sink(open, SinkKind::Timer)
                }
                Lang::Js if at("execSync(") && word_ok => sink(pos + 8, SinkKind::Shell),
                Lang::Js if (at("execFile") || at("spawn")) && word_ok => {
                    let open = next_paren(d, pos)?;
                    sink(open, SinkKind::Spawn)
                }
                _ => None,
            }
        }
        Sig::ProcessSpawn if lang == Lang::Py && !ident_byte(prev) => {
            if at("os.system") {
                let open = next_paren(d, pos + 9)?;
                return sink(open, SinkKind::Shell);
            }
            if at("subprocess.") {
                let rest = &d[pos + 11..(pos + 40).min(d.len())];
                let n = rest
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                let kind = match &rest[..n] {
                    b"getoutput" | b"getstatusoutput" => SinkKind::Shell,
                    b"run" | b"call" | b"check_call" | b"check_output" | b"Popen" => SinkKind::Spawn,
                    _ => return None,
                };
                let open = next_paren(d, pos + 11 + n)?;
                return sink(open, kind);
            }
            None
        }
        _ => None,
    }
}

/// `const cp = require('child_process')` somewhere in the file binds `cp`.
fn bound_to_child_process(d: &[u8], name: &[u8]) -> bool {
    if name.is_empty() {
        return false;
    }
    let mut pat = name.to_vec();
    pat.extend_from_slice(b" = require(");
    memchr::memmem::find_iter(d, &pat).any(|i| {
        let tail = &d[i + pat.len()..(i + pat.len() + 16).min(d.len())];
        tail.get(1..).is_some_and(|t| t.starts_with(b"child_process"))
    })
}

/// An interpreter run on a string: `python -c`, `node -e`, `sh -c`, PowerShell, `shell=True`.
static INLINE_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`](?:-c|-e|--eval|-Command|-EncodedCommand|/c)["'`]|shell\s*=\s*True"#).expect("flag regex")
});

/// The part of a sink's argument that is run: the first argument of a timer, all of it
/// otherwise. `None` when a timer gets a function (the normal use).
fn run_part(kind: SinkKind, view: &[u8]) -> Option<&[u8]> {
    if kind != SinkKind::Timer {
        return Some(view);
    }
    let mut depth = 0i32;
    let mut end = view.len();
    for (i, &b) in view.iter().enumerate() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let first = view[..end].trim_ascii();
    let is_fn = first.starts_with(b"function")
        || first.starts_with(b"async")
        || first.starts_with(b"(")
        || memchr::memmem::find(first, b"=>").is_some();
    (!is_fn).then_some(first)
}

/// Judge a sink on its own argument: is decoded text run right there?
pub(super) fn decoded_in_place(d: &[u8], lang: Lang, s: &Sink) -> bool {
    let (view, lits) = lexer::arg_view(d, lang, s.open);
    let Some(part) = run_part(s.kind, &view) else {
        return false;
    };
    if s.kind == SinkKind::Spawn && !INLINE_FLAG.is_match(&view) {
        return false;
    }
    let lits: Vec<&[u8]> = lits.iter().map(|&(a, b)| &d[a..b]).collect();
    decodes(part, &lits, true)
}

/// `NAME = …` / `NAME += …` / `const NAME = …` (PHP `$NAME`), the name and where its
/// right-hand side starts.
static ASSIGN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\$?[A-Za-z_][A-Za-z0-9_$]*)\s*(?:\+|\.|\|\|)?=").expect("assign regex"));
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$?[A-Za-z_][A-Za-z0-9_$]*").expect("word regex"));
static GETATTR_BUILTINS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*getattr\(\s*(?:__builtins__|builtins|__import__\(\s*["']builtins["']\s*\))\s*,"#)
        .expect("getattr regex")
});

/// End of the statement whose right-hand side starts at `i` (blanked text): `;` or a
/// newline outside brackets (a JavaScript line continuing with `.method()` continues).
/// Reads at most 16 KB, and never past `limit` (the end of the enclosing function).
fn statement_end(b: &[u8], i: usize, limit: usize) -> usize {
    let cap = (i + 16 * 1024).min(limit).min(b.len());
    let mut depth = 0i32;
    let mut j = i;
    while j < cap {
        match b[j] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    return j;
                }
            }
            b';' if depth == 0 => return j,
            b'\n' if depth == 0 => {
                if j > 0 && b[j - 1] == b'\\' {
                    j += 1;
                    continue;
                }
                let next = b[j + 1..cap].iter().find(|c| !c.is_ascii_whitespace());
                if !matches!(next, Some(b'.' | b'?' | b':' | b'+')) {
                    return j;
                }
            }
            _ => {}
        }
        j += 1;
    }
    cap
}

fn words(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    WORD.find_iter(v).map(|m| m.as_bytes())
}

/// Most assignments examined per function (or per file's top level): with the byte budget
/// below, this bounds the data-flow cost of a crafted file (70 KB of `a=(a=(…` lines, whose
/// every right-hand side runs to the 16 KB cap) to a few megabytes of scanning, once.
const MAX_ASSIGNS: usize = 2000;
/// Right-hand-side bytes read in full per function; past it, each one is read only up to
/// [`SHORT_RHS`] (a `x = atob(y)` is still seen, a 16 KB unbalanced run is not re-read).
const RHS_BUDGET: usize = 1024 * 1024;
const SHORT_RHS: usize = 512;

/// One assignment of a function, in source order.
struct Assign {
    /// Where its name starts and where its right-hand side starts.
    name_at: usize,
    rhs_at: usize,
    name: Vec<u8>,
    /// `e = exec`, `cc = getattr(builtins, …)`.
    alias: bool,
    /// Assigned a decoded value, a decoder, or another tainted name.
    tainted: bool,
}

/// Whole-file facts for the cross-statement analysis, built only for files that hold both
/// an exec-like and a decoder anchor.
pub(super) struct Flow<'a> {
    d: &'a [u8],
    lang: Lang,
    blank: Vec<u8>,
    funcs: Vec<(usize, usize, String)>,
    /// Short named functions whose body decodes (`function dec(s){return atob(s)}`).
    pub decoder_fns: HashSet<Vec<u8>>,
    /// The assignments of each function (`None`: the top level), computed on first use:
    /// every sink and member-call candidate of a function shares one pass.
    assigns: RefCell<HashMap<Option<usize>, Rc<Vec<Assign>>>>,
}

impl<'a> Flow<'a> {
    pub(super) fn new(d: &'a [u8], lang: Lang) -> Flow<'a> {
        let m = lexer::mask(d, lang);
        let blank = lexer::blank_file(d, &m);
        let funcs = lexer::functions(&blank, &m, lang);
        let decoder_fns = funcs
            .iter()
            .filter(|(s, e, n)| !n.is_empty() && e - s <= 600 && DECODER.is_match(&blank[*s..*e]))
            .map(|(_, _, n)| n.as_bytes().to_vec())
            .collect();
        Flow {
            d,
            lang,
            blank,
            funcs,
            decoder_fns,
            assigns: RefCell::new(HashMap::new()),
        }
    }

    fn func(&self, pos: usize) -> Option<usize> {
        lexer::function_of(&self.funcs, pos)
    }

    /// Names assigned decoded values (or exec aliases) in the function of `pos`, before it
    /// (within [`lexer::MAX_SPAN`]).
    fn tainted_before(&self, pos: usize) -> (HashSet<Vec<u8>>, HashSet<Vec<u8>>) {
        let f = self.func(pos);
        let start = pos.saturating_sub(lexer::MAX_SPAN);
        let mut tainted: HashSet<Vec<u8>> = HashSet::new();
        let mut aliases: HashSet<Vec<u8>> = HashSet::new();
        for a in self.assigns_of(f).iter() {
            if a.rhs_at > pos {
                break;
            }
            if a.name_at < start {
                continue;
            }
            if a.alias {
                aliases.insert(a.name.clone());
            } else if a.tainted {
                tainted.insert(a.name.clone());
            }
        }
        (tainted, aliases)
    }

    /// The assignments of function `f` (`None`: the top level), in order, with their taint
    /// propagated forward; computed once per function.
    fn assigns_of(&self, f: Option<usize>) -> Rc<Vec<Assign>> {
        if let Some(v) = self.assigns.borrow().get(&f) {
            return Rc::clone(v);
        }
        let b = &self.blank;
        let (fs, fe) = f.map_or((0, b.len()), |k| (self.funcs[k].0, self.funcs[k].1.min(b.len())));
        let mut out: Vec<Assign> = Vec::new();
        let mut tainted: HashSet<Vec<u8>> = HashSet::new();
        let mut budget = RHS_BUDGET;
        for c in ASSIGN.captures_iter(&b[fs..fe]) {
            let (Some(all), Some(name)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let (s, e) = (fs + name.start(), fs + all.end());
            // Not `a == b`, `a => b`, `x.y = …` (a property), `a[i] = …`.
            if b.get(e) == Some(&b'=') || b.get(e) == Some(&b'>') {
                continue;
            }
            if s > 0 && ident_byte(b[s - 1]) {
                continue;
            }
            if self.func(s) != f {
                continue;
            }
            if out.len() >= MAX_ASSIGNS {
                break;
            }
            let limit = if budget > 0 { fe } else { fe.min(e + SHORT_RHS) };
            let end = statement_end(b, e, limit);
            budget = budget.saturating_sub(end - e);
            let rhs = &b[e..end];
            let name = name.as_bytes().to_vec();
            let alias = GETATTR_BUILTINS.is_match(rhs) || matches!(rhs.trim_ascii(), b"exec" | b"eval");
            let taint = !alias && {
                let lits = self.literals(e, end);
                let lits: Vec<&[u8]> = lits.iter().map(|&(a, z)| &self.d[a..z]).collect();
                decodes(rhs, &lits, false) || words(rhs).any(|w| tainted.contains(w) || self.decoder_fns.contains(w))
            };
            if taint {
                tainted.insert(name.clone());
            }
            out.push(Assign {
                name_at: s,
                rhs_at: e,
                name,
                alias,
                tainted: taint,
            });
        }
        let out = Rc::new(out);
        self.assigns.borrow_mut().insert(f, Rc::clone(&out));
        out
    }

    /// Raw string literals between `a` and `z` (from the blanked text's quotes).
    fn literals(&self, a: usize, z: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = a;
        while i < z {
            if matches!(self.d[i], b'"' | b'\'' | b'`') {
                if let Some((end, lexer::STR)) = lexer::literal_at(self.d, self.lang, i, b'=') {
                    out.push((i, end.min(z)));
                    i = end.max(i + 1);
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    /// Does the sink run a value decoded earlier in its function?
    pub(super) fn decoded_via_variable(&self, s: &Sink) -> bool {
        if s.pos >= self.blank.len() {
            return false;
        }
        let (view, _) = lexer::arg_view(self.d, self.lang, s.open);
        let Some(part) = run_part(s.kind, &view) else {
            return false;
        };
        if s.kind == SinkKind::Spawn && !INLINE_FLAG.is_match(&view) {
            return false;
        }
        let (tainted, _) = self.tainted_before(s.pos);
        let hit = words(part).any(|w| tainted.contains(w) || self.decoder_fns.contains(w));
        hit
    }

    /// Calls of exec aliases (`cc = getattr(builtins, …)`, `e = exec`) with a decoded or
    /// escaped argument: returns the call's position.
    pub(super) fn alias_calls(&self) -> Option<usize> {
        if self.lang != Lang::Py {
            return None;
        }
        let b = &self.blank;
        for m in GETATTR_BUILTINS_ANY.find_iter(b).take(16) {
            // The alias is the name assigned on this line.
            let line_start = memchr::memrchr(b'\n', &b[..m.start()]).map_or(0, |k| k + 1);
            let Some(c) = ASSIGN.captures(&b[line_start..m.start() + 1]) else {
                continue;
            };
            let name = c.get(1).map(|n| n.as_bytes()).unwrap_or_default();
            let mut call = name.to_vec();
            call.push(b'(');
            for k in memchr::memmem::find_iter(&b[m.end()..], &call).take(16) {
                let at = m.end() + k;
                if at > 0 && ident_byte(b[at - 1]) {
                    continue;
                }
                let s = Sink {
                    pos: at,
                    open: at + name.len(),
                    kind: SinkKind::Code,
                };
                if decoded_in_place(self.d, self.lang, &s) || self.decoded_via_variable(&s) {
                    return Some(at);
                }
            }
        }
        None
    }

    /// JavaScript: a method looked up by a decoded name, `self[rot13(x)](…)`, where the
    /// decoder is a local helper. Returns the position.
    pub(super) fn decoded_member_call(&self) -> Option<usize> {
        if self.lang != Lang::Js {
            return None;
        }
        let b = &self.blank;
        let mut checked = 0;
        for (i, _) in b.iter().enumerate().filter(|(_, c)| **c == b'[') {
            if i == 0 || !(ident_byte(b[i - 1]) || b[i - 1] == b')' || b[i - 1] == b']') {
                continue;
            }
            let rest = &b[i + 1..(i + 64).min(b.len())];
            let Some(w) = WORD.find(rest) else { continue };
            if rest[..w.start()].iter().any(|c| !c.is_ascii_whitespace()) {
                continue;
            }
            let after = &rest[w.end()..];
            if !after.trim_ascii_start().starts_with(b"(") {
                continue;
            }
            let name = w.as_bytes();
            checked += 1;
            if checked > 64 {
                return None;
            }
            if self.decoder_fns.contains(name) || self.arrow_decoder(name, i) {
                return Some(i);
            }
        }
        None
    }

    /// `const k = s => …fromCharCode…` before `pos`, in scope.
    fn arrow_decoder(&self, name: &[u8], pos: usize) -> bool {
        let (tainted, _) = self.tainted_before(pos);
        tainted.contains(name)
    }
}

static GETATTR_BUILTINS_ANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"=\s*getattr\(\s*(?:__builtins__|builtins|__import__\(\s*["']builtins["']\s*\))\s*,"#)
        .expect("getattr regex")
});
