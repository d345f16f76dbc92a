//! The findings of the content pass, per file: secrets (redacted, never the value) and scam
//! patterns (one of the scam checks).

use crate::result::Severity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFinding {
    /// Stable rule id, e.g. `github_token`; flags use `secrets.{rule}`.
    pub rule: &'static str,
    /// Human title; says "(base64-encoded)" when the value was found decoded.
    pub title: String,
    pub severity: Severity,
    pub path: String,
    pub line: u32,
    /// Redacted preview: public prefix, length and a short hash. Never the value.
    pub redacted: String,
}

/// Check ids of the scam detectors, in report order.
pub const CHECKS: [(&str, &str); 8] = [
    ("scam.wallet_exfiltration", "Wallet theft and exfiltration"),
    ("scam.drainer", "Wallet drainer logic"),
    ("scam.obfuscation", "Obfuscated code"),
    ("scam.install_scripts", "Install-time code execution"),
    ("scam.executables", "Committed executables"),
    ("scam.hidden_unicode", "Hidden bidirectional Unicode"),
    ("scam.typosquat", "Typosquatted dependencies"),
    ("scam.malware", "Malicious behaviour"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScamFinding {
    /// One of [`CHECKS`]' ids.
    pub check: &'static str,
    pub severity: Severity,
    pub title: String,
    pub path: String,
    pub line: u32,
    pub detail: String,
}

impl ScamFinding {
    pub(super) fn new(
        check: &'static str,
        severity: Severity,
        title: &str,
        path: &str,
        line: u32,
        detail: impl Into<String>,
    ) -> Self {
        ScamFinding {
            check,
            severity,
            title: title.into(),
            path: path.into(),
            line,
            detail: detail.into(),
        }
    }

    /// Test code of security tools legitimately holds these patterns: reported, but low.
    pub(super) fn demote_to_test(&mut self) {
        self.severity = self.severity.min(Severity::Low);
        self.title = format!("{} (in test files)", self.title);
    }
}
