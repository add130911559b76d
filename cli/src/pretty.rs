//! `--pretty`: JSON re-indented from its own text, never through a parsed value, so every
//! number prints exactly as the server wrote it (`1.10`, a 30-digit integer), which serde's
//! numbers (f64, i64, u64) cannot promise.

/// Past this nesting, the text is printed as it came: each level indents every line below it,
/// so a small answer nested deeply enough would otherwise print gigabytes. (serde_json's own
/// limit, and that of every JSON Dinero sends by far.)
const MAX_DEPTH: usize = 128;

/// `text`, which must be valid JSON, indented by two spaces, with `": "` after each key: the
/// layout of `serde_json::to_string_pretty`. Strings and numbers are copied byte for byte.
/// Nested deeper than `MAX_DEPTH`, it is returned as it is.
pub fn indent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                let mut escaped = false;
                for c in chars.by_ref() {
                    out.push(c);
                    match c {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.extend(chars.next()); // empty: {} or []
                } else {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return text.to_string();
                    }
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::indent;

    #[test]
    fn lays_out_like_serde_json() {
        let text = r#" {"a": [1, {"b": "x, \"y\": [z]"}, [], {}], "c" : {"d":null,"e":true},
            "f":"\\"} "#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(indent(text), serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn numbers_print_as_the_server_wrote_them() {
        assert_eq!(
            indent(r#"{"a":1.10,"b":12345678901234567890123,"c":-0.0e5}"#),
            "{\n  \"a\": 1.10,\n  \"b\": 12345678901234567890123,\n  \"c\": -0.0e5\n}"
        );
        assert_eq!(indent("42"), "42");
    }

    #[test]
    fn deep_nesting_is_printed_as_it_came() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(indent(&deep), deep);
        let fine = format!("{}1{}", "[".repeat(128), "]".repeat(128));
        assert!(indent(&fine).len() > fine.len());
    }
}
