//! What each subcommand does, on libdinero's Rust API.

use crate::args::{Paginate, Read, Write};
use crate::exit::Failure;
use crate::printable;
use dinero::{Client, RequestBuilder, Response};
use serde_json::Value;
use std::io::{IsTerminal, Read as _, Write as _};

pub struct Output {
    pub pretty: bool,
}

impl Output {
    /// Prints JSON text: as the server wrote it (every number exact), or re-printed with
    /// `--pretty`; in both, nothing that would act on a terminal (`printable::json`).
    fn json(&self, text: &str) -> Result<(), Failure> {
        // JSON that serde's Value cannot hold (a number past f64, nesting past 128) is printed
        // as it came: --pretty is cosmetic, the answer was OK.
        let pretty = self
            .pretty
            .then(|| serde_json::from_str::<Value>(text).ok())
            .flatten()
            .and_then(|value| serde_json::to_string_pretty(&value).ok());
        print_line(printable::json(pretty.as_deref().unwrap_or(text.trim())).as_ref())
    }

    /// Prints an OK answer: JSON as JSON; any other body as it came, but not onto a terminal
    /// unless it is plain text (binary, or an escape sequence, would act on the terminal). An
    /// answer that says it is JSON and is not is a malformed answer (exit 4).
    fn body(&self, response: &Response) -> Result<(), Failure> {
        let body = response.body();
        if body.is_empty() {
            return Ok(());
        }
        if let Some(text) = std::str::from_utf8(body)
            .ok()
            .filter(|text| serde_json::from_str::<&serde_json::value::RawValue>(text).is_ok())
        {
            return self.json(text);
        }
        let says_json = response
            .header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().contains("json"));
        if says_json {
            return Err(Failure {
                code: crate::exit::NETWORK,
                message: format!(
                    "the answer (HTTP {}, {} bytes) says it is JSON but is not",
                    response.status(),
                    body.len()
                ),
            });
        }
        let mut out = std::io::stdout().lock();
        if out.is_terminal() && !printable::is_plain_text(body) {
            return Err(Failure {
                code: crate::exit::OTHER,
                message: format!(
                    "the answer is {} bytes that are not plain text: not printed on the \
                     terminal; redirect it to a file (> answer.bin)",
                    body.len()
                ),
            });
        }
        out.write_all(body)
            .and_then(|()| out.flush())
            .map_err(|e| Failure {
                code: crate::exit::OTHER,
                message: format!("cannot write to standard output: {e}"),
            })
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

/// An exactly-once create: prints the answer (or, when it was lost, the entity read back).
pub fn create(client: &Client, args: &Write, out: &Output) -> Result<(), Failure> {
    if !args.target.query.is_empty() {
        return Err(Failure::usage(
            "create takes a collection path without query parameters",
        ));
    }
    let body = json_body(args.json.as_deref().unwrap_or("{}"))?;
    let created = client.create(&args.target.path, &body)?;
    if created.recovered {
        note!(
            "dinero: the answer was lost; {} exists (read back)",
            created.guid
        );
    }
    finish(&created.response, out)
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
        // Each item as the server wrote it: its numbers exact, its text made safe to show.
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_slice(response.body())
            .map_err(|e| Failure::api(format!("cannot read a page: {e}")))?;
        for item in items {
            print_line(printable::json(item.get()).as_ref())?;
        }
        if progress {
            // Written like `note!`, without its line end: a failed write is dropped.
            let _ = write!(
                std::io::stderr(),
                "\rdinero: page {page}, {} items",
                pages.items_seen()
            );
        }
        page += 1;
    }
    if progress {
        note!();
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
            .map_err(|e| Failure::other(format!("cannot read {}: {e}", &spec[1..])))?,
        inline => inline.as_bytes().to_vec(),
    };
    serde_json::from_slice::<Value>(&bytes)
        .map_err(|e| Failure::usage(format!("--json is not valid JSON: {e}")))?;
    Ok(bytes)
}

/// Prints the answer. An HTTP error becomes exit code 5 with Dinero's message on stderr; its
/// body is not printed as it came (a server may echo the request, the token in its
/// Authorization header included): stdout gets the library's reading of it instead, as JSON
/// (`status`, `code`, `message`, `validation_errors`, ...), with every secret scrubbed.
fn finish(response: &Response, out: &Output) -> Result<(), Failure> {
    let Some(error) = response.api_error() else {
        return out.body(response);
    };
    out.json(&error.to_json())?;
    Err(Failure::api(format!(
        "the API answered {}",
        error.description()
    )))
}
