//! Dinero's `queryFilter`: conditions `Property op 'value'` joined by `;` (all must hold), with
//! `eq` and `contains`. Comparison is on the value as a string, case-insensitively (Dinero sits
//! on SQL Server, whose default collation ignores case). `''` inside quotes is a quote.

use serde_json::{Map, Value};

use super::entities::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Contains,
}

#[derive(Debug)]
struct Condition {
    property: &'static str,
    op: Op,
    /// Lower-cased once here, not per entity.
    value: String,
}

#[derive(Debug)]
pub struct Filter {
    conditions: Vec<Condition>,
}

impl Filter {
    /// Parses a filter; the error says what is wrong, for the 400 body. With `strict`, only the
    /// properties Dinero documents for the resource may be named; else any property.
    pub fn parse(input: &str, kind: Kind, strict: bool) -> Result<Filter, String> {
        let mut cursor = Cursor { rest: input };
        let mut conditions = Vec::new();
        loop {
            cursor.skip_spaces();
            let name = cursor.word();
            if name.is_empty() {
                return Err("expected a property name".into());
            }
            let property = if strict {
                kind.filterable()
                    .iter()
                    .copied()
                    .find(|p| p.eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        format!(
                            "{name:?} cannot be filtered on (only {})",
                            kind.filterable().join(", ")
                        )
                    })?
            } else {
                kind.property(name)
                    .ok_or_else(|| format!("unknown property {name:?}"))?
            };
            cursor.skip_spaces();
            let op = match cursor.word().to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "contains" => Op::Contains,
                "" => return Err(format!("expected an operator after {name:?}")),
                other => {
                    return Err(format!(
                        "unsupported operator {other:?} (use eq or contains)"
                    ))
                }
            };
            cursor.skip_spaces();
            let value = cursor.value()?;
            conditions.push(Condition {
                property,
                op,
                value: value.to_lowercase(),
            });
            cursor.skip_spaces();
            match cursor.next_char() {
                None => return Ok(Filter { conditions }),
                Some(';') => {}
                Some(c) => return Err(format!("unexpected {c:?} after a condition")),
            }
        }
    }

    pub fn matches(&self, entity: &Map<String, Value>) -> bool {
        self.conditions.iter().all(|c| {
            let Some(actual) = entity.get(c.property).and_then(as_text) else {
                return false;
            };
            let actual = actual.to_lowercase();
            match c.op {
                Op::Eq => actual == c.value,
                Op::Contains => actual.contains(&c.value),
            }
        })
    }
}

/// A property value as the string a filter compares against; objects and arrays have none.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.rest.chars().next()?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(c)
    }

    fn word(&mut self) -> &'a str {
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest.len());
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        word
    }

    /// `'quoted'` (with `''` for a quote) or a bare word up to `;` (`IsPerson eq true`).
    fn value(&mut self) -> Result<String, String> {
        if !self.rest.starts_with('\'') {
            let end = self.rest.find(';').unwrap_or(self.rest.len());
            let (bare, rest) = self.rest.split_at(end);
            let bare = bare.trim();
            if bare.is_empty() || bare.contains([' ', '\'']) {
                return Err("expected a value in single quotes".into());
            }
            self.rest = rest;
            return Ok(bare.to_owned());
        }
        self.rest = &self.rest[1..];
        let mut value = String::new();
        loop {
            match self.next_char() {
                None => return Err("unterminated quoted value".into()),
                Some('\'') if self.rest.starts_with('\'') => {
                    self.rest = &self.rest[1..];
                    value.push('\'');
                }
                Some('\'') => return Ok(value),
                Some(c) => value.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn eq_contains_and() {
        let e = entity(json!({"Name": "Børge Lund", "City": "Støvring", "IsPerson": true}));
        let ok = |f: &str| Filter::parse(f, Kind::Contacts, false).unwrap().matches(&e);
        assert!(ok("Name eq 'Børge Lund'"));
        assert!(ok("name EQ 'BØRGE LUND'"));
        assert!(ok("Name contains 'ør'"));
        assert!(ok("Name contains 'ør'; City eq 'Støvring'"));
        assert!(!ok("Name contains 'ør';City eq 'Aarhus'"));
        assert!(Filter::parse("City eq 'Støvring'", Kind::Contacts, true).is_err());
        assert!(Filter::parse("Email eq 'x'; IsPerson eq true", Kind::Contacts, true).is_ok());
        assert!(ok("IsPerson eq true"));
        assert!(!ok("Name eq 'Morten'"));
    }

    #[test]
    fn quotes_and_semicolons_inside_values() {
        let e = entity(json!({"Name": "O'Brien; Co"}));
        assert!(
            Filter::parse("Name eq 'O''Brien; Co'", Kind::Contacts, true)
                .unwrap()
                .matches(&e)
        );
    }

    #[test]
    fn malformed() {
        for bad in [
            "",
            "Name",
            "Name eq",
            "Name eq 'x",
            "Name like 'x'",
            "Nope eq 'x'",
            "Name eq 'x' junk",
            "Name eq 'x';",
            "; Name eq 'x'",
        ] {
            assert!(
                Filter::parse(bad, Kind::Contacts, false).is_err(),
                "{bad:?}"
            );
        }
    }
}
