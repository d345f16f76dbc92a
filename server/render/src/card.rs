//! The 1200×630 `og:image` card, drawn with plotters on its bitmap backend.
//!
//! Everything goes through plotters' `BitMapBackend` (rectangles, and `draw_pixel`, which
//! alpha-blends). Glyphs come from the fonts embedded below, rasterised by `ab_glyph` at their
//! exact sub-pixel pen positions: plotters 0.3.7's own `ab_glyph` text path truncates every
//! glyph to a whole pixel and drops its bearing, which visibly breaks letter spacing
//! ("pro ject", "CRITI CAL"). Shapes that need smooth edges (rounded panels, pills, the
//! score ring) are rasterised from signed distance functions.

use crate::text::clean;
use crate::{CardData, RenderError, Verdict, VerdictStyle};
use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters::style::RGBAColor;
use std::sync::OnceLock;

/// Width of the card in pixels.
pub const CARD_WIDTH: u32 = 1200;
/// Height of the card in pixels.
pub const CARD_HEIGHT: u32 = 630;

/// DejaVu Sans 2.37 (Bitstream Vera licence, `fonts/LICENSE-DejaVu.txt`).
pub(crate) const FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
pub(crate) const FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

type Rgb = (u8, u8, u8);
const BG: Rgb = (0x0b, 0x0f, 0x17);
const PANEL: Rgb = (0x11, 0x16, 0x21);
const PANEL_BORDER: Rgb = (0x22, 0x2a, 0x3b);
const TRACK: Rgb = (0x1c, 0x23, 0x33);
const TEXT: Rgb = (0xf3, 0xf4, 0xf8);
const TEXT_SOFT: Rgb = (0xc6, 0xcd, 0xdb);
const MUTED: Rgb = (0x8b, 0x94, 0xa7);
const FAINT: Rgb = (0x5d, 0x66, 0x7a);
const ACCENT: Rgb = (0x7c, 0x5c, 0xff);
const NEUTRAL: Rgb = (0x94, 0xa3, 0xb8);
const FAILED: Rgb = (0xef, 0x44, 0x44);

const MAX_TARGET_CHARS: usize = 120;
const MAX_SUMMARY_CHARS: usize = 400;
const MAX_FLAG_CHARS: usize = 160;

// Layout: a left column of text and a right panel holding the score dial.
const MARGIN: i32 = 64;
const LEFT_W: f64 = 644.0;
const PANEL_X0: f64 = 762.0;
const PANEL_X1: f64 = 1136.0;
const PANEL_Y0: f64 = 118.0;
const PANEL_Y1: f64 = 546.0;
const DIAL_CX: f64 = (PANEL_X0 + PANEL_X1) / 2.0;
const DIAL_CY: f64 = 292.0;
const DIAL_R: f64 = 120.0;
const DIAL_T: f64 = 10.0; // half thickness of the ring

struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

/// Parses the embedded fonts once.
fn fonts() -> Result<&'static Fonts, RenderError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let regular = FontRef::try_from_slice(FONT_REGULAR).ok()?;
            let bold = FontRef::try_from_slice(FONT_BOLD).ok()?;
            Some(Fonts { regular, bold })
        })
        .as_ref()
        .ok_or(RenderError::Font)
}

#[derive(Clone, Copy, PartialEq)]
enum Weight {
    Regular,
    Bold,
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn draw_err<E: std::fmt::Debug>(e: E) -> RenderError {
    RenderError::Draw(format!("{e:?}"))
}

struct Painter<'a, 'b> {
    area: &'b Area<'a>,
    fonts: &'static Fonts,
}

impl Painter<'_, '_> {
    fn font(&self, w: Weight) -> &FontRef<'static> {
        match w {
            Weight::Regular => &self.fonts.regular,
            Weight::Bold => &self.fonts.bold,
        }
    }

