//! `contract.owner_powers`: what the owner of a token (or the admin of a Solana program)
//! can do to holders after launch, read from the repository's Solidity and Solana sources.
//!
//! Each power is one medium finding naming the contract and the function that carries it.
//! Powers are normal in many real projects (a pausable stablecoin, a capped governance
//! mint); they become a rug signal when several sit together on a token whose README tells
//! traders there is nothing to fear ("renounced", "fair launch", "SAFU"): that combination
//! is the high flag.

mod evm;
mod solana;
mod solidity;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use super::anchors::Sig;
use super::classify::{self, file_name, Kind};
use super::scanner::ContentReport;
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;
use crate::tree::FileTree;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PowerKind {
    Mint,
    Blacklist,
    Pause,
    Fee,
    Limits,
    Balances,
    HiddenOwner,
    SelfDestruct,
    Delegatecall,
    Upgrade,
    Honeypot,
    /// Solana: mint/freeze authority kept or handed over by an instruction.
    Authority,
    /// Solana: an admin can move users' deposits out of a vault.
    Withdraw,
}

impl PowerKind {
    pub fn title(self) -> &'static str {
        match self {
            PowerKind::Mint => "Owner can mint new tokens",
            PowerKind::Blacklist => "Owner can blacklist holders",
            PowerKind::Pause => "Owner can stop transfers",
            PowerKind::Fee => "Owner-set or high transfer tax",
            PowerKind::Limits => "Owner can shrink transaction/wallet limits",
            PowerKind::Balances => "Owner can edit balances",
            PowerKind::HiddenOwner => "Hidden or re-claimable ownership",
            PowerKind::SelfDestruct => "Contract can selfdestruct",
            PowerKind::Delegatecall => "Delegatecall to a changeable address",
            PowerKind::Upgrade => "Unprotected upgrade",
            PowerKind::Honeypot => "Sells blocked unless whitelisted (honeypot)",
            PowerKind::Authority => "Mint/freeze authority retained",
            PowerKind::Withdraw => "Admin can withdraw users' deposits",
        }
    }
}

/// One power: which contract (or `program`), which function, where, and what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Power {
    pub kind: PowerKind,
    pub contract: String,
    pub func: String,
    pub path: String,
    pub line: u32,
    pub detail: String,
}

pub const POINTS_PER_POWER: i32 = -3;
pub const POWER_CAP: i32 = -15;
pub const CLAIM_POINTS: i32 = -20;
/// A honeypot (sells revert unless the owner listed the seller): critical, SCAM.
pub const HONEYPOT_POINTS: i32 = -50;
/// Distinct kinds of power on one token that, with a reassuring README, make the high flag.
const CLAIM_MIN_KINDS: usize = 3;
const MAX_FLAGS: usize = 10;

/// Solidity sources that are the project's own deployable code: not tests (`test/`,
/// `*.t.sol`), Foundry scripts (`*.s.sol`, `script/`), mocks, or vendored libraries
/// (`lib/openzeppelin-contracts`, `node_modules`, Remix `.deps`).
fn own_solidity(path: &str) -> bool {
    let name = file_name(path);
    name.ends_with(".sol")
        && !name.ends_with(".t.sol")
        && !name.ends_with(".s.sol")
        && !classify::test_path(path)
        && !classify::vendored(path)
        && !path.split('/').rev().skip(1).any(|c| {
            matches!(
                c,
                "lib" | "libs" | "mock" | "mocks" | "script" | "@openzeppelin" | ".deps" | "forge-std"
            )
        })
}

fn own_program_source(path: &str, kind: Kind) -> bool {
    kind == Kind::Code("Rust") && !classify::test_path(path) && !classify::vendored(path)
}

/// What the README promises, with the line that says it.
fn claim(readme: &str, words: &[&str]) -> Option<String> {
    for line in readme.lines() {
        let l = line.to_ascii_lowercase();
        for w in words {
            let hit = l.match_indices(w).any(|(i, _)| {
                let before = l[..i].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
                let after = l[i + w.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric());
                before && after
            });
            if hit {
                let t = line.trim().trim_start_matches(['#', '-', '*', '>', ' ']);
                let q: String = t.chars().take(120).collect();
                return Some(if t.chars().count() > 120 { format!("{q}…") } else { q });
            }
        }
    }
    None
}

const TOKEN_CLAIMS: [&str; 10] = [
    "renounced",
    "fair launch",
    "fairlaunch",
    "fair-launch",
    "no team tokens",
    "no team allocation",
    "rug-proof",
    "rugproof",
    "rug proof",
    "safu",
];
const PROGRAM_CLAIMS: [&str; 7] = [
    "immutable",
    "renounced",
    "authority revoked",
    "authorities revoked",
    "authority has been revoked",
    "no admin",
    "upgrade authority burned",
];

/// Everything the check needs, gathered from the tree (pure, no network).
#[derive(Debug, Default)]
pub struct Findings {
    pub powers: Vec<Power>,
    /// Solana admin-only instructions (for the "immutable" claim).
    pub admin_instructions: Vec<String>,
    /// What native (non-Anchor) instructions seem to allow: reported, never scored (one
    /// dispatcher gives no reliable admin check; measured on the SPL reference programs).
    pub native_powers: Vec<Power>,
    pub solidity_files: usize,
    pub program_files: usize,
}

