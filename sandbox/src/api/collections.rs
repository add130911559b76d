//! The in-memory data: three collections in creation order, with Dinero's soft delete and
//! optimistic concurrency (`TimeStamp`, a server-wide counter like SQL Server's rowversion).

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::entities::{self, Kind};
use super::errors::ApiError;
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
    next_timestamp: u64,
    next_invoice_number: u64,
    /// How many "Kontakt NNNN" contacts were generated so far (numbering continues).
    pub generated_contacts: usize,
}

/// What a successful create or update answers: `{"Guid":...,"TimeStamp":...}`.
pub struct Written {
    pub guid: String,
    pub timestamp: u64,
}

impl Written {
    pub fn to_json(&self) -> Value {
        json!({"Guid": self.guid, "TimeStamp": format_timestamp(self.timestamp)})
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
            // Starts where the example in Dinero's docs is, for realistic-looking values.
            next_timestamp: 0x0000_0000_020A_5EA8,
            next_invoice_number: 1,
            generated_contacts: 0,
        }
    }
}

impl Store {
    pub fn collection(&self, kind: Kind) -> &Collection {
        match kind {
            Kind::Contacts => &self.contacts,
            Kind::Products => &self.products,
            Kind::Invoices => &self.invoices,
        }
    }

    fn collection_mut(&mut self, kind: Kind) -> &mut Collection {
        match kind {
            Kind::Contacts => &mut self.contacts,
            Kind::Products => &mut self.products,
            Kind::Invoices => &mut self.invoices,
        }
    }

    fn bump_timestamp(&mut self) -> u64 {
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

    pub fn create(&mut self, kind: Kind, body: &Value, now_ms: i64) -> Result<Written, ApiError> {
        let body = body_object(body)?;
        let mut data = entities::normalize(kind, body, self, &clock::format_date(now_ms))?;
        let guid = random::uuid_v4();
        let timestamp = self.bump_timestamp();
        data.insert(kind.guid_property().into(), json!(guid));
        if kind == Kind::Invoices {
            data.insert("Number".into(), json!(self.next_invoice_number));
            self.next_invoice_number += 1;
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
        Ok(Written { guid, timestamp })
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
        check_timestamp(kind, stored, Some(body))?;
        let merged = entities::merge_update(kind, &stored.data, body);
        let normalized = entities::normalize(kind, &merged, self, &clock::format_date(now_ms))?;
        let timestamp = self.bump_timestamp();
        let entity = self
            .collection_mut(kind)
            .get_mut(guid)
            .ok_or_else(|| ApiError::not_found(kind.names().0, kind.names().1))?;
        entity.data.extend(normalized);
        touch(kind, entity, now_ms, timestamp);
        Ok(Written {
            guid: entity.guid.clone(),
            timestamp,
        })
    }

    /// Soft delete: the entity stays, with `DeletedAt` set, visible through `deletedOnly=true`.
    pub fn delete(
        &mut self,
        kind: Kind,
        guid: &str,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), ApiError> {
        let stored = self.get(kind, guid)?;
        if kind.has_timestamp() {
            // The timestamp travels in the JSON body of the DELETE.
            let body: Value = serde_json::from_slice(body).map_err(|_| invalid_json())?;
            check_timestamp(kind, stored, Some(body_object(&body)?))?;
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
    if kind.has_timestamp() {
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

/// The body must carry the entity's current `Timestamp` (or `TimeStamp`): missing is a
/// validation error (42), different is "Timestamp outdated" (58).
fn check_timestamp(
    kind: Kind,
    stored: &Entity,
    body: Option<&Map<String, Value>>,
) -> Result<(), ApiError> {
    if !kind.has_timestamp() {
        return Ok(());
    }
    let sent = body.and_then(|b| {
        b.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("timestamp"))
            .map(|(_, v)| v)
    });
    let Some(sent) = sent.filter(|v| !v.is_null()) else {
        return Err(ApiError::validation_one(
            "Timestamp",
            "Timestamp is required",
            "Tidsstempel skal udfyldes",
        ));
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
