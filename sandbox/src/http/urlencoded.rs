//! `application/x-www-form-urlencoded` decoding, for query strings and the token form:
//! `form_urlencoded`'s, which (like ASP.NET) keeps a broken `%` escape as it is and replaces
//! invalid UTF-8, rather than refusing the request.

/// `a=1&b=x%3Dy` -> decoded pairs, in order (`+` is a space).
pub fn parse_pairs(raw: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}
