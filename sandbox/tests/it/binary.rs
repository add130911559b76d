//! The `dinero-sandbox` executable: start-up lines, env file, flags.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use crate::client::Conn;

const BIN: &str = env!("CARGO_BIN_EXE_dinero-sandbox");

#[test]
fn prints_settings_writes_env_file_and_serves() {
    let dir = std::env::temp_dir().join(format!("dinero-sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env_file = dir.join("sandbox.env");
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--api-key",
            "k-123",
            "--organization-id",
            "77",
            "--env-file",
        ])
        .arg(&env_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("dinero-sandbox listening on ")
        .expect(&first)
        .to_owned();
    let printed: Vec<String> = lines.by_ref().take(9).map(Result::unwrap).collect();
    assert_eq!(
        printed[0],
        format!("DINERO_AUTH_URL={url}/dineroapi/oauth/token")
    );
    assert_eq!(printed[1], format!("DINERO_API_URL={url}"));
    assert_eq!(printed[2], "DINERO_CLIENT_ID=rasmus");
    assert_eq!(printed[3], "DINERO_CLIENT_SECRET=dinero");
    assert_eq!(printed[4], "DINERO_API_KEY=k-123");
    assert_eq!(printed[5], "DINERO_ORGANIZATION_ID=77");
    assert_eq!(printed[6], format!("DINERO_CONNECT_URL={url}"));
    assert_eq!(printed[7], "DINERO_CONNECT_CLIENT_ID=isv_sandbox");
    assert_eq!(printed[8], "DINERO_CONNECT_CLIENT_SECRET=connect-secret");
    // The env file appears (atomically) right after the lines are printed.
    let mut written = String::new();
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(&env_file) {
            written = text;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(written, printed.join("\n") + "\n");

    let addr = url.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(
        &mut s,
        b"GET /_sandbox/stats HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut s, &mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200 OK"));

    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_flags_exit_2_with_usage() {
    let out = Command::new(BIN).arg("--frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: dinero-sandbox"));
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("dinero-sandbox "));
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[test]
fn connect_flags_env_lines_and_log_lines_without_secrets() {
    let secret = "s3cr3t-of-the-client";
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--log",
            "--connect-client-id",
            "isv_acme",
            "--connect-client-secret",
            secret,
            "--connect-organizations",
            "5,6",
            "--refresh-tokens",
            "reusable",
            "--refresh-grace-ms",
            "0",
            "--refresh-token-lifetime-ms",
            "60000",
            "--code-lifetime-ms",
            "600000",
            "--connect-redirect-uri",
            "https://app.example/cb",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("dinero-sandbox listening on ")
        .expect(&first)
        .to_owned();
    let printed: Vec<String> = lines.by_ref().take(9).map(Result::unwrap).collect();
    assert_eq!(printed[6], format!("DINERO_CONNECT_URL={url}"));
    assert_eq!(printed[7], "DINERO_CONNECT_CLIENT_ID=isv_acme");
    assert_eq!(printed[8], format!("DINERO_CONNECT_CLIENT_SECRET={secret}"));
    let addr: std::net::SocketAddr = url.strip_prefix("http://").unwrap().parse().unwrap();

    let authorize = form(&[
        ("client_id", "isv_acme"),
        ("response_type", "code"),
        ("response_mode", "query"),
        ("redirect_uri", "https://app.example/cb"),
        ("scope", "dineropublicapi:read offline_access"),
        ("state", "the-state"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ]);
    let resp = Conn::to(addr)
        .send("GET", &format!("/connect/authorize?{authorize}"), &[], b"")
        .unwrap();
    assert_eq!(resp.status, 302);
    let location = resp.header("location").unwrap().to_owned();
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let content_type = [("Content-Type", "application/x-www-form-urlencoded")];
    let resp = Conn::to(addr)
        .send(
            "POST",
            "/connect/token",
            &content_type,
            form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://app.example/cb"),
                ("client_id", "isv_acme"),
                ("client_secret", secret),
                ("code_verifier", verifier),
            ])
            .as_bytes(),
        )
        .unwrap();
    assert_eq!(resp.status, 200, "the code exchange failed");
    let body = resp.json();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let orgs = Conn::to(addr)
        .send(
            "GET",
            "/v1/organizations",
            &[("Authorization", &format!("Bearer {access}"))],
            b"",
        )
        .unwrap()
        .json();
    assert_eq!(orgs[0]["Id"], 5);
    assert_eq!(orgs[1]["Id"], 6);
    let refresh_form = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &refresh),
        ("client_id", "isv_acme"),
        ("client_secret", secret),
    ]);
    for _ in 0..2 {
        let resp = Conn::to(addr)
            .send(
                "POST",
                "/connect/token",
                &content_type,
                refresh_form.as_bytes(),
            )
            .unwrap();
        assert!(
            resp.json()["refresh_token"] == refresh.as_str(),
            "reusable: the same refresh token"
        );
    }
    // A failed exchange too: its log line must not carry the code either.
    let resp = Conn::to(addr)
        .send(
            "POST",
            "/connect/token",
            &content_type,
            form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://app.example/cb"),
                ("client_id", "isv_acme"),
                ("client_secret", secret),
                ("code_verifier", verifier),
            ])
            .as_bytes(),
        )
        .unwrap();
    assert_eq!(resp.status, 400);

    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let secrets = [secret, verifier, &code, &access, &refresh, "the-state"];
    // What a failing assertion shows: the log with any secret in it blanked out.
    let shown = secrets
        .iter()
        .fold(log.clone(), |shown, s| shown.replace(s, "<secret>"));
    assert!(log.contains("GET /connect/authorize 302"), "{shown}");
    assert!(log.contains("POST /connect/token 200"), "{shown}");
    assert!(log.contains("POST /connect/token 400"), "{shown}");
    assert!(log == shown, "a secret in the log: {shown}");
}

