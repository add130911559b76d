//! The `dinero-sandbox` executable: start-up lines, env file, flags.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

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
    let printed: Vec<String> = lines.by_ref().take(6).map(Result::unwrap).collect();
    assert_eq!(
        printed[0],
        format!("DINERO_AUTH_URL={url}/dineroapi/oauth/token")
    );
    assert_eq!(printed[1], format!("DINERO_API_URL={url}"));
    assert_eq!(printed[2], "DINERO_CLIENT_ID=rasmus");
    assert_eq!(printed[3], "DINERO_CLIENT_SECRET=dinero");
    assert_eq!(printed[4], "DINERO_API_KEY=k-123");
    assert_eq!(printed[5], "DINERO_ORGANIZATION_ID=77");
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
