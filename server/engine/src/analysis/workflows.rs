//! `workflow.integrity`: can the project's GitHub Actions pipeline be hijacked by an
//! outsider? Modelled on OpenSSF Scorecard's Dangerous-Workflow and Token-Permissions
//! checks, read with a light line-and-indent YAML reader (no YAML dependency).
//!
//! A finding here is about the project's supply chain (a pull request from a stranger can
//! run with the repository's secrets and write token), not about the project being a scam:
//! it costs points but never makes the verdict SCAM.

use std::sync::LazyLock;

use regex::Regex;

use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;
use crate::tree::FileTree;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowFinding {
    pub severity: Severity,
    pub title: &'static str,
    pub path: String,
    pub line: u32,
    pub detail: String,
}

#[derive(Debug, Default)]
pub struct Workflows {
    pub files: usize,
    pub findings: Vec<WorkflowFinding>,
    /// Workflows without a top-level `permissions:` block (the token gets the repository's
    /// default, often read-write).
    pub no_permissions: Vec<String>,
    /// `uses:` references pinned to a tag or branch rather than a commit SHA.
    pub unpinned: usize,
    pub pinned: usize,
}

pub const HIGH_POINTS: i32 = -10;
pub const MEDIUM_POINTS: i32 = -3;
pub const MAX_PENALTY: i32 = -20;

pub fn workflow_path(path: &str) -> bool {
    let l = path.to_ascii_lowercase();
    l.starts_with(".github/workflows/")
        && !l["github/workflows/".len() + 1..].contains('/')
        && (l.ends_with(".yml") || l.ends_with(".yaml"))
}

