//! `dinero login`: Visma Connect's sign-in from a terminal. The command listens on a free
//! loopback port (RFC 8252: a native app's redirect URI on 127.0.0.1), prints the address to
//! open in a browser, waits for the browser to come back with the code, exchanges it, and
//! keeps the refresh token in the private config file for every later command.

use crate::args::Login;
use crate::config_file;
use crate::credentials::{self, required};
use crate::exit::Failure;
use dinero::connect::{Authorization, RefreshTokenSink};
use dinero::{Client, Config};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The path the browser is sent back to.
const CALLBACK_PATH: &str = "/callback";
/// A browser's request is a few kilobytes; Visma Connect's form post is smaller still.
const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

pub fn login(config_given: Option<&Path>, args: &Login) -> Result<(), Failure> {
    let values = credentials::settings_before_login(config_given)?;
    let file = credentials::config_path(config_given).ok_or_else(|| {
        Failure::usage(
            "no place for the config file: set HOME or XDG_CONFIG_HOME, or give --config",
        )
    })?;
    let [client_id, client_secret] =
        required(&values, ["DINERO_CLIENT_ID", "DINERO_CLIENT_SECRET"])?;
    let mut config = connect_config(&values)?;

    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .map_err(|e| Failure::usage(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let port = listener
        .local_addr()
        .map_err(|e| Failure::usage(e.to_string()))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}{CALLBACK_PATH}");
    let authorization = Authorization::new(client_id, &redirect_uri, &config)?;
    note!(
        "Open this address in a browser to sign in to Dinero through Visma Connect:\n\n  {}\n\n\
         Waiting up to {} s for the browser to come back to {redirect_uri} ...",
        authorization.url,
        args.timeout_secs
    );
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);
    let callback = wait_for_callback(&listener, &authorization, deadline)?;

    let unsaved = keep_refresh_tokens(&mut config, &file);
    let client =
        Client::authenticate_code(client_id, client_secret, &authorization, &callback, config)?;
    if let Some(failure) = unsaved.take() {
        return Err(failure);
    }
    note!(
        "Signed in. The refresh token is kept in {}.",
        file.display()
    );
    report_organizations(&client, &values, &file)
}

/// The client settings of the Visma Connect flow, from the DINERO_* settings.
pub fn connect_config(values: &HashMap<String, String>) -> Result<Config, Failure> {
    let mut config = Config {
        logger: Some(crate::warnings::on_stderr()),
        ..Config::default()
    };
    for (option, key) in [
        ("connect_url", "DINERO_CONNECT_URL"),
        ("api_url", "DINERO_API_URL"),
        ("ca_file", "DINERO_CA_FILE"),
        ("organization_id", "DINERO_ORGANIZATION_ID"),
        ("shared_state", "DINERO_SHARED_STATE"),
    ] {
        if let Some(value) = values.get(key) {
            config.set(option, value)?;
        }
    }
    if config.shared_state.is_some() {
        // One person's terminal: the grant is the client id's (the store is keyed by it too).
        config.set("grant_name", "dinero-cli")?;
    }
    Ok(config)
}

/// Where a failure to keep a new refresh token waits to be told: the library hands the token
/// to the sink, which cannot fail the call it runs in.
#[derive(Clone, Default)]
pub struct Unsaved(Arc<Mutex<Option<Failure>>>);

