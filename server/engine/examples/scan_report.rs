//! Full analysis of a local directory (no metadata: trust checks that need GitHub say so),
//! printing the contract's result JSON. A developer aid for tuning rules on real code:
//!   cargo run --release -p aura-engine --example scan_report -- <dir>

use aura_engine::meta::RepoMeta;
use aura_engine::sources::git::read_tree;
use aura_engine::{analyze, Limits, NoProgress};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: scan_report <dir>");
        std::process::exit(2);
    };
    let tree = read_tree(std::path::Path::new(&dir), &Limits::default());
    let meta = RepoMeta {
        source: "local directory".into(),
        now: chrono::Utc::now(),
        ..Default::default()
    };
    match analyze(tree, meta, &dir, &NoProgress).await {
        Ok(out) => println!("{}", serde_json::to_string_pretty(&out.result).unwrap_or_default()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