pub fn analyse(tree: &FileTree) -> Workflows {
    let mut w = Workflows::default();
    for f in tree.files.iter().filter(|f| workflow_path(&f.path) && !f.truncated) {
        w.files += 1;
        let text = String::from_utf8_lossy(&f.data);
        read_workflow(&f.path, &text, &mut w);
    }
    w
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

/// Key of a mapping line (after an optional `- ` list marker) and its inline value.
fn key_value(l: &str) -> Option<(&str, &str)> {
    let t = l.trim_start();
    let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
    let (k, v) = t.split_once(':')?;
    let k = k.trim().trim_matches(['"', '\'']);
    (!k.is_empty() && !k.contains(' ') || k == "on").then_some((k, v.trim()))
}

/// The lines under the line `i` (more indented than it), as (line index, line).
fn children(lines: &[&str], i: usize) -> Vec<usize> {
    let base = indent(lines[i]);
    let mut out = Vec::new();
    for (j, l) in lines.iter().enumerate().skip(i + 1) {
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        if indent(l) <= base {
            break;
        }
        out.push(j);
    }
    out
}

/// Event names of the top-level `on:` key, in any of its three shapes.
fn triggers(lines: &[&str]) -> Vec<String> {
    for (i, l) in lines.iter().enumerate() {
        if indent(l) != 0 {
            continue;
        }
        let Some((k, v)) = key_value(l) else { continue };
        if k != "on" && k != "true" {
            continue;
        }
        let mut out: Vec<String> = v
            .trim_matches(['[', ']'])
            .split(',')
            .map(|s| s.trim().trim_matches(['"', '\'']).to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let kids = children(lines, i);
        if let Some(first) = kids.first() {
            let child_indent = indent(lines[*first]);
            for &j in &kids {
                if indent(lines[j]) == child_indent {
                    let t = lines[j].trim_start();
                    let t = t.strip_prefix("- ").unwrap_or(t);
                    out.push(t.split(':').next().unwrap_or("").trim().to_string());
                }
            }
        }
        return out;
    }
    Vec::new()
}

/// Script bodies: `run:` steps and `actions/github-script`'s `script:`, inline or block
/// scalars. (line index of the key, text).
fn scripts(lines: &[&str]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some((k, v)) = key_value(l) else { continue };
        if k != "run" && k != "script" {
            continue;
        }
        if v.starts_with('|') || v.starts_with('>') || v.is_empty() {
            let body: Vec<&str> = children(lines, i).into_iter().map(|j| lines[j]).collect();
            out.push((i, body.join("\n")));
        } else {
            out.push((i, v.to_string()));
        }
    }
    out
}

/// The step (list item) containing line `i`: from its `- ` line to the next line at or
/// above that indentation.
fn step_of(lines: &[&str], i: usize) -> (usize, usize) {
    let mut start = i;
    loop {
        let t = lines[start].trim_start();
        if t.starts_with("- ") || t == "-" {
            break;
        }
        if start == 0 {
            break;
        }
        start -= 1;
    }
    let base = indent(lines[start]);
    let mut end = start + 1;
    while end < lines.len() {
        let l = lines[end];
        if !l.trim().is_empty() && indent(l) <= base {
            break;
        }
        end += 1;
    }
    (start, end)
}

static UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{\{[^}]*?\b(github\.head_ref|github\.event\.(?:issue\.(?:title|body)|pull_request\.(?:title|body|head\.ref|head\.label|head\.repo\.default_branch)|comment\.body|review\.body|review_comment\.body|head_commit\.(?:message|author\.(?:email|name))|commits\b[^}]*?\.(?:message|author)|discussion\.(?:title|body)|workflow_run\.(?:head_branch|head_commit\.message|display_title)|pages\b[^}]*?\.page_name))")
        .expect("untrusted regex")
});
static PR_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{\{[^}]*?\b(github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(?:sha|branch)|github\.event\.pull_request\.merge_commit_sha|refs/pull/)")
        .expect("pr head regex")
});
static USES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*(?:-\s+)?uses:\s*["']?([^@\s"']+)@([^\s"'#]+)"#).expect("uses regex"));

fn read_workflow(path: &str, text: &str, w: &mut Workflows) {
    let lines: Vec<&str> = text.lines().collect();
    let on = triggers(&lines);
    let privileged: Vec<&str> = on
        .iter()
        .map(String::as_str)
        .filter(|t| *t == "pull_request_target" || *t == "workflow_run")
        .collect();
    // Privileged triggers that build the pull request's code.
    if let Some(trigger) = privileged.first() {
        let mut reported = false;
        for (i, l) in lines.iter().enumerate() {
            if reported {
                break;
            }
            let checkout_action = USES
                .captures(l)
                .is_some_and(|c| c[1].eq_ignore_ascii_case("actions/checkout"));
            let hit = if checkout_action {
                let (s, e) = step_of(&lines, i);
                lines[s..e].iter().any(|x| {
                    key_value(x).is_some_and(|(k, v)| (k == "ref" || k == "repository") && PR_HEAD.is_match(v))
                })
            } else {
                // `gh pr checkout` / fetching the PR ref in a script.
                let t = l.trim_start();
                (t.contains("gh pr checkout")
                    || (t.contains("git fetch") && (t.contains("pull/") || PR_HEAD.is_match(t)))
                    || (t.contains("git checkout") && PR_HEAD.is_match(t)))
                    && !t.starts_with('#')
            };
            if hit {
                reported = true;
                w.findings.push(WorkflowFinding {
                    severity: Severity::High,
                    title: "Privileged workflow runs pull-request code",
                    path: path.to_string(),
                    line: i as u32 + 1,
                    detail: format!("{path} line {}: a `{trigger}` workflow (which runs with the repository's secrets and a write token) checks out the pull request's code; any outsider's pull request can take over the pipeline.", i + 1),
                });
            }
        }
    }
    // Untrusted text interpolated into scripts.
    for (i, body) in scripts(&lines) {
        if let Some(c) = UNTRUSTED.captures(&body) {
            w.findings.push(WorkflowFinding {
                severity: Severity::High,
                title: "Script injection in a workflow",
                path: path.to_string(),
                line: i as u32 + 1,
                detail: format!("{path} line {}: `{}` is pasted into a script; a crafted title, branch name or comment runs commands in CI. Pass it through `env:` and quote it instead.", i + 1, &c[1]),
            });
        }
    }
    // Token permissions.
    let mut top_permissions = false;
    for (i, l) in lines.iter().enumerate() {
        let Some((k, v)) = key_value(l) else { continue };
        if k != "permissions" {
            continue;
        }
        if indent(l) == 0 {
            top_permissions = true;
        }
        if v.trim_matches(['"', '\'']) == "write-all" {
            w.findings.push(WorkflowFinding {
                severity: Severity::Medium,
                title: "Workflow token with write-all permissions",
                path: path.to_string(),
                line: i as u32 + 1,
                detail: format!("{path} line {}: `permissions: write-all` gives every step a token that can push code and publish releases.", i + 1),
            });
        }
    }
    if !top_permissions {
        w.no_permissions.push(path.to_string());
    }
    for l in &lines {
        if let Some(c) = USES.captures(l) {
            let (action, r) = (&c[1], &c[2]);
            if action.starts_with("./") || action.starts_with("docker://") {
                continue;
            }
            if r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()) {
                w.pinned += 1;
            } else {
                w.unpinned += 1;
            }
        }
    }
}

