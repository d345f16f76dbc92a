//! The similarity index: the code fingerprint of every completed repository scan, looked up
//! by locality-sensitive band keys (an indexed equality match) and confirmed with the
//! engine's MinHash estimate. A new scan whose code is a near-duplicate of a repository
//! scanned earlier under another name gets a red flag naming it: the classic rug is a
//! popular project re-uploaded under a new brand.

use aura_engine::{scoring::rescore, similarity, Check, CheckStatus, Fingerprint, Flag, ScanResult, Severity, Verdict};
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::server::entities::{fingerprint, fingerprint_key};

/// Estimated Jaccard similarity from which two code bases count as the same project.
pub const THRESHOLD: f64 = 0.85;
/// Points the finding costs (its own check, so the score stays the sum of its checks).
pub const PENALTY: i32 = -15;
const MAX_CANDIDATES: u64 = 200;

#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub scan_id: String,
    pub target: String,
    pub similarity: f64,
}

/// The most similar *other* repository, at or above [`THRESHOLD`], that is the original of
/// the two: the older by the repositories' own creation dates when both are known (so a copy
/// scanned before its original never makes the original look like the clone), else the one
/// indexed first. Declared forks of each other are not disguised copies.
pub async fn near_duplicate(db: &impl ConnectionTrait, target: &str, fp: &Fingerprint) -> Result<Option<Match>, DbErr> {
    let keys = fp.index_keys();
    if keys.is_empty() {
        return Ok(None);
    }
    let first_seen = fingerprint::Entity::find()
        .filter(fingerprint::Column::Target.eq(target))
        .one(db)
        .await?
        .map(|f| f.created_at);
    let ids: Vec<String> = fingerprint_key::Entity::find()
        .select_only()
        .column(fingerprint_key::Column::ScanId)
        .distinct()
        .filter(fingerprint_key::Column::Key.is_in(keys))
        .limit(MAX_CANDIDATES)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(None);
    }
    let candidates = fingerprint::Entity::find()
        .filter(fingerprint::Column::ScanId.is_in(ids))
        .filter(fingerprint::Column::Target.ne(target))
        .all(db)
        .await?;
    Ok(candidates
        .into_iter()
        .filter_map(|c| {
            let other: Fingerprint = serde_json::from_str(&c.sketch).ok()?;
            // Created the same day: the dates cannot tell, the order of indexing decides.
            let original = match (other.repo_created_at, fp.repo_created_at) {
                (Some(theirs), Some(ours)) if (ours - theirs).num_days().abs() >= 1 => theirs < ours,
                _ => first_seen.is_none_or(|t| c.created_at < t),
            };
            let is = |fork: &Option<String>, name: &str| fork.as_deref().is_some_and(|f| f.eq_ignore_ascii_case(name));
            let related_fork = is(&fp.fork_of, &c.target) || is(&other.fork_of, target);
            if !original || related_fork {
                return None;
            }
            let s = similarity(fp, &other);
            (s >= THRESHOLD).then_some(Match {
                scan_id: c.scan_id,
                target: c.target,
                similarity: s,
            })
        })
        .max_by(|a, b| a.similarity.total_cmp(&b.similarity)))
}

/// Adds (or replaces) this target's fingerprint; one row per target keeps the index bounded.
/// `created_at` keeps the time the target was first indexed.
pub async fn index(db: &impl ConnectionTrait, scan_id: &str, target: &str, fp: &Fingerprint) -> Result<(), DbErr> {
    let previous = fingerprint::Entity::find()
        .filter(fingerprint::Column::Target.eq(target))
        .one(db)
        .await?;
    let first_seen = previous.map(|p| p.created_at).unwrap_or_else(Utc::now);
    fingerprint::Entity::delete_many()
        .filter(fingerprint::Column::Target.eq(target))
        .exec(db)
        .await?;
    let sketch = serde_json::to_string(fp).map_err(|e| DbErr::Custom(e.to_string()))?;
    fingerprint::Entity::insert(fingerprint::ActiveModel {
        scan_id: Set(scan_id.to_owned()),
        target: Set(target.to_owned()),
        sketch: Set(sketch),
        created_at: Set(first_seen),
    })
    .exec(db)
    .await?;
    let mut keys = fp.index_keys();
    keys.sort();
    keys.dedup();
    if !keys.is_empty() {
        fingerprint_key::Entity::insert_many(keys.into_iter().map(|k| fingerprint_key::ActiveModel {
            key: Set(k),
            scan_id: Set(scan_id.to_owned()),
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Records the finding in a result: a high red flag, its own check and `#Clone`, with the
/// score, grade, verdict and summary recomputed from the checks.
pub fn apply(result: &mut ScanResult, subject: &str, m: &Match) {
    let pct = (m.similarity * 100.0).round() as u32;
    let critical_before = result.verdict == Verdict::Scam && result.score >= 20;
    result.red_flags.push(Flag {
        id: "similarity.near_duplicate".into(),
        severity: Severity::High,
        title: format!("Code matches {} ({pct} %)", m.target),
        detail: format!(
            "About {pct} % of this code base is identical to {}, which AuraSecurity scanned earlier under that name. \
             Re-uploads of an existing project under a new brand are a common rug-pull pattern; check which one is the original.",
            m.target
        ),
    });
    result.checks.push(Check {
        id: "similarity.index".into(),
        name: "Known code elsewhere".into(),
        status: CheckStatus::Fail,
        points: PENALTY,
        detail: format!("Near-duplicate ({pct} %) of {} in the similarity index.", m.target),
    });
    result.tags.push("#Clone".into());
    rescore(result, subject, critical_before);
}
