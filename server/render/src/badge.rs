//! shields.io "flat" badges.

use crate::text::{clean, xml_escape};
use crate::widths::{ADVANCES, EXTRA, FIRST, UNITS_PER_EM};
use crate::{Verdict, VerdictStyle};
use std::fmt::Write as _;

/// Label of every AuraSecurity badge.
pub const BADGE_LABEL: &str = "AuraSecurity";
/// Height of a flat badge in pixels.
pub const BADGE_HEIGHT: u32 = 20;

const FONT_SIZE: f64 = 11.0;
/// Padding between a box's edge and its text, each side (shields' `horizPadding`).
const PAD: u32 = 5;
const MAX_LABEL_CHARS: usize = 48;
const MAX_VALUE_CHARS: usize = 96;
const LABEL_COLOR: &str = "#555";
const GREY: &str = "#9f9f9f";
const ACCENT: &str = "#7c5cff";

/// Advance width of `c` in font units. Characters outside the table count as a full em,
/// which is the widest advance in common scripts (CJK ideographs are one em), so the box
/// is never too narrow for them.
fn advance(c: char) -> u32 {
    let cp = c as u32;
    if cp >= FIRST {
        if let Some(&w) = ADVANCES.get((cp - FIRST) as usize) {
            if w > 0 {
                return w as u32;
            }
        }
    }
    match EXTRA.binary_search_by_key(&c, |&(ch, _)| ch) {
        Ok(i) => EXTRA[i].1 as u32,
        Err(_) => UNITS_PER_EM as u32,
    }
}

/// Width in pixels of `text` set in DejaVu Sans at 11px (no kerning; badges set
/// `textLength`, so the viewer fits the text to exactly this width).
pub fn badge_text_width(text: &str) -> f64 {
    let units: u32 = text.chars().map(advance).sum();
    units as f64 * FONT_SIZE / UNITS_PER_EM as f64
}

/// Rounded text width: whole pixels, rounded up to odd like shields, so the text centre
/// falls on a half pixel when the box is, keeping glyphs crisp.
fn text_px(text: &str) -> u32 {
    let w = badge_text_width(text).ceil() as u32;
    if w.is_multiple_of(2) {
        w + 1
    } else {
        w
    }
}

/// `#rgb`/`#rrggbb` (lower-cased), a shields colour name, or grey for anything else, so no
/// caller-supplied string ever reaches an attribute unchecked.
fn normalize_color(color: &str) -> String {
    let c = color.trim();
    let hex = c.strip_prefix('#').unwrap_or(c);
    if (hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return format!("#{}", hex.to_ascii_lowercase());
    }
    let named = match c.to_ascii_lowercase().as_str() {
        "brightgreen" | "success" => "#4c1",
        "green" => "#97ca00",
        "yellowgreen" => "#a4a61d",
        "yellow" => "#dfb317",
        "orange" | "important" => "#fe7d37",
        "red" | "critical" => "#e05d44",
        "blue" | "informational" => "#007ec6",
        "grey" | "gray" | "inactive" => LABEL_COLOR,
        "purple" => ACCENT,
        _ => GREY,
    };
    named.to_string()
}

/// A shields.io "flat" badge: grey `label` box, `color` `value` box, 20px high, 11px text.
///
/// Text is stripped of control/bidi characters, capped (48 / 96 characters) and XML-escaped
/// everywhere it appears (`<title>`, `aria-label`, both `<text>` copies). `color` must be
/// `#rgb`, `#rrggbb` or a shields colour name (`brightgreen`, `yellow`, …), else grey is used.
/// Each box is its text's width plus 5px each side; an empty label yields a one-box badge.
pub fn badge_svg(label: &str, value: &str, color: &str) -> String {
    let label = clean(label, MAX_LABEL_CHARS);
    let value = clean(value, MAX_VALUE_CHARS);
    let color = normalize_color(color);

    let (lw, ltw) = if label.is_empty() {
        (0, 0)
    } else {
        let t = text_px(&label);
        (t + 2 * PAD, t)
    };
    let vtw = text_px(&value);
    let vw = vtw + 2 * PAD;
    let total = lw + vw;

    let title = if label.is_empty() {
        xml_escape(&value)
    } else {
        xml_escape(&format!("{label}: {value}"))
    };
    let label_x = lw * 5; // centre of the label box, in the 10× text coordinate space
    let value_x = lw * 10 + vw * 5;

    let mut s = String::with_capacity(1200 + 4 * (label.len() + value.len()));
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{h}" role="img" aria-label="{title}"><title>{title}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{total}" height="{h}" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)">"##,
        h = BADGE_HEIGHT,
    );
    if lw > 0 {
        let _ = write!(
            s,
            r#"<rect width="{lw}" height="{BADGE_HEIGHT}" fill="{LABEL_COLOR}"/>"#
        );
    }
    let _ = write!(
        s,
        r##"<rect x="{lw}" width="{vw}" height="{BADGE_HEIGHT}" fill="{color}"/><rect width="{total}" height="{BADGE_HEIGHT}" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">"##
    );
    let mut text = |x: u32, tw: u32, t: &str| {
        let t = xml_escape(t);
        let tl = tw * 10;
        let _ = write!(
            s,
            r##"<text aria-hidden="true" x="{x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{tl}">{t}</text><text x="{x}" y="140" transform="scale(.1)" fill="#fff" textLength="{tl}">{t}</text>"##
        );
    };
    if lw > 0 {
        text(label_x, ltw, &label);
    }
    text(value_x, vtw, &value);
    s.push_str("</g></svg>");
    s
}

