//! X (Twitter) profile scan: X API v2 user lookup and recent posts, judged on account age,
//! audience, verification, activity, profile completeness, engagement against followers
//! (bought audiences) and shill/giveaway language.

use chrono::{DateTime, Utc};
use reqwest::header::AUTHORIZATION;
use reqwest::StatusCode;
use serde::Deserialize;
use url::Url;

use crate::config::EngineConfig;
use crate::error::ScanError;
use crate::result::{CheckStatus, ScanResult, Severity};
use crate::scoring::{self, Assessment};
use crate::sources::http::{self, check_base, rate_limit_error, rate_limited, transport_error};

const SERVICE: &str = "X";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct PublicMetrics {
    #[serde(default)]
    pub followers_count: u64,
    #[serde(default)]
    pub following_count: u64,
    #[serde(default)]
    pub tweet_count: u64,
    #[serde(default)]
    pub listed_count: u64,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct XUser {
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub name: String,
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub verified_type: Option<String>,
    #[serde(default)]
    pub public_metrics: PublicMetrics,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct TweetMetrics {
    #[serde(default)]
    pub like_count: u64,
    #[serde(default)]
    pub retweet_count: u64,
    #[serde(default)]
    pub reply_count: u64,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Tweet {
    #[serde(default)]
    pub text: String,
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub public_metrics: TweetMetrics,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
}

async fn get<T: for<'de> Deserialize<'de>>(
    client: &reqwest::Client,
    url: Url,
    token: &str,
) -> Result<Option<T>, ScanError> {
    let resp = client
        .get(url)
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| transport_error(SERVICE, &e))?;
    let status = resp.status();
    if rate_limited(status, resp.headers()) {
        return Err(rate_limit_error(SERVICE, resp.headers()));
    }
    match status {
        s if s.is_success() => {
            let env: Envelope<T> = resp
                .json()
                .await
                .map_err(|_| ScanError::transient("X returned an unreadable answer; try again later."))?;
            Ok(env.data)
        }
        StatusCode::NOT_FOUND => Ok(None),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            Err(ScanError::permanent("X rejected the configured API token."))
        }
        s if s.is_server_error() => Err(ScanError::transient("X is having problems; try again later.")),
        s => Err(ScanError::permanent(format!("X answered with status {}.", s.as_u16()))),
    }
}

/// Fetch the profile and up to 20 recent posts.
pub async fn fetch(cfg: &EngineConfig, handle: &str) -> Result<(XUser, Vec<Tweet>), ScanError> {
    let token = cfg
        .x_bearer_token
        .as_deref()
        .ok_or_else(|| ScanError::permanent("X profile scans are not configured on this server."))?;
    let mut base = Url::parse(&cfg.x_api_url).map_err(|_| ScanError::permanent("X API URL is invalid."))?;
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    check_base(SERVICE, &base, cfg.allow_private_targets)?;
    let client = http::client(cfg.allow_private_targets, cfg.limits.http_timeout)?;
    let mut u = base
        .join(&format!("2/users/by/username/{handle}"))
        .map_err(|_| ScanError::permanent("Invalid handle."))?;
    u.query_pairs_mut().append_pair(
        "user.fields",
        "created_at,public_metrics,verified,verified_type,description,url",
    );
    let user: XUser = get(&client, u, token)
        .await?
        .ok_or_else(|| ScanError::permanent(format!("X account @{handle} not found.")))?;
    let mut t = base
        .join(&format!("2/users/{}/tweets", user.id))
        .map_err(|_| ScanError::permanent("Invalid user id."))?;
    t.query_pairs_mut()
        .append_pair("max_results", "20")
        .append_pair("tweet.fields", "created_at,public_metrics");
    let tweets: Vec<Tweet> = get(&client, t, token).await?.unwrap_or_default();
    Ok((user, tweets))
}

/// Phrases of giveaway scams: "send 1 SOL, get 2 back".
const GIVEAWAY: [&str; 6] = [
    "double your",
    "send 1",
    "send 0.",
    "get 2x back",
    "will send back",
    "giveaway: send",
];
const SHILL: [&str; 14] = [
    "100x",
    "1000x",
    "guaranteed",
    "presale",
    "pre-sale",
    "airdrop",
    "dm me",
    "dm for",
    "free mint",
    "whitelist spots",
    "next gem",
    "don't miss",
    "ape in",
    "stealth launch",
];

pub fn assess(u: &XUser, tweets: &[Tweet], now: DateTime<Utc>) -> ScanResult {
    use CheckStatus::*;
    let mut a = Assessment::default();
    let m = &u.public_metrics;

    match u.created_at.map(|c| (now - c).num_days().max(0)) {
        Some(d) => {
            let (st, pts) = match d {
                1095.. => (Pass, 20),
                365..=1094 => (Pass, 15),
                180..=364 => (Pass, 8),
                30..=179 => (Warn, 3),
                _ => (Fail, -10),
            };
            a.check(
                "x.account_age",
                "Account age",
                st,
                pts,
                format!("@{} was created {d} days ago.", u.username),
            );
            if d < 30 {
                a.red(
                    "x.account_age",
                    Severity::High,
                    "Brand-new account",
                    format!("Created {d} days ago."),
                );
                a.tag("#NewAccount");
            } else if d >= 365 {
                a.green(
                    "x.account_age",
                    "Established account",
                    format!("Over {} year(s) old.", d / 365),
                );
            }
        }
        None => a.check("x.account_age", "Account age", Info, 0, "Creation date not returned."),
    }

    let ratio = if m.followers_count == 0 {
        f64::INFINITY
    } else {
        m.following_count as f64 / m.followers_count as f64
    };
    let (st, pts) = if m.followers_count >= 1000 && ratio <= 1.0 {
        (Pass, 15)
    } else if m.followers_count >= 100 {
        (Pass, 10)
    } else {
        (Warn, 3)
    };
    a.check(
        "x.audience",
        "Audience",
        st,
        pts,
        format!("{} followers, following {}.", m.followers_count, m.following_count),
    );
    if ratio > 5.0 && m.followers_count < 500 {
        a.red(
            "x.audience",
            Severity::Low,
            "Follows far more accounts than follow it",
            "Typical of follow-for-follow growth.",
        );
    }

    if u.verified {
        let kind = u.verified_type.clone().unwrap_or_else(|| "verified".into());
        a.check("x.verified", "Verification", Pass, 10, format!("Verified ({kind})."));
    } else {
        a.check("x.verified", "Verification", Info, 0, "Not verified.");
    }

    let recent = tweets
        .iter()
        .filter(|t| t.created_at.is_some_and(|c| now - c <= chrono::Duration::days(30)))
        .count();
    let (st, pts) = match m.tweet_count {
        500.. => (Pass, 10),
        50..=499 => (Pass, 6),
        _ => (Warn, 2),
    };
    a.check(
        "x.activity",
        "Posting history",
        st,
        pts,
        format!("{} posts in total, {recent} in the last 30 days.", m.tweet_count),
    );

    let complete =
        usize::from(!u.description.trim().is_empty()) + usize::from(u.url.as_deref().is_some_and(|s| !s.is_empty()));
    a.check(
        "x.profile",
        "Profile completeness",
        if complete == 2 { Pass } else { Warn },
        complete as i32 * 5,
        match complete {
            2 => "Bio and website present.".to_string(),
            1 => "Only one of bio and website present.".to_string(),
            _ => "No bio and no website.".to_string(),
        },
    );

    if tweets.is_empty() {
        a.check(
            "x.engagement",
            "Engagement",
            Info,
            0,
            "No recent posts to judge engagement.",
        );
    } else {
        let avg = tweets
            .iter()
            .map(|t| t.public_metrics.like_count + t.public_metrics.retweet_count + t.public_metrics.reply_count)
            .sum::<u64>() as f64
            / tweets.len() as f64;
        let expected = m.followers_count as f64 * 0.0005;
        if m.followers_count >= 10_000 && avg < expected {
            a.check(
                "x.engagement",
                "Engagement",
                Warn,
                -10,
                format!(
                    "{} followers but {avg:.1} interactions per post: the audience looks bought.",
                    m.followers_count
                ),
            );
            a.red(
                "x.engagement",
                Severity::Medium,
                "Followers don't engage",
                format!("{avg:.1} interactions per post for {} followers.", m.followers_count),
            );
            a.tag("#BoughtFollowers");
        } else {
            a.check(
                "x.engagement",
                "Engagement",
                Pass,
                15,
                format!("{avg:.1} interactions per recent post."),
            );
        }
    }

    let corpus = std::iter::once(u.description.to_lowercase())
        .chain(tweets.iter().map(|t| t.text.to_lowercase()))
        .collect::<Vec<_>>()
        .join("\n");
    let giveaway: Vec<&str> = GIVEAWAY.iter().copied().filter(|p| corpus.contains(p)).collect();
    // X's own vocabulary ("dm me", "ape in") plus the phrases READMEs are judged by.
    let mut shill: Vec<&str> = SHILL.iter().copied().filter(|p| corpus.contains(p)).collect();
    for p in crate::analysis::readme::shill_phrases(&corpus) {
        if !shill.iter().any(|s| p.starts_with(s) || s.starts_with(p)) {
            shill.push(p);
        }
    }
    if !giveaway.is_empty() {
        a.check(
            "x.shill_language",
            "Shill and giveaway language",
            Fail,
            -30,
            format!(
                "Posts ask followers to send crypto to get more back ({}).",
                giveaway.join(", ")
            ),
        );
        a.red(
            "x.shill_language",
            Severity::Critical,
            "Giveaway scam posts",
            "\"Send crypto, get double back\" is always a scam.",
        );
        a.critical_scam = true;
        a.tag("#GiveawayScam");
    } else if shill.len() >= 3 {
        a.check(
            "x.shill_language",
            "Shill and giveaway language",
            Fail,
            -20,
            format!("Heavy shill vocabulary: {}.", shill.join(", ")),
        );
        a.red(
            "x.shill_language",
            Severity::High,
            "Shill language",
            format!("Uses {}.", shill.join(", ")),
        );
        a.tag("#Shill");
    } else {
        let d = if shill.is_empty() {
            "No shill or giveaway phrases.".to_string()
        } else {
            format!("Occasional promo words: {}.", shill.join(", "))
        };
        a.check("x.shill_language", "Shill and giveaway language", Pass, 20, d);
    }
    scoring::finish(a, &format!("@{}", u.username))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn user(days: i64, followers: u64) -> (XUser, DateTime<Utc>) {
        let now = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
        (
            XUser {
                id: "1".into(),
                username: "dev".into(),
                created_at: Some(now - Duration::days(days)),
                description: "Building on Solana".into(),
                url: Some("https://example.org".into()),
                public_metrics: PublicMetrics {
                    followers_count: followers,
                    following_count: 200,
                    tweet_count: 3000,
                    listed_count: 10,
                },
                ..Default::default()
            },
            now,
        )
    }

    #[test]
    fn established_builder() {
        let (u, now) = user(2000, 5000);
        let tweets: Vec<Tweet> = (0..10)
            .map(|i| Tweet {
                text: "shipped v2 of the sdk".into(),
                created_at: Some(now - Duration::days(i)),
                public_metrics: TweetMetrics {
                    like_count: 40,
                    retweet_count: 5,
                    reply_count: 3,
                },
            })
            .collect();
        let r = assess(&u, &tweets, now);
        assert!(r.score >= 80, "{r:?}");
    }

    #[test]
    fn shill_phrases_of_readmes_count_on_x_too() {
        let (u, now) = user(2000, 5000);
        let post = |t: &str| Tweet {
            text: t.into(),
            created_at: Some(now),
            public_metrics: TweetMetrics {
                like_count: 40,
                retweet_count: 5,
                reply_count: 3,
            },
        };
        // "risk-free" and "passive income" come from the README table, "100x" from both.
        let tweets = vec![post("Risk-free staking, passive income for holders. This will 100x.")];
        let r = assess(&u, &tweets, now);
        let c = r.checks.iter().find(|c| c.id == "x.shill_language").unwrap();
        assert_eq!(c.points, -20, "{c:?}");
        assert!(
            c.detail.contains("risk-free") && c.detail.contains("passive income"),
            "{c:?}"
        );
        // Ordinary posts stay clean.
        let r = assess(&u, &[post("Benchmarks: the new parser is 100x faster.")], now);
        let c = r.checks.iter().find(|c| c.id == "x.shill_language").unwrap();
        assert!(c.points > 0, "{c:?}");
    }

    #[test]
    fn giveaway_scammer() {
        let (u, now) = user(5, 40_000);
        let tweets = vec![Tweet {
            text: "GIVEAWAY: send 1 SOL and we will send back 2! Double your SOL".into(),
            created_at: Some(now),
            public_metrics: TweetMetrics::default(),
        }];
        let r = assess(&u, &tweets, now);
        assert_eq!(r.verdict, crate::result::Verdict::Scam);
        assert!(r.red_flags.iter().any(|f| f.id == "x.shill_language"));
    }
}
