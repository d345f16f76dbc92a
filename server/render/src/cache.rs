//! "Cached after first render": a small bounded cache of card PNGs keyed by their content.

use crate::{card_png, CardData, RenderError, RENDER_VERSION};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// FNV-1a, 64 bit: stable across builds and platforms (unlike `DefaultHasher`), so the key
/// can also serve as an `ETag`.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= x as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    /// Length-prefixed, so field boundaries cannot be forged by the content.
    fn field(&mut self, b: &[u8]) {
        self.bytes(&(b.len() as u64).to_le_bytes());
        self.bytes(b);
    }
}

/// A stable 16-hex-digit key of everything a card shows (and of [`RENDER_VERSION`]): equal
/// keys render identical PNGs. Suitable as the card's `ETag` or cache-file name.
pub fn card_key(data: &CardData) -> String {
    let mut h = Fnv::new();
    h.field(&RENDER_VERSION.to_le_bytes());
    h.field(data.target.as_bytes());
    match data.score {
        Some(s) => h.field(&[1, s]),
        None => h.field(&[0]),
    }
    h.field(data.grade.unwrap_or("\u{0}none").as_bytes());
    h.field(data.verdict.unwrap_or("\u{0}none").as_bytes());
    h.field(data.summary.as_bytes());
    h.field(&(data.flags.len() as u64).to_le_bytes());
    for (sev, title) in data.flags.iter().take(3) {
        h.field(sev.as_bytes());
        h.field(title.as_bytes());
    }
    h.field(data.status.as_bytes());
    format!("{:016x}", h.0)
}

/// Bounded in-memory cache of rendered cards, oldest entry evicted first. Cheap to share
/// (`Arc<CardCache>`); rendering happens outside the lock.
pub struct CardCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

struct Inner {
    map: HashMap<String, Arc<[u8]>>,
    order: VecDeque<String>,
}

impl CardCache {
    /// A cache holding at most `capacity` cards (at least one).
    pub fn new(capacity: usize) -> Self {
        CardCache {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    /// The cached PNG for `data`, rendering and storing it on a miss. Returns the key too.
    pub fn get_or_render(&self, data: &CardData) -> Result<(String, Arc<[u8]>), RenderError> {
        let key = card_key(data);
        if let Some(png) = self.get(&key) {
            return Ok((key, png));
        }
        let png: Arc<[u8]> = card_png(data)?.into();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = inner.map.get(&key) {
            return Ok((key, existing.clone()));
        }
        while inner.map.len() >= self.capacity {
            match inner.order.pop_front() {
                Some(old) => {
                    inner.map.remove(&old);
                }
                None => break,
            }
        }
        inner.map.insert(key.clone(), png.clone());
        inner.order.push_back(key.clone());
        Ok((key, png))
    }

    /// The cached PNG under `key`, if any.
    pub fn get(&self, key: &str) -> Option<Arc<[u8]>> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.map.get(key).cloned()
    }

    /// Number of cards held.
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).map.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
