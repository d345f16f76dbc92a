//! Archive unpacking never panics and never produces an unsafe path or exceeds its caps,
//! whatever the (possibly gzip-compressed) bytes.
//!   cd server/engine/fuzz && cargo +nightly fuzz run archive_unpack
#![no_main]

use aura_engine::sources::archive::{unpack_tar, unpack_tar_gz};
use aura_engine::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_archive_bytes: 1 << 20,
        max_files: 64,
        max_path_depth: 6,
        max_file_bytes: 64 << 10,
        ..Limits::default()
    };
    for strip in [true, false] {
        let results = [
            unpack_tar_gz(data, &limits, strip),
            unpack_tar(data, &limits, strip),
        ];
        for tree in results.into_iter().flatten() {
            assert!(tree.files.len() <= limits.max_files);
            let kept: u64 = tree
                .files
                .iter()
                .filter(|f| !f.truncated)
                .map(|f| f.data.len() as u64)
                .sum();
            assert!(kept <= limits.max_archive_bytes);
            for f in &tree.files {
                assert!(!f.path.is_empty() && !f.path.starts_with('/'));
                assert!(!f
                    .path
                    .split('/')
                    .any(|c| c == ".." || c == "." || c.is_empty()));
                assert!(!f.path.contains('\\') && !f.path.contains('\0'));
                assert!(f.path.split('/').count() <= limits.max_path_depth);
                assert!(f.truncated || f.data.len() as u64 <= limits.max_file_bytes);
            }
        }
    }
});