    /// Width in pixels of `text` at `size` (ab_glyph pixel height: ascent minus descent),
    /// with kerning, exactly as [`Painter::text`] lays it out.
    fn measure(&self, text: &str, size: u32, w: Weight) -> f64 {
        let font = self.font(w).as_scaled(size as f32);
        let mut x = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                x += font.kern(p, id);
            }
            x += font.h_advance(id);
            prev = Some(id);
        }
        x as f64
    }

    /// Keeps only characters the font has a glyph for (no tofu boxes for emoji and the
    /// like), collapsing the spaces that leaves behind.
    fn printable(&self, text: &str, w: Weight) -> String {
        let font = self.font(w);
        let kept: String = text.chars().filter(|&c| c == ' ' || font.glyph_id(c).0 != 0).collect();
        kept.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
    }

    /// `text` cut at the end with `…` so that it fits `max_w`.
    fn fit_end(&self, text: &str, size: u32, w: Weight, max_w: f64) -> String {
        if self.measure(text, size, w) <= max_w {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let (mut lo, mut hi) = (0usize, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let s: String = chars[..mid].iter().collect::<String>().trim_end().to_string() + "…";
            if self.measure(&s, size, w) <= max_w {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let mut head: String = chars[..lo].iter().collect();
        // Cut mid-word only when the last word boundary would waste over a third of the room.
        if lo < chars.len() && chars[lo] != ' ' {
            if let Some(sp) = head.rfind(' ') {
                if self.measure(&head[..sp], size, w) >= max_w * 0.66 {
                    head.truncate(sp);
                }
            }
        }
        let head = head.trim_end_matches([' ', ',', '.', ';', ':']);
        format!("{head}…")
    }

    /// `text` cut in the middle with `…` (keeps both ends of long addresses) to fit `max_w`.
    fn fit_middle(&self, text: &str, size: u32, w: Weight, max_w: f64) -> String {
        if self.measure(text, size, w) <= max_w {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let build = |n: usize| -> String {
            let head = n.div_ceil(2);
            let tail = n / 2;
            let mut s: String = chars[..head].iter().collect();
            s.push('…');
            s.extend(chars[chars.len() - tail..].iter());
            s
        };
        let (mut lo, mut hi) = (0usize, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if self.measure(&build(mid), size, w) <= max_w {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        build(lo)
    }

    /// Greedy word wrap into at most `max_lines` lines of `max_w`; the last line ends with `…`
    /// when text remains. Words longer than a line are broken.
    fn wrap(&self, text: &str, size: u32, w: Weight, max_w: f64, max_lines: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
        words.reverse();
        let mut line = String::new();
        while let Some(word) = words.pop() {
            let candidate = if line.is_empty() {
                word.clone()
            } else {
                format!("{line} {word}")
            };
            if self.measure(&candidate, size, w) <= max_w {
                line = candidate;
                continue;
            }
            if line.is_empty() {
                // A single word wider than the line: break it.
                let chars: Vec<char> = word.chars().collect();
                let mut n = chars.len();
                while n > 1 && self.measure(&chars[..n].iter().collect::<String>(), size, w) > max_w {
                    n -= 1;
                }
                line = chars[..n].iter().collect();
                let rest: String = chars[n..].iter().collect();
                if !rest.is_empty() {
                    words.push(rest);
                }
            } else {
                words.push(word);
            }
            lines.push(std::mem::take(&mut line));
            if lines.len() == max_lines {
                break;
            }
        }
        if lines.len() < max_lines && !line.is_empty() {
            lines.push(line);
        } else if !words.is_empty() || !line.is_empty() {
            // Text remains: end the last line with an ellipsis.
            if let Some(last) = lines.last_mut() {
                let mut rest = last.clone();
                words.reverse();
                for word in std::iter::once(line).chain(words) {
                    if !word.is_empty() {
                        rest.push(' ');
                        rest.push_str(&word);
                    }
                    if self.measure(&rest, size, w) > max_w * 1.5 {
                        break;
                    }
                }
                *last = self.fit_end(&format!("{rest}…"), size, w, max_w);
                if !last.ends_with('…') {
                    last.push('…');
                }
            }
        }
        lines
    }

    /// Draws `text` with its baseline at `baseline`; returns its width.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &self,
        text: &str,
        x: f64,
        baseline: i32,
        size: u32,
        w: Weight,
        color: Rgb,
        align: Align,
    ) -> Result<f64, RenderError> {
        let width = self.measure(text, size, w);
        let x0 = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        let font = self.font(w);
        let scale = PxScale::from(size as f32);
        let scaled = font.as_scaled(scale);
        let mut pen = x0 as f32;
        let mut prev = None;
        let mut result = Ok(());
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(scale, point(pen, baseline as f32));
            pen += scaled.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (bx, by) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|gx, gy, cov| {
                if cov <= 0.0 || result.is_err() {
                    return;
                }
                // Light text on a dark ground reads thin when blended in sRGB; lift partial
                // coverage slightly.
                let cov = cov.min(1.0) as f64;
                let a = cov * (1.18 - 0.18 * cov); // ≈ cov^0.85
                let c = RGBAColor(color.0, color.1, color.2, a);
                result = self
                    .area
                    .draw_pixel((bx + gx as i32, by + gy as i32), &c)
                    .map_err(draw_err);
            });
            result.as_ref().map_err(|e| RenderError::Draw(e.to_string()))?;
        }
        Ok(width)
    }

    /// Paints `color` at the opacity `alpha_at` gives for each pixel centre within the pixel
    /// box `[x0, x1) × [y0, y1)`, skipping the whole pixels of `hole` (a region the caller
    /// fills another way, or knows to be untouched).
    fn fill_field(
        &self,
        bbox: (f64, f64, f64, f64),
        hole: Option<(i32, i32, i32, i32)>,
        color: Rgb,
        alpha_at: impl Fn(f64, f64) -> f64,
    ) -> Result<(), RenderError> {
        let x0 = (bbox.0.floor() as i32).max(0);
        let y0 = (bbox.1.floor() as i32).max(0);
        let x1 = (bbox.2.ceil() as i32).min(CARD_WIDTH as i32);
        let y1 = (bbox.3.ceil() as i32).min(CARD_HEIGHT as i32);
        let (hx0, hy0, hx1, hy1) = hole.unwrap_or((0, 0, 0, 0));
        for y in y0..y1 {
            let in_hole_rows = y >= hy0 && y < hy1;
            let mut x = x0;
            while x < x1 {
                if in_hole_rows && x >= hx0 && x < hx1 {
                    x = hx1;
                    continue;
                }
                let a = alpha_at(x as f64 + 0.5, y as f64 + 0.5);
                if a > 0.0 {
                    let c = RGBAColor(color.0, color.1, color.2, a.min(1.0));
                    self.area.draw_pixel((x, y), &c).map_err(draw_err)?;
                }
                x += 1;
            }
        }
        Ok(())
    }

    /// Fills the shape whose signed distance (negative inside) `sdf` gives, anti-aliased.
    fn fill_sdf(
        &self,
        bbox: (f64, f64, f64, f64),
        hole: Option<(i32, i32, i32, i32)>,
        color: Rgb,
        alpha: f64,
        sdf: impl Fn(f64, f64) -> f64,
    ) -> Result<(), RenderError> {
        self.fill_field(bbox, hole, color, |x, y| alpha * (0.5 - sdf(x, y)).clamp(0.0, 1.0))
    }

    /// Fills the pixels `[x0, x1) × [y0, y1)`. (`BitMapBackend`'s filled rectangle excludes
    /// its bottom-right corner, unlike its outlines.)
    fn fill_rect(&self, (x0, y0, x1, y1): (i32, i32, i32, i32), color: Rgb, alpha: f64) -> Result<(), RenderError> {
        let c = RGBAColor(color.0, color.1, color.2, alpha);
        self.area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))
            .map_err(draw_err)
    }

    /// Whole pixels at least `inset` inside the box.
    fn inner((x0, y0, x1, y1): (f64, f64, f64, f64), inset: f64) -> Option<(i32, i32, i32, i32)> {
        let h = (
            (x0 + inset).ceil() as i32,
            (y0 + inset).ceil() as i32,
            (x1 - inset).floor() as i32,
            (y1 - inset).floor() as i32,
        );
        (h.0 < h.2 && h.1 < h.3).then_some(h)
    }

    fn rounded_rect(
        &self,
        (x0, y0, x1, y1): (f64, f64, f64, f64),
        r: f64,
        color: Rgb,
        alpha: f64,
    ) -> Result<(), RenderError> {
        // The interior goes through plotters' rectangle fill; only the rim is rasterised here.
        let hole = Self::inner((x0, y0, x1, y1), r.max(1.0));
        if let Some((hx0, hy0, hx1, hy1)) = hole {
            self.fill_rect((hx0, hy0, hx1, hy1), color, alpha)?;
        }
        self.fill_sdf((x0, y0, x1, y1), hole, color, alpha, |x, y| {
            rrect_sdf(x, y, x0, y0, x1, y1, r)
        })
    }

    /// A `width`-wide outline just inside the rounded rectangle's edge.
    fn rounded_rect_stroke(
        &self,
        (x0, y0, x1, y1): (f64, f64, f64, f64),
        r: f64,
        width: f64,
        color: Rgb,
        alpha: f64,
    ) -> Result<(), RenderError> {
        let h = width / 2.0;
        let hole = Self::inner((x0, y0, x1, y1), r.max(width + 1.0));
        self.fill_sdf((x0, y0, x1, y1), hole, color, alpha, |x, y| {
            rrect_sdf(x, y, x0 + h, y0 + h, x1 - h, y1 - h, r - h).abs() - h
        })
    }

    fn circle(&self, cx: f64, cy: f64, r: f64, color: Rgb, alpha: f64) -> Result<(), RenderError> {
        self.fill_sdf(
            (cx - r - 1.0, cy - r - 1.0, cx + r + 1.0, cy + r + 1.0),
            None,
            color,
            alpha,
            |x, y| ((x - cx).powi(2) + (y - cy).powi(2)).sqrt() - r,
        )
    }

    /// A ring of mid radius `r` and half thickness `t` from 12 o'clock clockwise over
    /// `frac` of a turn, with round caps (a full ring when `frac >= 1`).
    #[allow(clippy::too_many_arguments)]
    fn arc(&self, cx: f64, cy: f64, r: f64, t: f64, frac: f64, color: Rgb, alpha: f64) -> Result<(), RenderError> {
        if frac <= 0.0 {
            return Ok(());
        }
        let m = r + t + 1.0;
        // The square inscribed in the ring's inner edge is never touched.
        let k = (r - t - 1.0).max(0.0) / std::f64::consts::SQRT_2;
        let hole = Self::inner((cx - k, cy - k, cx + k, cy + k), 0.0);
        self.fill_sdf(
            (cx - m, cy - m, cx + m, cy + m),
            hole,
            color,
            alpha,
            arc_sdf(cx, cy, r, t, frac),
        )
    }

    /// A soft glow around the same arc: `peak` opacity under it, fading to nothing `spread`
    /// pixels away.
    #[allow(clippy::too_many_arguments)]
    fn arc_glow(
        &self,
        cx: f64,
        cy: f64,
        r: f64,
        t: f64,
        frac: f64,
        color: Rgb,
        peak: f64,
        spread: f64,
    ) -> Result<(), RenderError> {
        if frac <= 0.0 {
            return Ok(());
        }
        let m = r + t + spread + 1.0;
        let k = (r - t - spread - 1.0).max(0.0) / std::f64::consts::SQRT_2;
        let hole = Self::inner((cx - k, cy - k, cx + k, cy + k), 0.0);
        let sdf = arc_sdf(cx, cy, r, t, frac);
        self.fill_field((cx - m, cy - m, cx + m, cy + m), hole, color, |x, y| {
            let d = sdf(x, y).max(0.0);
            if d >= spread {
                0.0
            } else {
                let f = 1.0 - d / spread;
                peak * f * f
            }
        })
    }
}

