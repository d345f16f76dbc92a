//! Rerunnable evaluation of the engine over the labelled corpus in `server/engine/tests/corpus/` (under `tests/` so a scan of this repository reads its malicious samples as test material).
//!
//!   cargo run --release -p aura-engine --example eval -- [corpus dir] [--json]
//!
//! Every sample is `corpus/<name>/repo/` (the files) plus `corpus/<name>/label.toml`. Each
//! repository is analysed with the same neutral, established-repository metadata, so only
//! its content decides. Printed: per check family TP/FP/FN/TN with precision and recall, the
//! verdict confusion matrix, misses and false alarms with the findings behind them.
//!
//! `tests/corpus.rs` includes this file (`#[path]`) to assert the floor over the same corpus,
//! so the logic lives here once; `main` is only the command-line wrapper.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aura_engine::meta::{Commit, OwnerMeta, RepoMeta};
use aura_engine::sources::git::read_tree;
use aura_engine::{CheckStatus, Limits, NoProgress, ScanResult, Severity, Verdict};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// Content families measured even when no label names them, so a family that never fires
/// still gets a row (its false negatives count).
pub const FAMILIES: [&str; 10] = [
    "secrets",
    "scam.wallet_exfiltration",
    "scam.drainer",
    "scam.obfuscation",
    "scam.install_scripts",
    "scam.executables",
    "scam.hidden_unicode",
    "scam.typosquat",
    "scam.malware",
    "ai_wrapper",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Malicious,
    Benign,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Malicious => "malicious",
            Class::Benign => "benign",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Label {
    pub class: Class,
    /// Families expected to fire (severity ≥ medium).
    pub families: Vec<String>,
    /// Families that may fire without being a false alarm or a miss (a stealer that is
    /// also obfuscated, say): neither counted for nor against.
    pub allowed: Vec<String>,
    /// Malicious: the least severe acceptable verdict. Benign: the most severe acceptable.
    pub verdict: Verdict,
    pub source: String,
}

/// Severity order of verdicts, for "at least" / "at most".
pub fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Safu => 0,
        Verdict::Dyor => 1,
        Verdict::Risky => 2,
        Verdict::Scam => 3,
    }
}

fn parse_verdict(s: &str) -> Option<Verdict> {
    match s.to_ascii_uppercase().as_str() {
        "SAFU" => Some(Verdict::Safu),
        "DYOR" => Some(Verdict::Dyor),
        "RISKY" => Some(Verdict::Risky),
        "SCAM" => Some(Verdict::Scam),
        _ => None,
    }
}

/// `a, b` or `["a", "b"]`: both spellings, so the file reads as TOML and as plain text.
fn parse_list(v: &str) -> Vec<String> {
    v.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|s| s.trim().trim_matches('"').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A trivial `key = value` reader (a TOML subset): no new dependency for five keys.
pub fn parse_label(text: &str) -> Result<Label, String> {
    let mut kv: BTreeMap<String, String> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line.split_once('=').ok_or_else(|| format!("not key = value: {line}"))?;
        kv.insert(k.trim().to_string(), v.trim().to_string());
    }
    let unq = |k: &str| kv.get(k).map(|v| v.trim_matches('"').to_string());
    let class = match unq("class").as_deref() {
        Some("malicious") => Class::Malicious,
        Some("benign") => Class::Benign,
        other => return Err(format!("class must be malicious or benign, got {other:?}")),
    };
    let verdict = unq("verdict")
        .as_deref()
        .and_then(parse_verdict)
        .ok_or("verdict must be SCAM, RISKY, DYOR or SAFU")?;
    let families = kv.get("families").map(|v| parse_list(v)).unwrap_or_default();
    if class == Class::Benign && !families.is_empty() {
        return Err("a benign sample expects no family".into());
    }
    if class == Class::Malicious && families.is_empty() && rank(verdict) < rank(Verdict::Dyor) {
        return Err("a malicious sample needs families or a verdict worse than SAFU".into());
    }
    Ok(Label {
        class,
        families,
        allowed: kv.get("allowed").map(|v| parse_list(v)).unwrap_or_default(),
        verdict,
        source: unq("source").unwrap_or_default(),
    })
}

