//! The engine: fetch a target, run every analysis, score, fingerprint. Progress is
//! reported as percent + message through [`ProgressSink`].

use std::sync::Arc;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::analysis::{
    ai_wrapper, content, contracts, dependencies, executables, fake_stars, manifests, project, readme, repo_signals,
    scanner::Scanner, trust, workflows,
};
use crate::compare::{self, Side};
use crate::config::EngineConfig;
use crate::error::ScanError;
use crate::fingerprint::{self, Fingerprint};
use crate::meta::RepoMeta;
use crate::result::ScanResult;
use crate::scoring::{self, Assessment};
use crate::sources::{git::GitSource, github::GitHub, osv::Osv};
use crate::target::RepoTarget;
use crate::tree::FileTree;
use crate::x_profile;

/// Receives progress events (`percent` only ever grows within a scan).
pub trait ProgressSink: Send + Sync {
    fn progress(&self, percent: u8, message: &str);
}

/// A sink that drops events.
pub struct NoProgress;
impl ProgressSink for NoProgress {
    fn progress(&self, _: u8, _: &str) {}
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepoOutcome {
    pub result: ScanResult,
    pub fingerprint: Fingerprint,
}

pub struct Engine {
    cfg: EngineConfig,
}

impl Engine {
    pub fn new(cfg: EngineConfig) -> Self {
        Engine { cfg }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// Fetch contents and metadata of a repository.
    pub async fn fetch(
        &self,
        target: &RepoTarget,
        progress: &dyn ProgressSink,
    ) -> Result<(FileTree, RepoMeta), ScanError> {
        let now = Utc::now();
        match target {
            RepoTarget::GitHub { owner, repo } => {
                // Targets may be built directly rather than parsed: re-check the names that
                // become API path segments.
                if !crate::target::valid_github_owner(owner) || !crate::target::valid_github_repo(repo) {
                    return Err(ScanError::permanent("Invalid GitHub owner or repository name."));
                }
                let gh = GitHub::new(
                    &self.cfg.github_api_url,
                    self.cfg.github_token.clone(),
                    self.cfg.allow_private_targets,
                    self.cfg.limits.clone(),
                )?;
                progress.progress(5, "Fetching repository metadata and source archive from GitHub");
                // Both at once: the archive streams while the API calls run. A metadata
                // error (404, rate limit) wins, being the clearer message.
                let (meta, tree) = tokio::join!(gh.metadata(owner, repo, now), gh.tarball(owner, repo));
                let meta = meta?;
                let tree = tree?;
                progress.progress(35, &format!("Downloaded {} files", tree.files.len()));
                Ok((tree, meta))
            }
            RepoTarget::Git { url } => {
                progress.progress(5, "Cloning repository");
                let src = GitSource {
                    allow_private: self.cfg.allow_private_targets,
                    limits: self.cfg.limits.clone(),
                    work_dir: self.cfg.work_dir.clone(),
                };
                src.fetch(url, now).await
            }
        }
    }

    pub async fn scan_repo(&self, target: &RepoTarget, progress: &dyn ProgressSink) -> Result<RepoOutcome, ScanError> {
        let started = std::time::Instant::now();
        progress.progress(1, "Scan started");
        let (tree, meta) = match self.fetch(target, progress).await {
            Ok(x) => x,
            Err(e) => {
                tracing::info!(target = %target, retryable = e.is_retryable(), error = %e, "repository fetch failed");
                return Err(e);
            }
        };
        tracing::debug!(target = %target, files = tree.files.len(), bytes = tree.total_bytes(), skipped = tree.skipped.len(), "repository fetched");
        progress.progress(
            40,
            &format!("Scanning {} files for secrets and scam patterns", tree.files.len()),
        );
        let external = self.external(&tree, progress).await;
        let outcome = analyze_with(tree, meta, &target.display_name(), progress, external).await?;
        tracing::info!(target = %target, score = outcome.result.score, verdict = outcome.result.verdict.as_str(), ms = started.elapsed().as_millis() as u64, "repository scanned");
        progress.progress(100, "Scan complete");
        Ok(outcome)
    }

    /// Network facts about fetched contents: the repository's pinned dependencies looked up
    /// in OSV. Best effort: never fails the scan.
    pub async fn external(&self, tree: &FileTree, progress: &dyn ProgressSink) -> External {
        // Lockfiles are untrusted input read on the async worker: a parser bug must cost
        // the dependency check, not the worker.
        let collected = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dependencies::collect(tree)));
        let Ok(manifests) = collected else {
            tracing::error!("dependency manifests could not be parsed (panic)");
            return External::default();
        };
        if manifests.packages.is_empty() {
            return External {
                deps: Some(dependencies::DepsIntel {
                    manifests,
                    lookup: dependencies::Lookup::NothingToQuery,
                    hits: vec![],
                }),
            };
        }
        progress.progress(
            37,
            &format!("Checking {} pinned dependencies against OSV", manifests.packages.len()),
        );
        let deps = match Osv::new(
            &self.cfg.osv_api_url,
            self.cfg.allow_private_targets,
            self.cfg.limits.http_timeout,
        ) {
            Ok(osv) => osv.lookup(manifests).await,
            Err(e) => dependencies::DepsIntel {
                manifests,
                lookup: dependencies::Lookup::Unavailable(e.message),
                hits: vec![],
            },
        };
        if let dependencies::Lookup::Unavailable(why) = &deps.lookup {
            tracing::info!(reason = %why, "OSV lookup unavailable");
        }
        External { deps: Some(deps) }
    }

