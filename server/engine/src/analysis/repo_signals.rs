//! Repository signals from metadata: a history squashed into a few commits that carry
//! most of the code (`history.squashed`), and a fork that barely changes its parent
//! (`fork.thin`). Both are how copied projects are dressed up as new ones; both are 0
//! points when clean.

use super::project::ProjectFacts;
use crate::meta::RepoMeta;
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;

/// Below this much code, one commit is simply a small project.
pub const SQUASH_MIN_LINES: u64 = 5_000;
pub const SQUASH_MAX_COMMITS: usize = 3;
/// "Young" for both signals.
pub const YOUNG_DAYS: i64 = 90;
pub const THIN_MAX_LINES: u64 = 20;
pub const THIN_MAX_AHEAD: u64 = 3;

/// Whether `commits` is the whole history: a GitHub page of 100 not filled, or a clone
/// that reached the root.
fn history_complete(m: &RepoMeta) -> bool {
    if m.source == "git history" {
        !m.created_is_lower_bound
    } else {
        m.commits.len() < 100
    }
}

pub fn assess(m: &RepoMeta, f: &ProjectFacts) -> Assessment {
    let mut a = Assessment::default();
    history(&mut a, m, f);
    fork(&mut a, m);
    a
}

fn history(a: &mut Assessment, m: &RepoMeta, f: &ProjectFacts) {
    const ID: &str = "history.squashed";
    const NAME: &str = "Squashed history";
    let n = m.commits.len();
    if n == 0 {
        a.check(ID, NAME, CheckStatus::Info, 0, "No commit history available.");
        return;
    }
    let code = f.code_lines;
    let complete = history_complete(m);
    let few = complete && n <= SQUASH_MAX_COMMITS && code >= SQUASH_MIN_LINES;
    // The oldest commit added (nearly) all of today's code.
    let root_share = m
        .root_commit
        .as_ref()
        .filter(|_| complete)
        .and_then(|r| (code >= SQUASH_MIN_LINES && r.code_additions * 10 >= code * 9).then_some(r.code_additions));
    if !few && root_share.is_none() {
        a.check(
            ID,
            NAME,
            CheckStatus::Pass,
            0,
            if complete {
                format!("{n} commit(s) for {code} lines of code.")
            } else {
                format!("At least {n} commits for {code} lines of code.")
            },
        );
        return;
    }
    let what = match root_share {
        Some(added) if !few => {
            format!("its first commit added {added} of its {code} lines of code ({n} commit(s) in all)")
        }
        _ => format!("{code} lines of code arrived in {n} commit(s)"),
    };
    let age = m.age_days(m.created_at);
    let young = age.is_some_and(|d| d < YOUNG_DAYS);
    if young {
        a.check(
            ID,
            NAME,
            CheckStatus::Warn,
            -5,
            format!(
                "A {}-day-old repository where {what}: code written elsewhere and pushed in one go, often a copied project.",
                age.unwrap_or(0)
            ),
        );
        a.red(
            ID,
            Severity::Medium,
            "History squashed into a few commits",
            format!("{what}; no development history to judge."),
        );
        a.tag("#SquashedHistory");
    } else {
        a.check(
            ID,
            NAME,
            CheckStatus::Info,
            0,
            format!("{what}; usual for imports from another host, and the repository is not new."),
        );
    }
}

