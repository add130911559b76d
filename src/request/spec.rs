//! A whole request described in one JSON text, so that a binding hands over what its caller
//! gave (query parameters, headers, a JSON body or raw bytes, a content type) in one call and
//! the rules for turning it into a request are written once, here: how parameter values become
//! text, which content type a body gets, and which combinations make no sense.

use crate::error::{Error, Result};
use crate::request::builder::RequestBuilder;
use serde::de::{Deserializer as _, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;

/// The fields of the JSON the C function `dinero_request_builder_new_with` reads; every one
/// optional. `json` stays raw, exactly as the caller's encoder wrote it.
#[derive(Default)]
struct Spec<'a> {
    params: Option<Pairs>,
    headers: Option<Pairs>,
    json: Option<&'a RawValue>,
    content_type: Option<String>,
    /// True: the raw bytes passed beside the JSON are the body.
    data: bool,
    /// This request's organization (a number or a string of digits).
    organization_id: Option<String>,
}

impl<'a> Spec<'a> {
    fn parse(text: &'a str) -> Result<Self> {
        let bad = |e: serde_json::Error| {
            Error::invalid(format!(
                "the request description is not valid: {}",
                json_refusal(&e)
            ))
        };
        let fields: BTreeMap<String, &'a RawValue> = serde_json::from_str(text).map_err(bad)?;
        let mut spec = Spec::default();
        for (name, raw) in fields {
            let value = || serde_json::from_str::<Value>(raw.get()).map_err(bad);
            match name.as_str() {
                "params" => spec.params = Some(ordered(raw, &name)?),
                "headers" => spec.headers = Some(ordered(raw, &name)?),
                "json" => spec.json = Some(raw),
                "content_type" => match value()? {
                    Value::String(s) => spec.content_type = Some(s),
                    Value::Null => {}
                    _ => return Err(Error::invalid("content_type must be a string")),
                },
                "data" => spec.data = value()? == Value::Bool(true),
                "organization_id" => {
                    spec.organization_id = match value()? {
                        Value::Null => None,
                        Value::Number(n) => Some(crate::config::organization_id(&n.to_string())?),
                        Value::String(s) => Some(crate::config::organization_id(&s)?),
                        _ => {
                            return Err(Error::invalid(
                                "organization_id must be a number or a string of digits",
                            ))
                        }
                    }
                }
                other => {
                    return Err(Error::invalid(format!(
                        "the request description has an unknown field '{}'",
                        crate::config::printable(other)
                    )))
                }
            }
        }
        Ok(spec)
    }
}

/// Builds a request from `spec` (a JSON object: `params`, `headers`, `json`, `content_type`,
/// `data`, `organization_id`; NULL/empty means none of them) and `data` (the body when `spec.data` is true).
///
/// Rules: `json` and `data` together are refused, as is a content type without a body.
/// Parameter values: strings as they are, numbers as written, booleans as `true`/`false`, null
/// left out, an array repeats the parameter. A body's type is `content_type`, else the
/// Content-Type among the headers, else `application/json` for `json` and
/// `application/octet-stream` for bytes. With parameters, a `?` or `&` ending the path is
/// dropped (the parameters are appended with their own separator).
pub fn build(method: &str, path: &str, spec: Option<&str>, data: &[u8]) -> Result<RequestBuilder> {
    let spec: Spec = match spec {
        Some(text) if !text.trim().is_empty() => Spec::parse(text)?,
        _ => Spec::default(),
    };
    if spec.json.is_some() && spec.data {
        return Err(Error::invalid("give json or data, not both"));
    }
    if spec.content_type.is_some() && spec.json.is_none() && !spec.data {
        return Err(Error::invalid("content_type without a body (json or data)"));
    }
    let query = spec.params.unwrap_or_default();
    let mut query_text = Vec::new();
    for (key, value) in query {
        for item in repeated(&value) {
            if let Some(text) = param_text(&item)? {
                if key.contains('\0') || text.contains('\0') {
                    return Err(Error::invalid(format!(
                        "the query parameter {} contains a NUL character",
                        crate::config::printable(&key)
                    )));
                }
                query_text.push((key.clone(), text));
            }
        }
    }
    let path = if query_text.is_empty() {
        path
    } else {
        path.trim_end_matches(['?', '&'])
    };
    let mut builder = RequestBuilder::new(method, path)?;
    builder.organization_id = spec.organization_id;
    for (key, value) in &query_text {
        builder.query(key, value);
    }
    let mut given_type = None;
    for (name, value) in spec.headers.unwrap_or_default() {
        let Value::String(value) = value else {
            return Err(Error::invalid(format!(
                "the value of the {} header must be a string",
                crate::config::printable(&name)
            )));
        };
        builder.header(&name, &value)?;
        if name.eq_ignore_ascii_case("content-type") {
            given_type = Some(value);
        }
    }
    let body = match (spec.json, spec.data) {
        (Some(json), _) => Some((json.get().as_bytes().to_vec(), "application/json")),
        (None, true) => Some((
            RequestBuilder::owned_body(data)?,
            "application/octet-stream",
        )),
        (None, false) => None,
    };
    if let Some((bytes, default_type)) = body {
        let content_type = spec
            .content_type
            .or(given_type)
            .unwrap_or_else(|| default_type.to_string());
        builder.body(bytes, &content_type)?;
    }
    Ok(builder)
}