/// `AuraSecurity | 72 · B · DYOR`, coloured by verdict (grey when the verdict is unknown).
/// Scores above 100 are shown as 100.
pub fn score_badge(score: u8, grade: &str, verdict: &str) -> String {
    let score = score.min(100);
    let grade = clean(grade, 3);
    let (verdict_text, color) = match Verdict::parse(verdict) {
        Some(v) => (v.as_str().to_string(), v.color()),
        None => (clean(verdict, 12).to_uppercase(), GREY),
    };
    let mut value = score.to_string();
    for part in [grade.as_str(), verdict_text.as_str()] {
        if !part.is_empty() {
            value.push_str(" · ");
            value.push_str(part);
        }
    }
    badge_svg(BADGE_LABEL, &value, color)
}

/// `AuraSecurity | scanning…` in the brand accent: no fresh result yet, a scan is queued.
pub fn scanning_badge() -> String {
    badge_svg(BADGE_LABEL, "scanning…", ACCENT)
}

/// `AuraSecurity | invalid` in grey: the owner/repo cannot be scanned.
pub fn invalid_badge() -> String {
    badge_svg(BADGE_LABEL, "invalid", GREY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::{Font, FontRef};

    /// The committed table is exactly what the shipped font says (regenerate with
    /// `cargo run -p aura-render --example gen_width_table > server/render/src/widths.rs`).
    #[test]
    fn widths_table_matches_font() {
        let font = FontRef::try_from_slice(crate::card::FONT_REGULAR).unwrap();
        assert_eq!(font.units_per_em().unwrap() as u16, UNITS_PER_EM);
        let adv = |c: char| {
            let id = font.glyph_id(c);
            if id.0 == 0 {
                0
            } else {
                font.h_advance_unscaled(id).round() as u16
            }
        };
        for (i, &w) in ADVANCES.iter().enumerate() {
            let c = char::from_u32(FIRST + i as u32).unwrap();
            assert_eq!(w, adv(c), "advance of U+{:04X}", c as u32);
        }
        for &(c, w) in EXTRA.iter() {
            assert_eq!(w, adv(c), "advance of U+{:04X}", c as u32);
        }
        assert!(EXTRA.windows(2).all(|p| p[0].0 < p[1].0), "EXTRA sorted");
        // Spot values anyone can check against DejaVu Sans: 'A' 1401, 'i' 569, 'W' 2025.
        assert_eq!(advance('A'), 1401);
        assert_eq!(advance('i'), 569);
        assert_eq!(advance('W'), 2025);
    }

    #[test]
    fn unknown_chars_count_as_an_em() {
        assert_eq!(advance('漢'), 2048);
        assert!((badge_text_width("漢字") - 22.0).abs() < 1e-9);
    }

    #[test]
    fn colors_are_normalized() {
        assert_eq!(normalize_color("#22C55E"), "#22c55e");
        assert_eq!(normalize_color("abc"), "#abc");
        assert_eq!(normalize_color("yellow"), "#dfb317");
        assert_eq!(normalize_color("red\" onload=\"x"), GREY);
        assert_eq!(normalize_color("url(javascript:alert(1))"), GREY);
    }
}
