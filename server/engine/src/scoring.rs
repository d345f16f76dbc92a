//! Turns checks and flags into the final result: score = clamped sum of check points,
//! grade and verdict from the contract, tags, and a one-line summary a trader can read.

use crate::result::{Check, CheckStatus, Flag, Grade, ScanResult, Severity, Verdict};

/// Everything the analyses produced, before scoring.
#[derive(Debug, Default, Clone)]
pub struct Assessment {
    pub checks: Vec<Check>,
    pub red_flags: Vec<Flag>,
    pub green_flags: Vec<Flag>,
    pub tags: Vec<String>,
    /// Set by scam detectors for a critical finding: forces the SCAM verdict.
    pub critical_scam: bool,
}

impl Assessment {
    pub fn check(&mut self, id: &str, name: &str, status: CheckStatus, points: i32, detail: impl Into<String>) {
        self.checks.push(Check {
            id: id.into(),
            name: name.into(),
            status,
            points,
            detail: detail.into(),
        });
    }
    pub fn red(&mut self, id: &str, severity: Severity, title: impl Into<String>, detail: impl Into<String>) {
        self.red_flags.push(Flag {
            id: id.into(),
            severity,
            title: title.into(),
            detail: detail.into(),
        });
    }
    pub fn green(&mut self, id: &str, title: impl Into<String>, detail: impl Into<String>) {
        self.green_flags.push(Flag {
            id: id.into(),
            severity: Severity::Info,
            title: title.into(),
            detail: detail.into(),
        });
    }
    pub fn tag(&mut self, t: &str) {
        debug_assert!(t.starts_with('#'));
        self.tags.push(t.to_string());
    }
    pub fn merge(&mut self, other: Assessment) {
        self.checks.extend(other.checks);
        self.red_flags.extend(other.red_flags);
        self.green_flags.extend(other.green_flags);
        self.tags.extend(other.tags);
        self.critical_scam |= other.critical_scam;
    }
}

/// Sum of points clamped to 0..=100.
pub fn score_of(checks: &[Check]) -> u8 {
    let sum: i64 = checks.iter().map(|c| c.points as i64).sum();
    sum.clamp(0, 100) as u8
}

/// Build the final result. `subject` names what was scanned, for the summary.
pub fn finish(mut a: Assessment, subject: &str) -> ScanResult {
    let score = score_of(&a.checks);
    let grade = Grade::from_score(score);
    let verdict = Verdict::decide(score, a.critical_scam);
    a.tags.sort();
    a.tags.dedup();
    // Worst first; stable so detectors' order breaks ties.
    a.red_flags.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let summary = summarise(subject, score, verdict, &a.checks, &a.red_flags, &a.green_flags);
    ScanResult {
        score,
        grade,
        verdict,
        summary,
        tags: a.tags,
        red_flags: a.red_flags,
        green_flags: a.green_flags,
        checks: a.checks,
    }
}

/// Recompute score, grade, verdict and summary after checks or flags were added to a
/// finished result (the orchestration's similarity finding). `critical_scam` is whether a
/// critical scam finding forces SCAM.
pub fn rescore(r: &mut ScanResult, subject: &str, critical_scam: bool) {
    r.red_flags.sort_by_key(|f| std::cmp::Reverse(f.severity));
    r.tags.sort();
    r.tags.dedup();
    r.score = score_of(&r.checks);
    r.grade = Grade::from_score(r.score);
    r.verdict = Verdict::decide(r.score, critical_scam);
    r.summary = summarise(subject, r.score, r.verdict, &r.checks, &r.red_flags, &r.green_flags);
}

fn summarise(
    subject: &str,
    score: u8,
    verdict: Verdict,
    checks: &[Check],
    red_flags: &[Flag],
    green_flags: &[Flag],
) -> String {
    let passed = checks.iter().filter(|c| c.status == CheckStatus::Pass).count();
    let total = checks.len();
    let head = match verdict {
        Verdict::Scam => "Likely scam",
        Verdict::Risky => "Risky",
        Verdict::Dyor => "Do your own research",
        Verdict::Safu => "Looks legitimate",
    };
    let mut s = format!("{head}: {subject} scores {score}/100 ({passed} of {total} checks passed).");
    let worst: Vec<&str> = red_flags
        .iter()
        .filter(|f| f.severity >= Severity::High)
        .take(2)
        .map(|f| f.title.as_str())
        .collect();
    if !worst.is_empty() {
        s.push_str(&format!(" Main concern: {}.", worst.join("; ")));
    } else if let Some(f) = red_flags.first() {
        s.push_str(&format!(" Watch: {}.", f.title));
    }
    let good: Vec<&str> = green_flags.iter().take(3).map(|f| f.title.as_str()).collect();
    if !good.is_empty() && verdict != Verdict::Scam {
        s.push_str(&format!(" Strengths: {}.", good.join("; ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_clamped_sum() {
        let mut a = Assessment::default();
        a.check("a", "A", CheckStatus::Pass, 70, "");
        a.check("b", "B", CheckStatus::Pass, 50, "");
        assert_eq!(score_of(&a.checks), 100);
        a.check("c", "C", CheckStatus::Fail, -200, "");
        assert_eq!(score_of(&a.checks), 0);
    }

    #[test]
    fn critical_scam_forces_scam() {
        let mut a = Assessment::default();
        a.check("a", "A", CheckStatus::Pass, 95, "");
        a.critical_scam = true;
        a.red("scam.drainer", Severity::Critical, "Wallet drainer", "d");
        a.tag("#Drainer");
        a.tag("#Drainer");
        let r = finish(a, "x/y");
        assert_eq!(r.verdict, Verdict::Scam);
        assert_eq!(r.grade, Grade::A);
        assert_eq!(r.tags, vec!["#Drainer".to_string()]);
        assert!(r.summary.contains("Wallet drainer"), "{}", r.summary);
    }

    #[test]
    fn flags_sorted_worst_first() {
        let mut a = Assessment::default();
        a.red("l", Severity::Low, "low", "");
        a.red("c", Severity::Critical, "crit", "");
        a.red("m", Severity::Medium, "med", "");
        let r = finish(a, "s");
        let sev: Vec<Severity> = r.red_flags.iter().map(|f| f.severity).collect();
        assert_eq!(sev, vec![Severity::Critical, Severity::Medium, Severity::Low]);
        assert_eq!(r.verdict, Verdict::Scam); // score 0 < 20
    }
}
