//! Owner powers of concrete Solidity tokens, read from the parsed contracts of a
//! repository (see `solidity.rs`). Every rule names the contract and the function that
//! carries the power; library code (abstract contracts, interfaces, libraries, OpenZeppelin's
//! own files) never produces a finding by itself, only concrete contracts deploying it.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::solidity::{has_word, matching, word_positions, Contract, ContractKind, FnKind, Func};
use super::{Power, PowerKind};

/// A concrete contract with everything it inherits from contracts of the same repository:
/// functions and modifiers (most derived first, shadowing by name), state variables, and
/// every base name seen, resolved or not (`ERC20Pausable` from a package still counts).
struct View<'a> {
    c: &'a Contract,
    funcs: Vec<(&'a Func, &'a Contract)>,
    vars: Vec<&'a super::solidity::StateVar>,
    bases: Vec<String>,
}

impl<'a> View<'a> {
    fn build(c: &'a Contract, by_name: &HashMap<&str, &'a Contract>) -> View<'a> {
        let mut order: Vec<&'a Contract> = Vec::new();
        let mut bases = Vec::new();
        let mut seen = HashSet::new();
        fn walk<'a>(
            c: &'a Contract,
            by_name: &HashMap<&str, &'a Contract>,
            order: &mut Vec<&'a Contract>,
            bases: &mut Vec<String>,
            seen: &mut HashSet<String>,
        ) {
            if !seen.insert(c.name.clone()) || order.len() > 64 {
                return;
            }
            order.push(c);
            // Solidity linearises right to left: the last base is the most derived.
            for b in c.bases.iter().rev() {
                bases.push(b.clone());
                if let Some(bc) = by_name.get(b.as_str()) {
                    walk(bc, by_name, order, bases, seen);
                }
            }
        }
        walk(c, by_name, &mut order, &mut bases, &mut seen);
        let mut funcs: Vec<(&Func, &Contract)> = Vec::new();
        let mut vars = Vec::new();
        for (depth, oc) in order.iter().enumerate() {
            for f in &oc.funcs {
                if f.kind == FnKind::Constructor && depth > 0 {
                    continue;
                }
                let shadowed = funcs
                    .iter()
                    .any(|(g, _)| g.kind == f.kind && g.name == f.name && !f.name.is_empty());
                if !shadowed {
                    funcs.push((f, oc));
                }
            }
            vars.extend(oc.vars.iter());
        }
        View { c, funcs, vars, bases }
    }

    fn inherits(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.bases.iter().any(|b| pred(b))
    }

    fn func(&self, name: &str) -> Option<&'a Func> {
        self.funcs
            .iter()
            .find(|(f, _)| f.kind == FnKind::Function && f.name == name)
            .map(|(f, _)| *f)
    }

    fn modifier(&self, name: &str) -> Option<&'a Func> {
        self.funcs
            .iter()
            .find(|(f, _)| f.kind == FnKind::Modifier && f.name == name)
            .map(|(f, _)| *f)
    }

    fn var(&self, name: &str) -> Option<&'a super::solidity::StateVar> {
        self.vars.iter().copied().find(|v| v.name == name)
    }

    fn token_like(&self) -> bool {
        TRANSFER_FNS.iter().any(|n| self.func(n).is_some())
            || self.inherits(|b| {
                let l = b.to_ascii_lowercase();
                l.contains("erc20")
                    || l.contains("bep20")
                    || l.contains("erc721")
                    || l.contains("erc1155")
                    || l.contains("erc777")
            })
    }

    fn fungible(&self) -> bool {
        !self.inherits(|b| b.contains("721") || b.contains("1155"))
    }

    /// The body of `f` with its modifier names in front, plus the bodies of the functions
    /// it calls (two levels), leaving out `skip` (the standard token internals, whose own
    /// balance writes are not a power).
    fn reach(&self, f: &Func, skip: &[&str]) -> String {
        let mut out = String::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut frontier: Vec<&Func> = vec![f];
        for depth in 0..3 {
            let mut next = Vec::new();
            for g in frontier {
                for (m, _) in &g.modifiers {
                    out.push_str(m);
                    out.push(' ');
                }
                out.push_str(&g.body);
                out.push('\n');
                if depth == 2 {
                    continue;
                }
                for name in calls(&g.body) {
                    if skip.contains(&name) || !seen.insert(name) {
                        continue;
                    }
                    if let Some(h) = self.func(name) {
                        if !std::ptr::eq(h, f) {
                            next.push(h);
                        }
                    }
                }
            }
            frontier = next;
        }
        out
    }

    fn transfer_text(&self) -> String {
        let mut out = String::new();
        for n in TRANSFER_FNS {
            if let Some(f) = self.func(n) {
                out.push_str(&self.reach(f, &["_mint", "_burn", "_approve", "_spendAllowance"]));
            }
        }
        out
    }
}

const TRANSFER_FNS: [&str; 9] = [
    "_transfer",
    "_update",
    "_beforeTokenTransfer",
    "_afterTokenTransfer",
    "transfer",
    "transferFrom",
    "_transferFrom",
    "_tokenTransfer",
    "_basicTransfer",
];
const STD_INTERNALS: [&str; 12] = [
    "_transfer",
    "_update",
    "_mint",
    "_burn",
    "_approve",
    "_spendAllowance",
    "transfer",
    "transferFrom",
    "_beforeTokenTransfer",
    "_afterTokenTransfer",
    "_tokenTransfer",
    "_basicTransfer",
];
/// `only…` modifiers that restrict *how* a function is called, not *who* calls it.
const NOT_GATES: [&str; 7] = [
    "onlyInitializing",
    "onlyProxy",
    "onlyDelegateCall",
    "onlyNotDelegated",
    "onlyEOA",
    "onlyHuman",
    "onlyWhenNotPaused",
];

