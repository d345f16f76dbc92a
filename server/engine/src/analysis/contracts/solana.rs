//! Admin powers of Solana programs (Anchor and native `solana_program`), read from the
//! program's Rust sources: retained mint/freeze authority, admin withdrawals from vaults
//! that hold users' deposits, and admin instructions in general (for the README's
//! "immutable" claims).
//!
//! The unit is the instruction: an Anchor `fn …(ctx: Context<Accounts>, …)` (with the
//! `#[derive(Accounts)]` struct that constrains its signers) or a native function taking
//! `AccountInfo`s. Calls to functions of the same file (handlers, `impl` methods) are
//! followed two levels deep.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::solidity::{clean_with, has_word, matching, word_positions};
use super::{Power, PowerKind};

#[derive(Debug, Clone)]
struct RustFn {
    name: String,
    params: String,
    body: String,
    line: u32,
}

/// One program source file, cleaned and split into functions and Accounts structs.
pub struct ProgramFile {
    path: String,
    fns: Vec<RustFn>,
    /// Accounts struct name -> body.
    accounts: HashMap<String, String>,
}

pub fn parse(path: &str, src: &[u8]) -> ProgramFile {
    let text = clean_with(src, true);
    let b = text.as_bytes();
    let mut fns = Vec::new();
    for p in word_positions(&text, "fn") {
        let rest = &text[p + 2..];
        let Some(name) = rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|s| !s.is_empty())
        else {
            continue;
        };
        let Some(open_p) = text[p..].find('(').map(|k| p + k) else {
            continue;
        };
        let Some(close_p) = matching(&text, open_p) else {
            continue;
        };
        // The body is the next `{` unless a `;` (a declaration) comes first.
        let Some(brace) = text[close_p..].find(['{', ';']).map(|k| close_p + k) else {
            continue;
        };
        if b[brace] == b';' {
            continue;
        }
        let Some(end) = matching(&text, brace) else {
            continue;
        };
        fns.push(RustFn {
            name: name.to_string(),
            params: text[open_p + 1..close_p - 1].to_string(),
            body: text[brace + 1..end - 1].to_string(),
            line: text[..p].matches('\n').count() as u32 + 1,
        });
    }
    let mut accounts = HashMap::new();
    for p in text.match_indices("derive(Accounts)").map(|(i, _)| i) {
        let Some(s) = text[p..].find("struct").map(|k| p + k + 6) else {
            continue;
        };
        let name: String = text[s..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let Some(brace) = text[s..].find('{').map(|k| s + k) else {
            continue;
        };
        let Some(end) = matching(&text, brace) else {
            continue;
        };
        accounts.insert(name, text[brace + 1..end - 1].to_string());
    }
    ProgramFile {
        path: path.to_string(),
        fns,
        accounts,
    }
}

static CONTEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Context\s*<\s*(?:'\w+\s*,\s*)*(\w+)").expect("context"));
static ACCOUNT_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"#\[account\(((?:[^()]|\([^()]*\))*)\)\]\s*pub\s+(\w+)\s*:").expect("account attr"));
static ADMIN_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\w*admin\w*\b|\b(?:SUPER_)?AUTHORITY\b|\bOWNER_(?:KEY|PUBKEY)\b").expect("admin")
});
static GLOBAL_ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:config|state|global\w*|settings|platform|program_state|protocol\w*|\w*_config)$")
        .expect("global")
});

/// Is the instruction restricted to an admin key? Anchor: a constraint naming an admin
/// (`has_one = admin`, `constraint = config.admin == signer.key()`, `address = ADMIN`), or
/// `has_one = authority/owner` on a program-wide account (config/state/global). In code:
/// `require_keys_eq!`/`require!`/`if … != …` naming an admin.
fn admin_gated(accounts: Option<&String>, body: &str) -> bool {
    if let Some(acc) = accounts {
        for c in ACCOUNT_ATTR.captures_iter(acc) {
            let attr = &c[1];
            let checks = attr.contains("has_one") || attr.contains("constraint") || attr.contains("address");
            if checks && ADMIN_WORD.is_match(attr) {
                return true;
            }
            if (attr.contains("has_one = authority")
                || attr.contains("has_one = owner")
                || attr.contains("has_one=authority"))
                && GLOBAL_ACCOUNT.is_match(&c[2])
            {
                return true;
            }
        }
    }
    body.lines().any(|l| {
        (l.contains("require_keys_eq!") || l.contains("require!") || (l.contains("if ") && l.contains("!=")))
            && l.contains("key")
            && ADMIN_WORD.is_match(l)
    })
}

fn calls(body: &str) -> Vec<&str> {
    static CALL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\w+)\s*(?:::<[^>]*>)?\s*\(").expect("call"));
    CALL.captures_iter(body)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
        .collect()
}

fn reach(file: &ProgramFile, f: &RustFn) -> String {
    let by_name: HashMap<&str, &RustFn> = file.fns.iter().map(|g| (g.name.as_str(), g)).collect();
    let mut out = f.body.clone();
    let mut frontier = vec![f];
    let mut seen = std::collections::HashSet::new();
    seen.insert(f.name.as_str());
    for _ in 0..2 {
        let mut next = Vec::new();
        for g in frontier {
            for c in calls(&g.body) {
                if seen.insert(c) {
                    if let Some(h) = by_name.get(c) {
                        out.push('\n');
                        out.push_str(&h.body);
                        next.push(*h);
                    }
                }
            }
        }
        frontier = next;
    }
    out
}

