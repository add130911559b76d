//! What the command's tests share: the binary with a clean environment, a sandbox, and a
//! browser for `dinero login`.
#![allow(dead_code)] // each test file uses its own part

use dinero_sandbox::{Config, Sandbox};
use std::path::PathBuf;
use std::process::{Command, Output};

pub fn sandbox() -> Sandbox {
    Sandbox::start(Config {
        client_secret: "cli-test-secret".into(),
        ..Config::default()
    })
    .unwrap()
}

pub fn env_of(sb: &Sandbox) -> Vec<(&'static str, String)> {
    let c = sb.config();
    vec![
        ("DINERO_CLIENT_ID", c.client_id.clone()),
        ("DINERO_CLIENT_SECRET", c.client_secret.clone()),
        ("DINERO_API_KEY", c.api_key.clone()),
        ("DINERO_ORGANIZATION_ID", c.organization_id.to_string()),
        ("DINERO_AUTH_URL", sb.auth_url()),
        ("DINERO_API_URL", sb.url()),
    ]
}

/// The binary with no DINERO_* from the test's own environment and no user config file.
pub fn dinero(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dinero"));
    cmd.args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("DINERO_")) {
        cmd.env_remove(key);
    }
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-home");
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"));
    cmd
}

pub fn run_with(sb: &Sandbox, args: &[&str]) -> Output {
    dinero(args).envs(env_of(sb)).output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What a browser does with the authorize URL: the sandbox consents at once and answers a
/// self-submitting form; post its hidden fields to its action (the command's listener).
pub fn play_browser(url: &str) {
    let page = ureq::get(url)
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let attribute = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].replace("&amp;", "&"))
    };
    let action = attribute(&page[page.find("<form").unwrap()..], "action").unwrap();
    let mut form = form_urlencoded::Serializer::new(String::new());
    for input in page.split("<input").skip(1) {
        if let (Some(name), Some(value)) = (attribute(input, "name"), attribute(input, "value")) {
            form.append_pair(&name, &value);
        }
    }
    let answer = ureq::post(&action)
        .content_type("application/x-www-form-urlencoded")
        .send(form.finish())
        .unwrap();
    assert_eq!(answer.status(), 200);
}
