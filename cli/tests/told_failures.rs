//! Failures the command tells, with the exit code a script can act on, and what it keeps quiet
//! about: a redirect is no success, a token endpoint's outage is worth a retry, a paged list's
//! error stays out of its items, a reader that stops reading ends the command quietly, the
//! library's warnings reach stderr, and a refresh token the config file cannot take is never
//! lost without a word.

mod common;

use common::{dinero, env_of, play_browser, run_with, sandbox, stderr, stdout};
use dinero_sandbox::{Config, Sandbox};
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A folder of this test's own under the target's temporary folder, removed with it.
fn folder(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("{name}-"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

/// A child process that is ended, if it still runs, when the test ends, failed or not.
struct Running(Option<Child>);

impl Running {
    fn output(mut self) -> std::process::Output {
        self.0.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn a_redirect_is_not_followed_and_not_taken_for_success() {
    let sb = sandbox();
    // Dinero never redirects: a proxy or a wrong DINERO_API_URL does. Only the target's origin
    // is shown; the rest of it is the server's to fill with anything.
    let redirect = json!({"kind": "status", "status": 307, "body": "[]",
        "location": "http://127.0.0.1:9/login?next=secret-looking-stuff"});
    let contact =
        r#"{"Name":"R","CountryKey":"DK","IsPerson":true,"IsMember":false,"UseCvr":false}"#;
    sb.inject(redirect.clone()).unwrap();
    let post = run_with(
        &sb,
        &["post", "/v1/{organizationId}/contacts", "--json", contact],
    );
    // A list is no page either, when it comes with a redirect.
    sb.inject(redirect).unwrap();
    let listing = run_with(&sb, &["paginate", "/v1/{organizationId}/contacts"]);
    for out in [post, listing] {
        assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
        let said = stderr(&out);
        assert!(
            said.contains("HTTP 307, a redirect to http://127.0.0.1:9/…")
                && said.contains("not followed"),
            "{said}"
        );
        assert!(!said.contains("secret-looking"), "{said}");
        assert_eq!(stdout(&out), "");
    }
}

#[test]
fn a_token_endpoint_that_fails_is_worth_trying_again_later() {
    let sb = sandbox();
    sb.inject(json!({"kind": "status", "status": 503, "count": 10, "target": "token"}))
        .unwrap();
    let out = run_with(&sb, &["token"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}

#[test]
fn paginate_keeps_stdout_for_items_and_tells_its_error_on_stderr() {
    let sb = sandbox();
    sb.inject(
        json!({"kind": "status", "status": 400, "content_type": "application/json",
        "body": "{\"code\":42,\"message\":\"Bad filter\"}"}),
    )
    .unwrap();
    let out = run_with(&sb, &["paginate", "/v1/{organizationId}/contacts"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "no error among the items");
    assert!(
        stderr(&out).contains("HTTP 400 (Dinero code 42): Bad filter"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_reader_that_stops_reading_ends_the_command_quietly() {
    let sb = Sandbox::start(Config {
        seed_contacts: 30,
        ..Config::default()
    })
    .unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader); // `| head` that has read all it wanted
    let out = dinero(&[
        "paginate",
        "/v1/{organizationId}/contacts",
        "--page-size",
        "10",
    ])
    .envs(env_of(&sb))
    .stdout(writer)
    .stderr(Stdio::piped())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn a_json_file_may_have_any_name_the_system_takes() {
    let sb = sandbox();
    let dir = folder("json-name");
    let file = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"contact-\xff.json"));
    std::fs::write(
        &file,
        r#"{"Name":"Ærø","CountryKey":"DK","IsPerson":false,"IsMember":false,"UseCvr":false}"#,
    )
    .unwrap();
    let mut spec = std::ffi::OsString::from("@");
    spec.push(&file);
    let out = dinero(&["post", "/v1/{organizationId}/contacts", "--json"])
        .arg(spec)
        .envs(env_of(&sb))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ContactGuid"), "{}", stdout(&out));
}

#[test]
fn a_shared_state_the_library_cannot_use_is_a_warning_on_stderr() {
    let sb = sandbox();
    let dir = folder("not-state");
    let notes = dir.path().join("notes");
    std::fs::write(&notes, "my own notes\n").unwrap();
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = dinero(&["organizations"])
        .envs(env_of(&sb))
        .env("DINERO_SHARED_STATE", &notes)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("dinero: warning:") && said.contains("shared_state"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my own notes\n");
}

#[cfg(feature = "sandbox")]
#[test]
fn login_refuses_a_sandbox_that_would_end_with_the_command() {
    let out = dinero(&["--sandbox", "login", "--timeout-secs", "1"])
        .env("DINERO_CLIENT_ID", "isv_x")
        .env("DINERO_CLIENT_SECRET", "y")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("dinero-sandbox"), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("connect.visma.com"),
        "{}",
        stderr(&out)
    );
}

/// `dinero login` done: the folder (removed when dropped) and the config file in it holding
/// the refresh token, and the settings later commands run with.
fn signed_in(
    sb: &Sandbox,
    name: &str,
) -> (tempfile::TempDir, PathBuf, Vec<(&'static str, String)>) {
    let c = sb.config();
    let dir = folder(name);
    let file = dir.path().join("dinero").join("config");
    let env = vec![
        ("DINERO_CLIENT_ID", c.connect_client_id.clone()),
        ("DINERO_CLIENT_SECRET", c.connect_client_secret.clone()),
        ("DINERO_CONNECT_URL", sb.connect_url()),
        ("DINERO_API_URL", sb.url()),
        ("DINERO_ORGANIZATION_ID", c.organization_id.to_string()),
    ];
    let mut login = Running(Some(
        dinero(&["--config", file.to_str().unwrap(), "login"])
            .args(["--timeout-secs", "60"])
            .envs(env.clone())
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    ));
    let child = login.0.as_mut().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap());
    let prefix = format!("{}/connect/authorize?", sb.connect_url());
    let url = loop {
        let mut line = String::new();
        assert!(
            lines.read_line(&mut line).unwrap() > 0,
            "no address printed"
        );
        if line.trim().starts_with(&prefix) {
            break line.trim().to_string();
        }
    };
    play_browser(&url);
    let mut rest = String::new();
    lines.read_to_string(&mut rest).unwrap();
    assert!(login.output().status.success(), "{rest}");
    (dir, file, env)
}

/// A folder nobody can add a file to while this lives, root included (root ignores the mode,
/// so it gets the immutable attribute instead).
struct Unwritable<'a>(&'a Path, bool);

impl<'a> Unwritable<'a> {
    /// As root, this needs `chattr` and the right to set the attribute (CAP_LINUX_IMMUTABLE,
    /// which root has outside a container that drops it): without them it fails, loudly.
    fn new(dir: &'a Path) -> Self {
        // Made first, so that whatever fails below, the folder is given back.
        let mut locked = Unwritable(dir, false);
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o500)).unwrap();
        let probe = dir.join("probe");
        if std::fs::write(&probe, b"").is_ok() {
            std::fs::remove_file(&probe).unwrap();
            locked.1 = true;
            let set = Command::new("chattr").arg("+i").arg(dir).status();
            assert!(
                set.is_ok_and(|s| s.success()),
                "chattr +i {}: as root, this test needs chattr and CAP_LINUX_IMMUTABLE",
                dir.display()
            );
        }
        assert!(
            std::fs::write(&probe, b"").is_err(),
            "{} is still writable",
            dir.display()
        );
        locked
    }
}

impl Drop for Unwritable<'_> {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(self.0).status();
        }
        let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o700));
    }
}

