//! sea-orm entities, one module per table.

pub mod account;
pub mod api_key;
pub mod audit_log;
pub mod session;
pub mod usage_event;