/// Identifiers followed by `(`: calls (and a few keywords, harmless).
fn calls(body: &str) -> Vec<&str> {
    let b = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if super::solidity::ident_byte(b[i]) && (i == 0 || !super::solidity::ident_byte(b[i - 1])) {
            let s = i;
            while i < b.len() && super::solidity::ident_byte(b[i]) {
                i += 1;
            }
            let mut j = i;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if b.get(j) == Some(&b'(') && (s == 0 || b[s - 1] != b'.') {
                out.push(&body[s..i]);
            }
        } else {
            i += 1;
        }
    }
    out
}

pub(super) fn has_call(text: &str, name: &str) -> bool {
    let b = text.as_bytes();
    word_positions(text, name).any(|p| {
        let mut j = p + name.len();
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        b.get(j) == Some(&b'(') && (p == 0 || b[p - 1] != b'.')
    })
}

/// Who may call a function.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Gate {
    Anyone,
    Owner,
    /// A privileged address other than the owner (`_dev`, `_marketing`).
    Other(String),
}

static SENDER_CMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:msg\.sender|_msgSender\(\)|tx\.origin)\s*[!=]=\s*([A-Za-z_$][\w$]*(?:\(\))?)|([A-Za-z_$][\w$]*(?:\(\))?)\s*[!=]=\s*(?:msg\.sender|_msgSender\(\)|tx\.origin)")
        .expect("sender regex")
});

fn owner_like(v: &str) -> bool {
    let n = v.trim_end_matches("()").trim_matches('_').to_ascii_lowercase();
    n == "owner" || n == "getowner"
}

/// The caller check in a body: `require(msg.sender == X)`, `if (_msgSender() != X) revert`,
/// `_checkOwner()`, `_checkRole(…)`, `hasRole(…)`.
fn body_gate(body: &str, params: &[String]) -> Option<Gate> {
    if has_call(body, "_checkOwner")
        || has_call(body, "_checkRole")
        || has_call(body, "hasRole")
        || has_call(body, "_hasRole")
    {
        return Some(Gate::Owner);
    }
    for c in SENDER_CMP.captures_iter(body) {
        let v = c.get(1).or(c.get(2))?.as_str();
        let bare = v.trim_end_matches("()");
        if matches!(bare, "address" | "from" | "to" | "sender" | "this" | "pair")
            || params.iter().any(|p| p == bare)
            || bare.starts_with("msg")
        {
            continue;
        }
        return Some(if owner_like(v) {
            Gate::Owner
        } else {
            Gate::Other(bare.to_string())
        });
    }
    None
}

/// The function `text` is nothing but a call of (`_canSetOwner()`, `_canMint(to)`).
fn sole_call(text: &str) -> Option<&str> {
    let text = text.trim();
    let open = text.find('(')?;
    let name = text[..open].trim();
    let whole = matching(text, open) == Some(text.len());
    (whole && !name.is_empty() && name.bytes().all(super::solidity::ident_byte)).then_some(name)
}

/// A `require`'s condition: its arguments up to the first top-level comma.
fn first_argument(args: &str) -> &str {
    let mut depth = 0i32;
    for (i, c) in args.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => return &args[..i],
            _ => {}
        }
    }
    args
}

/// The caller check a hook returns, when its body is nothing but that return:
/// `return msg.sender == owner();`, `return _hasRole(ROLE, _msgSender());`. Nothing negated
/// or or-ed (`!=`, `||` would let others through), and the caller must be what is checked.
fn hook_gate(h: &Func) -> Option<Gate> {
    let ret = h.body.trim().strip_prefix("return")?.trim().strip_suffix(';')?.trim();
    if ret.contains('!') || ret.contains("||") || ret.contains(';') {
        return None;
    }
    if !(ret.contains("msg.sender") || ret.contains("_msgSender()")) {
        return None;
    }
    if has_call(ret, "hasRole") || has_call(ret, "_hasRole") {
        return Some(Gate::Owner);
    }
    body_gate(ret, &h.params)
}

fn gate_of(v: &View, f: &Func) -> Gate {
    for (m, _) in &f.modifiers {
        if NOT_GATES.contains(&m.as_str()) {
            continue;
        }
        if let Some(def) = v.modifier(m) {
            if let Some(g) = body_gate(&def.body, &def.params) {
                return g;
            }
        }
        if m.starts_with("only") || m == "auth" || m == "authorized" || m == "restricted" {
            return Gate::Owner;
        }
    }
    if let Some(g) = body_gate(&f.body, &f.params) {
        return g;
    }
    // The check delegated to a hook of the contract's own: thirdweb's
    // `if (!_canSetOwner()) revert OwnableUnauthorized();`, where each contract's
    // `_canSetOwner` returns `msg.sender == owner()` or `_hasRole(DEFAULT_ADMIN_ROLE, …)`. Only
    // a hook the call cannot go on without (alone and negated in an `if … revert`, alone in a
    // `require`) gates it, with the caller check its most derived definition returns
    // ([`hook_gate`]); any other hook leaves the function open.
    for r in reverts(&f.body) {
        let required = if r.must.trim().is_empty() {
            r.when.trim().strip_prefix('!').and_then(sole_call)
        } else if r.when.trim().is_empty() {
            sole_call(first_argument(&r.must))
        } else {
            None
        };
        if let Some(g) = required
            .and_then(|name| v.func(name))
            .filter(|h| h.name != f.name)
            .and_then(hook_gate)
        {
            return g;
        }
    }
    Gate::Anyone
}

