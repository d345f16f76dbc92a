//! Where code sends data: exfiltration endpoints written into the code (not documented in a
//! comment or shown as a placeholder) and URLs to a raw public IP address.

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::anchors::Sig;
use super::lines::{comment_line, contains, window};

static RAW_IP_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"https?://(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})").expect("ip regex"));

/// Is this address local for *detection*: loopback, RFC 1918 private, link-local, CGNAT
/// (100.64.0.0/10), `0.0.0.0/8` and broadcast. A local node at 127.0.0.1:8545 is normal; every
/// other address is somebody's server. Unlike `netguard::is_forbidden_ip` (which guards the
/// service's own fetches) the documentation ranges (TEST-NET 192.0.2.0/24, 198.51.100.0/24,
/// 203.0.113.0/24) count as public here: defanged malware samples and write-ups use them in
/// place of the real server, and no legitimate code talks to them.
pub(crate) fn local_ipv4(ip: std::net::Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
}

/// A raw-IP URL to a public address (a local node at 127.0.0.1:8545 is normal).
pub(super) fn raw_public_ip(data: &[u8], hits: &[(Sig, usize)]) -> Option<usize> {
    // `://1` anchors, and `http://` anchors (which hide a following `://1` from the
    // non-overlapping automaton).
    let candidates = hits
        .iter()
        .filter(|(s, p)| *s == Sig::RawIpUrl || (*s == Sig::NetworkUse && data[*p..].starts_with(b"http")));
    for &(_, pos) in candidates {
        let lo = pos.saturating_sub(5);
        let hi = (pos + 32).min(data.len());
        if let Some(c) = RAW_IP_URL.captures(&data[lo..hi]) {
            let oct: Vec<u8> = (1..=4)
                .filter_map(|i| std::str::from_utf8(c.get(i)?.as_bytes()).ok()?.parse().ok())
                .collect();
            if oct.len() == 4 {
                let ip = std::net::Ipv4Addr::new(oct[0], oct[1], oct[2], oct[3]);
                if !local_ipv4(ip) {
                    return Some(pos);
                }
            }
        }
    }
    None
}

/// An exfiltration endpoint written into the code, not one documented in a comment or shown
/// as a placeholder (`https://discord.com/api/webhooks/<id>/<token>`, `…/YOUR_WEBHOOK`): a bot
/// that reads its webhook from the environment and says so in a comment sends nothing
/// anywhere its owner did not choose.
pub(super) fn live_endpoint(data: &[u8], pos: usize) -> bool {
    let (start, line) = window(data, pos, 400, 0);
    if comment_line(line) || trailing_comment(&data[start..pos]) {
        return false;
    }
    let rest = &data[pos..(pos + 120).min(data.len())];
    let url_end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b')'))
        .unwrap_or(rest.len());
    let url = &rest[..url_end];
    !(contains(url, "<") || contains(url, "YOUR") || contains(url, "xxx"))
}

/// Does a `//` or ` #` comment start in this line prefix, outside quotes? (`https://` is
/// not one.)
fn trailing_comment(prefix: &[u8]) -> bool {
    let mut quote: Option<u8> = None;
    for (i, &b) in prefix.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
            None if b == b'/' && prefix.get(i + 1) == Some(&b'/') => {
                return i == 0 || prefix[i - 1] != b':';
            }
            None if b == b'#' && (i == 0 || prefix[i - 1].is_ascii_whitespace()) => return true,
            None => {}
        }
    }
    false
}