/// An object's entries or a list's `[name, value]` pairs, in the order written (a JSON
/// object read into a map would lose it, and the query keeps the caller's order).
type Pairs = Vec<(String, Value)>;

fn ordered(raw: &RawValue, what: &str) -> Result<Pairs> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Option<Pairs>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object or a list of pairs")
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(Some(Vec::new()))
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry::<String, Value>()? {
                out.push(entry);
            }
            Ok(Some(out))
        }
        fn visit_seq<A: SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<Value>()? {
                match item {
                    Value::Array(mut pair) if pair.len() == 2 => {
                        let value = pair.pop().unwrap_or(Value::Null);
                        match pair.pop() {
                            Some(Value::String(name)) => out.push((name, value)),
                            Some(Value::Number(n)) => out.push((n.to_string(), value)),
                            _ => return Ok(None),
                        }
                    }
                    _ => return Ok(None),
                }
            }
            Ok(Some(out))
        }
    }
    let mut reader = serde_json::Deserializer::from_str(raw.get());
    reader
        .deserialize_any(Entries)
        .ok()
        .flatten()
        .ok_or_else(|| pairs_error(what))
}

fn pairs_error(what: &str) -> Error {
    Error::invalid(format!(
        "{what} must be a mapping or a list of (name, value) pairs"
    ))
}

fn repeated(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

/// The largest integer a double holds exactly: a whole number read as a double beyond it (one
/// past u64, or below i64) is only near what the caller wrote.
const EXACT_DOUBLE: f64 = 9_007_199_254_740_992.0;

/// A parameter value's text; None leaves it out. A number that JSON gave as a whole double too
/// large to be exact is refused rather than sent as `1.8446744073709552e19`.
fn param_text(value: &Value) -> Result<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Number(n)
            if n.as_f64()
                .is_some_and(|f| n.is_f64() && f.fract() == 0.0 && f.abs() >= EXACT_DOUBLE) =>
        {
            Err(Error::invalid(
                "a params value is a whole number too large to send exactly: give it as a string",
            ))
        }
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(Error::invalid(
            "params values must be strings, numbers or booleans",
        )),
    }
}

/// Why serde refused a caller's JSON, without the JSON itself: its message for a value of the
/// wrong type quotes that value (`invalid type: string "..."`), which may hold a secret (a
/// Redis password in a URL, a token in a header) when, say, the object was encoded twice.
/// Syntax errors name only a line and column.
pub(crate) fn json_refusal(error: &serde_json::Error) -> String {
    match error.classify() {
        serde_json::error::Category::Data => format!(
            "a value of the wrong type at line {} column {}",
            error.line(),
            error.column()
        ),
        _ => error.to_string(),
    }
}

