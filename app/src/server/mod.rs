//! Server-only code shared by the axum binary and the server functions: configuration,
//! the database, and the service layer. Compiled only with the `ssr` feature.
//! Handlers and server functions parse input, check the caller, and call these services;
//! neither talks to sea-orm directly.

pub mod accounts;
pub mod audit;
pub mod config;
pub mod crypto;
pub mod db;
pub mod db_health;
pub mod entities;
pub mod error;
pub mod http;
pub mod jobs;
pub mod limiter;
pub mod outbound;
pub mod paging;
pub mod proxies;
pub mod redis;
pub mod retention;
pub mod scans;
pub mod shared_counter;
pub mod state;
pub mod web;
pub mod webhooks;
