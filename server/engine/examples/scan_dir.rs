//! Scan a local directory with the engine's content rules and print throughput as JSON.
//! Used by `bench/compare.sh`:
//!   cargo run --release -p aura-engine --example scan_dir -- <dir> [<dir> ...]

use std::time::Instant;

use aura_engine::analysis::scanner::Scanner;
use aura_engine::sources::git::read_tree;
use aura_engine::tree::FileTree;
use aura_engine::Limits;

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: scan_dir <dir>...");
        std::process::exit(2);
    }
    let limits = Limits {
        max_archive_bytes: 8 << 30,
        max_files: 10_000_000,
        max_path_depth: 64,
        ..Limits::default()
    };
    let t0 = Instant::now();
    let mut tree = FileTree::default();
    for d in &dirs {
        let t = read_tree(std::path::Path::new(d), &limits);
        tree.files.extend(t.files);
        tree.skipped.extend(t.skipped);
    }
    let read = t0.elapsed().as_secs_f64();
    let bytes = tree.total_bytes();
    let scanner = Scanner::global();
    // Warm the automaton and regexes outside the timing.
    let _ = scanner.scan_file(
        &aura_engine::tree::RepoFile {
            path: "w.js".into(),
            data: b"ghp_ x".to_vec(),
            size: 6,
            truncated: false,
        },
        &mut Vec::new(),
    );
    let t1 = Instant::now();
    let report = scanner.scan_tree(&tree, &|_, _| {});
    let scan = t1.elapsed().as_secs_f64();
    let secrets: usize = report.files.iter().map(|f| f.secrets.len()).sum();
    let scam: usize = report.files.iter().map(|f| f.scam.len()).sum::<usize>() + report.binary_findings.len();
    println!(
        "{{\"files\":{},\"bytes\":{},\"bytes_scanned\":{},\"skipped\":{},\"read_secs\":{:.3},\"scan_secs\":{:.3},\"scan_mb_s\":{:.1},\"end_to_end_mb_s\":{:.1},\"secret_findings\":{},\"scam_findings\":{}}}",
        tree.files.len(),
        bytes,
        report.bytes_scanned,
        report.skipped.len(),
        read,
        scan,
        bytes as f64 / 1e6 / scan,
        bytes as f64 / 1e6 / (scan + read),
        secrets,
        scam
    );
}
