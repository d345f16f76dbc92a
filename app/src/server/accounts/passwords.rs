//! Password hashing: argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1).
//! Hashing runs on the blocking pool so a burst of logins cannot stall the runtime, and at
//! most one check per core runs at a time: each takes 19 MiB, so hundreds of concurrent
//! logins would otherwise take gigabytes. A caller that cannot get a turn within
//! [`QUEUE_WAIT`] is answered 503 `busy` with `Retry-After` instead of queueing without bound.

use std::{sync::OnceLock, time::Duration};

use tokio::sync::Semaphore;

use crate::server::error::{ServiceError, ServiceResult};

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid params"),
    )
}

pub fn validate(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("The password must have at least {MIN_LEN} characters."));
    }
    if n > MAX_LEN {
        return Err(format!("The password must have at most {MAX_LEN} characters."));
    }
    Ok(())
}

/// How long a password check waits for a free core before answering 503.
#[cfg(not(debug_assertions))]
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);
/// Debug builds are slower at hashing, and the integration-test binary runs dozens of servers
/// in one process whose checks share this one gate: a longer wait keeps their parallel
/// sign-ups from being refused as an overloaded production server would be.
#[cfg(debug_assertions)]
pub const QUEUE_WAIT: Duration = Duration::from_secs(20);

fn turns() -> &'static Semaphore {
    static TURNS: OnceLock<Semaphore> = OnceLock::new();
    TURNS.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

async fn turn() -> ServiceResult<tokio::sync::SemaphorePermit<'static>> {
    turn_in(turns(), QUEUE_WAIT).await
}

async fn turn_in(turns: &Semaphore, wait: Duration) -> ServiceResult<tokio::sync::SemaphorePermit<'_>> {
    match tokio::time::timeout(wait, turns.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ServiceError::TooBusy {
            message: "Too many password checks at once; retry in a moment.".into(),
            retry_after_secs: 2,
        }),
    }
}

pub async fn hash(password: String) -> ServiceResult<String> {
    let _turn = turn().await?;
    Ok(tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&crate::server::crypto::random_bytes::<16>()).expect("salt");
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 hashing")
            .to_string()
    })
    .await
    .expect("hashing task"))
}

pub async fn verify(password: String, phc: Option<String>) -> ServiceResult<bool> {
    let _turn = turn().await?;
    Ok(tokio::task::spawn_blocking(move || match phc {
        Some(phc) => PasswordHash::new(&phc).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok()),
        // Spend the same time when there is no account, so timing does not reveal which
        // emails exist.
        None => {
            let salt = SaltString::encode_b64(&[0u8; 16]).expect("salt");
            let _ = argon2().hash_password(password.as_bytes(), &salt);
            false
        }
    })
    .await
    .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use crate::server::error::ServiceError;

    #[tokio::test]
    async fn checks_beyond_the_cores_wait_briefly_then_answer_busy() {
        let cores = tokio::sync::Semaphore::new(1);
        let wait = std::time::Duration::from_millis(200);
        let held = super::turn_in(&cores, wait).await.unwrap();
        let res = super::turn_in(&cores, wait).await.map(drop);
        assert!(matches!(res, Err(ServiceError::TooBusy { .. })), "{res:?}");
        drop(held);
        assert!(super::turn_in(&cores, wait).await.is_ok());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters() {
        let h = super::hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(super::verify("correct horse battery".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!super::verify("wrong".into(), Some(h)).await.unwrap());
        assert!(!super::verify("x".into(), None).await.unwrap());
    }

    #[test]
    fn length_rules() {
        assert!(super::validate("short").is_err());
        assert!(super::validate("eightchr").is_ok());
        assert!(super::validate(&"x".repeat(129)).is_err());
    }
}
