//! What authenticating one `/v1` call costs: the key's SHA-256, `keys::verify` (shape
//! check, hash, indexed lookup of the key, primary-key lookup of its account) against a
//! SQLite file holding 1,000 accounts, and a hit of the verified-key cache that replaces it
//! (hash, map lookup, the mapped epoch counter; no rate-limit rules, as for an `internal`
//! key). Run: `cargo bench -p server --bench keys`.

use std::hint::black_box;

use app::server::{
    accounts::tiers::{Role, Tier},
    accounts::{self, NewAccount},
    accounts::{key_cache, key_epoch, keys},
    config::Config,
    crypto, db,
};
use criterion::{criterion_group, criterion_main, Criterion};

const SECRET_KEY: &str = "be7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7c";

fn verification(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().display().to_string();
    let config = Config::from_lookup(|k| match k {
        "AURA_SECRET_KEY" => Some(SECRET_KEY.into()),
        "AURA_DATA_DIR" => Some(data_dir.clone()),
        _ => None,
    })
    .unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    let (conn, key) = rt.block_on(async {
        let conn = db::connect(&url).await.unwrap();
        let mut last = None;
        for i in 0..1000 {
            let new = NewAccount {
                email: format!("partner{i}@bench.example"),
                name: format!("Partner {i}"),
                password: None,
                role: Role::Partner,
                tier: Tier::Partner,
                allowed_domains: Vec::new(),
                partner_slug: None,
            };
            last = Some(accounts::create(&conn, &config, new).await.unwrap().key.secret);
        }
        (conn, last.unwrap())
    });
    let unknown = keys::generate(Tier::Partner).0;

    c.bench_function("sha256 of a key", |b| {
        b.iter(|| crypto::sha256_hex(black_box(key.as_bytes())))
    });
    c.bench_function("keys::verify, valid key (SQLite, 1000 accounts)", |b| {
        b.iter(|| rt.block_on(keys::verify(&conn, black_box(&key))).unwrap())
    });
    c.bench_function("keys::verify, unknown key (SQLite)", |b| {
        b.iter(|| rt.block_on(keys::verify(&conn, black_box(&unknown))).unwrap_err())
    });
    let gate = key_epoch::LocalGate::beside(&dir.path().join("bench.db"), Default::default()).unwrap();
    let cache = key_cache::KeyCache::new(std::sync::Arc::new(gate));
    let hit = || rt.block_on(cache.verify_and_admit(&conn, black_box(&key), |_| Vec::new()));
    // The first call learns the epoch, the second fills the cache.
    for _ in 0..2 {
        hit().unwrap();
    }
    assert!(cache.holds(&key));
    c.bench_function(
        "key cache hit: verify_and_admit (epoch file beside SQLite, no rules)",
        |b| b.iter(|| hit().unwrap()),
    );
    c.bench_function("keys::verify, malformed token (no lookup)", |b| {
        b.iter(|| {
            rt.block_on(keys::verify(&conn, black_box("aura_pk_gold_nothex")))
                .unwrap_err()
        })
    });
}

criterion_group!(benches, verification);
criterion_main!(benches);
