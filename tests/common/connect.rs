//! Visma Connect through the C API, for the tests: options with a refresh-token jar, the
//! authorize call, a played browser, the sign-in and a client from a refresh token.

use super::{check, cstr, Client, Failed, Options, Reply, Sandbox, SandboxConfig};
use dinero::ffi::client::{dinero_client, dinero_client_call};
use dinero::ffi::connect::{
    dinero_client_organizations, dinero_connect_authenticate, dinero_connect_authenticate_code,
    dinero_connect_authorize_url, dinero_options_set_refresh_token_callback,
};
use dinero::ffi::library::dinero_string_free;
use serde_json::Value;
use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::{Arc, Mutex};

/// A loopback redirect URI: always accepted (RFC 8252), and nothing needs to listen on it here.
pub const REDIRECT: &str = "http://127.0.0.1:9/callback";

pub fn sandbox_with(adjust: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    super::sandbox_with(|c| {
        c.connect_client_secret = "connect-test-secret-9f8e".into();
        adjust(c)
    })
}

/// The refresh tokens a client's callback received, in order.
#[derive(Clone, Default)]
pub struct Jar(Arc<Mutex<Vec<String>>>);

impl Jar {
    pub fn tokens(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

unsafe extern "C" fn keep_token(user_data: *mut c_void, token: *const c_char) {
    let jar = unsafe { &*(user_data as *const Mutex<Vec<String>>) };
    let token = unsafe { CStr::from_ptr(token) }
        .to_str()
        .unwrap()
        .to_string();
    jar.lock().unwrap().push(token);
}

/// Options for the sandbox's Visma Connect, with fast retries, a refresh-token jar and `extra`.
pub fn connect_options(sb: &Sandbox, jar: &Jar, extra: &[(&str, &str)]) -> Options {
    let mut pairs = super::fast_options(sb);
    pairs.retain(|(k, _)| k != "auth_url" && k != "organization_id");
    pairs.push(("connect_url".into(), sb.connect_url()));
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let options = Options::new(&pairs).unwrap();
    let user_data = Arc::as_ptr(&jar.0) as *mut c_void;
    check(unsafe {
        dinero_options_set_refresh_token_callback(options.0, Some(keep_token), user_data)
    })
    .unwrap();
    options
}

pub fn authorize(sb: &Sandbox, options: &Options, redirect: &str) -> Value {
    let mut out = ptr::null_mut();
    check(unsafe {
        dinero_connect_authorize_url(
            cstr(&sb.config().connect_client_id).as_ptr(),
            cstr(redirect).as_ptr(),
            options.0,
            &mut out,
        )
    })
    .unwrap();
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { dinero_string_free(out) };
    serde_json::from_str(&text).unwrap()
}

/// What a browser does with the authorize URL: the sandbox consents at once and answers a
/// self-submitting form; the form's fields, form-encoded, are what reaches the redirect URI.
pub fn browser(url: &str) -> String {
    let page = ureq::get(url)
        .call()
        .expect("the consent page")
        .into_body()
        .read_to_string()
        .unwrap();
    let mut form = form_urlencoded::Serializer::new(String::new());
    for input in page.split("<input").skip(1) {
        let attribute = |name: &str| {
            let start = input.find(&format!("{name}=\""))? + name.len() + 2;
            let end = input[start..].find('"')? + start;
            Some(
                input[start..end]
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&"),
            )
        };
        if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
            form.append_pair(&name, &value);
        }
    }
    form.finish()
}

pub fn sign_in(
    sb: &Sandbox,
    options: &Options,
    authorization: &Value,
    callback: &str,
) -> Result<Client, Failed> {
    let c = sb.config();
    let mut client: *mut dinero_client = ptr::null_mut();
    check(unsafe {
        dinero_connect_authenticate_code(
            cstr(&c.connect_client_id).as_ptr(),
            cstr(&c.connect_client_secret).as_ptr(),
            cstr(&authorization.to_string()).as_ptr(),
            cstr(callback).as_ptr(),
            options.0,
            &mut client,
        )
    })?;
    Ok(Client(client))
}

pub fn from_refresh_token(sb: &Sandbox, options: &Options, token: &str) -> Result<Client, Failed> {
    let c = sb.config();
    let mut client: *mut dinero_client = ptr::null_mut();
    check(unsafe {
        dinero_connect_authenticate(
            cstr(&c.connect_client_id).as_ptr(),
            cstr(&c.connect_client_secret).as_ptr(),
            cstr(token).as_ptr(),
            options.0,
            &mut client,
        )
    })?;
    Ok(Client(client))
}

/// A full sign-in: authorize, the browser, the code exchange.
pub fn signed_in(sb: &Sandbox, options: &Options) -> Client {
    let authorization = authorize(sb, options, REDIRECT);
    let callback = browser(authorization["url"].as_str().unwrap());
    sign_in(sb, options, &authorization, &callback).expect("the sign-in succeeds")
}

/// A whole sign-in that is expected to fail: its failure.
pub fn failed_sign_in(sb: &Sandbox, options: &Options) -> Failed {
    let authorization = authorize(sb, options, REDIRECT);
    let callback = browser(authorization["url"].as_str().unwrap());
    sign_in(sb, options, &authorization, &callback)
        .err()
        .expect("the sign-in fails")
}

pub fn call(client: &Client, path: &str, spec: Value) -> Result<Reply, Failed> {
    let mut response = ptr::null_mut();
    check(unsafe {
        dinero_client_call(
            client.0,
            cstr("GET").as_ptr(),
            cstr(path).as_ptr(),
            cstr(&spec.to_string()).as_ptr(),
            ptr::null(),
            0,
            &mut response,
        )
    })?;
    Ok(Reply::from_handle(response))
}

pub fn organizations(client: &Client) -> Value {
    let mut response = ptr::null_mut();
    check(unsafe { dinero_client_organizations(client.0, &mut response) }).unwrap();
    Reply::from_handle(response).json()
}

pub fn connect_stats(sb: &Sandbox) -> Value {
    sb.stats()["connect"].clone()
}

/// No secret of the flow in a message: the client secret, a code, a verifier, a token.
pub fn assert_no_secret(message: &str, secrets: &[&str]) {
    for secret in secrets.iter().filter(|s| s.len() >= 6) {
        assert!(!message.contains(secret), "a secret leaked: {message}");
    }
}