/// Signed distance to the arc of [`Painter::arc`].
fn arc_sdf(cx: f64, cy: f64, r: f64, t: f64, frac: f64) -> impl Fn(f64, f64) -> f64 {
    let tau = std::f64::consts::TAU;
    let sweep = frac.min(1.0) * tau;
    let (ex, ey) = (cx + r * sweep.sin(), cy - r * sweep.cos());
    move |x, y| {
        let (dx, dy) = (x - cx, y - cy);
        let dist = (dx * dx + dy * dy).sqrt();
        if frac >= 1.0 {
            return (dist - r).abs() - t;
        }
        let mut theta = dx.atan2(-dy);
        if theta < 0.0 {
            theta += tau;
        }
        if theta <= sweep {
            (dist - r).abs() - t
        } else {
            let d0 = (dx * dx + (y - (cy - r)).powi(2)).sqrt();
            let d1 = ((x - ex).powi(2) + (y - ey).powi(2)).sqrt();
            d0.min(d1) - t
        }
    }
}

/// Signed distance to the rounded rectangle `[x0, x1] × [y0, y1]` with corner radius `r`.
fn rrect_sdf(x: f64, y: f64, x0: f64, y0: f64, x1: f64, y1: f64, r: f64) -> f64 {
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (hw, hh) = ((x1 - x0) / 2.0, (y1 - y0) / 2.0);
    let r = r.min(hw).min(hh).max(0.0);
    let qx = (x - cx).abs() - (hw - r);
    let qy = (y - cy).abs() - (hh - r);
    let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
    outside + qx.max(qy).min(0.0) - r
}