struct Instr<'a> {
    file: &'a ProgramFile,
    f: &'a RustFn,
    accounts_name: String,
    text: String,
    admin: bool,
}

fn instructions<'a>(files: &'a [ProgramFile]) -> Vec<Instr<'a>> {
    let all_accounts: HashMap<&str, &String> = files
        .iter()
        .flat_map(|f| f.accounts.iter().map(|(k, v)| (k.as_str(), v)))
        .collect();
    let mut out = Vec::new();
    for file in files {
        for f in &file.fns {
            let ctx = CONTEXT.captures(&f.params).map(|c| c[1].to_string());
            if ctx.is_none() && !f.params.contains("AccountInfo") {
                continue;
            }
            let accounts_name = ctx.unwrap_or_default();
            let text = reach(file, f);
            let admin = admin_gated(all_accounts.get(accounts_name.as_str()).copied(), &text);
            out.push(Instr {
                file,
                f,
                accounts_name,
                text,
                admin,
            });
        }
    }
    out
}

fn instr_name(i: &Instr) -> String {
    if i.accounts_name.is_empty() || i.f.name != "handler" {
        i.f.name.clone()
    } else {
        format!("{} ({})", i.f.name, i.accounts_name)
    }
}

fn mk(i: &Instr, kind: PowerKind, detail: String) -> Power {
    Power {
        kind,
        contract: "program".into(),
        func: instr_name(i),
        path: i.file.path.clone(),
        line: i.f.line,
        detail,
    }
}

/// Admin powers of the program (Anchor instructions), the names of its admin-only
/// instructions, and what native instructions seem to allow (information only).
pub fn powers(files: &[ProgramFile]) -> (Vec<Power>, Vec<String>, Vec<Power>) {
    let instrs = instructions(files);
    let mut out = Vec::new();
    let mut native = Vec::new();
    let deposit_words = [
        "deposit",
        "stake",
        "buy",
        "contribute",
        "lock",
        "bet",
        "invest",
        "enter",
        "join",
    ];
    let takes_deposits = instrs.iter().any(|i| {
        let n = format!("{} {}", i.f.name, i.accounts_name).to_ascii_lowercase();
        !i.admin && deposit_words.iter().any(|w| n.contains(w)) && i.text.contains("transfer")
    });
    for i in &instrs {
        let name = instr_name(i);
        // set_authority handing mint/freeze authority to a key (None would renounce it).
        for p in word_positions(&i.text, "set_authority") {
            let Some(open) = i.text[p..].find('(').map(|k| p + k) else {
                continue;
            };
            let Some(close) = matching(&i.text, open) else {
                continue;
            };
            let args = &i.text[open..close];
            let which = if args.contains("MintTokens") {
                "mint"
            } else if args.contains("FreezeAccount") {
                "freeze"
            } else {
                continue;
            };
            if args.contains("Some(") {
                out.push(mk(i, PowerKind::Authority, format!("Instruction `{name}` hands the token's {which} authority to a chosen key instead of revoking it (None).")));
                break;
            }
        }
        // Native programs dispatch every instruction through one `process_instruction`, so
        // "admin-gated" can only be guessed from the text around it: measured on the SPL
        // reference programs (token-swap mints pool tokens on `initialize`), that guess is
        // too coarse to score. Native instructions count for the README's "immutable"
        // claim (below) and for `set_authority` (above), not as powers.
        if !i.admin {
            continue;
        }
        let anchor = !i.accounts_name.is_empty();
        let out = if anchor { &mut out } else { &mut native };
        if has_word(&i.text, "freeze_account") {
            out.push(mk(
                i,
                PowerKind::Authority,
                format!("Admin-only instruction `{name}` can freeze holders' token accounts."),
            ));
        }
        let capped = {
            let l = i.text.to_ascii_lowercase();
            l.contains("max_supply") || l.contains("supply_cap") || l.contains("mint_cap")
        };
        if has_word(&i.text, "mint_to") && !capped {
            out.push(mk(
                i,
                PowerKind::Mint,
                format!("Admin-only instruction `{name}` mints new tokens with no supply cap."),
            ));
        }
        let lname = name.to_ascii_lowercase();
        let signed_out =
            (i.text.contains("new_with_signer") || i.text.contains("invoke_signed") || i.text.contains("with_signer("))
                && i.text.contains("transfer");
        let lamports_out = i.text.contains("lamports") && i.text.contains("-=");
        if takes_deposits && (signed_out || lamports_out) && !lname.contains("fee") {
            out.push(mk(i, PowerKind::Withdraw, format!("Admin-only instruction `{name}` moves funds out of the program's vault, which holds users' deposits.")));
        }
    }
    let mut admin: Vec<String> = instrs.iter().filter(|i| i.admin).map(instr_name).collect();
    admin.sort();
    admin.dedup();
    for list in [&mut out, &mut native] {
        list.sort_by(|a, b| (&a.path, a.line, a.kind).cmp(&(&b.path, b.line, b.kind)));
        list.dedup_by(|a, b| a.kind == b.kind && a.func == b.func && a.path == b.path);
    }
    (out, admin, native)
}
