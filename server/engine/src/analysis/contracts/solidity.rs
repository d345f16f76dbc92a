//! A light Solidity reader: enough structure to reason about owner powers, no more.
//!
//! The lexer blanks comments and string contents (keeping every newline, so byte offsets
//! and line numbers stay those of the source), then a brace-matching pass finds
//! `contract X is A, B { … }` declarations, their state variables, modifiers and functions
//! with their modifiers and bodies. Anything it does not understand is skipped: the rules
//! only ever look at what was recognised, so odd syntax costs a missed finding, never a
//! false one.

/// Comments become spaces, string and character literal contents become spaces (the quotes
/// stay), non-ASCII bytes become spaces. Same length as the input, newlines kept.
pub fn clean(src: &[u8]) -> String {
    clean_with(src, false)
}

/// [`clean`], for Rust when `rust`: `'a` lifetimes are not character literals.
pub fn clean_with(src: &[u8], rust: bool) -> String {
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        if c == b'/' && src.get(i + 1) == Some(&b'/') {
            while i < src.len() && src[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && src.get(i + 1) == Some(&b'*') {
            out.extend_from_slice(b"  ");
            i += 2;
            while i < src.len() && !(src[i] == b'*' && src.get(i + 1) == Some(&b'/')) {
                out.push(if src[i] == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
            if i < src.len() {
                out.extend_from_slice(b"  ");
                i += 2;
            }
        } else if c == b'"'
            || (c == b'\'' && !(rust && src.get(i + 2) != Some(&b'\'') && src.get(i + 1) != Some(&b'\\')))
        {
            out.push(c);
            i += 1;
            while i < src.len() && src[i] != c && src[i] != b'\n' {
                if src[i] == b'\\' && i + 1 < src.len() {
                    out.push(b' ');
                    i += 1;
                }
                out.push(b' ');
                i += 1;
            }
            if i < src.len() {
                out.push(src[i]);
                i += 1;
            }
        } else {
            out.push(if c.is_ascii() { c } else { b' ' });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

pub fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Byte offsets of `word` in `text` as a whole identifier.
pub fn word_positions<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let b = text.as_bytes();
    text.match_indices(word)
        .map(|(i, _)| i)
        .filter(move |&i| (i == 0 || !ident_byte(b[i - 1])) && b.get(i + word.len()).is_none_or(|&c| !ident_byte(c)))
}

pub fn has_word(text: &str, word: &str) -> bool {
    word_positions(text, word).next().is_some()
}

/// The identifier starting at `i` (after skipping whitespace), and where it ends.
fn ident_at(text: &str, mut i: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    while i < b.len() && ident_byte(b[i]) {
        i += 1;
    }
    (i > start).then(|| (&text[start..i], i))
}

/// Index just past the bracket matching the opener at `open` (`(`, `{` or `[`).
pub fn matching(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (o, c) = match b.get(open)? {
        b'(' => (b'(', b')'),
        b'{' => (b'{', b'}'),
        b'[' => (b'[', b']'),
        _ => return None,
    };
    let mut depth = 0usize;
    for (k, &x) in b.iter().enumerate().skip(open) {
        if x == o {
            depth += 1;
        } else if x == c {
            depth -= 1;
            if depth == 0 {
                return Some(k + 1);
            }
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractKind {
    Contract,
    Abstract,
    Interface,
    Library,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    Function,
    Constructor,
    Modifier,
    Other,
}

#[derive(Debug, Clone)]
pub struct Func {
    pub kind: FnKind,
    pub name: String,
    pub params: Vec<String>,
    /// Modifier invocations: (name, argument text).
    pub modifiers: Vec<(String, String)>,
    /// Cleaned body text without the outer braces (empty for declarations).
    pub body: String,
    /// Declared `internal` or `private`: callable only through other functions.
    pub internal: bool,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct StateVar {
    /// Type as written, whitespace squashed (`mapping(address=>bool)`, `uint256`).
    pub ty: String,
    pub name: String,
    /// Initial value text, if any.
    pub init: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub kind: ContractKind,
    pub name: String,
    pub bases: Vec<String>,
    pub funcs: Vec<Func>,
    pub vars: Vec<StateVar>,
    pub path: String,
    pub line: u32,
    /// Declared in a file that is OpenZeppelin's own (header comment): library code.
    pub library_file: bool,
    /// The file's `pragma solidity` asks for 0.8 or later: arithmetic reverts on overflow.
    pub checked_math: bool,
}

fn line_at(text: &str, pos: usize) -> u32 {
    crate::analysis::lines::line_of(text.as_bytes(), pos)
}

/// Every contract, abstract contract, interface and library declared in one file.
pub fn parse_file(path: &str, src: &[u8]) -> Vec<Contract> {
    let head = String::from_utf8_lossy(&src[..src.len().min(600)]);
    let library_file = head.contains("OpenZeppelin Contracts");
    let checked_math = {
        static PRAGMA: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"pragma\s+solidity\s*[\^>=~ ]*0\.(\d+)").expect("pragma regex")
        });
        let top = String::from_utf8_lossy(&src[..src.len().min(4096)]);
        PRAGMA
            .captures(&top)
            .and_then(|c| c[1].parse::<u32>().ok())
            .is_some_and(|minor| minor >= 8)
    };
    let text = clean(src);
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !ident_byte(b[i]) || (i > 0 && ident_byte(b[i - 1])) {
            i += 1;
            continue;
        }
        let Some((word, end)) = ident_at(&text, i) else {
            i += 1;
            continue;
        };
        let kind = match word {
            "contract" => ContractKind::Contract,
            "interface" => ContractKind::Interface,
            "library" => ContractKind::Library,
            "abstract" => match ident_at(&text, end) {
                Some(("contract", _)) => ContractKind::Abstract,
                _ => {
                    i = end;
                    continue;
                }
            },
            _ => {
                i = end;
                continue;
            }
        };
        let after_kw = if kind == ContractKind::Abstract {
            ident_at(&text, end).map(|(_, e)| e).unwrap_or(end)
        } else {
            end
        };
        let Some((name, name_end)) = ident_at(&text, after_kw) else {
            i = end;
            continue;
        };
        let Some(open_rel) = text[name_end..].find(['{', ';']) else {
            break;
        };
        let open = name_end + open_rel;
        if b[open] == b';' {
            i = open + 1;
            continue;
        }
        let header = &text[name_end..open];
        let bases = header
            .trim_start()
            .strip_prefix("is")
            .map(split_bases)
            .unwrap_or_default();
        let Some(close) = matching(&text, open) else {
            break;
        };
        let (funcs, vars) = parse_body(&text, open + 1, close - 1);
        out.push(Contract {
            kind,
            name: name.to_string(),
            bases,
            funcs,
            vars,
            path: path.to_string(),
            line: line_at(&text, i),
            library_file,
            checked_math,
        });
        i = close;
    }
    out
}

/// `A, B(1, 2), C` -> [A, B, C] (paren depth aware).
fn split_bases(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in list.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        if depth == 0 && c != ')' {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter()
        .filter_map(|s| {
            // `A.B` qualified names keep the last part.
            let s = s.trim().rsplit('.').next()?.trim().to_string();
            (!s.is_empty() && s.bytes().all(ident_byte)).then_some(s)
        })
        .collect()
}

const DECL_SKIP: [&str; 6] = ["event", "error", "using", "struct", "enum", "type"];
const FN_WORDS: [&str; 5] = ["function", "constructor", "modifier", "fallback", "receive"];
const NOT_MODIFIERS: [&str; 13] = [
    "public",
    "external",
    "internal",
    "private",
    "view",
    "pure",
    "payable",
    "virtual",
    "override",
    "returns",
    "constant",
    "immutable",
    "nonpayable",
];

fn parse_body(text: &str, start: usize, end: usize) -> (Vec<Func>, Vec<StateVar>) {
    let b = text.as_bytes();
    let mut funcs = Vec::new();
    let mut vars = Vec::new();
    let mut i = start;
    let mut stmt_start = start;
    while i < end {
        let c = b[i];
        if c.is_ascii_whitespace() {
            if i == stmt_start {
                stmt_start += 1;
            }
            i += 1;
            continue;
        }
        if i == stmt_start && ident_byte(c) {
            let (word, wend) = ident_at(text, i).unwrap_or(("", i + 1));
            if FN_WORDS.contains(&word) {
                let (f, next) = parse_func(text, i, word, wend, end);
                if let Some(f) = f {
                    funcs.push(f);
                }
                i = next;
                stmt_start = next;
                continue;
            }
            if DECL_SKIP.contains(&word) {
                // Up to `;`, or a braced body (struct/enum) followed by nothing.
                let semi = text[i..end].find(';').map(|k| i + k);
                let brace = text[i..end].find('{').map(|k| i + k);
                let next = match (semi, brace) {
                    (Some(s), Some(br)) if br < s => matching(text, br).unwrap_or(end),
                    (Some(s), _) => s + 1,
                    (None, Some(br)) => matching(text, br).unwrap_or(end),
                    (None, None) => end,
                };
                i = next;
                stmt_start = next;
                continue;
            }
        }
        if i == stmt_start && !ident_byte(c) {
            // Stray punctuation at member level: skip it.
            i += 1;
            stmt_start = i;
            continue;
        }
        match c {
            b'(' | b'[' | b'{' => i = matching(text, i).unwrap_or(end),
            b';' => {
                if let Some(v) = parse_var(&text[stmt_start..i]) {
                    vars.push(v);
                }
                i += 1;
                stmt_start = i;
            }
            _ => i += 1,
        }
    }
    (funcs, vars)
}

fn parse_var(decl: &str) -> Option<StateVar> {
    let (lhs, init) = match split_assign(decl) {
        Some(k) => (&decl[..k], Some(decl[k + 1..].trim().to_string())),
        None => (decl, None),
    };
    let lhs = lhs.trim();
    let name_start = lhs.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))?;
    let name = &lhs[name_start + 1..];
    if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let ty: String = lhs[..name_start + 1]
        .split_whitespace()
        .filter(|w| !NOT_MODIFIERS.contains(w) && *w != "constant")
        .collect::<Vec<_>>()
        .join(" ")
        .replace(' ', "");
    (!ty.is_empty()).then(|| StateVar {
        ty,
        name: name.to_string(),
        init,
    })
}

/// Position of a plain `=` (not `==`, `<=`, `>=`, `!=`, `=>`) at paren depth 0.
fn split_assign(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0i32;
    for k in 0..b.len() {
        match b[k] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b'=' if depth == 0 => {
                let prev = if k > 0 { b[k - 1] } else { b' ' };
                let next = b.get(k + 1).copied().unwrap_or(b' ');
                if !matches!(prev, b'=' | b'<' | b'>' | b'!') && !matches!(next, b'=' | b'>') {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

fn parse_func(text: &str, at: usize, word: &str, wend: usize, end: usize) -> (Option<Func>, usize) {
    let kind = match word {
        "function" => FnKind::Function,
        "constructor" => FnKind::Constructor,
        "modifier" => FnKind::Modifier,
        _ => FnKind::Other,
    };
    let b = text.as_bytes();
    let (name, mut i) = match kind {
        FnKind::Function | FnKind::Modifier => match ident_at(text, wend) {
            Some((n, e)) => (n.to_string(), e),
            None => (String::new(), wend),
        },
        _ => (word.to_string(), wend),
    };
    // Parameters.
    while i < end && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let mut params = Vec::new();
    if i < end && b[i] == b'(' {
        let close = matching(text, i).unwrap_or(end);
        params = param_names(&text[i + 1..close.saturating_sub(1)]);
        i = close;
    }
    // Modifiers up to the body or `;`.
    let mut modifiers = Vec::new();
    let mut internal = false;
    loop {
        while i < end && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= end {
            return (None, end);
        }
        match b[i] {
            b';' => {
                let f = Func {
                    kind,
                    name,
                    params,
                    modifiers,
                    body: String::new(),
                    internal,
                    line: line_at(text, at),
                };
                return (Some(f), i + 1);
            }
            b'{' => {
                let close = matching(text, i).unwrap_or(end);
                let f = Func {
                    kind,
                    name,
                    params,
                    modifiers,
                    body: text[i + 1..close.saturating_sub(1).max(i + 1)].to_string(),
                    internal,
                    line: line_at(text, at),
                };
                return (Some(f), close);
            }
            b'(' => i = matching(text, i).unwrap_or(end),
            c if ident_byte(c) => {
                let (m, e) = ident_at(text, i).unwrap_or(("", i + 1));
                let mut j = e;
                while j < end && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let args = if j < end && b[j] == b'(' {
                    let close = matching(text, j).unwrap_or(end);
                    let a = text[j + 1..close.saturating_sub(1)].to_string();
                    j = close;
                    a
                } else {
                    j = e;
                    String::new()
                };
                if m == "internal" || m == "private" {
                    internal = true;
                }
                if !NOT_MODIFIERS.contains(&m) {
                    modifiers.push((m.to_string(), args));
                }
                i = j;
            }
            _ => i += 1,
        }
    }
}

fn param_names(list: &str) -> Vec<String> {
    list.split(',')
        .filter_map(|p| {
            let words: Vec<&str> = p.split_whitespace().collect();
            (words.len() >= 2).then(|| words[words.len() - 1].to_string())
        })
        .filter(|n| n.bytes().all(ident_byte))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_blanks_comments_and_strings() {
        let src = b"a // onlyOwner\nb /* _mint(\n */ c \"_mint(x)\" 'y'";
        let c = clean(src);
        assert_eq!(c.len(), src.len());
        assert!(!c.contains("onlyOwner") && !c.contains("_mint"));
        assert_eq!(c.matches('\n').count(), 2);
        assert!(c.contains("\"        \""));
    }

    #[test]
    fn parses_contracts_functions_and_vars() {
        let src = br#"
pragma solidity ^0.8.0;
import "./x.sol";
interface IERC20 { function transfer(address to, uint256 a) external returns (bool); }
abstract contract Base { modifier onlyDev() { require(msg.sender == dev, "no"); _; } address dev; }
contract Tok is ERC20("T", "T"), Ownable, Base {
    mapping(address => bool) private _isBot;
    uint256 public buyTax = 5;
    struct S { uint a; }
    event E(uint a);
    constructor() ERC20("T","T") { _mint(msg.sender, 1e24); }
    function setBot(address a, bool v) external onlyOwner { _isBot[a] = v; }
    function f() public view override(ERC20) returns (uint256) { return 1; }
}
"#;
        let cs = parse_file("src/Tok.sol", src);
        let names: Vec<_> = cs.iter().map(|c| (c.name.as_str(), c.kind)).collect();
        assert_eq!(
            names,
            vec![
                ("IERC20", ContractKind::Interface),
                ("Base", ContractKind::Abstract),
                ("Tok", ContractKind::Contract)
            ]
        );
        let t = &cs[2];
        assert_eq!(t.bases, vec!["ERC20", "Ownable", "Base"]);
        assert_eq!(t.vars.len(), 2);
        assert_eq!(t.vars[0].ty, "mapping(address=>bool)");
        assert_eq!(t.vars[1].init.as_deref(), Some("5"));
        let set = t.funcs.iter().find(|f| f.name == "setBot").unwrap();
        assert_eq!(set.params, vec!["a", "v"]);
        assert_eq!(set.modifiers[0].0, "onlyOwner");
        assert!(set.body.contains("_isBot[a] = v"));
        let f = t.funcs.iter().find(|f| f.name == "f").unwrap();
        assert!(f.modifiers.is_empty(), "{:?}", f.modifiers);
        assert_eq!(t.funcs[0].kind, FnKind::Constructor);
        assert_eq!(cs[1].funcs[0].kind, FnKind::Modifier);
    }
}
