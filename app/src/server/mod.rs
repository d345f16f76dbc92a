//! Server-only code shared by the axum binary and the server functions: configuration,
//! the database, and the service layer. Compiled only with the `ssr` feature.

pub mod config;
pub mod db;
pub mod http;
pub mod state;
