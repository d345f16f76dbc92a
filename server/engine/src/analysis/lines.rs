//! Reading a file's text around an anchor hit, shared by every content rule: the hit's line
//! number, windows of lines around it, comment lines, and the byte tests the rules share.

pub fn line_of(data: &[u8], pos: usize) -> u32 {
    memchr::memchr_iter(b'\n', &data[..pos.min(data.len())]).count() as u32 + 1
}

/// A byte window around `pos`: from the start of its line to `after` bytes past the end of
/// its line (both capped), so verification never scans whole files.
pub fn window(data: &[u8], pos: usize, before: usize, after_lines: usize) -> (usize, &[u8]) {
    let lo_cap = pos.saturating_sub(before);
    let start = memchr::memrchr(b'\n', &data[lo_cap..pos])
        .map(|i| lo_cap + i + 1)
        .unwrap_or(lo_cap);
    let mut end = pos;
    for _ in 0..=after_lines {
        match memchr::memchr(b'\n', &data[end.min(data.len())..]) {
            Some(i) => end = end + i + 1,
            None => {
                end = data.len();
                break;
            }
        }
        if end - pos > 8192 {
            break;
        }
    }
    let end = end.min(data.len()).min(pos + 8192);
    (start, &data[start..end])
}

/// Byte range of the line holding `pos` (without its newline).
pub(crate) fn line_span(data: &[u8], pos: usize) -> (usize, usize) {
    let pos = pos.min(data.len());
    let s = memchr::memrchr(b'\n', &data[..pos]).map(|i| i + 1).unwrap_or(0);
    let e = memchr::memchr(b'\n', &data[pos..])
        .map(|i| pos + i)
        .unwrap_or(data.len());
    (s, e)
}

/// The lines from `before` lines above `pos` to `after` lines below it (at most ~4 KB
/// each way, so a minified line cannot make verification expensive).
pub(crate) fn around(data: &[u8], pos: usize, before: usize, after: usize) -> &[u8] {
    let (mut s, mut e) = line_span(data, pos);
    for _ in 0..before {
        if s == 0 || pos - s > 4096 {
            break;
        }
        s = line_span(data, s - 1).0;
    }
    for _ in 0..after {
        if e >= data.len() || e - pos > 4096 {
            break;
        }
        e = line_span(data, e + 1).1;
    }
    let s = s.max(pos.saturating_sub(4096));
    let e = e.min(pos + 4096).min(data.len());
    &data[s..e]
}

pub(super) fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.'
}

pub(super) fn comment_line(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    t.starts_with(b"//") || t.starts_with(b"#") || t.starts_with(b"*") || t.starts_with(b"/*") || t.starts_with(b"--")
}

pub(super) fn contains(hay: &[u8], needle: &str) -> bool {
    memchr::memmem::find(hay, needle.as_bytes()).is_some()
}

/// `contains`, ignoring ASCII case.
pub(super) fn contains_ci(hay: &[u8], needle: &str) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

pub(crate) fn is_comment(data: &[u8], pos: usize) -> bool {
    let (s, e) = line_span(data, pos);
    comment_line(&data[s..e])
}
