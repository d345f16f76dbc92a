//! Fake-star signals. Since July 2026 GitHub lists stargazers only to a repository's admins
//! and collaborators, so the primary evidence is counts and ratios (stars against forks,
//! watchers, contributors, activity, owner age); the stargazer sample (`starred_at` bursts,
//! throwaway accounts) is used only when GitHub returns it, and the detail says which.

use chrono::Duration;

use crate::meta::RepoMeta;
use crate::result::{CheckStatus, Severity};
use crate::scoring::Assessment;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StarVerdict {
    pub signals: Vec<String>,
    pub weight: u32,
    pub sample_used: bool,
}

impl StarVerdict {
    pub fn suspicious(&self) -> bool {
        self.weight >= 3
    }
}

pub fn evaluate(m: &RepoMeta) -> StarVerdict {
    let mut v = StarVerdict::default();
    let Some(stars) = m.stars else { return v };
    let forks = m.forks.unwrap_or(0);
    let mut add = |w: u32, s: String| {
        v.weight += w;
        v.signals.push(s);
    };
    if stars >= 200 && forks * 40 < stars {
        add(
            1,
            format!("{stars} stars but only {forks} forks (real projects usually have one fork per 5-20 stars)"),
        );
    }
    if let Some(w) = m.watchers {
        if stars >= 300 && w * 150 < stars {
            add(1, format!("{stars} stars but only {w} watchers"));
        }
    }
    let contributors = m.contributors.len();
    if stars >= 200 && contributors <= 2 && m.commits.len() < 30 {
        add(
            1,
            format!(
                "{stars} stars for {contributors} contributor(s) and {} commits",
                m.commits.len()
            ),
        );
    }
    if let Some(age) = m.age_days(m.created_at) {
        if stars >= 300 && age < 30 && !m.created_is_lower_bound {
            add(1, format!("{stars} stars within {age} days of creation"));
        }
    }
    if let Some(oa) = m.owner.as_ref().and_then(|o| m.age_days(o.created_at)) {
        if stars >= 200 && oa < 90 {
            add(
                1,
                format!("{stars} stars on a repository of an account created {oa} days ago"),
            );
        }
    }
    if let Some(sample) = &m.stargazers {
        v.sample_used = true;
        if sample.len() >= 20 {
            let mut times: Vec<_> = sample.iter().map(|s| s.starred_at).collect();
            times.sort();
            let mut best = 0;
            let mut lo = 0;
            for hi in 0..times.len() {
                while times[hi] - times[lo] > Duration::hours(24) {
                    lo += 1;
                }
                best = best.max(hi - lo + 1);
            }
            if best * 2 >= sample.len() {
                add(
                    2,
                    format!("{best} of {} sampled stars arrived within 24 hours", sample.len()),
                );
            }
        }
        let looked: Vec<_> = sample.iter().filter(|s| s.account_created_at.is_some()).collect();
        let throwaway = looked
            .iter()
            .filter(|s| {
                let young = s
                    .account_created_at
                    .is_some_and(|c| s.starred_at - c < Duration::days(30));
                young && s.followers.unwrap_or(0) == 0 && s.public_repos.unwrap_or(0) == 0
            })
            .count();
        if looked.len() >= 5 && throwaway * 2 >= looked.len() {
            add(
                2,
                format!(
                    "{throwaway} of {} sampled stargazers are empty accounts created days before starring",
                    looked.len()
                ),
            );
        }
    }
    v
}

pub fn assess(m: &RepoMeta, v: &StarVerdict) -> Assessment {
    let mut a = Assessment::default();
    let basis = if v.sample_used {
        "Judged from counts, ratios and a sample of stargazers."
    } else {
        "GitHub did not return the stargazer list (only admins can read it since July 2026), so this is judged from counts and ratios only."
    };
    let Some(stars) = m.stars else {
        a.check(
            "fake_stars",
            "Fake stars",
            CheckStatus::Info,
            0,
            "Star counts are not available for this host.",
        );
        return a;
    };
    let list = v.signals.join("; ");
    if v.suspicious() {
        a.check(
            "fake_stars",
            "Fake stars",
            CheckStatus::Fail,
            -20,
            format!("Stars look bought: {list}. {basis}"),
        );
        a.red(
            "fake_stars",
            Severity::High,
            "Likely fake stars",
            format!("{list}. {basis}"),
        );
        a.tag("#FakeStars");
    } else if v.weight == 2 {
        a.check(
            "fake_stars",
            "Fake stars",
            CheckStatus::Warn,
            -8,
            format!("Some star counts look inflated: {list}. {basis}"),
        );
        a.red(
            "fake_stars",
            Severity::Medium,
            "Star counts look inflated",
            format!("{list}. {basis}"),
        );
    } else if v.weight == 1 {
        a.check(
            "fake_stars",
            "Fake stars",
            CheckStatus::Info,
            0,
            format!("One weak signal: {list}. {basis}"),
        );
    } else {
        a.check(
            "fake_stars",
            "Fake stars",
            CheckStatus::Pass,
            0,
            format!("{stars} stars are in proportion to forks, watchers and activity. {basis}"),
        );
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{OwnerMeta, Stargazer};
    use chrono::{TimeZone, Utc};

    fn base() -> RepoMeta {
        let now = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
        RepoMeta {
            now,
            created_at: Some(now - Duration::days(20)),
            ..Default::default()
        }
    }

    #[test]
    fn bought_stars_from_ratios() {
        let mut m = base();
        m.stars = Some(2400);
        m.forks = Some(3);
        m.watchers = Some(2);
        m.contributors = vec![("dev".into(), 4)];
        m.owner = Some(OwnerMeta {
            login: "dev".into(),
            created_at: Some(m.now - Duration::days(15)),
            ..Default::default()
        });
        let v = evaluate(&m);
        assert!(v.suspicious(), "{v:?}");
        let a = assess(&m, &v);
        assert_eq!(a.checks[0].points, -20);
        assert!(a.checks[0].detail.contains("counts and ratios only"));
    }

    #[test]
    fn honest_old_repo_with_few_stars() {
        let mut m = base();
        m.created_at = Some(m.now - Duration::days(2000));
        m.stars = Some(12);
        m.forks = Some(0);
        m.watchers = Some(1);
        let v = evaluate(&m);
        assert_eq!(v.weight, 0);
        assert_eq!(assess(&m, &v).checks[0].status, CheckStatus::Pass);
    }

    #[test]
    fn sample_bursts_and_throwaways() {
        let mut m = base();
        m.created_at = Some(m.now - Duration::days(400));
        m.stars = Some(150);
        m.forks = Some(20);
        let t0 = m.now - Duration::days(3);
        m.stargazers = Some(
            (0..40)
                .map(|i| Stargazer {
                    login: format!("u{i}"),
                    starred_at: t0 + Duration::minutes(i * 7),
                    account_created_at: (i < 10).then(|| t0 - Duration::days(2)),
                    followers: Some(0),
                    public_repos: Some(0),
                })
                .collect(),
        );
        let v = evaluate(&m);
        assert!(v.sample_used && v.suspicious(), "{v:?}");
    }
}
