//! AI-wrapper signal, by contradiction: the README claims a proprietary, in-house or
//! custom-trained model, the code has no model of its own and calls a hosted LLM API. How
//! much of the code the calls take does not matter (a CLI, prompts and tests easily make
//! them a minority); what matters is that the claim is false. Projects that say what they
//! are ("built on GPT-4", "uses Claude") are honest wrappers and are not penalised, however
//! much "AI-powered" marketing surrounds that sentence.

use super::anchors::Sig;
use super::project::ProjectFacts;
use super::scanner::ContentReport;
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AiSignal {
    /// Generic AI marketing phrases found in the README (context only, never penalised).
    pub claims: Vec<&'static str>,
    /// The README sentence claiming a model of the project's own, as written.
    pub proprietary_claim: Option<String>,
    /// The README sentence saying the AI is a hosted model ("built on GPT-4"), as written.
    pub disclosure: Option<String>,
    pub llm_files: Vec<String>,
    pub llm_lines: u64,
    pub code_lines: u64,
    /// The first code file that trains or runs a model itself (PyTorch, TensorFlow, ...).
    pub model_file: Option<String>,
}

impl AiSignal {
    pub fn share(&self) -> f64 {
        if self.code_lines == 0 {
            0.0
        } else {
            self.llm_lines as f64 / self.code_lines as f64
        }
    }
    /// Claims a model of its own, has none, calls a hosted LLM and does not say so.
    pub fn is_wrapper(&self) -> bool {
        self.proprietary_claim.is_some()
            && self.disclosure.is_none()
            && self.model_file.is_none()
            && !self.llm_files.is_empty()
    }
}

const CLAIMS: [&str; 12] = [
    "ai-powered",
    "artificial intelligence",
    "machine learning",
    "neural",
    "llm",
    "ai agent",
    "autonomous",
    "deep learning",
    "ai-driven",
    "powered by ai",
    "proprietary",
    "trained on",
];

/// Words that claim the model is the project's own, in front of the model noun
/// ("our proprietary AI model", "trained our own model", "custom-trained LLM").
const OWN_BEFORE: &[&[&str]] = &[
    &["proprietary"],
    &["in", "house"],
    &["inhouse"],
    &["our", "own"],
    &["custom", "trained"],
    &["self", "trained"],
    &["we", "trained"],
    &["homegrown"],
    &["home", "grown"],
];
/// The same claim after the noun ("a model developed in-house", "models we trained
/// ourselves", "an LLM trained from scratch").
const OWN_AFTER: &[&[&str]] = &[&["in", "house"], &["inhouse"], &["ourselves"], &["from", "scratch"]];
/// What the claim must be about: a model, not a "proprietary trading strategy".
const MODEL_NOUNS: &[&str] = &["model", "models", "llm", "llms", "ai", "neural", "transformer", "ml"];
/// Before a claim or a disclosure these turn it around ("we do not train our own model",
/// "unlike bots built on ChatGPT").
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "without", "t", "unlike", "than", "instead", "vs", "versus",
];
/// Hosted LLM products and SDKs a README can name.
const PROVIDERS: &[&str] = &[
    "gpt",
    "gpt4",
    "gpt4o",
    "chatgpt",
    "openai",
    "claude",
    "anthropic",
    "gemini",
    "groq",
    "grok",
    "openrouter",
    "mistral",
    "deepseek",
    "llama",
    "langchain",
];
/// "built on", "powered by", "uses", "wrapper around", … in front of a provider.
const DISCLOSE_BEFORE: &[&str] = &[
    "on",
    "by",
    "use",
    "uses",
    "using",
    "via",
    "wraps",
    "wrapper",
    "wrapping",
    "around",
    "calls",
    "calling",
    "leverages",
    "leveraging",
    "through",
    "atop",
];
/// "GPT-4 powered", "OpenAI-based" after a provider.
const DISCLOSE_AFTER: &[&str] = &["powered", "based", "driven", "backed"];

