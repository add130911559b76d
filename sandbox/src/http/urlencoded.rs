//! `application/x-www-form-urlencoded` decoding, used for query strings and the token form.

/// Decodes one form component: `+` is a space, `%XX` a byte; the result must be UTF-8.
/// `None` for a broken escape or invalid UTF-8, so callers can answer 400 instead of guessing.
pub fn decode_component(raw: &str) -> Option<String> {
    if !raw.bytes().any(|b| b == b'%' || b == b'+') {
        return Some(raw.to_owned());
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = hex_value(*bytes.get(i + 1)?)?;
                let lo = hex_value(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Splits `a=1&b=2` into decoded pairs, in order. Empty segments (`a=1&&b=2`) are skipped, a
/// segment without `=` has an empty value.
pub fn parse_pairs(raw: &str) -> Option<Vec<(String, String)>> {
    raw.split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            Some((decode_component(name)?, decode_component(value)?))
        })
        .collect()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_and_percent_are_spaces() {
        assert_eq!(
            decode_component("read+write").as_deref(),
            Some("read write")
        );
        assert_eq!(
            decode_component("read%20write").as_deref(),
            Some("read write")
        );
        assert_eq!(decode_component("B%C3%B8rge").as_deref(), Some("Børge"));
    }

    #[test]
    fn broken_escapes_are_rejected() {
        assert_eq!(decode_component("%"), None);
        assert_eq!(decode_component("%4"), None);
        assert_eq!(decode_component("%zz"), None);
        assert_eq!(decode_component("%FF"), None);
    }

    #[test]
    fn pairs() {
        let pairs = parse_pairs("a=1&&b&c=x%3Dy").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), String::new()),
                ("c".into(), "x=y".into())
            ]
        );
    }
}
