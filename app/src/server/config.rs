//! Typed configuration, read once at start-up from the environment (and `.env`).
//!
//! Every variable of the contract's table lives here. Secrets are wrapped in [`Secret`], whose
//! `Debug` never prints the value, so a config dumped into a log leaks nothing.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

/// A value that must never reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }
    /// The only way to read the value: explicit at every use.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// HTTP and workers in one process (the embedded default).
    All,
    /// HTTP only.
    Web,
    /// Jobs only.
    Worker,
}

impl Role {
    pub fn serves_http(self) -> bool {
        matches!(self, Role::All | Role::Web)
    }
    pub fn runs_workers(self) -> bool {
        matches!(self, Role::All | Role::Worker)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// How long the periodic purge keeps each kind of record, in days (`0`: for ever), and how
/// often it runs. See `server::retention`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Audit log entries (`AURA_RETENTION_AUDIT_DAYS`, default 400).
    pub audit_days: u32,
    /// Raw usage events (`AURA_RETENTION_USAGE_DAYS`, default 90); older ones are rolled into
    /// daily totals per account, key and day, which are kept.
    pub usage_days: u32,
    /// A scan's progress events, counted from the scan's end
    /// (`AURA_RETENTION_SCAN_EVENTS_DAYS`, default 30); its outcome event is kept.
    pub scan_events_days: u32,
    /// Finished webhook deliveries with their attempts, from their last change
    /// (`AURA_RETENTION_DELIVERIES_DAYS`, default 30).
    pub deliveries_days: u32,
    /// Time between two purges (`AURA_RETENTION_INTERVAL_SECS`, default 3600).
    pub interval: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            audit_days: 400,
            usage_days: 90,
            scan_events_days: 30,
            deliveries_days: 30,
            interval: Duration::from_secs(3600),
        }
    }
}

impl Retention {
    /// The moment before which records kept for `days` are purged, or `None` for `0` (kept
    /// for ever).
    pub fn cutoff(days: u32, now: chrono::DateTime<chrono::Utc>) -> Option<chrono::DateTime<chrono::Utc>> {
        (days > 0).then(|| now - chrono::Duration::days(i64::from(days)))
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = Retention::default();
        // A century at most: beyond it `0` says "for ever" better, and dates stay in range.
        let days = |var: &'static str, default: u32| -> Result<u32, ConfigError> {
            let n = parse_num(var, get(var), u64::from(default))?;
            if n > 36_500 {
                return Err(err(
                    var,
                    format!("`{n}` days is more than a century; use 0 to keep for ever"),
                ));
            }
            Ok(n as u32)
        };
        Ok(Retention {
            audit_days: days("AURA_RETENTION_AUDIT_DAYS", d.audit_days)?,
            usage_days: days("AURA_RETENTION_USAGE_DAYS", d.usage_days)?,
            scan_events_days: days("AURA_RETENTION_SCAN_EVENTS_DAYS", d.scan_events_days)?,
            deliveries_days: days("AURA_RETENTION_DELIVERIES_DAYS", d.deliveries_days)?,
            interval: Duration::from_secs(
                parse_num(
                    "AURA_RETENTION_INTERVAL_SECS",
                    get("AURA_RETENTION_INTERVAL_SECS"),
                    d.interval.as_secs(),
                )?
                .max(1),
            ),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub site_addr: SocketAddr,
    /// Absolute base URL without a trailing slash.
    pub public_url: String,
    pub database_url: String,
    pub redis_url: Option<Secret<String>>,
    pub role: Role,
    pub env: Environment,
    /// 32-byte master key. Derived from `AURA_SECRET_KEY` or generated into the data folder.
    pub secret_key: Secret<[u8; 32]>,
    pub data_dir: PathBuf,
    /// Where git sources clone (`AURA_WORK_DIR`, default `<data dir>/work`); emptied of
    /// crashed scans' leftovers at start-up.
    pub work_dir: PathBuf,
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret<String>>,
    pub github_api_url: String,
    pub github_token: Option<Secret<String>>,
    pub x_api_url: String,
    pub x_bearer_token: Option<Secret<String>>,
    /// OSV API base (`AURA_OSV_API_URL`) for the dependency checks.
    pub osv_api_url: String,
    pub allow_private_targets: bool,
    pub scan_cache_ttl: Duration,
    pub webhook_retry_delays: Vec<Duration>,
    /// Delays before each retry of a scan that failed for a transient reason (GitHub 5xx or
    /// rate limits): `AURA_SCAN_RETRY_DELAYS`, default `10,60` (three attempts in all).
    pub scan_retry_delays: Vec<Duration>,
    /// An endpoint failing every delivery for this long is disabled
    /// (`AURA_WEBHOOK_DISABLE_AFTER_SECS`, default 5 days).
    pub webhook_disable_after: Duration,
    /// Delivery worker tasks per worker process (`AURA_DELIVERY_WORKERS`, default 4).
    pub delivery_workers: usize,
    /// Open event streams one client address may hold (`AURA_STREAMS_PER_ADDRESS`, default 20;
    /// IPv6 per /64).
    pub streams_per_address: u32,
    /// Open event streams one web instance serves (`AURA_STREAMS_PER_INSTANCE`, default 10000).
    pub streams_per_instance: u32,
    pub cors_origins: Vec<String>,
    pub metrics_token: Option<Secret<String>>,
    /// Scan worker tasks per worker process (`AURA_SCAN_WORKERS`, default 2).
    pub scan_workers: usize,
    /// How long a scan job's claim lasts without renewal (`AURA_JOB_LEASE_SECS`, default 60):
    /// the time after which a dead worker's scan is picked up again.
    pub job_lease: Duration,
    /// Log as JSON lines (`AURA_LOG_FORMAT=json`) instead of human-readable text.
    pub log_json: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`AURA_TRUSTED_PROXIES`).
    pub trusted_proxies: super::proxies::TrustedProxies,
    /// What the periodic purge keeps (`AURA_RETENTION_*`).
    pub retention: Retention,
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

/// A comma-separated list of seconds (`""` is no retries at all).
fn parse_delays(var: &'static str, v: Option<String>, default: &[u64]) -> Result<Vec<Duration>, ConfigError> {
    match v {
        None => Ok(default.iter().copied().map(Duration::from_secs).collect()),
        Some(v) => v
            .split(',')
            .map(|s| s.trim().parse::<u64>().map(Duration::from_secs))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| err(var, format!("`{v}` is not a comma-separated list of seconds"))),
    }
}

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

impl Config {
    /// Reads the process environment, after loading `.env` when present.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds the config from any lookup function, so tests need not touch the process
    /// environment (which is shared between parallel tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());

