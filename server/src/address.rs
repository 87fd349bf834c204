//! Who a request came from. The peer address, unless the peer is one of
//! `server.trusted_proxies`: then the address its header
//! (`server.client_ip_header`, `X-Forwarded-For` by default) names — the
//! right-most entry that is not itself a trusted proxy, since each proxy
//! appends the address it saw and only the ones we trust are honest about
//! it. A header from any other peer is ignored, so a client cannot choose
//! its own address. The rate limit, the login throttle and the audit trail
//! all read the address from here.

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;
use actix_web::http::header::{HeaderMap, HeaderName};
use ipnet::IpNet;

/// The proxies whose word on the client's address is taken.
#[derive(Debug, Clone)]
pub struct Proxies {
    nets: Vec<IpNet>,
    header: HeaderName,
}

/// For a request with no peer address (never over TCP).
const NOWHERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

impl Proxies {
    /// The proxies in `nets` (addresses or CIDR blocks), naming clients in
    /// `header`.
    ///
    /// # Errors
    /// An entry that is not an address or block, or a header name that is
    /// not one.
    pub fn new(nets: &[String], header: &str) -> anyhow::Result<Self> {
        let nets = nets
            .iter()
            .map(|n| {
                n.parse::<IpNet>()
                    .or_else(|_| n.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| anyhow::anyhow!("server.trusted_proxies: {n:?} is not an address or a CIDR block"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let header = HeaderName::try_from(header)
            .map_err(|_| anyhow::anyhow!("server.client_ip_header: {header:?} is not a header name"))?;
        Ok(Self { nets, header })
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client's address, from the peer `peer` and the request's headers.
    pub fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
        let Some(peer) = peer.map(|p| p.ip()) else { return NOWHERE };
        if !self.trusted(peer) {
            return peer;
        }
        let named: Vec<&str> =
            headers.get_all(&self.header).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
        // From the right: past our own proxies, to the first address they
        // were given; an entry that does not parse ends the trust there.
        let mut last = peer;
        for entry in named.iter().rev() {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else { break };
            if !self.trusted(ip) {
                return ip;
            }
            last = ip;
        }
        last
    }

    /// The address `req` came from.
    pub fn of(&self, req: &HttpRequest) -> IpAddr {
        self.client(req.peer_addr(), req.headers())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use actix_web::http::header::HeaderValue;

    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append(HeaderName::from_static("x-forwarded-for"), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 443))
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let p = Proxies::new(&["10.0.0.0/8".into(), "192.168.1.7".into()], "x-forwarded-for").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // A stranger's header is ignored.
        assert_eq!(p.client(peer("203.0.113.9"), &headers(&["1.2.3.4"])), ip("203.0.113.9"));
        // A trusted proxy's is read from the right, past other trusted proxies.
        assert_eq!(p.client(peer("10.1.2.3"), &headers(&["6.6.6.6, 198.51.100.4, 10.9.9.9"])), ip("198.51.100.4"));
        assert_eq!(p.client(peer("192.168.1.7"), &headers(&["6.6.6.6", "198.51.100.4"])), ip("198.51.100.4"));
        // Nothing usable: the proxy itself, or the left-most if all are proxies.
        assert_eq!(p.client(peer("10.1.2.3"), &headers(&[])), ip("10.1.2.3"));
        assert_eq!(p.client(peer("10.1.2.3"), &headers(&["10.3.3.3"])), ip("10.3.3.3"));
        assert_eq!(p.client(peer("10.1.2.3"), &headers(&["not an address"])), ip("10.1.2.3"));
        assert_eq!(p.client(peer("10.1.2.3"), &headers(&["junk, 198.51.100.4"])), ip("198.51.100.4"));
        assert_eq!(p.client(None, &headers(&[])), NOWHERE);
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(Proxies::new(&["10.0.0.0/33".into()], "x-forwarded-for").is_err());
        assert!(Proxies::new(&["proxy.local".into()], "x-forwarded-for").is_err());
        assert!(Proxies::new(&[], "not a header").is_err());
    }
}
