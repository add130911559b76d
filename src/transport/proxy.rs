//! The proxy named by the environment, picked with two rules that ureq's `Proxy::try_from_env`
//! lacks (it takes the first of ALL_PROXY, HTTPS_PROXY and HTTP_PROXY, in either case, for
//! every request):
//!
//! - Under CGI, request headers become environment variables, and a client's `Proxy:` header
//!   becomes HTTP_PROXY ("httpoxy"): whoever sends the request would pick our proxy. So when
//!   REQUEST_METHOD is set (we run inside a CGI request), HTTP_PROXY is ignored, as Go's
//!   net/http does (curl never reads the upper-case name at all). The lower-case http_proxy,
//!   HTTPS_PROXY and ALL_PROXY cannot come from a header.
//! - This machine is never reached through a proxy: plain http (allowed only to loopback) would
//!   cross the proxy's tunnel in clear text, credentials and token included.
//!
//! ureq sends every request through an http or https proxy as a CONNECT tunnel, so for an
//! https URL the proxy sees the host name and port, never the request: TLS runs end to end.
//! NO_PROXY (or no_proxy) is honoured as ureq reads it.

use crate::config::{is_loopback_host, Config};
use ureq::http::Uri;
use ureq::{Proxy, ProxyProtocol};

/// Read in this order; the first one set (and usable) wins, as in ureq.
const PROXY_VARIABLES: [&str; 6] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// Hosts that are this machine, whatever NO_PROXY says.
const LOOPBACK: [&str; 4] = ["localhost", "127.", "[::1]", "::1"];

/// The proxy for a client with this configuration, from the process environment.
pub fn from_environment(config: &Config) -> Option<Proxy> {
    from_variables(
        &|name| std::env::var(name).ok().filter(|v| !v.is_empty()),
        config,
    )
}

fn from_variables(var: &dyn Fn(&str) -> Option<String>, config: &Config) -> Option<Proxy> {
    let urls = [&config.auth_url, &config.api_url, &config.connect_url];
    let loopback: Vec<String> = urls.iter().filter_map(|url| loopback_host(url)).collect();
    if loopback.len() == urls.len() {
        return None;
    }
    let inside_cgi = var("REQUEST_METHOD").is_some();
    let mut builder = PROXY_VARIABLES
        .iter()
        .filter(|name| !(inside_cgi && **name == "HTTP_PROXY"))
        .filter_map(|name| var(name))
        .find_map(|value| builder_for(&value))?;
    let no_proxy = var("NO_PROXY")
        .or_else(|| var("no_proxy"))
        .unwrap_or_default();
    for entry in no_proxy.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        builder = builder.no_proxy(entry);
    }
    // ureq compares hosts as written: `[0:0:0:0:0:0:0:1]` is `[::1]` to the network, not to
    // NO_PROXY, so each loopback host is exempted as the configuration spells it too.
    for entry in LOOPBACK
        .iter()
        .copied()
        .chain(loopback.iter().map(String::as_str))
    {
        builder = builder.no_proxy(entry);
    }
    builder.build().ok()
}

/// The host of `url` as written, when it is this machine.
fn loopback_host(url: &str) -> Option<String> {
    let uri = url.parse::<Uri>().ok()?;
    uri.host()
        .filter(|host| is_loopback_host(host))
        .map(str::to_owned)
}

