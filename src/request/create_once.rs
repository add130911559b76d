//! Creates that happen exactly once, although Dinero has no idempotency keys.
//!
//! A create may carry its own id (`ContactGuid` on a contact, `Guid` on an invoice or credit
//! note). With the id known before sending, a create whose answer is lost (reset, timeout,
//! cut-short answer, 5xx) can be settled by asking `GET {collection}/{id}`: there means it was
//! stored; Dinero's own "not found" (a 404 with code 40) means it was not, and the create is
//! sent again (at most `max_retries` more times); anything else (an HTML 404 from a route that
//! does not exist among them) means it cannot be told now, and the error says which id to look
//! for later. The POST itself is still never repeated blindly.
//!
//! Dinero documents the client-assigned id for contacts and invoices only. A credit note is
//! shaped like an invoice, so it gets a `Guid` too, but "not found" cannot prove that a lost
//! credit-note create was not stored (Dinero might have given it an id of its own): such a
//! create is never sent again, and a lost answer that the lookup does not settle is an error
//! naming the id.

use crate::api_error::ApiError;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use serde_json::{Map, Value};

/// The resources whose create accepts a client-assigned id, that id's property, and whether
/// Dinero documents that it keeps the id (so that "not found" proves "not stored"). Products
/// are not among them: Dinero does not document an id on a product create.
const ID_PROPERTIES: &[(&str, &str, bool)] = &[
    ("contacts", "ContactGuid", true),
    ("invoices", "Guid", true),
    ("sales/creditnotes", "Guid", false),
];

/// Dinero's error code for "not found".
const NOT_FOUND_CODE: i64 = 40;

/// A create that happened: the entity's id, and the answer that proves it (the create's own
/// answer, or the entity read back when that answer was lost).
#[derive(Debug, Clone)]
pub struct Created {
    pub guid: String,
    pub response: Response,
    /// True when the create's answer was lost and the entity was found by reading it back.
    pub recovered: bool,
}

/// A create prepared for sending: the collection, the id, and the body carrying the id.
#[derive(Debug)]
pub struct Prepared {
    pub collection: String,
    pub guid: String,
    pub id_property: &'static str,
    /// Dinero documents that this resource keeps the id it is given.
    pub id_documented: bool,
    pub body: Vec<u8>,
}

/// Checks the collection and the body, and puts a fresh GUID into the body when the caller gave
/// none. Nothing is sent.
pub fn prepare(collection_path: &str, json_body: &[u8]) -> Result<Prepared> {
    let collection = collection_path.trim_end_matches('/');
    if collection.contains(['?', '#']) {
        return Err(Error::invalid(
            "collection_path must be a collection such as /v1/{organizationId}/contacts, without a query",
        ));
    }
    let (id_property, id_documented) = ID_PROPERTIES
        .iter()
        .find(|(resource, _, _)| {
            collection
                .to_ascii_lowercase()
                .ends_with(&format!("/{resource}"))
        })
        .map(|(_, property, documented)| (*property, *documented))
        .ok_or_else(|| {
            Error::invalid(format!(
                "{collection_path:?}: exactly-once creates need a resource whose create takes its own id \
                 (contacts, invoices, sales/creditnotes)"
            ))
        })?;
    let mut object: Map<String, Value> = match serde_json::from_slice(json_body) {
        Ok(Value::Object(object)) => object,
        _ => return Err(Error::invalid("json_body must be a JSON object")),
    };
    let given = object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(id_property))
        .map(|(key, value)| (key.clone(), value.clone()));
    let guid = match given {
        Some((_, Value::String(guid))) if is_guid(&guid) => guid,
        Some((_, Value::Null)) | None => {
            if let Some((key, _)) = given {
                object.remove(&key);
            }
            let guid = fresh_guid();
            object.insert(id_property.to_owned(), Value::String(guid.clone()));
            guid
        }
        Some(_) => {
            return Err(Error::invalid(format!(
                "{id_property} in json_body must be a GUID such as 0b4f6fd6-5d49-4c2c-9a3e-6a7f1e2d3c4b"
            )))
        }
    };
    let body = serde_json::to_vec(&Value::Object(object)).map_err(|e| {
        Error::invalid(format!(
            "json_body: {}",
            crate::request::spec::json_refusal(&e)
        ))
    })?;
    Ok(Prepared {
        collection: collection.to_owned(),
        guid,
        id_property,
        id_documented,
        body,
    })
}

/// What became of one send of the create.
pub enum Sent {
    /// Dinero answered, and the answer settles it (2xx: created; 4xx: refused as sent).
    Answered(Response),
    /// The answer was lost, or says nothing about the create (5xx): ask whether it exists.
    Lost(Lost),
    /// A failure that is not about the create's fate (bad TLS, a local limit): hand it back.
    Failed(Error),
}

pub struct Lost {
    /// What happened, for messages.
    pub why: String,
    /// The kind of error to report if the create's fate stays open.
    pub kind: ErrorKind,
    /// A 5xx answer, handed back as it is if the create turns out not to have happened.
    pub response: Option<Response>,
}

