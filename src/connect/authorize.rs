//! The authorize URL, and the state and PKCE verifier that must come back with the user.
//!
//! Both are made from the operating system's random source: `state` binds the browser's answer
//! to this request (a forged or replayed redirect fails), and the verifier proves at the code
//! exchange that whoever holds the code also started the flow (RFC 7636, method S256).

use crate::config::{is_loopback_host, Config};
use crate::error::{Error, Result};
use crate::secret::Secret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use ureq::http::Uri;

/// One authorization under way: what the caller keeps (in the user's session, say) between
/// sending the browser to `url` and the browser coming back.
#[derive(Clone)]
pub struct Authorization {
    pub url: String,
    pub state: Secret,
    pub code_verifier: Secret,
    pub redirect_uri: String,
}

/// Shows where the browser is sent and comes back, not the state the URL carries (whoever
/// holds it can pass a forged answer off as this sign-in's) nor the verifier.
impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let authorize = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("Authorization")
            .field("url", &format_args!("{authorize}?[redacted]"))
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl Authorization {
    /// A fresh authorization for `client_id` (Visma's `isv_...`), coming back to
    /// `redirect_uri`. Reads `connect_url`, `scope` and `ui_locales` from `config`.
    pub fn new(client_id: &str, redirect_uri: &str, config: &Config) -> Result<Self> {
        check_text("client id", client_id)?;
        check_redirect_uri(redirect_uri)?;
        let state = Secret::new(random_text(24)?);
        let code_verifier = Secret::new(random_text(48)?);
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("client_id", client_id)
            .append_pair("response_type", "code")
            .append_pair("response_mode", "form_post")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", config.connect_scope())
            .append_pair("state", state.expose())
            .append_pair("code_challenge", &challenge(code_verifier.expose()))
            .append_pair("code_challenge_method", "S256");
        if let Some(locales) = &config.ui_locales {
            query.append_pair("ui_locales", locales);
        }
        let url = format!(
            "{}/connect/authorize?{}",
            config.connect_url,
            query.finish()
        );
        Ok(Authorization {
            url,
            state,
            code_verifier,
            redirect_uri: redirect_uri.to_string(),
        })
    }

    /// The authorization as one JSON text (`url`, `state`, `code_verifier`, `redirect_uri`),
    /// for the C API and for keeping in a session. It holds the verifier: keep it private.
    pub fn to_json(&self) -> Secret {
        Secret::new(
            json!({
                "url": self.url,
                "state": self.state.expose(),
                "code_verifier": self.code_verifier.expose(),
                "redirect_uri": self.redirect_uri,
            })
            .to_string(),
        )
    }

    /// Reads back what `to_json` wrote.
    pub fn from_json(text: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "the authorization is not the JSON text the authorize-URL call returned \
                 (it needs url, state, code_verifier and redirect_uri)",
            )
        };
        let json: Value = serde_json::from_str(text).map_err(|_| bad())?;
        let field = |name: &str| json.get(name).and_then(Value::as_str).ok_or_else(bad);
        let authorization = Authorization {
            url: field("url")?.to_string(),
            state: Secret::new(field("state")?),
            code_verifier: Secret::new(field("code_verifier")?),
            redirect_uri: field("redirect_uri")?.to_string(),
        };
        // RFC 7636: 43 to 128 unreserved characters; the state is printable ASCII.
        let verifier = authorization.code_verifier.expose();
        let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
        let state = authorization.state.expose();
        if !(43..=128).contains(&verifier.len())
            || !verifier.bytes().all(unreserved)
            || state.is_empty()
            || !state.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(bad());
        }
        check_redirect_uri(&authorization.redirect_uri)?;
        Ok(authorization)
    }
}

/// PKCE S256: the verifier's SHA-256, base64url without padding.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `bytes` from the operating system's random source, base64url: unguessable, URL-safe.
fn random_text(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::getrandom(&mut buffer).map_err(|e| {
        Error::new(
            crate::error::ErrorKind::Io,
            format!("the operating system's random source failed: {e}"),
        )
    })?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

pub(crate) fn check_text(name: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(format!("the {name} is empty")));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(format!(
            "the {name} contains control characters (CR, LF, NUL, ...)"
        )));
    }
    Ok(())
}

