//! A deterministic, dependency-free stand-in for the cargo-fuzz targets in `fuzz/`, so their
//! invariants are exercised on every `cargo test`: mutated URLs through target parsing,
//! mutated tarballs through the capped unpacker, random bytes through the content scanner.

use aura_engine::analysis::scanner::Scanner;
use aura_engine::sources::archive::{unpack_tar, unpack_tar_gz};
use aura_engine::target::{parse_repo_target, parse_x_handle, RepoTarget};
use aura_engine::tree::RepoFile;
use aura_engine::Limits;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8], alphabet: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(4) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = alphabet[rng.below(alphabet.len())];
            }
            1 => {
                let i = rng.below(v.len() + 1);
                v.insert(i, alphabet[rng.below(alphabet.len())]);
            }
            2 if !v.is_empty() => {
                let i = rng.below(v.len());
                v.remove(i);
            }
            _ => {
                let i = rng.below(v.len() + 1);
                let j = rng.below(v.len() + 1);
                let (a, b) = (i.min(j), i.max(j));
                let chunk = v[a..b].to_vec();
                v.splice(a..a, chunk);
            }
        }
    }
    v
}

#[test]
fn target_parsing_invariants() {
    let seeds = [
        "https://github.com/coral-xyz/anchor",
        "coral-xyz/anchor.git",
        "https://gitlab.com/a/b/c.git/",
        "https://git.sr.ht/~u/r",
        "@handle",
        "https://x.com/abc",
    ];
    let alphabet = b"/:.@-_~%?#\\ abcXYZ019[]\x00\xc3\xa9";
    let mut rng = Rng(0x9E3779B97F4A7C15);
    for i in 0..30_000 {
        let input = mutate(&mut rng, seeds[i % seeds.len()].as_bytes(), alphabet);
        let s = String::from_utf8_lossy(&input);
        let _ = parse_x_handle(&s);
        if let Ok(t) = parse_repo_target(&s) {
            let n = t.normalized();
            match &t {
                RepoTarget::GitHub { .. } => {
                    assert_eq!(parse_repo_target(&n).unwrap().normalized(), n, "{s:?}")
                }
                RepoTarget::Git { url } => {
                    assert_eq!(url.scheme(), "https", "{s:?}");
                    assert!(matches!(url.host(), Some(url::Host::Domain(_))), "{s:?}");
                    assert!(!url.path().split('/').any(|p| p == ".." || p == "."), "{s:?}");
                    assert!(url.username().is_empty() && url.query().is_none(), "{s:?}");
                }
            }
        }
    }
}

#[test]
fn archive_unpacking_invariants() {
    use flate2::{write::GzEncoder, Compression};
    let mut b = tar::Builder::new(Vec::new());
    for (p, d) in [
        ("top/a.rs", &b"fn main() {}"[..]),
        ("top/dir/b.js", b"eval(atob('x'))"),
        ("top/c.txt", &[b'x'; 3000][..]),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(d.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, p, d).unwrap();
    }
    let tar_bytes = b.into_inner().unwrap();
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    std::io::Write::write_all(&mut gz, &tar_bytes).unwrap();
    let gz_bytes = gz.finish().unwrap();
    let limits = Limits {
        max_archive_bytes: 1 << 16,
        max_files: 8,
        max_path_depth: 4,
        max_file_bytes: 2048,
        ..Limits::default()
    };
    let alphabet: Vec<u8> = (0..=255).collect();
    let mut rng = Rng(0xD1B54A32D192ED03);
    for i in 0..3_000 {
        let seed = if i % 2 == 0 { &tar_bytes } else { &gz_bytes };
        let data = mutate(&mut rng, seed, &alphabet);
        for tree in [
            unpack_tar(&data[..], &limits, true),
            unpack_tar_gz(&data[..], &limits, false),
        ]
        .into_iter()
        .flatten()
        {
            assert!(tree.files.len() <= limits.max_files);
            for f in &tree.files {
                assert!(
                    !f.path.starts_with('/') && !f.path.split('/').any(|c| c == ".." || c.is_empty()),
                    "{:?}",
                    f.path
                );
                assert!(f.path.split('/').count() <= limits.max_path_depth);
                assert!(f.truncated || f.data.len() as u64 <= limits.max_file_bytes);
            }
        }
    }
}

#[test]
fn content_scanner_survives_noise() {
    let paths = [
        "src/index.js",
        "build.rs",
        "setup.py",
        ".env",
        "wallet/id.json",
        "src/lib.rs",
    ];
    let vocab: &[&[u8]] = &[
        b"eval(",
        b"atob(",
        b"ghp_",
        b"PRIVATE KEY",
        b"-----BEGIN ",
        b"mnemonic = \"",
        b"[1,2,",
        b"\xe2\x80\xae",
        b"https://1",
        b"setApprovalForAll(",
        b"\n",
        b"0x",
        b"AKIA",
        b"exec(",
        b"_0x1234",
    ];
    let mut rng = Rng(0xA0761D6478BD642F);
    for i in 0..3_000 {
        let mut data = Vec::new();
        for _ in 0..rng.below(60) {
            if rng.below(3) == 0 {
                data.extend_from_slice(vocab[rng.below(vocab.len())]);
            } else {
                for _ in 0..rng.below(40) {
                    data.push((rng.next() & 0xff) as u8);
                }
            }
        }
        let _ = aura_engine::fingerprint::tokens(&data, i % 2 == 0, &["brand".to_string()]);
        let f = RepoFile {
            path: paths[i % paths.len()].into(),
            size: data.len() as u64,
            data,
            truncated: false,
        };
        let _ = Scanner::global().scan_file(&f, &mut Vec::new());
    }
}