        let site_addr: SocketAddr = match get("LEPTOS_SITE_ADDR") {
            Some(v) => v.parse().map_err(|_| {
                err(
                    "LEPTOS_SITE_ADDR",
                    format!("`{v}` is not an address like 127.0.0.1:3000"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let public_url = match get("AURA_PUBLIC_URL") {
            Some(v) => {
                let parsed =
                    url::Url::parse(&v).map_err(|e| err("AURA_PUBLIC_URL", format!("`{v}` is not a URL: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(err("AURA_PUBLIC_URL", "must start with http:// or https://"));
                }
                v.trim_end_matches('/').to_string()
            }
            None => format!("http://{site_addr}"),
        };
        let env = match get("AURA_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(err(
                    "AURA_ENV",
                    format!("`{other}` is not `development` or `production`"),
                ))
            }
        };
        let role = match get("AURA_ROLE").as_deref() {
            None | Some("all") => Role::All,
            Some("web") => Role::Web,
            Some("worker") => Role::Worker,
            Some(other) => return Err(err("AURA_ROLE", format!("`{other}` is not `all`, `web` or `worker`"))),
        };
        let data_dir = PathBuf::from(get("AURA_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let work_dir = get("AURA_WORK_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("work"));
        let database_url = match get("AURA_DATABASE_URL") {
            Some(v) if v.starts_with("sqlite:") || v.starts_with("postgres://") || v.starts_with("postgresql://") => v,
            Some(_) => return Err(err("AURA_DATABASE_URL", "must start with sqlite:// or postgres://")),
            None => format!("sqlite://{}?mode=rwc", data_dir.join("aurasecurity.db").display()),
        };
        let secret_key = match get("AURA_SECRET_KEY") {
            Some(v) => parse_secret_key(&v)?,
            None if env == Environment::Production => {
                return Err(err(
                    "AURA_SECRET_KEY",
                    "is required when AURA_ENV=production (64 hex characters, e.g. `openssl rand -hex 32`)",
                ))
            }
            None => load_or_create_dev_key(&data_dir)?,
        };
        let admin_email = get("AURA_ADMIN_EMAIL");
        let admin_password = get("AURA_ADMIN_PASSWORD").map(Secret::new);
        let allow_private_targets = parse_bool("AURA_ALLOW_PRIVATE_TARGETS", get("AURA_ALLOW_PRIVATE_TARGETS"))?;
        let scan_cache_ttl = Duration::from_secs(parse_num(
            "AURA_SCAN_CACHE_TTL_SECS",
            get("AURA_SCAN_CACHE_TTL_SECS"),
            3600,
        )?);
        let webhook_retry_delays = parse_delays(
            "AURA_WEBHOOK_RETRY_DELAYS",
            get("AURA_WEBHOOK_RETRY_DELAYS"),
            &[1, 4, 16],
        )?;
        let scan_retry_delays = parse_delays("AURA_SCAN_RETRY_DELAYS", get("AURA_SCAN_RETRY_DELAYS"), &[10, 60])?;
        let webhook_disable_after = Duration::from_secs(parse_num(
            "AURA_WEBHOOK_DISABLE_AFTER_SECS",
            get("AURA_WEBHOOK_DISABLE_AFTER_SECS"),
            5 * 24 * 3600,
        )?);
        let delivery_workers = parse_num("AURA_DELIVERY_WORKERS", get("AURA_DELIVERY_WORKERS"), 4)?.max(1) as usize;
        let streams_per_address = parse_num("AURA_STREAMS_PER_ADDRESS", get("AURA_STREAMS_PER_ADDRESS"), 20)?
            .clamp(1, u32::MAX as u64) as u32;
        let streams_per_instance = parse_num("AURA_STREAMS_PER_INSTANCE", get("AURA_STREAMS_PER_INSTANCE"), 10_000)?
            .clamp(1, u32::MAX as u64) as u32;
        let cors_origins = match get("AURA_CORS_ORIGINS") {
            None => Vec::new(),
            Some(v) => v
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .map(|o| {
                    if o.starts_with("http://") || o.starts_with("https://") {
                        Ok(o)
                    } else {
                        Err(err(
                            "AURA_CORS_ORIGINS",
                            format!("`{o}` is not an origin like https://app.example"),
                        ))
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let scan_workers = parse_num("AURA_SCAN_WORKERS", get("AURA_SCAN_WORKERS"), 2)? as usize;
        let job_lease = Duration::from_secs(parse_num("AURA_JOB_LEASE_SECS", get("AURA_JOB_LEASE_SECS"), 60)?.max(2));
        let trusted_proxies = super::proxies::TrustedProxies::parse(&get("AURA_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|m| err("AURA_TRUSTED_PROXIES", m))?;
        let retention = Retention::from_lookup(get)?;
        if scan_workers == 0 {
            return Err(err("AURA_SCAN_WORKERS", "must be at least 1"));
        }
        Ok(Config {
            site_addr,
            public_url,
            database_url,
            redis_url: get("AURA_REDIS_URL").map(Secret::new),
            role,
            env,
            secret_key,
            data_dir,
            work_dir,
            admin_email,
            admin_password,
            github_api_url: get("AURA_GITHUB_API_URL")
                .unwrap_or_else(|| "https://api.github.com".into())
                .trim_end_matches('/')
                .to_string(),
            github_token: get("AURA_GITHUB_TOKEN").map(Secret::new),
            x_api_url: get("AURA_X_API_URL")
                .unwrap_or_else(|| "https://api.x.com/2".into())
                .trim_end_matches('/')
                .to_string(),
            x_bearer_token: get("AURA_X_BEARER_TOKEN").map(Secret::new),
            osv_api_url: get("AURA_OSV_API_URL")
                .unwrap_or_else(|| "https://api.osv.dev".into())
                .trim_end_matches('/')
                .to_string(),
            allow_private_targets,
            scan_cache_ttl,
            webhook_retry_delays,
            scan_retry_delays,
            webhook_disable_after,
            delivery_workers,
            streams_per_address,
            streams_per_instance,
            cors_origins,
            metrics_token: get("AURA_METRICS_TOKEN").map(Secret::new),
            scan_workers,
            job_lease,
            log_json: get("AURA_LOG_FORMAT").as_deref() == Some("json"),
            trusted_proxies,
            retention,
        })
    }

    /// The engine's view of the configuration.
    pub fn engine_config(&self) -> aura_engine::EngineConfig {
        aura_engine::EngineConfig {
            github_api_url: self.github_api_url.clone(),
            github_token: self.github_token.as_ref().map(|t| t.expose().clone()),
            // The contract's base includes the API version; the engine adds `2/…` itself.
            x_api_url: self.x_api_url.strip_suffix("/2").unwrap_or(&self.x_api_url).to_string(),
            x_bearer_token: self.x_bearer_token.as_ref().map(|t| t.expose().clone()),
            osv_api_url: self.osv_api_url.clone(),
            allow_private_targets: self.allow_private_targets,
            limits: aura_engine::Limits::default(),
            work_dir: self.work_dir.clone(),
        }
    }

    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }
}

fn parse_bool(var: &'static str, v: Option<String>) -> Result<bool, ConfigError> {
    match v.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(err(var, format!("`{other}` is not true or false"))),
    }
}

fn parse_num(var: &'static str, v: Option<String>, default: u64) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| err(var, format!("`{v}` is not a whole number"))),
    }
}

/// 64 hex characters are used as the key bytes; any other string of at least 32 characters
/// is stretched with SHA-256 (so a passphrase from a secrets manager works too).
fn parse_secret_key(v: &str) -> Result<Secret<[u8; 32]>, ConfigError> {
    use sha2::Digest;
    if v.len() == 64 {
        if let Ok(bytes) = hex::decode(v) {
            let mut key = [0u8; 32];
            key.copy_from_slice(&bytes);
            return Ok(Secret::new(key));
        }
    }
    if v.len() < 32 {
        return Err(err(
            "AURA_SECRET_KEY",
            "must be 64 hex characters or a passphrase of at least 32 characters",
        ));
    }
    Ok(Secret::new(sha2::Sha256::digest(v.as_bytes()).into()))
}

/// Development convenience: a key generated once and kept in the data folder, so encrypted
/// webhook secrets survive restarts without any set-up.
fn load_or_create_dev_key(data_dir: &std::path::Path) -> Result<Secret<[u8; 32]>, ConfigError> {
    let path = data_dir.join("secret.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return parse_secret_key(text.trim());
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| err("AURA_SECRET_KEY", format!("cannot create {}: {e}", data_dir.display())))?;
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| err("AURA_SECRET_KEY", format!("no OS randomness: {e}")))?;
    write_private(&path, &hex::encode(key))
        .map_err(|e| err("AURA_SECRET_KEY", format!("cannot write {}: {e}", path.display())))?;
    Ok(Secret::new(key))
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(move |k| map.get(k).cloned())
    }
    const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn defaults_follow_the_contract() {
        let c = cfg(&[("AURA_SECRET_KEY", KEY)]).unwrap();
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(c.database_url.starts_with("sqlite://"));
        assert_eq!(c.role, Role::All);
        assert_eq!(c.scan_cache_ttl, Duration::from_secs(3600));
        assert_eq!(
            c.webhook_retry_delays,
            vec![Duration::from_secs(1), Duration::from_secs(4), Duration::from_secs(16)]
        );
        assert_eq!(c.github_api_url, "https://api.github.com");
        assert_eq!(c.x_api_url, "https://api.x.com/2");
        assert!(!c.allow_private_targets);
        assert_eq!(c.retention, Retention::default());
        assert_eq!(
            (
                c.retention.audit_days,
                c.retention.usage_days,
                c.retention.scan_events_days,
                c.retention.deliveries_days
            ),
            (400, 90, 30, 30)
        );
    }

    #[test]
    fn retention_is_configurable_and_zero_keeps_for_ever() {
        let c = cfg(&[
            ("AURA_SECRET_KEY", KEY),
            ("AURA_RETENTION_AUDIT_DAYS", "0"),
            ("AURA_RETENTION_USAGE_DAYS", "7"),
            ("AURA_RETENTION_INTERVAL_SECS", "60"),
        ])
        .unwrap();
        assert_eq!(c.retention.audit_days, 0);
        assert_eq!(c.retention.usage_days, 7);
        assert_eq!(c.retention.interval, Duration::from_secs(60));
        let now = chrono::Utc::now();
        assert_eq!(Retention::cutoff(0, now), None);
        assert_eq!(Retention::cutoff(7, now), Some(now - chrono::Duration::days(7)));
    }

    #[test]
    fn production_requires_a_secret_key() {
        let e = cfg(&[("AURA_ENV", "production")]).unwrap_err();
        assert_eq!(e.var, "AURA_SECRET_KEY");
        assert!(cfg(&[("AURA_ENV", "production"), ("AURA_SECRET_KEY", KEY)])
            .unwrap()
            .is_production());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("AURA_ROLE", "both"),
            ("AURA_ENV", "staging"),
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("AURA_WEBHOOK_RETRY_DELAYS", "1,x"),
            ("AURA_SCAN_CACHE_TTL_SECS", "-1"),
            ("AURA_ALLOW_PRIVATE_TARGETS", "maybe"),
            ("AURA_DATABASE_URL", "mysql://x"),
            ("AURA_CORS_ORIGINS", "example.com"),
            ("AURA_RETENTION_AUDIT_DAYS", "forever"),
            ("AURA_RETENTION_USAGE_DAYS", "99999"),
            ("AURA_RETENTION_INTERVAL_SECS", "1h"),
        ] {
            let e = cfg(&[("AURA_SECRET_KEY", KEY), (var, value)]).unwrap_err();
            assert_eq!(e.var, var, "{value}");
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let c = cfg(&[("AURA_SECRET_KEY", KEY), ("AURA_GITHUB_TOKEN", "ghp_supersecret")]).unwrap();
        let dump = format!("{c:?}");
        assert!(!dump.contains("supersecret"));
        assert!(!dump.contains("0123456789abcdef"));
    }
}