/// A redirect URI the user's browser can be trusted with: absolute, https (or http to this
/// machine, as RFC 8252 allows for native apps), without a fragment.
fn check_redirect_uri(uri: &str) -> Result<()> {
    let refuse = |why: &str| Error::invalid(format!("the redirect URI {why}"));
    check_text("redirect URI", uri)?;
    let parsed: Uri = uri.parse().map_err(|_| refuse("is not an absolute URL"))?;
    let host = parsed.host().ok_or_else(|| refuse("has no host"))?;
    match parsed.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback_host(host) => {}
        Some("http") => return Err(refuse("must be https (plain http only to this machine)")),
        _ => return Err(refuse("must be an https URL")),
    }
    if uri.contains('#') {
        return Err(refuse("must not have a fragment (#...)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_of(url: &str) -> Vec<(String, String)> {
        let query = url.split_once('?').unwrap().1;
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn the_url_asks_for_dineros_scopes_with_pkce_s256_and_form_post() {
        let mut config = Config::default();
        config.set("ui_locales", "da-DK").unwrap();
        let a = Authorization::new("isv_shop", "https://shop.example/back", &config).unwrap();
        assert!(a
            .url
            .starts_with("https://connect.visma.com/connect/authorize?"));
        let q = query_of(&a.url);
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("client_id"), Some("isv_shop"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("response_mode"), Some("form_post"));
        assert_eq!(get("redirect_uri"), Some("https://shop.example/back"));
        assert_eq!(
            get("scope"),
            Some("dineropublicapi:read dineropublicapi:write offline_access")
        );
        assert_eq!(get("state"), Some(a.state.expose()));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(
            get("code_challenge"),
            Some(challenge(a.code_verifier.expose()).as_str())
        );
        assert_eq!(get("ui_locales"), Some("da-DK"));
        assert!(!a.url.contains(a.code_verifier.expose()));
        let shown = format!("{a:?}");
        assert!(
            !shown.contains(a.state.expose()) && !shown.contains(a.code_verifier.expose()),
            "{shown}"
        );
        assert!(shown.contains("https://shop.example/back"), "{shown}");
    }

    #[test]
    fn the_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn every_authorization_is_fresh_and_reads_back_from_its_json() {
        let config = Config::default();
        let a = Authorization::new("isv_x", "http://127.0.0.1:8765/cb", &config).unwrap();
        let b = Authorization::new("isv_x", "http://127.0.0.1:8765/cb", &config).unwrap();
        assert_ne!(a.state, b.state);
        assert_ne!(a.code_verifier, b.code_verifier);
        assert!((43..=128).contains(&a.code_verifier.expose().len()));
        let back = Authorization::from_json(a.to_json().expose()).unwrap();
        assert_eq!(back.state, a.state);
        assert_eq!(back.code_verifier, a.code_verifier);
        assert_eq!(back.redirect_uri, a.redirect_uri);
        for bad in [
            "",
            "{}",
            "[1]",
            r#"{"url":"u","state":"s","code_verifier":"short","redirect_uri":"https://a/"}"#,
        ] {
            assert!(Authorization::from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redirect_uris_the_browser_cannot_be_trusted_with_are_refused() {
        let config = Config::default();
        for bad in [
            "",
            "/relative",
            "http://shop.example/back",
            "ftp://shop.example/",
            "https://shop.example/back#frag",
            "https://shop.example/\r\nback",
        ] {
            let err = Authorization::new("isv_x", bad, &config).unwrap_err();
            assert!(err.message().contains("redirect URI"), "{bad}: {err}");
        }
        assert!(Authorization::new("", "https://a.example/", &config).is_err());
        assert!(Authorization::new("isv_x", "http://localhost:1/cb", &config).is_ok());
    }

    #[test]
    fn bad_ui_locales_are_refused_when_set() {
        let mut config = Config::default();
        assert!(config.set("ui_locales", "da-DK&scope=evil").is_err());
        assert!(config.set("ui_locales", "").is_err());
        assert!(config.set("ui_locales", "en-US da-DK").is_ok());
    }
}
