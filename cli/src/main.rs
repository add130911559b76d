//! `dinero`: the Dinero API from the command line, on libdinero.

/// A line on stderr that is dropped, not a panic (exit 101), when stderr is closed or a broken
/// pipe: the exit code still tells the caller what happened.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod commands;
mod config_file;
mod credentials;
mod exit;
mod login;
mod pretty;
mod printable;
mod warnings;

use args::{Cli, Command};
use clap::Parser;
use commands::Output;
use credentials::required;
use dinero::{Client, Config};
use exit::Failure;
use login::Unsaved;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                note!("dinero: {}", failure.message);
            }
            failure.exit_code()
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    if let Command::Login(args) = &cli.command {
        #[cfg(feature = "sandbox")]
        if cli.global.sandbox {
            return Err(Failure::usage(
                "--sandbox starts a sandbox for one command, and dinero login keeps a refresh \
                 token for later ones: start dinero-sandbox and set DINERO_CONNECT_URL and \
                 DINERO_API_URL to it instead",
            ));
        }
        return login::login(cli.global.config.as_deref(), args);
    }
    // Kept alive for the whole run when --sandbox asked for one.
    #[cfg(feature = "sandbox")]
    let sandbox = cli
        .global
        .sandbox
        .then(|| {
            dinero_sandbox::Sandbox::start(dinero_sandbox::Config::default())
                .map_err(|e| Failure::usage(format!("cannot start a sandbox: {e}")))
        })
        .transpose()?;
    #[cfg(feature = "sandbox")]
    let (client, unsaved) = match &sandbox {
        Some(sandbox) => {
            note!("dinero: using a local sandbox at {}", sandbox.url());
            let c = sandbox.config();
            let settings = [
                ("auth_url", sandbox.auth_url()),
                ("api_url", sandbox.url()),
                ("organization_id", c.organization_id.to_string()),
            ];
            let client = connect(&c.client_id, &c.client_secret, &c.api_key, &settings)?;
            (client, None)
        }
        None => configured(cli)?,
    };
    #[cfg(not(feature = "sandbox"))]
    let (client, unsaved) = configured(cli)?;
    let out = Output {
        pretty: cli.global.pretty,
    };
    let result = match &cli.command {
        Command::Token => commands::token(&client),
        Command::Organizations => commands::organizations(&client, &out),
        Command::Get(args) => commands::read(&client, args, &out),
        Command::Post(args) => commands::write(&client, "POST", args, &out),
        Command::Create(args) => commands::create(&client, args, &out),
        Command::Put(args) => commands::write(&client, "PUT", args, &out),
        Command::Delete(args) => commands::write(&client, "DELETE", args, &out),
        Command::Paginate(args) => commands::paginate(&client, args),
        Command::Login(_) => Ok(()),
    };
    // A refresh token Visma Connect replaced during the command, which the file could not
    // take: told even when the command succeeded, as later commands depend on it.
    match (result, unsaved.and_then(|unsaved| unsaved.take())) {
        // Both told; the exit code is the command's own (a reader that went away is none).
        (Err(failure), Some(unsaved)) if failure.code != 0 => {
            note!("dinero: {}", unsaved.message);
            Err(failure)
        }
        (_, Some(unsaved)) => Err(unsaved),
        (result, None) => result,
    }
}

/// A client from the DINERO_* settings (environment, then the config file): a personal
/// integration's when an API key is set, else a Visma Connect one from `dinero login`'s
/// refresh token.
fn configured(cli: &Cli) -> Result<(Client, Option<Unsaved>), Failure> {
    let values = credentials::settings(cli.global.config.as_deref())?;
    if !values.contains_key("DINERO_API_KEY") && values.contains_key("DINERO_REFRESH_TOKEN") {
        return signed_in(cli, &values);
    }
    let [client_id, client_secret, api_key, organization_id] = required(
        &values,
        [
            "DINERO_CLIENT_ID",
            "DINERO_CLIENT_SECRET",
            "DINERO_API_KEY",
            "DINERO_ORGANIZATION_ID",
        ],
    )?;
    let mut settings = vec![("organization_id", organization_id.to_string())];
    for (option, key) in [
        ("auth_url", "DINERO_AUTH_URL"),
        ("api_url", "DINERO_API_URL"),
        ("ca_file", "DINERO_CA_FILE"),
        ("shared_state", "DINERO_SHARED_STATE"),
    ] {
        if let Some(value) = values.get(key) {
            settings.push((option, value.clone()));
        }
    }
    let client = connect(client_id, client_secret, api_key, &settings)?;
    Ok((client, None))
}

/// A Visma Connect client; a refresh token Visma Connect replaces goes back into the file.
fn signed_in(
    cli: &Cli,
    values: &std::collections::HashMap<String, String>,
) -> Result<(Client, Option<Unsaved>), Failure> {
    let file = credentials::config_path(cli.global.config.as_deref())
        .ok_or_else(|| Failure::usage("no config file to keep the refresh token in"))?;
    // Before the refresh token is spent: Visma Connect replaces it, and a replacement the file
    // cannot take is lost, the grant with it.
    config_file::check_writable(&file)?;
    let [client_id, client_secret, refresh_token] = required(
        values,
        [
            "DINERO_CLIENT_ID",
            "DINERO_CLIENT_SECRET",
            "DINERO_REFRESH_TOKEN",
        ],
    )?;
    let mut config = login::connect_config(values)?;
    let unsaved = login::keep_refresh_tokens(&mut config, &file);
    let client = Client::authenticate_connect(client_id, client_secret, refresh_token, config)?;
    if let Some(failure) = unsaved.take() {
        return Err(failure);
    }
    Ok((client, Some(unsaved)))
}

fn connect(
    client_id: &str,
    client_secret: &str,
    api_key: &str,
    settings: &[(&str, String)],
) -> Result<Client, Failure> {
    let mut config = Config {
        logger: Some(warnings::on_stderr()),
        ..Config::default()
    };
    for (key, value) in settings {
        config.set(key, value)?;
    }
    Ok(Client::authenticate(
        client_id,
        client_secret,
        api_key,
        config,
    )?)
}
