//! The three resources (contacts, products, invoices): their properties, defaults, validation
//! and the invoice's computed totals. Entities are kept as JSON objects with Dinero's PascalCase
//! property names, so a response is the stored object as is.

use serde_json::{json, Map, Value};

use super::collections::Store;
use super::errors::{ApiError, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Contacts,
    Products,
    Invoices,
    /// `sales/creditnotes`: shaped like invoices, numbered on their own.
    CreditNotes,
}

#[derive(Debug, Clone, Copy)]
enum Ty {
    Str,
    Int,
    Num,
    Bool,
}

#[derive(Debug, Clone, Copy)]
enum Default {
    Null,
    Str(&'static str),
    Int(i64),
    Num(f64),
    Bool(bool),
}

/// A property a client may set.
struct Field {
    name: &'static str,
    ty: Ty,
    required: bool,
    default: Default,
}

const fn field(name: &'static str, ty: Ty, required: bool, default: Default) -> Field {
    Field {
        name,
        ty,
        required,
        default,
    }
}

const fn text(name: &'static str) -> Field {
    field(name, Ty::Str, false, Default::Null)
}

const CONTACT_FIELDS: &[Field] = &[
    text("ExternalReference"),
    field("Name", Ty::Str, true, Default::Null),
    text("Street"),
    text("ZipCode"),
    text("City"),
    field("CountryKey", Ty::Str, true, Default::Null),
    text("Phone"),
    text("Email"),
    text("Webpage"),
    text("AttPerson"),
    text("VatNumber"),
    text("EanNumber"),
    field(
        "PaymentConditionType",
        Ty::Str,
        false,
        Default::Str("Netto"),
    ),
    field(
        "PaymentConditionNumberOfDays",
        Ty::Int,
        false,
        Default::Int(8),
    ),
    field("IsPerson", Ty::Bool, true, Default::Null),
    field("IsMember", Ty::Bool, true, Default::Null),
    field("UseCvr", Ty::Bool, true, Default::Null),
    field("IsDebitor", Ty::Bool, false, Default::Bool(true)),
    field("IsCreditor", Ty::Bool, false, Default::Bool(false)),
];

const PRODUCT_FIELDS: &[Field] = &[
    text("ProductNumber"),
    text("Name"),
    field("BaseAmountValue", Ty::Num, true, Default::Null),
    field("Quantity", Ty::Num, true, Default::Null),
    field("AccountNumber", Ty::Int, true, Default::Null),
    field("Unit", Ty::Str, true, Default::Null),
    text("ExternalReference"),
    text("Comment"),
];

/// `Date` is checked separately (format); `ProductLines` has its own validation. The contact is
/// optional until the invoice is booked.
const INVOICE_FIELDS: &[Field] = &[
    text("ContactGuid"),
    field("Date", Ty::Str, false, Default::Null),
    field("Currency", Ty::Str, false, Default::Str("DKK")),
    field("Language", Ty::Str, false, Default::Str("da-DK")),
    field("Description", Ty::Str, false, Default::Str("")),
    text("Comment"),
    text("ExternalReference"),
    field("ShowLinesInclVat", Ty::Bool, false, Default::Bool(false)),
];

/// A credit note is an invoice's shape plus the invoice it credits (optional).
const CREDIT_NOTE_FIELDS: &[Field] = &[
    text("ContactGuid"),
    field("Date", Ty::Str, false, Default::Null),
    field("Currency", Ty::Str, false, Default::Str("DKK")),
    field("Language", Ty::Str, false, Default::Str("da-DK")),
    field("Description", Ty::Str, false, Default::Str("")),
    text("Comment"),
    text("ExternalReference"),
    field("ShowLinesInclVat", Ty::Bool, false, Default::Bool(false)),
    text("CreditNoteFor"),
];

const LINE_FIELDS: &[Field] = &[
    text("ProductGuid"),
    field("Description", Ty::Str, false, Default::Str("")),
    text("Comments"),
    field("Quantity", Ty::Num, false, Default::Num(1.0)),
    field("AccountNumber", Ty::Int, false, Default::Int(1000)),
    field("Unit", Ty::Str, false, Default::Str("parts")),
    field("Discount", Ty::Num, false, Default::Num(0.0)),
    field("LineType", Ty::Str, false, Default::Str("Product")),
    field("BaseAmountValue", Ty::Num, true, Default::Null),
];

/// Properties set by the server; a client's values for them are ignored.
const CONTACT_SYSTEM: &[&str] = &["ContactGuid", "CreatedAt", "UpdatedAt", "DeletedAt"];
const PRODUCT_SYSTEM: &[&str] = &["ProductGuid", "CreatedAt", "UpdatedAt", "DeletedAt"];
const INVOICE_SYSTEM: &[&str] = &[
    "Guid",
    "TimeStamp",
    "Number",
    "ContactName",
    "Status",
    "PaymentStatus",
    "PaymentDate",
    "TotalExclVat",
    "TotalVat",
    "TotalInclVat",
    "TotalLines",
    "ProductLines",
    "CreatedAt",
    "UpdatedAt",
    "DeletedAt",
];

const VAT_RATE: f64 = 0.25;

/// What a draft's `Number` is until it is booked: the 64-bit maximum, as Dinero sends it.
pub const DRAFT_NUMBER: i64 = i64::MAX;

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Contacts,
        Kind::Products,
        Kind::Invoices,
        Kind::CreditNotes,
    ];

    /// The resource of a path (one segment, or `sales/creditnotes`), case-insensitively as in
    /// ASP.NET.
    pub fn from_segment(segment: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.segment().eq_ignore_ascii_case(segment))
    }

    pub fn segment(self) -> &'static str {
        match self {
            Kind::Contacts => "contacts",
            Kind::Products => "products",
            Kind::Invoices => "invoices",
            Kind::CreditNotes => "sales/creditnotes",
        }
    }

    /// The property holding the entity's id.
    pub fn guid_property(self) -> &'static str {
        match self {
            Kind::Contacts => "ContactGuid",
            Kind::Products => "ProductGuid",
            Kind::Invoices | Kind::CreditNotes => "Guid",
        }
    }

    /// The property through which a create may carry its own id (Dinero's create models have
    /// it for contacts and invoices; for products it is not documented, so it is ignored).
    pub fn client_id_property(self) -> Option<&'static str> {
        match self {
            Kind::Contacts => Some("ContactGuid"),
            Kind::Products => None,
            Kind::Invoices | Kind::CreditNotes => Some("Guid"),
        }
    }

    /// Vouchers (invoices, credit notes): a `TimeStamp`, drafts until booked, PDFs when booked.
    pub fn is_voucher(self) -> bool {
        matches!(self, Kind::Invoices | Kind::CreditNotes)
    }

    /// Invoices carry milliseconds in `CreatedAt`/`UpdatedAt`; the others whole seconds.
    pub fn millisecond_times(self) -> bool {
        self.is_voucher()
    }

    /// English and Danish names for messages ("Contact not found" / "Kontakten blev ikke fundet").
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Contacts => ("Contact", "Kontakten"),
            Kind::Products => ("Product", "Produktet"),
            Kind::Invoices => ("Invoice", "Fakturaen"),
            Kind::CreditNotes => ("Credit note", "Kreditnotaen"),
        }
    }

    /// What a list answers without `fields`: a few properties only, as Dinero does.
    pub fn default_list_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Contacts => &["Name", "ContactGuid"],
            Kind::Products => &["Name", "ProductGuid"],
            Kind::Invoices | Kind::CreditNotes => &["Guid", "ContactName", "Date", "Description"],
        }
    }

    /// The properties Dinero documents as usable in `queryFilter` (credit notes: as invoices).
    pub fn filterable(self) -> &'static [&'static str] {
        match self {
            Kind::Contacts => &[
                "Name",
                "Email",
                "ExternalReference",
                "VatNumber",
                "EanNumber",
                "IsPerson",
            ],
            Kind::Products => &["Name", "ProductNumber", "ExternalReference"],
            Kind::Invoices | Kind::CreditNotes => &["ExternalReference", "Description"],
        }
    }

    fn fields(self) -> &'static [Field] {
        match self {
            Kind::Contacts => CONTACT_FIELDS,
            Kind::Products => PRODUCT_FIELDS,
            Kind::Invoices => INVOICE_FIELDS,
            Kind::CreditNotes => CREDIT_NOTE_FIELDS,
        }
    }

    fn system(self) -> &'static [&'static str] {
        match self {
            Kind::Contacts => CONTACT_SYSTEM,
            Kind::Products => PRODUCT_SYSTEM,
            Kind::Invoices | Kind::CreditNotes => INVOICE_SYSTEM,
        }
    }

    /// Every property an entity of this kind has (what `queryFilter` may name).
    pub fn property(self, name: &str) -> Option<&'static str> {
        self.fields()
            .iter()
            .map(|f| f.name)
            .chain(self.system().iter().copied())
            .find(|p| p.eq_ignore_ascii_case(name))
    }
}

