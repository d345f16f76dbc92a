//! The scan result, serialised exactly as the contract's `result` object:
//! `{"score","grade","verdict","summary","tags","red_flags","green_flags","checks"}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    /// Contract: A >= 90, B >= 70, C >= 50, D >= 30, else F.
    pub fn from_score(score: u8) -> Grade {
        match score {
            90.. => Grade::A,
            70..=89 => Grade::B,
            50..=69 => Grade::C,
            30..=49 => Grade::D,
            _ => Grade::F,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Safu,
    Dyor,
    Risky,
    Scam,
}

impl Verdict {
    /// Contract: SCAM when any critical scam finding or score < 20; RISKY < 50; DYOR < 80;
    /// else SAFU.
    pub fn decide(score: u8, critical_scam_finding: bool) -> Verdict {
        if critical_scam_finding || score < 20 {
            Verdict::Scam
        } else if score < 50 {
            Verdict::Risky
        } else if score < 80 {
            Verdict::Dyor
        } else {
            Verdict::Safu
        }
    }
    /// Every verdict, best first.
    pub const ALL: [Verdict; 4] = [Verdict::Safu, Verdict::Dyor, Verdict::Risky, Verdict::Scam];

    /// Parses `SAFU|DYOR|RISKY|SCAM`, case-insensitively, surrounding whitespace ignored (stored
    /// results and page parameters are read leniently).
    pub fn parse(s: &str) -> Option<Verdict> {
        let s = s.trim();
        Verdict::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Safu => "SAFU",
            Verdict::Dyor => "DYOR",
            Verdict::Risky => "RISKY",
            Verdict::Scam => "SCAM",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    Info,
}

/// A red or green flag. `id` is stable (`scam.drainer`, `secrets.github_token`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub detail: String,
}

/// One explainable check. Every point of the score belongs to exactly one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub id: String,
    pub name: String,
    pub status: CheckStatus,
    pub points: i32,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanResult {
    pub score: u8,
    pub grade: Grade,
    pub verdict: Verdict,
    pub summary: String,
    pub tags: Vec<String>,
    pub red_flags: Vec<Flag>,
    pub green_flags: Vec<Flag>,
    pub checks: Vec<Check>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades() {
        assert_eq!(Grade::from_score(100), Grade::A);
        assert_eq!(Grade::from_score(90), Grade::A);
        assert_eq!(Grade::from_score(89), Grade::B);
        assert_eq!(Grade::from_score(70), Grade::B);
        assert_eq!(Grade::from_score(50), Grade::C);
        assert_eq!(Grade::from_score(49), Grade::D);
        assert_eq!(Grade::from_score(30), Grade::D);
        assert_eq!(Grade::from_score(29), Grade::F);
        assert_eq!(Grade::from_score(0), Grade::F);
    }

    #[test]
    fn verdicts() {
        assert_eq!(Verdict::decide(95, true), Verdict::Scam);
        assert_eq!(Verdict::decide(19, false), Verdict::Scam);
        assert_eq!(Verdict::decide(20, false), Verdict::Risky);
        assert_eq!(Verdict::decide(49, false), Verdict::Risky);
        assert_eq!(Verdict::decide(50, false), Verdict::Dyor);
        assert_eq!(Verdict::decide(79, false), Verdict::Dyor);
        assert_eq!(Verdict::decide(80, false), Verdict::Safu);
    }

    #[test]
    fn serialises_as_contract() {
        let r = ScanResult {
            score: 72,
            grade: Grade::B,
            verdict: Verdict::Dyor,
            summary: "s".into(),
            tags: vec!["#HasTests".into()],
            red_flags: vec![Flag {
                id: "x".into(),
                severity: Severity::Critical,
                title: "t".into(),
                detail: "d".into(),
            }],
            green_flags: vec![],
            checks: vec![Check {
                id: "c".into(),
                name: "n".into(),
                status: CheckStatus::Warn,
                points: -3,
                detail: "d".into(),
            }],
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "score": 72, "grade": "B", "verdict": "DYOR", "summary": "s", "tags": ["#HasTests"],
                "red_flags": [{"id":"x","severity":"critical","title":"t","detail":"d"}],
                "green_flags": [],
                "checks": [{"id":"c","name":"n","status":"warn","points":-3,"detail":"d"}]
            })
        );
        let back: ScanResult = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }
}
