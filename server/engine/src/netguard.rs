//! Outbound address guard (SSRF protection), shared by the scan sources and the webhook
//! sender.
//!
//! The rule is "resolve, check every address, then connect only to those addresses": the
//! HTTP client uses [`GuardedResolver`] so the address checked is the address used (no DNS
//! rebinding window), and `git` is pinned to the checked address with
//! `http.curloptResolve`. IP literals never reach a resolver, so callers check them with
//! [`check_url_host`] before each request and on each redirect hop.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum NetGuardError {
    #[error("refusing to connect to {host}: it resolves to a non-public address ({ip})")]
    Forbidden { host: String, ip: IpAddr },
    #[error("could not resolve {host}: {message}")]
    Resolve { host: String, message: String },
    #[error("{host} resolves to no address")]
    NoAddresses { host: String },
    #[error("URL has no host")]
    NoHost,
}

fn v4_forbidden(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_unspecified()
        || o[0] == 0 // 0.0.0.0/8 "this network"
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (o[0] == 100 && (o[1] & 0xC0) == 64) // 100.64.0.0/10 CGNAT
        || ip.is_multicast()
        || ip.is_broadcast()
        || o[0] >= 240 // 240.0.0.0/4 reserved
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24 IETF protocol assignments
        || (o[0] == 192 && o[1] == 0 && o[2] == 2) // TEST-NET-1
        || (o[0] == 198 && o[1] == 51 && o[2] == 100) // TEST-NET-2
        || (o[0] == 203 && o[1] == 0 && o[2] == 113) // TEST-NET-3
        || (o[0] == 198 && (o[1] & 0xFE) == 18) // 198.18.0.0/15 benchmarking
        || (o[0] == 192 && o[1] == 88 && o[2] == 99) // 6to4 relay anycast
}

fn v6_forbidden(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // Addresses that embed an IPv4 address are judged by that address: IPv4-mapped
    // (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_forbidden(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if s[0..6] == [0, 0, 0, 0, 0, 0] && !ip.is_unspecified() && !ip.is_loopback() {
        return v4_forbidden(embedded(s[6], s[7]));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return v4_forbidden(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return v4_forbidden(embedded(s[1], s[2]));
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xFE00) == 0xFC00 // fc00::/7 unique local
        || (s[0] & 0xFFC0) == 0xFE80 // fe80::/10 link-local
        || (s[0] & 0xFFC0) == 0xFEC0 // fec0::/10 old site-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo: tunnels to arbitrary IPv4
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // 100::/64 discard
}

/// True for any address a server-side fetch must never reach: loopback, link-local
/// (169.254/16, fe80::/10), private, CGNAT, multicast, unspecified, broadcast,
/// documentation and reserved ranges, and IPv6 forms that embed one of those.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_forbidden(v4),
        IpAddr::V6(v6) => v6_forbidden(v6),
    }
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// Resolve `host` and return its addresses, refusing the whole host when any address is
/// forbidden (a name that mixes public and private answers is itself a rebinding smell).
pub async fn resolve_checked(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, NetGuardError> {
    let bare = strip_brackets(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        if !allow_private && is_forbidden_ip(ip) {
            return Err(NetGuardError::Forbidden {
                host: host.to_string(),
                ip,
            });
        }
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
        .await
        .map_err(|e| NetGuardError::Resolve {
            host: host.to_string(),
            message: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(NetGuardError::NoAddresses { host: host.to_string() });
    }
    if !allow_private {
        if let Some(bad) = addrs.iter().find(|a| is_forbidden_ip(a.ip())) {
            return Err(NetGuardError::Forbidden {
                host: host.to_string(),
                ip: bad.ip(),
            });
        }
    }
    Ok(addrs)
}

/// Check a URL's host when it is an IP literal (those bypass DNS resolution, so the
/// resolver hook never sees them). Names are checked at connect time by the resolver.
pub fn check_url_host(url: &url::Url, allow_private: bool) -> Result<(), NetGuardError> {
    match url.host() {
        None => Err(NetGuardError::NoHost),
        Some(url::Host::Ipv4(ip)) if !allow_private && is_forbidden_ip(IpAddr::V4(ip)) => {
            Err(NetGuardError::Forbidden {
                host: ip.to_string(),
                ip: IpAddr::V4(ip),
            })
        }
        Some(url::Host::Ipv6(ip)) if !allow_private && is_forbidden_ip(IpAddr::V6(ip)) => {
            Err(NetGuardError::Forbidden {
                host: ip.to_string(),
                ip: IpAddr::V6(ip),
            })
        }
        Some(_) => Ok(()),
    }
}

/// A `reqwest` DNS resolver that applies [`resolve_checked`] to every connection, including
/// every redirect hop, so a name cannot be rebound to an internal address between the check
/// and the connect.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = resolve_checked(&host, 0, allow).await?;
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

/// A redirect policy that re-applies the guard on each hop (IP literals, scheme) and caps
/// the number of hops. Names in redirect targets go through [`GuardedResolver`].
pub fn guarded_redirect_policy(allow_private: bool, max_hops: usize) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= max_hops {
            return attempt.error("too many redirects");
        }
        let url = attempt.url();
        let scheme_ok = url.scheme() == "https" || (allow_private && url.scheme() == "http");
        if !scheme_ok {
            return attempt.error("redirect to a non-https URL refused");
        }
        if let Err(e) = check_url_host(url, allow_private) {
            return attempt.error(e.to_string());
        }
        attempt.follow()
    })
}

/// A `reqwest` client with the guard wired in (resolver + redirect policy).
pub fn guarded_client(
    allow_private: bool,
    timeout: std::time::Duration,
    user_agent: &str,
) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .redirect(guarded_redirect_policy(allow_private, 5))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(timeout)
        .user_agent(user_agent)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forbidden_ranges() {
        for s in [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "239.1.1.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.5",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "192.0.0.8",
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
            "fec0::1",
        ] {
            assert!(is_forbidden_ip(ip(s)), "{s} must be forbidden");
        }
    }

    #[test]
    fn public_ranges() {
        for s in [
            "140.82.112.3",
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "172.15.255.255",
            "100.128.0.1",
            "100.63.255.255",
            "169.253.1.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert!(!is_forbidden_ip(ip(s)), "{s} must be allowed");
        }
    }

    #[tokio::test]
    async fn resolve_refuses_loopback_names() {
        let e = resolve_checked("localhost", 80, false).await.unwrap_err();
        assert!(matches!(e, NetGuardError::Forbidden { .. }), "{e}");
        let e = resolve_checked("[::1]", 80, false).await.unwrap_err();
        assert!(matches!(e, NetGuardError::Forbidden { .. }));
        let ok = resolve_checked("127.0.0.1", 8080, true).await.unwrap();
        assert_eq!(ok, vec!["127.0.0.1:8080".parse().unwrap()]);
    }

    #[test]
    fn url_literals() {
        let u = url::Url::parse("http://169.254.169.254/latest").unwrap();
        assert!(check_url_host(&u, false).is_err());
        assert!(check_url_host(&u, true).is_ok());
        let u = url::Url::parse("http://[::ffff:127.0.0.1]/").unwrap();
        assert!(check_url_host(&u, false).is_err());
        let u = url::Url::parse("https://api.github.com/").unwrap();
        assert!(check_url_host(&u, false).is_ok());
    }
}
