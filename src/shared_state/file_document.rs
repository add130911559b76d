//! What the state file holds: every client's entries, under one-way fingerprints, as one JSON
//! document (`{"format":3,"tokens":{..},"windows":{..}}`), read and written whole by
//! `FileStore` under its lock. Tokens read back are checked as if fresh from the endpoint, and
//! every secret in a document is wiped when it is dropped.

use super::window::{Window, GRACE_MS};
use crate::secret::Secret;
use crate::token::exchange::{is_sendable_token, MAX_LIFETIME};
use serde_json::{json, Map, Value};
use std::time::{SystemTime, UNIX_EPOCH};

pub(super) const FORMAT: u64 = 3;

/// The whole file: every client's entries, by fingerprint, as JSON. Their secrets are wiped
/// when it is dropped.
#[derive(Default)]
pub(super) struct Document {
    pub(super) tokens: Map<String, Value>,
    pub(super) windows: Map<String, Value>,
}

/// This client's entries, as plain values.
#[derive(Default)]
pub(super) struct Content {
    pub(super) token: Option<StoredToken>,
    /// Visma Connect's refresh token (one grant's; see `connect/refresh.rs`).
    pub(super) refresh_token: Option<Secret>,
    pub(super) lease: Option<(u64, u64)>,
    pub(super) window: Window,
    /// The window's length, once a step has told it: lets a later writer drop slots that ran
    /// out from an entry whose clients have gone.
    pub(super) window_ms: Option<u64>,
}

pub(super) struct StoredToken {
    pub(super) value: Secret,
    pub(super) expires_at_ms: u64,
    pub(super) lifetime_ms: u64,
}

/// Whether `text` is a state file, of this version or an older one, whole or not: a JSON object
/// with a `format` (older versions wrote their keys in sorted order, so it is not always
/// first), or the beginning of one as this version writes it (`{"format"`, cut short by a
/// crash), or the zeros a crash can leave of a file written in place. Anything else is not
/// ours. The values are only borrowed, never copied (they may hold tokens).
pub(super) fn looks_like_state(text: &[u8]) -> bool {
    let begins_as_ours = text
        .trim_ascii_start()
        .strip_prefix(b"{")
        .is_some_and(|rest| rest.trim_ascii_start().starts_with(b"\"format\""));
    begins_as_ours
        || text.iter().all(|b| *b == 0)
        || serde_json::from_slice::<std::collections::HashMap<&str, &serde_json::value::RawValue>>(
            text,
        )
        .is_ok_and(|object| object.contains_key("format"))
}

