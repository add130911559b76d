//! Visma Connect: authorize (consent played by the sandbox), code exchange, refresh-token
//! rotation and its grace period, reusable tokens, revocation, expiry, faults, and tokens that
//! reach several organizations. A test's "browser" reads the form_post page and takes the
//! hidden inputs from it, as the library's tests do.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::sleep;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use dinero_sandbox::{Config, RefreshTokens, Sandbox};
use serde_json::{json, Value};

use crate::client::*;

const CLIENT_ID: &str = "isv_sandbox";
const CLIENT_SECRET: &str = "connect-secret";
const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const SCOPE: &str = "dineropublicapi:read dineropublicapi:write offline_access";
/// RFC 7636 appendix B's pair, computed independently of the sandbox.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const SECOND_ORG: u64 = 515_151;

fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The authorize query as the library builds it, with `overrides` replacing (or, with an
/// empty value, removing) parameters.
fn authorize_query(overrides: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("response_mode", "form_post"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
        ("state", "st-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("ui_locales", "da-DK"),
    ];
    for (name, value) in overrides {
        pairs.retain(|(n, _)| n != name);
        if !value.is_empty() {
            pairs.push((name, value));
        }
    }
    encode(&pairs)
}

fn authorize(sb: &Sandbox, overrides: &[(&str, &str)]) -> Resp {
    let path = format!("/connect/authorize?{}", authorize_query(overrides));
    Conn::open(sb).send("GET", &path, &[], b"").unwrap()
}

/// Undoes the HTML escaping of an attribute value.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What a browser would do with the form_post page: the form's action and its hidden inputs.
fn read_form(page: &Resp) -> (String, Vec<(String, String)>) {
    assert_eq!(page.status, 200, "{}", summary(page));
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    let attr = |tag: &str, name: &str| -> String {
        let start = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        let end = start + tag[start..].find('"').unwrap();
        unescape(&tag[start..end])
    };
    let form_start = html.find("<form method=\"post\"").expect("a POST form");
    let form_tag = &html[form_start..form_start + html[form_start..].find('>').unwrap()];
    let inputs = html
        .split("<input ")
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            assert_eq!(attr(tag, "type"), "hidden");
            (attr(tag, "name"), attr(tag, "value"))
        })
        .collect();
    (attr(form_tag, "action"), inputs)
}

fn input<'a>(inputs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    inputs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Authorizes with the defaults; the code.
fn code(sb: &Sandbox) -> String {
    let (_, inputs) = read_form(&authorize(sb, &[]));
    input(&inputs, "code").unwrap().to_owned()
}

/// `POST /connect/token` with a form body and optional extra headers.
fn token_post(sb: &Sandbox, form: &str, headers: &[(&str, &str)]) -> Resp {
    let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    Conn::open(sb)
        .send("POST", "/connect/token", &all, form.as_bytes())
        .unwrap()
}

fn exchange_with(sb: &Sandbox, code: &str, redirect_uri: &str, verifier: &str) -> Resp {
    let form = encode(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("code_verifier", verifier),
    ]);
    token_post(sb, &form, &[])
}

fn exchange(sb: &Sandbox, code: &str) -> Resp {
    exchange_with(sb, code, REDIRECT, VERIFIER)
}