pub struct Sample {
    pub name: String,
    pub repo: PathBuf,
    pub label: Label,
}

pub fn load_corpus(dir: &Path) -> Result<Vec<Sample>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for e in rd.flatten() {
        let p = e.path();
        if !p.is_dir() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let label_path = p.join("label.toml");
        let text = std::fs::read_to_string(&label_path).map_err(|e| format!("{}: {e}", label_path.display()))?;
        let label = parse_label(&text).map_err(|e| format!("{name}: {e}"))?;
        let repo = p.join("repo");
        if !repo.is_dir() {
            return Err(format!("{name}: no repo/ directory"));
        }
        out.push(Sample { name, repo, label });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// An established GitHub repository: 3 years old, weekly commits by 10 people, releases,
/// stars, an old organisation owner. Every trust check scores well and raises no flag, so
/// the verdict is decided by what the content checks find. A fixed "now" keeps runs equal.
pub fn neutral_meta(name: &str) -> RepoMeta {
    let now: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
    let people = [
        "ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo",
    ];
    let commits = (0..40)
        .map(|i| Commit {
            author: people[i % people.len()].to_string(),
            at: now - Duration::days(2 + 7 * i as i64),
        })
        .collect();
    let counts = [120u64, 95, 80, 60, 40, 30, 20, 10, 5, 3];
    RepoMeta {
        source: "GitHub".into(),
        full_name: format!("corpus/{name}"),
        description: Some("corpus sample".into()),
        created_at: Some(now - Duration::days(3 * 365)),
        created_is_lower_bound: false,
        pushed_at: Some(now - Duration::days(2)),
        commits,
        contributors: people.iter().zip(counts).map(|(p, c)| (p.to_string(), c)).collect(),
        owner: Some(OwnerMeta {
            login: "corpus".into(),
            created_at: Some(now - Duration::days(5 * 365)),
            is_org: true,
            followers: Some(800),
            public_repos: Some(40),
        }),
        releases: Some(12),
        tags: 12,
        stars: Some(850),
        forks: Some(120),
        watchers: Some(40),
        open_issues: Some(15),
        archived: false,
        fork_of: None,
        is_fork: false,
        // The licence comes from the sample's own LICENSE file, as on GitHub.
        license_spdx: None,
        languages: Vec::new(),
        stargazers: None,
        fork_compare: None,
        root_commit: None,
        now,
    }
}

/// A finding behind a family firing, for the misses / false-alarm lists.
#[derive(Debug, Clone)]
pub struct Finding {
    pub severity: Option<Severity>,
    pub title: String,
    pub detail: String,
}

/// The family a check or flag id belongs to: `secrets.github_token` → `secrets`,
/// `scam.drainer` → `scam.drainer`; the longest known family that is the id or its prefix.
fn family_of<'a>(id: &str, families: &'a BTreeSet<String>) -> Option<&'a str> {
    families
        .iter()
        .filter(|f| id == f.as_str() || id.starts_with(&format!("{f}.")))
        .max_by_key(|f| f.len())
        .map(|s| s.as_str())
}

/// Which families fired on a result, with their evidence. A family fires when its check
/// failed, when it has a red flag of severity ≥ medium, or when its check warns with
/// negative points but raised no flag at all. A warn whose flags are all low (keys only in
/// test fixtures) does not fire: that is the engine saying "probably a fixture".
pub fn fired(r: &ScanResult, families: &BTreeSet<String>) -> BTreeMap<String, Vec<Finding>> {
    let mut out: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for f in &r.red_flags {
        if f.severity >= Severity::Medium {
            if let Some(fam) = family_of(&f.id, families) {
                out.entry(fam.to_string()).or_default().push(Finding {
                    severity: Some(f.severity),
                    title: f.title.clone(),
                    detail: f.detail.clone(),
                });
            }
        }
    }
    for c in &r.checks {
        let Some(fam) = family_of(&c.id, families) else {
            continue;
        };
        let has_flags = r.red_flags.iter().any(|f| family_of(&f.id, families) == Some(fam));
        let fires = c.status == CheckStatus::Fail || (c.status == CheckStatus::Warn && c.points < 0 && !has_flags);
        if fires && !out.contains_key(fam) {
            out.entry(fam.to_string()).or_default().push(Finding {
                severity: None,
                title: format!("{} ({:?}, {} points)", c.name, c.status, c.points),
                detail: c.detail.clone(),
            });
        }
    }
    out
}

