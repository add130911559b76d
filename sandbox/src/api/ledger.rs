//! The bookkeeping behind `entries`: booking a voucher or a ledger item makes entries (one per
//! account touched, debit positive, credit negative). Ledger items (`POST /v1.2/{org}/ledgerItems`)
//! wait in the cashbook until `POST /v1/{org}/ledgerItems/book`.

use serde_json::{json, Map, Value};

use super::entities::Kind;
use super::errors::{ApiError, FieldError};
use crate::clock;
use crate::random;

/// The debtors' account a sale is booked against, and the output VAT account.
const DEBTORS_ACCOUNT: i64 = 5820;
const OUTPUT_VAT_ACCOUNT: i64 = 14262;

pub struct Entry {
    pub data: Value,
    /// `Date` as epoch ms, for `fromDate`/`toDate`.
    pub date_ms: i64,
    /// When it was booked, for `entries/changes`.
    pub booked_ms: i64,
}

pub struct LedgerItem {
    pub id: String,
    pub timestamp: u64,
    pub data: Map<String, Value>,
    pub booked: bool,
}

#[derive(Default)]
pub struct Ledger {
    pub entries: Vec<Entry>,
    pub items: Vec<LedgerItem>,
    next_cashbook_voucher: i64,
}

fn account_name(account: i64) -> String {
    match account {
        1000 => "Salg af varer/ydelser m/moms".into(),
        DEBTORS_ACCOUNT => "Debitorer".into(),
        OUTPUT_VAT_ACCOUNT => "Salgsmoms".into(),
        n => format!("Konto {n}"),
    }
}

impl Ledger {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        account: i64,
        amount: f64,
        date: &str,
        voucher_number: i64,
        voucher_type: &str,
        description: &Value,
        contact: &Value,
        now_ms: i64,
    ) {
        let date_ms = clock::parse_date(date).unwrap_or(now_ms);
        self.entries.push(Entry {
            data: json!({
                "EntryGuid": random::uuid_v4(),
                "AccountNumber": account,
                "AccountName": account_name(account),
                "Date": date,
                "VoucherNumber": voucher_number,
                "VoucherType": voucher_type,
                "Description": description,
                "Amount": (amount * 100.0).round() / 100.0,
                "ContactGuid": contact,
                "Type": "Normal",
            }),
            date_ms,
            booked_ms: now_ms,
        });
    }

    /// A booked invoice: the debtor owes the total, each line's account and output VAT are
    /// credited. A credit note books the same with the signs turned.
    pub fn book_voucher(&mut self, kind: Kind, data: &Map<String, Value>, now_ms: i64) {
        let sign = if kind == Kind::CreditNotes { -1.0 } else { 1.0 };
        let (voucher_type, null) = match kind {
            Kind::CreditNotes => ("SalesCreditNote", Value::Null),
            _ => ("SalesInvoice", Value::Null),
        };
        let number = data.get("Number").and_then(Value::as_i64).unwrap_or(0);
        let date = data.get("Date").and_then(Value::as_str).unwrap_or("");
        let description = data.get("Description").unwrap_or(&null).clone();
        let contact = data.get("ContactGuid").unwrap_or(&null).clone();
        let amount = |key: &str| data.get(key).and_then(Value::as_f64).unwrap_or(0.0);
        let (total, vat) = (amount("TotalInclVat"), amount("TotalVat"));
        let mut add = |account, value: f64| {
            self.add(
                account,
                sign * value,
                date,
                number,
                voucher_type,
                &description,
                &contact,
                now_ms,
            );
        };
        add(DEBTORS_ACCOUNT, total);
        for line in data
            .get("ProductLines")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let account = line["AccountNumber"].as_i64().unwrap_or(1000);
            add(account, -line["TotalAmount"].as_f64().unwrap_or(0.0));
        }
        add(OUTPUT_VAT_ACCOUNT, -vat);
    }

    /// Adds ledger items to the cashbook (not booked yet), each with the next value of the
    /// store's `timestamp` counter. All or nothing.
    pub fn add_items(&mut self, body: &Value, timestamp: &mut u64) -> Result<Value, ApiError> {
        let Some(items) = body.as_array().filter(|a| !a.is_empty()) else {
            return Err(ApiError::validation_one(
                "body",
                "The body must be a non-empty JSON array of ledger items",
                "Indholdet skal være en ikke-tom liste af posteringer",
            ));
        };
        let mut checked = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            checked.push(check_item(i, item)?);
        }
        let mut answer = Vec::with_capacity(checked.len());
        for mut data in checked {
            if data.get("VoucherNumber").is_none_or(Value::is_null) {
                self.next_cashbook_voucher += 1;
                data.insert("VoucherNumber".into(), json!(self.next_cashbook_voucher));
            }
            let id = random::uuid_v4();
            *timestamp += 1;
            answer.push(json!({"Id": id, "Timestamp": format!("{:016X}", *timestamp)}));
            self.items.push(LedgerItem {
                id,
                timestamp: *timestamp,
                data,
                booked: false,
            });
        }
        Ok(Value::Array(answer))
    }

    /// Books cashbook items given as `[{"Id":...,"Timestamp":...}]`. All or nothing.
    pub fn book_items(&mut self, body: &Value, now_ms: i64) -> Result<Value, ApiError> {
        let Some(refs) = body.as_array().filter(|a| !a.is_empty()) else {
            return Err(ApiError::validation_one(
                "body",
                "The body must be a non-empty JSON array of {\"Id\",\"Timestamp\"}",
                "Indholdet skal være en ikke-tom liste af {\"Id\",\"Timestamp\"}",
            ));
        };
        let mut indexes = Vec::with_capacity(refs.len());
        for r in refs {
            let id = r.get("Id").and_then(Value::as_str).unwrap_or("");
            let Some(index) = self
                .items
                .iter()
                .position(|item| item.id.eq_ignore_ascii_case(id) && !item.booked)
            else {
                return Err(ApiError::not_found("Ledger item", "Posteringen"));
            };
            let sent = r
                .get("Timestamp")
                .and_then(Value::as_str)
                .and_then(|s| u64::from_str_radix(s, 16).ok());
            if sent != Some(self.items[index].timestamp) {
                return Err(ApiError::timestamp_outdated());
            }
            indexes.push(index);
        }
        let mut answer = Vec::with_capacity(indexes.len());
        for index in indexes {
            self.items[index].booked = true;
            let data = self.items[index].data.clone();
            let amount = data["Amount"].as_f64().unwrap_or(0.0);
            let date = data["VoucherDate"].as_str().unwrap_or("").to_owned();
            let number = data["VoucherNumber"].as_i64().unwrap_or(0);
            let description = data.get("Description").cloned().unwrap_or(Value::Null);
            let account = data["AccountNumber"].as_i64().unwrap_or(0);
            self.add(
                account,
                amount,
                &date,
                number,
                "ManuelVoucher",
                &description,
                &Value::Null,
                now_ms,
            );
            if let Some(balancing) = data.get("BalancingAccountNumber").and_then(Value::as_i64) {
                self.add(
                    balancing,
                    -amount,
                    &date,
                    number,
                    "ManuelVoucher",
                    &description,
                    &Value::Null,
                    now_ms,
                );
            }
            answer.push(json!({"Id": self.items[index].id, "VoucherNumber": number}));
        }
        Ok(Value::Array(answer))
    }
}

