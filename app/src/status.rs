//! The lifecycle states of scans, jobs and deliveries, and the kinds of job, as enums instead
//! of string literals. Each is stored (and serialised) as the very string it always was, so
//! no data migration is needed: the columns stay text, the contract's JSON is unchanged.
//!
//! Isomorphic: the pages match on [`ScanStatus`] and [`DeliveryStatus`] too; only the
//! sea-orm derives are server-side (`ssr`).

/// Declares an enum whose variants are spelled as one string everywhere: in serde (JSON, the
/// event bus), in the database (a sea-orm `ActiveEnum` over a text column, `ssr` only), in
/// `as_str`, `Display` and `FromStr`. One list per enum, so the spellings cannot drift.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(
            feature = "ssr",
            sea_orm(rs_type = "String", db_type = "String(sea_orm::prelude::StringLen::None)")
        )]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $value)]
                #[cfg_attr(feature = "ssr", sea_orm(string_value = $value))]
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored and serialised spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::status::Unknown;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($value => Ok(Self::$variant),)+
                    _ => Err($crate::status::Unknown(s.to_owned())),
                }
            }
        }
    };
}
pub(crate) use string_enum;

/// A string that names no variant (a query parameter, say).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown value `{0}`")]
pub struct Unknown(pub String);

string_enum! {
    /// Where a scan is: `queued` → `running` → `completed` or `failed` (a retry or a re-run
    /// goes back to `queued`). Only `scans::lifecycle` writes it.
    pub enum ScanStatus {
        Queued = "queued",
        Running = "running",
        Completed = "completed",
        Failed = "failed",
    }
}

impl ScanStatus {
    /// The states that still hold a job (the concurrent-scan cap counts them; badges and
    /// embeds join them instead of starting another scan).
    pub const UNFINISHED: [ScanStatus; 2] = [ScanStatus::Queued, ScanStatus::Running];

    /// Completed or failed: the outcome is stored and the stream has ended.
    pub const fn is_finished(self) -> bool {
        matches!(self, ScanStatus::Completed | ScanStatus::Failed)
    }
}

string_enum! {
    /// A webhook delivery: `pending` until sent (`sent`) or given up on (`failed`, which
    /// redelivery and replay turn back into `pending`).
    pub enum DeliveryStatus {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
    }
}

string_enum! {
    /// A job in the durable queue.
    pub enum JobStatus {
        /// Waiting for its `run_at` (a new job, a retry, a released or re-run one).
        Queued = "queued",
        /// Claimed by a worker holding a lease.
        Running = "running",
        Done = "done",
        /// A permanent error: retrying cannot help.
        Failed = "failed",
        /// Attempts used up: the dead-letter queue, re-runnable by an admin.
        Dead = "dead",
    }
}

string_enum! {
    /// What a job runs; its `ref_id` is the id of a scan or of a delivery.
    pub enum JobKind {
        Scan = "scan",
        Delivery = "delivery",
        /// The periodic retention purge: one job (`ref_id` `retention`) that reschedules
        /// itself, so one instance at a time runs it, under a lease like any job.
        Retention = "retention",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_the_stored_ones() {
        let all: Vec<&str> = ScanStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(all, ["queued", "running", "completed", "failed"]);
        assert_eq!(serde_json::to_value(ScanStatus::Completed).unwrap(), "completed");
        assert_eq!("failed".parse::<DeliveryStatus>().unwrap(), DeliveryStatus::Failed);
        assert!("Dead".parse::<JobStatus>().is_err());
        assert_eq!(JobKind::Delivery.to_string(), "delivery");
        assert_eq!(serde_json::from_str::<JobStatus>("\"dead\"").unwrap(), JobStatus::Dead);
    }
}
