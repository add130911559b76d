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
///
/// A secret is matched character by character, each character in any of the forms a request
/// or an echoing server may put it in, independently of its neighbours: a server that escapes
/// only some characters (ASP.NET's JSON, Python's `quote`, JavaScript's `encodeURIComponent`,
/// HTML numeric entities) re-encodes a secret in a mix nobody can list in advance.
#[derive(Default)]
pub struct Redactor {
    /// Secrets matched per character, in any of their encodings.
    secrets: Vec<Zeroizing<String>>,
}

impl Redactor {
    pub fn new() -> Self {
        Redactor::default()
    }

    /// Adds a secret, to be found with each of its characters in any of these forms: raw
    /// (case-sensitive); `%XX` for each of its UTF-8 bytes, once or twice percent-encoded
    /// (`%25XX`); `+` for a space (form encoding), a space for a `+` (form decoding); JSON
    /// `\uXXXX` (a surrogate pair beyond the BMP) or a short JSON escape (`\/`, `\"`, `\\`,
    /// ...); an HTML numeric entity (`&#NN;`, `&#xHH;`) or a named one for `& < > " '`. Hex
    /// digits and entity names match in either case.
    pub fn add_secret(&mut self, secret: &str) {
        if secret.chars().count() < SHORTEST_SECRET
            || self.secrets.iter().any(|s| s.as_str() == secret)
        {
            return;
        }
        self.secrets.push(Zeroizing::new(secret.to_string()));
    }

    /// Adds the value of an HTTP Basic header for `user:secret` (its base64 part), as a secret
    /// of its own: a server may echo it re-encoded like any other (`%2B` for `+`, `\/` for
    /// `/`). Also without its `=` padding, which a server may drop: the rest decodes to the
    /// secret all the same.
    pub fn add_basic_credentials(&mut self, user: &str, secret: &str) {
        let pair = Zeroizing::new(format!("{user}:{secret}"));
        let encoded = self.add_base64_of(&pair);
        self.add_base64_of(&format!("Basic {}", encoded.as_str()));
    }

    /// Adds a bearer token: the token itself, and the whole header value it was sent in
    /// (`Bearer <token>`) in base64, as a gateway may quote a header it refused.
    pub fn add_bearer_token(&mut self, token: &str) {
        self.add_secret(token);
        self.add_base64_of(&format!("Bearer {token}"));
    }

    /// Adds `text` in base64 as a secret of its own, in the standard alphabet and the URL-safe
    /// one, each with and without its `=` padding (a server may drop it: the rest decodes all
    /// the same). Returns the standard form.
    ///
    /// `text` may also be encoded inside a longer run (a whole header line, a JSON document),
    /// where its first and last characters mix with the bytes around it. So the part that
    /// depends on `text` alone is added too, for each of the three places it can start in a
    /// group of three bytes: all of `text` but at most two bytes at either end.
    fn add_base64_of(&mut self, text: &str) -> Zeroizing<String> {
        let engine = base64::engine::general_purpose::STANDARD;
        let encoded = Zeroizing::new(engine.encode(text.as_bytes()));
        self.add_base64_forms(&encoded);
        self.add_base64_forms(encoded.trim_end_matches('='));
        for shift in 0..3 {
            let mut shifted = Zeroizing::new(vec![0u8; shift]);
            shifted.extend_from_slice(text.as_bytes());
            let run = Zeroizing::new(engine.encode(&*shifted));
            // The group the shift bytes share, and the last group but a whole one, mix.
            let start = if shift == 0 { 0 } else { 4 };
            let end = shifted.len() / 3 * 4;
            if end > start {
                self.add_base64_forms(&run[start..end]);
            }
        }
        encoded
    }

    /// A piece of base64 in the standard alphabet, and as the URL-safe one writes it.
    fn add_base64_forms(&mut self, encoded: &str) {
        self.add_secret(encoded);
        let url_safe = Zeroizing::new(encoded.replace('+', "-").replace('/', "_"));
        self.add_secret(&url_safe);
    }