fn fork(a: &mut Assessment, m: &RepoMeta) {
    const ID: &str = "fork.thin";
    const NAME: &str = "Changes to the parent";
    if !m.is_fork {
        a.check(ID, NAME, CheckStatus::Pass, 0, "Not a fork.");
        return;
    }
    let parent = m.fork_of.as_deref().unwrap_or("its parent");
    let Some(c) = &m.fork_compare else {
        a.check(
            ID,
            NAME,
            CheckStatus::Info,
            0,
            format!("A fork of {parent}; its changes could not be compared."),
        );
        return;
    };
    let thin = !c.truncated && c.changed_lines <= THIN_MAX_LINES && c.ahead_by <= THIN_MAX_AHEAD;
    if thin {
        a.check(
            ID,
            NAME,
            CheckStatus::Warn,
            -5,
            format!(
                "A fork that changes {} line(s) of {} in {} commit(s): the code, history and contributors shown are the parent's.",
                c.changed_lines, c.parent, c.ahead_by
            ),
        );
        a.red(
            ID,
            Severity::Medium,
            format!("Thin fork of {}", c.parent),
            format!(
                "A fork that changes {} line(s) of {}; judge the parent project, not this copy.",
                c.changed_lines, c.parent
            ),
        );
        a.tag("#ThinFork");
    } else {
        a.check(
            ID,
            NAME,
            CheckStatus::Info,
            0,
            if c.truncated {
                format!("A fork of {} with extensive changes.", c.parent)
            } else {
                format!(
                    "A fork of {} that adds {} commit(s) changing {} line(s) in {} file(s).",
                    c.parent, c.ahead_by, c.changed_lines, c.changed_files
                )
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{Commit, ForkCompare, RootCommit};
    use chrono::{Duration, TimeZone, Utc};

    fn meta(commits: usize, age_days: i64) -> RepoMeta {
        let now = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
        RepoMeta {
            source: "GitHub".into(),
            now,
            created_at: Some(now - Duration::days(age_days)),
            commits: (0..commits)
                .map(|i| Commit {
                    author: "a".into(),
                    at: now - Duration::days(i as i64),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn facts(code: u64) -> ProjectFacts {
        ProjectFacts {
            code_lines: code,
            ..Default::default()
        }
    }

    fn check(a: &Assessment, id: &str) -> (i32, CheckStatus) {
        let c = a.checks.iter().find(|c| c.id == id).unwrap();
        (c.points, c.status)
    }

    #[test]
    fn squashed_history() {
        // Few commits, lots of code, young: medium.
        let a = assess(&meta(2, 20), &facts(12_000));
        assert_eq!(check(&a, "history.squashed"), (-5, CheckStatus::Warn));
        assert!(a.tags.contains(&"#SquashedHistory".to_string()));
        // Same shape, old: a note.
        let a = assess(&meta(2, 800), &facts(12_000));
        assert_eq!(check(&a, "history.squashed"), (0, CheckStatus::Info));
        // Near misses: small project; four commits; history not complete.
        assert_eq!(
            check(&assess(&meta(1, 20), &facts(4_000)), "history.squashed"),
            (0, CheckStatus::Pass)
        );
        assert_eq!(
            check(&assess(&meta(4, 20), &facts(12_000)), "history.squashed"),
            (0, CheckStatus::Pass)
        );
        let mut shallow = meta(2, 20);
        shallow.source = "git history".into();
        shallow.created_is_lower_bound = true;
        assert_eq!(
            check(&assess(&shallow, &facts(12_000)), "history.squashed"),
            (0, CheckStatus::Pass)
        );
        // One commit adding everything, then tweaks.
        let mut m = meta(40, 30);
        m.root_commit = Some(RootCommit {
            code_additions: 9_500,
            additions: 30_000,
            files: 120,
        });
        let a = assess(&m, &facts(10_000));
        assert_eq!(check(&a, "history.squashed"), (-5, CheckStatus::Warn));
        assert!(a.checks[0].detail.contains("first commit added 9500"));
        // The first commit added a fraction of today's code: a real history.
        m.root_commit.as_mut().unwrap().code_additions = 3_000;
        assert_eq!(
            check(&assess(&m, &facts(10_000)), "history.squashed"),
            (0, CheckStatus::Pass)
        );
        // A full page of commits: the oldest one is not the root; its stats do not count.
        let mut m = meta(100, 30);
        m.root_commit = Some(RootCommit {
            code_additions: 9_500,
            additions: 9_500,
            files: 10,
        });
        assert_eq!(
            check(&assess(&m, &facts(10_000)), "history.squashed"),
            (0, CheckStatus::Pass)
        );
        assert_eq!(
            check(&assess(&meta(0, 30), &facts(10_000)), "history.squashed"),
            (0, CheckStatus::Info)
        );
    }

    #[test]
    fn thin_fork() {
        let mut m = meta(30, 10);
        assert_eq!(check(&assess(&m, &facts(100)), "fork.thin"), (0, CheckStatus::Pass));
        m.is_fork = true;
        m.fork_of = Some("solana-labs/wallet".into());
        assert_eq!(check(&assess(&m, &facts(100)), "fork.thin"), (0, CheckStatus::Info));
        m.fork_compare = Some(ForkCompare {
            parent: "solana-labs/wallet".into(),
            ahead_by: 2,
            behind_by: 40,
            changed_lines: 6,
            changed_files: 1,
            truncated: false,
        });
        let a = assess(&m, &facts(100));
        assert_eq!(check(&a, "fork.thin"), (-5, CheckStatus::Warn));
        assert!(a
            .checks
            .iter()
            .any(|c| c.detail.contains("changes 6 line(s) of solana-labs/wallet")));
        // Near misses: a real change set, more commits, or a comparison too large to list.
        for (ahead, lines, truncated) in [(2, 21, false), (4, 6, false), (1, 0, true)] {
            let c = m.fork_compare.as_mut().unwrap();
            c.ahead_by = ahead;
            c.changed_lines = lines;
            c.truncated = truncated;
            assert_eq!(check(&assess(&m, &facts(100)), "fork.thin"), (0, CheckStatus::Info));
        }
    }
}