fn check_item(i: usize, item: &Value) -> Result<Map<String, Value>, ApiError> {
    let Some(obj) = item.as_object() else {
        return Err(ApiError::validation_one(
            "body",
            format!("Item {}: a ledger item must be an object", i + 1),
            format!("Postering {}: en postering skal være et objekt", i + 1),
        ));
    };
    let get = |name: &str| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_null())
    };
    let mut errors = Vec::new();
    let mut need = |name: &str, ok: bool| {
        if !ok {
            errors.push(FieldError::new(
                name,
                format!("Item {}: {name} is required and must be valid", i + 1),
                format!("Postering {}: {name} skal udfyldes korrekt", i + 1),
            ));
        }
    };
    let account = get("AccountNumber");
    need("AccountNumber", account.as_ref().is_some_and(Value::is_i64));
    let amount = get("Amount");
    need("Amount", amount.as_ref().is_some_and(Value::is_number));
    let date = get("VoucherDate");
    need(
        "VoucherDate",
        date.as_ref()
            .and_then(Value::as_str)
            .is_some_and(|d| clock::parse_date(d).is_some()),
    );
    let balancing = get("BalancingAccountNumber");
    need(
        "BalancingAccountNumber",
        balancing.as_ref().is_none_or(Value::is_i64),
    );
    let voucher = get("VoucherNumber");
    need("VoucherNumber", voucher.as_ref().is_none_or(Value::is_i64));
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut out = Map::new();
    for (key, value) in [
        ("AccountNumber", account),
        ("Amount", amount),
        ("VoucherDate", date),
        ("BalancingAccountNumber", balancing),
        ("VoucherNumber", voucher),
        ("Description", get("Description")),
    ] {
        out.insert(key.into(), value.unwrap_or(Value::Null));
    }
    Ok(out)
}
