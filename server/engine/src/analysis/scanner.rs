//! The content scanner: one automaton pass per file for every content rule, files in
//! parallel on all cores, skipped files recorded with their reason.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::anchors::{is_secret_sig, Sig, ANCHORS, NSIG};
use super::classify::{self, Kind};
use super::finding::{ScamFinding, SecretFinding};
use super::lines::line_of;
use super::scam;
use super::secrets;
use crate::tree::{FileTree, RepoFile};

/// Per-file result of the content pass.
#[derive(Debug, Clone)]
pub struct FileScan {
    pub path: String,
    pub kind: Kind,
    pub bytes: u64,
    pub lines: u32,
    /// Lines counted as test code: the whole file for test paths, or from a Rust
    /// `#[cfg(test)]` module to the end of the file.
    pub test_lines: u32,
    pub is_test: bool,
    pub counts: [u32; NSIG],
    pub secrets: Vec<SecretFinding>,
    pub scam: Vec<ScamFinding>,
}

impl FileScan {
    pub fn count(&self, s: Sig) -> u32 {
        self.counts[s as usize]
    }
}

#[derive(Debug, Clone, Default)]
pub struct ContentReport {
    pub files: Vec<FileScan>,
    /// (path, reason) for every file not scanned.
    pub skipped: Vec<(String, String)>,
    /// Scam findings that don't come from text (committed executables).
    pub binary_findings: Vec<ScamFinding>,
    pub bytes_scanned: u64,
}

pub struct Scanner {
    ac: AhoCorasick,
    /// Pattern index -> signal.
    sigs: Vec<Sig>,
}

static SCANNER: LazyLock<Scanner> = LazyLock::new(Scanner::build);

