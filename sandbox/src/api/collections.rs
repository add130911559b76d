//! The in-memory data: four collections in creation order, with Dinero's soft delete and
//! optimistic concurrency (`TimeStamp`, a server-wide counter like SQL Server's rowversion).

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::entities::{self, Kind, DRAFT_NUMBER};
use super::errors::ApiError;
use super::ledger::Ledger;
use crate::clock;
use crate::random;

pub struct Entity {
    pub guid: String,
    pub data: Map<String, Value>,
    /// `UpdatedAt` in ms at the precision it is shown with, for `changesSince`.
    pub updated_ms: i64,
    pub deleted: bool,
    pub timestamp: u64,
}

#[derive(Default)]
pub struct Collection {
    pub items: Vec<Entity>,
    index: HashMap<String, usize>,
}

impl Collection {
    fn get(&self, guid: &str) -> Option<&Entity> {
        // Clients may send a guid in upper case; ours are lower case.
        let guid = guid.to_ascii_lowercase();
        self.index.get(&guid).map(|&i| &self.items[i])
    }

    fn get_mut(&mut self, guid: &str) -> Option<&mut Entity> {
        let guid = guid.to_ascii_lowercase();
        self.index.get(&guid).map(|&i| &mut self.items[i])
    }
}

pub struct Store {
    contacts: Collection,
    products: Collection,
    invoices: Collection,
    credit_notes: Collection,
    next_timestamp: u64,
    next_invoice_number: i64,
    next_credit_note_number: i64,
    /// How many "Kontakt NNNN" contacts were generated so far (numbering continues).
    pub generated_contacts: usize,
    /// The bookkeeping: entries made by booking vouchers and ledger items.
    pub ledger: Ledger,
}

/// What a second create with an id that already exists gets (Dinero does not document it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicateId {
    /// 400 code 42 on the id property; nothing changes.
    #[default]
    Refuse,
    /// The create answers as if it had just happened, with the existing entity's id, and
    /// changes nothing.
    Accept,
}

/// What a successful create or update answers, per resource: `{"ContactGuid":...}`,
/// `{"ProductGuid":...}`, `{"Guid":...,"TimeStamp":...}`.
pub struct Written {
    pub kind: Kind,
    pub guid: String,
    pub timestamp: u64,
    /// A new entity (not an update, nor a create answered with an existing one).
    pub fresh: bool,
}

impl Written {
    pub fn to_json(&self) -> Value {
        if self.kind.is_voucher() {
            json!({"Guid": self.guid, "TimeStamp": format_timestamp(self.timestamp)})
        } else {
            json!({self.kind.guid_property(): self.guid})
        }
    }
}

/// 16 upper-case hex digits, like `00000000020A5EA8`.
pub fn format_timestamp(ts: u64) -> String {
    format!("{ts:016X}")
}

impl Default for Store {
    fn default() -> Self {
        Store {
            contacts: Collection::default(),
            products: Collection::default(),
            invoices: Collection::default(),
            credit_notes: Collection::default(),
            // Starts where the example in Dinero's docs is, for realistic-looking values.
            next_timestamp: 0x0000_0000_020A_5EA8,
            next_invoice_number: 1,
            next_credit_note_number: 1,
            generated_contacts: 0,
            ledger: Ledger::default(),
        }
    }
}

impl Store {
    pub fn collection(&self, kind: Kind) -> &Collection {
        match kind {
            Kind::Contacts => &self.contacts,
            Kind::Products => &self.products,
            Kind::Invoices => &self.invoices,
            Kind::CreditNotes => &self.credit_notes,
        }
    }

    fn collection_mut(&mut self, kind: Kind) -> &mut Collection {
        match kind {
            Kind::Contacts => &mut self.contacts,
            Kind::Products => &mut self.products,
            Kind::Invoices => &mut self.invoices,
            Kind::CreditNotes => &mut self.credit_notes,
        }
    }

    pub fn bump_timestamp(&mut self) -> u64 {
        self.next_timestamp += 1;
        self.next_timestamp
    }

    /// An entity that exists and is not deleted.
    pub fn live(&self, kind: Kind, guid: &str) -> Option<&Entity> {
        self.collection(kind).get(guid).filter(|e| !e.deleted)
    }

    /// GET one: 404 code 40 if unknown, 400 code 65 if deleted.
    pub fn get(&self, kind: Kind, guid: &str) -> Result<&Entity, ApiError> {
        let (english, danish) = kind.names();
        match self.collection(kind).get(guid) {
            None => Err(ApiError::not_found(english, danish)),
            Some(e) if e.deleted => Err(ApiError::deleted(english, danish)),
            Some(e) => Ok(e),
        }
    }