    pub async fn scan_x_profile(&self, handle: &str, progress: &dyn ProgressSink) -> Result<ScanResult, ScanError> {
        let handle = crate::target::parse_x_handle(handle)?;
        progress.progress(5, "Fetching X profile");
        let (user, tweets) = x_profile::fetch(&self.cfg, &handle).await?;
        progress.progress(70, "Analysing profile and recent posts");
        let r = x_profile::assess(&user, &tweets, Utc::now());
        progress.progress(100, "Scan complete");
        Ok(r)
    }

    pub async fn compare(
        &self,
        a: &RepoTarget,
        b: &RepoTarget,
        progress: &dyn ProgressSink,
    ) -> Result<ScanResult, ScanError> {
        progress.progress(2, "Fetching both repositories");
        let quiet = NoProgress;
        let (ra, rb) = tokio::join!(self.fetch(a, &quiet), self.fetch(b, &quiet));
        let (ta, ma) = ra?;
        let (tb, mb) = rb?;
        progress.progress(60, "Comparing code");
        let (na, nb, rna, rnb) = (a.display_name(), b.display_name(), a.repo_name(), b.repo_name());
        let result = tokio::task::spawn_blocking(move || {
            compare::compare(
                &Side {
                    name: na,
                    repo_name: rna,
                    tree: &ta,
                    meta: &ma,
                },
                &Side {
                    name: nb,
                    repo_name: rnb,
                    tree: &tb,
                    meta: &mb,
                },
            )
        })
        .await
        .map_err(|_| ScanError::transient("Comparison failed unexpectedly."))?;
        progress.progress(100, "Comparison complete");
        Ok(result)
    }
}

/// Facts fetched over the network before analysis, so [`analyze_with`] stays pure.
#[derive(Debug, Clone, Default)]
pub struct External {
    /// Dependencies and what OSV said about them; `None`: not looked up (the dependency
    /// checks say so, 0 points).
    pub deps: Option<dependencies::DepsIntel>,
}

/// Run every analysis over fetched contents and metadata. Public so tests, benches and
/// the orchestration can analyse trees they already have. Fingerprints are not
/// brand-masked: the orchestration's index compares against anything scanned before.
pub async fn analyze(
    tree: FileTree,
    meta: RepoMeta,
    display: &str,
    progress: &dyn ProgressSink,
) -> Result<RepoOutcome, ScanError> {
    analyze_with(tree, meta, display, progress, External::default()).await
}

/// [`analyze`] with facts fetched beforehand ([`Engine::external`]).
pub async fn analyze_with(
    tree: FileTree,
    meta: RepoMeta,
    display: &str,
    progress: &dyn ProgressSink,
    external: External,
) -> Result<RepoOutcome, ScanError> {
    let tree = Arc::new(tree);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
    let t2 = tree.clone();
    let job = tokio::task::spawn_blocking(move || {
        let report = Scanner::global().scan_tree(&t2, &|done, total| {
            let _ = tx.send((done, total));
        });
        let fp = fingerprint::fingerprint(&t2, &[]);
        (report, fp)
    });
    tokio::pin!(job);
    // Workers report out of order; only ever move the bar forward.
    let mut last = 40u8;
    let (report, mut fp) = loop {
        tokio::select! {
            res = &mut job => break res.map_err(|_| ScanError::transient("Content scan failed unexpectedly."))?,
            Some((done, total)) = rx.recv() => {
                let pct = (40 + (done * 45 / total.max(1)) as u8).min(85);
                if pct > last {
                    last = pct;
                    progress.progress(pct, &format!("Scanned {done} of {total} files"));
                }
            }
        }
    };
    fp.repo_created_at = meta.created_at;
    fp.fork_of = meta.is_fork.then(|| meta.fork_of.clone()).flatten();
    progress.progress(88, "Running trust checks");
    // Everything after the content pass reads untrusted files too (manifests, contracts,
    // workflows, the README): it runs on the blocking pool, where a bug that panics on some
    // repository fails that scan with a readable error instead of taking the worker down.
    let assessed = tokio::task::spawn_blocking(move || {
        let mut report = report;
        let facts = project::facts(&tree, &report);
        let stars = fake_stars::evaluate(&meta);
        let extra = manifests::evaluate(&tree, &report.files);
        if readme::promotes_download(&facts.readme_text) {
            executables::escalate_promoted(&mut report.binary_findings);
        }
        let mut a = Assessment::default();
        a.merge(trust::assess(&meta, &facts, &stars));
        a.merge(fake_stars::assess(&meta, &stars));
        a.merge(repo_signals::assess(&meta, &facts));
        let deps = external
            .deps
            .unwrap_or_else(|| dependencies::DepsIntel::offline(dependencies::collect(&tree)));
        a.merge(dependencies::assess(&deps));
        a.merge(content::secrets(&report));
        a.merge(content::scam(&report, &extra));
        a.merge(ai_wrapper::assess(&ai_wrapper::signal(&facts, &report)));
        a.merge(contracts::assess(
            &contracts::analyse(&tree, &report),
            &facts.readme_text,
        ));
        a.merge(workflows::assess(&workflows::analyse(&tree)));
        a.merge(readme::assess(&readme::analyse(&tree, &facts)));
        a.merge(content::coverage(&report, tree.incomplete));
        a
    })
    .await;
    let repository = display;
    let a = assessed.map_err(|e| {
        tracing::error!(%repository, error = %e, "analysis panicked");
        // The same repository would panic again: not worth a retry.
        ScanError::permanent("The analysis of this repository failed unexpectedly; it has been logged for the team.")
    })?;
    progress.progress(95, "Scoring");
    Ok(RepoOutcome {
        result: scoring::finish(a, display),
        fingerprint: fp,
    })
}
