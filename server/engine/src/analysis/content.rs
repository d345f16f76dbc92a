//! Checks built from the content pass: leaked secrets, the scam detectors, and scan
//! coverage (what was skipped and why).

use super::classify;
use super::finding::{ScamFinding, SecretFinding, CHECKS};
use super::scanner::ContentReport;
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;

/// Points for the "no leaked secrets" check and each clean scam check.
pub const SECRETS_PASS_POINTS: i32 = 6;
pub const SCAM_PASS_POINTS: i32 = 1;
const MAX_FLAGS_PER_CHECK: usize = 10;
/// The most that low secret findings cost together (see [`secrets`]).
const LOW_SECRETS_MAX: i32 = 3;

fn secret_penalty(s: Severity) -> i32 {
    match s {
        Severity::Critical => -15,
        Severity::High => -10,
        Severity::Medium => -4,
        Severity::Low => -1,
        Severity::Info => 0,
    }
}

fn scam_penalty(s: Severity) -> i32 {
    match s {
        Severity::Critical => -50,
        Severity::High => -15,
        Severity::Medium => -5,
        _ => 0,
    }
}

/// Keys in tests and examples are usually fixtures (TLS test certificates, demo keys):
/// still reported, but low.
fn downgrade(s: Severity) -> Severity {
    s.min(Severity::Low)
}

pub fn secrets(report: &ContentReport) -> Assessment {
    let mut a = Assessment::default();
    let mut all: Vec<(SecretFinding, bool)> = Vec::new();
    for f in &report.files {
        // Inside a Rust `#[cfg(test)]` module (it runs to the end of the file).
        let test_from = (f.test_lines > 0).then(|| f.lines - f.test_lines + 1);
        for s in &f.secrets {
            let in_test = f.is_test || classify::sample_path(&s.path) || test_from.is_some_and(|l| s.line >= l);
            all.push((s.clone(), in_test));
        }
    }
    // Info findings (public client keys such as a Firebase web config) are listed, not
    // counted: they are public by design.
    let (public, mut all): (Vec<_>, Vec<_>) = all.into_iter().partition(|(s, _)| s.severity == Severity::Info);
    for (s, _) in public.iter().take(MAX_FLAGS_PER_CHECK) {
        a.red(
            &format!("secrets.{}", s.rule),
            Severity::Info,
            s.title.clone(),
            format!(
                "{} line {}: {}. Public by design; check its restrictions.",
                s.path, s.line, s.redacted
            ),
        );
    }
    if all.is_empty() {
        a.check(
            "secrets",
            "Leaked secrets",
            CheckStatus::Pass,
            SECRETS_PASS_POINTS,
            format!(
                "No API keys, private keys or seed phrases found in {} scanned files.",
                report.files.len()
            ),
        );
        a.green(
            "secrets",
            "No leaked secrets",
            "No credentials, wallet keys or seed phrases were found in the code.",
        );
        return a;
    }
    let effective = |(s, in_test): &(SecretFinding, bool)| if *in_test { downgrade(s.severity) } else { s.severity };
    // The worst first: only the first findings are listed as red flags, and a live key must
    // not hide behind a hundred fixtures.
    all.sort_by_key(|f| std::cmp::Reverse(effective(f)));
    // Low findings (fixtures, documentation examples, local development accounts) ask for a
    // look, not a verdict: together they cost at most `LOW_SECRETS_MAX`, however many a
    // library's test suite holds (web3.js has over a hundred).
    let (mut serious, mut low) = (0, 0);
    for f in &all {
        match effective(f) {
            Severity::Low => low += secret_penalty(Severity::Low),
            sev => serious += secret_penalty(sev),
        }
    }
    let points = (serious + low.max(-LOW_SECRETS_MAX)).max(-40);
    let files: std::collections::BTreeSet<&str> = all.iter().map(|(s, _)| s.path.as_str()).collect();
    let only_fixtures = all.iter().all(|f| effective(f) <= Severity::Low);
    a.check(
        "secrets",
        "Leaked secrets",
        if only_fixtures { CheckStatus::Warn } else { CheckStatus::Fail },
        points,
        if only_fixtures {
            format!("{} key(s) in tests, examples or documentation ({} file(s)), most likely fixtures; check none is live. Values are redacted here.", all.len(), files.len())
        } else {
            format!("{} secret(s) found in {} file(s); anyone can copy them from the repository. Values are redacted here.", all.len(), files.len())
        },
    );
    for f in all.iter().take(MAX_FLAGS_PER_CHECK) {
        let ((s, in_test), sev) = (f, effective(f));
        a.red(
            &format!("secrets.{}", s.rule),
            sev,
            format!(
                "{}{}",
                s.title,
                if *in_test { " (in test or example code)" } else { "" }
            ),
            format!(
                "{} line {}: {}. Rotate it: a secret in git history stays public.",
                s.path, s.line, s.redacted
            ),
        );
    }
    if all.len() > MAX_FLAGS_PER_CHECK {
        a.red(
            "secrets.more",
            Severity::Info,
            format!("{} more secrets", all.len() - MAX_FLAGS_PER_CHECK),
            "Only the first findings are listed.",
        );
    }
    if all.iter().any(|(s, t)| !t && s.severity >= Severity::High) {
        a.tag("#LeakedSecrets");
    }
    a
}