    /// The id a create body asks for, checked: `None` when it names none (or the resource takes
    /// none), lower case when it does.
    fn requested_id(kind: Kind, body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
        let Some(property) = kind.client_id_property() else {
            return Ok(None);
        };
        let value = body
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(property))
            .map(|(_, v)| v);
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if random::is_uuid(s) => Ok(Some(s.to_ascii_lowercase())),
            Some(_) => Err(ApiError::validation_one(
                property,
                format!("{property} must be a GUID like 0b4f6fd6-5d49-4c2c-9a3e-6a7f1e2d3c4b"),
                format!("{property} skal være et GUID som 0b4f6fd6-5d49-4c2c-9a3e-6a7f1e2d3c4b"),
            )),
        }
    }

    pub fn create(
        &mut self,
        kind: Kind,
        body: &Value,
        now_ms: i64,
        duplicate: DuplicateId,
    ) -> Result<Written, ApiError> {
        let body = body_object(body)?;
        let requested = Store::requested_id(kind, body)?;
        if let Some(existing) = requested
            .as_deref()
            .and_then(|id| self.collection(kind).get(id))
        {
            return match duplicate {
                DuplicateId::Accept => Ok(Written {
                    kind,
                    guid: existing.guid.clone(),
                    timestamp: existing.timestamp,
                    fresh: false,
                }),
                DuplicateId::Refuse => {
                    let property = kind.guid_property();
                    let (english, danish) = kind.names();
                    Err(ApiError::validation_one(
                        property,
                        format!("{english} with this {property} already exists"),
                        format!("{danish} med dette {property} findes allerede"),
                    ))
                }
            };
        }
        let mut data = entities::normalize(kind, body, self, &clock::format_date(now_ms))?;
        let guid = requested.unwrap_or_else(random::uuid_v4);
        let timestamp = self.bump_timestamp();
        data.insert(kind.guid_property().into(), json!(guid));
        if kind.is_voucher() {
            data.insert("Number".into(), json!(DRAFT_NUMBER));
        }
        data.insert("CreatedAt".into(), json!(format_time(kind, now_ms)));
        data.insert("DeletedAt".into(), Value::Null);
        let mut entity = Entity {
            guid: guid.clone(),
            data,
            updated_ms: 0,
            deleted: false,
            timestamp,
        };
        touch(kind, &mut entity, now_ms, timestamp);
        let collection = self.collection_mut(kind);
        collection
            .index
            .insert(guid.clone(), collection.items.len());
        collection.items.push(entity);
        Ok(Written {
            kind,
            guid,
            timestamp,
            fresh: true,
        })
    }

    pub fn update(
        &mut self,
        kind: Kind,
        guid: &str,
        body: &Value,
        now_ms: i64,
    ) -> Result<Written, ApiError> {
        let body = body_object(body)?;
        let stored = self.get(kind, guid)?;
        if kind.is_voucher() {
            check_timestamp(stored, Some(body), true)?;
            if is_booked(stored) {
                return Err(ApiError::already_booked(kind));
            }
        }
        // A PUT replaces the entity, as Dinero's does: what the body leaves out takes its
        // default (or is refused if required), it does not keep its stored value.
        let normalized = entities::normalize(kind, body, self, &clock::format_date(now_ms))?;
        let timestamp = self.bump_timestamp();
        let entity = self
            .collection_mut(kind)
            .get_mut(guid)
            .ok_or_else(|| ApiError::not_found(kind.names().0, kind.names().1))?;
        entity.data.extend(normalized);
        touch(kind, entity, now_ms, timestamp);
        Ok(Written {
            kind,
            guid: entity.guid.clone(),
            timestamp,
            fresh: false,
        })
    }

    /// Soft delete: the entity stays, with `DeletedAt` set, visible through `deletedOnly=true`.
    /// Vouchers take their `Timestamp` in the JSON body, optionally (checked when present), and
    /// only drafts can be deleted; contacts and products take none (a body is ignored).
    pub fn delete(
        &mut self,
        kind: Kind,
        guid: &str,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), ApiError> {
        let stored = self.get(kind, guid)?;
        if kind.is_voucher() && !body.iter().all(u8::is_ascii_whitespace) {
            let body: Value = serde_json::from_slice(body).map_err(|_| invalid_json())?;
            check_timestamp(stored, Some(body_object(&body)?), false)?;
        }
        // A booked voucher is in the books: it is credited, never deleted.
        if kind.is_voucher() && is_booked(stored) {
            return Err(ApiError::already_booked(kind));
        }
        let timestamp = self.bump_timestamp();
        let Some(entity) = self.collection_mut(kind).get_mut(guid) else {
            return Err(ApiError::not_found(kind.names().0, kind.names().1));
        };
        entity.deleted = true;
        entity
            .data
            .insert("DeletedAt".into(), json!(format_time(kind, now_ms)));
        touch(kind, entity, now_ms, timestamp);
        Ok(())
    }

    /// `POST /v1.2/{org}/ledgerItems`: cashbook items, stamped from the same counter as the
    /// entities.
    pub fn add_ledger_items(&mut self, body: &Value) -> Result<Value, ApiError> {
        self.ledger.add_items(body, &mut self.next_timestamp)
    }

    /// Books a draft voucher: needs its current `Timestamp` and a contact; assigns the next
    /// number of its kind and makes its ledger entries.
    pub fn book(
        &mut self,
        kind: Kind,
        guid: &str,
        body: &Value,
        now_ms: i64,
    ) -> Result<Value, ApiError> {
        let body = body_object(body)?;
        let stored = self.get(kind, guid)?;
        check_timestamp(stored, Some(body), true)?;
        if is_booked(stored) {
            return Err(ApiError::already_booked(kind));
        }
        let has_contact = stored
            .data
            .get("ContactGuid")
            .and_then(Value::as_str)
            .is_some_and(|c| self.live(Kind::Contacts, c).is_some());
        if !has_contact {
            return Err(ApiError::validation_one(
                "ContactGuid",
                "A contact is required to book the voucher",
                "Der skal være en kontakt for at bogføre bilaget",
            ));
        }
        let number = match kind {
            Kind::CreditNotes => &mut self.next_credit_note_number,
            _ => &mut self.next_invoice_number,
        };
        let assigned = *number;
        *number += 1;
        let timestamp = self.bump_timestamp();
        let entity = self
            .collection_mut(kind)
            .get_mut(guid)
            .ok_or_else(|| ApiError::not_found(kind.names().0, kind.names().1))?;
        entity.data.insert("Number".into(), json!(assigned));
        entity.data.insert("Status".into(), json!("Booked"));
        entity.data.insert("PaymentStatus".into(), json!("Booked"));
        touch(kind, entity, now_ms, timestamp);
        let data = entity.data.clone();
        self.ledger.book_voucher(kind, &data, now_ms);
        Ok(
            json!({"Guid": guid.to_ascii_lowercase(), "Number": assigned, "TimeStamp": format_timestamp(timestamp)}),
        )
    }
}

