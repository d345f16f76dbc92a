//! Small cryptographic helpers: random ids, hashing, secrets encrypted at rest.
//! Randomness is the OS CSPRNG; encryption is XChaCha20-Poly1305 (RustCrypto) keyed with the
//! master key, with a fresh 192-bit nonce per value.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use chacha20poly1305::{
    aead::{Aead, KeyInit},
    XChaCha20Poly1305, XNonce,
};
use sha2::{Digest, Sha256};

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("OS randomness is available");
    b
}

/// 128 random bits as 32 lower-case hex characters: ids that cannot be guessed.
pub fn random_id() -> String {
    hex::encode(random_bytes::<16>())
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A new account webhook secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks).
pub fn new_webhook_secret() -> String {
    format!("whsec_{}", STANDARD.encode(random_bytes::<32>()))
}

#[derive(Debug, thiserror::Error)]
#[error("stored secret cannot be decrypted (wrong AURA_SECRET_KEY?)")]
pub struct DecryptError;

pub fn encrypt(key: &[u8; 32], plaintext: &str) -> String {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce = random_bytes::<24>();
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
        .expect("encryption cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    format!("v1:{}", STANDARD.encode(out))
}

pub fn decrypt(key: &[u8; 32], stored: &str) -> Result<String, DecryptError> {
    let raw = stored.strip_prefix("v1:").ok_or(DecryptError)?;
    let bytes = STANDARD.decode(raw).map_err(|_| DecryptError)?;
    if bytes.len() < 24 + 16 {
        return Err(DecryptError);
    }
    let (nonce, ct) = bytes.split_at(24);
    let cipher = XChaCha20Poly1305::new(key.into());
    let pt = cipher
        .decrypt(XNonce::from_slice(nonce), ct)
        .map_err(|_| DecryptError)?;
    String::from_utf8(pt).map_err(|_| DecryptError)
}

/// Constant-time comparison for secrets.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_round_trips_and_detects_tampering() {
        let key = [7u8; 32];
        let s = new_webhook_secret();
        let enc = encrypt(&key, &s);
        assert!(!enc.contains(&s[6..]));
        assert_eq!(decrypt(&key, &enc).unwrap(), s);
        assert!(decrypt(&[8u8; 32], &enc).is_err());
        let mut tampered = enc.clone();
        tampered.pop();
        tampered.push(if enc.ends_with('A') { 'B' } else { 'A' });
        assert!(decrypt(&key, &tampered).is_err());
    }

    #[test]
    fn webhook_secret_shape() {
        let s = new_webhook_secret();
        assert!(s.starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&s[6..]).unwrap().len(), 32);
    }

    #[test]
    fn ids_are_128_bit_hex() {
        let id = random_id();
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(id, random_id());
    }
}