pub struct Outcome {
    pub name: String,
    pub label: Label,
    pub result: ScanResult,
    pub fired: BTreeMap<String, Vec<Finding>>,
}

impl Outcome {
    pub fn verdict_ok(&self) -> bool {
        let (got, want) = (rank(self.result.verdict), rank(self.label.verdict));
        match self.label.class {
            Class::Malicious => got >= want,
            Class::Benign => got <= want,
        }
    }
    pub fn critical_flags(&self) -> Vec<&aura_engine::Flag> {
        self.result
            .red_flags
            .iter()
            .filter(|f| f.severity == Severity::Critical)
            .collect()
    }
}

pub struct Report {
    pub families: BTreeSet<String>,
    pub outcomes: Vec<Outcome>,
}

/// Analyse every sample of the corpus (sequentially: the engine parallelises each scan).
pub fn run(dir: &Path) -> Result<Report, String> {
    let samples = load_corpus(dir)?;
    let mut families: BTreeSet<String> = FAMILIES.iter().map(|s| s.to_string()).collect();
    for s in &samples {
        families.extend(s.label.families.iter().cloned());
        families.extend(s.label.allowed.iter().cloned());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // The sample trees are tiny; the default caps are what a real scan gets.
    let limits = Limits::default();
    let mut outcomes = Vec::new();
    for s in samples {
        let tree = read_tree(&s.repo, &limits);
        let meta = neutral_meta(&s.name);
        let out = rt
            .block_on(aura_engine::analyze(tree, meta, &s.name, &NoProgress))
            .map_err(|e| format!("{}: {e}", s.name))?;
        // Check ids the engine reports that no label names yet (a new scam check) still
        // get measured.
        for c in &out.result.checks {
            if c.id.starts_with("scam.") {
                families.insert(c.id.clone());
            }
        }
        outcomes.push(Outcome {
            name: s.name,
            label: s.label,
            result: out.result,
            fired: BTreeMap::new(),
        });
    }
    for o in &mut outcomes {
        o.fired = fired(&o.result, &families);
    }
    Ok(Report { families, outcomes })
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

impl Counts {
    pub fn precision(&self) -> Option<f64> {
        (self.tp + self.fp > 0).then(|| self.tp as f64 / (self.tp + self.fp) as f64)
    }
    pub fn recall(&self) -> Option<f64> {
        (self.tp + self.fn_ > 0).then(|| self.tp as f64 / (self.tp + self.fn_) as f64)
    }
}

pub struct Miss<'a> {
    pub sample: &'a str,
    pub family: String,
    /// The family's check, when the engine has one: its status and detail.
    pub check: Option<String>,
}

pub struct FalseAlarm<'a> {
    pub sample: &'a str,
    pub family: String,
    pub findings: &'a [Finding],
}

impl Report {
    pub fn counts(&self) -> BTreeMap<String, Counts> {
        let mut m: BTreeMap<String, Counts> = BTreeMap::new();
        for fam in &self.families {
            let c = m.entry(fam.clone()).or_default();
            for o in &self.outcomes {
                let expected = o.label.families.contains(fam);
                let fired = o.fired.contains_key(fam);
                if !expected && o.label.allowed.contains(fam) {
                    continue;
                }
                match (expected, fired) {
                    (true, true) => c.tp += 1,
                    (false, true) => c.fp += 1,
                    (true, false) => c.fn_ += 1,
                    (false, false) => c.tn += 1,
                }
            }
        }
        m
    }