pub fn analyse(tree: &FileTree, report: &ContentReport) -> Findings {
    let data: HashMap<&str, &[u8]> = tree
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    let sol: Vec<_> = report.files.iter().filter(|f| own_solidity(&f.path)).collect();
    let mut out = Findings::default();
    // Parse only when some file carries an owner gate or a dangerous opcode: files without
    // an anchor still take part (a token inheriting its powers from a base contract).
    if sol
        .iter()
        .any(|f| f.count(Sig::OwnerGate) + f.count(Sig::ContractPower) > 0)
    {
        let contracts: Vec<_> = sol
            .iter()
            .filter_map(|f| data.get(f.path.as_str()).map(|d| solidity::parse_file(&f.path, d)))
            .flatten()
            .collect();
        out.powers = evm::powers(&contracts);
    }
    out.solidity_files = sol.len();
    let programs: Vec<_> = report
        .files
        .iter()
        .filter(|f| f.count(Sig::SolanaProgram) > 0 && own_program_source(&f.path, f.kind))
        .filter_map(|f| data.get(f.path.as_str()).map(|d| solana::parse(&f.path, d)))
        .collect();
    out.program_files = programs.len();
    if !programs.is_empty() {
        let (p, admin, native) = solana::powers(&programs);
        out.powers.extend(p);
        out.admin_instructions = admin;
        out.native_powers = native;
    }
    out
}

/// The native-program observations, as a sentence for a check's detail (empty if none).
fn native_note(f: &Findings) -> String {
    if f.native_powers.is_empty() {
        return String::new();
    }
    let what: Vec<&str> = f.native_powers.iter().take(3).map(|p| p.detail.as_str()).collect();
    format!(
        " Native instructions that may be admin-gated (information, not scored: a native dispatcher gives no reliable admin check): {}",
        what.join(" ")
    )
}

pub fn assess(f: &Findings, readme: &str) -> Assessment {
    let mut a = Assessment::default();
    let (id, name) = ("contract.owner_powers", "Token owner powers");
    if f.solidity_files == 0 && f.program_files == 0 {
        a.check(
            id,
            name,
            CheckStatus::Info,
            0,
            "No Solidity contracts or Solana programs in the repository.",
        );
        return a;
    }
    if f.powers.is_empty() {
        let native = native_note(f);
        let status = if native.is_empty() {
            CheckStatus::Pass
        } else {
            CheckStatus::Info
        };
        a.check(
            id,
            name,
            status,
            0,
            format!(
                "No owner powers over holders found in {} Solidity file(s) and {} Solana program file(s).{native}",
                f.solidity_files, f.program_files
            ),
        );
        return a;
    }
    // Several powers on one token behind a reassuring README.
    let mut kinds: HashMap<&str, BTreeSet<PowerKind>> = HashMap::new();
    for p in f.powers.iter().filter(|p| p.contract != "program") {
        kinds.entry(p.contract.as_str()).or_default().insert(p.kind);
    }
    let rug_token = kinds
        .iter()
        .filter(|(_, k)| k.len() >= CLAIM_MIN_KINDS)
        .max_by_key(|(n, k)| (k.len(), std::cmp::Reverse(*n)))
        .and_then(|(n, k)| Some((*n, k, claim(readme, &TOKEN_CLAIMS)?)));
    let program_claim = (f.program_files > 0
        && (f.powers.iter().any(|p| p.contract == "program") || !f.admin_instructions.is_empty()))
    .then(|| claim(readme, &PROGRAM_CLAIMS))
    .flatten();
    let high = if let Some((token, k, quote)) = &rug_token {
        Some(format!(
            "The README says \"{quote}\" but {token} keeps {} owner powers: {}.",
            k.len(),
            k.iter()
                .map(|x| x.title().to_lowercase())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else {
        program_claim.map(|quote| {
            let what: Vec<String> = f
                .powers
                .iter()
                .filter(|p| p.contract == "program")
                .map(|p| format!("`{}`", p.func))
                .chain(f.admin_instructions.iter().map(|i| format!("`{i}`")))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .take(4)
                .collect();
            format!(
                "The README says \"{quote}\" but the program has admin-only instructions: {}.",
                what.join(", ")
            )
        })
    };
    let list: Vec<String> = f.powers.iter().take(3).map(|p| p.detail.clone()).collect();
    // Buying works, selling reverts for everyone the owner has not listed: a honeypot is the
    // scam itself, not a power an honest token might need.
    if let Some(h) = f.powers.iter().find(|p| p.kind == PowerKind::Honeypot) {
        let detail = format!(
            "{} Holders can buy but cannot sell ({} line {}).",
            h.detail, h.path, h.line
        );
        a.check(id, name, CheckStatus::Fail, HONEYPOT_POINTS, detail.clone());
        a.red(id, Severity::Critical, "Honeypot: sells are blocked", detail);
        a.critical_scam = true;
        a.tag("#Honeypot");
    } else if let Some(detail) = high {
        a.check(id, name, CheckStatus::Fail, CLAIM_POINTS, detail.clone());
        a.red(id, Severity::High, "Owner powers contradict the README", detail);
        a.tag("#RugRisk");
    } else {
        let points = (POINTS_PER_POWER * f.powers.len() as i32).max(POWER_CAP);
        a.check(
            id,
            name,
            CheckStatus::Warn,
            points,
            format!(
                "{} owner power(s) over holders: {}{}{}",
                f.powers.len(),
                list.join(" "),
                if f.powers.len() > 3 { " …" } else { "" },
                native_note(f)
            ),
        );
    }
    for p in f.powers.iter().take(MAX_FLAGS) {
        a.red(
            id,
            Severity::Medium,
            p.kind.title(),
            format!("{} ({} line {})", p.detail, p.path, p.line),
        );
    }
    a.tag("#OwnerPowers");
    a
}
