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
                    .map_err(|_| format!("`{s}` is not an IP address or a network like 10.0.0.0/8"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`. Walks the `X-Forwarded-For` entries (all header values, in
    /// order) from the right, the one the nearest proxy appended, past trusted proxies: the
    /// first untrusted address is the client. Entries left of it were written by whoever
    /// sent the request and prove nothing. A malformed entry stops the walk at the last
    /// address a trusted proxy vouched for.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.into_iter().flat_map(|v| v.split(',')).map(str::trim).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
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
        assert_eq!(t.client(ip("10.0.0.2"), ["203.0.113.9"]), ip("203.0.113.9"));
        // A client talking to us directly cannot choose its address.
        assert_eq!(t.client(ip("198.51.100.1"), ["203.0.113.9"]), ip("198.51.100.1"));
        // Nobody trusted: the header is ignored.
        assert_eq!(TrustedProxies::default().client(ip("10.0.0.2"), ["203.0.113.9"]), ip("10.0.0.2"));
    }

    #[test]
    fn a_spoofed_left_part_of_the_chain_is_ignored() {
        let t = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client wrote "1.2.3.4" itself; our proxy appended the real address.
        assert_eq!(t.client(ip("10.0.0.2"), ["1.2.3.4, 203.0.113.9"]), ip("203.0.113.9"));
        // Two proxies of ours (load balancer, then nginx), in two header lines.
        assert_eq!(t.client(ip("10.0.0.2"), ["1.2.3.4, 203.0.113.9", "10.0.0.5"]), ip("203.0.113.9"));
        // Garbage stops the walk at the last vouched-for address.
        assert_eq!(t.client(ip("10.0.0.2"), ["203.0.113.9, nonsense"]), ip("10.0.0.2"));
        // No header from a trusted proxy: the proxy itself.
        assert_eq!(t.client(ip("10.0.0.2"), []), ip("10.0.0.2"));
        // Only trusted hops: the farthest one.
        assert_eq!(t.client(ip("10.0.0.2"), ["10.0.0.9"]), ip("10.0.0.9"));
    }
}