    /// Rows: expected class; columns: SAFU, DYOR, RISKY, SCAM.
    pub fn confusion(&self) -> [[usize; 4]; 2] {
        let mut m = [[0usize; 4]; 2];
        for o in &self.outcomes {
            let row = match o.label.class {
                Class::Malicious => 0,
                Class::Benign => 1,
            };
            m[row][rank(o.result.verdict) as usize] += 1;
        }
        m
    }

    pub fn misses(&self) -> Vec<Miss<'_>> {
        let mut v = Vec::new();
        for o in &self.outcomes {
            for fam in &o.label.families {
                if !o.fired.contains_key(fam) {
                    let check = o
                        .result
                        .checks
                        .iter()
                        .find(|c| &c.id == fam)
                        .map(|c| format!("{:?}, {} points: {}", c.status, c.points, c.detail));
                    v.push(Miss {
                        sample: &o.name,
                        family: fam.clone(),
                        check,
                    });
                }
            }
        }
        v
    }

    pub fn false_alarms(&self) -> Vec<FalseAlarm<'_>> {
        let mut v = Vec::new();
        for o in &self.outcomes {
            for (fam, findings) in &o.fired {
                if !o.label.families.contains(fam) && !o.label.allowed.contains(fam) {
                    v.push(FalseAlarm {
                        sample: &o.name,
                        family: fam.clone(),
                        findings,
                    });
                }
            }
        }
        v
    }

    /// The floor `tests/corpus.rs` holds: no benign sample is SCAM or has a critical
    /// finding; every sample labelled SCAM is SCAM. One line per violation.
    pub fn floor_violations(&self) -> Vec<String> {
        let mut v = Vec::new();
        for o in &self.outcomes {
            match o.label.class {
                Class::Benign => {
                    if o.result.verdict == Verdict::Scam {
                        v.push(format!("benign {} is SCAM (score {})", o.name, o.result.score));
                    }
                    for f in o.critical_flags() {
                        v.push(format!(
                            "benign {} has a critical finding [{}] {}: {}",
                            o.name, f.id, f.title, f.detail
                        ));
                    }
                }
                Class::Malicious => {
                    if o.label.verdict == Verdict::Scam && o.result.verdict != Verdict::Scam {
                        v.push(format!(
                            "malicious {} is {} (score {}), expected SCAM",
                            o.name,
                            o.result.verdict.as_str(),
                            o.result.score
                        ));
                    }
                }
            }
        }
        v
    }

    pub fn text(&self) -> String {
        let mut s = String::new();
        let n_mal = self
            .outcomes
            .iter()
            .filter(|o| o.label.class == Class::Malicious)
            .count();
        let _ = writeln!(
            s,
            "Corpus: {} samples ({} malicious, {} benign)\n",
            self.outcomes.len(),
            n_mal,
            self.outcomes.len() - n_mal
        );
        let pct = |x: Option<f64>| x.map_or("   -".to_string(), |x| format!("{:>4.0}%", x * 100.0));
        let _ = writeln!(
            s,
            "{:<26} {:>4} {:>4} {:>4} {:>4}  {:>9} {:>7}",
            "family", "TP", "FP", "FN", "TN", "precision", "recall"
        );
        for (fam, c) in self.counts() {
            let _ = writeln!(
                s,
                "{:<26} {:>4} {:>4} {:>4} {:>4}  {:>9} {:>7}",
                fam,
                c.tp,
                c.fp,
                c.fn_,
                c.tn,
                pct(c.precision()),
                pct(c.recall())
            );
        }
        let m = self.confusion();
        let _ = writeln!(s, "\nVerdicts (rows: expected class)");
        let _ = writeln!(s, "{:<10} {:>5} {:>5} {:>5} {:>5}", "", "SAFU", "DYOR", "RISKY", "SCAM");
        for (i, name) in ["malicious", "benign"].iter().enumerate() {
            let _ = writeln!(
                s,
                "{:<10} {:>5} {:>5} {:>5} {:>5}",
                name, m[i][0], m[i][1], m[i][2], m[i][3]
            );
        }
        let bad: Vec<&Outcome> = self.outcomes.iter().filter(|o| !o.verdict_ok()).collect();
        let _ = writeln!(
            s,
            "\nVerdicts off the label ({}): malicious below its expected verdict, benign above it",
            bad.len()
        );
        for o in bad {
            let _ = writeln!(
                s,
                "  {:<34} {:<9} got {:<5} (score {:>3}), label {} {}",
                o.name,
                o.label.class.as_str(),
                o.result.verdict.as_str(),
                o.result.score,
                if o.label.class == Class::Malicious {
                    "at least"
                } else {
                    "at most"
                },
                o.label.verdict.as_str()
            );
        }
        let misses = self.misses();
        let _ = writeln!(s, "\nMisses ({}): expected family without a finding", misses.len());
        for m in &misses {
            let _ = writeln!(
                s,
                "  {:<34} {:<26} {}",
                m.sample,
                m.family,
                m.check.as_deref().unwrap_or("(no such check in this engine)")
            );
        }
        let fa = self.false_alarms();
        let _ = writeln!(
            s,
            "\nFalse alarms ({}): finding ≥ medium on a family the label does not expect",
            fa.len()
        );
        for f in &fa {
            for x in f.findings {
                let _ = writeln!(
                    s,
                    "  {:<34} {:<26} [{}] {}: {}",
                    f.sample,
                    f.family,
                    x.severity
                        .map_or("check".to_string(), |s| format!("{s:?}").to_lowercase()),
                    x.title,
                    x.detail
                );
            }
        }
        let floor = self.floor_violations();
        let _ = writeln!(s, "\nFloor violations ({})", floor.len());
        for v in &floor {
            let _ = writeln!(s, "  {v}");
        }
        s
    }

    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let fam = |f: &[Finding]| -> Vec<serde_json::Value> {
            f.iter()
                .map(|x| json!({"severity": x.severity, "title": x.title, "detail": x.detail}))
                .collect()
        };
        let m = self.confusion();
        json!({
            "families": self.counts().iter().map(|(k, c)| (k.clone(), json!({
                "tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn,
                "precision": c.precision(), "recall": c.recall(),
            }))).collect::<serde_json::Map<_, _>>(),
            "verdicts": {
                "columns": ["SAFU", "DYOR", "RISKY", "SCAM"],
                "malicious": m[0], "benign": m[1],
            },
            "samples": self.outcomes.iter().map(|o| json!({
                "name": o.name,
                "class": o.label.class.as_str(),
                "expected_verdict": o.label.verdict.as_str(),
                "verdict": o.result.verdict.as_str(),
                "score": o.result.score,
                "verdict_ok": o.verdict_ok(),
                "expected": o.label.families,
                "fired": o.fired.keys().collect::<Vec<_>>(),
                "source": o.label.source,
            })).collect::<Vec<_>>(),
            "misses": self.misses().iter().map(|m| json!({
                "sample": m.sample, "family": m.family, "check": m.check,
            })).collect::<Vec<_>>(),
            "false_alarms": self.false_alarms().iter().map(|f| json!({
                "sample": f.sample, "family": f.family, "findings": fam(f.findings),
            })).collect::<Vec<_>>(),
            "floor_violations": self.floor_violations(),
        })
    }
}

/// The corpus next to this crate, wherever cargo runs from.
pub fn default_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus")
}

fn main() {
    let mut dir = None;
    let mut as_json = false;
    for a in std::env::args().skip(1) {
        if a == "--json" {
            as_json = true;
        } else {
            dir = Some(PathBuf::from(a));
        }
    }
    let dir = dir.unwrap_or_else(default_corpus);
    let report = match run(&dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("eval: {e}");
            std::process::exit(2);
        }
    };
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report.json()).expect("json"));
    } else {
        print!("{}", report.text());
    }
}