/// README prose cut into sentences: paragraphs (blank lines, headings, list items and table
/// rows start new ones) split at `.`, `!`, `?` followed by a space, so `web3.js` and
/// `GPT-4.1` stay whole.
fn sentences(text: &str) -> Vec<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let t = line.trim();
        let block_start = t.is_empty()
            || t.starts_with(['#', '-', '*', '+', '|', '>'])
            || t.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if block_start && !cur.is_empty() {
            paragraphs.push(std::mem::take(&mut cur));
        }
        if !t.is_empty() {
            cur.push_str(t);
            cur.push(' ');
        }
        // A heading is a sentence of its own, never the start of the next one.
        if t.starts_with('#') {
            paragraphs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        paragraphs.push(cur);
    }
    let mut out = Vec::new();
    for p in paragraphs {
        let mut start = 0;
        let b = p.as_bytes();
        for i in 0..b.len() {
            // Only at an ASCII terminator is `i` sure to be a char boundary to slice at.
            if matches!(b[i], b'.' | b'!' | b'?')
                && b.get(i + 1).is_none_or(|c| *c == b' ')
                && !p[start..i].trim().bytes().all(|c| c.is_ascii_digit())
            {
                out.push(p[start..=i].to_string());
                start = i + 1;
            }
        }
        out.push(p[start..].to_string());
    }
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Lower-case words of a sentence (`in-house` → `in`, `house`; `don't` → `don`, `t`).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect()
}

fn phrase_at(w: &[String], i: usize, phrase: &[&str]) -> bool {
    w.len() >= i + phrase.len() && phrase.iter().enumerate().all(|(j, p)| w[i + j] == *p)
}

fn negated(w: &[String], i: usize, window: usize) -> bool {
    w[i.saturating_sub(window)..i]
        .iter()
        .any(|x| NEGATIONS.contains(&x.as_str()))
}

/// Words that end the phrase a claim qualifies: in "our proprietary trading engine uses AI"
/// the AI is not what is proprietary.
const PHRASE_END: &[&str] = &[
    "uses", "use", "using", "with", "for", "to", "and", "that", "which", "is", "are", "by", "on",
];

fn is_model_noun(w: &[String], j: usize) -> bool {
    MODEL_NOUNS.contains(&w[j].as_str())
        || (w[j] == "learning" && j > 0 && matches!(w[j - 1].as_str(), "machine" | "deep"))
}

/// A model noun among the (up to) five words after a qualifier, before the phrase ends.
fn model_noun_after(w: &[String], from: usize) -> bool {
    (from..(from + 5).min(w.len()))
        .take_while(|&j| !PHRASE_END.contains(&w[j].as_str()))
        .any(|j| is_model_noun(w, j))
}

/// A model noun among the four words before a trailing qualifier ("a model built in-house").
fn model_noun_before(w: &[String], to: usize) -> bool {
    (to.saturating_sub(4)..to).any(|j| is_model_noun(w, j))
}

/// Does the sentence claim a model of the project's own?
pub fn claims_own_model(sentence: &str) -> bool {
    let w = words(sentence);
    for i in 0..w.len() {
        for q in OWN_BEFORE {
            if phrase_at(&w, i, q) && !negated(&w, i, 2) && model_noun_after(&w, i + q.len()) {
                return true;
            }
        }
        for q in OWN_AFTER {
            if phrase_at(&w, i, q) && !negated(&w, i, 6) && model_noun_before(&w, i) {
                return true;
            }
        }
    }
    false
}

/// Does the sentence say the AI is a hosted model ("built on GPT-4", "powered by OpenAI",
/// "uses Claude", "a wrapper around the OpenAI API", "GPT-4 powered")?
pub fn discloses_provider(sentence: &str) -> bool {
    let w = words(sentence);
    (0..w.len()).any(|i| {
        if !PROVIDERS.contains(&w[i].as_str()) {
            return false;
        }
        let before = w[i.saturating_sub(4)..i]
            .iter()
            .position(|x| DISCLOSE_BEFORE.contains(&x.as_str()))
            .map(|p| i.saturating_sub(4) + p);
        let after = w[i + 1..(i + 4).min(w.len())]
            .iter()
            .any(|x| DISCLOSE_AFTER.contains(&x.as_str()));
        match before {
            Some(v) => !negated(&w, v, 4),
            None => after && !negated(&w, i, 4),
        }
    })
}

