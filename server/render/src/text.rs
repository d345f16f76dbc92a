//! Sanitising untrusted text before it is laid out, and XML escaping.

/// Characters that are never rendered: controls (C0, DEL, C1), bidi embeddings/overrides and
/// isolates (which could visually reorder a target name), zero-width characters, the BOM, and
/// the noncharacters U+FFFE/U+FFFF (not allowed in XML).
pub(crate) fn is_stripped(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{FFFE}'
            | '\u{FFFF}')
}

/// Strips [`is_stripped`] characters (whitespace controls become spaces), collapses runs of
/// whitespace into one space, trims, and caps the result at `max_chars` characters, the last
/// of which is then `…`.
pub(crate) fn clean(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars * 4));
    let mut count = 0usize;
    let mut pending_space = false;
    for c in s.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c != ' ' && is_stripped(c) {
            continue;
        }
        if c == ' ' {
            pending_space = count > 0;
            continue;
        }
        if pending_space {
            if count + 1 >= max_chars {
                return ellipsize(out, max_chars);
            }
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        if count >= max_chars {
            return ellipsize(out, max_chars);
        }
        out.push(c);
        count += 1;
    }
    out
}

/// `s` already holds `max_chars` characters (or one fewer) and more were coming: replace the
/// tail so that the result, ending in `…`, has at most `max_chars` characters.
fn ellipsize(mut s: String, max_chars: usize) -> String {
    if max_chars == 0 {
        return String::new();
    }
    while s.chars().count() > max_chars - 1 {
        s.pop();
    }
    let trimmed = s.trim_end().len();
    s.truncate(trimmed);
    s.push('…');
    s
}

/// Escapes `& < > " '` for use in XML text and attribute values.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_controls_and_bidi_and_collapses_space() {
        assert_eq!(clean("  a\u{0}b\n\n c\u{202E}d\u{200B}  ", 100), "ab cd");
        assert_eq!(clean("\u{7}\u{1b}[31m", 100), "[31m");
        assert_eq!(clean("", 10), "");
    }

    #[test]
    fn clean_caps_with_ellipsis() {
        assert_eq!(clean("abcdef", 6), "abcdef");
        assert_eq!(clean("abcdefg", 6), "abcde…");
        assert_eq!(clean("abcd efgh", 6), "abcd…");
        assert_eq!(clean("ééééééééé", 4).chars().count(), 4);
    }

    #[test]
    fn escape_all_five() {
        assert_eq!(
            xml_escape(r#"<a href="x" b='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; b=&apos;y&apos;&gt;&amp;&lt;/a&gt;"
        );
    }
}
