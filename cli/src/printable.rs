//! What the command prints of a server's answer: never a character that would act on the
//! terminal instead of showing (an escape sequence that clears the screen or retitles the
//! window, a carriage return that forges a line, a bidirectional override that reorders it).

use std::borrow::Cow;

/// Whether `c` would act on a terminal rather than show: C0 controls but the JSON whitespace
/// (tab, line feed, carriage return between tokens), DEL, the C1 controls, and the
/// bidirectional embeddings, overrides and isolates.
fn acts_on_a_terminal(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Valid JSON text with every such character written as its `\uXXXX` escape, and a carriage
/// return as a space. In valid JSON such a character can stand only inside a string, where
/// the escape means the same, and a raw carriage return only between tokens, as white space:
/// the JSON means exactly what it meant.
pub fn json(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| acts_on_a_terminal(c) || c == '\r') {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\r' => safe.push(' '),
            c if acts_on_a_terminal(c) => safe.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => safe.push(c),
        }
    }
    Cow::Owned(safe)
}

/// Whether bytes are text a terminal shows as it is: UTF-8 without such characters.
pub fn is_plain_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| !text.chars().any(acts_on_a_terminal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_would_act_on_a_terminal_is_escaped_and_the_json_means_the_same() {
        // Valid JSON: DEL, a C1 control and an override inside a string, a CR between tokens.
        let hostile = "{\"a\":\"[2J\u{9b}31m\u{7f}\u{202e}x\",\r\"b\":1}";
        let safe = json(hostile);
        assert!(
            !safe.chars().any(|c| acts_on_a_terminal(c) || c == '\r'),
            "{safe:?}"
        );
        let before: serde_json::Value = serde_json::from_str(hostile).unwrap();
        let after: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(before, after);
        assert!(matches!(json("{\"a\":\"Børge\"}"), Cow::Borrowed(_)));
    }

    #[test]
    fn plain_text_is_utf8_without_controls() {
        assert!(is_plain_text(b"line one\nline\ttwo\r\n"));
        assert!(!is_plain_text(b"\x1b]0;owned\x07"));
        assert!(!is_plain_text(b"%PDF-1.4\n\xe2\xe3\xcf\xd3"));
    }
}