fn tag_for(check: &str) -> &'static str {
    match check {
        "scam.wallet_exfiltration" => "#WalletStealer",
        "scam.drainer" => "#Drainer",
        "scam.obfuscation" => "#Obfuscated",
        "scam.install_scripts" => "#InstallHook",
        "scam.executables" => "#Executable",
        "scam.hidden_unicode" => "#TrojanSource",
        "scam.malware" => "#Malware",
        _ => "#Typosquat",
    }
}

/// Points of one scam check's findings. Each severity counts at most twice: the same kind
/// of finding repeated across a repository (fifteen data blobs in one library) is one
/// fact, not fifteen, and must not sink a real library by repetition. Critical findings
/// make the verdict SCAM on their own, whatever their points.
fn repeated_penalty(severities: impl Iterator<Item = Severity>) -> i32 {
    let mut seen: std::collections::BTreeMap<Severity, i32> = Default::default();
    for s in severities {
        *seen.entry(s).or_default() += 1;
    }
    seen.iter()
        .map(|(s, n)| scam_penalty(*s) * (*n).min(2))
        .sum::<i32>()
        .max(-100)
}

pub fn scam(report: &ContentReport, extra: &[ScamFinding]) -> Assessment {
    let mut a = Assessment::default();
    let all: Vec<&ScamFinding> = report
        .files
        .iter()
        .flat_map(|f| f.scam.iter())
        .chain(report.binary_findings.iter())
        .chain(extra.iter())
        .collect();
    for (id, name) in CHECKS {
        let mut found: Vec<&ScamFinding> = all.iter().copied().filter(|f| f.check == id).collect();
        found.sort_by(|x, y| y.severity.cmp(&x.severity).then(x.path.cmp(&y.path)));
        let worst = found.first().map(|f| f.severity);
        match worst {
            None | Some(Severity::Info) | Some(Severity::Low) => {
                let detail = if found.is_empty() {
                    "Nothing found.".to_string()
                } else {
                    format!(
                        "Only low-severity findings (test fixtures, generated artifacts): {}",
                        found[0].detail
                    )
                };
                a.check(id, name, CheckStatus::Pass, SCAM_PASS_POINTS, detail);
            }
            Some(sev) => {
                let points = repeated_penalty(found.iter().map(|f| f.severity));
                let status = if sev >= Severity::High {
                    CheckStatus::Fail
                } else {
                    CheckStatus::Warn
                };
                a.check(id, name, status, points, found[0].detail.clone());
                if sev == Severity::Critical {
                    a.critical_scam = true;
                    a.tag("#ScamPattern");
                }
                if sev >= Severity::High {
                    a.tag(tag_for(id));
                }
            }
        }
        for f in found
            .iter()
            .filter(|f| f.severity > Severity::Info)
            .take(MAX_FLAGS_PER_CHECK)
        {
            a.red(id, f.severity, f.title.clone(), f.detail.clone());
        }
    }
    if !a.critical_scam && a.checks.iter().all(|c| c.status == CheckStatus::Pass) {
        a.green(
            "scam",
            "No scam patterns",
            "No wallet stealers, drainers, obfuscated payloads, install hooks or look-alike packages were found.",
        );
    }
    a
}

