//! Where the credentials come from: the environment, a private config file, or a sandbox.

use crate::exit::Failure;
use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub const KEYS: &[&str] = &[
    "DINERO_CLIENT_ID",
    "DINERO_CLIENT_SECRET",
    "DINERO_API_KEY",
    "DINERO_ORGANIZATION_ID",
    "DINERO_AUTH_URL",
    "DINERO_API_URL",
    "DINERO_CA_FILE",
    "DINERO_SHARED_STATE",
    "DINERO_CONNECT_URL",
    "DINERO_REFRESH_TOKEN",
];

/// The DINERO_* settings, the environment over the config file.
pub fn settings(config: Option<&Path>) -> Result<HashMap<String, String>, Failure> {
    let file = match config {
        Some(path) => Some(path.to_path_buf()),
        None => default_config_path().filter(|p| p.exists()),
    };
    read_settings(file)
}

/// As `settings`, for `dinero login`, which creates the config file: a given one may not
/// exist yet.
pub fn settings_before_login(config: Option<&Path>) -> Result<HashMap<String, String>, Failure> {
    match config {
        Some(path) if std::fs::symlink_metadata(path).is_err() => read_settings(None),
        given => settings(given),
    }
}

/// The settings of `file` (None: no file), the environment over it; but for the refresh token,
/// the file's when it holds one. A refresh token is good for one use: every run writes the new
/// one into the file, so the file's is the newest and one from the environment is at best
/// where it started (it would fail from the second run on).
fn read_settings(file: Option<PathBuf>) -> Result<HashMap<String, String>, Failure> {
    let mut values = HashMap::new();
    if let Some(path) = file {
        values.extend(read_config(&path)?);
    }
    let kept_refresh_token = values.get(REFRESH_TOKEN).cloned();
    for key in KEYS {
        if let Ok(value) = std::env::var(key) {
            if !value.is_empty() {
                values.insert(key.to_string(), value);
            }
        }
    }
    if let Some(kept) = kept_refresh_token {
        values.insert(REFRESH_TOKEN.to_string(), kept);
    }
    Ok(values)
}

const REFRESH_TOKEN: &str = "DINERO_REFRESH_TOKEN";

/// The config file this run reads and `dinero login` writes.
pub fn config_path(given: Option<&Path>) -> Option<PathBuf> {
    given.map(Path::to_path_buf).or_else(default_config_path)
}

/// `$XDG_CONFIG_HOME/dinero/config`, else `$HOME/.config/dinero/config`. An empty or relative
/// value is ignored, as the XDG spec says: it would read the config of whatever folder the
/// command runs in (an unpacked archive's, with URLs that send the credentials elsewhere).
fn default_config_path() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let base = absolute("XDG_CONFIG_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".config")))?;
    Some(base.join("dinero").join("config"))
}

/// KEY=VALUE lines (blank lines and # comments allowed), from a file only its owner can read.
/// Errors name the line, never its content: a mistyped line may hold a secret.
fn read_config(path: &Path) -> Result<HashMap<String, String>, Failure> {
    let text = read_private_file(path)?;
    let shown = path.display();
    let mut values = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("{shown}:{}: expected KEY=VALUE", number + 1)))?;
        let key = key.trim().trim_start_matches("export ").trim();
        if !KEYS.contains(&key) {
            return Err(Failure::usage(format!(
                "{shown}:{}: not one of the known settings ({})",
                number + 1,
                KEYS.join(", ")
            )));
        }
        let value = value.trim().trim_matches('"').to_string();
        values.insert(key.to_string(), value);
    }
    Ok(values)
}

/// The text of a config file that is ours and only ours: a regular file (not a symbolic link,
/// which is not followed: its target could be anyone's, and change after a check), owned by
/// the user running the command, readable by nobody else. The checks are made on the opened
/// file, so the file read is the file checked.
pub fn read_private_file(path: &Path) -> Result<String, Failure> {
    let shown = path.display();
    let cannot =
        |e: std::io::Error| Failure::usage(format!("cannot read the config file {shown}: {e}"));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        // Non-blocking: a FIFO put at the path must not hang the command before the checks.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => Failure::usage(format!(
                "the config file {shown} is a symbolic link; give the path of the file itself"
            )),
            _ => cannot(e),
        })?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(Failure::usage(format!(
            "the config file {shown} is not a regular file"
        )));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(Failure::usage(format!(
            "the config file {shown} holds secrets but belongs to another user (uid {}, you are {me}); it must be your own file",
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(Failure::usage(format!(
            "the config file {shown} holds secrets but others may read it (mode {:o}); run: chmod 600 {shown}",
            meta.mode() & 0o777
        )));
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(cannot)?;
    Ok(text)
}

/// The required settings, in the order asked, or one usage failure that names every one
/// missing (so a first run is told all it must set at once, not one setting per attempt).
pub fn required<'a, const N: usize>(
    values: &'a HashMap<String, String>,
    keys: [&str; N],
) -> Result<[&'a str; N], Failure> {
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|key| !values.contains_key(*key))
        .collect();
    let said = match missing.as_slice() {
        [] => return Ok(keys.map(|key| values[key].as_str())),
        [one] => format!("{one} is not set"),
        [first @ .., last] => format!("{} and {last} are not set", first.join(", ")),
    };
    Err(Failure::usage(format!(
        "{said} (environment or config file; see --help)"
    )))
}
