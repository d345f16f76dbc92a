//! Writes sample cards and badges to a directory for eyeballing.
//!
//! ```sh
//! cargo run -p aura-render --release --example render_samples -- /tmp/aura-render
//! ```

use aura_render::{card_png, invalid_badge, scanning_badge, score_badge, CardData};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/tmp/aura-render".into());
    std::fs::create_dir_all(&dir).unwrap();
    let flags = [
        ("critical", "Wallet drainer pattern in postinstall script"),
        ("high", "Hard-coded private key in config/deploy.js"),
        ("medium", "Repository created 6 days ago with 1 contributor"),
    ];
    let hostile = [
        ("critical", "<script>alert(1)</script>"),
        ("high\" onerror=\"x", "\" onerror=\"alert(document.cookie)"),
        ("weird", "\u{202E}gnp.exe \u{1b}[31m red \u{0} null"),
    ];
    let cards: Vec<(&str, CardData)> = vec![
        ("dyor", CardData { target: "github.com/acme-labs/token-launchpad", score: Some(72), grade: Some("B"), verdict: Some("DYOR"), summary: "Active project with real commit history and tests, but the deploy script ships a hard-coded key and ownership is concentrated in one fresh account. Review before trusting funds.", flags: &flags, status: "completed" }),
        ("safu", CardData { target: "rust-lang/rust", score: Some(96), grade: Some("A"), verdict: Some("SAFU"), summary: "Established repository with thousands of contributors, signed releases and no risky patterns found.", flags: &[], status: "completed" }),
        ("scam", CardData { target: "https://github.com/free-airdrop-claim/claim-your-tokens-now-official-airdrop-portal-2026.git", score: Some(8), grade: Some("F"), verdict: Some("SCAM"), summary: "Drainer code 🚨 obfuscated in the build step; the README promises guaranteed returns.", flags: &flags[..2], status: "completed" }),
        ("risky", CardData { target: "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984", score: Some(41), grade: Some("D"), verdict: Some("RISKY"), summary: "", flags: &flags[1..], status: "completed" }),
        ("running", CardData { target: "acme/widget", score: None, grade: None, verdict: None, summary: "", flags: &[], status: "running" }),
        ("failed", CardData { target: "acme/widget", score: None, grade: None, verdict: None, summary: "", flags: &[], status: "failed" }),
        ("hostile", CardData { target: "<img src=x onerror=alert(1)>/repo", score: Some(250), grade: Some("<b>"), verdict: Some("<script>"), summary: "<script>alert(1)</script> \" onerror=\"x Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.", flags: &hostile, status: "completed" }),
    ];
    for (name, data) in &cards {
        let png = card_png(data).unwrap();
        std::fs::write(format!("{dir}/card-{name}.png"), &png).unwrap();
        println!("card-{name}.png {} bytes", png.len());
    }
    for (name, svg) in [
        ("score", score_badge(72, "B", "DYOR")),
        ("safu", score_badge(96, "A", "SAFU")),
        ("risky", score_badge(41, "D", "RISKY")),
        ("scam", score_badge(8, "F", "SCAM")),
        ("scanning", scanning_badge()),
        ("invalid", invalid_badge()),
        (
            "hostile",
            aura_render::badge_svg("<script>alert(1)</script>", "\" onerror=\"x", "red\" onload=\"x"),
        ),
    ] {
        std::fs::write(format!("{dir}/badge-{name}.svg"), &svg).unwrap();
        println!("badge-{name}.svg {} bytes", svg.len());
    }
}
