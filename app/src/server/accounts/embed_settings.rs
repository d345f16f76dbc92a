//! Embed settings of an account: the origins allowed to frame its widget (they become the
//! `frame-ancestors` of the embed routes' Content-Security-Policy) and the widget's default
//! theme. The REST API (`/v1/embed/settings`), the dashboard and admin onboarding all use
//! these rules.
//!
//! An allowed domain is an origin: `https://host[:port]`, or `http://localhost[:port]` for
//! local development. No path, query, fragment, credentials or wildcard. Hosts are limited
//! to letters, digits, `-` and `.`, so a stored value can never smuggle anything into the
//! CSP header it ends up in.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::{Deserialize, Serialize};

use crate::server::{
    accounts::{self, key_cache::KeyCache, Account},
    audit::{self, Origin},
    entities::account,
    error::{ServiceError, ServiceResult},
};

/// At most this many allowed domains per account.
pub const MAX_DOMAINS: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Dark,
    Light,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }
    pub fn parse(s: &str) -> Option<Theme> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dark" => Some(Theme::Dark),
            "light" => Some(Theme::Light),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EmbedSettings {
    pub allowed_domains: Vec<String>,
    pub theme: Theme,
}

/// Shows a rejected entry in an error message without echoing arbitrary amounts of input.
pub fn shown(raw: &str) -> String {
    let s: String = raw.chars().filter(|c| !c.is_control()).take(80).collect();
    if raw.chars().count() > 80 {
        format!("{s}…")
    } else {
        s
    }
}

fn valid_host(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Checks one origin and returns its normal form (`https://host[:port]`, lower-case host,
/// default port and trailing slash dropped), or a message naming the entry.
pub fn normalize_origin(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("An embed domain cannot be empty.".into());
    }
    origin_or_reason(raw).map_err(|why| format!("`{}` is not an allowed embed domain: {why}", shown(raw.trim())))
}

/// The same rule for any list of origins (API keys' `allowed_origins` too): the normal form,
/// or why the entry is not an origin (the caller names the entry with [`shown`]).
pub fn origin_or_reason(raw: &str) -> Result<String, &'static str> {
    let entry = raw.trim();
    if entry.is_empty() {
        return Err("it is empty");
    }
    if entry.contains('*') {
        return Err("wildcards are not allowed; list each origin");
    }
    if entry.contains('@') {
        return Err("credentials are not allowed in an origin");
    }
    if entry.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return Err("it contains spaces or control characters");
    }
    let Ok(url) = url::Url::parse(entry) else {
        return Err("write it as an origin like https://terminal.example");
    };
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        _ => return Err("write it as an origin like https://terminal.example"),
    };
    match url.scheme() {
        "https" => {}
        "http" if host == "localhost" => {}
        "http" => return Err("only https:// origins are allowed (http:// only for localhost)"),
        _ => return Err("only https:// origins are allowed"),
    }
    if !valid_host(&host) {
        return Err("the host may only contain letters, digits, '-' and '.'");
    }
    // Url normalises an empty path to "/", so a raw trailing "/" and no path look the same.
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err("an origin has no path, query or fragment");
    }
    Ok(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// Validates and normalises a list of origins; duplicates (after normalisation) collapse,
/// order is kept.
pub fn normalize_domains(raw: &[String]) -> ServiceResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for entry in raw {
        let origin = normalize_origin(entry).map_err(ServiceError::validation)?;
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    if out.len() > MAX_DOMAINS {
        return Err(ServiceError::validation(format!(
            "At most {MAX_DOMAINS} embed domains are allowed."
        )));
    }
    Ok(out)
}

pub fn get(account: &Account) -> EmbedSettings {
    EmbedSettings {
        allowed_domains: accounts::allowed_domains(account),
        theme: Theme::parse(&account.embed_theme).unwrap_or(Theme::Dark),
    }
}

/// The change a caller asks for; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct Update {
    pub allowed_domains: Option<Vec<String>>,
    pub theme: Option<String>,
}

