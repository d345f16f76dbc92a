//! Code fingerprints for near-duplicate detection: normalised tokens -> k-gram hashes ->
//! winnowing (robust local selection) -> MinHash sketch. Two sketches estimate the Jaccard
//! similarity of the repositories' code; a second, smaller sketch over whole-file hashes
//! estimates the share of identical files. Compact (about 1 KB of JSON) so the
//! orchestration can store one per scan and index it.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::analysis::classify::{self, Kind};
use crate::tree::FileTree;

const K: usize = 8; // tokens per shingle
const W: usize = 4; // winnowing window
pub const SLOTS: usize = 128;
pub const FILE_SLOTS: usize = 64;
const EMPTY: u32 = u32::MAX;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub v: u8,
    pub tokens: u64,
    pub files: u32,
    /// MinHash of winnowed token shingles, little-endian u32s, base64.
    #[serde(with = "b64_u32")]
    pub code: Vec<u32>,
    /// MinHash of normalised whole-file hashes, base64.
    #[serde(with = "b64_u32")]
    pub file_set: Vec<u32>,
    /// When the repository itself was created (GitHub `created_at`, else its oldest commit):
    /// of two near-identical code bases the older is the original, whichever was scanned first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo_created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The parent this repository is a declared fork of: a fork is not a disguised copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fork_of: Option<String>,
}

