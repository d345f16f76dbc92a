//! Badge SVGs: well-formed, carry their text, sized from real metrics, hostile input inert.

use aura_render::{
    badge_svg, badge_text_width, invalid_badge, scanning_badge, score_badge, Verdict, VerdictStyle, BADGE_HEIGHT,
    BADGE_LABEL,
};
use roxmltree::Document;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

fn num(node: roxmltree::Node, attr: &str) -> f64 {
    node.attribute(attr)
        .unwrap_or("0")
        .parse()
        .unwrap_or_else(|_| panic!("{attr} not numeric"))
}

/// (text content, x centre, textLength) of the visible (non-shadow) texts, in pixels.
fn texts(doc: &Document) -> Vec<(String, f64, f64)> {
    doc.descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "text")) && n.attribute("aria-hidden").is_none())
        .map(|n| {
            (
                n.text().unwrap_or("").to_string(),
                num(n, "x") / 10.0,
                num(n, "textLength") / 10.0,
            )
        })
        .collect()
}

/// The coloured boxes inside the clip group: (x, width, fill).
fn boxes(doc: &Document) -> Vec<(f64, f64, String)> {
    let g = doc
        .descendants()
        .find(|n| n.has_tag_name((SVG_NS, "g")) && n.attribute("clip-path").is_some())
        .expect("clip group");
    g.children()
        .filter(|n| n.has_tag_name((SVG_NS, "rect")))
        .filter(|n| !n.attribute("fill").unwrap_or("").starts_with("url("))
        .map(|n| (num(n, "x"), num(n, "width"), n.attribute("fill").unwrap().to_string()))
        .collect()
}

/// Every text lies inside its box with at least the 5px padding, its box is as wide as the
/// real metrics say, and the badge is as wide as its boxes.
fn assert_fits(svg: &str) {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {svg}"));
    let root = doc.root_element();
    assert!(root.has_tag_name((SVG_NS, "svg")));
    assert_eq!(num(root, "height"), BADGE_HEIGHT as f64);
    let texts = texts(&doc);
    let boxes = boxes(&doc);
    assert_eq!(texts.len(), boxes.len(), "one text per box: {svg}");
    let mut right = 0.0f64;
    for ((text, cx, len), (bx, bw, _)) in texts.iter().zip(&boxes) {
        // textLength (what the viewer fits the text to) covers the real advance widths...
        assert!(
            *len >= badge_text_width(text) - 1e-9,
            "{text:?}: textLength {len} too short"
        );
        // ...and stays within the box, 5px clear of each edge.
        assert!(cx - len / 2.0 >= bx + 5.0 - 1e-9, "{text:?} clips left: {svg}");
        assert!(cx + len / 2.0 <= bx + bw - 5.0 + 1e-9, "{text:?} clips right: {svg}");
        assert!((bx - right).abs() < 1e-9, "boxes are contiguous");
        right = bx + bw;
    }
    assert!((num(root, "width") - right).abs() < 1e-9, "badge width = sum of boxes");
    // The shadow copies say the same as the visible texts.
    let shadows: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "text")) && n.attribute("aria-hidden") == Some("true"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    assert_eq!(shadows, texts.iter().map(|t| t.0.clone()).collect::<Vec<_>>());
}

fn width(svg: &str) -> f64 {
    num(Document::parse(svg).unwrap().root_element(), "width")
}

#[test]
fn score_badge_parses_and_carries_score_grade_verdict() {
    let svg = score_badge(72, "B", "DYOR");
    assert_fits(&svg);
    let doc = Document::parse(&svg).unwrap();
    let t = texts(&doc);
    assert_eq!(t[0].0, BADGE_LABEL);
    assert_eq!(t[1].0, "72 · B · DYOR");
    assert_eq!(boxes(&doc)[1].2, Verdict::Dyor.color());
    let title = doc.descendants().find(|n| n.has_tag_name((SVG_NS, "title"))).unwrap();
    assert_eq!(title.text(), Some("AuraSecurity: 72 · B · DYOR"));
    assert_eq!(
        doc.root_element().attribute("aria-label"),
        Some("AuraSecurity: 72 · B · DYOR")
    );
}

#[test]
fn verdict_colours() {
    for (v, c) in [
        ("SAFU", "#22c55e"),
        ("dyor", "#eab308"),
        ("Risky", "#f97316"),
        ("SCAM", "#ef4444"),
    ] {
        let svg = score_badge(50, "C", v);
        assert_fits(&svg);
        let doc = Document::parse(&svg).unwrap();
        assert_eq!(boxes(&doc)[1].2, c, "{v}");
        assert!(texts(&doc)[1].0.ends_with(&v.to_ascii_uppercase()));
    }
    // Unknown verdict: neutral grey, text still shown (escaped), score capped at 100.
    let svg = score_badge(250, "A", "<weird>");
    assert_fits(&svg);
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(texts(&doc)[1].0, "100 · A · <WEIRD>");
    assert_eq!(boxes(&doc)[1].2, "#9f9f9f");
}

