//! `token_cache`: clients in separate processes (here: separate clients racing each other,
//! which share nothing but the file, exactly like processes) make one token request between
//! them; the file is private, holds no credential, and a bad file is never fatal.

mod common;
use common::*;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::{Arc, Barrier};

fn cache_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("token-cache-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("token.json")
}

fn cached_client(sb: &Sandbox, path: &std::path::Path) -> Client {
    Client::to_with(sb, &[("token_cache", path.to_str().unwrap())]).unwrap()
}

#[test]
fn clients_sharing_a_cache_file_fetch_one_token() {
    let sb = sandbox();
    let path = cache_path("shared");
    let first = cached_client(&sb, &path);
    let second = cached_client(&sb, &path);
    assert_eq!(first.get("/v1/organizations").status, 200);
    assert_eq!(second.get("/v1/organizations").status, 200);
    assert_eq!(stat(&sb, "token_requests"), 1);
    assert_eq!(
        first.access_token().unwrap(),
        second.access_token().unwrap()
    );
}

#[test]
fn clients_starting_together_fetch_one_token() {
    let sb = sandbox();
    let path = Arc::new(cache_path("together"));
    let url = (sb.url(), sb.auth_url(), sb.config());
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (path, barrier, (api, auth, c)) = (path.clone(), barrier.clone(), url.clone());
            std::thread::spawn(move || {
                let options = vec![
                    ("auth_url".to_string(), auth),
                    ("api_url".to_string(), api),
                    (
                        "token_cache".to_string(),
                        path.to_str().unwrap().to_string(),
                    ),
                ];
                barrier.wait();
                let client =
                    Client::authenticate(&c.client_id, &c.client_secret, &c.api_key, &options)
                        .unwrap();
                client.access_token().unwrap()
            })
        })
        .collect();
    let tokens: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(
        tokens.windows(2).all(|w| w[0] == w[1]),
        "all use the same token"
    );
    assert_eq!(
        stat(&sb, "token_requests"),
        1,
        "one fetch for eight clients starting together"
    );
}

#[test]
fn the_file_is_private_and_holds_no_credentials() {
    let sb = sandbox_with(|c| c.client_secret = "secret-for-cache-test".into());
    let path = cache_path("private");
    let client = cached_client(&sb, &path);
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    let c = sb.config();
    assert!(!text.contains(&c.client_secret) && !text.contains(&c.api_key));
    assert!(text.contains(&client.access_token().unwrap()));
    // Entries are named by fingerprints (SHA-256, hex) of the credentials.
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let names: Vec<&String> = json["tokens"].as_object().unwrap().keys().collect();
    assert_eq!(names.len(), 1);
    assert!(names[0].len() == 64 && names[0].bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn organizations_naming_one_file_keep_their_own_tokens() {
    let one = sandbox();
    let other = sandbox_with(|c| c.api_key = "another-organizations-key".into());
    let path = cache_path("foreign");
    cached_client(&one, &path);
    let client = cached_client(&other, &path);
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(
        stat(&other, "token_requests"),
        1,
        "the first organization's token was not reused"
    );
    // Nor replaced: a new client of the first organization still finds its token.
    let again = cached_client(&one, &path);
    assert_eq!(again.get("/v1/organizations").status, 200);
    assert_eq!(stat(&one, "token_requests"), 1, "its token was kept");
}

#[test]
fn a_path_naming_a_file_of_another_kind_leaves_it_as_it_is() {
    // A mistyped path that names one of the user's own files.
    let sb = sandbox();
    let path = cache_path("mistyped");
    std::fs::write(&path, "# my notes\nnothing to do with libdinero\n").unwrap();
    let lines = LogLines::default();
    let client = Client::logging_to(&sb, &lines, 2, &[("shared_state", path.to_str().unwrap())]);
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# my notes\nnothing to do with libdinero\n"
    );
    let warned = lines.lock().unwrap().clone();
    assert!(
        warned
            .iter()
            .any(|(_, line)| line.contains("something other than libdinero's state")),
        "{warned:?}"
    );
}

#[test]
fn a_corrupt_or_unsafe_cache_file_is_ignored_and_replaced() {
    for (content, mode) in [
        ("{\"format\": 1, garbage", 0o600),
        ("", 0o600),
        ("{\"format\": 3}", 0o644),
    ] {
        let sb = sandbox();
        let path = cache_path("corrupt");
        std::fs::write(&path, content).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let client = cached_client(&sb, &path);
        assert_eq!(client.get("/v1/organizations").status, 200);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("access_token"), "replaced with a valid entry");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn an_unwritable_cache_location_is_not_fatal() {
    let sb = sandbox();
    let path = cache_path("unwritable");
    // A directory where the file should be: it can be neither read nor replaced.
    std::fs::create_dir(&path).unwrap();
    let client = cached_client(&sb, &path);
    assert_eq!(client.get("/v1/organizations").status, 200);
}

#[test]
fn an_expired_cached_token_is_replaced() {
    let sb = sandbox_with(|c| c.token_lifetime = ms(1000));
    let path = cache_path("expired");
    drop(cached_client(&sb, &path));
    std::thread::sleep(ms(1000));
    let client = cached_client(&sb, &path);
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(stat(&sb, "token_requests"), 2);
    assert_eq!(responses_with(&sb, 401), 0);
}

#[test]
fn a_revoked_cached_token_is_replaced_once_for_everyone() {
    let sb = sandbox();
    let path = cache_path("revoked");
    let first = cached_client(&sb, &path);
    sb.revoke_tokens();
    assert_eq!(first.get("/v1/organizations").status, 200);
    let late_starter = cached_client(&sb, &path);
    assert_eq!(late_starter.get("/v1/organizations").status, 200);
    assert_eq!(
        stat(&sb, "token_requests"),
        2,
        "initial token and one replacement"
    );
    inject(
        &sb,
        json!({"kind": "status", "status": 503, "count": 5, "target": "token"}),
    );
    assert_eq!(
        cached_client(&sb, &path).get("/v1/organizations").status,
        200,
        "cache spares the broken endpoint"
    );
}

#[test]
fn wrong_credentials_are_still_rejected_when_a_cache_exists() {
    let sb = sandbox();
    let path = cache_path("wrong-credentials");
    cached_client(&sb, &path);
    let mut options = fast_options(&sb);
    options.push(("token_cache".into(), path.to_str().unwrap().into()));
    let c = sb.config();
    let err = Client::authenticate(&c.client_id, &c.client_secret, "not-the-key", &options)
        .err()
        .unwrap();
    assert_eq!(err.status, dinero::ffi::status::DINERO_STATUS_AUTH_REJECTED);
}