/// Counts what is written to it.
pub(super) struct ByteCount(pub(super) usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Document {
    pub(super) fn serialize(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        write!(out, "{{\"format\":{FORMAT},\"tokens\":")?;
        serde_json::to_writer(&mut *out, &self.tokens)?;
        out.write_all(b",\"windows\":")?;
        serde_json::to_writer(&mut *out, &self.windows)?;
        out.write_all(b"}")
    }
    /// The document, or None for a file that is not one (an older format, another program's):
    /// any token in it is wiped all the same.
    pub(super) fn parse(text: &[u8]) -> Option<Document> {
        let mut json: Value = serde_json::from_slice(text).ok()?;
        let ours = json["format"].as_u64() == Some(FORMAT)
            && json["tokens"].is_object()
            && json["windows"].is_object();
        if ours {
            let mut take = |key| json.get_mut(key).map(Value::take);
            if let (Some(Value::Object(tokens)), Some(Value::Object(windows))) =
                (take("tokens"), take("windows"))
            {
                return Some(Document { tokens, windows });
            }
        }
        wipe(&mut json);
        if let Some(Value::Object(tokens)) = json.get_mut("tokens") {
            tokens.values_mut().for_each(wipe);
        }
        None
    }

    /// The entries of one client; an entry that does not read is taken as empty (and is
    /// replaced when the client writes).
    pub(super) fn content(&self, token_key: &str, window_key: &str) -> Content {
        let entry = self.tokens.get(token_key);
        let window = self.windows.get(window_key);
        let pairs = |key: &str| {
            window?[key]
                .as_array()?
                .iter()
                .map(|pair| Some((pair.get(0)?.as_u64()?, pair.get(1)?.as_u64()?)))
                .collect::<Option<Vec<_>>>()
        };
        Content {
            token: entry.and_then(|e| parse_token(&e["token"])),
            refresh_token: entry
                .and_then(|e| e["refresh_token"].as_str())
                .filter(|t| is_sendable_token(t))
                .map(Secret::new),
            lease: entry.and_then(|e| {
                let pair = e["lease"].as_array()?;
                Some((pair.first()?.as_u64()?, pair.get(1)?.as_u64()?))
            }),
            window: Window {
                slots: pairs("slots").unwrap_or_default(),
                waiters: pairs("waiters").unwrap_or_default(),
            },
            window_ms: window.and_then(|w| w["window_ms"].as_u64()),
        }
    }

    /// Puts one client's entries back; an entry with nothing left in it is removed.
    pub(super) fn put(&mut self, token_key: &str, window_key: &str, content: &Content) {
        let token = content.token.as_ref().map(|t| {
            json!({
                "access_token": t.value.expose(),
                "expires_at_unix_ms": t.expires_at_ms,
                "lifetime_ms": t.lifetime_ms,
            })
        });
        let entry = (token.is_some() || content.refresh_token.is_some() || content.lease.is_some())
            .then(|| {
                json!({
                    "token": token,
                    "refresh_token": content.refresh_token.as_ref().map(Secret::expose),
                    "lease": content.lease.map(|(holder, until)| json!([holder, until])),
                })
            });
        if let Some(mut old) = match entry {
            Some(entry) => self.tokens.insert(token_key.to_owned(), entry),
            None => self.tokens.remove(token_key),
        } {
            wipe(&mut old);
        }
        let window = &content.window;
        if window.slots.is_empty() && window.waiters.is_empty() {
            self.windows.remove(window_key);
        } else {
            self.windows.insert(
                window_key.to_owned(),
                json!({
                    "slots": window.slots.iter().map(|(id, at)| json!([id, at])).collect::<Vec<_>>(),
                    "waiters": window.waiters.iter().map(|(id, due)| json!([id, due])).collect::<Vec<_>>(),
                    "window_ms": content.window_ms,
                }),
            );
        }
    }

    /// Drops what no client can use any more: token entries whose token has expired, with no
    /// refresh token and no running lease; windows whose every slot and waiter has run out.
    pub(super) fn drop_run_out(&mut self, now: u64) {
        let ran_out = |entry: &Value| {
            let token_gone = entry["token"]["expires_at_unix_ms"]
                .as_u64()
                .is_none_or(|at| at <= now);
            let lease_gone = entry["lease"][1].as_u64().is_none_or(|until| until <= now);
            token_gone && lease_gone && entry["refresh_token"].is_null()
        };
        let gone: Vec<String> = self
            .tokens
            .iter()
            .filter(|(_, entry)| ran_out(entry))
            .map(|(key, _)| key.clone())
            .collect();
        for key in gone {
            if let Some(mut entry) = self.tokens.remove(&key) {
                wipe(&mut entry);
            }
        }
        self.windows.retain(|_, window| {
            let Some(window_ms) = window["window_ms"].as_u64() else {
                return true;
            };
            let live = |key: &str, left: u64| {
                window[key].as_array().is_some_and(|pairs| {
                    pairs.iter().any(|pair| {
                        pair[1]
                            .as_u64()
                            .is_some_and(|at| at.min(now).saturating_add(left) > now)
                    })
                })
            };
            live("slots", window_ms) || live("waiters", window_ms.saturating_add(GRACE_MS))
        });
    }
}

impl Drop for Document {
    fn drop(&mut self) {
        for entry in self.tokens.values_mut() {
            wipe(entry);
        }
    }
}

/// Wipes the secrets of a token entry.
fn wipe(entry: &mut Value) {
    for secret in ["/token/access_token", "/refresh_token"] {
        if let Some(Value::String(s)) = entry.pointer_mut(secret) {
            zeroize::Zeroize::zeroize(s);
        }
    }
}

/// A token read back is checked like one fresh from the endpoint: another process of ours
/// wrote it, but anything that can write the file could have.
fn parse_token(json: &Value) -> Option<StoredToken> {
    let value = json["access_token"]
        .as_str()
        .filter(|t| is_sendable_token(t))?;
    let lifetime_ms = json["lifetime_ms"]
        .as_u64()
        .filter(|ms| (1..=MAX_LIFETIME.as_millis() as u64).contains(ms))?;
    let expires_at_ms = json["expires_at_unix_ms"]
        .as_u64()
        .filter(|at| at.saturating_sub(unix_ms()) <= lifetime_ms)?;
    Some(StoredToken {
        value: Secret::new(value),
        expires_at_ms,
        lifetime_ms,
    })
}

/// For `crate::fuzzing`: reads `text` as a client keyed `token_key`/`window_key` would, takes
/// a slot, writes its entries back, and reads them again. Returns None when `text` is not a
/// state document, else whether the second reading equals the first, as it must for whatever
/// the file held (another program, a torn write, a hostile writer).
pub(crate) fn read_write_read(text: &[u8], token_key: &str, window_key: &str) -> Option<bool> {
    let mut document = Document::parse(text)?;
    let now = unix_ms();
    document.drop_run_out(now);
    let mut content = document.content(token_key, window_key);
    content.window.take(1, 3, 60_000, now);
    content.window_ms = Some(60_000);
    document.put(token_key, window_key, &content);
    let mut bytes = Vec::new();
    document.serialize(&mut bytes).ok()?;
    let again = Document::parse(&bytes)?.content(token_key, window_key);
    let token = |c: &Content| {
        c.token
            .as_ref()
            .map(|t| (t.value.expose().to_string(), t.expires_at_ms, t.lifetime_ms))
    };
    let window = |c: &Content| (c.window.slots.clone(), c.window.waiters.clone());
    Some(
        token(&again) == token(&content)
            && again.refresh_token.as_ref().map(Secret::expose)
                == content.refresh_token.as_ref().map(Secret::expose)
            && again.lease == content.lease
            && window(&again) == window(&content),
    )
}

pub(super) fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_of_another_format_is_not_read_even_in_this_versions_shape() {
        // Another libdinero version sharing the file (a rolling deploy) may write the same two
        // maps under another format number, with entries this version does not know how to
        // read: the file is then replaced, never read as if it were this version's.
        for format in [2, FORMAT + 1] {
            let text = format!(r#"{{"format":{format},"tokens":{{}},"windows":{{}}}}"#);
            assert!(Document::parse(text.as_bytes()).is_none(), "{text}");
        }
        let ours = format!(r#"{{"format":{FORMAT},"tokens":{{}},"windows":{{}}}}"#);
        assert!(Document::parse(ours.as_bytes()).is_some(), "{ours}");
    }

    #[test]
    fn wiping_an_entry_empties_both_of_its_tokens() {
        // Entries replaced or dropped are wiped first, so that no token read from the file
        // lingers in freed memory (a core dump, a later allocation).
        let mut entry = json!({
            "token": {"access_token": "tok.en", "expires_at_unix_ms": 1, "lifetime_ms": 1},
            "refresh_token": "refresh-token",
            "lease": null,
        });
        wipe(&mut entry);
        assert_eq!(entry["token"]["access_token"], "");
        assert_eq!(entry["refresh_token"], "");
    }
}
