//! Badge SVG and social-card PNG rendering for AuraSecurity's public surfaces.
//!
//! * [`badge_svg`], [`score_badge`], [`scanning_badge`], [`invalid_badge`]: shields.io "flat"
//!   badges for `GET /v1/badge/{owner}/{repo}.svg`. Every piece of text is XML-escaped, and
//!   box widths come from the real advance widths of DejaVu Sans (the font shipped in
//!   `fonts/`, the metric twin of the Verdana that shields names first); each `<text>` also
//!   carries `textLength`, so a viewer substituting another font still cannot overflow.
//! * [`card_png`]: the 1200×630 `og:image` card of a scan, drawn with `plotters` on its bitmap
//!   backend with the embedded TTF fonts, so the output does not depend on the machine.
//!   [`CardCache`] keeps rendered cards keyed by [`card_key`] ("cached after first render").
//!
//! Hostile repository data (descriptions or flag titles holding markup) is inert on both
//! surfaces: on the SVG it is escaped; on the PNG it is only ever pixels, and control and
//! bidi-override characters are stripped and lengths capped before layout.

mod badge;
mod cache;
mod card;
mod text;
mod widths;

pub use badge::{
    badge_svg, badge_text_width, invalid_badge, scanning_badge, score_badge, BADGE_HEIGHT,
    BADGE_LABEL,
};
pub use cache::{card_key, CardCache};
pub use card::{card_png, CARD_HEIGHT, CARD_WIDTH};

use std::fmt;
use std::str::FromStr;

/// Version of the rendering. Part of [`card_key`], so a layout change invalidates caches.
pub const RENDER_VERSION: u32 = 1;

/// Verdict of a completed scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Safu,
    Dyor,
    Risky,
    Scam,
}

impl Verdict {
    /// Parses `SAFU|DYOR|RISKY|SCAM`, case-insensitively, surrounding whitespace ignored.
    pub fn parse(s: &str) -> Option<Verdict> {
        let s = s.trim();
        [Verdict::Safu, Verdict::Dyor, Verdict::Risky, Verdict::Scam]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }

    /// `"SAFU"`, `"DYOR"`, `"RISKY"` or `"SCAM"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Safu => "SAFU",
            Verdict::Dyor => "DYOR",
            Verdict::Risky => "RISKY",
            Verdict::Scam => "SCAM",
        }
    }

    /// Colour of the verdict as `#rrggbb` (green, yellow, orange, red).
    pub fn color(self) -> &'static str {
        match self {
            Verdict::Safu => "#22c55e",
            Verdict::Dyor => "#eab308",
            Verdict::Risky => "#f97316",
            Verdict::Scam => "#ef4444",
        }
    }

    /// One-line meaning shown next to the verdict on the card.
    pub fn meaning(self) -> &'static str {
        match self {
            Verdict::Safu => "No significant risks found",
            Verdict::Dyor => "Do your own research",
            Verdict::Risky => "Significant risks found",
            Verdict::Scam => "Strong signs of a scam",
        }
    }

    fn rgb(self) -> (u8, u8, u8) {
        match self {
            Verdict::Safu => (0x22, 0xc5, 0x5e),
            Verdict::Dyor => (0xea, 0xb3, 0x08),
            Verdict::Risky => (0xf9, 0x73, 0x16),
            Verdict::Scam => (0xef, 0x44, 0x44),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Verdict {
    type Err = RenderError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Verdict::parse(s).ok_or(RenderError::UnknownVerdict)
    }
}

/// What a card shows. Strings are untrusted: they are sanitised and capped before layout.
#[derive(Debug, Clone, Copy)]
pub struct CardData<'a> {
    /// `owner/repo`, a URL or a token address.
    pub target: &'a str,
    pub score: Option<u8>,
    pub grade: Option<&'a str>,
    /// `SAFU|DYOR|RISKY|SCAM` (case-insensitive); anything else is shown neutral.
    pub verdict: Option<&'a str>,
    pub summary: &'a str,
    /// `(severity, title)`, most important first; the first three are shown.
    pub flags: &'a [(&'a str, &'a str)],
    /// `completed|running|queued|failed`.
    pub status: &'a str,
}

/// Why a render failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("PNG encoding failed: {0}")]
    Encode(String),
    #[error("embedded font could not be loaded")]
    Font,
    #[error("unknown verdict")]
    UnknownVerdict,
}
