//! Tiers and their limits, as the contract fixes them.

use serde::{Deserialize, Serialize};

use crate::server::entities::account::Model as Account;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Free,
    Pro,
    Partner,
    Internal,
}

/// `None` means unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    pub per_minute: Option<u32>,
    pub per_day: Option<u32>,
    pub concurrent_scans: Option<u32>,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Free, Tier::Pro, Tier::Partner, Tier::Internal];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Pro => "pro",
            Tier::Partner => "partner",
            Tier::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Active (unrevoked, unexpired) keys an account may hold: a tier's budgets are counted
    /// per account, and keys beyond this would only multiply the per-minute window.
    pub fn max_active_keys(self) -> Option<u64> {
        match self {
            Tier::Free => Some(3),
            Tier::Pro => Some(10),
            Tier::Partner => Some(50),
            Tier::Internal => None,
        }
    }

    pub fn limits(self) -> Limits {
        let l = |m, d, c| Limits {
            per_minute: Some(m),
            per_day: Some(d),
            concurrent_scans: Some(c),
        };
        match self {
            Tier::Free => l(5, 50, 1),
            Tier::Pro => l(30, 1_000, 5),
            Tier::Partner => l(100, 10_000, 20),
            Tier::Internal => Limits {
                per_minute: None,
                per_day: None,
                concurrent_scans: None,
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Partner,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Partner => "partner",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Role {
        if s == "admin" {
            Role::Admin
        } else {
            Role::Partner
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Suspended,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "active" => Some(Status::Active),
            "suspended" => Some(Status::Suspended),
            _ => None,
        }
    }
}

/// The tier an account record names (an unknown value reads as free: the safe side).
pub fn tier(a: &Account) -> Tier {
    Tier::parse(&a.tier).unwrap_or(Tier::Free)
}

pub fn role(a: &Account) -> Role {
    Role::parse(&a.role)
}

pub fn is_suspended(a: &Account) -> bool {
    Status::parse(&a.status) == Some(Status::Suspended)
}