    /// `text` with every known form of every secret replaced by [redacted]. Overlapping
    /// matches (of one secret or of several) are removed together, as one [redacted].
    pub fn scrub(&self, text: &str) -> String {
        if self.secrets.is_empty() {
            return text.to_string();
        }
        let bytes = text.as_bytes();
        let can_start = self.first_bytes();
        let mut scratch = Scratch::default();
        let mut clean = String::with_capacity(text.len());
        let mut copied = 0;
        // The span being redacted, extended while later matches overlap it.
        let mut span: Option<(usize, usize)> = None;
        for (start, _) in text.char_indices() {
            if let Some((from, to)) = span {
                if start >= to {
                    clean.push_str(&text[copied..from]);
                    clean.push_str(REDACTED);
                    copied = to;
                    span = None;
                }
            }
            if !can_start[usize::from(bytes[start])] {
                continue; // no form of any secret begins with this byte: most of a text
            }
            let Some(end) = self.longest_match(bytes, start, &mut scratch) else {
                continue;
            };
            span = Some(match span {
                Some((from, to)) => (from, to.max(end)),
                None => (start, end),
            });
        }
        if let Some((from, to)) = span {
            clean.push_str(&text[copied..from]);
            clean.push_str(REDACTED);
            copied = to;
        }
        clean.push_str(&text[copied..]);
        clean
    }

    /// Server text made fit to quote: scrubbed, printable, at most `max_chars` characters.
    pub fn quote(&self, text: &str, max_chars: usize) -> String {
        printable_excerpt(&self.scrub(text), max_chars)
    }

    /// The bytes a form of some secret can begin with: a secret's own first byte, or the first
    /// byte of an escape (`%`, `\`, `&`, `+` for a space, and a space for a `+`).
    fn first_bytes(&self) -> [bool; 256] {
        let mut can_start = [false; 256];
        for secret in &self.secrets {
            if let Some(&first) = secret.as_bytes().first() {
                can_start[usize::from(first)] = true;
                if first == b'+' {
                    can_start[usize::from(b' ')] = true;
                }
            }
            for escape in [b'%', b'\\', b'&', b'+'] {
                can_start[usize::from(escape)] = true;
            }
        }
        can_start
    }

    /// The end of the longest form of any secret that starts at `start`, if one does.
    fn longest_match(&self, text: &[u8], start: usize, scratch: &mut Scratch) -> Option<usize> {
        self.secrets
            .iter()
            .filter_map(|s| secret_match(text, start, s, scratch))
            .max()
    }
}

/// Reused buffers of text positions (never of secret material).
#[derive(Default)]
struct Scratch {
    here: Vec<usize>,
    next: Vec<usize>,
}

/// The end of the longest form of `secret` in `text` starting at `start`. Every character may
/// take several forms of different lengths, so all the positions reached after each character
/// are followed (a handful at most), not just the first.
fn secret_match(text: &[u8], start: usize, secret: &str, scratch: &mut Scratch) -> Option<usize> {
    let Scratch { here, next } = scratch;
    here.clear();
    here.push(start);
    for c in secret.chars() {
        next.clear();
        for &at in here.iter() {
            char_forms(text, at, c, next);
        }
        if next.is_empty() {
            return None;
        }
        next.sort_unstable();
        next.dedup();
        std::mem::swap(here, next);
    }
    here.iter().copied().max()
}

/// Pushes onto `ends` the end of each form of `c` found in `text` at `at`.
fn char_forms(text: &[u8], at: usize, c: char, ends: &mut Vec<usize>) {
    let rest = &text[at..];
    let mut utf8 = [0u8; 4];
    let utf8 = c.encode_utf8(&mut utf8).as_bytes();
    if rest.starts_with(utf8) {
        ends.push(at + utf8.len());
    }
    percent_forms(text, at, utf8, ends);
    if c == ' ' {
        // Form encoding, possibly percent-encoded once more.
        if rest.first() == Some(&b'+') {
            ends.push(at + 1);
        }
        percent_forms(text, at, b"+", ends);
    }
    if c == '+' && rest.first() == Some(&b' ') {
        // A `+` sent raw, then form-decoded by the server that echoes it (base64 has them).
        ends.push(at + 1);
    }
    json_forms(text, at, c, ends);
    html_forms(text, at, c, ends);
}