/// Sets options from a JSON object: keys as the C option names or in camelCase
/// (`organizationId`), values as strings, numbers (a whole float is written without its
/// fraction) or booleans; null leaves the default. On error nothing changes.
pub fn set_options(config: &mut crate::config::Config, json: &str) -> Result<()> {
    let map: serde_json::Map<String, Value> = serde_json::from_str(json).map_err(|e| {
        Error::invalid(format!(
            "the options are not a JSON object: {}",
            json_refusal(&e)
        ))
    })?;
    let mut updated = config.clone();
    for (name, value) in &map {
        if name.contains('\0') {
            return Err(Error::invalid("an option name contains a NUL character"));
        }
        let key = snake_case(name);
        let Some(text) = option_text(&key, value)? else {
            continue;
        };
        updated.set(&key, &text)?;
    }
    *config = updated;
    Ok(())
}

/// An option value's text; None leaves the default.
fn option_text(key: &str, value: &Value) -> Result<Option<String>> {
    Ok(Some(match value {
        Value::Null => return Ok(None),
        Value::Bool(b) => b.to_string(),
        Value::String(s) if s.contains('\0') => {
            return Err(Error::invalid(format!(
                "option {key} contains a NUL character"
            )))
        }
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                format!("{}", f as i64)
            }
            _ => n.to_string(),
        },
        _ => {
            return Err(Error::invalid(format!(
                "option {key} must be a string, number or boolean"
            )))
        }
    }))
}

