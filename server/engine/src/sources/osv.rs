//! OSV (osv.dev) client: which of a repository's exact package versions have advisories,
//! known-malicious releases (`MAL-…`) first. Best effort by design: any failure becomes
//! [`Lookup::Unavailable`] and the scan goes on without it.
//!
//! `POST {base}/v1/querybatch` answers ids only; `GET {base}/v1/vulns/{id}` gives the
//! severity and summary, fetched for at most [`MAX_DETAILS`] ids per scan. Both answers are
//! kept for a day in process-wide caches (bounded), keyed by the API base so separate
//! stand-ins never share entries.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

use super::http::{self, check_base};
use crate::analysis::dependencies::{Advisory, DepsIntel, Lookup, Manifests, Package, PackageHit, VulnSeverity};
use crate::error::ScanError;

const SERVICE: &str = "OSV";
/// OSV accepts up to 1,000 queries per batch.
const BATCH: usize = 1_000;
/// Advisory records fetched per scan (severity and summary); the rest stay unrated.
pub const MAX_DETAILS: usize = 30;
const DETAIL_CONCURRENCY: usize = 8;
/// Per request; OSV batch answers take a few seconds at most.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// The whole lookup, so a slow OSV delays a scan by a bounded amount.
pub const DEADLINE: Duration = Duration::from_secs(40);
const TTL: Duration = Duration::from_secs(24 * 3600);
const QUERY_CACHE_CAP: usize = 200_000;
const DETAIL_CACHE_CAP: usize = 20_000;
/// Larger answers are refused rather than buffered.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// (id, modified) of each advisory for one package version.
type Ids = Vec<(String, String)>;

struct TtlCache<V> {
    map: HashMap<String, (Instant, V)>,
    cap: usize,
}

impl<V: Clone> TtlCache<V> {
    fn get(&self, k: &str) -> Option<V> {
        self.map
            .get(k)
            .filter(|(t, _)| t.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }
    fn put(&mut self, k: String, v: V) {
        if self.map.len() >= self.cap {
            self.map.retain(|_, (t, _)| t.elapsed() < TTL);
            if self.map.len() >= self.cap {
                // Still full of fresh entries: start over rather than grow.
                self.map.clear();
            }
        }
        self.map.insert(k, (Instant::now(), v));
    }
}

fn query_cache() -> &'static Mutex<TtlCache<Ids>> {
    static C: OnceLock<Mutex<TtlCache<Ids>>> = OnceLock::new();
    C.get_or_init(|| {
        Mutex::new(TtlCache {
            map: HashMap::new(),
            cap: QUERY_CACHE_CAP,
        })
    })
}

fn detail_cache() -> &'static Mutex<TtlCache<Advisory>> {
    static C: OnceLock<Mutex<TtlCache<Advisory>>> = OnceLock::new();
    C.get_or_init(|| {
        Mutex::new(TtlCache {
            map: HashMap::new(),
            cap: DETAIL_CACHE_CAP,
        })
    })
}

pub struct Osv {
    client: reqwest::Client,
    base: Url,
}

impl Osv {
    pub fn new(api_url: &str, allow_private: bool, http_timeout: Duration) -> Result<Self, ScanError> {
        let mut base = Url::parse(api_url).map_err(|_| ScanError::permanent("OSV API URL is invalid."))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        check_base(SERVICE, &base, allow_private)?;
        Ok(Osv {
            client: http::client(allow_private, http_timeout.min(REQUEST_TIMEOUT))?,
            base,
        })
    }

    fn key(&self, p: &Package) -> String {
        format!(
            "{}\u{0}{}\u{0}{}\u{0}{}",
            self.base,
            p.ecosystem.osv_name(),
            p.name,
            p.version
        )
    }

