//! Exit codes: usage, authentication, network and API failures are told apart, so that scripts
//! can react (retry later on 4, fix credentials on 3, fix the request on 5).

use dinero::ErrorKind;
use std::process::ExitCode;

pub const OTHER: u8 = 1;
pub const USAGE: u8 = 2;
pub const AUTHENTICATION: u8 = 3;
pub const NETWORK: u8 = 4;
pub const API: u8 = 5;

/// A failure with its exit code and the line printed on stderr (none when it is empty).
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: USAGE,
            message: message.into(),
        }
    }

    /// Anything else: a local file that cannot be read or written, say.
    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            code: OTHER,
            message: message.into(),
        }
    }

    /// Standard output's reader went away (`| head`): the command stops, successfully and
    /// without a word, as the reader chose to read no more.
    pub fn reader_gone() -> Self {
        Failure {
            code: 0,
            message: String::new(),
        }
    }

    pub fn api(message: impl Into<String>) -> Self {
        Failure {
            code: API,
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl From<dinero::Error> for Failure {
    fn from(error: dinero::Error) -> Self {
        let code = match error.kind() {
            ErrorKind::AuthRejected | ErrorKind::LoginRequired => AUTHENTICATION,
            // The token endpoint failed, or its HTTP answer was not a token: try again later.
            ErrorKind::AuthUnavailable
            | ErrorKind::Network
            | ErrorKind::Timeout
            | ErrorKind::Tls
            | ErrorKind::Protocol
            | ErrorKind::ResponseTooLarge => NETWORK,
            ErrorKind::InvalidArgument | ErrorKind::InvalidUtf8 | ErrorKind::NullArgument => USAGE,
            _ => OTHER,
        };
        let mut message = error.message().to_string();
        if error.kind() == ErrorKind::LoginRequired {
            message.push_str(" (run: dinero login)");
        }
        Failure { code, message }
    }
}