/// Scan coverage: zero points, but says what was not looked at and why.
pub fn coverage(report: &ContentReport, incomplete: bool) -> Assessment {
    let mut a = Assessment::default();
    let mut reasons: std::collections::BTreeMap<&str, usize> = Default::default();
    for (_, r) in &report.skipped {
        let key = r.split(" (").next().unwrap_or(r);
        *reasons.entry(key).or_default() += 1;
    }
    let skipped = if reasons.is_empty() {
        "none skipped".to_string()
    } else {
        format!(
            "skipped {}",
            reasons
                .iter()
                .map(|(r, n)| format!("{n} {r}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let detail = format!(
        "Scanned {} files ({:.1} MB); {}{}.",
        report.files.len(),
        report.bytes_scanned as f64 / 1_048_576.0,
        skipped,
        if incomplete {
            "; the repository exceeded the size limits, so only part of it was scanned"
        } else {
            ""
        }
    );
    a.check(
        "coverage",
        "Scan coverage",
        if incomplete {
            CheckStatus::Warn
        } else {
            CheckStatus::Info
        },
        0,
        detail,
    );
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_findings_of_one_severity_count_twice() {
        use Severity::*;
        assert_eq!(repeated_penalty([Medium].into_iter()), -5);
        assert_eq!(repeated_penalty(std::iter::repeat_n(Medium, 15)), -10);
        assert_eq!(repeated_penalty([High, Medium, Medium, Medium].into_iter()), -25);
        assert_eq!(repeated_penalty(std::iter::repeat_n(Critical, 5)), -100);
        assert_eq!(repeated_penalty([Critical, Critical, High, High].into_iter()), -100);
    }

    fn file(path: &str, is_test: bool, secrets: Vec<SecretFinding>) -> super::super::scanner::FileScan {
        super::super::scanner::FileScan {
            path: path.into(),
            kind: classify::kind_of(path),
            bytes: 100,
            lines: 10,
            test_lines: if is_test { 10 } else { 0 },
            is_test,
            counts: [0; super::super::anchors::NSIG],
            secrets,
            scam: Vec::new(),
        }
    }

    fn key(path: &str, line: u32, severity: Severity) -> SecretFinding {
        SecretFinding {
            rule: "eth_private_key",
            title: "Wallet private key (hex)".into(),
            severity,
            path: path.into(),
            line,
            redacted: "…[64 chars]".into(),
        }
    }

    /// web3.js: a hundred fixture keys in its tests and five in its JSDoc examples are a look,
    /// not a verdict; one live key among them still fails the check and is listed first.
    #[test]
    fn fixture_keys_cost_little_however_many_and_a_live_one_is_listed_first() {
        let fixtures: Vec<_> = (1..=100)
            .map(|l| key("test/fixtures/accounts.ts", l, Severity::Critical))
            .collect();
        let docs: Vec<_> = (1..=5).map(|l| key("src/account.ts", l, Severity::Low)).collect();
        let mut report = ContentReport {
            files: vec![
                file("test/fixtures/accounts.ts", true, fixtures),
                file("src/account.ts", false, docs),
            ],
            ..Default::default()
        };
        let a = secrets(&report);
        let check = &a.checks[0];
        assert_eq!(
            (check.status, check.points),
            (CheckStatus::Warn, -LOW_SECRETS_MAX),
            "{check:?}"
        );
        assert!(!a.tags.contains(&"#LeakedSecrets".to_string()));

        report.files.push(file(
            "src/deploy.ts",
            false,
            vec![key("src/deploy.ts", 7, Severity::Critical)],
        ));
        let a = secrets(&report);
        let check = &a.checks[0];
        assert_eq!(
            (check.status, check.points),
            (CheckStatus::Fail, -15 - LOW_SECRETS_MAX),
            "{check:?}"
        );
        assert_eq!(
            (
                a.red_flags[0].severity,
                a.red_flags[0].detail.starts_with("src/deploy.ts line 7")
            ),
            (Severity::Critical, true)
        );
        assert!(a.tags.contains(&"#LeakedSecrets".to_string()));
    }
}