/// A grant: `(access_token, refresh_token)`.
fn login(sb: &Sandbox) -> (String, String) {
    let resp = exchange(sb, &code(sb));
    assert_eq!(resp.status, 200, "{}", summary(&resp));
    let body = resp.json();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

fn refresh(sb: &Sandbox, refresh_token: &str) -> Resp {
    let form = encode(&[
        ("grant_type", "refresh_token"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("refresh_token", refresh_token),
    ]);
    token_post(sb, &form, &[])
}

fn refreshed(sb: &Sandbox, refresh_token: &str) -> (String, String) {
    let resp = refresh(sb, refresh_token);
    assert_eq!(resp.status, 200, "{}", summary(&resp));
    let body = resp.json();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

fn assert_oauth_error(resp: &Resp, status: u16, error: &str) {
    assert_eq!(
        resp.status,
        status,
        "{}",
        String::from_utf8_lossy(&resp.body)
    );
    assert_eq!(resp.json()["error"], error, "{}", resp.text());
    assert!(resp.json()["error_description"].is_string());
}

/// What a failed assertion may show of an answer: its status and OAuth error, never its body
/// (which may hold tokens or a code).
fn summary(resp: &Resp) -> String {
    let json: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    format!(
        "status {}, error {}, error_description {}, {} bytes",
        resp.status,
        json["error"],
        json["error_description"],
        resp.body.len()
    )
}

fn connect_stats(sb: &Sandbox) -> Value {
    sb.stats()["connect"].clone()
}

/// The query parameters of a 302's Location.
fn location_params(resp: &Resp) -> (String, Vec<(String, String)>) {
    assert_eq!(resp.status, 302, "{}", summary(resp));
    let location = resp.header("location").expect("Location").to_owned();
    let (base, query) = location.split_once('?').expect("a query");
    let pairs = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    (base.to_owned(), pairs)
}

#[test]
fn discovery_names_the_endpoints_on_the_sandbox() {
    let sb = start_default();
    let resp = Conn::open(&sb)
        .send("GET", "/.well-known/openid-configuration", &[], b"")
        .unwrap();
    assert_eq!(resp.status, 200);
    let doc = resp.json();
    // The test client sends `Host: sandbox`, and the issuer is the host the client reached.
    assert_eq!(doc["issuer"], "http://sandbox");
    assert_eq!(
        doc["authorization_endpoint"],
        "http://sandbox/connect/authorize"
    );
    assert_eq!(doc["token_endpoint"], "http://sandbox/connect/token");
    assert_eq!(
        doc["revocation_endpoint"],
        "http://sandbox/connect/revocation"
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        doc["grant_types_supported"],
        json!(["authorization_code", "refresh_token"])
    );
}

#[test]
fn form_post_flow_gives_tokens_that_reach_every_organization() {
    let sb = start_default();
    let page = authorize(&sb, &[]);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let (action, inputs) = read_form(&page);
    assert_eq!(action, REDIRECT);
    assert_eq!(input(&inputs, "state"), Some("st-1"));
    let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["code", "state"]);
    let code = input(&inputs, "code").unwrap();

    let resp = exchange(&sb, code);
    assert_eq!(resp.status, 200, "{}", summary(&resp));
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    let body = resp.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], SCOPE);
    let access = body["access_token"].as_str().unwrap();
    assert!(body["refresh_token"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));

    let orgs = get(&sb, access, "/v1/organizations");
    assert_eq!(orgs.status, 200);
    assert_eq!(
        orgs.json(),
        json!([
            {"Id": ORG, "Name": "Sandbox ApS", "IsPro": true},
            {"Id": SECOND_ORG, "Name": "Sandbox 515151 ApS", "IsPro": true},
        ])
    );
    assert_eq!(get(&sb, access, &org_path("contacts")).status, 200);
    assert_eq!(
        get(&sb, access, &format!("/v1/{SECOND_ORG}/contacts")).status,
        200
    );
    assert_eq!(get(&sb, access, "/v1/999/contacts").status, 403);
    let stats = connect_stats(&sb);
    assert_eq!(stats["authorizations"], 1);
    assert_eq!(stats["code_exchanges"], 1);
    assert_eq!(stats["refreshes"], 0);
}

#[test]
fn a_browser_posting_the_form_delivers_code_and_state_to_the_redirect_uri() {
    let sb = start_default();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!(
        "http://127.0.0.1:{}/cb",
        listener.local_addr().unwrap().port()
    );
    let (action, inputs) = read_form(&authorize(&sb, &[("redirect_uri", &redirect)]));
    let receiver = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut received = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "connection closed early");
            received.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&received).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .unwrap()
                    .parse()
                    .unwrap();
                if body.len() >= length {
                    stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                        .unwrap();
                    return (head.to_owned(), body.to_owned());
                }
            }
        }
    });
    // The browser: POST the hidden inputs, form-encoded, to the action.
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&inputs)
        .finish();
    let path = action.strip_prefix("http://127.0.0.1:").unwrap();
    let path = &path[path.find('/').unwrap()..];
    let addr = action
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: app\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let (head, received) = receiver.join().unwrap();
    assert!(head.starts_with("POST /cb HTTP/1.1"), "{head}");
    let fields: Vec<(String, String)> = form_urlencoded::parse(received.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(input(&fields, "state"), Some("st-1"));
    let code = input(&fields, "code").unwrap();
    assert_eq!(exchange_with(&sb, code, &redirect, VERIFIER).status, 200);
}

