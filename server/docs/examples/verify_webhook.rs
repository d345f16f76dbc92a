//! Verifying an AuraSecurity webhook in Rust (crates: hmac 0.12, sha2 0.10, hex, base64).
//! The integration tests compile this file and run it against real deliveries.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// `X-AuraSecurity-Signature`: `sha256=<hex>` values, space-separated during a secret
/// rotation. Keyed with the whole secret string, `whsec_` included; computed over the raw body.
pub fn verify_aura(secret: &str, body: &[u8], header: &str) -> bool {
    header
        .split(' ')
        .filter_map(|s| s.strip_prefix("sha256="))
        .filter_map(|h| hex::decode(h).ok())
        .any(|sig| {
            let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(body);
            mac.verify_slice(&sig).is_ok() // constant-time comparison
        })
}

/// Standard Webhooks: `webhook-signature` holds `v1,<base64>` values over
/// `"{webhook-id}.{webhook-timestamp}.{body}"`, keyed with the base64-decoded part of the
/// secret after `whsec_`. Reject timestamps more than `tolerance_secs` from now (replays).
pub fn verify_standard(
    secret: &str,
    id: &str,
    timestamp: &str,
    body: &[u8],
    header: &str,
    now: i64,
    tolerance_secs: i64,
) -> bool {
    let Ok(ts) = timestamp.parse::<i64>() else { return false };
    if (now - ts).abs() > tolerance_secs {
        return false;
    }
    let Some(key) = secret.strip_prefix("whsec_").and_then(|k| STANDARD.decode(k).ok()) else {
        return false;
    };
    header
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b| STANDARD.decode(b).ok())
        .any(|sig| {
            let mut mac = HmacSha256::new_from_slice(&key).unwrap();
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body);
            mac.verify_slice(&sig).is_ok()
        })
}