impl Unsaved {
    /// The failure, if a write failed since the last look.
    pub fn take(&self) -> Option<Failure> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Every new refresh token goes into the config file before the library relies on it; a
/// failure to write it is kept and told when the call returns (`Unsaved::take`).
pub fn keep_refresh_tokens(config: &mut Config, file: &Path) -> Unsaved {
    let unsaved = Unsaved::default();
    let seen = unsaved.clone();
    let file: PathBuf = file.to_path_buf();
    config.refresh_token_sink = Some(RefreshTokenSink::new(move |token| {
        if let Err(mut failure) = config_file::store(&file, "DINERO_REFRESH_TOKEN", token) {
            failure.message = format!(
                "the new refresh token could not be kept ({}): run dinero login again once \
                 the file can be written",
                failure.message
            );
            *seen.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(failure);
        }
    }));
    unsaved
}

/// Lists what the sign-in reaches; with exactly one organization and none chosen, chooses it.
fn report_organizations(
    client: &Client,
    values: &HashMap<String, String>,
    file: &Path,
) -> Result<(), Failure> {
    // Signed in already: a listing that fails is told, and the sign-in stands.
    let failed = match client.organizations() {
        Ok(response) => match response.api_error() {
            None => Ok(serde_json::from_slice(response.body()).unwrap_or_default()),
            Some(error) => Err(error.description()),
        },
        Err(error) => Err(error.message().to_string()),
    };
    let listed: serde_json::Value = match failed {
        Ok(listed) => listed,
        Err(why) => {
            note!("dinero: warning: the organizations could not be listed ({why})");
            if !values.contains_key("DINERO_ORGANIZATION_ID") {
                note!("Set DINERO_ORGANIZATION_ID to the one to use.");
            }
            return Ok(());
        }
    };
    let organizations: Vec<(String, String)> = listed
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|o| {
                    (
                        o["Id"].to_string(),
                        o["Name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    for (id, name) in &organizations {
        note!(
            "  organization {id}: {}",
            dinero::printable_excerpt(name, 80)
        );
    }
    match organizations.as_slice() {
        [(id, _)] if !values.contains_key("DINERO_ORGANIZATION_ID") => {
            config_file::store(file, "DINERO_ORGANIZATION_ID", id)?;
            note!("Organization {id} is chosen for later commands.");
        }
        _ if !values.contains_key("DINERO_ORGANIZATION_ID") => note!(
            "Choose one for later commands: DINERO_ORGANIZATION_ID=<id> in the environment or {}.",
            file.display()
        ),
        _ => {}
    }
    Ok(())
}

/// Waits for the browser's request to the callback path and answers it; returns what it
/// carried (the form body of a POST, the query of a GET). Other requests get a 404 (a
/// favicon) or a 400 (one to the callback path without this sign-in's state: any local
/// process, or any web page the user has open, can send one), and the wait goes on, until
/// `deadline`.
fn wait_for_callback(
    listener: &TcpListener,
    authorization: &Authorization,
    deadline: Instant,
) -> Result<String, Failure> {
    listener
        .set_nonblocking(true)
        .map_err(|e| Failure::usage(e.to_string()))?;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(callback) = answer(stream, authorization, deadline) {
                    return Ok(callback);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(Failure::usage(
                        "the browser did not come back in time; run dinero login again",
                    ));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(Failure::usage(format!("waiting for the browser: {e}"))),
        }
    }
}

/// Reads one request; Some(its fields) when it is the callback. A peer that trickles its
/// request, or never sends one, is given up on at `deadline`, the whole wait's end.
fn answer(
    mut stream: TcpStream,
    authorization: &Authorization,
    deadline: Instant,
) -> Option<String> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let (method, target, body) = read_request(&mut stream, deadline)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if path != CALLBACK_PATH {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return None;
    }
    let fields = match method.as_str() {
        "POST" => String::from_utf8_lossy(&body).into_owned(),
        _ => query.to_string(),
    };
    if !authorization.answered_by(&fields) {
        page(
            &mut stream,
            "400 Bad Request",
            "This is not the answer to the sign-in the \
             dinero command is waiting for; it goes on waiting.",
        );
        return None;
    }
    page(
        &mut stream,
        "200 OK",
        "The dinero command has the answer. You can close this \
         window and go back to the terminal.",
    );
    Some(fields)
}

/// A small page for the browser (what happened is printed in the terminal).
fn page(stream: &mut TcpStream, status: &str, text: &str) {
    let page = format!("<!doctype html><title>dinero login</title><p>{text}</p>");
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
}

/// Method, target and body of one HTTP/1.1 request, or None if it is not one.
fn read_request(stream: &mut TcpStream, deadline: Instant) -> Option<(String, String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    // Each read waits at most READ_TIMEOUT, and never past the deadline.
    let read_some = |stream: &mut TcpStream, chunk: &mut [u8]| {
        let left = deadline.checked_duration_since(Instant::now())?;
        stream
            .set_read_timeout(Some(left.min(READ_TIMEOUT).max(Duration::from_millis(1))))
            .ok()?;
        stream.read(chunk).ok().filter(|n| *n > 0)
    };
    loop {
        let read = read_some(stream, &mut chunk)?;
        buffer.extend_from_slice(&chunk[..read]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buffer) {
            Ok(httparse::Status::Complete(head)) => {
                let length = request
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
                    .unwrap_or(0usize);
                // Checked without an addition that a huge Content-Length would overflow.
                if length > MAX_REQUEST_BYTES.saturating_sub(head) {
                    return None;
                }
                let method = request.method?.to_string();
                let target = request.path?.to_string();
                while buffer.len() < head + length {
                    let read = read_some(stream, &mut chunk)?;
                    buffer.extend_from_slice(&chunk[..read]);
                }
                return Some((method, target, buffer[head..head + length].to_vec()));
            }
            Ok(httparse::Status::Partial) if buffer.len() < MAX_REQUEST_BYTES => {}
            _ => return None,
        }
    }
}