#[test]
fn query_mode_redirects_with_code_and_state() {
    let sb = start_default();
    let resp = authorize(&sb, &[("response_mode", "query")]);
    let (base, params) = location_params(&resp);
    assert_eq!(base, REDIRECT);
    assert_eq!(input(&params, "state"), Some("st-1"));
    let code = input(&params, "code").unwrap();
    assert_eq!(exchange(&sb, code).status, 200);

    // Without response_mode, the code flow's default is query too; a redirect URI with a query
    // keeps it.
    let redirect = "http://localhost:9/cb?tenant=7";
    let resp = authorize(&sb, &[("response_mode", ""), ("redirect_uri", redirect)]);
    let location = resp.header("location").unwrap();
    assert!(
        location.starts_with("http://localhost:9/cb?tenant=7&"),
        "the redirect URI's own query is kept"
    );
}

#[test]
fn an_unknown_redirect_uri_or_client_is_an_error_page_never_a_redirect() {
    let sb = start(Config {
        connect_redirect_uris: vec!["https://app.example/callback".into()],
        ..Config::default()
    });
    for overrides in [
        vec![("redirect_uri", "https://evil.example/callback")],
        vec![("redirect_uri", "https://app.example/callback/other")],
        vec![("redirect_uri", "https://127.0.0.1:8765/callback")],
        vec![("redirect_uri", "http://127.0.0.1.evil.example/cb")],
        vec![("redirect_uri", "")],
        // Would put a header of its own into the 302.
        vec![
            ("redirect_uri", "http://127.0.0.1:1/cb\r\nSet-Cookie: x=1"),
            ("response_mode", "query"),
        ],
        vec![("redirect_uri", "http://127.0.0.1:1/a b")],
        vec![("client_id", "isv_other")],
        vec![("client_id", "")],
        // An unknown redirect URI even when other things are wrong too.
        vec![
            ("redirect_uri", "https://evil.example/cb"),
            ("response_mode", "query"),
            ("state", ""),
        ],
    ] {
        let resp = authorize(&sb, &overrides);
        assert_eq!(resp.status, 400, "{overrides:?}");
        assert_eq!(resp.header("location"), None, "{overrides:?}");
        assert_eq!(
            resp.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(resp.header("set-cookie"), None);
        let page = resp.text();
        assert!(!page.contains("evil.example"), "{page}");
        assert!(!page.contains("<form"), "{page}");
    }
    assert_eq!(connect_stats(&sb)["authorizations"], 0);
    // The registered one passes, exactly as registered.
    let (action, _) = read_form(&authorize(
        &sb,
        &[("redirect_uri", "https://app.example/callback")],
    ));
    assert_eq!(action, "https://app.example/callback");
}

#[test]
fn bad_requests_with_a_trusted_redirect_uri_go_back_as_errors_with_the_state() {
    let sb = start_default();
    for (overrides, error) in [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("scope", "")], "invalid_scope"),
        (
            vec![("scope", "dineropublicapi:read admin")],
            "invalid_scope",
        ),
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge_method", "")], "invalid_request"),
        (vec![("code_challenge", "too-short")], "invalid_request"),
        (vec![("response_mode", "fragment")], "invalid_request"),
    ] {
        let resp = authorize(&sb, &overrides);
        let (base, params) = if overrides[0].0 == "response_mode" {
            // An unknown response mode: the error goes back in the query.
            location_params(&resp)
        } else {
            let (action, inputs) = read_form(&resp);
            (action, inputs)
        };
        assert_eq!(base, REDIRECT, "{overrides:?}");
        assert_eq!(input(&params, "error"), Some(error), "{overrides:?}");
        assert_eq!(input(&params, "state"), Some("st-1"), "{overrides:?}");
        assert!(input(&params, "error_description").is_some());
        assert!(input(&params, "code").is_none(), "no code");
    }
    // State is required (the client's defence against forged callbacks).
    let (_, inputs) = read_form(&authorize(&sb, &[("state", "")]));
    assert_eq!(input(&inputs, "error"), Some("invalid_request"));
    assert_eq!(input(&inputs, "state"), None);
    // A repeated parameter is refused.
    let path = format!(
        "/connect/authorize?{}&state=again",
        authorize_query(&[("response_mode", "query")])
    );
    let resp = Conn::open(&sb).send("GET", &path, &[], b"").unwrap();
    let (_, params) = location_params(&resp);
    assert_eq!(input(&params, "error"), Some("invalid_request"));
    assert_eq!(connect_stats(&sb)["authorizations"], 0);
}