    /// Look up every package of `manifests`, within [`DEADLINE`]. Never fails.
    pub async fn lookup(&self, manifests: Manifests) -> DepsIntel {
        if manifests.packages.is_empty() {
            return DepsIntel {
                manifests,
                lookup: Lookup::NothingToQuery,
                hits: vec![],
            };
        }
        let (ids, failure) = match tokio::time::timeout(DEADLINE, self.ids(&manifests.packages)).await {
            Ok(r) => r,
            Err(_) => (vec![None; manifests.packages.len()], Some("it timed out".to_string())),
        };
        let details = tokio::time::timeout(DEADLINE / 2, self.details(&ids))
            .await
            .unwrap_or_default();
        let hits = manifests
            .packages
            .iter()
            .zip(&ids)
            .filter_map(|(p, ids)| {
                let ids = ids.as_ref()?;
                if ids.is_empty() {
                    return None;
                }
                Some(PackageHit {
                    package: p.clone(),
                    advisories: ids
                        .iter()
                        .map(|(id, _)| {
                            details.get(id).cloned().unwrap_or_else(|| Advisory {
                                id: id.clone(),
                                summary: None,
                                severity: VulnSeverity::Unknown,
                                withdrawn: false,
                            })
                        })
                        .collect(),
                })
            })
            .collect();
        DepsIntel {
            manifests,
            lookup: match failure {
                None => Lookup::Done,
                Some(why) => Lookup::Unavailable(why),
            },
            hits,
        }
    }

