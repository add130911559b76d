//! What a caller's mistake or another local user could do with the files and headers the
//! library writes and sends: saved invoices readable by everyone, header values that only fail
//! far from where they were set, `localhost` sent elsewhere.

mod common;
use common::*;
use dinero::ffi::status::*;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

fn temp_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("local-attacks");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_saved_response_is_private_and_a_replaced_file_keeps_its_mode() {
    let sb = sandbox();
    let reply = Client::to(&sb).get("/v1/organizations");

    let fresh = temp_path("fresh.json");
    reply.save(&fresh).unwrap();
    assert_eq!(mode(&fresh), 0o600, "a new file is for its owner only");

    for kept in [0o600, 0o640, 0o644] {
        let existing = temp_path(&format!("existing-{kept:o}.json"));
        std::fs::write(&existing, b"old").unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(kept)).unwrap();
        reply.save(&existing).unwrap();
        assert_eq!(std::fs::read(&existing).unwrap(), reply.body);
        assert_eq!(mode(&existing), kept, "the replaced file's mode is kept");
    }
}

#[test]
fn header_values_with_control_characters_are_refused_when_set() {
    for value in ["a\u{1}b", "\u{1b}[2J", "x\u{7f}", "tab\tok"] {
        let request = Builder::new("GET", "/v1/organizations").unwrap();
        let result = request.header("X-Note", value);
        if value == "tab\tok" {
            result.expect("a tab is allowed in a header value");
            continue;
        }
        let err = result.err().unwrap_or_else(|| panic!("{value:?} accepted"));
        assert_eq!(
            err.status, DINERO_STATUS_INVALID_ARGUMENT,
            "{}",
            err.message
        );
        assert!(err.message.contains("control character"), "{}", err.message);
    }
}

#[test]
fn plain_http_to_localhost_reaches_this_machine() {
    let sb = sandbox();
    let port = sb.port();
    let options = vec![
        (
            "auth_url".to_string(),
            format!("http://localhost:{port}/dineroapi/oauth/token"),
        ),
        ("api_url".to_string(), format!("http://LOCALHOST:{port}")),
        (
            "organization_id".to_string(),
            sb.config().organization_id.to_string(),
        ),
    ];
    let c = sb.config();
    let client = Client::authenticate(&c.client_id, &c.client_secret, &c.api_key, &options)
        .expect("localhost is 127.0.0.1, where the sandbox listens");
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(stat(&sb, "token_requests"), 1);
}
