//! `cargo bench -p aura-render --bench render`

use aura_render::{card_png, score_badge, CardCache, CardData};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;

const FLAGS: [(&str, &str); 3] = [
    ("critical", "Wallet drainer pattern in postinstall script"),
    ("high", "Hard-coded private key in config/deploy.js"),
    ("medium", "Repository created 6 days ago with 1 contributor"),
];

fn card() -> CardData<'static> {
    CardData {
        target: "github.com/acme-labs/token-launchpad",
        score: Some(72),
        grade: Some("B"),
        verdict: Some("DYOR"),
        summary: "Active project with real commit history and tests, but the deploy script ships a \
                  hard-coded key and ownership is concentrated in one fresh account.",
        flags: &FLAGS,
        status: "completed",
    }
}

fn badges(c: &mut Criterion) {
    c.bench_function("score_badge", |b| {
        b.iter(|| score_badge(black_box(72), black_box("B"), black_box("DYOR")))
    });
}

fn cards(c: &mut Criterion) {
    let mut g = c.benchmark_group("card");
    g.sample_size(30).measurement_time(Duration::from_secs(8));
    g.bench_function("card_png", |b| b.iter(|| card_png(black_box(&card())).unwrap()));
    let cache = CardCache::new(16);
    cache.get_or_render(&card()).unwrap();
    g.bench_function("card_cache_hit", |b| {
        b.iter(|| cache.get_or_render(black_box(&card())).unwrap())
    });
    g.finish();
}

criterion_group!(benches, badges, cards);
criterion_main!(benches);