#[test]
fn help_lists_the_connect_flags_and_bad_values_exit_2() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--connect-client-id",
        "--connect-client-secret",
        "--connect-redirect-uri",
        "--connect-organizations",
        "--refresh-tokens",
        "--refresh-grace-ms",
        "--refresh-token-lifetime-ms",
        "--code-lifetime-ms",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
    for args in [
        ["--refresh-tokens", "sometimes"],
        ["--connect-organizations", "1,x"],
        ["--code-lifetime-ms", "0"],
        ["--connect-client-secret", ""],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(args[0]));
    }
}

#[test]
fn file_archive_flags_set_the_config_and_bad_values_exit_2() {
    let settings = |args: &[&str]| {
        let mut child = Command::new(BIN)
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let first = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .next()
            .unwrap()
            .unwrap();
        let addr: std::net::SocketAddr = first
            .strip_prefix("dinero-sandbox listening on http://")
            .expect(&first)
            .parse()
            .unwrap();
        let resp = Conn::to(addr)
            .send("GET", "/_sandbox/config", &[], b"")
            .unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let config = resp.json();
        (
            config["list_unattached_files"].clone(),
            config["file_ready_delay_ms"].clone(),
        )
    };
    assert_eq!(
        settings(&[]),
        (serde_json::json!(false), serde_json::json!(1000)),
        "Dinero's archive by default"
    );
    assert_eq!(
        settings(&["--list-unattached-files", "--file-ready-delay-ms", "0"]),
        (serde_json::json!(true), serde_json::json!(0))
    );
    assert_eq!(
        settings(&["--file-ready-delay-ms=250"]).1,
        serde_json::json!(250)
    );

    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--list-unattached-files") && help.contains("--file-ready-delay-ms"));
    for args in [
        &["--file-ready-delay-ms", "-1"][..],
        &["--file-ready-delay-ms", "soon"],
        &["--file-ready-delay-ms"],
        &["--list-unattached-files=yes"],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(args[0].split('=').next().unwrap()));
    }
}
