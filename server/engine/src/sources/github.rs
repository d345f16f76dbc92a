//! GitHub source: REST metadata (repository, contributors, commits, releases, tags,
//! languages, owner, a stargazer sample) and the contents tarball, streamed into the
//! capped unpacker while it downloads.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest::header::{ACCEPT, AUTHORIZATION};
use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

use super::archive::{unpack_tar_gz, ChannelReader};
use super::http::{self, check_base, link_rel, rate_limit_error, rate_limited, same_origin, transport_error};
use crate::analysis::classify;
use crate::config::Limits;
use crate::error::ScanError;
use crate::meta::{Commit, ForkCompare, OwnerMeta, RepoMeta, RootCommit, Stargazer};
use crate::tree::FileTree;

const SERVICE: &str = "GitHub";
const ACCEPT_JSON: &str = "application/vnd.github+json";
const ACCEPT_STARS: &str = "application/vnd.github.star+json";
/// Stargazer accounts looked up per scan (each is one API call).
const STARGAZER_LOOKUPS: usize = 10;
/// A fork comparison larger than this is not a thin fork; it is not read further.
const MAX_COMPARE_BYTES: usize = 4 * 1024 * 1024;

pub struct GitHub {
    client: reqwest::Client,
    base: Url,
    token: Option<String>,
    limits: Limits,
}

