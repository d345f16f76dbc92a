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

/// A request path as logs may show it: secrets that travel in a path (an invitation's token)
/// are cut off, so whoever reads the logs cannot set a partner's password.
pub fn loggable_path(path: &str) -> &str {
    for secret_after in ["/invite/"] {
        if let Some(rest) = path.strip_prefix(secret_after) {
            if !rest.is_empty() {
                return secret_after;
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invitation_tokens_never_reach_logs() {
        assert_eq!(loggable_path("/invite/0123abcd"), "/invite/");
        assert_eq!(loggable_path("/report/0123abcd"), "/report/0123abcd");
        assert_eq!(loggable_path("/invite/"), "/invite/");
    }
}
