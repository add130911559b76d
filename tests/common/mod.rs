//! Shared by the end-to-end tests: a sandbox per test (port 0, in-process) and thin safe
//! wrappers over the C ABI, so that every test drives the exact functions C programs call.
#![allow(dead_code)]

pub mod connect;
pub mod reliability;

use dinero::ffi::client::{
    dinero_authenticate, dinero_client, dinero_client_access_token, dinero_client_free,
    dinero_request,
};
use dinero::ffi::library::{dinero_last_error, dinero_string_free};
use dinero::ffi::options::{
    dinero_options, dinero_options_free, dinero_options_new, dinero_options_set,
};
use dinero::ffi::response::{
    dinero_response, dinero_response_body, dinero_response_free, dinero_response_header,
    dinero_response_status,
};
use dinero::ffi::status::{dinero_status, DINERO_STATUS_OK};
pub use dinero_sandbox::{Config as SandboxConfig, Sandbox};
use serde_json::Value;
use std::ffi::{CStr, CString};
use std::ptr;
use std::time::Duration;

pub fn sandbox() -> Sandbox {
    sandbox_with(|_| {})
}

pub fn sandbox_with(adjust: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut config = SandboxConfig::default();
    adjust(&mut config);
    Sandbox::start(config).expect("the sandbox starts on a free port")
}

/// A failed C call: its status and dinero_last_error().
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub status: dinero_status,
    pub message: String,
}

pub fn last_error() -> String {
    unsafe { CStr::from_ptr(dinero_last_error()) }
        .to_str()
        .expect("messages are UTF-8")
        .to_string()
}

pub fn check(status: dinero_status) -> Result<(), Failed> {
    if status == DINERO_STATUS_OK {
        Ok(())
    } else {
        Err(Failed {
            status,
            message: last_error(),
        })
    }
}

pub fn cstr(s: &str) -> CString {
    CString::new(s).expect("no NUL in test strings")
}

/// Options for the sandbox, with fast retries so that tests never wait long.
pub fn fast_options(sandbox: &Sandbox) -> Vec<(String, String)> {
    let org = sandbox.config().organization_id.to_string();
    vec![
        ("auth_url".into(), sandbox.auth_url()),
        ("api_url".into(), sandbox.url()),
        ("organization_id".into(), org),
        ("retry_base_delay_ms".into(), "10".into()),
        ("retry_max_delay_ms".into(), "50".into()),
        ("timeout_ms".into(), "5000".into()),
    ]
}

pub struct Options(pub *mut dinero_options);

impl Options {
    pub fn new(pairs: &[(String, String)]) -> Result<Options, Failed> {
        let options = Options(dinero_options_new());
        for (key, value) in pairs {
            options.set(key, value)?;
        }
        Ok(options)
    }

    pub fn set(&self, key: &str, value: &str) -> Result<(), Failed> {
        check(unsafe { dinero_options_set(self.0, cstr(key).as_ptr(), cstr(value).as_ptr()) })
    }
}

impl Drop for Options {
    fn drop(&mut self) {
        unsafe { dinero_options_free(self.0) }
    }
}

pub struct Client(pub *mut dinero_client);

// The contract says a dinero_client may be shared by threads; the tests rely on it.
unsafe impl Send for Client {}
unsafe impl Sync for Client {}

pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub handle: *mut dinero_response,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let value = unsafe { dinero_response_header(self.handle, cstr(name).as_ptr()) };
        (!value.is_null()).then(|| {
            unsafe { CStr::from_ptr(value) }
                .to_string_lossy()
                .into_owned()
        })
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        unsafe { dinero_response_free(self.handle) }
    }
}

impl Client {
    pub fn authenticate(
        client_id: &str,
        secret: &str,
        api_key: &str,
        options: &[(String, String)],
    ) -> Result<Client, Failed> {
        let options = Options::new(options)?;
        let mut client = ptr::null_mut();
        check(unsafe {
            dinero_authenticate(
                cstr(client_id).as_ptr(),
                cstr(secret).as_ptr(),
                cstr(api_key).as_ptr(),
                options.0,
                &mut client,
            )
        })?;
        assert!(!client.is_null());
        Ok(Client(client))
    }

    /// Authenticates against the sandbox with its own credentials and `fast_options`.
    pub fn to(sandbox: &Sandbox) -> Client {
        Client::to_with(sandbox, &[]).expect("the sandbox accepts its own credentials")
    }

