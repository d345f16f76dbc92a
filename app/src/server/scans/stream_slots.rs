//! Caps on open event streams: each holds a connection and a task for as long as the client
//! likes, and reading a scan's stream needs no key, so without a cap one client could hold
//! thousands. A stream takes a slot of its client address (IPv6 per /64, the rule of every
//! per-address limit) and one of the instance; the slot is given back when the stream ends,
//! however it ends. Beyond either cap: 429 `too_many_streams` with `Retry-After`.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

use crate::server::{error::ServiceError, proxies::limit_key};

/// What a refused client is told to wait before retrying.
const RETRY_AFTER_SECS: u64 = 5;

pub struct StreamSlots {
    per_address: u32,
    per_instance: u32,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: u32,
    by_address: HashMap<String, u32>,
}

/// A taken slot; dropping it gives the slot back.
pub struct Slot {
    slots: Arc<StreamSlots>,
    address: Option<String>,
}

impl StreamSlots {
    pub fn new(per_address: u32, per_instance: u32) -> Arc<Self> {
        Arc::new(Self {
            per_address,
            per_instance,
            open: Mutex::default(),
        })
    }

    /// Takes a slot for a stream from `ip` (`None`: an address we cannot know, counted only
    /// against the instance).
    pub fn take(self: &Arc<Self>, ip: Option<IpAddr>) -> Result<Slot, ServiceError> {
        let address = ip.map(limit_key);
        let mut open = self.open.lock().expect("stream slots");
        let mine = address
            .as_ref()
            .map_or(0, |a| open.by_address.get(a).copied().unwrap_or(0));
        if open.total >= self.per_instance || mine >= self.per_address {
            return Err(ServiceError::TooMany {
                code: "too_many_streams",
                message: "Too many open event streams; close one or retry shortly.".into(),
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        open.total += 1;
        if let Some(a) = &address {
            *open.by_address.entry(a.clone()).or_default() += 1;
        }
        Ok(Slot {
            slots: self.clone(),
            address,
        })
    }

    /// Streams open now (for tests and metrics).
    pub fn open(&self) -> u32 {
        self.open.lock().expect("stream slots").total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().expect("stream slots");
        open.total = open.total.saturating_sub(1);
        if let Some(a) = &self.address {
            if let Some(n) = open.by_address.get_mut(a) {
                *n -= 1;
                if *n == 0 {
                    open.by_address.remove(a);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_address_and_per_instance_caps_with_release_on_drop() {
        let slots = StreamSlots::new(2, 3);
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let a_neighbour: IpAddr = "2001:db8::ffff".parse().unwrap();
        let b: IpAddr = "192.0.2.7".parse().unwrap();
        let first = slots.take(Some(a)).unwrap();
        let _second = slots.take(Some(a_neighbour)).unwrap();
        assert!(slots.take(Some(a)).is_err(), "one /64 is one client");
        let _third = slots.take(Some(b)).unwrap();
        assert!(
            slots.take(Some("192.0.2.8".parse().unwrap())).is_err(),
            "the instance is full"
        );
        drop(first);
        assert_eq!(slots.open(), 2);
        assert!(slots.take(Some(a)).is_ok());
    }
}