/// A reverting site of a body: the call reverts when `when` holds and `must` does not.
/// `require(c)` → (∅, c); `if (c) { … revert … }` → (c, ∅); `if (c) { require(d); }` → (c, d).
/// The two halves are kept apart because a mapping read means the opposite in each: an
/// un-negated `m[from]` in a `require` lets only listed addresses through (a whitelist),
/// in an `if (…) revert` it stops them (a blacklist).
struct Revert {
    when: String,
    must: String,
}

fn reverts(text: &str) -> Vec<Revert> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for p in word_positions(text, "require") {
        if let Some(open) = text[p..].find('(').map(|k| p + k) {
            if text[p + 7..open].trim().is_empty() {
                if let Some(close) = matching(text, open) {
                    out.push(Revert {
                        when: String::new(),
                        must: text[open + 1..close - 1].to_string(),
                    });
                }
            }
        }
    }
    for p in word_positions(text, "if") {
        let Some(open) = text[p..].find('(').map(|k| p + k) else {
            continue;
        };
        if !text[p + 2..open].trim().is_empty() {
            continue;
        }
        let Some(close) = matching(text, open) else {
            continue;
        };
        let cond = &text[open + 1..close - 1];
        let mut j = close;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let block = if b.get(j) == Some(&b'{') {
            let e = matching(text, j).unwrap_or(b.len());
            &text[j..e]
        } else {
            let e = text[j..].find(';').map(|k| j + k).unwrap_or(b.len());
            &text[j..e]
        };
        if has_word(block, "revert") {
            out.push(Revert {
                when: cond.to_string(),
                must: String::new(),
            });
        }
        for inner in conditions_require_only(block) {
            out.push(Revert {
                when: cond.to_string(),
                must: inner,
            });
        }
    }
    out
}

impl Revert {
    /// The whole reverting condition as one text: `require(c)` → c; `if (c) { … revert … }`
    /// → c; and `if (c) { require(d); }` → `c && d`.
    fn text(&self) -> String {
        match (self.when.is_empty(), self.must.is_empty()) {
            (true, _) => self.must.clone(),
            (_, true) => self.when.clone(),
            _ => format!("{} && {}", self.when, self.must),
        }
    }
}

fn conditions(text: &str) -> Vec<String> {
    reverts(text).iter().map(Revert::text).collect()
}

fn conditions_require_only(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in word_positions(text, "require") {
        if let Some(open) = text[p..].find('(').map(|k| p + k) {
            if let Some(close) = matching(text, open) {
                out.push(text[open + 1..close - 1].to_string());
            }
        }
    }
    out
}

/// Assignments to `var` (optionally indexed): (index text, operator, right-hand side).
fn assigns<'t>(text: &'t str, var: &str) -> Vec<(&'t str, &'t str, &'t str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for p in word_positions(text, var) {
        if p > 0 && b[p - 1] == b'.' {
            continue;
        }
        let mut j = p + var.len();
        let idx_start = j;
        loop {
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if b.get(j) == Some(&b'[') {
                j = matching(text, j).unwrap_or(b.len());
            } else {
                break;
            }
        }
        let index = text[idx_start..j].trim();
        let rest = &text[j..];
        let op = ["+=", "-=", "*=", "/=", "|=", "="]
            .into_iter()
            .find(|op| rest.starts_with(op) && !rest[op.len()..].starts_with(['=', '>']));
        let Some(op) = op else { continue };
        let rhs_start = j + op.len();
        let rhs_end = text[rhs_start..]
            .find([';', ','])
            .map(|k| rhs_start + k)
            .unwrap_or(b.len());
        out.push((index, op, text[rhs_start..rhs_end].trim()));
    }
    out
}

fn mentions_param(text: &str, params: &[String]) -> bool {
    params.iter().any(|p| has_word(text, p))
}

/// Longest literal `number` evaluates: real constants (`1_000_000 * 10**18` does not parse
/// anyway, `2**256` is 6 bytes) fit easily; anything longer is not a constant worth reading
/// and would only cost time on hostile input.
const MAX_NUMBER_LEN: usize = 64;

/// `10`, `1_000`, `1e4`, `10**4`, `10 ** 2`, `2**2**3` (right-associative, as in Solidity).
/// Untrusted text (state variable initialisers, right-hand sides) reaches this: it is
/// bounded in length, never recursive, and yields only finite values.
fn number(s: &str) -> Option<f64> {
    if s.len() > MAX_NUMBER_LEN {
        return None;
    }
    let s = s.trim().trim_start_matches('(').trim_end_matches(')').replace('_', "");
    let mut acc: Option<f64> = None;
    for part in s.rsplit("**") {
        let n = plain_number(part)?;
        acc = Some(match acc {
            None => n,
            Some(e) => n.powf(e),
        });
    }
    acc.filter(|n| n.is_finite())
}