fn ts(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

impl GitHub {
    pub fn new(api_url: &str, token: Option<String>, allow_private: bool, limits: Limits) -> Result<Self, ScanError> {
        let mut base = Url::parse(api_url).map_err(|_| ScanError::permanent("GitHub API URL is invalid."))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        check_base(SERVICE, &base, allow_private)?;
        Ok(GitHub {
            client: http::client(allow_private, limits.http_timeout)?,
            base,
            token,
            limits,
        })
    }

    fn url(&self, path: &str) -> Result<Url, ScanError> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|_| ScanError::permanent("Invalid GitHub API path."))
    }

    fn request(&self, url: Url, accept: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .client
            .get(url)
            .header(ACCEPT, accept)
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(t) = &self.token {
            r = r.header(AUTHORIZATION, format!("Bearer {t}"));
        }
        r
    }

    /// One JSON page. `Ok(None)` for the statuses a caller asked to treat as "not available".
    async fn page(
        &self,
        url: Url,
        accept: &str,
        soft: &[StatusCode],
    ) -> Result<Option<(Value, reqwest::header::HeaderMap)>, ScanError> {
        if !same_origin(&url, &self.base) {
            return Err(ScanError::permanent("GitHub pagination pointed at another host."));
        }
        let resp = self
            .request(url, accept)
            .send()
            .await
            .map_err(|e| transport_error(SERVICE, &e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        if status.is_success() {
            if status == StatusCode::NO_CONTENT || status == StatusCode::ACCEPTED {
                return Ok(Some((Value::Array(vec![]), headers)));
            }
            let v: Value = resp
                .json()
                .await
                .map_err(|_| ScanError::transient("GitHub returned an unreadable answer; try again later."))?;
            return Ok(Some((v, headers)));
        }
        if rate_limited(status, &headers) {
            return Err(rate_limit_error(SERVICE, &headers));
        }
        if soft.contains(&status) {
            return Ok(None);
        }
        Err(status_error(status))
    }

    /// Follow `Link: rel="next"` for up to `max_pages` pages of a list endpoint.
    async fn list(
        &self,
        path: &str,
        accept: &str,
        max_pages: usize,
        soft: &[StatusCode],
    ) -> Result<Option<(Vec<Value>, Option<String>)>, ScanError> {
        let mut url = self.url(path)?;
        let mut out = Vec::new();
        let mut last = None;
        for i in 0..max_pages {
            let Some((v, h)) = self.page(url.clone(), accept, soft).await? else {
                return Ok(None);
            };
            if i == 0 {
                last = link_rel(&h, "last");
            }
            match v {
                Value::Array(items) => out.extend(items),
                _ => break,
            }
            match link_rel(&h, "next").and_then(|n| Url::parse(&n).ok()) {
                Some(n) => url = n,
                None => break,
            }
        }
        Ok(Some((out, last)))
    }

    pub async fn metadata(&self, owner: &str, repo: &str, now: DateTime<Utc>) -> Result<RepoMeta, ScanError> {
        let base = format!("repos/{owner}/{repo}");
        let Some((r, _)) = self.page(self.url(&base)?, ACCEPT_JSON, &[]).await? else {
            return Err(ScanError::permanent("Repository not found."));
        };
        let owner_login = r["owner"]["login"].as_str().unwrap_or(owner).to_string();
        let none: &[StatusCode] = &[
            StatusCode::NOT_FOUND,
            StatusCode::FORBIDDEN,
            StatusCode::CONFLICT,
            StatusCode::UNPROCESSABLE_ENTITY,
        ];
        let contributors_path = format!("{base}/contributors?per_page=100");
        let commits_path = format!("{base}/commits?per_page=100");
        let releases_path = format!("{base}/releases?per_page=100");
        let tags_path = format!("{base}/tags?per_page=100");
        let stars_path = format!("{base}/stargazers?per_page=100");
        let languages_path = format!("{base}/languages");
        let owner_path = format!("users/{owner_login}");
        let (contributors, commits, releases, tags, languages, owner_v, stars) = tokio::join!(
            self.list(&contributors_path, ACCEPT_JSON, 3, none),
            self.list(&commits_path, ACCEPT_JSON, 2, none),
            self.list(&releases_path, ACCEPT_JSON, 3, none),
            self.list(&tags_path, ACCEPT_JSON, 3, none),
            self.page(self.url(&languages_path)?, ACCEPT_JSON, none),
            self.page(self.url(&owner_path)?, ACCEPT_JSON, none),
            self.list(&stars_path, ACCEPT_STARS, 1, none),
        );
        let mut m = RepoMeta {
            source: "GitHub".into(),
            full_name: r["full_name"].as_str().unwrap_or_default().to_string(),
            description: r["description"].as_str().map(str::to_string),
            created_at: ts(&r["created_at"]),
            pushed_at: ts(&r["pushed_at"]),
            stars: r["stargazers_count"].as_u64(),
            forks: r["forks_count"].as_u64(),
            watchers: r["subscribers_count"].as_u64(),
            open_issues: r["open_issues_count"].as_u64(),
            archived: r["archived"].as_bool().unwrap_or(false),
            is_fork: r["fork"].as_bool().unwrap_or(false),
            fork_of: r["parent"]["full_name"].as_str().map(str::to_string),
            license_spdx: r["license"]["spdx_id"].as_str().map(str::to_string),
            now,
            ..Default::default()
        };
        if let Some((items, _)) = contributors? {
            m.contributors = items
                .iter()
                .filter_map(|c| {
                    Some((
                        c["login"].as_str()?.to_string(),
                        c["contributions"].as_u64().unwrap_or(0),
                    ))
                })
                .collect();
        }
        let mut root_sha = None;
        if let Some((items, _)) = commits? {
            // Less than a page: the list is the whole history and its last item the root.
            if items.len() < 100 {
                root_sha = items
                    .last()
                    .and_then(|c| c["sha"].as_str())
                    .filter(|s| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                    .map(str::to_string);
            }
            m.commits = items
                .iter()
                .filter_map(|c| {
                    let at = ts(&c["commit"]["author"]["date"]).or_else(|| ts(&c["commit"]["committer"]["date"]))?;
                    let author = c["author"]["login"]
                        .as_str()
                        .or_else(|| c["commit"]["author"]["name"].as_str())
                        .unwrap_or("unknown");
                    Some(Commit {
                        author: author.to_string(),
                        at,
                    })
                })
                .collect();
        }
        m.releases = releases?.map(|(items, _)| items.len() as u64);
        m.tags = tags?.map(|(items, _)| items.len() as u64).unwrap_or(0);
        if let Some((Value::Object(o), _)) = languages? {
            m.languages = o.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))).collect();
            m.languages.sort_by_key(|l| std::cmp::Reverse(l.1));
        }
        if let Some((o, _)) = owner_v? {
            m.owner = Some(OwnerMeta {
                login: owner_login,
                created_at: ts(&o["created_at"]),
                is_org: o["type"].as_str() == Some("Organization"),
                followers: o["followers"].as_u64(),
                public_repos: o["public_repos"].as_u64(),
            });
        }
        // Best effort, one request each: a failure leaves the fact unknown.
        let fork_parent = if m.is_fork { m.fork_of.clone() } else { None };
        let (root, compare) = tokio::join!(
            async {
                match &root_sha {
                    Some(sha) => self.root_commit(&base, sha).await,
                    None => None,
                }
            },
            async {
                match &fork_parent {
                    Some(parent) => {
                        let o = r["owner"]["login"].as_str().unwrap_or(owner);
                        let n = r["name"].as_str().unwrap_or(repo);
                        self.fork_compare(&r, parent, o, n).await
                    }
                    None => None,
                }
            }
        );
        m.root_commit = root;
        m.fork_compare = compare;
        m.stargazers = match stars? {
            Some((mut items, last)) => {
                // The listing is oldest-first: the last page holds the recent stars.
                if let Some(last_url) = last.and_then(|l| Url::parse(&l).ok()) {
                    if let Some((Value::Array(more), _)) = self.page(last_url, ACCEPT_STARS, none).await? {
                        items.extend(more);
                    }
                }
                Some(self.stargazers(items).await)
            }
            None => None,
        };
        Ok(m)
    }

    /// Lines the root commit added, code files counted like the project facts count them.
    async fn root_commit(&self, base: &str, sha: &str) -> Option<RootCommit> {
        let url = self.url(&format!("{base}/commits/{sha}?per_page=300")).ok()?;
        let (v, _) = self
            .page(
                url,
                ACCEPT_JSON,
                &[
                    StatusCode::NOT_FOUND,
                    StatusCode::FORBIDDEN,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ],
            )
            .await
            .ok()
            .flatten()?;
        let files = v["files"].as_array()?;
        let code_additions = files
            .iter()
            .filter(|f| {
                f["filename"].as_str().is_some_and(|p| {
                    classify::kind_of(p).is_code()
                        && !classify::vendored(p)
                        && !classify::test_path(p)
                        && !classify::minified(p)
                })
            })
            .filter_map(|f| f["additions"].as_u64())
            .sum();
        Some(RootCommit {
            code_additions,
            additions: v["stats"]["additions"].as_u64().unwrap_or(0),
            files: files.len() as u64,
        })
    }

    /// `GET /repos/{parent}/compare/{parent_branch}...{owner}:{repo}:{branch}`: how much
    /// the fork changes. Read with a size cap (the answer carries every patch).
    async fn fork_compare(&self, r: &Value, parent: &str, owner: &str, repo: &str) -> Option<ForkCompare> {
        let (p_owner, p_repo) = parent.split_once('/')?;
        if !crate::target::valid_github_owner(p_owner)
            || !crate::target::valid_github_repo(p_repo)
            || !crate::target::valid_github_owner(owner)
            || !crate::target::valid_github_repo(repo)
        {
            return None;
        }
        let p_branch = r["parent"]["default_branch"].as_str()?;
        let branch = r["default_branch"].as_str()?;
        let enc = |b: &str| -> String {
            url::form_urlencoded::byte_serialize(b.as_bytes())
                .collect::<String>()
                .replace("%2F", "/")
        };
        let url = self
            .url(&format!(
                "repos/{parent}/compare/{}...{owner}:{repo}:{}?per_page=1",
                enc(p_branch),
                enc(branch)
            ))
            .ok()?;
        let resp = self.request(url, ACCEPT_JSON).send().await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.ok()?;
            if body.len() + chunk.len() > MAX_COMPARE_BYTES {
                return Some(ForkCompare {
                    parent: parent.to_string(),
                    truncated: true,
                    ..Default::default()
                });
            }
            body.extend_from_slice(&chunk);
        }
        let v: Value = serde_json::from_slice(&body).ok()?;
        let files = v["files"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        Some(ForkCompare {
            parent: parent.to_string(),
            ahead_by: v["ahead_by"].as_u64()?,
            behind_by: v["behind_by"].as_u64().unwrap_or(0),
            changed_lines: files.iter().filter_map(|f| f["changes"].as_u64()).sum(),
            changed_files: files.len() as u64,
            // GitHub lists at most 300 files in a comparison.
            truncated: files.len() >= 300,
        })
    }

    async fn stargazers(&self, items: Vec<Value>) -> Vec<Stargazer> {
        let mut out: Vec<Stargazer> = items
            .iter()
            .filter_map(|s| {
                Some(Stargazer {
                    login: s["user"]["login"].as_str()?.to_string(),
                    starred_at: ts(&s["starred_at"])?,
                    account_created_at: None,
                    followers: None,
                    public_repos: None,
                })
            })
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.starred_at));
        out.dedup_by(|a, b| a.login == b.login);
        let lookups = out.iter().take(STARGAZER_LOOKUPS).map(|s| {
            let path = format!("users/{}", s.login);
            async move {
                let url = self.url(&path).ok()?;
                self.page(url, ACCEPT_JSON, &[StatusCode::NOT_FOUND])
                    .await
                    .ok()
                    .flatten()
                    .map(|(v, _)| v)
            }
        });
        let users = futures::future::join_all(lookups).await;
        for (s, u) in out.iter_mut().zip(users) {
            if let Some(u) = u {
                s.account_created_at = ts(&u["created_at"]);
                s.followers = u["followers"].as_u64();
                s.public_repos = u["public_repos"].as_u64();
            }
        }
        out
    }

    /// Download `GET /repos/{o}/{r}/tarball` (a 302 to the archive host, followed under the
    /// guard) and unpack it while it streams. The compressed size is capped too.
    pub async fn tarball(&self, owner: &str, repo: &str) -> Result<FileTree, ScanError> {
        let url = self.url(&format!("repos/{owner}/{repo}/tarball"))?;
        // The whole download shares one deadline, longer than an API call's.
        let deadline = self.limits.http_timeout.max(self.limits.clone_timeout);
        let resp = self
            .request(url, ACCEPT_JSON)
            .timeout(deadline)
            .send()
            .await
            .map_err(|e| transport_error(SERVICE, &e))?;
        let status = resp.status();
        if !status.is_success() {
            if rate_limited(status, resp.headers()) {
                return Err(rate_limit_error(SERVICE, resp.headers()));
            }
            return Err(status_error(status));
        }
        let cap = self.limits.max_archive_bytes;
        if resp.content_length().is_some_and(|l| l > cap) {
            return Err(too_large(cap));
        }
        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(16);
        let limits = self.limits.clone();
        let unpack = tokio::task::spawn_blocking(move || unpack_tar_gz(ChannelReader::new(rx), &limits, true));
        let mut stream = resp.bytes_stream();
        let mut total: u64 = 0;
        let mut failure = None;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(c) => {
                    total += c.len() as u64;
                    if total > cap {
                        failure = Some(too_large(cap));
                        let _ = tx.send(Err(std::io::Error::other("download cap"))).await;
                        break;
                    }
                    if tx.send(Ok(c.to_vec())).await.is_err() {
                        break; // the unpacker stopped early (a cap): fine.
                    }
                }
                Err(e) => {
                    failure = Some(transport_error(SERVICE, &e));
                    let _ = tx.send(Err(std::io::Error::other("download failed"))).await;
                    break;
                }
            }
        }
        drop(tx);
        let result = unpack
            .await
            .map_err(|_| ScanError::transient("Unpacking the archive failed."))?;
        if let Some(f) = failure {
            return Err(f);
        }
        result.map_err(|e| ScanError::permanent(e.to_string()))
    }
}

fn too_large(cap: u64) -> ScanError {
    ScanError::permanent(format!(
        "The repository is larger than the {} MB scan limit.",
        cap / 1_048_576
    ))
}

fn status_error(status: StatusCode) -> ScanError {
    match status.as_u16() {
        404 => ScanError::permanent("Repository not found on GitHub (it may be private or deleted)."),
        451 => ScanError::permanent("GitHub blocks this repository for legal reasons."),
        401 => ScanError::permanent("GitHub rejected the configured token."),
        403 => ScanError::permanent("GitHub refused access to this repository."),
        409 => ScanError::permanent("The repository is empty."),
        s if s >= 500 => ScanError::transient("GitHub is having problems; try again later."),
        s => ScanError::permanent(format!("GitHub answered with status {s}.")),
    }
}