#[test]
fn the_state_is_echoed_exactly_and_escaped_in_the_page() {
    let sb = start_default();
    let state = r#"a"b<c>&d'e é+%"#;
    let page = authorize(&sb, &[("state", state)]);
    assert!(!page.text().contains("<c>"));
    let (_, inputs) = read_form(&page);
    assert_eq!(input(&inputs, "state"), Some(state));
    let (_, params) = location_params(&authorize(
        &sb,
        &[("state", state), ("response_mode", "query")],
    ));
    assert_eq!(input(&params, "state"), Some(state));
}

#[test]
fn wrong_verifier_is_invalid_grant_and_uses_the_code_up() {
    let sb = start_default();
    let code = code(&sb);
    let other = "A".repeat(43);
    assert_oauth_error(
        &exchange_with(&sb, &code, REDIRECT, &other),
        400,
        "invalid_grant",
    );
    // One attempt per code: the right verifier afterwards is too late.
    assert_oauth_error(&exchange(&sb, &code), 400, "invalid_grant");

    let not_ascii = "é".repeat(43);
    for bad in ["", "short", not_ascii.as_str()] {
        let code = self::code(&sb);
        let resp = exchange_with(&sb, &code, REDIRECT, bad);
        assert_oauth_error(&resp, 400, "invalid_grant");
    }
    let stats = connect_stats(&sb);
    assert_eq!(stats["code_exchanges"], 0);
    assert_eq!(stats["invalid_grants"], 5);
}

#[test]
fn a_redirect_uri_that_differs_is_invalid_grant() {
    let sb = start_default();
    for other in [
        "http://127.0.0.1:8765/callback/",
        "http://127.0.0.1:8766/callback",
        "",
    ] {
        let code = code(&sb);
        assert_oauth_error(
            &exchange_with(&sb, &code, other, VERIFIER),
            400,
            "invalid_grant",
        );
    }
}

#[test]
fn a_reused_code_is_invalid_grant_and_revokes_what_it_issued() {
    let sb = start_default();
    let code = code(&sb);
    let body = exchange(&sb, &code).json();
    let access = body["access_token"].as_str().unwrap();
    let refresh_token = body["refresh_token"].as_str().unwrap();
    assert_eq!(get(&sb, access, "/v1/organizations").status, 200);

    let resp = exchange(&sb, &code);
    assert_oauth_error(&resp, 400, "invalid_grant");
    assert!(!resp.text().contains(&code), "no secret in the answer");
    assert_eq!(get(&sb, access, "/v1/organizations").status, 401);
    assert_oauth_error(&refresh(&sb, refresh_token), 400, "invalid_grant");
    // Another grant is untouched.
    let (other_access, other_refresh) = login(&sb);
    assert_eq!(get(&sb, &other_access, "/v1/organizations").status, 200);
    assert_eq!(refresh(&sb, &other_refresh).status, 200);
}