/// A property of a request body; JSON.NET binds names case-insensitively, so does this.
fn lookup<'a>(input: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    input.get(name).or_else(|| {
        input
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn danish_name(property: &str) -> &str {
    match property {
        "Name" => "Navn",
        "CountryKey" => "Land",
        "BaseAmountValue" => "Pris",
        "Unit" => "Enhed",
        "ContactGuid" => "Kontakt",
        "Date" => "Dato",
        "Quantity" => "Antal",
        "AccountNumber" => "Kontonummer",
        "IsPerson" => "Er person",
        "IsMember" => "Er medlem",
        "UseCvr" => "Brug CVR",
        "ProductLines" => "Fakturalinjer",
        other => other,
    }
}

/// Checks `fields` of `input` and returns them completed with defaults.
fn check_fields(
    fields: &[Field],
    input: &Map<String, Value>,
    errors: &mut Vec<FieldError>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        let value = match lookup(input, f.name) {
            None | Some(Value::Null) => match f.default {
                Default::Null => Value::Null,
                Default::Str(s) => json!(s),
                Default::Int(n) => json!(n),
                Default::Num(n) => json!(n),
                Default::Bool(b) => json!(b),
            },
            Some(v) => {
                let ok = match f.ty {
                    Ty::Str => v.is_string(),
                    Ty::Num => v.is_number(),
                    Ty::Bool => v.is_boolean(),
                    Ty::Int => {
                        v.is_i64()
                            || v.as_f64()
                                .is_some_and(|x| x.fract() == 0.0 && x.abs() < 9e15)
                    }
                };
                if !ok {
                    errors.push(FieldError::new(
                        f.name,
                        format!("The value is not valid for {}", f.name),
                        format!("Værdien er ugyldig for {}", danish_name(f.name)),
                    ));
                    continue;
                }
                match (f.ty, v.as_f64()) {
                    // 1000.0 sent for an integer property is stored as 1000.
                    (Ty::Int, Some(x)) if !v.is_i64() => json!(x as i64),
                    _ => v.clone(),
                }
            }
        };
        let missing = value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty());
        if f.required && missing {
            errors.push(FieldError::new(
                f.name,
                format!("{} is required", f.name),
                format!("{} skal udfyldes", danish_name(f.name)),
            ));
            continue;
        }
        out.insert(f.name.to_owned(), value);
    }
    out
}