    /// Advisory ids per package (`None` where OSV did not answer), and the first failure.
    async fn ids(&self, packages: &[Package]) -> (Vec<Option<Ids>>, Option<String>) {
        let mut out: Vec<Option<Ids>> = {
            let cache = query_cache().lock().unwrap_or_else(|e| e.into_inner());
            packages.iter().map(|p| cache.get(&self.key(p))).collect()
        };
        let missing: Vec<usize> = (0..packages.len()).filter(|&i| out[i].is_none()).collect();
        for chunk in missing.chunks(BATCH) {
            let queries: Vec<Value> = chunk
                .iter()
                .map(|&i| {
                    let p = &packages[i];
                    json!({"package": {"name": p.name, "ecosystem": p.ecosystem.osv_name()}, "version": p.version})
                })
                .collect();
            let answer = match self.post_batch(&json!({ "queries": queries })).await {
                Ok(v) => v,
                Err(why) => return (out, Some(why)),
            };
            let Some(results) = answer.get("results").and_then(Value::as_array) else {
                return (out, Some("it gave an unreadable answer".into()));
            };
            if results.len() != chunk.len() {
                return (out, Some("it gave an incomplete answer".into()));
            }
            let mut cache = query_cache().lock().unwrap_or_else(|e| e.into_inner());
            for (&i, r) in chunk.iter().zip(results) {
                let ids: Ids = r
                    .get("vulns")
                    .and_then(Value::as_array)
                    .map(|vs| {
                        vs.iter()
                            .filter_map(|v| {
                                let id = v.get("id")?.as_str()?;
                                Some((
                                    id.chars().take(64).collect(),
                                    v.get("modified").and_then(Value::as_str).unwrap_or("").to_string(),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                cache.put(self.key(&packages[i]), ids.clone());
                out[i] = Some(ids);
            }
        }
        (out, None)
    }

    async fn post_batch(&self, body: &Value) -> Result<Value, String> {
        let url = self
            .base
            .join("v1/querybatch")
            .map_err(|_| "its URL is invalid".to_string())?;
        let resp = self
            .client
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| failure_text(&e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("it answered with status {}", status.as_u16()));
        }
        read_json(resp).await
    }

    /// Advisory records for the ids found: malicious ones first (their `withdrawn` state
    /// matters), then the rest, at most [`MAX_DETAILS`] network fetches.
    async fn details(&self, ids: &[Option<Ids>]) -> HashMap<String, Advisory> {
        let mut wanted: Vec<(String, String)> = ids
            .iter()
            .flatten()
            .flatten()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        wanted.sort_by_key(|(id, _)| !id.starts_with("MAL-"));
        let mut out = HashMap::new();
        let mut fetch = Vec::new();
        {
            let cache = detail_cache().lock().unwrap_or_else(|e| e.into_inner());
            for (id, modified) in wanted {
                let key = format!("{}\u{0}{id}\u{0}{modified}", self.base);
                match cache.get(&key) {
                    Some(a) => {
                        out.insert(id, a);
                    }
                    None if fetch.len() < MAX_DETAILS => fetch.push((id, key)),
                    None => {}
                }
            }
        }
        let fetched: Vec<(String, String, Option<Advisory>)> =
            futures::stream::iter(fetch.into_iter().map(|(id, key)| async move {
                let a = self.detail(&id).await;
                (id, key, a)
            }))
            .buffer_unordered(DETAIL_CONCURRENCY)
            .collect()
            .await;
        let mut cache = detail_cache().lock().unwrap_or_else(|e| e.into_inner());
        for (id, key, a) in fetched {
            if let Some(a) = a {
                cache.put(key, a.clone());
                out.insert(id, a);
            }
        }
        out
    }

    async fn detail(&self, id: &str) -> Option<Advisory> {
        // Ids are OSV's own (`GHSA-…`, `PYSEC-…`, `MAL-…`): path-safe, but check anyway.
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        {
            return None;
        }
        let url = self.base.join(&format!("v1/vulns/{id}")).ok()?;
        let resp = self.client.get(url).send().await.ok()?;
        if resp.status() != StatusCode::OK {
            return None;
        }
        let v = read_json(resp).await.ok()?;
        Some(advisory_of(id, &v))
    }
}

async fn read_json(resp: reqwest::Response) -> Result<Value, String> {
    if resp.content_length().is_some_and(|l| l > MAX_BODY as u64) {
        return Err("its answer was too large".into());
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| failure_text(&e))?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err("its answer was too large".into());
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|_| "it gave an unreadable answer".into())
}

/// A trader-readable reason; never the URL.
fn failure_text(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "it timed out".into()
    } else if e.is_connect() {
        "it could not be reached".into()
    } else {
        http::transport_error(SERVICE, e)
            .message
            .trim_end_matches('.')
            .to_string()
    }
}

/// Severity, summary and withdrawal state from an OSV record.
pub fn advisory_of(id: &str, v: &Value) -> Advisory {
    let summary = v
        .get("summary")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| v.get("details").and_then(Value::as_str))
        .map(|s| {
            let s = s.trim().lines().next().unwrap_or("");
            let mut t: String = s.chars().take(160).collect();
            if s.chars().count() > 160 {
                t.push('…');
            }
            t
        });
    Advisory {
        id: id.to_string(),
        summary,
        severity: severity_of(v),
        withdrawn: v.get("withdrawn").is_some_and(|w| !w.is_null()),
    }
}

fn word_severity(s: &str) -> Option<VulnSeverity> {
    match s.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" => Some(VulnSeverity::Critical),
        "HIGH" => Some(VulnSeverity::High),
        "MODERATE" | "MEDIUM" => Some(VulnSeverity::Moderate),
        "LOW" => Some(VulnSeverity::Low),
        _ => None,
    }
}

/// The database's own rating (GitHub advisories: `database_specific.severity`), else the
/// CVSS v3 base score computed from the vector, else the ecosystem-specific rating.
pub fn severity_of(v: &Value) -> VulnSeverity {
    if let Some(s) = v
        .pointer("/database_specific/severity")
        .and_then(Value::as_str)
        .and_then(word_severity)
    {
        return s;
    }
    if let Some(list) = v.get("severity").and_then(Value::as_array) {
        let best = list
            .iter()
            .filter_map(|s| s.get("score").and_then(Value::as_str))
            .filter_map(cvss3_base)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        if let Some(score) = best {
            return match score {
                s if s >= 9.0 => VulnSeverity::Critical,
                s if s >= 7.0 => VulnSeverity::High,
                s if s >= 4.0 => VulnSeverity::Moderate,
                s if s > 0.0 => VulnSeverity::Low,
                _ => VulnSeverity::Unknown,
            };
        }
    }
    v.get("affected")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            a.pointer("/ecosystem_specific/severity")
                .or_else(|| a.pointer("/database_specific/severity"))
                .and_then(Value::as_str)
                .and_then(word_severity)
        })
        .max()
        .unwrap_or(VulnSeverity::Unknown)
}

