//! Content-scan throughput (criterion). A corpus of ~8 MB built from this crate's own
//! sources (Rust, with secret-rule and scam-rule vocabulary in it) and generated
//! JavaScript/TypeScript, scanned with every content rule.
//!
//!   CARGO_TARGET_DIR=/root/.cache/aura-engine-target cargo bench -p aura-engine --bench content_scan

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

use aura_engine::analysis::scanner::Scanner;
use aura_engine::sources::git::read_tree;
use aura_engine::tree::FileTree;
use aura_engine::Limits;

fn corpus() -> FileTree {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let own = read_tree(&root.join("src"), &Limits::default());
    let mut tree = FileTree::default();
    let mut i = 0;
    while tree.total_bytes() < 8 << 20 {
        for f in &own.files {
            tree.add(format!("copy{i}/{}", f.path), f.data.clone());
        }
        let js: String = (0..400)
            .map(|n| format!("export async function handler{n}(req, res) {{\n  const user = await db.users.find({{ id: req.params.id }});\n  if (!user) return res.status(404).json({{ error: 'not found' }});\n  const url = `https://api.example.com/v1/items/${{user.id}}?page={n}`;\n  return res.json(await fetch(url).then(r => r.json()));\n}}\n"))
            .collect();
        tree.add(format!("copy{i}/web/app.js"), js);
        i += 1;
    }
    tree
}

fn bench(c: &mut Criterion) {
    let tree = corpus();
    let scanner = Scanner::global();
    let mut g = c.benchmark_group("content_scan");
    g.throughput(Throughput::Bytes(tree.total_bytes()));
    g.sample_size(20);
    g.bench_function("scan_tree_all_cores", |b| {
        b.iter(|| black_box(scanner.scan_tree(&tree, &|_, _| {})))
    });
    g.bench_function("scan_files_one_core", |b| {
        b.iter(|| {
            let mut bin = Vec::new();
            for f in &tree.files {
                let _ = black_box(scanner.scan_file(f, &mut bin));
            }
        })
    });
    g.bench_function("fingerprint", |b| {
        b.iter(|| black_box(aura_engine::fingerprint::fingerprint(&tree, &[])))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