fn mix(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let l = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round().clamp(0.0, 255.0) as u8;
    (l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

fn severity(sev: &str) -> (String, Rgb) {
    match sev.trim().to_ascii_lowercase().as_str() {
        "critical" => ("CRITICAL".into(), (0xef, 0x44, 0x44)),
        "high" => ("HIGH".into(), (0xf9, 0x73, 0x16)),
        "medium" | "moderate" => ("MEDIUM".into(), (0xea, 0xb3, 0x08)),
        "low" => ("LOW".into(), (0x60, 0xa5, 0xfa)),
        "info" | "informational" => ("INFO".into(), NEUTRAL),
        other => {
            let s = clean(other, 8).to_uppercase();
            (if s.is_empty() { "FLAG".into() } else { s }, NEUTRAL)
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Status {
    Completed,
    Running,
    Queued,
    Failed,
}

fn status(data: &CardData) -> Status {
    match data.status.trim().to_ascii_lowercase().as_str() {
        "completed" => Status::Completed,
        "running" => Status::Running,
        "queued" => Status::Queued,
        "failed" => Status::Failed,
        _ if data.score.is_some() => Status::Completed,
        _ => Status::Queued,
    }
}

/// The display form of a target: scheme and a trailing `.git` or `/` dropped.
fn display_target(target: &str) -> String {
    let t = clean(target, MAX_TARGET_CHARS);
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(&t);
    let t = t.strip_prefix("github.com/").unwrap_or(t);
    let t = t.trim_end_matches('/');
    let t = t.strip_suffix(".git").unwrap_or(t);
    t.to_string()
}

/// Paints the background straight into the RGB buffer: the base colour with two soft glows
/// (brand accent top left, the verdict's colour behind the dial). Not dithered: the steps
/// are single levels and invisible, and dithering would double the PNG's size.
fn paint_background(buf: &mut [u8], glow: Rgb) {
    let (w, h) = (CARD_WIDTH as usize, CARD_HEIGHT as usize);
    let glows = [
        (-80.0f32, -160.0f32, 760.0f32, ACCENT, 0.20f32),
        (DIAL_CX as f32, DIAL_CY as f32, 560.0, glow, 0.13),
    ];
    for y in 0..h {
        let row = &mut buf[y * w * 3..(y + 1) * w * 3];
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let mut c = [BG.0 as f32, BG.1 as f32, BG.2 as f32];
            for &(gx, gy, gr, col, peak) in &glows {
                let (dx, dy) = (x as f32 - gx, y as f32 - gy);
                let d2 = (dx * dx + dy * dy) / (gr * gr);
                if d2 >= 1.0 {
                    continue;
                }
                let t = 1.0 - d2.sqrt();
                let a = peak * t * t;
                c[0] += (col.0 as f32 - c[0]) * a;
                c[1] += (col.1 as f32 - c[1]) * a;
                c[2] += (col.2 as f32 - c[2]) * a;
            }
            for k in 0..3 {
                px[k] = (c[k] + 0.5) as u8; // within 0..=255 by construction
            }
        }
    }
}

/// Renders the 1200×630 PNG card of a scan.
///
/// All strings are untrusted: they are stripped of control and bidi characters, capped, and
/// fitted (target shrunk then cut in the middle, summary wrapped to two lines, flag titles cut
/// with `…`). Nothing is ever interpreted: it only becomes pixels. Output depends only on
/// `data` (fonts are embedded). Takes tens of milliseconds of CPU: call it from
/// `spawn_blocking`, and cache the result ([`crate::CardCache`]).
pub fn card_png(data: &CardData) -> Result<Vec<u8>, RenderError> {
    let fonts = fonts()?;
    let status = status(data);
    let verdict = data.verdict.and_then(Verdict::parse);
    let tone: Rgb = match status {
        Status::Completed => verdict.map(VerdictStyle::rgb).unwrap_or(NEUTRAL),
        Status::Running | Status::Queued => ACCENT,
        Status::Failed => FAILED,
    };

    let (w, h) = (CARD_WIDTH as usize, CARD_HEIGHT as usize);
    let mut buf = vec![0u8; w * h * 3];
    paint_background(&mut buf, tone);
    {
        let area = BitMapBackend::with_buffer(&mut buf, (CARD_WIDTH, CARD_HEIGHT)).into_drawing_area();
        draw_card(&Painter { area: &area, fonts }, data, status, verdict, tone)?;
        area.present().map_err(draw_err)?;
    }
    encode_png(&buf)
}

fn draw_card(
    p: &Painter,
    data: &CardData,
    status: Status,
    verdict: Option<Verdict>,
    tone: Rgb,
) -> Result<(), RenderError> {
    let left = MARGIN as f64;
    let right = (CARD_WIDTH as i32 - MARGIN) as f64;

    // Top edge: a gradient bar from the brand accent to the verdict's colour.
    for x in 0..CARD_WIDTH as i32 {
        let c = mix(ACCENT, tone, x as f64 / (CARD_WIDTH - 1) as f64);
        p.fill_rect((x, 0, x + 1, 6), c, 1.0)?;
    }

    // Header: mark + wordmark, and what this is.
    let (mx, my) = (left + 20.0, 66.0);
    p.arc(mx, my, 16.0, 4.0, 1.0, ACCENT, 1.0)?;
    p.circle(mx, my, 6.5, ACCENT, 1.0)?;
    p.arc(mx, my, 16.0, 4.0, 0.18, (0xb4, 0xa2, 0xff), 1.0)?;
    let brand_w = p.text("Aura", left + 50.0, 77, 32, Weight::Bold, TEXT, Align::Left)?;
    p.text(
        "Security",
        left + 50.0 + brand_w,
        77,
        32,
        Weight::Bold,
        (0xa8, 0x94, 0xff),
        Align::Left,
    )?;
    p.text(
        "Security scan report",
        right,
        75,
        20,
        Weight::Regular,
        MUTED,
        Align::Right,
    )?;

    // Target.
    p.text("SCAN TARGET", left, 152, 16, Weight::Bold, FAINT, Align::Left)?;
    let target = p.printable(&display_target(data.target), Weight::Bold);
    let target = if target.is_empty() {
        "unknown target".to_string()
    } else {
        target
    };
    let mut size = 54;
    while size > 36 && p.measure(&target, size, Weight::Bold) > LEFT_W {
        size -= 2;
    }
    let target = p.fit_middle(&target, size, Weight::Bold, LEFT_W);
    p.text(&target, left, 214, size, Weight::Bold, TEXT, Align::Left)?;

    // Verdict (or status) pill and its meaning.
    let (pill_text, meaning) = match status {
        Status::Completed => match verdict {
            Some(v) => (v.as_str().to_string(), v.meaning().to_string()),
            None => {
                let v = clean(data.verdict.unwrap_or(""), 12).to_uppercase();
                let v = p.printable(&v, Weight::Bold);
                (if v.is_empty() { "UNRATED".into() } else { v }, "Scan completed".into())
            }
        },
        Status::Running => ("SCANNING".into(), "Scan in progress".into()),
        Status::Queued => ("QUEUED".into(), "Scan queued".into()),
        Status::Failed => ("SCAN FAILED".into(), "The scan could not complete".into()),
    };
    let (py0, py1) = (242.0, 286.0);
    let pill_tw = p.measure(&pill_text, 22, Weight::Bold);
    let px1 = left + 20.0 + 12.0 + 12.0 + pill_tw + 22.0;
    p.rounded_rect((left, py0, px1, py1), 22.0, tone, 0.16)?;
    p.rounded_rect_stroke((left, py0, px1, py1), 22.0, 2.0, tone, 0.85)?;
    p.circle(left + 26.0, (py0 + py1) / 2.0, 6.0, tone, 1.0)?;
    let pill_text_color = mix(tone, TEXT, 0.25);
    p.text(
        &pill_text,
        left + 44.0,
        272,
        22,
        Weight::Bold,
        pill_text_color,
        Align::Left,
    )?;
    let meaning_x = px1 + 18.0;
    let meaning = p.fit_end(&meaning, 22, Weight::Regular, left + LEFT_W - meaning_x);
    p.text(&meaning, meaning_x, 272, 22, Weight::Regular, TEXT_SOFT, Align::Left)?;

    // Summary: two wrapped lines.
    let summary = p.printable(&clean(data.summary, MAX_SUMMARY_CHARS), Weight::Regular);
    let summary = if summary.is_empty() {
        match status {
            Status::Completed => String::new(),
            Status::Running | Status::Queued => "The full report appears here when the scan completes.".into(),
            Status::Failed => "Open the report for details.".into(),
        }
    } else {
        summary
    };
    let lines = p.wrap(&summary, 22, Weight::Regular, LEFT_W, 2);
    for (i, line) in lines.iter().enumerate() {
        p.text(
            line,
            left,
            334 + 32 * i as i32,
            22,
            Weight::Regular,
            TEXT_SOFT,
            Align::Left,
        )?;
    }

    // Top flags, right under the summary.
    if status == Status::Completed {
        let label_y = if lines.is_empty() {
            340
        } else {
            354 + 32 * lines.len() as i32
        };
        p.text("TOP FLAGS", left, label_y, 16, Weight::Bold, FAINT, Align::Left)?;
        let flags: Vec<_> = data.flags.iter().take(3).collect();
        if flags.is_empty() {
            p.text(
                "No red flags raised",
                left,
                label_y + 40,
                22,
                Weight::Regular,
                MUTED,
                Align::Left,
            )?;
        }
        for (i, (sev, title)) in flags.into_iter().enumerate() {
            let y0 = (label_y + 16) as f64 + 42.0 * i as f64;
            let (label, color) = severity(sev);
            let label = p.printable(&label, Weight::Bold);
            let chip_w = 108.0;
            p.rounded_rect((left, y0, left + chip_w, y0 + 30.0), 8.0, color, 0.16)?;
            p.rounded_rect_stroke((left, y0, left + chip_w, y0 + 30.0), 8.0, 1.5, color, 0.55)?;
            let label = p.fit_end(&label, 14, Weight::Bold, chip_w - 12.0);
            p.text(
                &label,
                left + chip_w / 2.0,
                y0 as i32 + 21,
                14,
                Weight::Bold,
                mix(color, TEXT, 0.2),
                Align::Center,
            )?;
            let tx = left + chip_w + 16.0;
            let title = p.printable(&clean(title, MAX_FLAG_CHARS), Weight::Regular);
            let title = if title.is_empty() {
                "Untitled flag".to_string()
            } else {
                title
            };
            let title = p.fit_end(&title, 22, Weight::Regular, left + LEFT_W - tx);
            p.text(&title, tx, y0 as i32 + 23, 22, Weight::Regular, TEXT, Align::Left)?;
        }
    }

    // Score panel.
    let panel = (PANEL_X0, PANEL_Y0, PANEL_X1, PANEL_Y1);
    p.rounded_rect(panel, 24.0, PANEL, 0.92)?;
    p.rounded_rect_stroke(panel, 24.0, 1.5, PANEL_BORDER, 1.0)?;
    let (cx, cy) = (DIAL_CX, DIAL_CY);
    p.arc(cx, cy, DIAL_R, DIAL_T, 1.0, TRACK, 1.0)?;
    let score = data.score.map(|s| s.min(100));
    match (status, score) {
        (Status::Completed, Some(s)) => {
            let frac = s as f64 / 100.0;
            p.arc_glow(cx, cy, DIAL_R, DIAL_T, frac, tone, 0.26, 16.0)?;
            p.arc(cx, cy, DIAL_R, DIAL_T, frac, tone, 1.0)?;
            p.text(
                &s.to_string(),
                cx,
                cy as i32 + 30,
                92,
                Weight::Bold,
                TEXT,
                Align::Center,
            )?;
            p.text("/ 100", cx, cy as i32 + 68, 22, Weight::Regular, MUTED, Align::Center)?;
            p.text("SCORE", cx, cy as i32 - 50, 16, Weight::Bold, FAINT, Align::Center)?;
        }
        (Status::Completed, None) => {
            p.text("—", cx, cy as i32 + 20, 64, Weight::Bold, MUTED, Align::Center)?;
            p.text(
                "no score",
                cx,
                cy as i32 + 62,
                22,
                Weight::Regular,
                MUTED,
                Align::Center,
            )?;
        }
        (other, _) => {
            if other != Status::Failed {
                p.arc(cx, cy, DIAL_R, DIAL_T, 0.25, ACCENT, 1.0)?;
            }
            let (big, small) = match other {
                Status::Running => ("Scanning", "score pending"),
                Status::Queued => ("Queued", "score pending"),
                _ => ("Failed", "no score"),
            };
            p.text(big, cx, cy as i32 + 12, 34, Weight::Bold, TEXT, Align::Center)?;
            p.text(small, cx, cy as i32 + 48, 20, Weight::Regular, MUTED, Align::Center)?;
        }
    }
    // Grade under the dial.
    let grade = data
        .grade
        .map(|g| p.printable(&clean(g, 3), Weight::Bold))
        .filter(|g| !g.is_empty() && status == Status::Completed);
    match grade {
        Some(g) => {
            let lw = p.measure("GRADE", 18, Weight::Bold);
            let gw = p.measure(&g, 44, Weight::Bold);
            let x0 = cx - (lw + 16.0 + gw) / 2.0;
            p.text("GRADE", x0, 496, 18, Weight::Bold, MUTED, Align::Left)?;
            p.text(&g, x0 + lw + 16.0, 504, 44, Weight::Bold, tone, Align::Left)?;
        }
        None => {
            let note = match status {
                Status::Completed => "",
                Status::Failed => "Try again later",
                _ => "Check back in a minute",
            };
            p.text(note, cx, 496, 18, Weight::Regular, MUTED, Align::Center)?;
        }
    }

    // Footer.
    p.fill_rect((MARGIN, 572, CARD_WIDTH as i32 - MARGIN, 573), (0x1d, 0x24, 0x33), 1.0)?;
    p.text(
        "Automated security analysis · not financial advice",
        left,
        606,
        18,
        Weight::Regular,
        FAINT,
        Align::Left,
    )?;
    p.text(
        "Score 0–100 · higher is safer",
        right,
        606,
        18,
        Weight::Regular,
        FAINT,
        Align::Right,
    )?;
    Ok(())
}

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::with_capacity(96 * 1024);
    {
        let mut enc = png::Encoder::new(&mut out, CARD_WIDTH, CARD_HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Balanced: ~25% smaller than `Fast` for ~20 ms more, paid once per cached card.
        enc.set_compression(png::Compression::Balanced);
        let mut writer = enc.write_header().map_err(|e| RenderError::Encode(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| RenderError::Encode(e.to_string()))?;
        writer.finish().map_err(|e| RenderError::Encode(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_rgb(data: &CardData) -> Vec<u8> {
        let png = card_png(data).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        buf
    }

    fn pixel(rgb: &[u8], x: f64, y: f64) -> Rgb {
        let i = ((y as usize) * CARD_WIDTH as usize + x as usize) * 3;
        (rgb[i], rgb[i + 1], rgb[i + 2])
    }

    fn data(verdict: &'static str, score: u8) -> CardData<'static> {
        CardData {
            target: "acme/widget",
            score: Some(score),
            grade: Some("B"),
            verdict: Some(verdict),
            summary: "summary",
            flags: &[],
            status: "completed",
        }
    }

    #[test]
    fn dial_is_coloured_by_verdict_and_filled_by_score() {
        for v in Verdict::ALL {
            let rgb = render_rgb(&data(v.as_str(), 60));
            // 12 o'clock (start of the arc) and 3 o'clock (25%) carry the verdict colour...
            assert_eq!(pixel(&rgb, DIAL_CX, DIAL_CY - DIAL_R), v.rgb(), "{v} top");
            assert_eq!(pixel(&rgb, DIAL_CX + DIAL_R, DIAL_CY), v.rgb(), "{v} right");
            // ...9 o'clock (75%) is past a score of 60: track colour.
            assert_eq!(pixel(&rgb, DIAL_CX - DIAL_R, DIAL_CY), TRACK, "{v} left");
        }
    }

    #[test]
    fn fitting_helpers() {
        let mut buf = vec![0u8; (CARD_WIDTH * CARD_HEIGHT * 3) as usize];
        let area = BitMapBackend::with_buffer(&mut buf, (CARD_WIDTH, CARD_HEIGHT)).into_drawing_area();
        let p = Painter {
            area: &area,
            fonts: fonts().unwrap(),
        };
        let long = "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984aaaaaaaaaaaaaaaaaaaaaaaaaa";
        let mid = p.fit_middle(long, 36, Weight::Bold, 300.0);
        assert!(
            mid.starts_with("0x1f98") && mid.ends_with("aaa") && mid.contains('…'),
            "{mid}"
        );
        assert!(p.measure(&mid, 36, Weight::Bold) <= 300.0);
        let end = p.fit_end(
            "The quick brown fox jumps over the lazy dog",
            22,
            Weight::Regular,
            200.0,
        );
        assert!(
            end.ends_with('…') && p.measure(&end, 22, Weight::Regular) <= 200.0,
            "{end}"
        );
        assert!(end.starts_with("The quick"), "{end}");
        assert!(!end.ends_with(" …"), "{end}");
        let lines = p.wrap(&"lorem ipsum ".repeat(50), 22, Weight::Regular, LEFT_W, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'), "{lines:?}");
        assert!(lines.iter().all(|l| p.measure(l, 22, Weight::Regular) <= LEFT_W));
        let lines = p.wrap(&"x".repeat(500), 22, Weight::Regular, LEFT_W, 2);
        assert_eq!(lines.len(), 2);
        assert!(
            lines.iter().all(|l| p.measure(l, 22, Weight::Regular) <= LEFT_W),
            "{lines:?}"
        );
        assert_eq!(
            p.wrap("short", 22, Weight::Regular, LEFT_W, 2),
            vec!["short".to_string()]
        );
        assert!(p.wrap("", 22, Weight::Regular, LEFT_W, 2).is_empty());
        assert_eq!(p.printable("a 🚀 b\u{301}", Weight::Regular), "a b\u{301}");
    }

    #[test]
    fn targets_are_shown_without_scheme() {
        assert_eq!(display_target("https://github.com/acme/widget.git"), "acme/widget");
        assert_eq!(
            display_target("https://gitlab.com/acme/widget/"),
            "gitlab.com/acme/widget"
        );
        assert_eq!(display_target("acme/\u{202E}widget"), "acme/widget");
    }
}
