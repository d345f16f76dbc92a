//! The content scanner (automaton, verification windows, detectors) never panics on
//! arbitrary bytes, and never echoes a matched secret unredacted.
//!   cd server/engine/fuzz && cargo +nightly fuzz run content_scan
#![no_main]

use aura_engine::analysis::scanner::Scanner;
use aura_engine::tree::RepoFile;
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 8] = [
    "src/index.js",
    "build.rs",
    "setup.py",
    ".env",
    "wallet/id.json",
    "README.md",
    "src/lib.rs",
    "test/a.test.ts",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let f = RepoFile {
        path: PATHS[sel as usize % PATHS.len()].into(),
        data: body.to_vec(),
        size: body.len() as u64,
        truncated: false,
    };
    let mut bin = Vec::new();
    if let Ok(scan) = Scanner::global().scan_file(&f, &mut bin) {
        for s in &scan.secrets {
            assert!(s.redacted.contains('…') || s.redacted.contains("words"));
        }
    }
});
