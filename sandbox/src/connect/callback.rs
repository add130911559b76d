//! How the authorize step answers the browser: back to the client's redirect URI, either as an
//! auto-submitting POST form (`response_mode=form_post`, what Dinero integrations use) or as a
//! 302 with the parameters in the query (`response_mode=query`); or, when the redirect URI
//! cannot be trusted, an error page that goes nowhere.

use crate::http::Response;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    FormPost,
}

impl ResponseMode {
    /// `None` (absent) is `query`, the authorization code flow's default (OAuth 2.0 Multiple
    /// Response Types 2.1).
    pub fn parse(s: Option<&str>) -> Option<Self> {
        match s {
            None | Some("query") => Some(ResponseMode::Query),
            Some("form_post") => Some(ResponseMode::FormPost),
            _ => None,
        }
    }
}

/// Sends `params` (`code` and `state`, or `error`, `error_description` and `state`) to the
/// redirect URI.
pub fn redirect(mode: ResponseMode, redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    match mode {
        ResponseMode::Query => {
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish();
            let separator = if redirect_uri.contains('?') { '&' } else { '?' };
            Response::empty(302)
                .with_header("Location", format!("{redirect_uri}{separator}{query}"))
                .with_header("Cache-Control", "no-store")
        }
        ResponseMode::FormPost => {
            let inputs: String = params
                .iter()
                .map(|(name, value)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                        escape(name),
                        escape(value)
                    )
                })
                .collect();
            let page = format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Submit this form</title></head>\
                 <body onload=\"javascript:document.forms[0].submit()\">\
                 <form method=\"post\" action=\"{}\">{inputs}\
                 <noscript><button type=\"submit\">Continue</button></noscript></form></body></html>\n",
                escape(redirect_uri)
            );
            Response::text(200, "text/html; charset=utf-8", page)
                .with_header("Cache-Control", "no-store")
                .with_header("Pragma", "no-cache")
        }
    }
}

/// An error shown to the user when the redirect URI (or the client) cannot be trusted: never a
/// redirect, so an attacker's URI receives nothing.
pub fn error_page(description: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Error</title></head>\
         <body><h1>Sorry, there was an error</h1><p>{}</p></body></html>\n",
        escape(description)
    );
    Response::text(400, "text/html; charset=utf-8", page).with_header("Cache-Control", "no-store")
}

/// Text made safe for an HTML attribute or element (the state comes from whoever built the URL).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_attributes() {
        assert_eq!(
            escape(r#"a"><script>&'"#),
            "a&quot;&gt;&lt;script&gt;&amp;&#39;"
        );
    }
}
