//! Quoting what a server said, in an error, a log line or on a terminal.
//!
//! A server may echo the request it got (the credentials included, as they were sent or
//! re-encoded), send control characters (terminal escape sequences, a line break that forges a
//! log line) or send megabytes. So server text is first scrubbed of every form of every secret,
//! then stripped of control characters, and only then cut short: a cut made before the scrub
//! could leave the first half of a secret, which no longer matches and so survives.

use base64::Engine;
use zeroize::Zeroizing;

/// What replaces a secret in quoted text.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this are not searched for: replacing every "ab" in a message would
/// make it unreadable and protects nothing.
const SHORTEST_SECRET: usize = 4;

/// Every form in which a server could send our secrets back, found and replaced.
#[derive(Default)]
pub struct Redactor {
    /// Longest first, so that a form that contains another is removed whole.
    needles: Vec<Zeroizing<String>>,
}

impl Redactor {
    pub fn new() -> Self {
        Redactor::default()
    }

    /// Adds a secret in each encoding a request or an echoing server puts it in: raw,
    /// form-urlencoded (`+` for a space), percent-encoded (upper- and lower-case hex, once and
    /// twice), JSON-escaped (plain, with `\/`, and ASCII-only `\uXXXX`) and HTML-escaped.
    pub fn add_secret(&mut self, secret: &str) {
        if secret.chars().count() < SHORTEST_SECRET {
            return;
        }
        let form: Zeroizing<String> =
            Zeroizing::new(form_urlencoded::byte_serialize(secret.as_bytes()).collect());
        let percent = Zeroizing::new(percent_encode(secret));
        let json = Zeroizing::new(json_escape(secret));
        let forms = [
            Zeroizing::new(secret.to_string()),
            Zeroizing::new(lower_hex(&form)),
            Zeroizing::new(lower_hex(&percent)),
            Zeroizing::new(percent_encode(&form)),
            Zeroizing::new(json.replace('/', "\\/")),
            Zeroizing::new(json_ascii(&json, false)),
            Zeroizing::new(json_ascii(&json, true)),
            Zeroizing::new(html_escape(secret)),
            form,
            percent,
            json,
        ];
        for form in forms {
            self.add_literal_owned(form);
        }
    }

    /// Adds the value of an HTTP Basic header for `user:secret` (its base64 part).
    pub fn add_basic_credentials(&mut self, user: &str, secret: &str) {
        let pair = Zeroizing::new(format!("{user}:{secret}"));
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
        self.add_literal_owned(Zeroizing::new(encoded));
    }

    fn add_literal_owned(&mut self, needle: Zeroizing<String>) {
        if needle.chars().count() < SHORTEST_SECRET || self.needles.contains(&needle) {
            return;
        }
        let at = self
            .needles
            .iter()
            .position(|n| n.len() < needle.len())
            .unwrap_or(self.needles.len());
        self.needles.insert(at, needle);
    }

    /// `text` with every known form of every secret replaced by [redacted].
    pub fn scrub(&self, text: &str) -> String {
        let mut clean = text.to_string();
        for needle in &self.needles {
            if clean.contains(needle.as_str()) {
                clean = clean.replace(needle.as_str(), REDACTED);
            }
        }
        clean
    }

    /// Server text made fit to quote: scrubbed, printable, at most `max_chars` characters.
    pub fn quote(&self, text: &str, max_chars: usize) -> String {
        printable_excerpt(&self.scrub(text), max_chars)
    }
}