#[test]
fn an_expired_or_unknown_code_is_invalid_grant() {
    let sb = start(Config {
        code_lifetime: Duration::from_millis(100),
        ..Config::default()
    });
    let code = code(&sb);
    sleep(Duration::from_millis(150));
    assert_oauth_error(&exchange(&sb, &code), 400, "invalid_grant");
    assert_oauth_error(&exchange(&sb, "no-such-code"), 400, "invalid_grant");
    sb.configure(json!({"code_lifetime_ms": 60_000})).unwrap();
    assert_eq!(exchange(&sb, &self::code(&sb)).status, 200);
}

#[test]
fn client_authentication_in_the_form_or_basic() {
    let sb = start_default();
    let (_, refresh_token) = login(&sb);
    let grant = |extra: &[(&str, &str)]| {
        let mut pairs = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
        ];
        pairs.extend_from_slice(extra);
        encode(&pairs)
    };
    let basic =
        |id: &str, secret: &str| format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));

    let good = basic(CLIENT_ID, CLIENT_SECRET);
    let resp = token_post(&sb, &grant(&[]), &[("Authorization", &good)]);
    assert_eq!(resp.status, 200, "{}", summary(&resp));

    let wrong = basic(CLIENT_ID, "wrong");
    let resp = token_post(&sb, &grant(&[]), &[("Authorization", &wrong)]);
    assert_oauth_error(&resp, 401, "invalid_client");
    assert!(resp.header("www-authenticate").is_some());
    assert!(!resp.text().contains("wrong"));
    let resp = token_post(
        &sb,
        &grant(&[("client_id", CLIENT_ID), ("client_secret", "wrong")]),
        &[],
    );
    assert_oauth_error(&resp, 401, "invalid_client");
    assert_oauth_error(&token_post(&sb, &grant(&[]), &[]), 401, "invalid_client");
    let resp = token_post(
        &sb,
        &grant(&[("client_id", "isv_other"), ("client_secret", CLIENT_SECRET)]),
        &[],
    );
    assert_oauth_error(&resp, 401, "invalid_client");
    // Two methods at once is a malformed request (RFC 6749 2.3).
    let resp = token_post(
        &sb,
        &grant(&[("client_secret", CLIENT_SECRET)]),
        &[("Authorization", &good)],
    );
    assert_oauth_error(&resp, 400, "invalid_request");
    // Not a form.
    let resp = Conn::open(&sb)
        .send(
            "POST",
            "/connect/token",
            &[("Content-Type", "application/json")],
            b"{}",
        )
        .unwrap();
    assert_oauth_error(&resp, 400, "invalid_request");
    let resp = token_post(
        &sb,
        &encode(&[
            ("grant_type", "password"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ]),
        &[],
    );
    assert_oauth_error(&resp, 400, "unsupported_grant_type");
    let resp = Conn::open(&sb)
        .send("GET", "/connect/token", &[], b"")
        .unwrap();
    assert_eq!(resp.status, 405);
}

#[test]
fn one_time_refresh_tokens_rotate_with_a_grace_period() {
    let sb = start_default();
    let (first_access, first) = login(&sb);
    let (second_access, second) = refreshed(&sb, &first);
    assert!(second != first, "rotated");
    assert!(second_access != first_access, "a new access token");
    // Within the grace period the old one still works and answers the same successor.
    let (again_access, again) = refreshed(&sb, &first);
    assert!(
        again == second,
        "the same successor within the grace period"
    );
    assert!(again_access != second_access, "a new access token");
    for token in [&first_access, &second_access, &again_access] {
        assert_eq!(get(&sb, token, "/v1/organizations").status, 200);
    }
    let (_, third) = refreshed(&sb, &second);
    assert!(third != second, "rotated");
    // The grace period is read at each refresh: with none left, the old ones are used up; the
    // newest still works.
    sb.configure(json!({"refresh_grace_ms": 0})).unwrap();
    assert_oauth_error(&refresh(&sb, &first), 400, "invalid_grant");
    assert_oauth_error(&refresh(&sb, &second), 400, "invalid_grant");
    let (_, fourth) = refreshed(&sb, &third);
    assert!(fourth != third, "rotated");
    let stats = connect_stats(&sb);
    assert_eq!(stats["refreshes"], 4);
    assert_eq!(stats["invalid_grants"], 2);
}