/// A README sentence as a short quote: markdown emphasis dropped, at most 160 characters.
fn quote(s: &str) -> String {
    let s: String = s.replace("**", "").replace('`', "");
    let s = s.trim_start_matches(['#', '-', '*', '+', '>', ' ']).trim();
    if s.chars().count() <= 160 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(160).collect::<String>())
    }
}

pub fn signal(facts: &ProjectFacts, report: &ContentReport) -> AiSignal {
    let readme = facts.readme_text.to_ascii_lowercase();
    let mut s = AiSignal {
        claims: CLAIMS.iter().copied().filter(|c| readme.contains(c)).collect(),
        code_lines: facts.code_lines,
        ..Default::default()
    };
    for sentence in sentences(&facts.readme_text) {
        if s.disclosure.is_none() && discloses_provider(&sentence) {
            s.disclosure = Some(quote(&sentence));
        }
        if s.proprietary_claim.is_none() && claims_own_model(&sentence) {
            s.proprietary_claim = Some(quote(&sentence));
        }
    }
    for f in report.files.iter().filter(|f| f.kind.is_code() && !f.is_test) {
        if f.count(Sig::ModelCode) > 0 && s.model_file.is_none() {
            s.model_file = Some(f.path.clone());
        }
        if f.count(Sig::LlmEndpoint) + f.count(Sig::LlmSdk) >= 2 {
            s.llm_files.push(f.path.clone());
            s.llm_lines += (f.lines - f.test_lines) as u64;
        }
    }
    s
}

fn file_list(files: &[String]) -> String {
    let mut out = files.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if files.len() > 3 {
        out.push_str(&format!(" and {} more", files.len() - 3));
    }
    out
}

