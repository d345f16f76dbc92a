//! Card PNGs: exactly 1200×630, decodable, deterministic, robust to hostile input.

use aura_render::{card_key, card_png, CardCache, CardData, CARD_HEIGHT, CARD_WIDTH};

const FLAGS: [(&str, &str); 4] = [
    ("critical", "Wallet drainer pattern in postinstall script"),
    ("high", "Hard-coded private key in config/deploy.js"),
    ("medium", "Repository created 6 days ago"),
    ("low", "No licence file"),
];

fn sample() -> CardData<'static> {
    CardData {
        target: "acme-labs/token-launchpad",
        score: Some(72),
        grade: Some("B"),
        verdict: Some("DYOR"),
        summary: "Active project with real history, but a hard-coded key ships in the deploy script.",
        flags: &FLAGS,
        status: "completed",
    }
}

/// Checks the signature and IHDR by hand, then decodes the whole image with `png`.
fn assert_card_png(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, h), (1200, 630));
    assert_eq!((CARD_WIDTH, CARD_HEIGHT), (1200, 630));

    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("decodable");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("frame");
    assert_eq!((info.width, info.height), (1200, 630));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    buf
}

fn pixel(rgb: &[u8], x: usize, y: usize) -> (u8, u8, u8) {
    let i = (y * 1200 + x) * 3;
    (rgb[i], rgb[i + 1], rgb[i + 2])
}

#[test]
fn card_is_a_1200x630_png() {
    let png = card_png(&sample()).unwrap();
    let rgb = assert_card_png(&png);
    // Dark theme: the bottom-left corner is the #0b0f17 background (no glow reaches it).
    let (r, g, b) = pixel(&rgb, 2, 627);
    assert!(r <= 0x10 && g <= 0x14 && b <= 0x1c, "background {:?}", (r, g, b));
    // Something is drawn: plenty of distinct colours.
    let mut colours: Vec<(u8, u8, u8)> = (0..1200 * 630)
        .step_by(7)
        .map(|i| pixel(&rgb, i % 1200, i / 1200))
        .collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 200, "only {} colours", colours.len());
    assert!(png.len() < 400_000, "{} bytes", png.len());
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(card_png(&sample()).unwrap(), card_png(&sample()).unwrap());
}

#[test]
fn every_status_renders() {
    for status in ["completed", "running", "queued", "failed", "", "bogus"] {
        for score in [None, Some(100)] {
            let data = CardData {
                status,
                score,
                ..sample()
            };
            assert_card_png(&card_png(&data).unwrap());
        }
    }
    for score in [0, 1, 255] {
        let data = CardData {
            score: Some(score),
            ..sample()
        };
        assert_card_png(&card_png(&data).unwrap());
    }
    let bare = CardData {
        target: "",
        score: None,
        grade: None,
        verdict: None,
        summary: "",
        flags: &[],
        status: "completed",
    };
    assert_card_png(&card_png(&bare).unwrap());
}

#[test]
fn hostile_and_extreme_input_renders() {
    let huge = "W".repeat(1 << 20);
    let hostile_flags = [
        ("critical", "<script>alert(1)</script>"),
        ("\" onerror=\"x", "\" onerror=\"alert(document.cookie)"),
        ("\u{0}\u{1b}", "\u{202E}gnp.exe\u{0}\u{7}"),
        ("high", huge.as_str()),
    ];
    let many: Vec<(&str, &str)> = (0..10_000).map(|_| ("low", "x")).collect();
    let cases = [
        CardData {
            target: "<img src=x onerror=alert(1)>/repo",
            summary: "<script>alert(1)</script>",
            flags: &hostile_flags,
            ..sample()
        },
        CardData {
            target: &huge,
            summary: &huge,
            grade: Some(&huge),
            verdict: Some(&huge),
            ..sample()
        },
        CardData {
            target: "🚀🚀🚀",
            summary: "🔥 🔥 🔥",
            flags: &[("🔥", "🔥")],
            ..sample()
        },
        CardData {
            target: "\u{0}\u{1}\u{2}",
            summary: "\u{202E}\u{200B}\u{FEFF}",
            grade: Some("\u{0}"),
            ..sample()
        },
        CardData {
            target: "e\u{301}\u{301}\u{301}\u{301}",
            summary: "مرحبا بالعالم שלום 漢字",
            ..sample()
        },
        CardData {
            flags: &many,
            ..sample()
        },
        CardData {
            summary: &"word ".repeat(100_000),
            ..sample()
        },
    ];
    for data in &cases {
        assert_card_png(&card_png(data).unwrap());
    }
}

#[test]
fn cache_renders_once() {
    let cache = CardCache::new(2);
    let (k1, a) = cache.get_or_render(&sample()).unwrap();
    let (k2, b) = cache.get_or_render(&sample()).unwrap();
    assert_eq!(k1, k2);
    assert!(std::sync::Arc::ptr_eq(&a, &b), "second call served from cache");
    assert_eq!(cache.get(&k1).as_deref(), Some(&*a));
    assert_card_png(&a);
    // Bounded: the oldest entry goes first.
    cache
        .get_or_render(&CardData {
            score: Some(1),
            ..sample()
        })
        .unwrap();
    cache
        .get_or_render(&CardData {
            score: Some(2),
            ..sample()
        })
        .unwrap();
    assert_eq!(cache.len(), 2);
    assert!(cache.get(&k1).is_none());
}

#[test]
fn card_key_is_stable_and_sensitive() {
    let k = card_key(&sample());
    assert_eq!(k.len(), 16);
    assert!(k.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(k, card_key(&sample()));
    let variants = [
        CardData {
            score: Some(73),
            ..sample()
        },
        CardData {
            score: None,
            ..sample()
        },
        CardData {
            grade: Some("C"),
            ..sample()
        },
        CardData {
            verdict: Some("RISKY"),
            ..sample()
        },
        CardData {
            summary: "other",
            ..sample()
        },
        CardData {
            flags: &FLAGS[..1],
            ..sample()
        },
        CardData {
            status: "running",
            ..sample()
        },
        CardData {
            target: "acme-labs/token-launchpa",
            ..sample()
        },
    ];
    let mut keys: Vec<String> = variants.iter().map(card_key).collect();
    keys.push(k);
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "every field changes the key");
    // Field boundaries cannot be forged by moving text between fields.
    let a = CardData {
        target: "ab",
        summary: "c",
        ..sample()
    };
    let b = CardData {
        target: "a",
        summary: "bc",
        ..sample()
    };
    assert_ne!(card_key(&a), card_key(&b));
}
