//! Diagnostic: anchor hit counts per signal over a directory (tuning aid for anchors).
use aura_engine::analysis::anchors::NSIG;
use aura_engine::analysis::scanner::Scanner;
use aura_engine::sources::git::read_tree;
use aura_engine::Limits;

fn main() {
    let limits = Limits {
        max_archive_bytes: 8 << 30,
        max_files: 10_000_000,
        max_path_depth: 64,
        ..Limits::default()
    };
    let mut totals = [0u64; NSIG];
    let mut files = Vec::new();
    for d in std::env::args().skip(1) {
        files.extend(read_tree(std::path::Path::new(&d), &limits).files);
    }
    let mut bin = Vec::new();
    let t = std::time::Instant::now();
    for f in &files {
        if let Ok(s) = Scanner::global().scan_file(f, &mut bin) {
            for (i, c) in s.counts.iter().enumerate() {
                totals[i] += *c as u64;
            }
        }
    }
    eprintln!("single-thread scan: {:.3}s", t.elapsed().as_secs_f64());
    let names = aura_engine::analysis::anchors::ANCHORS;
    for (i, t) in totals.iter().enumerate() {
        let name = names
            .iter()
            .find(|(_, s)| *s as usize == i)
            .map(|(_, s)| format!("{s:?}"))
            .unwrap_or_default();
        println!("{name:24} {t}");
    }
}