mod b64_u32 {
    use super::*;
    pub fn serialize<S: serde::Serializer>(v: &[u32], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        s.serialize_str(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
        let s = String::deserialize(d)?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(s.as_bytes())
            .map_err(serde::de::Error::custom)?;
        if bytes.len() % 4 != 0 {
            return Err(serde::de::Error::custom("bad sketch length"));
        }
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// FNV-1a of the ASCII-lowercased bytes, without allocating.
fn fnv_lower(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= b.to_ascii_lowercase() as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// SplitMix64 finaliser: a cheap, well-mixed family of hash functions for MinHash slots.
fn mix(x: u64, seed: u64) -> u32 {
    let mut z = x ^ seed.wrapping_mul(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    ((z ^ (z >> 31)) >> 32) as u32
}

/// Normalised token hashes of source text: identifiers lowercased, literals collapsed to a
/// class, comments and whitespace dropped. `mask` replaces brand words with one token.
pub fn tokens(src: &[u8], hash_comments: bool, mask: &[String]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = src.len();
    while i < n {
        let c = src[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'/' && i + 1 < n && src[i + 1] == b'/' || (hash_comments && c == b'#') {
            while i < n && src[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && i + 1 < n && src[i + 1] == b'*' {
            i += 2;
            while i + 1 < n && !(src[i] == b'*' && src[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let s = i;
            while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'_' || src[i] == b'$') {
                i += 1;
            }
            if !mask.is_empty() {
                let word = String::from_utf8_lossy(&src[s..i]).to_ascii_lowercase();
                if mask.iter().any(|m| word.contains(m.as_str())) {
                    out.push(fnv(b"\x01BRAND"));
                    continue;
                }
            }
            out.push(fnv_lower(&src[s..i]));
        } else if c.is_ascii_digit() {
            while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'.') {
                i += 1;
            }
            out.push(fnv(b"\x01NUM"));
        } else if c == b'"' || c == b'\'' || c == b'`' {
            let q = c;
            let s = i + 1;
            i += 1;
            while i < n && src[i] != q && src[i] != b'\n' {
                i += if src[i] == b'\\' { 2 } else { 1 };
            }
            let body = String::from_utf8_lossy(&src[s..i.min(n)]).to_ascii_lowercase();
            i += 1;
            if !mask.is_empty() && mask.iter().any(|m| body.contains(m.as_str())) {
                out.push(fnv(b"\x01BRANDSTR"));
            } else {
                out.push(fnv(b"\x01STR"));
            }
        } else {
            out.push(fnv(&[c]));
            i += 1;
        }
    }
    out
}

/// Winnowing (Schleimer et al.): the minimum hash of every window of `W` shingles.
fn winnow(toks: &[u64], into: &mut Vec<u64>) {
    if toks.len() < K {
        return;
    }
    let shingles: Vec<u64> = toks
        .windows(K)
        .map(|w| {
            w.iter()
                .fold(0u64, |h, t| h.rotate_left(7) ^ t)
                .wrapping_mul(0x100000001b3)
        })
        .collect();
    if shingles.len() < W {
        into.extend(shingles.iter().min());
        return;
    }
    let mut last = None;
    for (i, w) in shingles.windows(W).enumerate() {
        let (j, m) = w
            .iter()
            .enumerate()
            .min_by_key(|(_, v)| **v)
            .map(|(j, v)| (i + j, *v))
            .unwrap_or((i, w[0]));
        if last != Some(j) {
            into.push(m);
            last = Some(j);
        }
    }
}

/// One-permutation MinHash: each hash goes to one bucket, which keeps its minimum. Linear
/// in the set size (classic k-permutation MinHash was 128x slower on large repositories)
/// with the same estimator: the share of equal, non-empty buckets.
fn minhash(set: &[u64], slots: usize) -> Vec<u32> {
    let mut out = vec![EMPTY; slots];
    for &h in set {
        let bucket = mix(h, 1) as usize % slots;
        let v = mix(h, 2).min(EMPTY - 1);
        if v < out[bucket] {
            out[bucket] = v;
        }
    }
    out
}

/// Files that count as the project's code for fingerprinting.
pub fn fingerprint_files(tree: &FileTree) -> impl Iterator<Item = &crate::tree::RepoFile> {
    tree.files.iter().filter(|f| {
        !f.truncated
            && !classify::vendored(&f.path)
            && !classify::lockfile(&f.path)
            && matches!(classify::kind_of(&f.path), Kind::Code(_))
    })
}

pub fn hash_comments(path: &str) -> bool {
    matches!(
        classify::kind_of(path),
        Kind::Code("Python" | "Ruby" | "Shell" | "Elixir")
    )
}

/// Hash of a file's normalised tokens (whitespace/comment changes don't matter).
pub fn file_hash(path: &str, data: &[u8], mask: &[String]) -> u64 {
    tokens(data, hash_comments(path), mask)
        .iter()
        .fold(0xcbf29ce484222325u64, |h, t| (h ^ t).wrapping_mul(0x100000001b3))
}

pub fn fingerprint(tree: &FileTree, mask: &[String]) -> Fingerprint {
    let mut shingles = Vec::new();
    let mut file_hashes = Vec::new();
    let mut total = 0u64;
    let mut files = 0u32;
    for f in fingerprint_files(tree) {
        let toks = tokens(&f.data, hash_comments(&f.path), mask);
        if toks.len() < 20 {
            continue; // trivial files (empty __init__.py) would make unrelated repos "share" files
        }
        total += toks.len() as u64;
        files += 1;
        winnow(&toks, &mut shingles);
        file_hashes.push(
            toks.iter()
                .fold(0xcbf29ce484222325u64, |h, t| (h ^ t).wrapping_mul(0x100000001b3)),
        );
    }
    shingles.sort_unstable();
    shingles.dedup();
    file_hashes.sort_unstable();
    file_hashes.dedup();
    Fingerprint {
        v: 1,
        tokens: total,
        files,
        code: minhash(&shingles, SLOTS),
        file_set: minhash(&file_hashes, FILE_SLOTS),
        repo_created_at: None,
        fork_of: None,
    }
}

impl Fingerprint {
    /// Locality-sensitive index keys: the code sketch cut into 32 bands of 4 slots, each
    /// band hashed (`"{band}:{hash}"`). Two repositories with code similarity s share at
    /// least one key with probability 1 - (1 - s^4)^32 (≈ 0.99 at s = 0.5, ≈ 0.03 at
    /// s = 0.1), so the orchestration can find near-duplicates with an indexed equality
    /// lookup and confirm them with [`similarity`].
    pub fn index_keys(&self) -> Vec<String> {
        const ROWS: usize = 4;
        self.code
            .chunks(ROWS)
            .enumerate()
            .filter(|(_, band)| band.iter().any(|&v| v != EMPTY))
            .map(|(i, band)| {
                let h = band.iter().fold(0xcbf29ce484222325u64, |h, v| {
                    (h ^ *v as u64).wrapping_mul(0x100000001b3)
                });
                format!("{i}:{h:016x}")
            })
            .collect()
    }
}

fn sketch_similarity(a: &[u32], b: &[u32]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut same, mut used) = (0usize, 0usize);
    for (x, y) in a.iter().zip(b) {
        if *x == EMPTY && *y == EMPTY {
            continue;
        }
        used += 1;
        if x == y {
            same += 1;
        }
    }
    if used == 0 {
        0.0
    } else {
        same as f64 / used as f64
    }
}

/// Estimated Jaccard similarity (0..1) of two repositories' code.
pub fn similarity(a: &Fingerprint, b: &Fingerprint) -> f64 {
    if a.tokens == 0 || b.tokens == 0 {
        return 0.0;
    }
    sketch_similarity(&a.code, &b.code)
}

/// Estimated Jaccard similarity of the two sets of (normalised) files.
pub fn file_similarity(a: &Fingerprint, b: &Fingerprint) -> f64 {
    if a.files == 0 || b.files == 0 {
        return 0.0;
    }
    sketch_similarity(&a.file_set, &b.file_set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, String)]) -> FileTree {
        let mut t = FileTree::default();
        for (p, d) in files {
            t.add(*p, d.clone());
        }
        t
    }

    fn code(seed: usize) -> String {
        (0..60).map(|i| format!("function handler{i}_{seed}(req, res) {{ const v{i} = compute{}(req.body.x{i}); if (v{i} > {i}) {{ res.send(v{i} * {seed}); }} }}\n", (i * 7 + seed) % 13)).collect()
    }

    #[test]
    fn identical_and_different() {
        let a = fingerprint(&tree(&[("src/a.js", code(1)), ("src/b.js", code(2))]), &[]);
        let b = fingerprint(&tree(&[("lib/x.js", code(1)), ("lib/y.js", code(2))]), &[]);
        assert!(similarity(&a, &b) > 0.95);
        assert!(file_similarity(&a, &b) > 0.95);
        let c = fingerprint(
            &tree(&[(
                "src/z.py",
                "import os\n".repeat(3)
                    + &(0..80)
                        .map(|i| format!("def f{i}(x):\n    return [y for y in range(x) if y % {i} == 0]\n"))
                        .collect::<String>(),
            )]),
            &[],
        );
        assert!(similarity(&a, &c) < 0.1);
        let keys_a = a.index_keys();
        assert_eq!(keys_a.len(), SLOTS / 4);
        assert!(b.index_keys().iter().any(|k| keys_a.contains(k)));
        assert!(!c.index_keys().iter().any(|k| keys_a.contains(k)));
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.len() < 1200, "{}", json.len());
        let back: Fingerprint = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn comments_and_whitespace_do_not_matter() {
        let a = tokens(b"let x = 1; // hi\n/* c */ foo(x, \"s\")", false, &[]);
        let b = tokens(b"let   x=2;\n\nfoo( x ,'t' )", false, &[]);
        assert_eq!(a, b);
    }
}
