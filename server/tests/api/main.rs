//! The in-process integration suites, one test binary with a module per area: each test
//! starts the real application (router, workers, migrations) on a random loopback port
//! against a fresh SQLite file or PostgreSQL database (`common`). One binary links once
//! instead of ten times (each link is ~1 GB of debug objects), which is most of the test
//! command's build time. Suites that need a process of their own (`failover`: real server
//! processes killed mid-work; `bench_pipeline`: timings) stay separate binaries.

// `#[macro_use]`: the `on_both_databases!` / `on_both_kinds!` test generators.
#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod admin;
mod auth;
mod browser;
mod budgets;
mod dashboard;
mod git_hosts;
mod key_cache;
mod lookup;
mod pagination;
mod public;
mod retention;
mod scale_out;
mod scans;
mod scopes;
mod service;
mod sessions;
mod signals;
mod webhooks;

/// The partner guide's Rust verification example, compiled and run as the tests' checker.
#[path = "../../docs/examples/verify_webhook.rs"]
mod verify_webhook;
