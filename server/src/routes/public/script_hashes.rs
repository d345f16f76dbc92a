//! The CSP `'sha256-…'` sources of a page's inline scripts, read from its rendered bytes. A
//! page served alike to everyone (a cached report) cannot carry a per-request nonce, so its
//! policy names exactly the scripts it contains: any other inline script stays blocked.
//!
//! The scan follows the HTML tokenizer closely enough for what Leptos writes: comments are
//! skipped, tags are read to their `>` with quoted attribute values skipped (an escaped
//! `&lt;script` in an attribute is no tag anyway), and a script's text runs to the first
//! `</script`, case-insensitively, as in the browser (Leptos escapes `<` inside the data it
//! serialises into scripts, so no data can end one early).

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// One `'sha256-…'` source per distinct inline script (a `<script>` without `src`), in page
/// order.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in inline_scripts(html) {
        let digest = Sha256::digest(text.as_bytes());
        let source = format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest));
        if !out.contains(&source) {
            out.push(source);
        }
    }
    out
}

/// The text of every `<script>` element without a `src` attribute.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        // `<` before anything but a letter, `/` or `!` is text, as in the browser.
        if !rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            rest = &rest[1..];
            continue;
        }
        let name_len = rest[1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'/' || *b == b'!' || *b == b'-')
            .count();
        let name = &rest[1..1 + name_len];
        let Some(end) = tag_end(&rest[1 + name_len..]) else {
            break;
        };
        let attrs = &rest[1 + name_len..1 + name_len + end];
        rest = &rest[1 + name_len + end + 1..];
        if !name.eq_ignore_ascii_case("script") {
            continue;
        }
        let close = find_ascii_ci(rest, "</script").unwrap_or(rest.len());
        if !has_attribute(attrs, "src") {
            scripts.push(&rest[..close]);
        }
        rest = &rest[close..];
    }
    scripts
}

/// The offset of the `>` closing a tag whose attributes start `s`, skipping quoted values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

/// Whether a tag's attribute text names `name` (case-insensitive), with or without a value.
fn has_attribute(attrs: &str, name: &str) -> bool {
    let bytes = attrs.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'/') {
            i += 1;
        }
        if attrs[start..i].eq_ignore_ascii_case(name) && i > start {
            return true;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                }
            }
        }
    }
    false
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(text: &str) -> String {
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
        )
    }

    #[test]
    fn finds_inline_scripts_only() {
        let html = r#"<!DOCTYPE html><html><head>
            <link rel="modulepreload" href="/pkg/a.js">
            <script type="module">import('/pkg/a.js')</script>
            <script src="/pkg/b.js"></script>
            <SCRIPT>one()</SCRIPT >
            <meta content="&lt;script&gt;x" name="description">
            <!-- <script>commented()</script> -->
            <scripts>not a script</scripts>
            </head><body><p title="a > b <script>">text</p><script>__RESOLVED_RESOURCES=["\u003c/script>"];</script>
            <script>one()</script></body></html>"#;
        assert_eq!(
            inline_script_hashes(html),
            vec![
                hash("import('/pkg/a.js')"),
                hash("one()"),
                hash(r#"__RESOLVED_RESOURCES=["\u003c/script>"];"#),
            ]
        );
    }

    #[test]
    fn src_is_an_attribute_name_not_a_substring() {
        assert!(has_attribute(r#" type="module" src="/a.js""#, "src"));
        assert!(has_attribute(" SRC=/a.js", "src"));
        assert!(!has_attribute(r#" data-src="/a.js""#, "src"));
        assert!(!has_attribute(r#" title="src=/a.js""#, "src"));
        assert!(!has_attribute("", "src"));
    }

    #[test]
    fn an_unclosed_script_runs_to_the_end() {
        assert_eq!(inline_script_hashes("<p>x</p><script>tail()"), vec![hash("tail()")]);
        assert_eq!(inline_script_hashes("1 < 2 <script>x()</script>"), vec![hash("x()")]);
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
    }
}
