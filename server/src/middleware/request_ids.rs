//! Request ids (`X-Request-Id`) without a system call per request. tower-http's
//! `MakeRequestUuid` draws a random UUID from the kernel for every request (`getrandom`,
//! about 5 % of a small request's CPU here). An id has to be unique, not unpredictable: it
//! ties log lines together and lets a partner quote one call; it grants nothing. So each
//! process draws 64 random bits once and counts, in the UUID's shape partners already see.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

#[derive(Clone)]
pub struct CountedIds {
    process: u64,
    next: Arc<AtomicU64>,
}

impl CountedIds {
    pub fn new() -> Self {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("OS randomness");
        CountedIds {
            process: u64::from_le_bytes(bytes),
            next: Arc::default(),
        }
    }

    fn next_id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let p = self.process;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            p >> 32,
            (p >> 16) & 0xffff,
            p & 0xffff,
            n >> 48,
            n & 0xffff_ffff_ffff
        )
    }
}

impl Default for CountedIds {
    fn default() -> Self {
        Self::new()
    }
}

impl MakeRequestId for CountedIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&self.next_id()).ok().map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_never_repeat_within_or_across_processes() {
        let (a, b) = (CountedIds::new(), CountedIds::new());
        let ids: std::collections::HashSet<String> = (0..1000).flat_map(|_| [a.next_id(), b.next_id()]).collect();
        assert_eq!(ids.len(), 2000);
        let id = a.next_id();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }
}
