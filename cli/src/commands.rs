//! What each subcommand does, on libdinero's Rust API.

use crate::args::{Create, Paginate, Read, Write};
use crate::exit::Failure;
use crate::printable;
use dinero::{Client, RequestBuilder, Response};
use serde_json::Value;
use std::io::{IsTerminal, Read as _, Write as _};

pub struct Output {
    pub pretty: bool,
}

impl Output {
    /// Prints valid JSON text as the server wrote it, or indented with `--pretty`: either way
    /// every number exact, and nothing that would act on a terminal (`printable::json`).
    fn json(&self, text: &str) -> Result<(), Failure> {
        let text = text.trim();
        let pretty = self.pretty.then(|| crate::pretty::indent(text));
        print_line(printable::json(pretty.as_deref().unwrap_or(text)).as_ref())
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
            .map_err(not_written)
    }
}

fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(not_written)
}

/// Standard output could not take the answer. When its reader has gone (`dinero paginate |
/// head -2`), that is the reader's choice, not a failure: the command stops without a word.
fn not_written(error: std::io::Error) -> Failure {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return Failure::reader_gone();
    }
    Failure::other(format!("cannot write to standard output: {error}"))
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
    organization_chosen(client, &args.path)?;
    let response = client.send(&build("GET", args, None)?)?;
    finish(&response, out)
}

pub fn write(client: &Client, method: &str, args: &Write, out: &Output) -> Result<(), Failure> {
    organization_chosen(client, &args.target.path)?;
    let body = args.json.as_deref().map(json_body).transpose()?;
    let response = client.send(&build(method, &args.target, body)?)?;
    finish(&response, out)
}

/// An exactly-once create: prints the answer (or, when it was lost, the entity read back).
pub fn create(client: &Client, args: &Create, out: &Output) -> Result<(), Failure> {
    organization_chosen(client, &args.path)?;
    if args.path.contains('?') {
        return Err(Failure::usage(
            "create takes the collection's path alone, without a query: e.g. \
             /v1/{organizationId}/contacts",
        ));
    }
    let body = match &args.json {
        Some(spec) => json_body(spec)?,
        None => b"{}".to_vec(),
    };
    if !serde_json::from_slice::<Value>(&body).is_ok_and(|v| v.is_object()) {
        return Err(Failure::usage(
            "--json must be a JSON object: the entity to create",
        ));
    }
    let created = client.create(&args.path, &body)?;
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
    organization_chosen(client, &args.target.path)?;
    let progress = std::io::stderr().is_terminal();
    let mut pages = client.pages(build("GET", &args.target, None)?, args.page_size)?;
    let mut page = 0;
    while let Some(response) = pages.next_page()? {
        if let Some(error) = response.api_error() {
            // Standard output holds items only: the error goes to stderr, with the exit code.
            return Err(Failure::api(format!(
                "the API answered {} ({})",
                error.description(),
                response.request()
            )));
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

/// A path with `{organizationId}` needs an organization: told in the command's own words (the
/// library's name the option, which the command sets from DINERO_ORGANIZATION_ID).
fn organization_chosen(client: &Client, path: &str) -> Result<(), Failure> {
    if path.contains("{organizationId}") && client.config().organization_id.is_none() {
        return Err(Failure::usage(
            "the path uses {organizationId} but DINERO_ORGANIZATION_ID is not set (dinero \
             organizations lists those your sign-in reaches)",
        ));
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

/// The --json argument: inline JSON, @FILE (any file name the system takes, UTF-8 or not),
/// or - for standard input; checked to be JSON.
fn json_body(spec: &std::ffi::OsStr) -> Result<Vec<u8>, Failure> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = match spec.as_bytes() {
        b"-" => {
            let mut buffer = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buffer)
                .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
            buffer
        }
        [b'@', file @ ..] => {
            let file = std::path::Path::new(std::ffi::OsStr::from_bytes(file));
            std::fs::read(file)
                .map_err(|e| Failure::other(format!("cannot read {}: {e}", file.display())))?
        }
        inline => inline.to_vec(),
    };
    serde_json::from_slice::<Value>(&bytes)
        .map_err(|e| Failure::usage(format!("--json is not valid JSON: {e}")))?;
    Ok(bytes)
}

/// Prints the answer. An HTTP error becomes exit code 5 with Dinero's message on stderr; its
/// body is not printed as it came (a server may echo the request, the token in its
/// Authorization header included): stdout gets the library's reading of it instead, as JSON
/// (`status`, `code`, `message`, `validation_errors`, ...), with every secret scrubbed. A
/// redirect is not followed (Dinero's API never sends one: a proxy or a wrong DINERO_API_URL
/// does): it is a malformed answer (exit 4), as `paginate` finds it too.
fn finish(response: &Response, out: &Output) -> Result<(), Failure> {
    if let Some(redirect) = response.redirect() {
        return Err(Failure {
            code: crate::exit::NETWORK,
            message: format!("the server answered {redirect}, which is not followed"),
        });
    }
    let Some(error) = response.api_error() else {
        return out.body(response);
    };
    // The exit code and the line on stderr tell the error even when stdout cannot take it.
    let _ = out.json(&error.to_json());
    // The request as sent names the path: a wrong api_url or path shows at once.
    Err(Failure::api(format!(
        "the API answered {} ({})",
        error.description(),
        response.request()
    )))
}
