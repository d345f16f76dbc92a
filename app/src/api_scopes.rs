//! What an API key may do: its scopes. Shared by the key service, the `/v1` caller check
//! and the dashboard's key form (so it is not behind the `ssr` feature).

use serde::{Deserialize, Serialize};

/// One permission of an API key. A key carries a non-empty set of them; a new key gets all
/// of them unless it asks for fewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    /// Read scans: `GET /v1/scan/{id}` (and its stream) with a key, latest, lookup, lists.
    #[serde(rename = "scans:read")]
    ScansRead,
    /// Start scans: `POST /v1/scan/*`.
    #[serde(rename = "scans:write")]
    ScansWrite,
    /// Manage the account's keys: `/v1/auth/keys*`.
    #[serde(rename = "keys")]
    Keys,
    /// Manage webhooks and deliveries: `/v1/webhooks*`.
    #[serde(rename = "webhooks")]
    Webhooks,
    /// Read usage: `/v1/auth/usage`.
    #[serde(rename = "usage")]
    Usage,
    /// Read and change embed settings: `/v1/embed/settings`.
    #[serde(rename = "embed")]
    Embed,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::ScansRead,
        Scope::ScansWrite,
        Scope::Keys,
        Scope::Webhooks,
        Scope::Usage,
        Scope::Embed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ScansRead => "scans:read",
            Scope::ScansWrite => "scans:write",
            Scope::Keys => "keys",
            Scope::Webhooks => "webhooks",
            Scope::Usage => "usage",
            Scope::Embed => "embed",
        }
    }

    /// Exact names only (`scans:read`, not `Scans:Read`).
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// What the scope allows, for the dashboard.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::ScansRead => "read scans",
            Scope::ScansWrite => "start scans",
            Scope::Keys => "manage keys",
            Scope::Webhooks => "manage webhooks",
            Scope::Usage => "read usage",
            Scope::Embed => "embed settings",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.as_str()));
        }
        assert_eq!(Scope::parse("Scans:Read"), None);
        assert_eq!(Scope::parse("admin"), None);
    }
}
