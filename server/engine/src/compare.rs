//! Compare two repositories: code similarity (winnowing + MinHash), shared files, and
//! renamed branding (a copy whose project name was search-and-replaced). The score reads
//! as "how original is B next to A".

use std::collections::HashSet;

use crate::fingerprint::{self, fingerprint, fingerprint_files, similarity};
use crate::meta::RepoMeta;
use crate::result::{CheckStatus, ScanResult, Severity};
use crate::scoring::{self, Assessment};
use crate::tree::FileTree;

/// Words too generic to be a brand.
const GENERIC: [&str; 24] = [
    "bot",
    "app",
    "core",
    "sdk",
    "solana",
    "token",
    "wallet",
    "contract",
    "contracts",
    "program",
    "client",
    "server",
    "api",
    "web",
    "dapp",
    "swap",
    "protocol",
    "sniper",
    "trading",
    "main",
    "master",
    "crypto",
    "frontend",
    "backend",
];

/// Brand words of a repository name: `moonshot-bot` -> ["moonshot", "moonshotbot"].
pub fn brand_words(repo_name: &str) -> Vec<String> {
    let lower = repo_name.to_ascii_lowercase();
    let parts: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| p.len() >= 4 && !GENERIC.contains(p))
        .collect();
    let mut out: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    let joined: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if joined.len() >= 4 && !GENERIC.contains(&joined.as_str()) && !out.contains(&joined) {
        out.push(joined);
    }
    out
}

fn count_words(tree: &FileTree, words: &[String]) -> usize {
    if words.is_empty() {
        return 0;
    }
    let ac = match aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words)
    {
        Ok(a) => a,
        Err(_) => return 0,
    };
    tree.files
        .iter()
        .filter(|f| !f.truncated && !crate::analysis::classify::vendored(&f.path))
        .map(|f| ac.find_iter(&f.data).count())
        .sum()
}

pub struct Side<'a> {
    pub name: String,
    pub repo_name: String,
    pub tree: &'a FileTree,
    pub meta: &'a RepoMeta,
}

pub fn compare(a: &Side, b: &Side) -> ScanResult {
    let brand_a = brand_words(&a.repo_name);
    let brand_b = brand_words(&b.repo_name);
    let mut mask: Vec<String> = brand_a.iter().chain(brand_b.iter()).cloned().collect();
    mask.sort();
    mask.dedup();
    let same_brand = brand_a == brand_b;
    if same_brand {
        mask.clear();
    }
    let raw = similarity(&fingerprint(a.tree, &[]), &fingerprint(b.tree, &[]));
    let sim = if mask.is_empty() {
        raw
    } else {
        similarity(&fingerprint(a.tree, &mask), &fingerprint(b.tree, &mask))
    }
    .max(raw);

    // Shared files by normalised content (brand-masked, so renamed copies still match).
    let a_hashes: HashSet<u64> = fingerprint_files(a.tree)
        .map(|f| fingerprint::file_hash(&f.path, &f.data, &mask))
        .collect();
    let b_files: Vec<_> = fingerprint_files(b.tree).filter(|f| f.data.len() >= 200).collect();
    let shared: Vec<&str> = b_files
        .iter()
        .filter(|f| a_hashes.contains(&fingerprint::file_hash(&f.path, &f.data, &mask)))
        .map(|f| f.path.as_str())
        .collect();
    let share = if b_files.is_empty() {
        0.0
    } else {
        shared.len() as f64 / b_files.len() as f64
    };

    let mut x = Assessment::default();
    let pct = (sim * 100.0).round();
    let older = match (a.meta.created_at, b.meta.created_at) {
        (Some(ca), Some(cb)) if ca < cb => format!(" {} is the older of the two.", a.name),
        (Some(ca), Some(cb)) if cb < ca => format!(" {} is the older of the two.", b.name),
        _ => String::new(),
    };
    let (st, sev) = match sim {
        s if s >= 0.85 => (CheckStatus::Fail, Some(Severity::High)),
        s if s >= 0.6 => (CheckStatus::Warn, Some(Severity::Medium)),
        s if s >= 0.3 => (CheckStatus::Info, None),
        _ => (CheckStatus::Pass, None),
    };
    x.check(
        "compare.similarity",
        "Code similarity",
        st,
        ((1.0 - sim) * 60.0).round() as i32,
        format!(
            "About {pct}% of {}'s normalised code shingles also appear in {}.{older}",
            b.name, a.name
        ),
    );
    if let Some(sev) = sev {
        x.red(
            "compare.similarity",
            sev,
            if sim >= 0.85 {
                format!("Near-copy of {}", a.name)
            } else {
                format!("Largely the same code as {}", a.name)
            },
            format!("{pct}% estimated code overlap.{older}"),
        );
    }
    if sim >= 0.85 {
        x.tag("#Clone");
    } else if sim < 0.3 {
        x.tag("#Original");
        x.green(
            "compare.similarity",
            "Original code",
            format!("Only {pct}% overlap with {}.", a.name),
        );
    }

    let list = shared.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    let st = if share >= 0.5 {
        CheckStatus::Fail
    } else if share >= 0.2 {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    x.check(
        "compare.shared_files",
        "Shared files",
        st,
        ((1.0 - share) * 30.0).round() as i32,
        if shared.is_empty() {
            format!("No file of {} is a copy of one in {}.", b.name, a.name)
        } else {
            format!(
                "{} of {} code files of {} are copies of files in {} (e.g. {list}).",
                shared.len(),
                b_files.len(),
                b.name,
                a.name
            )
        },
    );

    let a_in_a = count_words(a.tree, &brand_a);
    let a_in_b = count_words(b.tree, &brand_a);
    let b_in_b = count_words(b.tree, &brand_b);
    let renamed = !same_brand && sim >= 0.6 && a_in_a >= 3 && a_in_b * 4 < a_in_a && b_in_b >= 3;
    if renamed {
        x.check(
            "compare.branding",
            "Renamed branding",
            CheckStatus::Fail,
            -30,
            format!("{} is {}'s code with the name changed: \"{}\" appears {a_in_a} times in {} but {a_in_b} times in {}, replaced by \"{}\".", b.name, a.name, brand_a.first().cloned().unwrap_or_default(), a.name, b.name, brand_b.first().cloned().unwrap_or_default()),
        );
        x.red(
            "compare.branding",
            Severity::High,
            "Copy with renamed branding",
            format!("{} looks like {} re-branded.", b.name, a.name),
        );
        x.tag("#Rebranded");
    } else {
        x.check(
            "compare.branding",
            "Renamed branding",
            CheckStatus::Pass,
            10,
            "No sign of a search-and-replace rebrand.",
        );
    }
    scoring::finish(x, &format!("{} compared with {}", b.name, a.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brands() {
        assert_eq!(
            brand_words("moonshot-bot"),
            vec!["moonshot".to_string(), "moonshotbot".to_string()]
        );
        assert_eq!(brand_words("bot"), Vec::<String>::new());
    }
}
