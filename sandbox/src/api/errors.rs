//! Dinero's error responses. Most are JSON in one shape:
//! `{"code":65,"message":"Item is deleted","validationErrors":{...},"languageSpecificMessages":[...],"errorMessageList":[{"Code":65,"Message":"..."}]}`;
//! unknown routes get IIS's HTML 404 page instead, which clients must survive.

use serde_json::{json, Map, Value};

use super::entities::Kind;
use crate::http::Response;
use crate::rate_limit::quota_message;

/// One failed property: English text in `validationErrors`, Danish in `languageSpecificMessages`.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub property: String,
    pub english: String,
    pub danish: String,
}

impl FieldError {
    pub fn new(property: &str, english: impl Into<String>, danish: impl Into<String>) -> Self {
        FieldError {
            property: property.to_owned(),
            english: english.into(),
            danish: danish.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: u32,
    pub message: &'static str,
    pub errors: Vec<FieldError>,
}

impl ApiError {
    /// 400, code 42.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        ApiError {
            status: 400,
            code: 42,
            message: "Validation error",
            errors,
        }
    }

    pub fn validation_one(
        property: &str,
        english: impl Into<String>,
        danish: impl Into<String>,
    ) -> Self {
        ApiError::validation(vec![FieldError::new(property, english, danish)])
    }

    /// An error whose detail sits under the property `message`, as Dinero does for non-field
    /// errors.
    fn general(
        status: u16,
        code: u32,
        message: &'static str,
        english: String,
        danish: String,
    ) -> Self {
        ApiError {
            status,
            code,
            message,
            errors: vec![FieldError {
                property: "message".into(),
                english,
                danish,
            }],
        }
    }

    /// 404, code 40.
    pub fn not_found(what: &str, what_danish: &str) -> Self {
        ApiError::general(
            404,
            40,
            "Not found",
            format!("{what} not found"),
            format!("{what_danish} blev ikke fundet"),
        )
    }

    /// 400, code 65.
    pub fn deleted(what: &str, what_danish: &str) -> Self {
        ApiError::general(
            400,
            65,
            "Item is deleted",
            format!("{what} is deleted"),
            format!("{what_danish} er slettet"),
        )
    }

    /// 400, code 58.
    pub fn timestamp_outdated() -> Self {
        ApiError::general(
            400,
            58,
            "Timestamp outdated",
            "The timestamp is outdated: the item was changed by someone else. Fetch it again."
                .into(),
            "Tidsstemplet er forældet: elementet er ændret af en anden. Hent det igen.".into(),
        )
    }

    /// 400, code 45.
    pub fn invalid_lines(english: String, danish: String) -> Self {
        ApiError::general(400, 45, "Invalid invoice lines", english, danish)
    }

    /// 400, code 46: a `queryFilter` that is malformed or names a property Dinero does not
    /// filter on.
    pub fn invalid_filter(why: &str) -> Self {
        ApiError {
            status: 400,
            code: 46,
            message: "Invalid filter format",
            errors: vec![FieldError::new(
                "queryFilter",
                format!("Invalid filter format: {why}"),
                format!("Ugyldigt filterformat: {why}"),
            )],
        }
    }

    /// 400, code 59: a PDF (or anything else that needs a number) of a draft.
    pub fn not_booked() -> Self {
        ApiError::general(
            400,
            59,
            "Voucher not booked",
            "The voucher is not booked yet".into(),
            "Bilaget er ikke bogført endnu".into(),
        )
    }

    /// 400, code 42: a booked voucher cannot be changed or booked again.
    pub fn already_booked(kind: Kind) -> Self {
        let (english, danish) = kind.names();
        ApiError::validation_one(
            "Status",
            format!("{english} is already booked"),
            format!("{danish} er allerede bogført"),
        )
    }

    /// 413, code 43: an uploaded file over Dinero's 6 MB.
    pub fn file_too_large() -> Self {
        ApiError::general(
            413,
            43,
            "File too large, max 6 MB",
            "The file is larger than 6 MB (6291456 bytes)".into(),
            "Filen er større end 6 MB (6291456 bytes)".into(),
        )
    }

    pub fn to_response(&self) -> Response {
        let validation: Map<String, Value> = self
            .errors
            .iter()
            .map(|e| (e.property.clone(), Value::String(e.english.clone())))
            .collect();
        let language: Vec<Value> = self
            .errors
            .iter()
            .map(|e| json!({"property": e.property, "message": e.danish}))
            .collect();
        let message_list: Vec<Value> = self
            .errors
            .iter()
            .map(|e| json!({"Code": self.code, "Message": e.english}))
            .collect();
        Response::json(
            self.status,
            &json!({
                "code": self.code,
                "message": self.message,
                "validationErrors": validation,
                "languageSpecificMessages": language,
                "errorMessageList": message_list,
            }),
        )
    }
}

/// 401 for a missing, garbage, expired or revoked token.
pub fn unauthorized() -> Response {
    Response::json(401, &json!({"code": 41, "message": "Unauthorized"}))
        .with_header("WWW-Authenticate", "Bearer")
}

/// 403 for a Visma Connect token whose scope lacks what the request needs (RFC 6750's
/// insufficient_scope): reading needs `dineropublicapi:read`, anything else
/// `dineropublicapi:write`.
pub fn insufficient_scope(scope: &str) -> Response {
    Response::json(
        403,
        &json!({"code": 41, "message": format!("The token's scope does not include {scope}")}),
    )
    .with_header(
        "WWW-Authenticate",
        format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
    )
}

/// 403 for an organization the token does not reach.
pub fn forbidden_organization(id: &str) -> Response {
    Response::json(
        403,
        &json!({"code": 41, "message": format!("No access to organization {id}")}),
    )
}

/// 403 with Dinero's code 48: the organization has no Pro subscription, which the API needs.
pub fn no_pro_subscription(id: u64) -> Response {
    Response::json(
        403,
        &json!({"code": 48, "message": format!("Organization {id} has no Pro subscription")}),
    )
}

/// 429 with Dinero's plain-text quota message.
pub fn rate_limited(
    limit: u32,
    window: std::time::Duration,
    retry_after: Option<&str>,
) -> Response {
    let response = Response::text(
        429,
        "text/plain; charset=utf-8",
        quota_message(limit, window),
    );
    match retry_after {
        Some(value) => response.with_header("Retry-After", value),
        None => response,
    }
}

/// What ASP.NET Web API answers for a known path with a method it does not route.
pub fn method_not_allowed(method: &str, allow: &'static str) -> Response {
    Response::json(
        405,
        &json!({"Message": format!("The requested resource does not support http method '{method}'.")}),
    )
    .with_header("Allow", allow)
}

/// IIS's 404 page, which Dinero sends for unknown routes instead of JSON.
pub fn not_found_html() -> Response {
    Response::static_text(404, "text/html", NOT_FOUND_HTML)
}

const NOT_FOUND_HTML: &str = r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>404 - File or directory not found.</title>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>404 - File or directory not found.</h2>
  <h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3>
 </fieldset></div>
</div>
</body>
</html>
"#;