    pub fn to_with(sandbox: &Sandbox, extra: &[(&str, &str)]) -> Result<Client, Failed> {
        let mut options = fast_options(sandbox);
        options.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let c = sandbox.config();
        Client::authenticate(&c.client_id, &c.client_secret, &c.api_key, &options)
    }

    pub fn request(&self, method: &str, path: &str, body: Option<&str>) -> Result<Reply, Failed> {
        let body = body.map(cstr);
        let mut response = ptr::null_mut();
        check(unsafe {
            dinero_request(
                self.0,
                cstr(method).as_ptr(),
                cstr(path).as_ptr(),
                body.as_ref().map_or(ptr::null(), |b| b.as_ptr()),
                &mut response,
            )
        })?;
        Ok(Reply::from_handle(response))
    }

    /// `dinero_client_create`: the GUID and the answer.
    pub fn create(&self, collection: &str, body: &str) -> Result<(String, Reply), Failed> {
        let mut response = ptr::null_mut();
        let mut guid = ptr::null_mut();
        check(unsafe {
            dinero::ffi::create::dinero_client_create(
                self.0,
                cstr(collection).as_ptr(),
                cstr(body).as_ptr(),
                &mut guid,
                &mut response,
            )
        })?;
        let text = unsafe { CStr::from_ptr(guid) }
            .to_str()
            .expect("a GUID is ASCII")
            .to_string();
        unsafe { dinero_string_free(guid) };
        Ok((text, Reply::from_handle(response)))
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None)
            .unwrap_or_else(|e| panic!("GET {path} failed: {e:?}"))
    }

    pub fn access_token(&self) -> Result<String, Failed> {
        let mut token = ptr::null_mut();
        check(unsafe { dinero_client_access_token(self.0, &mut token) })?;
        let value = unsafe { CStr::from_ptr(token) }
            .to_str()
            .unwrap()
            .to_string();
        unsafe { dinero_string_free(token) };
        Ok(value)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        unsafe { dinero_client_free(self.0) }
    }
}

/// A counter from the sandbox's stats (0 when absent).
pub fn stat(sandbox: &Sandbox, key: &str) -> u64 {
    sandbox.stats()[key].as_u64().unwrap_or(0)
}

pub fn route_count(sandbox: &Sandbox, route: &str) -> u64 {
    sandbox.stats()["routes"][route].as_u64().unwrap_or(0)
}

pub fn responses_with(sandbox: &Sandbox, status: u16) -> u64 {
    sandbox.stats()["responses"][status.to_string()]
        .as_u64()
        .unwrap_or(0)
}

pub fn inject(sandbox: &Sandbox, fault: Value) {
    sandbox
        .inject(fault)
        .expect("the sandbox accepts the fault");
}

