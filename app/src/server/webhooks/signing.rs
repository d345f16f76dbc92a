//! Webhook signatures, two ways over the same bytes:
//! - ours: `X-AuraSecurity-Signature: sha256=<hex HMAC-SHA256(body)>`, keyed with the whole
//!   secret string as the partner received it (`whsec_` included);
//! - Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`,
//!   keyed with the base64-decoded bytes after `whsec_`, so that ecosystem's verifiers work and
//!   the timestamp inside the MAC gives replay protection.
//!
//! During a rotation's grace period each header carries one signature per secret,
//! space-separated.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// `sha256=<hex>` for one secret.
pub fn aura_signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(mac(secret.as_bytes(), &[body])))
}

/// `v1,<base64>` for one secret; `None` when the secret is not `whsec_<base64>`.
pub fn standard_signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let ts = timestamp.to_string();
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac(&key, &[id.as_bytes(), b".", ts.as_bytes(), b".", body]))
    ))
}

/// The signature headers' values for every active secret (current first).
pub struct Signatures {
    pub aura: String,
    pub standard: String,
}

pub fn sign(secrets: &[String], id: &str, timestamp: i64, body: &[u8]) -> Signatures {
    Signatures {
        aura: secrets
            .iter()
            .map(|s| aura_signature(s, body))
            .collect::<Vec<_>>()
            .join(" "),
        standard: secrets
            .iter()
            .filter_map(|s| standard_signature(s, id, timestamp, body))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // From the Standard Webhooks specification's test vectors.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let sig = standard_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn ours_is_hex_hmac_keyed_with_the_whole_secret() {
        let s = aura_signature("whsec_abc", b"{}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert_eq!(s, aura_signature("whsec_abc", b"{}"));
        assert_ne!(s, aura_signature("whsec_abd", b"{}"));
    }

    #[test]
    fn rotation_sends_both() {
        let secrets = vec![
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string(),
            "whsec_dGVzdHRlc3R0ZXN0".to_string(),
        ];
        let s = sign(&secrets, "d1", 1, b"x");
        assert_eq!(s.aura.split(' ').count(), 2);
        assert_eq!(s.standard.split(' ').count(), 2);
        assert!(s.standard.split(' ').all(|p| p.starts_with("v1,")));
    }
}
