//! Name resolution without a thread per request.
//!
//! ureq's default resolver looks the host up on every request, even when a pooled connection
//! is then reused, and with a timeout configured it does so on a new thread each time: the
//! benchmark measured ~20 syscalls and two context switches per request for that alone. Here
//! an IP literal needs no lookup at all, and a name is resolved (by ureq's resolver, with its
//! timeout) once per minute and then served from a small cache. `localhost` is never looked
//! up: it is 127.0.0.1 and ::1, whatever a hosts file says.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// DNS answers are reused this long (Dinero's hosts do not move within a minute).
const TTL: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct CachingResolver {
    lookup: Box<dyn Resolver>,
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl Default for CachingResolver {
    fn default() -> Self {
        CachingResolver::with_lookup(Box::new(DefaultResolver::default()))
    }
}

impl CachingResolver {
    /// Over another way to look names up (the tests' stand-in for a hosts file).
    fn with_lookup(lookup: Box<dyn Resolver>) -> Self {
        CachingResolver {
            lookup,
            cache: Mutex::default(),
        }
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default();
        let port = uri.port_u16().or_else(|| match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>();
        if let (Ok(ip), Some(port)) = (literal, port) {
            let mut addresses = self.empty();
            addresses.push(std::net::SocketAddr::new(ip, port));
            return Ok(addresses);
        }
        // Plain http is allowed to "localhost" because it names this machine; a hosts file or a
        // resolver that says otherwise must not send the token elsewhere in clear text. So the
        // name is never looked up: it is the loopback addresses.
        if let (true, Some(port)) = (host.eq_ignore_ascii_case("localhost"), port) {
            let mut addresses = self.empty();
            addresses.push(std::net::SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
            addresses.push(std::net::SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port));
            return Ok(addresses);
        }
        let key = format!("{host}:{}", port.unwrap_or(0));
        // The cache is a plain map updated whole per entry: a poisoned lock is still consistent.
        if let Some((at, addresses)) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            if at.elapsed() < TTL {
                return Ok(addresses.clone());
            }
        }
        let addresses = self.lookup.resolve(uri, config, timeout)?;
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, (Instant::now(), addresses.clone()));
        Ok(addresses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::time;

    fn resolve(resolver: &CachingResolver, url: &str) -> Vec<std::net::SocketAddr> {
        let timeout = NextTimeout {
            after: time::Duration::NotHappening,
            reason: ureq::Timeout::Global,
            ..NextTimeout::default()
        };
        let config = Config::default();
        resolver
            .resolve(&url.parse().unwrap(), &config, timeout)
            .unwrap()
            .iter()
            .copied()
            .collect()
    }

    #[test]
    fn ip_literals_need_no_lookup_and_names_are_cached() {
        let resolver = hijacked();
        assert_eq!(
            resolve(&resolver, "http://127.0.0.1:8080/x"),
            vec!["127.0.0.1:8080".parse().unwrap()]
        );
        assert_eq!(
            resolve(&resolver, "https://[::1]/"),
            vec!["[::1]:443".parse().unwrap()]
        );
        assert!(
            resolver.cache.lock().unwrap().is_empty(),
            "literals are not cached"
        );
        let first = resolve(&resolver, "http://dinero-test.invalid:9/");
        assert_eq!(first, vec!["192.0.2.7:9".parse().unwrap()]);
        assert_eq!(resolver.cache.lock().unwrap().len(), 1);
        assert_eq!(resolve(&resolver, "http://dinero-test.invalid:9/"), first);
    }

    /// A lookup that answers every name with 192.0.2.7, as a hosts file pointing `localhost`
    /// (and everything else) at another machine would.
    #[derive(Debug)]
    struct HijackedHostsFile;

    impl Resolver for HijackedHostsFile {
        fn resolve(
            &self,
            uri: &Uri,
            _config: &Config,
            _timeout: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            let mut addresses = self.empty();
            let port = uri.port_u16().unwrap_or(80);
            addresses.push(std::net::SocketAddr::new([192, 0, 2, 7].into(), port));
            Ok(addresses)
        }
    }

    fn hijacked() -> CachingResolver {
        CachingResolver::with_lookup(Box::new(HijackedHostsFile))
    }

    #[test]
    fn localhost_is_loopback_whatever_the_hosts_file_says() {
        let resolver = hijacked();
        for url in [
            "http://localhost:8080/token",
            "http://LocalHost:8080/",
            "https://localhost:8080/",
        ] {
            let addresses = resolve(&resolver, url);
            assert_eq!(
                addresses,
                vec![
                    "127.0.0.1:8080".parse().unwrap(),
                    "[::1]:8080".parse().unwrap()
                ],
                "{url}"
            );
        }
        assert!(resolver.cache.lock().unwrap().is_empty(), "never looked up");
    }
}