/// One operand of `number`: `10`, `1e4`, `(10)`.
fn plain_number(s: &str) -> Option<f64> {
    let s = s.trim().trim_start_matches('(').trim_end_matches(')').trim();
    if let Some((a, b)) = s.split_once(['e', 'E']) {
        return Some(a.trim().parse::<f64>().ok()? * 10f64.powf(b.trim().parse().ok()?));
    }
    s.parse::<f64>().ok()
}

fn value_of(v: &View, s: &str) -> Option<f64> {
    number(s).or_else(|| {
        let init = v.var(s.trim())?.init.as_deref()?;
        number(init)
    })
}

static DIVISOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^;]{0,80}?(?:/\s*|\.div\(\s*)\(?\s*([\w$]+(?:\s*\*\*\s*\d+)?)").expect("div"));

/// The denominator a fee variable is divided by where it is used (`amount * fee / 1000`,
/// `.mul(fee).div(100)`, `/ FEE_DENOMINATOR`); 100 when nothing says otherwise.
fn denominator(v: &View, text: &str, fee: &str) -> f64 {
    for p in word_positions(text, fee) {
        if let Some(c) = DIVISOR.captures(&text[p + fee.len()..]) {
            if let Some(n) = value_of(v, &c[1]) {
                if n >= 100.0 {
                    return n;
                }
            }
        }
    }
    100.0
}

static CAP_CMP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(<=?|>=?)\s*([\w$]+(?:\s*\*\*\s*\d+)?)").expect("cap"));

fn fee_var(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    (l.contains("fee") || l.contains("tax"))
        && ![
            "denominator",
            "divisor",
            "threshold",
            "swap",
            "wallet",
            "receiver",
            "address",
            "block",
            "count",
            "time",
            "limit",
            "max",
            "exempt",
            "exclud",
            "collected",
            "amount",
            "tokens",
            "enabled",
            "reduce",
            "at",
            "percent_base",
        ]
        .iter()
        .any(|x| if *x == "at" { l.ends_with("at") } else { l.contains(x) })
}

fn limit_var(name: &str) -> bool {
    let l = name.to_ascii_lowercase().replace('_', "");
    [
        "maxtx",
        "maxtransaction",
        "maxwallet",
        "maxbuy",
        "maxsell",
        "maxhold",
        "walletlimit",
        "txlimit",
        "maxtrans",
    ]
    .iter()
    .any(|k| l.contains(k))
}

fn gate_mapping_excluded(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [
        "fee",
        "exclud",
        "exempt",
        "limit",
        "max",
        "pair",
        "amm",
        "marketmaker",
        "dividend",
        "allowance",
        "approved",
        "operator",
        "minter",
    ]
    .iter()
    .any(|x| l.contains(x))
}

static SELL_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:to|recipient|_to|receiver|to_)\s*==\s*[\w$]*(?:pair|router)[\w$]*|\b[\w$]*(?:pair|router)[\w$]*(?:\(\))?\s*==\s*(?:to|recipient|_to|receiver|to_)\b|\b[\w$]*pair[\w$]*\s*\[\s*(?:to|recipient|_to|receiver)\s*\]")
        .expect("sell regex")
});
static IDENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\w$]+)\s*\[\s*(?:from|sender|_from|from_|msg\.sender|tx\.origin|_msgSender\(\))\s*\]|\b(?:from|sender|_from|tx\.origin)\s*([!=])=\s*(?:owner\(\)|_owner\b)")
        .expect("identity regex")
});

/// Mappings named as block lists: whatever the polarity of the read, they stop chosen
/// addresses (the Blacklist power), they never let only chosen addresses sell.
fn blocklist_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [
        "bot", "black", "block", "snip", "bann", "deny", "denied", "frozen", "freez",
    ]
    .iter()
    .any(|x| l.contains(x))
}

/// Whether `cond` reads the seller's identity as a whitelist: `m[from]` holding or
/// `from == owner()` (lets the caller through), negated with `!m[from]`, `m[from] == false`,
/// `from != owner()`. `in_require`: the condition must hold (a `require`), otherwise it is
/// the reason to revert (an `if (…) revert`), which flips the polarity a whitelist needs.
fn whitelist_read(cond: &str, in_require: bool) -> bool {
    IDENTITY.captures_iter(cond).any(|c| {
        let whole = c.get(0).expect("match");
        let negated = match c.get(1) {
            Some(m) => {
                if gate_mapping_excluded(m.as_str()) || blocklist_name(m.as_str()) {
                    return false;
                }
                let bang = cond[..whole.start()].trim_end().ends_with('!');
                let after = cond[whole.end()..].trim_start();
                let flipped = ["== false", "==false", "!= true", "!=true"]
                    .iter()
                    .any(|x| after.starts_with(x));
                bang != flipped
            }
            None => c.get(2).is_some_and(|op| op.as_str() == "!"),
        };
        negated != in_require
    })
}

/// A sell to the pair that reverts unless the seller is listed (or is the owner).
fn honeypot_condition(r: &Revert) -> bool {
    let all = r.text();
    if !SELL_CHECK.is_match(&all) {
        return false;
    }
    // Amount and time limits on sells (max sell, anti-snipe blocks) are the `limits` rule.
    if has_word(&all, "amount") || all.contains("<") || all.contains(">=") || all.contains("> ") {
        return false;
    }
    // In `if (c) { require(d); }` the gate is `d`: `c` only scopes it (`to == pair && from !=
    // owner()` exempts the owner from a blacklist, it does not make one a whitelist).
    let must = r.must.trim();
    if must.is_empty() || must == "false" {
        whitelist_read(&r.when, false)
    } else {
        whitelist_read(must, true)
    }
}

