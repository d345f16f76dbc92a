//! The client's address when the instances sit behind a reverse proxy or load balancer.
//!
//! Per-address limits (uncached badge scans, embed scans, login and invitation attempts) and
//! the audit log need the client's address, not the proxy's: behind a proxy every visitor
//! would otherwise share one budget. `X-Forwarded-For` is believed only when the TCP peer is
//! one of `AURA_TRUSTED_PROXIES`; from anyone else it is ignored, since a client could write
//! it to escape a limit or to blame another address.

use std::net::IpAddr;

use ipnet::IpNet;

/// Addresses and networks whose `X-Forwarded-For` is believed (`AURA_TRUSTED_PROXIES`,
/// comma-separated, e.g. `10.0.0.0/8, 192.0.2.7`). Empty: trust nobody, use the TCP peer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map(canonical_net)
                    .map_err(|_| format!("`{s}` is not an IP address or a network like 10.0.0.0/8"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when the list holds a network as wide as the whole internet, i.e. everyone may
    /// choose their own address (worth a warning at start-up).
    pub fn trusts_everyone(&self) -> bool {
        self.0.iter().any(|n| n.prefix_len() == 0)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`. Walks the `X-Forwarded-For` entries (all header values, raw,
    /// in order) from the right, the one the nearest proxy appended, past trusted proxies: the
    /// first untrusted address is the client. Entries left of it were written by whoever
    /// sent the request and prove nothing. A malformed entry stops the walk at the last
    /// address a trusted proxy vouched for. Values are split into entries before decoding,
    /// so a non-UTF-8 byte the client wrote on the left cannot take the address our proxy
    /// appended on the same line with it.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a [u8]>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&[u8]> = forwarded_for
            .into_iter()
            .flat_map(|v| v.split(|b| *b == b','))
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, or an address with a port as some load balancers
/// write it (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &[u8]) -> Option<IpAddr> {
    let hop = std::str::from_utf8(hop).ok()?.trim();
    let ip = hop
        .parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))?;
    Some(ip.to_canonical())
}

/// `::ffff:10.0.0.0/104` written for an IPv4 network means that network: compare like with like,
/// as peers are canonicalised too.
fn canonical_net(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
            Some(v4) => IpNet::new(IpAddr::V4(v4), v6.prefix_len() - 96)
                .map(|n| n.trunc())
                .unwrap_or(net),
            None => net,
        },
        _ => net,
    }
}

/// The key a per-address limit counts under: the address itself for IPv4, the /64 for IPv6,
/// since one host usually holds a whole /64 and could otherwise rotate through it.
pub fn limit_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// `client` with header values written as text.
    fn client<const N: usize>(t: &TrustedProxies, peer: &str, values: [&str; N]) -> IpAddr {
        t.client(ip(peer), values.map(str::as_bytes))
    }

    #[test]
    fn parses_addresses_and_networks() {
        let t = TrustedProxies::parse(" 10.0.0.0/8, 192.0.2.7 ,::1,").unwrap();
        assert!(t.trusts(ip("10.1.2.3")) && t.trusts(ip("192.0.2.7")) && t.trusts(ip("::1")));
        assert!(!t.trusts(ip("192.0.2.8")) && !t.trusts(ip("11.0.0.1")));
        assert!(t.trusts(ip("::ffff:10.0.0.1")), "IPv4-mapped peers count as IPv4");
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
    }

    #[test]
    fn believes_forwarded_for_only_from_trusted_peers() {
        let t = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // Through our proxy: the address it appended.
        assert_eq!(client(&t, "10.0.0.2", ["203.0.113.9"]), ip("203.0.113.9"));
        // A client talking to us directly cannot choose its address.
        assert_eq!(client(&t, "198.51.100.1", ["203.0.113.9"]), ip("198.51.100.1"));
        // Nobody trusted: the header is ignored.
        assert_eq!(
            client(&TrustedProxies::default(), "10.0.0.2", ["203.0.113.9"]),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn a_spoofed_left_part_of_the_chain_is_ignored() {
        let t = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client wrote "1.2.3.4" itself; our proxy appended the real address.
        assert_eq!(client(&t, "10.0.0.2", ["1.2.3.4, 203.0.113.9"]), ip("203.0.113.9"));
        // Two proxies of ours (load balancer, then nginx), in two header lines.
        assert_eq!(
            client(&t, "10.0.0.2", ["1.2.3.4, 203.0.113.9", "10.0.0.5"]),
            ip("203.0.113.9")
        );
        // Garbage stops the walk at the last vouched-for address.
        assert_eq!(client(&t, "10.0.0.2", ["203.0.113.9, nonsense"]), ip("10.0.0.2"));
        // No header from a trusted proxy: the proxy itself.
        assert_eq!(client(&t, "10.0.0.2", []), ip("10.0.0.2"));
        // A byte that is not UTF-8 on the client's part of the line spoils only its entry.
        assert_eq!(
            t.client(ip("10.0.0.2"), [&b"\xff\xfe, 203.0.113.9"[..]]),
            ip("203.0.113.9")
        );
        // Only trusted hops: the farthest one.
        assert_eq!(client(&t, "10.0.0.2", ["10.0.0.9"]), ip("10.0.0.9"));
        // Ports, as some load balancers write them.
        assert_eq!(client(&t, "10.0.0.2", ["203.0.113.9:4711"]), ip("203.0.113.9"));
        assert_eq!(client(&t, "10.0.0.2", ["[2001:db8::7]:4711"]), ip("2001:db8::7"));
    }

    #[test]
    fn mapped_entries_and_wide_networks() {
        let t = TrustedProxies::parse("::ffff:10.0.0.0/104").unwrap();
        assert!(t.trusts(ip("10.9.9.9")), "an IPv4 network written IPv6-mapped");
        assert!(!t.trusts_everyone());
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().trusts_everyone());
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa::1")),
            limit_key(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(limit_key(ip("2001:db8:1:2::1")), limit_key(ip("2001:db8:1:3::1")));
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
    }
}
