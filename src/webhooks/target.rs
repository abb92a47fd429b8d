//! Where a webhook may point: an http(s) URL whose host is not on
//! loopback, link-local or a private range (unless
//! `NEWSDESK_WEBHOOK_ALLOW_PRIVATE=true`), so that a webhook cannot be
//! used to reach the server's own network. IP literals are checked when
//! the webhook is saved and again before each attempt; host names are
//! checked after DNS, at connection time, by `PublicResolver`, so that the
//! address checked is the address connected to (no DNS rebinding).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;

/// Longest URL accepted.
pub const URL_MAX: usize = 2_000;

/// Parses and checks a target URL; the error says why it is refused.
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, String> {
    if raw.len() > URL_MAX {
        return Err(format!("must be at most {URL_MAX} bytes"));
    }
    if raw.trim() != raw || raw.chars().any(char::is_control) {
        return Err("must not contain white space or control characters".to_owned());
    }
    let url = Url::parse(raw).map_err(|err| format!("is not a URL: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".to_owned());
    }
    let Some(host) = url.host() else {
        return Err("must name a host".to_owned());
    };
    if allow_private {
        return Ok(url);
    }
    let refused = |what: &str| {
        Err(format!(
            "points at {what}, which webhooks may not reach (set \
             NEWSDESK_WEBHOOK_ALLOW_PRIVATE=true to allow it, e.g. in development)"
        ))
    };
    match host {
        url::Host::Ipv4(ip) if is_private(IpAddr::V4(ip)) => refused(&format!("{ip}")),
        url::Host::Ipv6(ip) if is_private(IpAddr::V6(ip)) => refused(&format!("[{ip}]")),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                refused(&name)
            } else {
                Ok(url)
            }
        }
        _ => Ok(url),
    }
}

/// Loopback, unspecified, link-local, private, shared (CGNAT), multicast,
/// broadcast and reserved addresses, in IPv4, IPv6 and the IPv6 forms of
/// IPv4 addresses (`::ffff:10.0.0.1`, `::10.0.0.1`, `64:ff9b::10.0.0.1`).
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_private_v4(ip),
        IpAddr::V6(ip) => is_private_v6(ip),
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10: shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24: IETF protocol assignments.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // 198.18.0.0/15: benchmarking.
        || (a == 198 && (b == 18 || b == 19))
        // 240.0.0.0/4: reserved.
        || a >= 240
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_private_v4(v4);
    }
    let segments = ip.segments();
    // ::a.b.c.d (IPv4-compatible, deprecated) and 64:ff9b::a.b.c.d (NAT64).
    let embedded = Ipv4Addr::new(
        (segments[6] >> 8) as u8,
        segments[6] as u8,
        (segments[7] >> 8) as u8,
        segments[7] as u8,
    );
    if segments[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        return is_private_v4(embedded);
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_private_v4(embedded);
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fe80::/10: link-local.
        || (segments[0] & 0xffc0) == 0xfe80
        // fc00::/7: unique local.
        || (segments[0] & 0xfe00) == 0xfc00
        // fec0::/10: site-local (deprecated).
        || (segments[0] & 0xffc0) == 0xfec0
        // 2001:db8::/32: documentation.
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
}

/// Resolves host names for the delivery client, keeping only the
/// addresses a webhook may reach; a name that resolves to none of them is
/// an error, so the request is never sent.
#[derive(Debug, Clone, Copy)]
pub struct PublicResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|address| allow_private || !is_private(address.ip()))
                .collect();
            if allowed.is_empty() {
                let message = if found.is_empty() {
                    format!("{host} resolves to no address")
                } else {
                    format!(
                        "{host} resolves only to private addresses ({}), which webhooks may not reach",
                        found
                            .iter()
                            .map(|address| address.ip().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                return Err(message.into());
            }
            let addresses: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> bool {
        check_url(url, false).is_err()
    }

    #[test]
    fn private_targets_are_refused_in_every_form() {
        for url in [
            "http://127.0.0.1/hook",
            "http://127.1.2.3:8080/",
            "http://10.0.0.5/",
            "http://172.16.0.1/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[::]/",
            "http://[fe80::1]/",
            "http://[fc00::1]/",
            "http://[fd12:3456::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[64:ff9b::7f00:1]/",
            "http://localhost/",
            "http://api.localhost:3000/",
            "http://LOCALHOST./",
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            assert!(refused(url), "{url} was allowed");
        }
    }

    #[test]
    fn public_targets_and_allowed_private_ones_pass() {
        for url in [
            "https://hooks.example.com/newsdesk",
            "http://93.184.216.34/",
            "http://172.32.0.1/",
            "https://[2606:4700::1111]/",
            "http://[::ffff:93.184.216.34]/",
        ] {
            assert!(!refused(url), "{url} was refused");
        }
        assert!(check_url("http://127.0.0.1:9/", true).is_ok());
    }

    #[test]
    fn only_http_urls_with_hosts_pass() {
        for url in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "not a url",
            "example.com/x",
            " http://example.com/",
        ] {
            assert!(refused(url), "{url} was allowed");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_private_addresses_after_dns() {
        use reqwest::dns::Resolve;
        let name =
            || -> reqwest::dns::Name { "localhost".parse().unwrap_or_else(|_| unreachable!()) };
        let refused = PublicResolver {
            allow_private: false,
        }
        .resolve(name())
        .await;
        let message = refused.err().map(|err| err.to_string()).unwrap_or_default();
        assert!(message.contains("private addresses"), "{message}");
        let allowed = PublicResolver {
            allow_private: true,
        }
        .resolve(name())
        .await;
        assert!(allowed.is_ok_and(|mut addresses| addresses.next().is_some()));
    }
}
