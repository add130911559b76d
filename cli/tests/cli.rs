//! `dinero` end to end: the binary against an in-process sandbox, through its environment,
//! config file and exit codes.

mod common;

use common::{dinero, env_of, play_browser, run_with, sandbox, stderr, stdout};
use dinero_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, Stdio};
use std::time::Duration;

#[test]
fn token_and_organizations() {
    let sb = sandbox();
    let token = run_with(&sb, &["token"]);
    assert!(token.status.success(), "{}", stderr(&token));
    assert!(stdout(&token).trim().starts_with("eyJ"));
    let orgs = run_with(&sb, &["organizations"]);
    let json: Value = serde_json::from_slice(&orgs.stdout).unwrap();
    assert_eq!(json[0]["Id"].as_u64(), Some(sb.config().organization_id));
}

#[test]
fn get_with_encoded_query_parameters() {
    let sb = sandbox();
    let out = run_with(
        &sb,
        &[
            "get",
            "/v1/{organizationId}/contacts",
            "-q",
            "queryFilter=Name eq 'Børge Lund'",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Collection"][0]["Name"], "Børge Lund");
}

#[test]
fn post_put_delete_from_inline_file_and_stdin() {
    let sb = sandbox();
    let invoice = r#"{"Description":"Kaffe","ProductLines":[{"Description":"Kaffe","Quantity":1,"BaseAmountValue":25}]}"#;
    let created = run_with(
        &sb,
        &["post", "/v1/{organizationId}/invoices", "--json", invoice],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let created: Value = serde_json::from_slice(&created.stdout).unwrap();
    let (guid, stamp) = (
        created["Guid"].as_str().unwrap(),
        created["TimeStamp"].as_str().unwrap(),
    );

    // Invoice updates are v1.2 and need the current Timestamp.
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("update.json");
    std::fs::write(&file, format!(r#"{{"Description":"Kaffe stor","ProductLines":[{{"Quantity":1,"BaseAmountValue":30}}],"Timestamp":"{stamp}"}}"#)).unwrap();
    let put_path = format!("/v1.2/{{organizationId}}/invoices/{guid}");
    let updated = run_with(
        &sb,
        &["put", &put_path, "--json", &format!("@{}", file.display())],
    );
    assert!(updated.status.success(), "{}", stderr(&updated));
    let stamp: Value = serde_json::from_slice(&updated.stdout).unwrap();

    let path = format!("/v1/{{organizationId}}/invoices/{guid}");
    let mut delete = dinero(&["delete", &path, "--json", "-"])
        .envs(env_of(&sb))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    write!(
        delete.stdin.take().unwrap(),
        r#"{{"Timestamp":"{}"}}"#,
        stamp["TimeStamp"].as_str().unwrap()
    )
    .unwrap();
    let deleted = delete.wait_with_output().unwrap();
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    let gone = run_with(&sb, &["get", &path]);
    assert_eq!(gone.status.code(), Some(5), "deleted: Dinero's code 65");
}

#[test]
fn paginate_prints_one_object_per_line_for_every_item() {
    let sb = Sandbox::start(Config {
        seed_contacts: 23,
        ..Config::default()
    })
    .unwrap();
    let out = run_with(
        &sb,
        &[
            "paginate",
            "/v1/{organizationId}/contacts",
            "--page-size",
            "10",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let total = serde_json::from_slice::<Value>(
        &run_with(&sb, &["get", "/v1/{organizationId}/contacts"]).stdout,
    )
    .unwrap()["Pagination"]["Result"]
        .as_u64()
        .unwrap();
    assert_eq!(lines.len() as u64, total);
    assert!(lines.iter().all(|c| c["ContactGuid"].is_string()));
    assert!(
        !stderr(&out).contains("page 0"),
        "no progress line when stderr is not a terminal"
    );
}

#[test]
fn exit_codes_tell_failures_apart() {
    let sb = sandbox();
    let api = run_with(
        &sb,
        &[
            "post",
            "/v1/{organizationId}/contacts",
            "--json",
            r#"{"CountryKey":"DK"}"#,
        ],
    );
    assert_eq!(api.status.code(), Some(5));
    assert!(
        stderr(&api).contains("HTTP 400 (Dinero code 42): Validation error"),
        "{}",
        stderr(&api)
    );
    // The request answered is named, so a wrong path or api_url shows.
    assert!(
        stderr(&api).contains("(POST /v1/{organizationId}/contacts)"),
        "{}",
        stderr(&api)
    );

    let mut env = env_of(&sb);
    env[2].1 = "wrong-key".into();
    let auth = dinero(&["token"]).envs(env).output().unwrap();
    assert_eq!(auth.status.code(), Some(3));
    assert!(stderr(&auth).contains("rejected the API key"));
    assert!(!stderr(&auth).contains("wrong-key"));

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut env = env_of(&sb);
    env[4].1 = format!("http://127.0.0.1:{closed}/token");
    let network = dinero(&["token"]).envs(env).output().unwrap();
    assert_eq!(network.status.code(), Some(4), "{}", stderr(&network));
    let server = format!("(http://127.0.0.1:{closed}");
    assert!(stderr(&network).contains(&server), "{}", stderr(&network));

    // A first run is told every setting it lacks at once, in the order the docs give them.
    let missing = dinero(&["token"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains(
            "DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY and DINERO_ORGANIZATION_ID \
             are not set"
        ),
        "{}",
        stderr(&missing)
    );
    let no_api_key = dinero(&["token"])
        .envs(
            env_of(&sb)
                .into_iter()
                .filter(|(key, _)| *key != "DINERO_API_KEY"),
        )
        .output()
        .unwrap();
    assert_eq!(no_api_key.status.code(), Some(2));
    assert!(
        stderr(&no_api_key).contains("dinero: DINERO_API_KEY is not set ("),
        "{}",
        stderr(&no_api_key)
    );

    let bad_json = run_with(&sb, &["post", "/x", "--json", "{not json"]);
    assert_eq!(bad_json.status.code(), Some(2));
    let bad_args = dinero(&["get"]).output().unwrap();
    assert_eq!(bad_args.status.code(), Some(2));
}

#[test]
fn a_config_file_must_be_private() {
    let sb = sandbox();
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dinero.conf");
    let lines: String = env_of(&sb)
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect();
    std::fs::write(&file, format!("# sandbox\n{lines}")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = dinero(&["--config", file.to_str().unwrap(), "token"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("chmod 600"),
        "{}",
        stderr(&refused)
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let ok = dinero(&["--config", file.to_str().unwrap(), "organizations"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
}

/// The development build (the Makefile's test builds enable the `sandbox` feature).
#[cfg(feature = "sandbox")]
#[test]
fn sandbox_mode_needs_no_credentials() {
    let out = dinero(&["--sandbox", "get", "/v1/organizations"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("using a local sandbox at http://127.0.0.1:"));
}

/// What `make install` ships: no sandbox linked in, so no --sandbox.
#[cfg(not(feature = "sandbox"))]
#[test]
fn the_shipped_command_has_no_sandbox() {
    let out = dinero(&["--sandbox", "get", "/v1/organizations"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--sandbox"), "{}", stderr(&out));
    let help = dinero(&["--help"]).output().unwrap();
    assert!(!stdout(&help).contains("sandbox"), "{}", stdout(&help));
}

#[test]
fn every_command_has_help() {
    for command in [
        "token",
        "organizations",
        "get",
        "post",
        "put",
        "delete",
        "paginate",
    ] {
        let help = dinero(&[command, "--help"]).output().unwrap();
        assert!(
            help.status.success() && stdout(&help).contains("Usage: dinero"),
            "{command}"
        );
    }
}

/// A 0600 config file with the sandbox's settings and `extra` lines after them.
fn private_config(sb: &Sandbox, name: &str, extra: &str) -> PathBuf {
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_file(&file);
    let lines: String = env_of(sb)
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect();
    std::fs::write(&file, format!("{lines}{extra}")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    file
}

#[test]
fn config_errors_name_the_line_never_its_content() {
    let sb = sandbox();
    // A line mistyped with ':' for '=': the text before the '=' holds the start of a secret.
    let file = private_config(
        &sb,
        "typo.conf",
        "DINERO_CLIENT_SECRET: hunter2-first=half\n",
    );
    let out = dinero(&["--config", file.to_str().unwrap(), "token"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("typo.conf:7: "), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!err.contains("DINERO_CLIENT_SECRET:"), "{err}");
}

#[test]
fn a_config_file_must_be_our_own_file_not_a_link_or_another_users() {
    let sb = sandbox();
    let real = private_config(&sb, "real.conf", "");
    let ok = dinero(&["--config", real.to_str().unwrap(), "organizations"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));

    let link = real.with_file_name("link.conf");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let followed = dinero(&["--config", link.to_str().unwrap(), "organizations"])
        .output()
        .unwrap();
    assert_eq!(followed.status.code(), Some(2), "{}", stdout(&followed));
    assert!(
        stderr(&followed).contains("is a symbolic link"),
        "{}",
        stderr(&followed)
    );

    // Another user's file, private to them: planted as root (chowned to nobody), or, without
    // root, one that root owns.
    let foreign = if std::fs::metadata(&real).unwrap().uid() == 0 {
        let planted = private_config(&sb, "planted.conf", "");
        std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
        planted
    } else {
        PathBuf::from("/etc/passwd")
    };
    let trusted = dinero(&["--config", foreign.to_str().unwrap(), "organizations"])
        .output()
        .unwrap();
    assert_eq!(trusted.status.code(), Some(2), "{}", stdout(&trusted));
    assert!(
        stderr(&trusted).contains("belongs to another user"),
        "{}",
        stderr(&trusted)
    );
}

#[test]
fn dineros_message_reaches_the_terminal_printable_and_short() {
    let sb = sandbox();
    let hostile = format!(
        "\u{1b}]0;owned\u{7}\u{1b}[2J\ndinero: forged line\u{202e}{}",
        "x".repeat(5000)
    );
    let body = serde_json::json!({"code": 7, "message": hostile}).to_string();
    sb.inject(serde_json::json!({"kind": "status", "status": 400, "body": body}))
        .unwrap();
    let out = run_with(&sb, &["get", "/v1/organizations"]);
    assert_eq!(out.status.code(), Some(5));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !err.trim_end()
            .chars()
            .any(|c| c.is_control() || c == '\u{202e}'),
        "{err:?}"
    );
    assert!(err.len() < 600, "{} bytes", err.len());
    assert!(
        err.contains("(Dinero code 7): ]0;owned [2J dinero: forged line x"),
        "{err}"
    );
}

#[test]
fn create_makes_an_entity_exactly_once_when_the_answer_is_lost() {
    let sb = sandbox();
    sb.inject(serde_json::json!({"kind": "reset", "after_processing": true, "method": "POST"}))
        .unwrap();
    let contact =
        r#"{"Name":"Åse Ørum","CountryKey":"DK","IsPerson":true,"IsMember":false,"UseCvr":false}"#;
    let out = run_with(
        &sb,
        &["create", "/v1/{organizationId}/contacts", "--json", contact],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let entity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(entity["Name"], "Åse Ørum", "the entity, read back");
    let guid = entity["ContactGuid"].as_str().unwrap();
    assert!(stderr(&out).contains(guid), "{}", stderr(&out));
    assert_eq!(sb.stats()["created"]["contacts"], 1);
    assert_eq!(sb.stats()["routes"]["POST /v1/{org}/contacts"], 1);

    let refused = run_with(
        &sb,
        &["create", "/v1/{organizationId}/products", "--json", "{}"],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
}

#[test]
fn login_signs_in_through_the_browser_and_later_commands_use_the_kept_refresh_token() {
    let sb = sandbox();
    let c = sb.config();
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("login-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join("dinero").join("config");
    let file_arg = file.to_str().unwrap().to_string();
    let connect_env = [
        ("DINERO_CLIENT_ID", c.connect_client_id.clone()),
        ("DINERO_CLIENT_SECRET", c.connect_client_secret.clone()),
        ("DINERO_CONNECT_URL", sb.connect_url()),
        ("DINERO_API_URL", sb.url()),
    ];
    let mut login = dinero(&["--config", &file_arg, "login", "--timeout-secs", "60"])
        .envs(connect_env.clone())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_lines = std::io::BufReader::new(login.stderr.take().unwrap());
    let mut shown = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(
            std::io::BufRead::read_line(&mut stderr_lines, &mut line).unwrap() > 0,
            "no URL printed: {shown}"
        );
        shown.push_str(&line);
        if let Some(url) = line
            .trim()
            .strip_prefix(&format!("{}/connect/authorize?", sb.connect_url()))
        {
            break format!("{}/connect/authorize?{url}", sb.connect_url());
        }
    };
    // A request to the callback without this sign-in's state (any local process, or any web
    // page the user has open, can send one) is refused, and the login goes on waiting.
    let port = url
        .split("redirect_uri=http%3A%2F%2F127.0.0.1%3A")
        .nth(1)
        .and_then(|rest| rest.split('%').next())
        .and_then(|port| port.parse::<u16>().ok())
        .expect("the callback's port in the address");
    let mut stray = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::io::Write::write_all(
        &mut stray,
        b"GET /callback?error=access_denied&state=forged HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    let mut refused = String::new();
    std::io::Read::read_to_string(&mut stray, &mut refused).unwrap();
    assert!(refused.starts_with("HTTP/1.1 400"), "{refused}");
    play_browser(&url);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr_lines, &mut rest).unwrap();
    let status = login.wait().unwrap();
    assert!(status.success(), "{shown}{rest}");
    assert!(
        rest.contains("Signed in") && rest.contains("organization"),
        "{rest}"
    );

    let kept = std::fs::read_to_string(&file).unwrap();
    assert_eq!(std::fs::metadata(&file).unwrap().mode() & 0o777, 0o600);
    let token = kept
        .lines()
        .find_map(|l| l.strip_prefix("DINERO_REFRESH_TOKEN="))
        .expect("the refresh token is kept")
        .to_string();
    assert!(
        !shown.contains(&token) && !rest.contains(&token),
        "the token was printed"
    );

    let org = c.organization_id.to_string();
    let get = |extra: &[(&str, &str)]| {
        dinero(&[
            "--config",
            &file_arg,
            "get",
            "/v1/{organizationId}/contacts",
        ])
        .envs(
            connect_env
                .iter()
                .filter(|(k, _)| *k != "DINERO_CLIENT_SECRET")
                .cloned(),
        )
        .envs(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .env("DINERO_CLIENT_SECRET", &c.connect_client_secret)
        .env("DINERO_ORGANIZATION_ID", &org)
        .output()
        .unwrap()
    };
    let contacts = get(&[]);
    assert!(contacts.status.success(), "{}", stderr(&contacts));
    assert!(
        stdout(&contacts).contains("Collection"),
        "{}",
        stdout(&contacts)
    );
    // A refresh token in the environment (a used-up one, as it is after its first use) does
    // not shadow the newest one, which the file keeps.
    let shadowed = get(&[("DINERO_REFRESH_TOKEN", "an-old-refresh-token")]);
    assert!(shadowed.status.success(), "{}", stderr(&shadowed));

    // The user revokes access: a clear exit code and what to do, no secret.
    sb.revoke_connect_grants();
    sb.expire_tokens();
    let refused = get(&[]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("dinero login"),
        "{}",
        stderr(&refused)
    );
    assert!(!stderr(&refused).contains(&token), "{}", stderr(&refused));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_error_answer_that_echoes_the_request_prints_no_token() {
    // A gateway that quotes the request back, Authorization header and all.
    let sb = sandbox();
    let token = stdout(&run_with(&sb, &["token"])).trim().to_string();
    assert!(token.len() > 20);
    sb.inject(serde_json::json!({"kind": "echo", "status": 400, "shape": "raw"}))
        .unwrap();
    let out = run_with(&sb, &["get", "/v1/organizations"]);
    assert_eq!(out.status.code(), Some(5));
    let (printed, said) = (stdout(&out), stderr(&out));
    assert!(!printed.contains(&token[..20]) && !said.contains(&token[..20]));
    // Stdout is the library's reading of the error, as JSON a script can use.
    let error: serde_json::Value = serde_json::from_str(&printed).expect("JSON on stdout");
    assert_eq!(error["status"], 400);
}

#[test]
fn answers_print_exactly_and_nothing_acts_on_the_terminal() {
    let sb = sandbox();
    // Numbers as Dinero wrote them; a C1 control and a bidirectional override in a string.
    let body =
        "{\"big\":12345678901234567890123,\"amount\":100.10,\"name\":\"a\u{9b}2Jb\u{202e}c\"}";
    sb.inject(serde_json::json!({"kind": "status", "status": 200, "body": body, "content_type": "application/json"}))
        .unwrap();
    let out = run_with(&sb, &["get", "/v1/organizations"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim_end(),
        "{\"big\":12345678901234567890123,\"amount\":100.10,\"name\":\"a\\u009b2Jb\\u202ec\"}"
    );
    // An answer that says it is JSON and is not is a malformed answer, not a success.
    sb.inject(serde_json::json!({"kind": "status", "status": 200, "body": "{\"a\":", "content_type": "application/json"}))
        .unwrap();
    let out = run_with(&sb, &["get", "/v1/organizations"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}

/// `dinero login --timeout-secs 2`, started and waiting for the browser: the process, its
/// callback port and the rest of its stderr.
fn login_waiting(sb: &Sandbox, name: &str) -> (Child, u16, std::io::BufReader<ChildStderr>) {
    let c = sb.config();
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let file = dir.join("dinero").join("config");
    let connect_env = [
        ("DINERO_CLIENT_ID", c.connect_client_id.clone()),
        ("DINERO_CLIENT_SECRET", c.connect_client_secret.clone()),
        ("DINERO_CONNECT_URL", sb.connect_url()),
        ("DINERO_API_URL", sb.url()),
    ];
    let mut login = dinero(&[
        "--config",
        file.to_str().unwrap(),
        "login",
        "--timeout-secs",
        "2",
    ])
    .envs(connect_env)
    .stderr(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    let mut lines = std::io::BufReader::new(login.stderr.take().unwrap());
    // The callback's port, from the redirect_uri in the address printed for the browser (the
    // address itself is the sandbox's, on 127.0.0.1 too).
    let port: u16 = loop {
        let mut line = String::new();
        assert!(std::io::BufRead::read_line(&mut lines, &mut line).unwrap() > 0);
        if let Some(rest) = line.split("redirect_uri=http%3A%2F%2F127.0.0.1%3A").nth(1) {
            break rest.split('%').next().unwrap().parse().unwrap();
        }
    };
    (login, port, lines)
}

/// How `login` ended, waiting at most 30 s: a hang catcher, not a timing assertion (its
/// deadline is 2 s).
fn login_ended(login: &mut Child) -> std::process::ExitStatus {
    (0..300)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(100));
            login.try_wait().unwrap()
        })
        .unwrap_or_else(|| {
            let _ = login.kill();
            panic!("dinero login was still waiting 30 s after a 2 s deadline");
        })
}

#[test]
fn login_gives_up_at_its_deadline_whatever_a_connection_does() {
    let sb = sandbox();
    // Its stderr is kept open: a command that cannot write its messages ends otherwise.
    let (mut login, port, _stderr) = login_waiting(&sb, "trickle");
    // A peer that sends its request one byte at a time, slower than the deadline allows.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let trickle = std::thread::spawn(move || {
        let mut peer = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        for byte in b"GET /callback?code=x&state=y HTTP/1.1\r\n"
            .iter()
            .cycle()
            .take(60)
        {
            if stopped.load(std::sync::atomic::Ordering::SeqCst)
                || std::io::Write::write_all(&mut peer, &[*byte]).is_err()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    let status = login_ended(&mut login);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = trickle.join();
    assert_eq!(status.code(), Some(2));
}

#[test]
fn a_callback_with_an_absurd_content_length_is_ignored_not_a_panic() {
    let sb = sandbox();
    let (mut login, port, mut stderr_rest) = login_waiting(&sb, "content-length");
    let mut peer = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::io::Write::write_all(
        &mut peer,
        b"POST /callback HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\nx",
    )
    .unwrap();
    let status = login_ended(&mut login);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr_rest, &mut rest).unwrap();
    assert!(!rest.contains("panicked"), "{rest}");
    assert_eq!(status.code(), Some(2), "{rest}");
}

#[test]
fn an_absurd_login_timeout_is_a_usage_error_not_a_panic() {
    let out = dinero(&["login", "--timeout-secs", "18446744073709551615"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn an_empty_or_relative_config_home_is_ignored() {
    // A folder with a config of its own (an unpacked archive's), its URLs pointing elsewhere.
    let sb = sandbox();
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cwd-{}", std::process::id()));
    let planted = dir.join("dinero").join("config");
    std::fs::create_dir_all(planted.parent().unwrap()).unwrap();
    std::fs::write(&planted, "DINERO_API_KEY=planted-key-123\n").unwrap();
    std::fs::set_permissions(
        &planted,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    for value in ["", "."] {
        let out = dinero(&["token"])
            .envs(
                env_of(&sb)
                    .into_iter()
                    .filter(|(k, _)| *k != "DINERO_API_KEY"),
            )
            .env("XDG_CONFIG_HOME", value)
            .env("HOME", "relative-home")
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_ne!(
            out.status.code(),
            Some(0),
            "XDG_CONFIG_HOME={value:?}: the planted config was used"
        );
        assert!(!stderr(&out).contains("planted"), "{}", stderr(&out));
    }
    assert_eq!(
        sb.stats()["token_requests"],
        0,
        "nothing was sent with the planted key"
    );
}

/// Runs `dinero` with its standard output on a new pseudo-terminal, as in an interactive shell;
/// returns the exit code, what reached the terminal and what went to stderr.
fn run_on_a_terminal(sb: &Sandbox, args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut leader, mut follower) = (-1, -1);
    // SAFETY: openpty writes two new descriptors into the two ints we pass and reads nothing
    // else (null name, termios and window size); each is owned by exactly one OwnedFd below.
    let opened = unsafe {
        libc::openpty(
            &mut leader,
            &mut follower,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened by openpty and nothing else owns them.
    let (leader, follower) =
        unsafe { (OwnedFd::from_raw_fd(leader), OwnedFd::from_raw_fd(follower)) };
    let child = dinero(args)
        .envs(env_of(sb))
        .stdin(Stdio::null())
        .stdout(Stdio::from(follower))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The child holds the only follower now, so reading ends (EIO) once it exits.
    let output = child.wait_with_output().unwrap();
    let mut shown = Vec::new();
    let _ = std::fs::File::from(leader).read_to_end(&mut shown);
    (output.status.code(), shown, stderr(&output))
}

#[test]
fn an_answer_that_is_not_text_is_not_printed_onto_a_terminal() {
    let sb = sandbox();
    // Bytes a terminal would act on: an escape sequence that clears the screen, a C0 control.
    let binary = "%PDF-1.7\u{1b}[2J\u{1}\u{7}stream";
    sb.inject(serde_json::json!({"kind": "status", "status": 200, "body": binary, "content_type": "application/pdf"}))
        .unwrap();
    let (code, shown, said) = run_on_a_terminal(&sb, &["get", "/v1/organizations"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("not printed on the terminal"), "{said}");
    assert!(
        !shown.windows(4).any(|w| w == b"%PDF"),
        "{}",
        String::from_utf8_lossy(&shown)
    );

    // The same answer redirected away from a terminal is written as it came, byte for byte.
    sb.inject(serde_json::json!({"kind": "status", "status": 200, "body": binary, "content_type": "application/pdf"}))
        .unwrap();
    let out = run_with(&sb, &["get", "/v1/organizations"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, binary.as_bytes());

    // Plain text still reaches the terminal.
    sb.inject(serde_json::json!({"kind": "status", "status": 200, "body": "all good\n", "content_type": "text/plain"}))
        .unwrap();
    let (code, shown, said) = run_on_a_terminal(&sb, &["get", "/v1/organizations"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(String::from_utf8_lossy(&shown).contains("all good"));
}

#[test]
fn output_trouble_never_turns_into_a_panic_or_a_wrong_exit_code() {
    let sb = sandbox();
    // stderr a broken pipe (its reader gone): the error line is dropped, the code stays 5.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = dinero(&["get", "/v1/{organizationId}/no/such/thing"])
        .envs(env_of(&sb))
        .stdout(Stdio::null())
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(5));

    // --pretty re-indents the answer's own text: numbers past f64 and i64, and trailing
    // zeros, print exactly as the server wrote them.
    sb.inject(serde_json::json!({"kind": "status", "status": 200,
        "body": "{\"a\":1e400,\"b\":1.10,\"c\":[12345678901234567890123]}"}))
        .unwrap();
    let out = run_with(&sb, &["--pretty", "get", "/v1/organizations"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "{\n  \"a\": 1e400,\n  \"b\": 1.10,\n  \"c\": [\n    12345678901234567890123\n  ]\n}"
    );

    // A --json file that cannot be read is a local failure (1), not a usage error.
    let out = run_with(
        &sb,
        &[
            "post",
            "/v1/{organizationId}/contacts",
            "--json",
            "@/no/such/file.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