/// Whether a character must not reach a log line or a terminal: C0 and C1 controls (escape
/// sequences, line breaks, NUL, DEL) and the invisible bidirectional overrides that make a
/// line read differently from what it holds.
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from outside, fit to quote: each unprintable character becomes a space, runs of
/// spaces one space, and the result is cut to `max_chars` characters (with "..." when cut).
///
/// It does not remove secrets: for text that can hold them, use `Redactor::quote`, which
/// scrubs first.
pub fn printable_excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4 + 3));
    let mut count = 0;
    let mut chars = text
        .chars()
        .map(|c| if is_unprintable(c) { ' ' } else { c })
        .peekable();
    while let Some(c) = chars.next() {
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        if count == max_chars {
            let rest_is_blank = std::iter::once(c).chain(chars).all(|c| c == ' ');
            if !rest_is_blank {
                out.truncate(out.trim_end().len());
                out.push_str("...");
            }
            break;
        }
        out.push(c);
        count += 1;
    }
    out.truncate(out.trim_end().len());
    out
}

/// Our own message with any unprintable character made a space (a message is one line).
pub fn one_line(message: String) -> String {
    if message.chars().any(is_unprintable) {
        message
            .chars()
            .map(|c| if is_unprintable(c) { ' ' } else { c })
            .collect()
    } else {
        message
    }
}

/// RFC 3986: everything but the unreserved characters as %XX.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The hex digits of %XX escapes in lower case.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut after_percent = 0;
    for c in encoded.chars() {
        if c == '%' {
            after_percent = 2;
            out.push(c);
        } else if after_percent > 0 {
            after_percent -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The inside of a JSON string holding `text`, as serde_json writes it.
fn json_escape(text: &str) -> String {
    let quoted = serde_json::Value::String(text.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// A JSON-escaped text with every non-ASCII character as \uXXXX (UTF-16 units).
fn json_ascii(escaped: &str, upper: bool) -> String {
    let mut out = String::with_capacity(escaped.len());
    for c in escaped.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            if upper {
                out.push_str(&format!("\\u{unit:04X}"));
            } else {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr\u{e9}t key/&\"+=";

    fn redactor() -> Redactor {
        let mut r = Redactor::new();
        r.add_secret(SECRET);
        r.add_basic_credentials("client-id", SECRET);
        r
    }

    #[test]
    fn every_encoding_of_a_secret_is_scrubbed() {
        let form: String = form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("client-id:{SECRET}"));
        let echoes = [
            SECRET.to_string(),
            form.clone(),
            lower_hex(&form),
            percent_encode(SECRET),
            lower_hex(&percent_encode(SECRET)),
            percent_encode(&form),
            json_escape(SECRET),
            json_escape(SECRET).replace('/', "\\/"),
            json_ascii(&json_escape(SECRET), false),
            json_ascii(&json_escape(SECRET), true),
            html_escape(SECRET),
            basic,
        ];
        let r = redactor();
        for echo in echoes {
            let text = format!("you sent <{echo}> and that is wrong");
            assert_eq!(
                r.scrub(&text),
                "you sent <[redacted]> and that is wrong",
                "{echo}"
            );
        }
    }

    #[test]
    fn scrubbing_happens_before_the_cut() {
        let r = redactor();
        // The secret straddles the 60th character: a cut first would leave "s3cr".
        let text = format!("{}{SECRET} and more text after it", "x".repeat(56));
        let quoted = r.quote(&text, 60);
        assert!(!quoted.contains("s3cr"), "{quoted}");
        assert!(quoted.ends_with("..."), "{quoted}");
    }

    #[test]
    fn control_and_bidi_characters_become_spaces_and_length_is_capped() {
        let text = "\u{1b}[31mred\u{1b}[0m\r\n2024-01-01 INFO forged line\u{202e}txt.exe\u{7f}";
        let quoted = printable_excerpt(text, 1000);
        assert_eq!(quoted, "[31mred [0m 2024-01-01 INFO forged line txt.exe");
        let long = printable_excerpt(&"y".repeat(5000), 100);
        assert_eq!(long.chars().count(), 103);
        assert!(long.ends_with("..."));
        assert_eq!(printable_excerpt("short  ", 5), "short");
        assert_eq!(printable_excerpt("", 5), "");
    }

    #[test]
    fn short_secrets_are_not_searched_for() {
        let mut r = Redactor::new();
        r.add_secret("ab");
        assert_eq!(r.scrub("abc"), "abc");
    }
}
