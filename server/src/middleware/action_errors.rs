//! Server-function errors carried in a URL, signed so pages show only messages the server
//! chose.
//!
//! Without JavaScript, a form post whose server function fails is redirected back to the page
//! with `?__path=…&__err=…` (Leptos' progressive enhancement), and the page shows that error
//! in the form, both when rendered on the server and after hydration. Left alone, a crafted
//! link (`/login?__path=…&__err=<any text>`) would show attacker-chosen words on our own login
//! page ("your account is locked, call …"). So the redirect we send carries `__sig`, an HMAC
//! of the path and error under a key derived from the master key; a page request with
//! `__err` and no valid `__sig` is redirected (303) to the same URL without them, so neither
//! the server render nor the browser ever reads it.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const ERR: &str = "__err";
const PATH: &str = "__path";
const SIG: &str = "__sig";

/// The signing key, derived once from the master key (its own context, so it signs nothing
/// else).
#[derive(Clone)]
pub struct ActionErrorKey(Arc<[u8; 32]>);

impl ActionErrorKey {
    pub fn new(master: &[u8; 32]) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(master).expect("any key length");
        mac.update(b"aura action-error url v1");
        Self(Arc::new(mac.finalize().into_bytes().into()))
    }

    fn sign(&self, path: &str, err: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0[..]).expect("any key length");
        mac.update(path.as_bytes());
        mac.update(b"\0");
        mac.update(err.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    fn verify(&self, path: &str, err: &str, sig: &str) -> bool {
        app::server::crypto::ct_eq(self.sign(path, err).as_bytes(), sig.as_bytes())
    }
}

pub async fn sign_and_check(State(key): State<ActionErrorKey>, req: Request, next: Next) -> Response {
    if let Some(query) = req.uri().query() {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if let Some(err) = get(ERR) {
            let valid = matches!((get(PATH), get(SIG)), (Some(p), Some(s)) if key.verify(p, err, s));
            if !valid {
                return (
                    StatusCode::SEE_OTHER,
                    [(header::LOCATION, without_error(req.uri(), &pairs))],
                )
                    .into_response();
            }
        }
    }
    let mut res = next.run(req).await;
    if res.status().is_redirection() {
        let signed = res
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| with_signature(&key, l));
        if let Some(v) = signed.and_then(|s| HeaderValue::from_str(&s).ok()) {
            res.headers_mut().insert(header::LOCATION, v);
        }
    }
    res
}

/// `location` with `__sig` appended, when it carries a server-function error.
fn with_signature(key: &ActionErrorKey, location: &str) -> Option<String> {
    let (_, query) = location.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let (path, err) = (get(PATH)?, get(ERR)?);
    let sig = key.sign(path, err);
    Some(match location.split_once('#') {
        Some((before, fragment)) => format!("{before}&{SIG}={sig}#{fragment}"),
        None => format!("{location}&{SIG}={sig}"),
    })
}

/// The request's path and query without the error parameters.
fn without_error(uri: &Uri, pairs: &[(String, String)]) -> String {
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| ![ERR, PATH, SIG].contains(&k.as_str()))
        .collect();
    if kept.is_empty() {
        return uri.path().to_string();
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish();
    format!("{}?{query}", uri.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_errors_verify() {
        let key = ActionErrorKey::new(&[7; 32]);
        let signed = with_signature(&key, "http://x/login?__path=%2Fapi%2Fauth%2Flogin&__err=abc").unwrap();
        let sig = signed.rsplit_once("__sig=").unwrap().1;
        assert!(key.verify("/api/auth/login", "abc", sig));
        assert!(!key.verify("/api/auth/login", "abd", sig));
        assert!(!ActionErrorKey::new(&[8; 32]).verify("/api/auth/login", "abc", sig));
        assert_eq!(with_signature(&key, "http://x/dashboard"), None);
    }
}