/// organizationId -> organization_id; snake_case stays as it is.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_go_exactly_or_not_at_all() {
        let text = |json: &str| param_text(&serde_json::from_str(json).unwrap());
        assert_eq!(
            text("18446744073709551615").unwrap().as_deref(),
            Some("18446744073709551615")
        );
        assert_eq!(
            text("-9223372036854775808").unwrap().as_deref(),
            Some("-9223372036854775808")
        );
        assert_eq!(text("1.5").unwrap().as_deref(), Some("1.5"));
        for inexact in ["18446744073709551616", "-9223372036854775809", "1e300"] {
            let error = text(inexact).unwrap_err();
            assert!(
                error.message().contains("give it as a string"),
                "{inexact}: {error}"
            );
        }
    }

    #[test]
    fn json_encoded_twice_is_refused_without_quoting_it() {
        // A binding that encodes its object twice hands over one JSON string holding it all.
        let twice = |object: &str| serde_json::to_string(object).unwrap();
        let options = twice(r#"{"shared_state":"rediss://app:S3cretRedisPw@redis.internal/0"}"#);
        let error = set_options(&mut crate::config::Config::default(), &options).unwrap_err();
        assert!(!error.message().contains("S3cret"), "{error}");
        assert!(error.message().contains("not a JSON object"), "{error}");
        let spec = twice(r#"{"headers":[["X-Api-Key","S3cretHeaderValue"]]}"#);
        let error = build("GET", "/v1/x", Some(&spec), &[]).unwrap_err();
        assert!(!error.message().contains("S3cret"), "{error}");
        assert!(error.message().contains("wrong type"), "{error}");
    }

    #[test]
    fn params_headers_and_json_body() {
        let spec = r#"{"params":{"q":"a b","n":[1,true],"skip":null},"headers":[["Accept","x/y"]],"json":{"b": 1.50}}"#;
        let built = build("POST", "/v1/x?", Some(spec), &[]).unwrap();
        assert_eq!(built.path_and_query(), "/v1/x?q=a%20b&n=1&n=true");
        assert_eq!(built.body.as_deref(), Some(&br#"{"b": 1.50}"#[..]));
        assert!(built
            .headers
            .contains(&("content-type".into(), "application/json".into())));
    }

    #[test]
    fn content_type_order_and_refusals() {
        let built = build(
            "PUT",
            "/p",
            Some(r#"{"headers":{"Content-Type":"text/csv"},"data":true}"#),
            b"a,b",
        )
        .unwrap();
        assert!(built
            .headers
            .contains(&("content-type".into(), "text/csv".into())));
        let err = build("PUT", "/p", Some(r#"{"json":1,"data":true}"#), b"").unwrap_err();
        assert!(err.to_string().contains("not both"));
        let err = build("PUT", "/p", Some(r#"{"content_type":"a/b"}"#), b"").unwrap_err();
        assert!(err.to_string().contains("without a body"));
    }

    #[test]
    fn a_blank_description_or_null_fields_mean_not_given() {
        // A C caller may pass "" for "nothing", and Node's binding passes its caller's nulls
        // through (`params: null`, `contentType: null`): neither may turn a call into an error.
        for spec in [
            "",
            " \n",
            r#"{"params":null,"headers":null,"content_type":null,"organization_id":null}"#,
        ] {
            let built = build("GET", "/v1/x", Some(spec), &[]).unwrap();
            assert_eq!(built.path_and_query(), "/v1/x", "{spec:?}");
            assert_eq!(built.organization_id, None, "{spec:?}");
            assert!(built.body.is_none(), "{spec:?}");
        }
    }

    #[test]
    fn a_requests_organization_is_a_number_or_a_string_of_digits() {
        // The bindings pass what their caller gave: 424242 from one, "424242" from another.
        for spec in [
            r#"{"organization_id":424242}"#,
            r#"{"organization_id":"424242"}"#,
        ] {
            let built = build("GET", "/v1/{organizationId}/x", Some(spec), &[]).unwrap();
            assert_eq!(built.organization_id.as_deref(), Some("424242"), "{spec}");
        }
        for bad in [
            r#"{"organization_id":"42a"}"#,
            r#"{"organization_id":true}"#,
        ] {
            assert!(build("GET", "/p", Some(bad), &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_nul_in_a_parameters_name_or_value_alone_is_refused() {
        // Percent-encoded it would reach Dinero as %00; the caller is told instead.
        for spec in [
            r#"{"params":{"a\u0000b":"x"}}"#,
            r#"{"params":{"a":"x\u0000y"}}"#,
        ] {
            let err = build("GET", "/p", Some(spec), &[]).unwrap_err();
            assert!(err.message().contains("NUL"), "{spec}: {err}");
        }
    }

    #[test]
    fn params_pairs_are_two_long_and_named_by_a_string_or_a_number() {
        // Python's binding sends a mapping with integer keys ({1: "x"}) as [[1, "x"]].
        let built = build("GET", "/p", Some(r#"{"params":[[1,"x"],["b",2]]}"#), &[]).unwrap();
        assert_eq!(built.path_and_query(), "/p?1=x&b=2");
        // A pair of three is a caller's mistake, refused rather than read as its last two.
        for bad in [
            r#"[["a","b","c"]]"#,
            r#"[["a"]]"#,
            r#"[[true,"x"]]"#,
            r#""a=b""#,
        ] {
            let spec = format!(r#"{{"params":{bad}}}"#);
            let err = build("GET", "/p", Some(&spec), &[]).unwrap_err();
            assert!(
                err.message().contains("list of (name, value) pairs"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn too_many_headers_fail_at_the_first_one_too_many() {
        use crate::request::builder::MAX_HEADERS;
        let spec = |n: usize| {
            let headers: serde_json::Map<String, Value> = (0..n)
                .map(|i| (format!("X-H-{i}"), Value::String("v".into())))
                .collect();
            serde_json::json!({ "headers": headers, "json": {} }).to_string()
        };
        let built = build("POST", "/p", Some(&spec(MAX_HEADERS)), &[]).unwrap();
        assert_eq!(built.headers.len(), MAX_HEADERS + 1, "with Content-Type");
        // The auditor's 80,000: refused at the 101st, in time linear in what was read.
        let err = build("POST", "/p", Some(&spec(80_000)), &[]).unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::InvalidArgument);
        assert!(err.message().contains("too many headers"), "{err}");
    }

    #[test]
    fn options_from_json_camel_case_and_numbers() {
        let mut config = crate::config::Config::default();
        set_options(
            &mut config,
            r#"{"maxRetries":2.0,"organization_id":"7","scope":null}"#,
        )
        .unwrap();
        assert_eq!(config.max_retries, 2);
        let before = config.clone();
        assert!(set_options(&mut config, r#"{"max_retries":1,"bogus":1}"#).is_err());
        let text = |json: &str| option_text("k", &serde_json::from_str(json).unwrap()).unwrap();
        assert_eq!(text("true"), Some("true".into()));
        assert_eq!(text("false"), Some("false".into()));
        assert_eq!(text("2000.0"), Some("2000".into()));
        assert_eq!(text("1.5"), Some("1.5".into()));
        assert_eq!(text("null"), None);
        assert!(option_text("k", &serde_json::json!([1])).is_err());
        assert_eq!(config, before);
    }
}