pub fn assess(sig: &AiSignal) -> Assessment {
    let mut a = Assessment::default();
    let name = "AI claims vs code";
    let info = |a: &mut Assessment, detail: String| {
        a.check("ai_wrapper", name, CheckStatus::Info, 0, detail);
    };
    if sig.is_wrapper() {
        let claim = sig.proprietary_claim.as_deref().unwrap_or_default();
        a.check(
            "ai_wrapper",
            name,
            CheckStatus::Warn,
            -10,
            format!(
                "The README claims a model of its own (\"{claim}\") but the code trains and runs no model (no PyTorch, TensorFlow, JAX, scikit-learn, ONNX, candle or tch): its AI is a hosted LLM API called from {}.",
                file_list(&sig.llm_files)
            ),
        );
        a.red(
            "ai_wrapper",
            Severity::Medium,
            "AI wrapper",
            format!(
                "The \"own model\" is a third-party chat API ({}), not the project's work.",
                sig.llm_files[0]
            ),
        );
        a.tag("#AIWrapper");
    } else if sig.llm_files.is_empty() {
        info(&mut a, "No hosted-LLM calls found.".to_string());
    } else if let Some(d) = &sig.disclosure {
        info(
            &mut a,
            format!(
                "Calls a hosted LLM in {} file(s) and the README says so (\"{d}\"): an honest wrapper.",
                sig.llm_files.len()
            ),
        );
    } else if let (Some(_), Some(m)) = (&sig.proprietary_claim, &sig.model_file) {
        info(
            &mut a,
            format!(
                "The README claims a model of its own and the code has model code ({m}); it also calls a hosted LLM in {} file(s).",
                sig.llm_files.len()
            ),
        );
    } else {
        info(
            &mut a,
            format!(
                "Uses a hosted LLM in {} file(s), {:.0}% of the code, and claims no model of its own.",
                sig.llm_files.len(),
                sig.share() * 100.0
            ),
        );
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_text_with_non_ascii_characters() {
        // Regression: slicing at every byte panicked inside a multi-byte character.
        let s = sentences("Settings › 'Start at login' registers it. Café ☕ works. 1. Done!");
        assert_eq!(
            s,
            [
                "Settings › 'Start at login' registers it.",
                "Café ☕ works.",
                "1. Done!"
            ]
        );
    }

    #[test]
    fn own_model_claims() {
        for s in [
            "AlphaMind runs on our proprietary AI model.",
            "We trained our own model on five years of order books.",
            "An in-house neural network scores every launch.",
            "Powered by a custom-trained LLM.",
            "Our **proprietary**, state-of-the-art AI model finds gems.",
            "The model was developed in-house by our quant team.",
            "Signals come from models we trained ourselves.",
            "Our own machine learning engine ranks tokens.",
        ] {
            assert!(claims_own_model(s), "{s}");
        }
        for s in [
            "AI-powered trading agent for Solana.",
            "Our proprietary trading strategies beat the market.",
            "Our proprietary trading engine uses AI signals.",
            "Proprietary order routing and AI-assisted alerts.",
            "This software is proprietary.",
            "We do not train our own model: it is GPT-4 underneath.",
            "Run your own node and your own wallet.",
            "Our model of the order book is a simple heap.",
            "Built from scratch in Rust.",
            "An in-house API for price feeds.",
        ] {
            assert!(!claims_own_model(s), "{s}");
        }
    }

    #[test]
    fn provider_disclosures() {
        for s in [
            "Built on GPT-4.",
            "Powered by OpenAI.",
            "It uses Claude to summarise threads.",
            "A thin wrapper around the OpenAI API.",
            "GPT-4o powered sentiment analysis.",
            "Runs on top of Anthropic's Claude 3.5 Sonnet.",
            "Answers come via OpenRouter.",
        ] {
            assert!(discloses_provider(s), "{s}");
        }
        for s in [
            "Set OPENAI_API_KEY in your .env file.",
            "Unlike bots built on ChatGPT, we trained our own model.",
            "Our model beats GPT-4 on every benchmark.",
            "Powered by our proprietary AI model.",
            "Works on Solana and Base.",
        ] {
            assert!(!discloses_provider(s), "{s}");
        }
    }

    #[test]
    fn readme_sentences() {
        let s = sentences("# Title\nAn AI agent built on\nGPT-4.1 and web3.js. It trades!\n\n- our own model\n1. step one\n| a | b |\n");
        assert_eq!(
            s,
            vec![
                "# Title",
                "An AI agent built on GPT-4.1 and web3.js.",
                "It trades!",
                "- our own model",
                "1. step one",
                "| a | b |"
            ]
        );
    }

    fn sig(claim: bool, disclosed: bool, model: bool, llm_share: f64) -> AiSignal {
        AiSignal {
            claims: vec!["ai-powered"],
            proprietary_claim: claim.then(|| "Our proprietary AI model.".to_string()),
            disclosure: disclosed.then(|| "Built on GPT-4.".to_string()),
            llm_files: vec!["src/agent.py".into()],
            llm_lines: (llm_share * 1000.0) as u64,
            code_lines: 1000,
            model_file: model.then(|| "train/model.py".to_string()),
        }
    }

    #[test]
    fn wrapper_by_contradiction() {
        // A false claim is a wrapper whatever share of the code the LLM calls take.
        for share in [0.05, 0.3, 0.9] {
            let a = assess(&sig(true, false, false, share));
            assert_eq!(a.checks[0].status, CheckStatus::Warn);
            assert_eq!(a.checks[0].points, -10);
            assert!(a.checks[0].detail.contains("Our proprietary AI model."));
            assert!(a.checks[0].detail.contains("src/agent.py"));
            assert!(a.tags.contains(&"#AIWrapper".to_string()));
        }
        // Honest wrapper, real model project, marketing without a claim, no LLM at all.
        for s in [
            sig(true, true, false, 0.9),
            sig(true, false, true, 0.9),
            sig(false, false, false, 0.9),
            AiSignal {
                llm_files: vec![],
                ..sig(true, false, false, 0.0)
            },
        ] {
            let a = assess(&s);
            assert_eq!(a.checks[0].status, CheckStatus::Info, "{s:?}");
            assert_eq!(a.checks[0].points, 0);
            assert!(a.tags.is_empty());
        }
    }

    /// The whole path: a tree, the content pass, project facts, the signal.
    fn scan(files: &[(&str, &str)]) -> (AiSignal, Assessment) {
        let mut tree = crate::tree::FileTree::default();
        for (p, c) in files {
            tree.add(*p, *c);
        }
        let report = super::super::scanner::Scanner::global().scan_tree(&tree, &|_, _| {});
        let facts = super::super::project::facts(&tree, &report);
        let sig = signal(&facts, &report);
        let a = assess(&sig);
        (sig, a)
    }

    const AGENT: &str = "from openai import OpenAI\nclient = OpenAI()\n\ndef analyze(token):\n    r = client.chat.completions.create(model='gpt-4o', messages=[{'role': 'user', 'content': f'Is {token} a gem?'}])\n    return r.choices[0].message.content\n";

    /// CLI, prompt templates and tests around one LLM call: the calls are a small share of
    /// the code, the claim is still false.
    fn cli_files() -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        for i in 0..6 {
            let body: String = (0..40)
                .map(|j| format!("def command_{i}_{j}(args):\n    return format_row(args, {j})\n"))
                .collect();
            v.push((
                [
                    "src/cli.py",
                    "src/prompts.py",
                    "src/format.py",
                    "src/config.py",
                    "src/db.py",
                    "src/report.py",
                ][i],
                body,
            ));
        }
        v
    }

    #[test]
    fn contradiction_flagged_whatever_the_share() {
        let readme = "# AlphaMind\n\nAlphaMind is an AI-powered trading agent. It runs on our proprietary AI model, trained on five years of order books.\n";
        let extra = cli_files();
        let mut files: Vec<(&str, &str)> = vec![("README.md", readme), ("src/agent.py", AGENT)];
        files.extend(extra.iter().map(|(p, c)| (*p, c.as_str())));
        files.push((
            "tests/test_agent.py",
            "from src.agent import analyze\n\ndef test_it():\n    assert analyze('X')\n",
        ));
        let (sig, a) = scan(&files);
        assert!(sig.share() < 0.5, "{}", sig.share());
        assert_eq!(sig.llm_files, vec!["src/agent.py".to_string()]);
        assert_eq!(a.checks[0].status, CheckStatus::Warn, "{:?}", a.checks);
        assert!(a.checks[0].detail.contains("our proprietary AI model"));
        assert!(a.checks[0].detail.contains("src/agent.py"));
        assert!(a.red_flags.iter().any(|f| f.id == "ai_wrapper"));
        assert!(a.tags.contains(&"#AIWrapper".to_string()));
    }

    #[test]
    fn honest_wrapper_and_real_models_not_flagged() {
        // Says what it is, with all the AI marketing around it.
        let honest = "# GemBot\n\nAn AI-powered, autonomous AI agent. GemBot is built on GPT-4o: it is a thin wrapper around the OpenAI API with trading prompts.\n";
        let (_, a) = scan(&[("README.md", honest), ("src/agent.py", AGENT)]);
        assert_eq!(a.checks[0].status, CheckStatus::Info, "{:?}", a.checks);
        assert!(a.checks[0].detail.contains("built on GPT-4o"));
        assert!(a.tags.is_empty());
        // Generic marketing, no claim of an own model: info even when the LLM is all there is.
        let hype =
            "# GemBot\n\nAI-powered autonomous AI agent. The AI finds gems, the AI scores them, the AI trades.\n";
        let (_, a) = scan(&[("README.md", hype), ("src/agent.py", AGENT)]);
        assert_eq!(a.checks[0].status, CheckStatus::Info);
        assert!(a.tags.is_empty());
        // A real model project claiming a proprietary model, with an LLM for summaries.
        let real = "# DeepAlpha\n\nOur proprietary neural network predicts volatility.\n";
        let train = "import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    pass\n\nfor batch in loader:\n    loss = crit(net(batch.x), batch.y)\n    loss.backward()\n    optimizer.step()\n";
        let (sig, a) = scan(&[("README.md", real), ("src/agent.py", AGENT), ("train/train.py", train)]);
        assert_eq!(sig.model_file.as_deref(), Some("train/train.py"));
        assert_eq!(a.checks[0].status, CheckStatus::Info);
        assert!(a.tags.is_empty());
        // Model code only in tests does not make a model project.
        let (_, a) = scan(&[
            ("README.md", real),
            ("src/agent.py", AGENT),
            ("tests/test_train.py", train),
        ]);
        assert_eq!(a.checks[0].status, CheckStatus::Warn);
    }
}