impl Scanner {
    /// The process-wide scanner (the automaton is built once).
    pub fn global() -> &'static Scanner {
        &SCANNER
    }

    fn build() -> Scanner {
        let pats: Vec<&str> = ANCHORS.iter().map(|(p, _)| *p).collect();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&pats)
            .expect("static anchor automaton");
        Scanner {
            ac,
            sigs: ANCHORS.iter().map(|(_, s)| *s).collect(),
        }
    }

    /// Scan one in-memory buffer as if it were the file at `path`. Returns `Err(reason)` if
    /// the file is skipped; executables are reported through `binary`.
    pub fn scan_file(&self, f: &RepoFile, binary: &mut Vec<ScamFinding>) -> Result<FileScan, String> {
        let path = f.path.as_str();
        if classify::vendored(path) {
            return Err("vendored third-party code".into());
        }
        if let Some(found) = super::executables::executable(path, &f.data) {
            binary.push(found);
            return Err("executable binary".into());
        }
        if f.truncated {
            return Err(format!("too large ({} bytes)", f.size));
        }
        if classify::lockfile(path) {
            return Err("dependency lockfile".into());
        }
        let head = &f.data[..f.data.len().min(8000)];
        if memchr::memchr(0, head).is_some() {
            return Err("binary file".into());
        }
        let data = f.data.as_slice();
        let kind = classify::kind_of(path);
        let is_test = classify::test_path(path);

        // The one automaton pass: record every anchor hit.
        let mut counts = [0u32; NSIG];
        // Derived signals (see anchors.rs: anchors never nest).
        let mut hits: Vec<(Sig, usize)> = Vec::new();
        for m in self.ac.find_iter(data) {
            let sig = self.sigs[m.pattern().as_usize()];
            counts[sig as usize] += 1;
            // Cap stored positions per file: counts stay exact, verification stays bounded.
            if hits.len() < 4096 {
                hits.push((sig, m.start()));
            }
            if sig == Sig::EvalLike && data[m.start()..].starts_with(b"eval(function(p,a,c,k,e,") {
                counts[Sig::Packer as usize] += 1;
                hits.push((Sig::Packer, m.start()));
            }
            // A Discord webhook URL is an exfil endpoint and a leaked credential too.
            if sig == Sig::Exfil && data[m.start()..].starts_with(b"discord") {
                counts[Sig::DiscordWebhook as usize] += 1;
                hits.push((Sig::DiscordWebhook, m.start()));
            }
        }

        let lines =
            memchr::memchr_iter(b'\n', data).count() as u32 + u32::from(!data.is_empty() && !data.ends_with(b"\n"));
        let mut test_lines = if is_test && kind.is_code() { lines } else { 0 };
        if !is_test && counts[Sig::RustTestModule as usize] > 0 {
            if let Some(&(_, pos)) = hits.iter().find(|(s, _)| *s == Sig::RustTestModule) {
                test_lines = lines.saturating_sub(line_of(data, pos) - 1);
            }
        }

        let mut found = Vec::new();
        let mut seen_lines: std::collections::HashSet<(Sig, u32)> = std::collections::HashSet::new();
        for &(sig, pos) in &hits {
            if !is_secret_sig(sig) {
                continue;
            }
            // One verification per (signal, line): many anchors of one rule on a line
            // would otherwise repeat the same regex work.
            let line_start = memchr::memrchr(b'\n', &data[..pos]).map(|i| i + 1).unwrap_or(0) as u32;
            if !seen_lines.insert((sig, line_start)) {
                continue;
            }
            secrets::verify(sig, data, pos, path, &mut found);
        }
        if secrets::is_env_file(path) {
            secrets::verify_env_file(data, path, &mut found);
        }
        secrets::verify_keypair_file(data, path, &mut found);
        found.sort_by(|a, b| (a.line, a.rule, &a.redacted).cmp(&(b.line, b.rule, &b.redacted)));
        found.dedup_by(|a, b| a.rule == b.rule && a.redacted == b.redacted);

        let mut scam = scam::evaluate_file(path, kind, data, &hits, &counts, is_test);
        // A Rust `#[cfg(test)]` module runs to the end of its file: findings there are test
        // code (test vectors of rust-bitcoin and reth), like findings under `tests/`.
        if !is_test && test_lines > 0 {
            let test_from = lines - test_lines + 1;
            scam.iter_mut()
                .filter(|f| f.line >= test_from)
                .for_each(ScamFinding::demote_to_test);
        }
        Ok(FileScan {
            path: path.to_string(),
            kind,
            bytes: data.len() as u64,
            lines,
            test_lines,
            is_test,
            counts,
            secrets: found,
            scam,
        })
    }

    /// Scan every file of the tree on all cores. `progress(done, total)` is called from the
    /// workers now and then.
    pub fn scan_tree(&self, tree: &FileTree, progress: &(dyn Fn(usize, usize) + Sync)) -> ContentReport {
        let total = tree.files.len();
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 16);
        let step = (total / 20).max(1);
        let mut parts: Vec<WorkerOutput> = Vec::new();
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let (mut scans, mut skipped, mut bin) = (Vec::new(), Vec::new(), Vec::new());
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= total {
                                break;
                            }
                            let f = &tree.files[i];
                            // A rule that panics on one file (a bug) costs that file, reported
                            // as skipped, not the thread's other files or the scan.
                            let scanned =
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.scan_file(f, &mut bin)));
                            match scanned {
                                Ok(Ok(fs)) => scans.push(fs),
                                Ok(Err(reason)) => skipped.push((f.path.clone(), reason)),
                                Err(_) => {
                                    skipped.push((f.path.clone(), "could not be analysed (internal error)".into()))
                                }
                            }
                            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                            if d.is_multiple_of(step) || d == total {
                                progress(d, total);
                            }
                        }
                        (scans, skipped, bin)
                    })
                })
                .collect();
            for h in handles {
                // Panics are caught per file above; a thread that still dies loses only its
                // own results, never the scan.
                if let Ok(p) = h.join() {
                    parts.push(p);
                }
            }
        });
        let mut report = ContentReport::default();
        for (scans, skipped, bin) in parts {
            report.files.extend(scans);
            report.skipped.extend(skipped);
            report.binary_findings.extend(bin);
        }
        report.files.sort_by(|a, b| a.path.cmp(&b.path));
        report.skipped.sort();
        report.skipped.extend(tree.skipped.iter().cloned());
        report.binary_findings.sort_by(|a, b| a.path.cmp(&b.path));
        report.bytes_scanned = report.files.iter().map(|f| f.bytes).sum();
        report
    }
}

/// Test support: scan `text` as the file at `path` (`None` when the file would be skipped).
#[cfg(test)]
pub(crate) fn scan_text(path: &str, text: &str) -> Option<FileScan> {
    let f = RepoFile {
        path: path.into(),
        data: text.as_bytes().to_vec(),
        size: text.len() as u64,
        truncated: false,
    };
    Scanner::global().scan_file(&f, &mut Vec::new()).ok()
}

/// What one worker thread produced: scans, skipped files, binary findings.
type WorkerOutput = (Vec<FileScan>, Vec<(String, String)>, Vec<ScamFinding>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::Severity;

    #[test]
    fn findings_inside_a_rust_test_module_are_test_findings() {
        use base64::Engine as _;
        let bytes: Vec<u8> = (0..1500u32).map(|i| (i * 31 % 251) as u8).collect();
        let vector = base64::engine::general_purpose::STANDARD.encode(bytes);
        let code = format!("pub fn f() {{}}\n\n#[cfg(test)]\nmod tests {{\n    const V: &str = \"{vector}\";\n}}\n");
        let scan = scan_text("src/lib.rs", &code).unwrap();
        assert!(!scan.scam.is_empty(), "the blob is still reported");
        assert!(scan.scam.iter().all(|s| s.severity <= Severity::Low), "{:?}", scan.scam);

        let outside = format!("const V: &str = \"{vector}\";\n");
        let scan = scan_text("src/lib.rs", &outside).unwrap();
        assert!(
            scan.scam.iter().any(|s| s.severity == Severity::Medium),
            "{:?}",
            scan.scam
        );
    }
}