/// Sorts the outcome of one POST.
pub fn classify(outcome: Result<Response>) -> Sent {
    match outcome {
        Ok(response) if response.status() >= 500 => Sent::Lost(Lost {
            why: format!("HTTP {}", response.status()),
            kind: ErrorKind::Network,
            response: Some(response),
        }),
        Ok(response) => Sent::Answered(response),
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::Network
                    | ErrorKind::Timeout
                    | ErrorKind::Protocol
                    | ErrorKind::ResponseTooLarge
            ) =>
        {
            Sent::Lost(Lost {
                why: error.message().to_owned(),
                kind: error.kind(),
                response: None,
            })
        }
        Err(error) => Sent::Failed(error),
    }
}

/// Whether the entity exists, from the answer to `GET {collection}/{guid}`.
pub enum Found {
    Yes(Response),
    No,
    /// It cannot be told: why.
    Unknown(String),
}

impl Prepared {
    /// Whether the entity exists, from the answer to `GET {collection}/{guid}`. Only Dinero's
    /// own "not found" (a JSON error with code 40), for a resource documented to keep its id,
    /// says it does not: an HTML 404 means the route itself is unknown.
    pub fn found(&self, outcome: Result<Response>) -> Found {
        match outcome {
            Ok(response) if response.status() == 200 => Found::Yes(response),
            Ok(response) if response.status() == 404 && !self.id_documented => {
                Found::Unknown(format!(
                    "Dinero does not document that {} keeps the {} it is given, so \
                     \"not found\" does not prove it was not stored",
                    self.collection, self.id_property
                ))
            }
            Ok(response)
                if response.status() == 404
                    && ApiError::parse(404, response.body()).code == Some(NOT_FOUND_CODE) =>
            {
                Found::No
            }
            Ok(response) if response.status() == 404 => Found::Unknown(
                "the check answered HTTP 404 without Dinero's \"not found\" (code 40): the \
                 route may not exist"
                    .into(),
            ),
            Ok(response) => {
                Found::Unknown(format!("the check answered HTTP {}", response.status()))
            }
            Err(error) => Found::Unknown(format!("the check failed: {}", error.message())),
        }
    }

    /// The id a 2xx answer gives the entity, when it names one other than ours: Dinero kept an
    /// id of its own, and that is the entity's id.
    pub fn id_in_answer(&self, response: &Response) -> Option<String> {
        let Ok(Value::Object(answer)) = serde_json::from_slice::<Value>(response.body()) else {
            return None;
        };
        answer
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(self.id_property))
            .and_then(|(_, value)| value.as_str())
            .filter(|id| is_guid(id) && !id.eq_ignore_ascii_case(&self.guid))
            .map(str::to_owned)
    }
}

/// The error for a create whose fate cannot be told, naming the id to look for later.
pub fn unknown(prepared: &Prepared, lost: &str, why: &str, kind: ErrorKind) -> Error {
    // Where it could have been stored under an id of Dinero's, only the list can tell.
    let look_in = if prepared.id_documented {
        format!("GET {}/{}", prepared.collection, prepared.guid)
    } else {
        format!(
            "GET {}/{}, and in the list GET {}",
            prepared.collection, prepared.guid, prepared.collection
        )
    };
    Error::new(
        kind,
        format!(
            "the answer to the create of {} {} was lost ({lost}) and {why}, so whether it was \
             stored is unknown: look for it later ({look_in})",
            prepared.id_property, prepared.guid
        ),
    )
}

/// The error for a create that was not stored after every attempt.
pub fn not_created(prepared: &Prepared, attempts: u32, lost: &Lost) -> Error {
    Error::new(
        lost.kind,
        format!(
            "the create of {} {} was not stored after {attempts} attempts (last: {}); \
             GET {}/{} answers 404",
            prepared.id_property, prepared.guid, lost.why, prepared.collection, prepared.guid
        ),
    )
}

/// A random (version 4) GUID, lower case.
fn fresh_guid() -> String {
    let mut bytes: [u8; 16] = crate::unique::u128().to_le_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_guid_goes_into_the_body_under_the_resources_id() {
        let p = prepare("/v1/{organizationId}/contacts/", br#"{"Name":"Ib"}"#).unwrap();
        assert_eq!(p.id_property, "ContactGuid");
        assert_eq!(p.collection, "/v1/{organizationId}/contacts");
        assert!(is_guid(&p.guid) && &p.guid[14..15] == "4");
        let body: Value = serde_json::from_slice(&p.body).unwrap();
        assert_eq!(body["ContactGuid"], p.guid.as_str());
        assert_eq!(body["Name"], "Ib");

        let given = "0B4F6FD6-5D49-4C2C-9A3E-6A7F1E2D3C4B";
        let p = prepare(
            "/v1/1/sales/creditnotes",
            format!(r#"{{"guid":"{given}"}}"#).as_bytes(),
        )
        .unwrap();
        assert_eq!(p.guid, given, "the caller's own id is kept");
        let p = prepare("/v1/1/invoices", br#"{"Guid":null}"#).unwrap();
        assert!(is_guid(&p.guid));
        assert_ne!(fresh_guid(), fresh_guid());
    }

    #[test]
    fn what_cannot_be_made_exactly_once_is_refused_before_sending() {
        for (path, body) in [
            ("/v1/1/products", r#"{}"#),
            ("/v1/1/contacts?x=1", r#"{}"#),
            ("/v1/1/contacts", r#"[1]"#),
            ("/v1/1/contacts", r#"{"ContactGuid":"nope"}"#),
            ("/v1/1/contacts", r#"{"ContactGuid":7}"#),
            ("/v1/1/contacts", "not json"),
        ] {
            let error = prepare(path, body.as_bytes()).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{path} {body}");
        }
    }
}
