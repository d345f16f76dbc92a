//! Rules for URLs we will send data to (scan callbacks, webhooks): `https` only unless private
//! targets are allowed, no credentials, and a host that resolves only to public addresses.
//! The check runs at registration for a clear 422 and again at every delivery (the delivery
//! client's resolver refuses forbidden addresses), so a DNS rebinding gains nothing.

use aura_engine::netguard::{resolve_checked, NetGuardError};
use url::Url;

use super::error::{ServiceError, ServiceResult};

const MAX_LEN: usize = 2048;

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::invalid("invalid_url", message)
}

/// Parses and checks an outbound URL; resolves its host.
pub async fn validate(raw: &str, allow_private: bool) -> ServiceResult<Url> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_LEN {
        return Err(invalid(format!("The URL must be 1 to {MAX_LEN} characters.")));
    }
    let url = Url::parse(raw).map_err(|e| invalid(format!("`{raw}` is not a valid URL ({e}).")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(invalid("Only https:// URLs are accepted.")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "URLs with credentials are not accepted; authenticate with the signature instead.",
        ));
    }
    let host = url.host_str().ok_or_else(|| invalid("The URL has no host."))?;
    let port = url.port_or_known_default().unwrap_or(443);
    resolve_checked(host, port, allow_private).await.map_err(|e| match e {
        NetGuardError::Forbidden { .. } => invalid(format!(
            "{host} is not allowed: it resolves to a private, loopback or otherwise non-public address."
        )),
        // The resolver's own words stay in the log: echoed to the caller they would let
        // anyone probe which internal names exist and how our resolver answers.
        other => {
            tracing::info!(error = %other, "webhook host could not be resolved");
            invalid(format!("{host} could not be resolved."))
        }
    })?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[tokio::test]
    async fn refuses_private_and_plain_http_targets() {
        for bad in [
            "http://example.com/hook",
            "https://127.0.0.1/hook",
            "https://10.0.0.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://100.64.0.1/",
            "https://localhost/hook",
            "https://user:pw@example.com/",
            "ftp://example.com/",
            "not a url",
        ] {
            let e = validate(bad, false).await.expect_err(bad);
            assert!(
                matches!(
                    e,
                    super::ServiceError::Invalid {
                        code: "invalid_url",
                        ..
                    }
                ),
                "{bad}: {e:?}"
            );
        }
        assert!(validate("http://127.0.0.1:9/hook", true).await.is_ok());
    }
}