const STD_OWNERSHIP: [&str; 10] = [
    "transferOwnership",
    "renounceOwnership",
    "_transferOwnership",
    "_setOwner",
    "acceptOwnership",
    "_checkOwner",
    "owner",
    "initialize",
    "__Ownable_init",
    "__Ownable_init_unchained",
];

/// Every owner power of every concrete contract among `contracts` (all the repository's
/// parsed Solidity).
pub fn powers(contracts: &[Contract]) -> Vec<Power> {
    let mut by_name: HashMap<&str, &Contract> = HashMap::new();
    // The repository's own declarations win over library copies of the same name.
    for c in contracts.iter().filter(|c| !c.library_file) {
        by_name.entry(c.name.as_str()).or_insert(c);
    }
    for c in contracts {
        by_name.entry(c.name.as_str()).or_insert(c);
    }
    // Only leaves are deployed: a concrete `Ownable` that the token inherits is judged as
    // part of the token, not on its own.
    let inherited: HashSet<&str> = contracts
        .iter()
        .flat_map(|c| c.bases.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for c in contracts {
        if c.kind != ContractKind::Contract || c.library_file || inherited.contains(c.name.as_str()) {
            continue;
        }
        let v = View::build(c, &by_name);
        contract_powers(&v, &mut out);
    }
    out.sort_by(|a, b| (&a.path, a.line, a.kind).cmp(&(&b.path, b.line, b.kind)));
    out.dedup_by(|a, b| a.kind == b.kind && a.contract == b.contract && a.func == b.func);
    out
}

fn contract_powers(v: &View, out: &mut Vec<Power>) {
    let token = v.token_like();
    let transfer = if token { v.transfer_text() } else { String::new() };
    let revs = reverts(&transfer);
    let conds: Vec<String> = revs.iter().map(Revert::text).collect();
    let mut found: Vec<(Power, Gate)> = Vec::new();
    macro_rules! push {
        ($kind:expr, $f:expr, $gate:expr, $detail:expr $(,)?) => {
            found.push((
                Power {
                    kind: $kind,
                    contract: v.c.name.clone(),
                    func: $f.name.clone(),
                    path: v.c.path.clone(),
                    line: $f.line,
                    detail: $detail,
                },
                ($gate).clone(),
            ))
        };
    }
    // Functions of library files (OpenZeppelin's own) are the standard implementations.
    let own: Vec<&Func> = v
        .funcs
        .iter()
        .filter(|(_, oc)| !oc.library_file)
        .map(|(f, _)| *f)
        .collect();
    let total_vars: Vec<&str> = v
        .vars
        .iter()
        .filter(|x| matches!(x.name.as_str(), "_totalSupply" | "totalSupply" | "_tTotal" | "_supply"))
        .map(|x| x.name.as_str())
        .collect();
    let capped_base = v.inherits(|b| b.contains("Capped"));
    let capped = |text: &str| {
        capped_base
            || conditions(text).iter().any(|c| {
                let l = c.to_ascii_lowercase();
                l.contains("cap") || (l.contains("max") && l.contains("supply"))
            })
    };

    for f in own.iter().filter(|f| f.kind == FnKind::Function) {
        let gate = gate_of(v, f);
        if gate == Gate::Anyone {
            continue;
        }
        let reach = v.reach(f, &STD_INTERNALS);
        // Mint after deployment.
        if token && v.fungible() {
            let inflates = has_call(&reach, "_mint")
                || total_vars.iter().any(|t| {
                    assigns(&reach, t)
                        .iter()
                        .any(|(_, op, rhs)| *op == "+=" || (*op == "=" && (rhs.contains('+') || rhs.contains("add("))))
                });
            if inflates && !capped(&reach) {
                push!(
                    PowerKind::Mint,
                    f,
                    &gate,
                    format!(
                        "{}.{} lets the owner mint new tokens at any time, with no supply cap.",
                        v.c.name, f.name
                    ),
                );
            }
        }
        // Balance edits outside mint/burn/transfer (a function that also changes the total
        // supply is a mint, judged above with its cap).
        let changes_supply = total_vars.iter().any(|t| !assigns(&f.body, t).is_empty());
        if token && !changes_supply {
            for bal in v.vars.iter().filter(|x| {
                x.ty.starts_with("mapping(address=>uint") && {
                    let l = x.name.to_ascii_lowercase();
                    l.contains("balance") || l == "_rowned" || l == "_towned"
                }
            }) {
                // Reflection (RFI) bookkeeping moves an account between the reflected and
                // the plain ledger; it is the standard machinery of those tokens.
                if matches!(
                    f.name.as_str(),
                    "excludeFromReward" | "includeInReward" | "excludeAccount" | "includeAccount"
                ) {
                    continue;
                }
                let edits = assigns(&f.body, &bal.name).into_iter().any(|(idx, op, _)| {
                    !idx.is_empty() && !idx.contains("msg.sender") && !idx.contains("_msgSender()") && op != "+="
                });
                if edits {
                    push!(
                        PowerKind::Balances,
                        f,
                        &gate,
                        format!(
                            "{}.{} writes holders' balances (`{}`) directly.",
                            v.c.name, f.name, bal.name
                        )
                    );
                    break;
                }
            }
            static BURN_OTHER: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(r"\b_burn\s*\(\s*([^,()]+(?:\(\))?)\s*,").expect("burn"));
            // A burn that spends the burned holder's allowance to the caller, unconditionally
            // (OpenZeppelin's `_spendAllowance(account, msg.sender, …)`; thirdweb's
            // `allowance(account, msg.sender) - amount`, which reverts below zero from 0.8 on),
            // needs the holder's consent: it is `burnFrom`, not a power over holders.
            static SPEND: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"_spendAllowance\s*\(\s*([\w$]+)\s*,\s*(?:msg\.sender|_msgSender\(\))|\ballowance\s*\(\s*([\w$]+)\s*,\s*(?:msg\.sender|_msgSender\(\))\s*\)\s*-")
                    .expect("spend")
            });
            let spends_allowance = |burned: &str| {
                SPEND.captures_iter(&f.body).any(|c| {
                    let (account, checked) = match (c.get(1), c.get(2)) {
                        (Some(a), _) => (a, true),
                        (None, Some(a)) => (a, v.c.checked_math),
                        _ => return false,
                    };
                    let at = account.start();
                    // At the body's top level, in a statement of its own.
                    let before = &f.body[..at];
                    let depth = before.matches('{').count() as i64 - before.matches('}').count() as i64;
                    let statement = &before[before.rfind([';', '{', '}']).map_or(0, |i| i + 1)..];
                    checked && account.as_str() == burned && depth == 0 && !has_word(statement, "if")
                })
            };
            if BURN_OTHER.captures_iter(&f.body).any(|c| {
                let a = c[1].trim();
                a != "msg.sender"
                    && a != "_msgSender()"
                    && a != "address(this)"
                    && mentions_param(a, &f.params)
                    && !spends_allowance(a)
            }) {
                push!(
                    PowerKind::Balances,
                    f,
                    &gate,
                    format!(
                        "{}.{} lets the owner burn tokens from any holder's balance.",
                        v.c.name, f.name
                    )
                );
            }
        }
        // Pause transfers.
        if token && has_call(&reach, "_pause") {
            let pausable_transfers = v.inherits(|b| b.starts_with("ERC") && b.contains("Pausable"))
                || transfer.contains("whenNotPaused")
                || transfer.contains("_requireNotPaused")
                || has_call(&transfer, "paused");
            if pausable_transfers {
                push!(
                    PowerKind::Pause,
                    f,
                    &gate,
                    format!("{}.{} lets the owner pause all transfers.", v.c.name, f.name)
                );
            }
        }
        // Selfdestruct.
        if has_call(&f.body, "selfdestruct") || has_call(&f.body, "suicide") {
            push!(
                PowerKind::SelfDestruct,
                f,
                &gate,
                format!("{}.{} can selfdestruct the contract.", v.c.name, f.name)
            );
        }
    }

    if token {
        // Blacklists/whitelists checked on transfer, set by the owner.
        for m in v
            .vars
            .iter()
            .filter(|x| x.ty == "mapping(address=>bool)" && !gate_mapping_excluded(&x.name))
        {
            let checked = conds
                .iter()
                .any(|c| word_positions(c, &m.name).any(|p| c[p + m.name.len()..].trim_start().starts_with('[')));
            if !checked {
                continue;
            }
            if let Some(f) = own.iter().find(|f| {
                f.kind == FnKind::Function && gate_of(v, f) != Gate::Anyone && !assigns(&f.body, &m.name).is_empty()
            }) {
                push!(
                    PowerKind::Blacklist,
                    f,
                    &gate_of(v, f),
                    format!(
                        "{}.{} can block chosen addresses from transferring (`{}` is checked on every transfer).",
                        v.c.name, f.name, m.name
                    )
                );
            }
        }
        // Transfer switches settable both ways (a bool checked on transfer).
        for b in v.vars.iter().filter(|x| x.ty == "bool") {
            let l = b.name.to_ascii_lowercase();
            if ["swap", "limit", "fee", "cooldown", "delay", "tax", "paused"]
                .iter()
                .any(|x| l.contains(x))
                && l != "paused"
            {
                continue;
            }
            if !conds.iter().any(|c| has_word(c, &b.name)) {
                continue;
            }
            let mut literal_values = HashSet::new();
            let mut setter = None;
            for f in own
                .iter()
                .filter(|f| f.kind == FnKind::Function && gate_of(v, f) != Gate::Anyone)
            {
                for (_, _, rhs) in assigns(&f.body, &b.name) {
                    if mentions_param(rhs, &f.params) || rhs.starts_with('!') {
                        setter = Some(*f);
                    } else {
                        literal_values.insert(rhs.to_string());
                        if literal_values.len() > 1 {
                            setter = setter.or(Some(*f));
                        }
                    }
                }
            }
            if let Some(f) = setter {
                push!(
                    PowerKind::Pause,
                    f,
                    &gate_of(v, f),
                    format!(
                        "{}.{} can switch transfers off (`{}` is checked on every transfer).",
                        v.c.name, f.name, b.name
                    )
                );
            }
        }
        // Fees and taxes.
        let all_text: String = own.iter().map(|f| f.body.as_str()).collect::<Vec<_>>().join("\n");
        let fee_vars: Vec<&str> = v
            .vars
            .iter()
            .filter(|x| (x.ty.starts_with("uint") || x.ty.starts_with("int")) && fee_var(&x.name))
            .map(|x| x.name.as_str())
            .collect();
        let used: Vec<&str> = fee_vars
            .iter()
            .copied()
            .filter(|fv| {
                has_word(&transfer, fv)
                    || fee_vars.iter().any(|g| {
                        has_word(&transfer, g)
                            && own
                                .iter()
                                .any(|f| assigns(&f.body, g).iter().any(|(_, _, rhs)| has_word(rhs, fv)))
                    })
            })
            .collect();
        for fv in &used {
            let den = denominator(v, &format!("{transfer}\n{all_text}"), fv);
            let pct = |n: f64| n * 100.0 / den;
            let mut reported = false;
            for f in own.iter().filter(|f| f.kind == FnKind::Function) {
                let gate = gate_of(v, f);
                if gate == Gate::Anyone {
                    continue;
                }
                for (_, _, rhs) in assigns(&f.body, fv) {
                    if mentions_param(rhs, &f.params) {
                        let reach = v.reach(f, &STD_INTERNALS);
                        let caps: Vec<String> = conditions(&reach)
                            .into_iter()
                            .filter(|c| has_word(c, fv) || mentions_param(c, &f.params))
                            .collect();
                        let cap = caps.iter().find_map(|c| {
                            CAP_CMP
                                .captures_iter(c)
                                .find_map(|m| (m[1].starts_with('<')).then(|| value_of(v, &m[2])).flatten())
                        });
                        let detail = match (caps.is_empty(), cap) {
                            (true, _) => Some(format!("{}.{} sets `{fv}` with no upper limit: the owner can raise the tax to 100% and block sells.", v.c.name, f.name)),
                            (false, Some(c)) if pct(c) > 10.0 => Some(format!("{}.{} can set `{fv}` up to {:.0}% (cap above 10%).", v.c.name, f.name, pct(c))),
                            _ => None,
                        };
                        if let Some(d) = detail {
                            push!(PowerKind::Fee, f, &gate, d);
                            reported = true;
                        }
                    } else if let Some(n) = number(rhs) {
                        if pct(n) > 10.0 {
                            push!(
                                PowerKind::Fee,
                                f,
                                &gate,
                                format!("{}.{} sets `{fv}` to {:.0}%.", v.c.name, f.name, pct(n))
                            );
                            reported = true;
                        }
                    }
                }
            }
            if !reported {
                let lit = v.var(fv).and_then(|x| x.init.as_deref()).and_then(number);
                let ctor = own
                    .iter()
                    .find(|f| f.kind == FnKind::Constructor)
                    .and_then(|f| assigns(&f.body, fv).into_iter().find_map(|(_, _, rhs)| number(rhs)));
                if let Some(n) = ctor.or(lit).filter(|n| pct(*n) > 10.0) {
                    found.push((
                        Power {
                            kind: PowerKind::Fee,
                            contract: v.c.name.clone(),
                            func: fv.to_string(),
                            path: v.c.path.clone(),
                            line: v.c.line,
                            detail: format!("{} charges a {:.0}% tax (`{fv}`).", v.c.name, pct(n)),
                        },
                        Gate::Owner,
                    ));
                }
            }
        }
        // Max transaction / max wallet limits.
        for lv in v.vars.iter().filter(|x| limit_var(&x.name)) {
            for f in own.iter().filter(|f| f.kind == FnKind::Function) {
                let gate = gate_of(v, f);
                if gate == Gate::Anyone {
                    continue;
                }
                let set = assigns(&f.body, &lv.name)
                    .into_iter()
                    .any(|(_, _, rhs)| mentions_param(rhs, &f.params));
                if !set {
                    continue;
                }
                let floor = conditions(&f.body)
                    .iter()
                    .any(|c| mentions_param(c, &f.params) && (c.contains(">=") || c.contains('>')));
                if !floor {
                    push!(PowerKind::Limits, f, &gate, format!("{}.{} sets `{}` with no lower bound: the owner can shrink it until nobody can buy or sell.", v.c.name, f.name, lv.name));
                }
            }
        }
        // Sell-blocking honeypot conditions.
        if revs.iter().any(honeypot_condition) {
            let f = TRANSFER_FNS
                .iter()
                .find_map(|n| v.func(n))
                .expect("token has a transfer fn");
            push!(
                PowerKind::Honeypot,
                f,
                &Gate::Owner,
                format!(
                    "{}.{}: selling to the pair reverts unless the seller is whitelisted or the owner.",
                    v.c.name, f.name
                )
            );
        }
    }

    // Ownership that can be hidden or taken back.
    let owner_vars = ["_owner", "owner"];
    for f in own.iter().filter(|f| f.kind == FnKind::Function && !f.internal) {
        if STD_OWNERSHIP.contains(&f.name.as_str())
            || f.name.starts_with("init")
            || f.name.starts_with("__")
            || f.modifiers
                .iter()
                .any(|(m, _)| m == "initializer" || m == "reinitializer")
        {
            continue;
        }
        // Through internal setters too (`setOwner(x) internal { _owner = x; }`), but not
        // through the standard transfer functions, which are owner-only themselves.
        let body = v.reach(f, &["transferOwnership", "renounceOwnership"]);
        let sets_owner = owner_vars
            .iter()
            .any(|o| v.var(o).is_some() && !assigns(&body, o).is_empty())
            || has_call(&body, "_transferOwnership")
            || has_call(&body, "_setOwner");
        if !sets_owner {
            continue;
        }
        let saves_owner = v.vars.iter().any(|x| {
            !owner_vars.contains(&x.name.as_str())
                && assigns(&body, &x.name)
                    .iter()
                    .any(|(_, _, rhs)| owner_vars.iter().any(|o| has_word(rhs, o)) || rhs.contains("owner()"))
        });
        let gate = gate_of(v, f);
        if saves_owner && body.contains("address(0)") {
            push!(
                PowerKind::HiddenOwner,
                f,
                &gate,
                format!(
                    "{}.{} fakes a renounce: it stores the owner before clearing it, so ownership can be taken back.",
                    v.c.name, f.name
                )
            );
        } else if gate != Gate::Owner {
            push!(
                PowerKind::HiddenOwner,
                f,
                &gate,
                format!(
                    "{}.{} sets the owner without being owner-only: ownership can be re-claimed.",
                    v.c.name, f.name
                )
            );
        }
    }
    if let Some(f) = own
        .iter()
        .find(|f| f.kind == FnKind::Function && f.name == "renounceOwnership")
    {
        let real = owner_vars.iter().any(|o| !assigns(&f.body, o).is_empty())
            || has_call(&f.body, "_transferOwnership")
            || has_call(&f.body, "_setOwner")
            || has_word(&f.body, "revert")
            || has_call(&f.body, "require")
            || has_call(&f.body, "super.renounceOwnership")
            || f.body.contains("super.renounceOwnership");
        if !real {
            push!(
                PowerKind::HiddenOwner,
                f,
                &gate_of(v, f),
                format!(
                    "{}.renounceOwnership is overridden to do nothing: \"renouncing\" leaves the owner in place.",
                    v.c.name
                )
            );
        }
    }

    // Delegatecall to an address someone can change.
    static DCALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([\w$]+)\s*\)?\s*\.\s*delegatecall\b|\bdelegatecall\s*\(\s*[^,()]+(?:\(\))?\s*,\s*([\w$]+)")
            .expect("delegatecall")
    });
    // One finding per target: `delegateTo` and `fallback` reaching the same implementation
    // are one power.
    let mut delegated = HashSet::new();
    for f in own
        .iter()
        .filter(|f| f.kind == FnKind::Function || f.kind == FnKind::Other)
    {
        for c in DCALL.captures_iter(&f.body) {
            let t = c.get(1).or(c.get(2)).map(|m| m.as_str()).unwrap_or("");
            if t == "this" || t.is_empty() {
                continue;
            }
            let settable = (!f.internal && f.params.iter().any(|p| p == t))
                || (v.var(t).is_some()
                    && own
                        .iter()
                        .any(|g| g.kind == FnKind::Function && !assigns(&g.body, t).is_empty()));
            if settable && delegated.insert(t.to_string()) {
                push!(PowerKind::Delegatecall, f, &gate_of(v, f), format!("{}.{} delegatecalls `{t}`, an address that can be changed: whoever sets it can run any code as this contract.", v.c.name, f.name));
                break;
            }
        }
    }
    // Upgrades nobody guards.
    for f in own.iter().filter(|f| f.kind == FnKind::Function) {
        let unguarded = gate_of(v, f) == Gate::Anyone && !has_word(&f.body, "revert") && !has_call(&f.body, "require");
        let open = match f.name.as_str() {
            "upgradeTo" | "upgradeToAndCall" => {
                unguarded && !has_call(&f.body, "_authorizeUpgrade") && !f.body.trim().is_empty()
            }
            "_authorizeUpgrade" => unguarded,
            _ => false,
        };
        if open {
            push!(
                PowerKind::Upgrade,
                f,
                &Gate::Anyone,
                format!(
                    "{}.{} has no access control: anyone can replace the contract's code.",
                    v.c.name, f.name
                )
            );
        }
    }

    // A privileged address other than the owner keeps powers through a renounce.
    let renounceable = v.inherits(|b| b.starts_with("Ownable")) || v.func("renounceOwnership").is_some();
    let mut hidden_done = HashSet::new();
    let mut extra = Vec::new();
    for (p, g) in &found {
        if let Gate::Other(who) = g {
            if renounceable && hidden_done.insert(who.clone()) {
                extra.push(Power {
                    kind: PowerKind::HiddenOwner,
                    contract: p.contract.clone(),
                    func: p.func.clone(),
                    path: p.path.clone(),
                    line: p.line,
                    detail: format!("{}.{} is gated on `{who}`, not the owner: that address keeps the power after ownership is renounced.", p.contract, p.func),
                });
            }
        }
    }
    out.extend(found.into_iter().map(|(p, _)| p));
    out.extend(extra);
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn number_reads_constants_and_refuses_hostile_chains() {
        assert_eq!(number("10**18"), Some(1e18));
        assert_eq!(number("10 ** 2"), Some(100.0));
        assert_eq!(number("(1_000)"), Some(1000.0));
        assert_eq!(number("1e4"), Some(10_000.0));
        // Right-associative like Solidity: 2**(2**3).
        assert_eq!(number("2**2**3"), Some(256.0));
        assert_eq!(number("2**256"), Some(2f64.powi(256)));
        // Expressions it never read stay unread.
        assert_eq!(number("5 * 10**9"), None);
        assert_eq!(number("2**256 - 1"), None);
        assert_eq!(number("fee"), None);
        assert_eq!(number(""), None);
        // Long chains and overflowing values: None, never a panic or an infinite tax.
        assert_eq!(number(&format!("2{}", "**2".repeat(20_000))), None);
        assert_eq!(number(&format!("2{}", "**2".repeat(20))), None);
        assert_eq!(number("1e400"), None);
        assert_eq!(number("10**10**10"), None);
    }
}
