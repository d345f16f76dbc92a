//! AI-wrapper signal: the README sells "AI", the code is a thin layer over someone else's
//! chat-completion API (LLM SDK calls are nearly all of the logic, no model code).

use super::anchors::Sig;
use super::project::ProjectFacts;
use super::scanner::ContentReport;
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AiSignal {
    pub claims: Vec<&'static str>,
    pub llm_files: Vec<String>,
    pub llm_lines: u64,
    pub code_lines: u64,
    pub model_code: bool,
}

impl AiSignal {
    pub fn share(&self) -> f64 {
        if self.code_lines == 0 {
            0.0
        } else {
            self.llm_lines as f64 / self.code_lines as f64
        }
    }
    /// Claims AI, calls a hosted LLM, trains/runs no model itself, and the LLM-calling files
    /// are most of the code.
    pub fn is_wrapper(&self) -> bool {
        self.claims.len() >= 2
            && !self.llm_files.is_empty()
            && !self.model_code
            && self.share() >= 0.5
    }
}

const CLAIMS: [&str; 14] = [
    "ai-powered",
    "artificial intelligence",
    "machine learning",
    "neural",
    "gpt",
    "llm",
    "ai agent",
    "autonomous",
    "proprietary model",
    "our model",
    "deep learning",
    "ai-driven",
    "powered by ai",
    "trained on",
];

pub fn signal(facts: &ProjectFacts, report: &ContentReport) -> AiSignal {
    let readme = facts.readme_text.to_ascii_lowercase();
    let mut s = AiSignal {
        claims: CLAIMS
            .iter()
            .copied()
            .filter(|c| readme.contains(c))
            .collect(),
        code_lines: facts.code_lines,
        ..Default::default()
    };
    // A bare " ai " repeated is a claim too ("the AI finds gems").
    if readme.matches(" ai ").count() + readme.matches(" ai.").count() >= 3 {
        s.claims.push("AI");
    }
    for f in report
        .files
        .iter()
        .filter(|f| f.kind.is_code() && !f.is_test)
    {
        if f.count(Sig::ModelCode) > 0 {
            s.model_code = true;
        }
        if f.count(Sig::LlmSdk) + f.count(Sig::LlmEndpoint) > 0
            && f.count(Sig::LlmEndpoint) + f.count(Sig::LlmSdk) >= 2
        {
            s.llm_files.push(f.path.clone());
            s.llm_lines += (f.lines - f.test_lines) as u64;
        }
    }
    s
}

pub fn assess(sig: &AiSignal) -> Assessment {
    let mut a = Assessment::default();
    let name = "AI claims vs code";
    if sig.is_wrapper() {
        a.check(
            "ai_wrapper",
            name,
            CheckStatus::Warn,
            -10,
            format!(
                "The README claims {} but {:.0}% of the code ({}) just calls a hosted LLM API and there is no model code.",
                sig.claims.iter().take(3).map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "),
                sig.share() * 100.0,
                sig.llm_files.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
            ),
        );
        a.red(
            "ai_wrapper",
            Severity::Medium,
            "AI wrapper",
            "The \"AI\" is a third-party chat API behind a thin layer of code.",
        );
        a.tag("#AIWrapper");
    } else if !sig.llm_files.is_empty() {
        a.check(
            "ai_wrapper",
            name,
            CheckStatus::Info,
            0,
            format!(
                "Uses a hosted LLM in {} file(s), {:.0}% of the code: one feature among others.",
                sig.llm_files.len(),
                sig.share() * 100.0
            ),
        );
    } else {
        a.check(
            "ai_wrapper",
            name,
            CheckStatus::Info,
            0,
            "No hosted-LLM calls found.",
        );
    }
    a
}