#[test]
fn scanning_and_invalid_badges() {
    for (svg, value) in [(scanning_badge(), "scanning…"), (invalid_badge(), "invalid")] {
        assert_fits(&svg);
        let doc = Document::parse(&svg).unwrap();
        let t = texts(&doc);
        assert_eq!((t[0].0.as_str(), t[1].0.as_str()), (BADGE_LABEL, value));
    }
}

#[test]
fn width_grows_with_text_and_never_clips() {
    let mut last = 0.0;
    let mut value = String::new();
    for c in "72 · B · DYOR and then some WWWWW".chars() {
        value.push(c);
        let svg = badge_svg("AuraSecurity", &value, "#22c55e");
        assert_fits(&svg);
        let w = width(&svg);
        assert!(w >= last, "width shrank at {value:?}");
        if c != ' ' {
            assert!(w > last, "width did not grow at {value:?}");
        }
        last = w;
    }
    // Wide, narrow, non-Latin, emoji, combining marks: all fit.
    for v in [
        "WWWWWWWWWW",
        "iiiiiiiiii",
        "MMMM",
        "漢字テスト",
        "🚀🔥",
        "e\u{301}",
        "Ünïcödé",
        "…",
        "",
    ] {
        assert_fits(&badge_svg("label", v, "#000"));
        assert_fits(&badge_svg(v, "value", "blue"));
    }
    // W is wider than i in the real font; widths are not a per-character constant.
    assert!(width(&badge_svg("x", "WWWWWWWWWW", "red")) > width(&badge_svg("x", "iiiiiiiiii", "red")) + 60.0);
}

#[test]
fn empty_label_gives_one_box() {
    let svg = badge_svg("", "only value", "green");
    assert_fits(&svg);
    assert_eq!(boxes(&Document::parse(&svg).unwrap()).len(), 1);
}

#[test]
fn long_text_is_capped() {
    let long = "a".repeat(10_000);
    let svg = badge_svg(&long, &long, "red");
    assert_fits(&svg);
    assert!(svg.len() < 2_000, "capped, not 20k characters: {}", svg.len());
    let doc = Document::parse(&svg).unwrap();
    assert!(texts(&doc).iter().all(|t| t.0.ends_with('…')));
}

fn assert_inert(svg: &str) {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed ({e}): {svg}"));
    for n in doc.descendants() {
        assert!(
            !n.has_tag_name("script") && n.tag_name().name() != "script",
            "script element: {svg}"
        );
        for a in n.attributes() {
            let name = a.name().to_ascii_lowercase();
            assert!(!name.starts_with("on"), "event handler attribute {name}: {svg}");
        }
        if n.has_tag_name((SVG_NS, "rect")) {
            let fill = n.attribute("fill").unwrap_or("");
            assert!(fill.starts_with('#') || fill == "url(#s)", "fill {fill:?}");
        }
    }
    // Only the elements of the template exist.
    for n in doc.descendants().filter(|n| n.is_element()) {
        assert!(
            [
                "svg",
                "title",
                "linearGradient",
                "stop",
                "clipPath",
                "rect",
                "g",
                "text"
            ]
            .contains(&n.tag_name().name()),
            "unexpected element {:?}",
            n.tag_name()
        );
    }
}

#[test]
fn hostile_text_is_escaped() {
    let script = "<script>alert(1)</script>";
    let onerror = "\" onerror=\"x";
    let svg = badge_svg(script, onerror, "red\" onload=\"alert(1)");
    assert_inert(&svg);
    assert_fits(&svg);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("\" onerror"), "{svg}");
    // The text survives escaping intact: shown, never interpreted.
    let doc = Document::parse(&svg).unwrap();
    let t = texts(&doc);
    assert_eq!(t[0].0, script);
    assert_eq!(t[1].0, onerror);
    assert_eq!(boxes(&doc)[1].2, "#9f9f9f", "bad colour replaced by grey");
    let label = doc.root_element().attribute("aria-label").unwrap();
    assert_eq!(label, format!("{script}: {onerror}"));

    for (l, v) in [
        ("a' onmouseover='x", "<img src=x onerror=alert(1)>"),
        ("]]><script>x</script>", "<!-- -->&amp;&lt;"),
        ("<svg onload=alert(1)>", "<?xml-stylesheet href=\"x\"?>"),
        ("\u{0}\u{1b}[31m\u{7}", "\u{202E}\u{FEFF}\u{FFFF}x"),
    ] {
        let svg = badge_svg(l, v, "#fff");
        assert_inert(&svg);
        assert_fits(&svg);
    }
    assert_inert(&score_badge(1, "<b>", "\" onerror=\"x"));
}