/// Validates and stores new settings for `account`, and audits the change under `actor`.
pub async fn update(
    db: &impl ConnectionTrait,
    cache: &KeyCache,
    account: Account,
    change: Update,
    actor: &str,
    origin: &Origin,
) -> ServiceResult<EmbedSettings> {
    let before = get(&account);
    let domains = match &change.allowed_domains {
        Some(d) => normalize_domains(d)?,
        None => before.allowed_domains.clone(),
    };
    let theme = match change.theme.as_deref() {
        Some(t) => Theme::parse(t)
            .ok_or_else(|| ServiceError::validation(format!("`{}` is not a theme: use dark or light.", shown(t))))?,
        None => before.theme,
    };
    let after = EmbedSettings {
        allowed_domains: domains,
        theme,
    };
    if after == before {
        return Ok(after);
    }
    let account_id = account.id.clone();
    let mut am: account::ActiveModel = account.into();
    am.allowed_domains = Set(serde_json::to_string(&after.allowed_domains).expect("json"));
    am.embed_theme = Set(after.theme.as_str().into());
    am.updated_at = Set(Utc::now());
    am.update(db).await?;
    // `GET /v1/embed/settings` answers from the caller's (cached) account row.
    cache.changed().await;
    super::origins::changed();
    audit::record(
        db,
        actor,
        "embed_settings.update",
        &account_id,
        origin,
        Some(serde_json::json!({ "before": before, "after": after })),
    )
    .await;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_origins_are_normalised() {
        for (raw, want) in [
            ("https://terminal.example", "https://terminal.example"),
            ("https://Terminal.EXAMPLE/", "https://terminal.example"),
            ("  https://a.example:8443 ", "https://a.example:8443"),
            ("https://a.example:443", "https://a.example"),
            ("http://localhost:5173", "http://localhost:5173"),
            ("http://localhost", "http://localhost"),
            ("https://10.0.0.1", "https://10.0.0.1"),
            ("https://bücher.example", "https://xn--bcher-kva.example"),
        ] {
            assert_eq!(normalize_origin(raw).as_deref(), Ok(want), "{raw}");
        }
    }

    #[test]
    fn bad_origins_are_refused_by_name() {
        for raw in [
            "http://evil.com",
            "https://a.example/path",
            "https://a.example/?q=1",
            "https://a.example?",
            "https://a.example#x",
            "*.example",
            "https://*.example",
            "javascript:alert(1)",
            "data:text/html,hi",
            "terminal.example",
            "https://user:pw@a.example",
            "https://@a.example",
            "https://a.example;script-src",
            "https://a.example,https://b.example",
            "https://a'b.example",
            "https://[::1]",
            "http://localhost.evil.com",
            "ftp://a.example",
            "",
            "https://a .example",
        ] {
            let err = normalize_origin(raw).expect_err(raw);
            if !raw.is_empty() {
                assert!(err.contains(raw.trim()), "{err} should name {raw}");
            }
        }
    }

    #[test]
    fn lists_are_deduplicated_and_capped() {
        let list = vec![
            "https://a.example".to_string(),
            "https://A.example/".into(),
            "http://localhost:3000".into(),
        ];
        assert_eq!(
            normalize_domains(&list).unwrap(),
            vec!["https://a.example", "http://localhost:3000"]
        );
        let many: Vec<String> = (0..=MAX_DOMAINS).map(|i| format!("https://d{i}.example")).collect();
        assert!(normalize_domains(&many).is_err());
        let bad = vec!["https://ok.example".to_string(), "http://evil.com".into()];
        match normalize_domains(&bad) {
            Err(ServiceError::Invalid { code, message }) => {
                assert_eq!(code, "validation_failed");
                assert!(message.contains("http://evil.com"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn themes() {
        assert_eq!(Theme::parse("Dark"), Some(Theme::Dark));
        assert_eq!(Theme::parse("light"), Some(Theme::Light));
        assert_eq!(Theme::parse("blue"), None);
    }
}
