//! Structured logs: human-readable by default, JSON lines with `AURA_LOG_FORMAT=json`.
//! Filter with `RUST_LOG` (default `info`).

use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        let _ = registry.with(fmt::layer().json().flatten_event(true)).try_init();
    } else {
        let _ = registry.with(fmt::layer().compact()).try_init();
    }
}

/// For operator commands: warnings and errors only, on stderr, so stdout stays machine-readable.
pub fn init_stderr(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        let _ = registry
            .with(fmt::layer().json().flatten_event(true).with_writer(std::io::stderr))
            .try_init();
    } else {
        let _ = registry
            .with(fmt::layer().compact().with_writer(std::io::stderr))
            .try_init();
    }
}