/// Validates a create or update body and returns the client-settable properties
/// plus, for invoices, the computed ones. System properties are added by the store.
pub fn normalize(
    kind: Kind,
    input: &Map<String, Value>,
    store: &Store,
    today: &str,
) -> Result<Map<String, Value>, ApiError> {
    let mut errors = Vec::new();
    let mut out = check_fields(kind.fields(), input, &mut errors);
    if kind.is_voucher() {
        complete_invoice(input, store, today, &mut out, &mut errors)?;
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(errors))
    }
}

fn complete_invoice(
    input: &Map<String, Value>,
    store: &Store,
    today: &str,
    out: &mut Map<String, Value>,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    match out.get("Date").and_then(Value::as_str) {
        None => {
            out.insert("Date".into(), json!(today));
        }
        Some(date) if crate::clock::parse_date(date).is_none() => errors.push(FieldError::new(
            "Date",
            "Date must be a valid date (yyyy-MM-dd)",
            "Dato skal være en gyldig dato (åååå-MM-dd)",
        )),
        Some(_) => {}
    }
    let contact_name = out.get("ContactGuid").and_then(Value::as_str).map(|guid| {
        store
            .live(Kind::Contacts, guid)
            .and_then(|c| c.data.get("Name").cloned())
    });
    match contact_name {
        Some(Some(name)) => {
            out.insert("ContactName".into(), name);
        }
        Some(None) => errors.push(FieldError::new(
            "ContactGuid",
            "ContactGuid does not refer to an existing contact",
            "Kontakten findes ikke",
        )),
        // No contact yet: allowed on a draft, required when booking.
        None => {
            out.insert("ContactName".into(), Value::Null);
        }
    }
    if lookup(input, "ProductLines").is_none_or(Value::is_null) {
        errors.push(FieldError::new(
            "ProductLines",
            "ProductLines is required",
            "Fakturalinjer skal udfyldes",
        ));
        return Ok(());
    }
    let lines = product_lines(input, store)?;
    let excl = round2(lines.iter().filter_map(|l| l["TotalAmount"].as_f64()).sum());
    let vat = round2(excl * VAT_RATE);
    let incl = round2(excl + vat);
    let date = out.get("Date").cloned().unwrap_or(Value::Null);
    out.insert("ProductLines".into(), Value::Array(lines));
    out.insert("Status".into(), json!("Draft"));
    out.insert("PaymentStatus".into(), json!("Draft"));
    out.insert("PaymentDate".into(), date);
    out.insert("TotalExclVat".into(), json!(excl));
    out.insert("TotalVat".into(), json!(vat));
    out.insert("TotalInclVat".into(), json!(incl));
    out.insert(
        "TotalLines".into(),
        json!([
            {"Type": "SubTotal", "TotalAmount": excl, "Position": 0, "Label": "Subtotal"},
            {"Type": "Vat", "TotalAmount": vat, "Position": 1, "Label": "Moms (25%)"},
            {"Type": "Total", "TotalAmount": incl, "Position": 2, "Label": "Total DKK"},
        ]),
    );
    Ok(())
}

