//! Password hashing: argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1).
//! Hashing runs on the blocking pool so a burst of logins cannot stall the runtime, and at
//! most one check per core runs at a time. A caller that cannot get a turn within
//! [`QUEUE_WAIT`] is answered 503 `busy` with `Retry-After` instead of queueing without bound.
//!
//! Each check needs 19 MiB of argon2 memory. Allocated per check, that memory lands in
//! whichever blocking thread's malloc arena ran it and stays there: a login benchmark took the
//! server from 32 to 473 MiB RSS with only two checks ever running at once. So each turn lends
//! one of at most one-per-core buffers ([`Memory`]), reused from check to check: the memory of
//! password checks is bounded by the cores, allocated once.

use std::{
    sync::{Mutex, OnceLock},
    time::Duration,
};

use tokio::sync::Semaphore;

use crate::server::error::{ServiceError, ServiceResult};

use argon2::{
    password_hash::{Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
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

/// The turns (one per core) and the argon2 memory they lend.
struct Turns {
    permits: Semaphore,
    memory: Mutex<Vec<Vec<Block>>>,
}

fn turns() -> &'static Turns {
    static TURNS: OnceLock<Turns> = OnceLock::new();
    TURNS.get_or_init(|| Turns {
        permits: Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
        memory: Mutex::new(Vec::new()),
    })
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

/// Argon2's working memory for one check, lent for the length of a turn. Only a turn's holder
/// takes one, so there are never more than the turns; dropped without being given back (a
/// panicking check) it is simply freed.
struct Memory(Vec<Block>);

impl Memory {
    fn take() -> Self {
        let spare = turns().memory.lock().unwrap_or_else(|e| e.into_inner()).pop();
        Memory(spare.unwrap_or_default())
    }

    fn give_back(self) {
        turns().memory.lock().unwrap_or_else(|e| e.into_inner()).push(self.0);
    }

    /// Blocks for `params`, growing this buffer the first time (or for a stored hash made
    /// with more memory than ours).
    fn blocks(&mut self, params: &Params) -> &mut [Block] {
        let n = params.block_count();
        if self.0.len() < n {
            self.0.resize(n, Block::default());
        }
        &mut self.0[..n]
    }
}

/// Runs `check` on the blocking pool during a turn, with a lent buffer.
async fn in_turn<T: Send + 'static>(check: impl FnOnce(&mut Memory) -> T + Send + 'static) -> ServiceResult<T> {
    let _turn = turn_in(&turns().permits, QUEUE_WAIT).await?;
    let mut memory = Memory::take();
    let (out, memory) = tokio::task::spawn_blocking(move || (check(&mut memory), memory))
        .await
        .map_err(|e| ServiceError::internal(format!("password check: {e}")))?;
    memory.give_back();
    Ok(out)
}

/// Argon2 of `password` and the raw `salt` into `out`, in `memory`.
fn raw_hash(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Memory,
) -> Result<(), argon2::Error> {
    argon2.hash_password_into_with_memory(password, salt, out, memory.blocks(argon2.params()))
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), as `argon2`'s own
/// `hash_password` writes it.
fn hash_with(password: &[u8], salt: [u8; 16], memory: &mut Memory) -> Result<String, String> {
    let argon2 = argon2();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    raw_hash(&argon2, password, &salt, &mut out, memory).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the stored PHC string (any argon2 variant, version and cost it
/// names), compared in constant time. Not a PHC string of argon2: no match.
fn matches(password: &[u8], phc: &str, memory: &mut Memory) -> bool {
    check_phc(password, phc, memory).unwrap_or(false)
}

fn check_phc(password: &[u8], phc: &str, memory: &mut Memory) -> Option<bool> {
    let hash = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
    let version = hash
        .version
        .map(Version::try_from)
        .transpose()
        .ok()?
        .unwrap_or_default();
    let params = Params::try_from(&hash).ok()?;
    let expected = hash.hash?;
    let mut salt = [0u8; 64];
    let salt = hash.salt?.decode_b64(&mut salt).ok()?;
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    raw_hash(&argon2, password, salt, &mut out, memory).ok()?;
    // `Output`'s equality is constant-time.
    Some(Output::new(&out).ok()? == expected)
}

pub async fn hash(password: String) -> ServiceResult<String> {
    let salt = crate::server::crypto::random_bytes::<16>();
    in_turn(move |memory| hash_with(password.as_bytes(), salt, memory))
        .await?
        .map_err(|e| ServiceError::internal(format!("argon2 hashing: {e}")))
}

pub async fn verify(password: String, phc: Option<String>) -> ServiceResult<bool> {
    in_turn(move |memory| match phc {
        Some(phc) => matches(password.as_bytes(), &phc, memory),
        // Spend the same time when there is no account, so timing does not reveal which
        // emails exist.
        None => {
            let _ = hash_with(password.as_bytes(), [0u8; 16], memory);
            false
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use crate::server::error::ServiceError;
    use argon2::{
        password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
        Algorithm, Argon2, Params, Version,
    };

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
        assert!(!super::verify("x".into(), Some("not a phc string".into()))
            .await
            .unwrap());
    }

    /// Hashes stored before the lent buffers (argon2's own `hash_password`, and other costs
    /// or variants) still verify, and ours verify with argon2's own verifier.
    #[tokio::test]
    async fn hashes_are_interchangeable_with_argon2s_own() {
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let theirs = super::argon2()
            .hash_password(b"old password", &salt)
            .unwrap()
            .to_string();
        assert!(super::verify("old password".into(), Some(theirs.clone()))
            .await
            .unwrap());
        assert!(!super::verify("old passwore".into(), Some(theirs)).await.unwrap());
        // More memory than ours, and argon2i: the buffer grows, the variant is honoured.
        let bigger = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(24 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"legacy", &salt)
        .unwrap()
        .to_string();
        assert!(super::verify("legacy".into(), Some(bigger)).await.unwrap());

        let ours = super::hash("new password".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(super::argon2().verify_password(b"new password", &parsed).is_ok());
        assert!(super::argon2().verify_password(b"new passwore", &parsed).is_err());
    }

    /// However many checks run, no more buffers exist than turns: they are lent and reused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn argon2_memory_is_lent_never_more_than_one_per_turn() {
        let checks = (0..12).map(|i| tokio::spawn(super::hash(format!("password number {i}"))));
        for c in checks {
            c.await.unwrap().unwrap();
        }
        let buffers = super::turns().memory.lock().unwrap().len();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert!((1..=cores).contains(&buffers), "{buffers} buffers for {cores} turns");
    }

    #[test]
    fn length_rules() {
        assert!(super::validate("short").is_err());
        assert!(super::validate("eightchr").is_ok());
        assert!(super::validate(&"x".repeat(129)).is_err());
    }
}