#[test]
fn reusable_refresh_tokens_stay_the_same() {
    let sb = start(Config {
        refresh_tokens: RefreshTokens::Reusable,
        refresh_grace: Duration::ZERO,
        ..Config::default()
    });
    let (_, token) = login(&sb);
    for _ in 0..3 {
        let (access, again) = refreshed(&sb, &token);
        assert!(again == token, "reusable: the same refresh token");
        assert_eq!(get(&sb, &access, "/v1/organizations").status, 200);
    }
    // Switching at run time changes the next refresh.
    sb.configure(json!({"refresh_tokens": "one-time"})).unwrap();
    let (_, rotated) = refreshed(&sb, &token);
    assert!(rotated != token, "rotated");
    assert_oauth_error(&refresh(&sb, &token), 400, "invalid_grant");
}

#[test]
fn a_grant_revoked_by_the_admin_api_refuses_refresh_and_access() {
    let sb = start_default();
    let (access, refresh_token) = login(&sb);
    let (other_access, other_refresh) = login(&sb);
    sb.revoke_connect_grant(&refresh_token).unwrap();
    assert_oauth_error(&refresh(&sb, &refresh_token), 400, "invalid_grant");
    assert_eq!(get(&sb, &access, "/v1/organizations").status, 401);
    assert_eq!(get(&sb, &other_access, "/v1/organizations").status, 200);
    assert!(sb.revoke_connect_grant("no-such-token").is_err());

    // Over HTTP, without a body: every grant.
    let resp = Conn::open(&sb)
        .send("POST", "/_sandbox/connect/revoke", &[], b"")
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_oauth_error(&refresh(&sb, &other_refresh), 400, "invalid_grant");
    assert_eq!(get(&sb, &other_access, "/v1/organizations").status, 401);
    // A new authorization works again.
    let (access, _) = login(&sb);
    assert_eq!(get(&sb, &access, "/v1/organizations").status, 200);
}

#[test]
fn the_revocation_endpoint_revokes_a_grant_or_an_access_token() {
    let sb = start_default();
    let (access, refresh_token) = login(&sb);
    let revoke = |token: &str, hint: &str| {
        let mut pairs = vec![
            ("token", token),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ];
        if !hint.is_empty() {
            pairs.push(("token_type_hint", hint));
        }
        Conn::open(&sb)
            .send(
                "POST",
                "/connect/revocation",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                encode(&pairs).as_bytes(),
            )
            .unwrap()
    };
    // An access token: only itself.
    assert_eq!(revoke(&access, "access_token").status, 200);
    assert_eq!(get(&sb, &access, "/v1/organizations").status, 401);
    let (new_access, next) = refreshed(&sb, &refresh_token);
    assert_eq!(get(&sb, &new_access, "/v1/organizations").status, 200);
    // A refresh token: the grant (even with the wrong hint).
    assert_eq!(revoke(&next, "access_token").status, 200);
    assert_oauth_error(&refresh(&sb, &next), 400, "invalid_grant");
    assert_eq!(get(&sb, &new_access, "/v1/organizations").status, 401);
    // Unknown tokens are answered the same (RFC 7009 2.2).
    assert_eq!(revoke("no-such-token", "").status, 200);
    assert_eq!(connect_stats(&sb)["revocations"], 2);
    assert_oauth_error(&revoke("x", "id_token"), 400, "unsupported_token_type");
}

#[test]
fn an_expired_refresh_token_is_invalid_grant() {
    let sb = start(Config {
        refresh_token_lifetime: Duration::from_millis(200),
        ..Config::default()
    });
    let (_, token) = login(&sb);
    sleep(Duration::from_millis(250));
    assert_oauth_error(&refresh(&sb, &token), 400, "invalid_grant");

    sb.configure(json!({"refresh_token_lifetime_ms": 3_600_000}))
        .unwrap();
    let (_, token) = login(&sb);
    assert_eq!(refresh(&sb, &token).status, 200);
    let (_, token) = login(&sb);
    let resp = Conn::open(&sb)
        .send("POST", "/_sandbox/connect/expire-refresh-tokens", &[], b"")
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_oauth_error(&refresh(&sb, &token), 400, "invalid_grant");
}