pub fn assess(w: &Workflows) -> Assessment {
    let mut a = Assessment::default();
    let (id, name) = ("workflow.integrity", "CI workflow integrity");
    if w.files == 0 {
        a.check(id, name, CheckStatus::Info, 0, "No GitHub Actions workflows.");
        return a;
    }
    let mut notes = Vec::new();
    if !w.no_permissions.is_empty() {
        notes.push(format!(
            "{} of {} workflow(s) set no top-level `permissions:` (the token gets the repository default)",
            w.no_permissions.len(),
            w.files
        ));
    }
    if w.unpinned > 0 {
        notes.push(format!(
            "{} action reference(s) pinned to a tag or branch rather than a commit SHA",
            w.unpinned
        ));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" Also: {}.", notes.join("; "))
    };
    let worst = w.findings.iter().map(|f| f.severity).max();
    let Some(worst) = worst else {
        let status = if notes.is_empty() {
            CheckStatus::Pass
        } else {
            CheckStatus::Info
        };
        a.check(
            id,
            name,
            status,
            0,
            format!(
                "No dangerous triggers, script injection or write-all tokens in {} workflow(s).{notes}",
                w.files
            ),
        );
        return a;
    };
    // Each severity counts at most twice, as for the scam checks: one copy-pasted pattern in
    // ten workflows is one fact.
    let count = |s: Severity| w.findings.iter().filter(|f| f.severity == s).count().min(2) as i32;
    let points = (count(Severity::High) * HIGH_POINTS + count(Severity::Medium) * MEDIUM_POINTS).max(MAX_PENALTY);
    let mut sorted = w.findings.clone();
    sorted.sort_by(|x, y| y.severity.cmp(&x.severity).then(x.path.cmp(&y.path)));
    a.check(
        id,
        name,
        if worst >= Severity::High {
            CheckStatus::Fail
        } else {
            CheckStatus::Warn
        },
        points,
        format!("{}{notes}", sorted[0].detail),
    );
    for f in sorted.iter().take(10) {
        a.red(id, f.severity, f.title, f.detail.clone());
    }
    if worst >= Severity::High {
        a.tag("#DangerousWorkflow");
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(yml: &str) -> Workflows {
        let mut tree = FileTree::default();
        tree.add(".github/workflows/ci.yml", yml.as_bytes().to_vec());
        analyse(&tree)
    }

    fn sev(w: &Workflows) -> Vec<Severity> {
        w.findings.iter().map(|f| f.severity).collect()
    }

    const PRT_CHECKOUT: &str = r#"name: PR build
on:
  pull_request_target:
    types: [opened, synchronize]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm test
"#;

    #[test]
    fn pull_request_target_checking_out_the_pr_is_high() {
        let w = run(PRT_CHECKOUT);
        assert_eq!(sev(&w), vec![Severity::High]);
        assert_eq!(w.findings[0].line, 11);
        let a = assess(&w);
        assert_eq!(
            (a.checks[0].status, a.checks[0].points),
            (CheckStatus::Fail, HIGH_POINTS)
        );
        assert!(!a.critical_scam, "a supply-chain finding is never SCAM");
        // `workflow_run` with the triggering run's head, list-form trigger.
        let wr = "on: [workflow_run]\njobs:\n  j:\n    steps:\n    - name: co\n      uses: actions/checkout@v4\n      with:\n        ref: ${{ github.event.workflow_run.head_sha }}\n";
        assert_eq!(sev(&run(wr)), vec![Severity::High]);
        // gh pr checkout in a script.
        let gh = "on: pull_request_target\njobs:\n  j:\n    steps:\n      - run: gh pr checkout ${{ github.event.pull_request.number }}\n";
        assert_eq!(sev(&run(gh)), vec![Severity::High]);
    }

    #[test]
    fn pull_request_target_without_pr_checkout_is_fine() {
        // Labelling only.
        let label = "on:\n  pull_request_target:\npermissions:\n  pull-requests: write\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/labeler@8558fd74291d67161a8a78ce36a881fa63b766a9\n";
        let w = run(label);
        assert!(w.findings.is_empty(), "{:?}", w.findings);
        assert_eq!((w.pinned, w.unpinned), (1, 0));
        assert_eq!(assess(&w).checks[0].status, CheckStatus::Pass);
        // Checking out the base branch (no ref) is the safe default.
        let base = PRT_CHECKOUT.replace(
            "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
            "",
        );
        assert!(run(&base).findings.is_empty());
        // The same checkout under plain `pull_request` runs without secrets.
        let plain = PRT_CHECKOUT.replace("pull_request_target:", "pull_request:");
        assert!(run(&plain).findings.is_empty());
    }

    #[test]
    fn untrusted_fields_in_scripts_but_not_through_env() {
        let inj = "on: issues\npermissions: {}\njobs:\n  j:\n    steps:\n      - run: |\n          echo \"New issue: ${{ github.event.issue.title }}\"\n";
        let w = run(inj);
        assert_eq!(sev(&w), vec![Severity::High]);
        assert!(w.findings[0].detail.contains("github.event.issue.title"));
        let inline = "on: pull_request\njobs:\n  j:\n    steps:\n      - run: echo ${{ github.head_ref }}\n";
        assert_eq!(sev(&run(inline)), vec![Severity::High]);
        let script = "on: issue_comment\njobs:\n  j:\n    steps:\n      - uses: actions/github-script@v7\n        with:\n          script: |\n            console.log(\"${{ github.event.comment.body }}\")\n";
        assert_eq!(sev(&run(script)), vec![Severity::High]);
        // The safe pattern: through env, quoted.
        let safe = "on: pull_request\npermissions:\n  contents: read\njobs:\n  j:\n    steps:\n      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n        run: echo \"$TITLE\"\n";
        assert!(run(safe).findings.is_empty());
        // Trusted fields are fine in scripts.
        let trusted = "on: pull_request\njobs:\n  j:\n    steps:\n      - run: echo ${{ github.event.pull_request.number }} ${{ github.sha }}\n";
        assert!(run(trusted).findings.is_empty());
    }

    #[test]
    fn permissions_and_pinning() {
        let wa = "on: push\npermissions: write-all\njobs:\n  j:\n    steps:\n      - uses: actions/checkout@v4\n";
        let w = run(wa);
        assert_eq!(sev(&w), vec![Severity::Medium]);
        assert_eq!(w.unpinned, 1);
        let a = assess(&w);
        assert_eq!(
            (a.checks[0].status, a.checks[0].points),
            (CheckStatus::Warn, MEDIUM_POINTS)
        );
        assert!(a.checks[0].detail.contains("commit SHA"));
        // No permissions and a tag pin: info, no points.
        let none =
            "on: push\njobs:\n  j:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./local-action\n";
        let w = run(none);
        assert!(w.findings.is_empty());
        assert_eq!(w.no_permissions.len(), 1);
        let a = assess(&w);
        assert_eq!((a.checks[0].status, a.checks[0].points), (CheckStatus::Info, 0));
        // Read-only job-level permissions mentioning write-all in a comment do not count.
        let read = "on: push\npermissions:\n  contents: read # not write-all\njobs: {}\n";
        assert!(run(read).findings.is_empty());
        // No workflows at all.
        assert_eq!(
            assess(&analyse(&FileTree::default())).checks[0].status,
            CheckStatus::Info
        );
        assert!(!workflow_path(".github/workflows/sub/x.yml"));
        assert!(!workflow_path("docs/.github/workflows/x.yml"));
    }

    #[test]
    fn repeated_findings_are_capped() {
        let mut tree = FileTree::default();
        for i in 0..5 {
            tree.add(format!(".github/workflows/w{i}.yml"), PRT_CHECKOUT.as_bytes().to_vec());
        }
        let a = assess(&analyse(&tree));
        assert_eq!(a.checks[0].points, 2 * HIGH_POINTS);
    }
}