/// Whether a voucher was booked (drafts keep `Status` "Draft").
pub fn is_booked(entity: &Entity) -> bool {
    entity.data.get("Status").and_then(Value::as_str) != Some("Draft")
}

/// Marks an entity changed: `UpdatedAt`, the `changesSince` key and the `TimeStamp`.
fn touch(kind: Kind, entity: &mut Entity, now_ms: i64, timestamp: u64) {
    entity
        .data
        .insert("UpdatedAt".into(), json!(format_time(kind, now_ms)));
    entity.updated_ms = if kind.millisecond_times() {
        now_ms
    } else {
        now_ms - now_ms.rem_euclid(1000)
    };
    entity.timestamp = timestamp;
    if kind.is_voucher() {
        entity
            .data
            .insert("TimeStamp".into(), json!(format_timestamp(timestamp)));
    }
}

fn format_time(kind: Kind, ms: i64) -> String {
    if kind.millisecond_times() {
        clock::format_datetime_ms(ms)
    } else {
        clock::format_datetime(ms)
    }
}

pub fn invalid_json() -> ApiError {
    ApiError::validation_one(
        "body",
        "The request body is not valid JSON",
        "Forespørgslens indhold er ikke gyldig JSON",
    )
}

fn body_object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.as_object().ok_or_else(|| {
        ApiError::validation_one(
            "body",
            "The request body must be a JSON object",
            "Forespørgslens indhold skal være et JSON-objekt",
        )
    })
}

/// Checks the body's `Timestamp` (or `TimeStamp`) against the entity's: different is "Timestamp
/// outdated" (58); missing is a validation error (42) when `required`, else fine.
fn check_timestamp(
    stored: &Entity,
    body: Option<&Map<String, Value>>,
    required: bool,
) -> Result<(), ApiError> {
    let sent = body.and_then(|b| {
        b.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("timestamp"))
            .map(|(_, v)| v)
    });
    let Some(sent) = sent.filter(|v| !v.is_null()) else {
        return if required {
            Err(ApiError::validation_one(
                "Timestamp",
                "Timestamp is required",
                "Tidsstempel skal udfyldes",
            ))
        } else {
            Ok(())
        };
    };
    let parsed = sent
        .as_str()
        .and_then(|s| u64::from_str_radix(s.trim(), 16).ok());
    match parsed {
        None => Err(ApiError::validation_one(
            "Timestamp",
            "Timestamp must be a hexadecimal string",
            "Tidsstempel skal være en hexadecimal streng",
        )),
        Some(ts) if ts != stored.timestamp => Err(ApiError::timestamp_outdated()),
        Some(_) => Ok(()),
    }
}