/// Each byte of `utf8` as `%XX` or `%25XX`.
fn percent_forms(text: &[u8], at: usize, utf8: &[u8], ends: &mut Vec<usize>) {
    // At most 5 bytes per form and 4 bytes per character: the ends reachable after each byte.
    let mut here = [0usize; 5];
    let mut count = 1;
    here[0] = at;
    for &byte in utf8 {
        let mut next = [0usize; 5];
        let mut found = 0;
        for &pos in &here[..count] {
            for prefix in [&b"%"[..], &b"%25"[..]] {
                let hex = pos + prefix.len();
                if text[pos..].starts_with(prefix) && hex_value(text, hex, 2) == Some(byte.into()) {
                    let end = hex + 2;
                    if !next[..found].contains(&end) && found < next.len() {
                        next[found] = end;
                        found += 1;
                    }
                }
            }
        }
        if found == 0 {
            return;
        }
        here = next;
        count = found;
    }
    ends.extend_from_slice(&here[..count]);
}

/// `\uXXXX` (a surrogate pair beyond the BMP) and the short JSON escapes.
fn json_forms(text: &[u8], at: usize, c: char, ends: &mut Vec<usize>) {
    let short = match c {
        '/' => Some(b'/'),
        '"' => Some(b'"'),
        '\\' => Some(b'\\'),
        '\u{8}' => Some(b'b'),
        '\u{c}' => Some(b'f'),
        '\n' => Some(b'n'),
        '\r' => Some(b'r'),
        '\t' => Some(b't'),
        _ => None,
    };
    if let Some(letter) = short {
        if text[at..].starts_with(&[b'\\', letter]) {
            ends.push(at + 2);
        }
    }
    let mut units = [0u16; 2];
    let mut pos = at;
    for &unit in c.encode_utf16(&mut units).iter() {
        if !text[pos..].starts_with(b"\\u") || hex_value(text, pos + 2, 4) != Some(unit.into()) {
            return;
        }
        pos += 6;
    }
    ends.push(pos);
}

/// HTML numeric entities (decimal or hex, any leading zeros) and the named entities of the
/// characters HTML escaping changes.
fn html_forms(text: &[u8], at: usize, c: char, ends: &mut Vec<usize>) {
    let rest = &text[at..];
    if !rest.starts_with(b"&") {
        return;
    }
    let name: &[u8] = match c {
        '&' => b"&amp;",
        '<' => b"&lt;",
        '>' => b"&gt;",
        '"' => b"&quot;",
        '\'' => b"&apos;",
        _ => b"",
    };
    if !name.is_empty() && rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name)
    {
        ends.push(at + name.len());
    }
    if rest.get(1) != Some(&b'#') {
        return;
    }
    let (radix, digits_at) = match rest.get(2) {
        Some(b'x' | b'X') => (16, 3),
        _ => (10, 2),
    };
    let mut value: u32 = 0;
    let mut pos = digits_at;
    while let Some(digit) = rest.get(pos).and_then(|&b| (b as char).to_digit(radix)) {
        value = match value.checked_mul(radix).and_then(|v| v.checked_add(digit)) {
            Some(v) => v,
            None => return,
        };
        pos += 1;
    }
    if pos > digits_at && rest.get(pos) == Some(&b';') && value == c as u32 {
        ends.push(at + pos + 1);
    }
}

/// The number written by the `len` hex digits (either case) at `at`, if they are all there.
fn hex_value(text: &[u8], at: usize, len: usize) -> Option<u32> {
    let digits = text.get(at..at + len)?;
    digits.iter().try_fold(0u32, |value, &b| {
        Some(value * 16 + (b as char).to_digit(16)?)
    })
}