#[test]
fn fault_token_endpoint_down() {
    let sb = start_default();
    let (_, token) = login(&sb);
    sb.inject(json!({"kind": "status", "status": 503, "target": "connect", "path_contains": "/connect/token"}))
        .unwrap();
    let resp = refresh(&sb, &token);
    assert_eq!(resp.status, 503);
    assert_eq!(resp.header("content-type"), Some("text/html"));
    // The refresh never happened: the same token works next time.
    let (_, next) = refreshed(&sb, &token);
    assert!(next != token, "rotated");
    assert_eq!(connect_stats(&sb)["refreshes"], 1);
    // API faults leave Connect alone.
    sb.inject(json!({"kind": "status", "status": 503})).unwrap();
    assert_eq!(refresh(&sb, &next).status, 200);
}

#[test]
fn fault_garbage_and_malformed_answers() {
    let sb = start_default();
    let (_, token) = login(&sb);
    sb.inject(json!({"kind": "garbage", "target": "connect"}))
        .unwrap();
    let mut conn = Conn::open(&sb);
    let form = encode(&[
        ("grant_type", "refresh_token"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("refresh_token", &token),
    ]);
    let request = format!(
        "POST /connect/token HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    conn.stream.write_all(request.as_bytes()).unwrap();
    let raw = conn.read_to_end().unwrap();
    assert!(raw.starts_with(b"SSH-2.0-garbage"));

    sb.inject(json!({"kind": "malformed", "target": "connect", "path_contains": "/connect/token"}))
        .unwrap();
    let resp = refresh(&sb, &token);
    assert_eq!(resp.status, 200);
    assert!(serde_json::from_slice::<Value>(&resp.body).is_err());
    // Neither was processed: the token still rotates normally.
    let (_, next) = refreshed(&sb, &token);
    assert!(next != token, "rotated");
}

#[test]
fn fault_refresh_token_already_used() {
    let sb = start_default();
    sb.inject(json!({"kind": "refresh_token_used"})).unwrap();
    // A code exchange is not a refresh: the fault waits.
    let (_, token) = login(&sb);
    assert_eq!(sb.stats()["faults_applied"], 0);
    let resp = refresh(&sb, &token);
    assert_oauth_error(&resp, 400, "invalid_grant");
    assert_eq!(
        resp.json()["error_description"],
        "the refresh token was already used"
    );
    // It stays used up; a new authorization is needed.
    assert_oauth_error(&refresh(&sb, &token), 400, "invalid_grant");
    assert_eq!(sb.stats()["faults_applied"], 1);
    let (_, token) = login(&sb);
    assert_eq!(refresh(&sb, &token).status, 200);
}

#[test]
fn fault_consent_refused() {
    let sb = start_default();
    sb.inject(json!({"kind": "consent_refused"})).unwrap();
    let (action, inputs) = read_form(&authorize(&sb, &[]));
    assert_eq!(action, REDIRECT);
    assert_eq!(input(&inputs, "error"), Some("access_denied"));
    assert_eq!(input(&inputs, "state"), Some("st-1"));
    assert!(input(&inputs, "code").is_none(), "no code");
    // Once: the next user consents.
    let (_, inputs) = read_form(&authorize(&sb, &[]));
    assert!(input(&inputs, "code").is_some());
    assert!(sb
        .inject(json!({"kind": "consent_refused", "status": 400}))
        .is_err());
}

#[test]
fn rate_limit_counts_per_organization_and_client_id() {
    let sb = start(Config {
        rate_limit: 2,
        ..Config::default()
    });
    let (access, _) = login(&sb);
    let (other_access, _) = login(&sb);
    let second = format!("/v1/{SECOND_ORG}/contacts");
    assert_eq!(get(&sb, &access, &org_path("contacts")).status, 200);
    // Another token of the same client spends the same window.
    assert_eq!(get(&sb, &other_access, &org_path("contacts")).status, 200);
    assert_eq!(get(&sb, &access, &org_path("contacts")).status, 429);
    // The other organization has its own window, and so has the API-key client.
    assert_eq!(get(&sb, &access, &second).status, 200);
    assert_eq!(get(&sb, &token(&sb), &org_path("contacts")).status, 200);
}

#[test]
fn connect_organizations_are_configurable() {
    let sb = start(Config {
        connect_organizations: Some(vec![11, 22, 33]),
        ..Config::default()
    });
    let (access, _) = login(&sb);
    let ids: Vec<Value> = get(&sb, &access, "/v1/organizations")
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(11), json!(22), json!(33)]);
    assert_eq!(get(&sb, &access, "/v1/33/contacts").status, 200);
    assert_eq!(get(&sb, &access, &org_path("contacts")).status, 403);
    // The API key's token still reaches its one organization only.
    let key_orgs = get(&sb, &token(&sb), "/v1/organizations").json();
    assert_eq!(key_orgs.as_array().unwrap().len(), 1);
    assert_eq!(key_orgs[0]["Id"], ORG);
}

