//! The command line: subcommands, their arguments and help texts.

use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "dinero",
    version,
    about = "The Dinero accounting API from the command line, on libdinero",
    after_help = "Credentials come from DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY and \
DINERO_ORGANIZATION_ID for a personal integration; for a public one (Visma Connect), \
DINERO_CLIENT_ID and DINERO_CLIENT_SECRET with the DINERO_REFRESH_TOKEN that `dinero login` \
stores, and DINERO_ORGANIZATION_ID (optionally DINERO_CONNECT_URL, DINERO_AUTH_URL, DINERO_API_URL, DINERO_CA_FILE, and \
DINERO_SHARED_STATE: a file or redis:// URL through which every dinero command and program using \
libdinero with the same credentials shares one token and one rate budget), or from a config \
file of the same KEY=VALUE lines that only you may read (your own file, not a symlink, mode \
0600): --config, else \
$XDG_CONFIG_HOME/dinero/config or ~/.config/dinero/config. The environment wins over the file, \
but for DINERO_REFRESH_TOKEN: each run keeps the new one in the file, which holds the newest.\n\n\
Exit codes: 0 ok, 1 other failure, 2 usage or configuration, 3 authentication (credentials \
refused, or sign in again), 4 network or server: most pass, so try again later (a timeout, a \
failed token endpoint, a connection refused or reset); a TLS failure or a malformed answer, a \
redirect among them (none is followed), asks for a look at the settings, 5 the API answered an \
error (HTTP >= 400): stdout then holds libdinero's reading of an error as JSON (status, code, \
message, validation_errors, ...), never the raw answer, which may echo the token (paginate \
keeps stdout for items: its error is on stderr only). JSON answers print as the server wrote \
them, every number exact, also with --pretty; an answer that is not plain text is not printed \
onto a terminal (redirect it to a file). When stdout's reader stops reading (| head), the \
command stops quietly. The library's warnings (retries, waits for the rate limit, a shared \
state it cannot use) go to stderr."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug)]
pub struct Global {
    /// A config file of DINERO_*=value lines (your own, not a symlink, readable by you only)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Start a local dinero-sandbox and talk to it instead of Dinero (development builds)
    #[cfg(feature = "sandbox")]
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Pretty-print JSON answers
    #[arg(long, global = true)]
    pub pretty: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Sign in through Visma Connect (public integrations): prints an address to open in a
    /// browser, waits for it on a loopback port, and keeps the refresh token in the config file
    Login(Login),
    /// Print a valid access token (for your own curl commands)
    Token,
    /// List the organizations the credentials reach (an API key: one; Visma Connect: any number)
    Organizations,
    /// GET a path, e.g. /v1/{organizationId}/contacts
    Get(Read),
    /// POST JSON to a path
    Post(Write),
    /// Create exactly once (contacts, invoices, sales/creditnotes): the body gets a GUID of its
    /// own, and a lost answer is settled by looking the GUID up before sending again
    Create(Create),
    /// PUT JSON to a path
    Put(Write),
    /// DELETE a path (Dinero wants the Timestamp in the body for some entities)
    Delete(Write),
    /// Every item of a Dinero list, one JSON object per line, page after page
    Paginate(Paginate),
}

#[derive(Args, Debug)]
pub struct Login {
    /// The loopback port to listen on for the browser (0: a free one). Give the port of the
    /// redirect URI registered with Visma Connect, http://127.0.0.1:PORT/callback
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// How long to wait for the browser, in seconds (1 to 86400)
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout_secs: u64,
}

#[derive(Args, Debug)]
pub struct Read {
    /// The path, relative to the API URL; {organizationId} is filled in
    pub path: String,
    /// A query parameter, encoded for you (repeatable), e.g. -q "queryFilter=Name eq 'Børge'"
    #[arg(short = 'q', long = "query", value_name = "KEY=VALUE")]
    pub query: Vec<String>,
}

#[derive(Args, Debug)]
pub struct Write {
    #[command(flatten)]
    pub target: Read,
    /// The JSON body: inline, @FILE, or - for standard input
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub json: Option<OsString>,
}

#[derive(Args, Debug)]
pub struct Create {
    /// The collection, e.g. /v1/{organizationId}/contacts ({organizationId} is filled in)
    pub path: String,
    /// The JSON object to create: inline, @FILE, or - for standard input
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub json: Option<OsString>,
}

#[derive(Args, Debug)]
pub struct Paginate {
    #[command(flatten)]
    pub target: Read,
    /// Items per page, 1 to 1000: Dinero's maximum, the default, costs the fewest requests
    #[arg(long, default_value_t = dinero::MAX_PAGE_SIZE)]
    pub page_size: u32,
}
