//! What each subcommand does, on libdinero's Rust API.

use crate::args::{Paginate, Read, Write};
use crate::exit::Failure;
use dinero::{Client, RequestBuilder, Response};
use serde_json::Value;
use std::io::{IsTerminal, Read as _, Write as _};

pub struct Output {
    pub pretty: bool,
}

impl Output {
    fn json(&self, value: &Value) -> Result<(), Failure> {
        let text = if self.pretty {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        }
        .map_err(|e| Failure::api(format!("cannot print the answer: {e}")))?;
        print_line(&text)
    }

    /// Prints an answer: JSON re-printed (pretty if asked), anything else as it came.
    fn body(&self, response: &Response) -> Result<(), Failure> {
        match serde_json::from_slice::<Value>(response.body()) {
            Ok(value) => self.json(&value),
            Err(_) if response.body().is_empty() => Ok(()),
            Err(_) => {
                let mut out = std::io::stdout().lock();
                out.write_all(response.body())
                    .and_then(|()| out.flush())
                    .map_err(|e| Failure::api(format!("cannot write the answer: {e}")))
            }
        }
    }
}

fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(|e| Failure {
        code: crate::exit::OTHER,
        message: format!("cannot write to standard output: {e}"),
    })
}

pub fn token(client: &Client) -> Result<(), Failure> {
    let token = client.access_token()?;
    print_line(token.expose())
}

pub fn organizations(client: &Client, out: &Output) -> Result<(), Failure> {
    let response = client.request("GET", "/v1/organizations", None)?;
    finish(&response, out)
}

pub fn read(client: &Client, args: &Read, out: &Output) -> Result<(), Failure> {
    let response = client.send(&build("GET", args, None)?)?;
    finish(&response, out)
}

pub fn write(client: &Client, method: &str, args: &Write, out: &Output) -> Result<(), Failure> {
    let body = args.json.as_deref().map(json_body).transpose()?;
    let response = client.send(&build(method, &args.target, body)?)?;
    finish(&response, out)
}

/// Every item, one JSON object per line, paged by the library (zero-based `page`, the stop
/// rule of every binding).
pub fn paginate(client: &Client, args: &Paginate) -> Result<(), Failure> {
    let progress = std::io::stderr().is_terminal();
    let mut pages = client.pages(build("GET", &args.target, None)?, args.page_size)?;
    let mut page = 0;
    while let Some(response) = pages.next_page()? {
        if response.status() >= 400 {
            return finish(&response, &Output { pretty: false });
        }
        let items: Vec<Value> = serde_json::from_slice(response.body())
            .map_err(|e| Failure::api(format!("cannot read a page: {e}")))?;
        for item in &items {
            print_line(&item.to_string())?;
        }
        if progress {
            eprint!("\rdinero: page {page}, {} items", pages.items_seen());
        }
        page += 1;
    }
    if progress {
        eprintln!();
    }
    Ok(())
}

fn build(method: &str, args: &Read, body: Option<Vec<u8>>) -> Result<RequestBuilder, Failure> {
    let mut request = RequestBuilder::new(method, &args.path)?;
    for pair in &args.query {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("-q expects KEY=VALUE, got '{pair}'")))?;
        request.query(key, value);
    }
    if let Some(body) = body {
        request.body(body, "application/json")?;
    }
    Ok(request)
}

/// The --json argument: inline JSON, @FILE, or - for standard input; checked to be JSON.
fn json_body(spec: &str) -> Result<Vec<u8>, Failure> {
    let bytes = match spec {
        "-" => {
            let mut buffer = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buffer)
                .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
            buffer
        }
        _ if spec.starts_with('@') => std::fs::read(&spec[1..])
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", &spec[1..])))?,
        inline => inline.as_bytes().to_vec(),
    };
    serde_json::from_slice::<Value>(&bytes)
        .map_err(|e| Failure::usage(format!("--json is not valid JSON: {e}")))?;
    Ok(bytes)
}

/// Prints the answer; an HTTP error becomes exit code 5 with Dinero's message on stderr.
fn finish(response: &Response, out: &Output) -> Result<(), Failure> {
    out.body(response)?;
    if response.status() < 400 {
        return Ok(());
    }
    let error = response
        .api_error()
        .map(|e| e.description())
        .unwrap_or_default();
    Err(Failure::api(format!("the API answered {error}")))
}