/// CVSS v3.0/v3.1 base score from a vector (`CVSS:3.1/AV:N/AC:L/…`), per the specification.
pub fn cvss3_base(vector: &str) -> Option<f64> {
    let rest = vector
        .strip_prefix("CVSS:3.1/")
        .or_else(|| vector.strip_prefix("CVSS:3.0/"))?;
    let m: HashMap<&str, &str> = rest.split('/').filter_map(|kv| kv.split_once(':')).collect();
    let changed = match *m.get("S")? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match *m.get("AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match *m.get("AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (*m.get("PR")?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match *m.get("UI")? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |k: &str| -> Option<f64> {
        match *m.get(k)? {
            "H" => Some(0.56),
            "L" => Some(0.22),
            "N" => Some(0.0),
            _ => None,
        }
    };
    let iss = 1.0 - (1.0 - cia("C")?) * (1.0 - cia("I")?) * (1.0 - cia("A")?);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02f64).powi(15)
    } else {
        6.42 * iss
    };
    if impact <= 0.0 {
        return Some(0.0);
    }
    let exploitability = 8.22 * av * ac * pr * ui;
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    // CVSS 3.1 Roundup: the smallest one-decimal number ≥ the input, without float noise.
    let int = (raw * 100_000.0).round() as i64;
    Some(if int % 10_000 == 0 {
        int as f64 / 100_000.0
    } else {
        ((int / 10_000) + 1) as f64 / 10.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_scores() {
        // Published scores of well-known vectors.
        let s = |v| cvss3_base(v).unwrap();
        assert_eq!(s("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
        assert_eq!(s("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 10.0);
        assert_eq!(s("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"), 7.5);
        assert_eq!(s("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
        assert_eq!(s("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N"), 0.0);
        assert_eq!(cvss3_base("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N"), None);
        assert_eq!(cvss3_base("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
    }

    #[test]
    fn severity_sources() {
        let ghsa = json!({"database_specific": {"severity": "MODERATE"}, "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]});
        assert_eq!(severity_of(&ghsa), VulnSeverity::Moderate, "the database's word wins");
        let cvss_only =
            json!({"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]});
        assert_eq!(severity_of(&cvss_only), VulnSeverity::High);
        let eco = json!({"affected": [{"ecosystem_specific": {"severity": "LOW"}}]});
        assert_eq!(severity_of(&eco), VulnSeverity::Low);
        assert_eq!(severity_of(&json!({"id": "GO-2024-1"})), VulnSeverity::Unknown);
        let w = advisory_of(
            "MAL-1",
            &json!({"withdrawn": "2024-01-01T00:00:00Z", "details": "x\nmore"}),
        );
        assert!(w.withdrawn && !w.is_malicious());
        assert_eq!(w.summary.as_deref(), Some("x"));
    }

    #[test]
    fn cache_is_bounded_and_expires() {
        let mut c: TtlCache<u8> = TtlCache {
            map: HashMap::new(),
            cap: 2,
        };
        c.put("a".into(), 1);
        c.put("b".into(), 2);
        assert_eq!(c.get("a"), Some(1));
        c.put("c".into(), 3);
        assert!(c.map.len() <= 2);
        assert_eq!(c.get("c"), Some(3));
        if let Some(old) = Instant::now().checked_sub(TTL + Duration::from_secs(1)) {
            c.map.insert("old".into(), (old, 9));
            assert_eq!(c.get("old"), None);
        }
    }
}