/// A draft invoice made through `client`: the body it was made from, its Guid and TimeStamp.
pub fn new_invoice(client: &Client) -> (Value, String, String) {
    let invoice = serde_json::json!({"Description": "Salg", "ProductLines": [{"Description": "Æbler", "Quantity": 1, "BaseAmountValue": 100}]});
    let created = client
        .request(
            "POST",
            "/v1/{organizationId}/invoices",
            Some(&invoice.to_string()),
        )
        .unwrap()
        .json();
    let field = |name: &str| created[name].as_str().unwrap().to_string();
    (invoice, field("Guid"), field("TimeStamp"))
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Log lines a client produced, with their levels.
pub type LogLines = std::sync::Mutex<Vec<(u32, String)>>;

unsafe extern "C" fn collect_log_line(
    user_data: *mut std::ffi::c_void,
    level: u32,
    message: *const std::ffi::c_char,
) {
    let lines = unsafe { &*(user_data as *const LogLines) };
    let text = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    lines.lock().unwrap().push((level, text));
}

/// Sets the log callback of `options` to collect into `lines` up to `max_level`; `lines` must
/// outlive every client made with them.
pub fn collect_logs(options: &Options, lines: &LogLines, max_level: u32) {
    let data = lines as *const LogLines as *mut std::ffi::c_void;
    let status = unsafe {
        dinero::ffi::log::dinero_options_set_log_callback(
            options.0,
            Some(collect_log_line),
            data,
            max_level,
        )
    };
    assert_eq!(status, DINERO_STATUS_OK);
}

impl Client {
    /// Like `to_with`, with the log callback collecting into `lines` up to `max_level`.
    pub fn logging_to(
        sandbox: &Sandbox,
        lines: &LogLines,
        max_level: u32,
        extra: &[(&str, &str)],
    ) -> Client {
        let mut pairs = fast_options(sandbox);
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let options = Options::new(&pairs).unwrap();
        collect_logs(&options, lines, max_level);
        Client::with_options(&sandbox.config(), &options)
            .expect("the sandbox accepts its own credentials")
    }

    /// Authenticates with a sandbox's credentials (`sandbox.config()`) and an options handle
    /// set up by the caller (a callback of its own, an option under test).
    pub fn with_options(c: &SandboxConfig, options: &Options) -> Result<Client, Failed> {
        let mut client = ptr::null_mut();
        check(unsafe {
            dinero_authenticate(
                cstr(&c.client_id).as_ptr(),
                cstr(&c.client_secret).as_ptr(),
                cstr(&c.api_key).as_ptr(),
                options.0,
                &mut client,
            )
        })?;
        Ok(Client(client))
    }
}

/// A request builder (dinero_request_builder_new) with its headers, query and body.
pub struct Builder(pub *mut dinero::ffi::request_builder::dinero_request_builder);

impl Builder {
    pub fn new(method: &str, path: &str) -> Result<Builder, Failed> {
        let mut out = ptr::null_mut();
        check(unsafe {
            dinero::ffi::request_builder::dinero_request_builder_new(
                cstr(method).as_ptr(),
                cstr(path).as_ptr(),
                &mut out,
            )
        })?;
        Ok(Builder(out))
    }

    pub fn header(&self, name: &str, value: &str) -> Result<(), Failed> {
        check(unsafe {
            dinero::ffi::request_builder::dinero_request_builder_set_header(
                self.0,
                cstr(name).as_ptr(),
                cstr(value).as_ptr(),
            )
        })
    }

    pub fn query(&self, key: &str, value: &str) -> Result<(), Failed> {
        check(unsafe {
            dinero::ffi::request_builder::dinero_request_builder_add_query(
                self.0,
                cstr(key).as_ptr(),
                cstr(value).as_ptr(),
            )
        })
    }

    pub fn body(&self, bytes: &[u8], content_type: &str) -> Result<(), Failed> {
        check(unsafe {
            dinero::ffi::request_builder::dinero_request_builder_set_body(
                self.0,
                bytes.as_ptr(),
                bytes.len(),
                cstr(content_type).as_ptr(),
            )
        })
    }
}

impl Drop for Builder {
    fn drop(&mut self) {
        unsafe { dinero::ffi::request_builder::dinero_request_builder_free(self.0) }
    }
}

impl Client {
    pub fn send(&self, builder: &Builder) -> Result<Reply, Failed> {
        let mut response = ptr::null_mut();
        check(unsafe {
            dinero::ffi::client::dinero_client_send(self.0, builder.0, &mut response)
        })?;
        Ok(Reply::from_handle(response))
    }

    pub fn upload_bytes(
        &self,
        bytes: &[u8],
        name: &str,
        content_type: Option<&str>,
    ) -> Result<Reply, Failed> {
        let content_type = content_type.map(cstr);
        let mut response = ptr::null_mut();
        check(unsafe {
            dinero::ffi::client::dinero_client_upload_bytes(
                self.0,
                bytes.as_ptr(),
                bytes.len(),
                cstr(name).as_ptr(),
                content_type.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
                &mut response,
            )
        })?;
        Ok(Reply::from_handle(response))
    }

    pub fn upload_file(&self, path: &std::path::Path) -> Result<Reply, Failed> {
        let mut response = ptr::null_mut();
        check(unsafe {
            dinero::ffi::client::dinero_client_upload_file(
                self.0,
                cstr(path.to_str().unwrap()).as_ptr(),
                ptr::null(),
                ptr::null(),
                &mut response,
            )
        })?;
        Ok(Reply::from_handle(response))
    }
}

impl Reply {
    pub fn from_handle(response: *mut dinero_response) -> Reply {
        let status = unsafe { dinero_response_status(response) };
        let mut len = 0usize;
        let data = unsafe { dinero_response_body(response, &mut len) };
        let body = unsafe { std::slice::from_raw_parts(data, len) }.to_vec();
        Reply {
            status,
            body,
            handle: response,
        }
    }

    pub fn save(&self, path: &std::path::Path) -> Result<(), Failed> {
        check(unsafe {
            dinero::ffi::response::dinero_response_save(
                self.handle,
                cstr(path.to_str().unwrap()).as_ptr(),
            )
        })
    }
}