/// Invoice lines, checked like Dinero's code 45; a line naming a product takes the product's
/// name, price, unit and account for whatever it leaves out.
fn product_lines(input: &Map<String, Value>, store: &Store) -> Result<Vec<Value>, ApiError> {
    let items = match lookup(input, "ProductLines") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::invalid_lines(
                "ProductLines must be an array".into(),
                "Fakturalinjerne skal være en liste".into(),
            ))
        }
    };
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let bad = |english: &str, danish: &str| {
            ApiError::invalid_lines(
                format!("Line {}: {english}", i + 1),
                format!("Linje {}: {danish}", i + 1),
            )
        };
        let Some(line) = item.as_object() else {
            return Err(bad(
                "a line must be an object",
                "en linje skal være et objekt",
            ));
        };
        let mut line = line.clone();
        if let Some(guid) = lookup(&line, "ProductGuid")
            .and_then(Value::as_str)
            .map(str::to_owned)
        {
            let Some(product) = store.live(Kind::Products, &guid) else {
                return Err(bad(
                    "ProductGuid does not refer to an existing product",
                    "produktet findes ikke",
                ));
            };
            for (line_key, product_key) in [
                ("Description", "Name"),
                ("BaseAmountValue", "BaseAmountValue"),
                ("Unit", "Unit"),
                ("AccountNumber", "AccountNumber"),
            ] {
                if lookup(&line, line_key).is_none_or(Value::is_null) {
                    line.insert(
                        line_key.into(),
                        product
                            .data
                            .get(product_key)
                            .cloned()
                            .unwrap_or(Value::Null),
                    );
                }
            }
        }
        let mut errors = Vec::new();
        let mut out = check_fields(LINE_FIELDS, &line, &mut errors);
        if let Some(e) = errors.first() {
            return Err(bad(&e.english, &e.danish));
        }
        let quantity = out["Quantity"].as_f64().unwrap_or(0.0);
        let price = out["BaseAmountValue"].as_f64().unwrap_or(0.0);
        let discount = out["Discount"].as_f64().unwrap_or(0.0);
        if !(0.0..=100.0).contains(&discount) {
            return Err(bad(
                "Discount must be between 0 and 100",
                "rabat skal være mellem 0 og 100",
            ));
        }
        let total = round2(quantity * price * (1.0 - discount / 100.0));
        out.insert(
            "BaseAmountValueInclVat".into(),
            json!(round2(price * (1.0 + VAT_RATE))),
        );
        out.insert("TotalAmount".into(), json!(total));
        out.insert(
            "TotalAmountInclVat".into(),
            json!(round2(total * (1.0 + VAT_RATE))),
        );
        lines.push(Value::Object(out));
    }
    Ok(lines)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
