//! Server-only code shared by the axum binary and the server functions: configuration,
//! the database, and the service layer. Compiled only with the `ssr` feature.
//! Handlers and server functions parse input, check the caller, and call these services;
//! neither talks to sea-orm directly.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod config;
pub mod crypto;
pub mod db;
pub mod embed_settings;
pub mod embeds;
pub mod entities;
pub mod error;
pub mod events;
pub mod http;
pub mod invites;
pub mod jobs;
pub mod keys;
pub mod limiter;
pub mod login;
pub mod outbound;
pub mod passwords;
pub mod proxies;
pub mod redis;
pub mod reports;
pub mod scans;
pub mod sessions;
pub mod similarity;
pub mod state;
pub mod tiers;
pub mod usage;
pub mod web;
pub mod webhooks;
pub mod worker;