fn refresh_token_in(file: &Path) -> String {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("DINERO_REFRESH_TOKEN="))
        .expect("a refresh token in the file")
        .to_string()
}

#[test]
fn a_config_file_that_cannot_take_a_new_refresh_token_is_refused_before_the_old_one_is_spent() {
    let sb = sandbox();
    let (_dir, file, env) = signed_in(&sb, "unwritable-at-start");
    let refreshes = || sb.stats()["connect"]["refreshes"].as_u64().unwrap();
    let (token, spent) = (refresh_token_in(&file), refreshes());
    let get = || {
        dinero(&[
            "--config",
            file.to_str().unwrap(),
            "get",
            "/v1/{organizationId}/contacts",
        ])
        .envs(env.clone())
        .output()
        .unwrap()
    };
    let refused = {
        let _locked = Unwritable::new(file.parent().unwrap());
        get()
    };
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("cannot write the config file"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(refreshes(), spent, "the refresh token was not spent");
    assert_eq!(refresh_token_in(&file), token);
    let later = get();
    assert!(later.status.success(), "{}", stderr(&later));
}

#[test]
fn a_refresh_token_the_config_file_cannot_take_mid_run_fails_the_command_that_got_it() {
    let sb = sandbox(); // three contacts
    let (_dir, file, env) = signed_in(&sb, "unwritable-mid-run");
    // The first page waits 3 s; the second is answered 401, so the client refreshes again,
    // and that new refresh token meets a folder that has become unwritable meanwhile.
    sb.inject(json!([
        {"kind": "delay", "delay_ms": 3000, "count": 1, "path_contains": "/contacts"},
        {"kind": "status", "status": 401, "count": 1, "path_contains": "/contacts"}
    ]))
    .unwrap();
    let listing = Running(Some(
        dinero(&["--config", file.to_str().unwrap(), "paginate"])
            .args(["/v1/{organizationId}/contacts", "--page-size", "1"])
            .envs(env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    // The sandbox logs a request as it arrives: once the first page is there, the sign-in has
    // written its token, and the page is waiting out its delay.
    let deadline = Instant::now() + Duration::from_secs(30);
    let arrived = || {
        sb.requests()
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["path"].as_str().is_some_and(|p| p.contains("/contacts")))
    };
    while !arrived() {
        assert!(
            Instant::now() < deadline,
            "the command never asked for a page"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = {
        let _locked = Unwritable::new(file.parent().unwrap());
        listing.output()
    };
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().count(),
        3,
        "the listing itself succeeded: {}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("the new refresh token could not be kept"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_refresh_token_given_in_the_environment_starts_the_config_file() {
    let sb = sandbox();
    let (_dir, file, env) = signed_in(&sb, "from-environment");
    let token = refresh_token_in(&file);
    // A new machine: no config file, not even its folder; the token comes in the environment.
    let home = folder("new-home");
    let out = dinero(&["get", "/v1/{organizationId}/contacts"])
        .envs(env)
        .env("DINERO_REFRESH_TOKEN", &token)
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let kept = home.path().join("dinero").join("config");
    assert_ne!(
        refresh_token_in(&kept),
        token,
        "the new refresh token is kept"
    );
}

#[test]
fn usage_mistakes_are_told_in_the_command_s_own_words() {
    let sb = sandbox();
    // Visma Connect without DINERO_ORGANIZATION_ID: a path that needs one says which setting.
    let (_dir, file, env) = signed_in(&sb, "no-organization");
    let without_organization: Vec<_> = env
        .into_iter()
        .filter(|(key, _)| *key != "DINERO_ORGANIZATION_ID")
        .collect();
    let out = dinero(&["--config", file.to_str().unwrap(), "get"])
        .arg("/v1/{organizationId}/contacts")
        .envs(without_organization)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("DINERO_ORGANIZATION_ID is not set"),
        "{}",
        stderr(&out)
    );
    for (path, json, said) in [
        (
            "/v1/{organizationId}/contacts",
            "[1]",
            "--json must be a JSON object",
        ),
        ("/v1/{organizationId}/contacts?x=1", "{}", "without a query"),
    ] {
        let out = run_with(&sb, &["create", path, "--json", json]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(said), "{}", stderr(&out));
    }
}