#[test]
fn without_offline_access_there_is_no_refresh_token() {
    let sb = start_default();
    let (_, inputs) = read_form(&authorize(&sb, &[("scope", "dineropublicapi:read")]));
    let body = exchange(&sb, input(&inputs, "code").unwrap()).json();
    assert_eq!(body["scope"], "dineropublicapi:read");
    assert!(body.get("refresh_token").is_none());
    assert!(body["access_token"].is_string());
}

#[test]
fn each_organization_has_its_own_data() {
    let sb = start_default();
    let (access, _) = login(&sb);
    let second = |rest: &str| format!("/v1/{SECOND_ORG}/{rest}");
    let contact = json!({"Name": "Kun i den anden", "CountryKey": "DK", "IsPerson": true, "IsMember": false, "UseCvr": false});
    let resp = api(&sb, &access, "POST", &second("contacts"), Some(&contact));
    assert_eq!(resp.status, 201, "{}", resp.text());
    let guid = resp.json()["ContactGuid"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&sb, &access, &second(&format!("contacts/{guid}"))).status,
        200
    );
    assert_eq!(
        get(&sb, &access, &org_path(&format!("contacts/{guid}"))).status,
        404
    );
    let names = |path: &str| -> Vec<Value> {
        get(&sb, &access, path).json()["Collection"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["Name"].clone())
            .collect()
    };
    let in_second = names(&second("contacts"));
    let in_first = names(&org_path("contacts"));
    assert!(in_second.contains(&json!("Kun i den anden")));
    assert!(!in_first.contains(&json!("Kun i den anden")));
    // Both start from the same seed data.
    assert_eq!(in_second.len(), in_first.len() + 1);
}

#[test]
fn a_token_reads_and_writes_only_as_far_as_its_scope_goes() {
    let sb = start_default();
    let contact = json!({"Name": "Scope", "CountryKey": "DK", "IsPerson": true, "IsMember": false, "UseCvr": false});
    for (scope, reads, writes) in [
        ("dineropublicapi:read offline_access", true, false),
        ("dineropublicapi:write offline_access", false, true),
        ("openid offline_access", false, false),
        (SCOPE, true, true),
    ] {
        let (_, inputs) = read_form(&authorize(&sb, &[("scope", scope)]));
        let resp = exchange(&sb, input(&inputs, "code").unwrap());
        assert_eq!(resp.status, 200, "{scope}: {}", summary(&resp));
        let token = resp.json()["access_token"].as_str().unwrap().to_owned();
        let read = get(&sb, &token, &org_path("contacts"));
        let write = api(&sb, &token, "POST", &org_path("contacts"), Some(&contact));
        for (resp, allowed, needs) in [
            (read, reads, "dineropublicapi:read"),
            (write, writes, "dineropublicapi:write"),
        ] {
            if allowed {
                assert!(resp.status < 300, "{scope}: {}", summary(&resp));
                continue;
            }
            assert_eq!(resp.status, 403, "{scope}: {}", summary(&resp));
            let challenge = resp.header("www-authenticate").unwrap_or_default();
            assert!(
                challenge.contains("insufficient_scope") && challenge.contains(needs),
                "{scope}: {challenge}"
            );
        }
    }
}
