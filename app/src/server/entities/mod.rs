//! sea-orm entities, one module per table.

pub mod account;
pub mod api_key;
pub mod audit_log;
pub mod delivery;
pub mod delivery_attempt;
pub mod fingerprint;
pub mod fingerprint_key;
pub mod job;
pub mod scan;
pub mod scan_event;
pub mod session;
pub mod usage_daily;
pub mod usage_event;
pub mod webhook;