/// The origin of a URL (`https://host:port`, and `/…` when more follows) when it reads as one:
/// a scheme of letters, a host name or address, a port of digits. None otherwise. The rest of a
/// URL is never shown: a path or query can hold anything run into it (a secret included).
pub fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && !authority.ends_with(']') => {
            (host, Some(port))
        }
        _ => (authority, None),
    };
    let host_like = (1..=64).contains(&host.len())
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let port_like =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let scheme_like =
        (1..=10).contains(&scheme.len()) && scheme.bytes().all(|b| b.is_ascii_alphabetic());
    let more = if authority.len() < rest.len() {
        "/…"
    } else {
        ""
    };
    (host_like && port_like && scheme_like).then(|| format!("{scheme}://{authority}{more}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::request::builder::percent_encode;

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

    /// `echo`, a form of `secret`, is taken out of the text around it whole.
    fn assert_scrubbed(secret: &str, echo: &str) {
        let mut r = Redactor::new();
        r.add_secret(secret);
        let scrubbed = r.scrub(&format!("you sent <{echo}> and that is wrong"));
        assert_eq!(
            scrubbed, "you sent <[redacted]> and that is wrong",
            "{echo}"
        );
    }

    const MIXED: &str = "Sec+ret&Val!ue/1";

    #[test]
    fn partial_json_escaping_is_scrubbed() {
        // ASP.NET's default encoder escapes only some characters.
        for echo in [
            r"Sec\u002Bret\u0026Val!ue/1",
            r"Sec\u002bret\u0026Val!ue\/1",
        ] {
            assert_scrubbed(MIXED, echo);
        }
    }

    #[test]
    fn python_quote_is_scrubbed() {
        let echo = "Sec%2Bret%26Val%21ue/1";
        assert_scrubbed(MIXED, echo);
        // Twice encoded, lower-case hex.
        let echo = "Sec%252bret%2526Val%2521ue/1";
        assert_scrubbed(MIXED, echo);
    }

    #[test]
    fn encode_uri_component_is_scrubbed() {
        let echo = "Sec%2Bret%26Val!ue%2F1";
        assert_scrubbed(MIXED, echo);
    }

    #[test]
    fn html_numeric_and_named_entities_are_scrubbed() {
        for echo in [
            "Sec&#x2B;ret&amp;Val!ue/1",
            "Sec&#43;ret&#38;Val&#33;ue&#47;1",
            "Sec&#X002b;ret&AMP;Val!ue/1",
            "Sec&#0043;ret&#x26;Val!ue/1",
        ] {
            assert_scrubbed(MIXED, echo);
        }
        let quotes = "it's \"<q>\"";
        let echo = "it&apos;s &quot;&lt;q&gt;&quot;";
        assert_scrubbed(quotes, echo);
        let echo = "it&#39;s \\\"&lt;q>\\u0022";
        assert_scrubbed(quotes, echo);
    }

    #[test]
    fn every_character_may_take_its_own_form() {
        let echo = r"S%65c\u002bret&amp;V&#x61;l%21ue\/%31";
        assert_scrubbed(MIXED, echo);
        let spaced = "my secret key";
        for echo in [
            "my+secret%20key",
            "my%2Bsecret\\u0020key",
            "my&#32;secret+key",
        ] {
            assert_scrubbed(spaced, echo);
        }
    }

    #[test]
    fn non_ascii_secrets_are_scrubbed_in_any_form() {
        let secret = "S\u{e6}t+hemmelig/\u{d8}1";
        for echo in [
            secret,
            "S%C3%A6t%2Bhemmelig%2F%C3%981",
            "S%c3%a6t%2bhemmelig/%c3%981",
            "S%25C3%25A6t%252Bhemmelig%252F%25C3%25981",
            r"S\u00e6t+hemmelig\/\u00D81",
            r"S\u00E6t\u002Bhemmelig/\u00d81",
            "S&#230;t&#x2b;hemmelig/&#xD8;1",
            "S%C3%A6t+hemmelig/\\u00d81",
        ] {
            assert_scrubbed(secret, echo);
        }
        // Beyond the BMP: a UTF-16 surrogate pair, or four percent-encoded bytes.
        let secret = "key\u{1F511}!";
        for echo in [
            r"key\ud83d\udd11!",
            r"key\uD83D\uDD11!",
            "key%F0%9F%94%91%21",
        ] {
            assert_scrubbed(secret, echo);
        }
    }

    #[test]
    fn raw_characters_match_case_sensitively_and_other_text_is_left_alone() {
        let mut r = Redactor::new();
        r.add_secret(MIXED);
        for text in [
            "sec+ret&val!ue/1, Sec+ret&Val!ue/2, Sec%2Bret%26Val%21ue%2F 100% &amp; \\u0041 &#x;",
            "plain text, ünïcødé, %zz, \\uZZZZ, &#99999999999999; +++",
        ] {
            assert_eq!(r.scrub(text), text);
        }
    }

    #[test]
    fn overlapping_and_repeated_matches_are_removed_whole() {
        let mut r = Redactor::new();
        r.add_secret("abcdef");
        r.add_secret("defghi");
        assert_eq!(r.scrub("x abcdefghi y"), "x [redacted] y");
        assert_eq!(r.scrub("abcdefabc%64ef"), "[redacted][redacted]");
        // The longest form wins: a '%' secret character twice encoded is removed whole.
        let mut r = Redactor::new();
        r.add_secret("100%pure");
        assert_eq!(r.scrub("<100%2525pure>"), "<[redacted]>");
    }

    #[test]
    fn basic_credentials_are_scrubbed_in_every_form_a_server_echoes_them_in() {
        let mut r = Redactor::new();
        r.add_basic_credentials("client-id", "a>>>?????");
        // Its base64 holds `+`, `/` and `=` padding, which echoing servers re-encode.
        let basic = "Y2xpZW50LWlkOmE+Pj4/Pz8/Pw==";
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode("client-id:a>>>?????"),
            basic
        );
        for echo in [
            basic.to_string(),
            basic
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D"),
            basic
                .replace('+', "%2b")
                .replace('/', "%2f")
                .replace('=', "%3d"),
            basic.replace('+', "\\u002B").replace('/', "\\u002F"),
            basic.replace('/', "\\/"),
            basic.replace('+', "&#43;").replace('/', "&#x2F;"),
            basic.trim_end_matches('=').to_string(),
            basic.replace('+', " "),
            basic.replace('+', "-").replace('/', "_"),
        ] {
            let text = format!("bad header: Basic%20{echo} (sent)");
            assert_eq!(
                r.scrub(&text),
                "bad header: Basic%20[redacted] (sent)",
                "{echo}"
            );
        }
    }

    #[test]
    fn a_bearer_header_base64_encoded_inside_a_longer_run_is_scrubbed() {
        let token = "eyJhbGciOi.J9-payload_x.sig";
        let mut r = Redactor::new();
        r.add_bearer_token(token);
        let engine = base64::engine::general_purpose::STANDARD;
        // Whatever comes before and after, at each of the three offsets in a base64 group.
        for before in ["", "{", "{\"", "{\"h\":\""] {
            for after in ["", "\"", "\"}", "; next"] {
                let run = engine.encode(format!("{before}Bearer {token}{after}"));
                let scrubbed = r.scrub(&run);
                // The characters that encode the token's bytes alone (whole groups of three)
                // are gone, every 8 of them in a row.
                let from = (before.len() + "Bearer ".len()).div_ceil(3);
                let to = (before.len() + "Bearer ".len() + token.len()) / 3;
                let token_only = &run[from * 4..to * 4];
                for piece in token_only.as_bytes().windows(8) {
                    let piece = std::str::from_utf8(piece).unwrap();
                    assert!(!scrubbed.contains(piece), "{before}|{after}: {scrubbed}");
                }
            }
        }
    }

    #[test]
    fn basic_credentials_are_matched_case_sensitively_as_base64_is() {
        let r = redactor();
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("client-id:{SECRET}"));
        assert_eq!(r.scrub(&format!("Basic {basic}")), "Basic [redacted]");
        let lower = basic.to_ascii_lowercase();
        assert_eq!(r.scrub(&format!("Basic {lower}")), format!("Basic {lower}"));
    }

    #[test]
    fn a_secret_of_the_shortest_searched_length_is_scrubbed() {
        // SHORTEST_SECRET is the first length searched for, not the last one skipped.
        assert_scrubbed("k3y9", "k3y9");
    }

    #[test]
    fn a_secret_that_begins_with_a_plus_is_scrubbed_form_decoded() {
        // Base64 pieces of a Basic header can begin with `+`; a server that form-decodes what
        // it echoes turns that `+` into a space, where the match must be able to begin.
        assert_scrubbed("+Sec/ret9", " Sec/ret9");
    }

    #[test]
    fn a_backslash_in_a_secret_is_scrubbed_in_its_short_json_escape() {
        // Every JSON encoder writes a backslash as `\\`, not only as `\u005c`.
        assert_scrubbed("back\\slash", "back\\\\slash");
    }

    #[test]
    fn escapes_of_other_characters_are_not_taken_for_a_secret() {
        // %54, \u0054 and &#84; are `T`, not the secret's `S`: the text is the server's.
        let mut r = Redactor::new();
        r.add_secret(MIXED);
        for text in [
            "%54ec+ret&Val!ue/1",
            "\\u0054ec+ret&Val!ue/1",
            "&#84;ec+ret&Val!ue/1",
        ] {
            assert_eq!(r.scrub(text), text);
        }
    }
}