/// `[http|https://][user[:password]@]host[:port]`; None for anything else (a SOCKS proxy,
/// which this build of ureq cannot use, or a value that is not a proxy URL).
fn builder_for(value: &str) -> Option<ureq::ProxyBuilder> {
    let with_scheme = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let uri: Uri = with_scheme.parse().ok()?;
    let protocol = match uri.scheme_str()?.to_ascii_lowercase().as_str() {
        "http" => ProxyProtocol::Http,
        "https" => ProxyProtocol::Https,
        _ => return None,
    };
    let authority = uri.authority()?;
    let mut builder = Proxy::builder(protocol).host(authority.host());
    if let Some(port) = authority.port_u16() {
        builder = builder.port(port);
    }
    if let Some((userinfo, _)) = authority.as_str().rsplit_once('@') {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        };
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (userinfo, None),
        };
        builder = builder.username(&decode(user)?);
        if let Some(password) = password {
            builder = builder.password(&decode(password)?);
        }
    }
    Some(builder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn remote() -> Config {
        Config::default()
    }

    fn proxy(vars: &[(&str, &str)], config: &Config) -> Option<Proxy> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_variables(&|name| vars.get(name).cloned(), config)
    }

    #[test]
    fn http_proxy_is_ignored_inside_a_cgi_request() {
        let header_set = [
            ("HTTP_PROXY", "http://attacker.example:8080"),
            ("REQUEST_METHOD", "GET"),
        ];
        assert!(proxy(&header_set, &remote()).is_none());
        let chosen = proxy(&[("HTTP_PROXY", "http://proxy.corp:3128")], &remote()).unwrap();
        assert_eq!((chosen.host(), chosen.port()), ("proxy.corp", 3128));
        for name in ["HTTPS_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"] {
            let set_by_the_admin = [(name, "proxy.corp:3128"), ("REQUEST_METHOD", "POST")];
            assert!(proxy(&set_by_the_admin, &remote()).is_some(), "{name}");
        }
    }

    #[test]
    fn proxy_urls_are_read_like_ureq_reads_them() {
        let p = proxy(
            &[("https_proxy", "https://u%40x:p%3Aw@proxy.corp")],
            &remote(),
        )
        .unwrap();
        assert_eq!(p.protocol(), ProxyProtocol::Https);
        assert_eq!((p.host(), p.port()), ("proxy.corp", 443));
        assert_eq!((p.username(), p.password()), (Some("u@x"), Some("p:w")));
        assert!(proxy(&[("ALL_PROXY", "socks5://proxy.corp")], &remote()).is_none());
        let first_usable = [
            ("ALL_PROXY", "socks5://proxy.corp"),
            ("HTTPS_PROXY", "second:8080"),
        ];
        assert_eq!(proxy(&first_usable, &remote()).unwrap().host(), "second");
    }

    #[test]
    fn this_machine_is_never_reached_through_the_proxy() {
        let mut config = remote();
        config.auth_url = "http://127.0.0.1:9/token".into();
        let vars = [
            ("HTTPS_PROXY", "proxy.corp:3128"),
            ("NO_PROXY", ".internal"),
        ];
        let p = proxy(&vars, &config).unwrap();
        for local in [
            "http://127.0.0.1:9/token",
            "http://127.3.2.1/",
            "http://localhost:9/",
            "http://[::1]:9/",
        ] {
            assert!(p.is_no_proxy(&local.parse().unwrap()), "{local}");
        }
        assert!(p.is_no_proxy(&"https://a.internal/".parse().unwrap()));
        assert!(!p.is_no_proxy(&"https://api.dinero.dk/".parse().unwrap()));
        config.api_url = "http://localhost:9".into();
        assert!(
            proxy(&vars, &config).is_some(),
            "Visma Connect is still remote"
        );
        config.connect_url = "http://localhost:9".into();
        assert!(proxy(&vars, &config).is_none(), "all local: no proxy");
    }

    #[test]
    fn loopback_spelled_out_is_never_reached_through_the_proxy_either() {
        // ::1 written in full is this machine to plain http's rule, so to the proxy's too.
        let mut config = remote();
        config.auth_url = "http://[0:0:0:0:0:0:0:1]:9/token".into();
        config.connect_url = "http://[0::1]:9".into();
        let p = proxy(&[("HTTPS_PROXY", "proxy.corp:3128")], &config).unwrap();
        for local in [
            "http://[0:0:0:0:0:0:0:1]:9/token",
            "http://[0::1]:9/connect/token",
        ] {
            assert!(p.is_no_proxy(&local.parse().unwrap()), "{local}");
        }
        assert!(!p.is_no_proxy(&"https://api.dinero.dk/".parse().unwrap()));
    }
}
