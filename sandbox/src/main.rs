//! `dinero-sandbox`: runs the sandbox as a process, for tests in other languages and by hand.
//! Prints the DINERO_* settings a client needs, optionally writes them to an env file, and
//! serves until killed (SIGINT/SIGTERM's default action is all the shutdown it needs).

use std::fs;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use dinero_sandbox::{Config, DraftPdf, DuplicateId, RefreshTokens, Sandbox};

const USAGE: &str = "\
usage: dinero-sandbox [options]

  --host ADDR                    address to bind (default 127.0.0.1)
  --port N                       port to bind (default 0: a free one)
  --client-id ID                 OAuth client id (default rasmus)
  --client-secret SECRET         OAuth client secret (default dinero)
  --api-key KEY                  the organization's API key
  --organization-id N            the organization id (default 424242)
  --token-lifetime-ms MS         access token lifetime (default 3600000)
  --rate-limit N                 requests per window per client id, 0 = off (default 100)
  --rate-window-ms MS            rate limit window (default 60000)
  --sliding-rate-window          judge the limit over any window of that length, not Dinero's
                                 fixed one opened by its first request (stricter)
  --rate-limit-retry-after SECS  a fixed Retry-After on rate-limit 429s (default: the
                                 seconds left in the window)
  --no-retry-after               rate-limit 429s without Retry-After
  --duplicate-id refuse|accept   a create whose id exists: 400 code 42 (default), or answered
                                 as created with the existing id, changing nothing
  --draft-pdf refuse|render      a draft's PDF: 400 code 59 (default), or rendered
  --any-filter-property          queryFilter on any property, not only Dinero's documented ones
  --list-unattached-files        list every upload in GET /v1/{org}/files (default: like
                                 Dinero, only files attached to a voucher, which the
                                 sandbox never has, so the list stays empty)
  --file-ready-delay-ms MS       a download answers 404 until MS after the upload, as a file
                                 in Dinero may take a second to become readable (default
                                 1000; 0: readable at once)
  --max-upload-bytes N           the largest file an upload may carry, 1 to 6291456
                                 (default 6291456, 6 MB read as MiB; 6000000 plays the
                                 other reading); more is Dinero's 413
  --seed-contacts N              generated contacts on top of the seed data (default 0)
  --idle-timeout-ms MS           close a kept-alive connection idle this long (default 60000)
  --connect-client-id ID         Visma Connect client id (default isv_sandbox)
  --connect-client-secret SECRET Visma Connect client secret (default connect-secret)
  --connect-redirect-uri URI     a redirect URI registered for the Connect client
                                 (repeatable; http://127.0.0.1, http://[::1] and
                                 http://localhost ones, any port and path, always pass)
  --connect-organizations LIST   the organization ids a Connect token reaches, comma-
                                 separated (default: --organization-id and 515151)
  --non-pro-organizations LIST   organizations without a Pro subscription, comma-separated:
                                 listed with IsPro false, and every API request for one
                                 is 403 with Dinero's code 48 (default: none)
  --refresh-tokens MODE          one-time: each refresh answers a new refresh token
                                 (default); reusable: the same one works until it expires
  --refresh-grace-ms MS          how long a rotated one-time refresh token still works,
                                 answering the same new one (default 10000)
  --refresh-token-lifetime-ms MS refresh token lifetime (default 31536000000, a year)
  --code-lifetime-ms MS          authorization code lifetime (default 60000)
  --env-file PATH                also write the DINERO_* lines to PATH (atomically)
  --tls                          serve HTTPS with a certificate made at start
  --ca-out PATH                  with --tls: write the CA certificate (PEM) to PATH; the env
                                 lines then include DINERO_CA_FILE=PATH
  --log                          one line per request on stderr
  --help                         this text
  --version                      the version
";

struct Options {
    config: Config,
    env_file: Option<PathBuf>,
    ca_out: Option<PathBuf>,
}

enum Parsed {
    Run(Box<Options>),
    Exit(ExitCode),
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Exit(code)) => return code,
        Err(message) => {
            eprintln!("dinero-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start(options.config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dinero-sandbox: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let mut env = env_lines(&sandbox);
    if let (Some(path), Some(pem)) = (&options.ca_out, sandbox.ca_pem()) {
        if let Err(e) = write_atomically(path, pem.as_bytes()) {
            eprintln!("dinero-sandbox: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        env.push_str(&format!("DINERO_CA_FILE={}\n", path.display()));
    }
    let mut stdout = io::stdout().lock();
    let printed = writeln!(stdout, "dinero-sandbox listening on {}", sandbox.url())
        .and_then(|()| stdout.write_all(env.as_bytes()))
        .and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(e) = printed {
        eprintln!("dinero-sandbox: cannot write to stdout: {e}");
    }
    if let Some(path) = &options.env_file {
        if let Err(e) = write_atomically(path, env.as_bytes()) {
            eprintln!("dinero-sandbox: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    loop {
        std::thread::park();
    }
}

fn env_lines(sandbox: &Sandbox) -> String {
    let config = sandbox.config();
    format!(
        "DINERO_AUTH_URL={}\nDINERO_API_URL={}\nDINERO_CLIENT_ID={}\nDINERO_CLIENT_SECRET={}\nDINERO_API_KEY={}\nDINERO_ORGANIZATION_ID={}\nDINERO_CONNECT_URL={}\nDINERO_CONNECT_CLIENT_ID={}\nDINERO_CONNECT_CLIENT_SECRET={}\n",
        sandbox.auth_url(),
        sandbox.url(),
        config.client_id,
        config.client_secret,
        config.api_key,
        config.organization_id,
        sandbox.connect_url(),
        config.connect_client_id,
        config.connect_client_secret
    )
}

/// Temp file + rename, so a script polling for the file never reads it half-written.
fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    fs::write(&tmp, contents)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut config = Config::default();
    let mut host: IpAddr = config.bind.ip();
    let mut port = 0u16;
    let mut env_file = None;
    let mut ca_out = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        // Both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let takes_value = !matches!(
            flag.as_str(),
            "--help"
                | "-h"
                | "--version"
                | "-V"
                | "--log"
                | "--tls"
                | "--no-retry-after"
                | "--any-filter-property"
                | "--list-unattached-files"
        );
        if inline.is_some() && !takes_value {
            return Err(format!("{flag} takes no value"));
        }
        match flag.as_str() {
            "--help" | "-h" => {
                print!("{USAGE}");
                return Ok(Parsed::Exit(ExitCode::SUCCESS));
            }
            "--version" | "-V" => {
                println!("dinero-sandbox {}", env!("CARGO_PKG_VERSION"));
                return Ok(Parsed::Exit(ExitCode::SUCCESS));
            }
            "--host" => host = parse(&flag, &value()?)?,
            "--port" => port = parse(&flag, &value()?)?,
            "--client-id" => config.client_id = value()?,
            "--client-secret" => config.client_secret = value()?,
            "--api-key" => config.api_key = value()?,
            "--organization-id" => config.organization_id = parse(&flag, &value()?)?,
            "--token-lifetime-ms" => config.token_lifetime = positive_ms(&flag, &value()?)?,
            "--rate-limit" => config.rate_limit = parse(&flag, &value()?)?,
            "--rate-window-ms" => config.rate_window = positive_ms(&flag, &value()?)?,
            "--sliding-rate-window" => {
                config.rate_window_kind = dinero_sandbox::RateWindow::Sliding
            }
            "--rate-limit-retry-after" => {
                let secs: u64 = parse(&flag, &value()?)?;
                config.rate_limit_retry_after = Some(secs.to_string());
            }
            "--no-retry-after" => config.retry_after_header = false,
            "--any-filter-property" => config.strict_query_filter = false,
            "--list-unattached-files" => config.list_unattached_files = true,
            "--max-upload-bytes" => {
                let max = Config::default().max_upload_bytes;
                config.max_upload_bytes = parse::<usize>(&flag, &value()?)
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| format!("{flag}: expected a whole number from 1 to {max}"))?;
            }
            "--file-ready-delay-ms" => {
                config.file_ready_delay = Duration::from_millis(parse(&flag, &value()?)?);
            }
            "--duplicate-id" => {
                let v = value()?;
                config.duplicate_id = DuplicateId::parse(&v)
                    .ok_or_else(|| format!("{flag}: expected refuse or accept, not {v:?}"))?;
            }
            "--draft-pdf" => {
                let v = value()?;
                config.draft_pdf = DraftPdf::parse(&v)
                    .ok_or_else(|| format!("{flag}: expected refuse or render, not {v:?}"))?;
            }
            "--seed-contacts" => config.seed_contacts = parse(&flag, &value()?)?,
            "--idle-timeout-ms" => config.idle_timeout = positive_ms(&flag, &value()?)?,
            "--connect-client-id" => config.connect_client_id = non_empty(&flag, value()?)?,
            "--connect-client-secret" => {
                config.connect_client_secret = non_empty(&flag, value()?)?;
            }
            "--connect-redirect-uri" => {
                config
                    .connect_redirect_uris
                    .push(non_empty(&flag, value()?)?);
            }
            "--connect-organizations" => {
                let ids = value()?
                    .split(',')
                    .map(|id| parse::<u64>(&flag, id.trim()))
                    .collect::<Result<Vec<_>, _>>()?;
                config.connect_organizations = Some(ids);
            }
            "--non-pro-organizations" => {
                config.non_pro_organizations = value()?
                    .split(',')
                    .map(|id| parse::<u64>(&flag, id.trim()))
                    .collect::<Result<Vec<_>, _>>()?;
            }
            "--refresh-tokens" => {
                let v = value()?;
                config.refresh_tokens = RefreshTokens::parse(&v)
                    .ok_or_else(|| format!("{flag}: expected one-time or reusable, not {v:?}"))?;
            }
            "--refresh-grace-ms" => {
                config.refresh_grace = Duration::from_millis(parse(&flag, &value()?)?);
            }
            "--refresh-token-lifetime-ms" => {
                config.refresh_token_lifetime = positive_ms(&flag, &value()?)?;
            }
            "--code-lifetime-ms" => config.code_lifetime = positive_ms(&flag, &value()?)?,
            "--env-file" => env_file = Some(PathBuf::from(value()?)),
            "--log" => config.log_requests = true,
            "--tls" => config.tls = true,
            "--ca-out" => ca_out = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    config.bind = SocketAddr::new(host, port);
    if ca_out.is_some() && !config.tls {
        return Err("--ca-out needs --tls".into());
    }
    Ok(Parsed::Run(Box::new(Options {
        config,
        env_file,
        ca_out,
    })))
}

fn parse<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: invalid value {value:?}"))
}

fn non_empty(flag: &str, value: String) -> Result<String, String> {
    if value.is_empty() {
        Err(format!("{flag} must not be empty"))
    } else {
        Ok(value)
    }
}

fn positive_ms(flag: &str, value: &str) -> Result<Duration, String> {
    match parse::<u64>(flag, value)? {
        0 => Err(format!("{flag} must be at least 1")),
        ms => Ok(Duration::from_millis(ms)),
    }
}
