//! Trust checks from repository metadata and project facts: age, activity and cadence,
//! contributors and bus factor, owner account, releases, licence, README, tests, CI,
//! security policy, archived, fork, and community interest. Points are documented in
//! CHECKS.md; together with the clean secret/scam checks they add up to 100.

use chrono::Duration;

use super::fake_stars::StarVerdict;
use super::project::ProjectFacts;
use crate::meta::RepoMeta;
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;

use CheckStatus::{Fail, Info, Pass, Warn};

fn days_text(d: i64) -> String {
    if d >= 730 {
        format!("{:.1} years", d as f64 / 365.0)
    } else if d >= 60 {
        format!("{} months", d / 30)
    } else {
        format!("{d} days")
    }
}

/// Smallest number of contributors accounting for half the contributions.
pub fn bus_factor(contributors: &[(String, u64)]) -> usize {
    let total: u64 = contributors.iter().map(|c| c.1).sum();
    if total == 0 {
        return 0;
    }
    let mut sorted: Vec<u64> = contributors.iter().map(|c| c.1).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut acc = 0;
    for (i, c) in sorted.iter().enumerate() {
        acc += c;
        if acc * 2 >= total {
            return i + 1;
        }
    }
    sorted.len()
}

pub fn assess(m: &RepoMeta, f: &ProjectFacts, stars: &StarVerdict) -> Assessment {
    let mut a = Assessment::default();
    let age = m.age_days(m.created_at);
    // Commit dates are chosen by whoever commits: future-dated ones must not fake activity.
    let commits: Vec<&crate::meta::Commit> = m.commits.iter().filter(|c| c.at <= m.now + Duration::days(1)).collect();
    let from_history = m.source == "git history";

    // Repository age.
    match age {
        Some(d) => {
            let bound = if m.created_is_lower_bound { "at least " } else { "" };
            let (st, pts) = match d {
                730.. => (Pass, 10),
                365..=729 => (Pass, 8),
                180..=364 => (Pass, 6),
                30..=179 => (Warn, 3),
                _ => (Fail, 0),
            };
            let basis = if from_history {
                " (from commit dates, which the committer can set)"
            } else {
                ""
            };
            a.check(
                "repo_age",
                "Repository age",
                st,
                pts,
                format!("Created {bound}{} ago{basis}.", days_text(d)),
            );
            if d < 30 && !m.created_is_lower_bound {
                a.red(
                    "repo_age",
                    Severity::Medium,
                    "Brand-new repository",
                    format!("The repository is {d} days old: rugs are typically launched from fresh repositories."),
                );
                a.tag("#NewProject");
            } else if d >= 365 {
                a.green(
                    "repo_age",
                    "Established repository",
                    format!("Around for {bound}{}.", days_text(d)),
                );
            }
        }
        None => a.check("repo_age", "Repository age", Info, 0, "Creation date unknown."),
    }

    // Recent activity and cadence.
    let last = commits.iter().map(|c| c.at).max().or(m.pushed_at);
    let since = m.age_days(last);
    let recent: Vec<_> = commits.iter().filter(|c| m.now - c.at <= Duration::days(90)).collect();
    let mut weeks: Vec<i64> = recent.iter().map(|c| (m.now - c.at).num_weeks()).collect();
    weeks.sort_unstable();
    weeks.dedup();
    match since {
        Some(d) => {
            let (st, pts) = match d {
                0..=30 if weeks.len() >= 4 => (Pass, 10),
                0..=30 => (Pass, 8),
                31..=90 => (Pass, 7),
                91..=365 => (Warn, 3),
                _ => (Warn, 0),
            };
            a.check(
                "activity",
                "Recent activity",
                st,
                pts,
                format!(
                    "Last commit {} ago; commits in {} of the last 13 weeks.",
                    days_text(d),
                    weeks.len()
                ),
            );
            if d > 365 {
                a.tag("#Inactive");
                a.red(
                    "activity",
                    Severity::Low,
                    "No commits for over a year",
                    "Nobody appears to maintain this code.",
                );
            } else if weeks.len() >= 4 {
                a.green(
                    "activity",
                    "Actively maintained",
                    format!("Commits in {} of the last 13 weeks.", weeks.len()),
                );
            }
        }
        None => a.check("activity", "Recent activity", Info, 0, "No commit history available."),
    }
    // History dumped in one go: a copied project pushed once.
    if commits.len() >= 2 && commits.len() < 10 {
        let span = commits
            .iter()
            .map(|c| c.at)
            .max()
            .zip(commits.iter().map(|c| c.at).min())
            .map(|(x, y)| x - y);
        if span.is_some_and(|s| s < Duration::days(2)) && age.is_some_and(|d| d < 90) {
            a.red(
                "activity",
                Severity::Low,
                "Whole history written in a day or two",
                "All commits are within 48 hours: often a copied project pushed once.",
            );
        }
    }

    // Contributors and bus factor.
    let n = m.contributors.len();
    let bus = bus_factor(&m.contributors);
    let (st, pts) = match n {
        0 => (Info, 0),
        1 => (Warn, 2),
        2..=4 => (Pass, 6),
        _ if bus >= 2 => (Pass, 10),
        _ => (Pass, 8),
    };
    a.check(
        "contributors",
        "Contributors and bus factor",
        st,
        pts,
        format!("{n} contributor(s); {bus} of them wrote half of the commits."),
    );
    if n == 1 {
        a.tag("#SoloDev");
    }
    if n >= 3 && since.is_some_and(|d| d <= 30) {
        let active: std::collections::BTreeSet<&str> = recent.iter().map(|c| c.author.as_str()).collect();
        if active.len() >= 2 {
            a.tag("#ActiveTeam");
        }
    }
    if n >= 5 {
        a.green(
            "contributors",
            "Several contributors",
            format!("{n} people have contributed."),
        );
    }
    if age.is_some_and(|d| d >= 365) && n >= 3 && since.is_some_and(|d| d <= 365) {
        a.tag("#Established");
    }

    // Owner account.
    match &m.owner {
        Some(o) => match m.age_days(o.created_at) {
            Some(d) => {
                let (st, pts) = match d {
                    730.. => (Pass, 8),
                    365..=729 => (Pass, 6),
                    90..=364 => (Pass, 3),
                    30..=89 => (Warn, 0),
                    _ => (Fail, -5),
                };
                let kind = if o.is_org { "organisation" } else { "account" };
                let followers = o.followers.map(|f| format!(", {f} followers")).unwrap_or_default();
                a.check(
                    "owner",
                    "Owner account",
                    st,
                    pts,
                    format!("{} is an {kind} created {} ago{followers}.", o.login, days_text(d)),
                );
                if d < 30 {
                    a.red(
                        "owner",
                        Severity::High,
                        "Owner account is brand new",
                        format!("{} was created {d} days ago.", o.login),
                    );
                }
            }
            None => a.check(
                "owner",
                "Owner account",
                Info,
                0,
                format!("Account details for {} unavailable.", o.login),
            ),
        },
        None => a.check(
            "owner",
            "Owner account",
            Info,
            0,
            "This host has no owner account data.",
        ),
    }

    // Releases and tags.
    let rel = m.releases.unwrap_or(0) + m.tags;
    let (st, pts) = match rel {
        0 => (Info, 0),
        1..=2 => (Pass, 4),
        _ => (Pass, 6),
    };
    let rel_text = match m.releases {
        Some(r) => format!("{r} release(s) and {} tag(s).", m.tags),
        None => format!("{} tag(s).", m.tags),
    };
    a.check("releases", "Releases and tags", st, pts, rel_text);

    // Licence.
    let lic = f
        .license
        .clone()
        .or_else(|| m.license_spdx.clone().filter(|l| l != "NOASSERTION"));
    match lic.as_deref() {
        Some("custom") => a.check(
            "license",
            "Licence",
            Warn,
            4,
            "A licence file exists but is not a standard open-source licence.",
        ),
        Some(l) => {
            a.check("license", "Licence", Pass, 8, format!("Licensed under {l}."));
            a.tag("#Licensed");
            a.green("license", "Open-source licence", format!("{l}."));
        }
        None => a.check(
            "license",
            "Licence",
            Warn,
            0,
            "No licence: nobody may legally reuse or audit-fork this code.",
        ),
    }

    // README substance.
    let (st, pts, d) = if f.readme_words >= 120 && f.readme_has_usage {
        (
            Pass,
            6,
            format!("README of {} words with install/usage instructions.", f.readme_words),
        )
    } else if f.readme_words >= 50 {
        let why = if f.readme_has_usage {
            "short, but with usage instructions"
        } else {
            "without install or usage instructions"
        };
        (Warn, 3, format!("README of {} words, {why}.", f.readme_words))
    } else if f.readme_words > 0 {
        (Warn, 1, format!("README is only {} words.", f.readme_words))
    } else {
        (Warn, 0, "No README.".into())
    };
    a.check("readme", "README substance", st, pts, d);

    // Tests.
    let share = f.test_share();
    if f.test_files > 0 && share >= 0.10 {
        a.check(
            "tests",
            "Tests",
            Pass,
            10,
            format!(
                "{} test file(s); tests are {:.0}% of the code.",
                f.test_files,
                share * 100.0
            ),
        );
        a.tag("#HasTests");
        a.green(
            "tests",
            "Has tests",
            format!("Tests are {:.0}% of the code.", share * 100.0),
        );
    } else if f.test_files > 0 {
        a.check(
            "tests",
            "Tests",
            Pass,
            6,
            format!(
                "{} test file(s), but only {:.0}% of the code.",
                f.test_files,
                share * 100.0
            ),
        );
        a.tag("#HasTests");
    } else {
        a.check(
            "tests",
            "Tests",
            Warn,
            0,
            format!("No tests found in {} code file(s).", f.code_files),
        );
    }

    // CI.
    if let Some(first) = f.ci.first() {
        a.check(
            "ci",
            "Continuous integration",
            Pass,
            6,
            format!(
                "CI configured ({first}{}).",
                if f.ci.len() > 1 {
                    format!(" and {} more", f.ci.len() - 1)
                } else {
                    String::new()
                }
            ),
        );
        a.tag("#HasCI");
        a.green(
            "ci",
            "Continuous integration",
            "Changes are built and tested automatically.",
        );
    } else {
        a.check("ci", "Continuous integration", Warn, 0, "No CI configuration found.");
    }

    // Security policy.
    match &f.security_policy {
        Some(p) => a.check(
            "security_policy",
            "Security policy",
            Pass,
            4,
            format!("Security policy at {p}."),
        ),
        None => a.check(
            "security_policy",
            "Security policy",
            Info,
            0,
            "No SECURITY.md: no stated way to report vulnerabilities.",
        ),
    }

    // Archived and fork.
    if m.archived {
        a.check(
            "archived",
            "Archived",
            Warn,
            -5,
            "The owner archived this repository: it is read-only and unmaintained.",
        );
        a.tag("#Archived");
        a.red(
            "archived",
            Severity::Low,
            "Archived repository",
            "Read-only; no fixes will come.",
        );
    } else {
        a.check("archived", "Archived", Pass, 0, "Not archived.");
    }
    if m.is_fork {
        let parent = m.fork_of.clone().unwrap_or_else(|| "another repository".into());
        a.check(
            "fork",
            "Fork",
            Warn,
            -5,
            format!("A fork of {parent}: judge the original, and what changed."),
        );
        a.tag("#Fork");
        a.red(
            "fork",
            Severity::Low,
            "Fork of another project",
            format!("Forked from {parent}."),
        );
    } else {
        a.check("fork", "Fork", Pass, 0, "Not a fork.");
    }

    // Community interest, not rewarded when the stars look bought.
    match m.stars {
        Some(_) if stars.weight >= 2 => a.check(
            "community",
            "Community interest",
            Warn,
            0,
            "Star counts look inflated, so they earn nothing here.",
        ),
        Some(s) => {
            let forks = m.forks.unwrap_or(0);
            let (st, pts) = if s >= 100 && forks >= 10 {
                (Pass, 8)
            } else if s >= 20 {
                (Pass, 5)
            } else {
                (Info, 2)
            };
            a.check(
                "community",
                "Community interest",
                st,
                pts,
                format!("{s} stars, {forks} forks, {} watchers.", m.watchers.unwrap_or(0)),
            );
        }
        None => a.check(
            "community",
            "Community interest",
            Info,
            0,
            "Stars and forks are not available for this host.",
        ),
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::Commit;
    use chrono::{TimeZone, Utc};

    #[test]
    fn future_dated_commits_do_not_count() {
        let now = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
        let m = RepoMeta {
            now,
            source: "git history".into(),
            created_at: Some(now - Duration::days(800)),
            commits: (1..20)
                .map(|i| Commit {
                    author: "a".into(),
                    at: now + Duration::days(7 * i),
                })
                .chain([Commit {
                    author: "a".into(),
                    at: now - Duration::days(800),
                }])
                .collect(),
            ..Default::default()
        };
        let a = assess(&m, &ProjectFacts::default(), &StarVerdict::default());
        let act = a.checks.iter().find(|c| c.id == "activity").unwrap();
        assert_eq!(act.points, 0, "{act:?}");
        let age = a.checks.iter().find(|c| c.id == "repo_age").unwrap();
        assert!(age.detail.contains("committer can set"));
    }

    #[test]
    fn bus() {
        assert_eq!(bus_factor(&[]), 0);
        assert_eq!(bus_factor(&[("a".into(), 90), ("b".into(), 10)]), 1);
        assert_eq!(bus_factor(&[("a".into(), 30), ("b".into(), 30), ("c".into(), 40)]), 2);
    }
}
