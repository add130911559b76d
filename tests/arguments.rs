//! Bad input through the C ABI: every pointer argument NULL in turn, invalid UTF-8, empty
//! strings, injection characters, unknown options. Each gives a status and a message, nothing
//! crashes, out-parameters stay untouched, and nothing reaches the server.

mod common;
use common::*;
use dinero::ffi::client::*;
use dinero::ffi::library::*;
use dinero::ffi::options::*;
use dinero::ffi::response::*;
use dinero::ffi::status::*;
use std::ffi::{c_char, CStr};
use std::ptr;

const BAD_UTF8: &[u8] = b"caf\xe9\0";

fn bad_utf8() -> *const c_char {
    BAD_UTF8.as_ptr().cast()
}

fn sentinel<T>() -> *mut T {
    0xdead_usize as *mut T
}

#[test]
fn authenticate_checks_every_argument_before_connecting() {
    let sb = sandbox();
    let options = Options::new(&fast_options(&sb)).unwrap();
    let c = sb.config();
    let (id, secret, key) = (cstr(&c.client_id), cstr(&c.client_secret), cstr(&c.api_key));
    let empty = cstr("");
    let cases: Vec<([*const c_char; 3], bool, dinero_status, &str)> = vec![
        (
            [ptr::null(), secret.as_ptr(), key.as_ptr()],
            true,
            DINERO_STATUS_NULL_ARGUMENT,
            "client_id is NULL",
        ),
        (
            [id.as_ptr(), ptr::null(), key.as_ptr()],
            true,
            DINERO_STATUS_NULL_ARGUMENT,
            "client_secret is NULL",
        ),
        (
            [id.as_ptr(), secret.as_ptr(), ptr::null()],
            true,
            DINERO_STATUS_NULL_ARGUMENT,
            "api_key is NULL",
        ),
        (
            [id.as_ptr(), secret.as_ptr(), key.as_ptr()],
            false,
            DINERO_STATUS_NULL_ARGUMENT,
            "client_out is NULL",
        ),
        (
            [bad_utf8(), secret.as_ptr(), key.as_ptr()],
            true,
            DINERO_STATUS_INVALID_UTF8,
            "client_id is not valid UTF-8",
        ),
        (
            [id.as_ptr(), bad_utf8(), key.as_ptr()],
            true,
            DINERO_STATUS_INVALID_UTF8,
            "client_secret is not valid UTF-8",
        ),
        (
            [id.as_ptr(), secret.as_ptr(), bad_utf8()],
            true,
            DINERO_STATUS_INVALID_UTF8,
            "api_key is not valid UTF-8",
        ),
        (
            [empty.as_ptr(), secret.as_ptr(), key.as_ptr()],
            true,
            DINERO_STATUS_INVALID_ARGUMENT,
            "the client id is empty",
        ),
        (
            [id.as_ptr(), empty.as_ptr(), key.as_ptr()],
            true,
            DINERO_STATUS_INVALID_ARGUMENT,
            "the client secret is empty",
        ),
        (
            [id.as_ptr(), secret.as_ptr(), empty.as_ptr()],
            true,
            DINERO_STATUS_INVALID_ARGUMENT,
            "the API key is empty",
        ),
    ];
    for ([a, b, k], with_out, status, message) in cases {
        let mut client: *mut dinero_client = sentinel();
        let out = if with_out {
            &mut client as *mut _
        } else {
            ptr::null_mut()
        };
        let got = unsafe { dinero_authenticate(a, b, k, options.0, out) };
        assert_eq!(got, status, "{message}");
        assert_eq!(last_error(), message);
        assert_eq!(
            client,
            sentinel(),
            "{message}: client_out written on failure"
        );
    }
    assert_eq!(stat(&sb, "token_requests"), 0);
}

#[test]
fn authenticate_with_null_options_uses_the_real_dinero_defaults() {
    // Without options the client would go to the real Dinero, which this machine cannot
    // reach; an unresolvable or refused connection proves the defaults were used without
    // touching the network for long.
    let mut client: *mut dinero_client = sentinel();
    let status = unsafe {
        dinero_authenticate(
            cstr("rasmus").as_ptr(),
            cstr("dinero").as_ptr(),
            cstr("key").as_ptr(),
            ptr::null(),
            &mut client,
        )
    };
    assert_ne!(status, DINERO_STATUS_OK);
    assert!(
        last_error().starts_with("token endpoint: "),
        "{}",
        last_error()
    );
    assert_eq!(client, sentinel());
}

#[test]
fn request_checks_every_argument_before_sending() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    let get = cstr("GET");
    let path = cstr("/v1/organizations");
    let null_client: *mut dinero_client = ptr::null_mut();
    let cases: Vec<(
        *mut dinero_client,
        *const c_char,
        *const c_char,
        *const c_char,
        bool,
        dinero_status,
        &str,
    )> = vec![
        (
            null_client,
            get.as_ptr(),
            path.as_ptr(),
            ptr::null(),
            true,
            DINERO_STATUS_NULL_ARGUMENT,
            "client is NULL",
        ),
        (
            client.0,
            ptr::null(),
            path.as_ptr(),
            ptr::null(),
            true,
            DINERO_STATUS_NULL_ARGUMENT,
            "method is NULL",
        ),
        (
            client.0,
            get.as_ptr(),
            ptr::null(),
            ptr::null(),
            true,
            DINERO_STATUS_NULL_ARGUMENT,
            "path is NULL",
        ),
        (
            client.0,
            get.as_ptr(),
            path.as_ptr(),
            ptr::null(),
            false,
            DINERO_STATUS_NULL_ARGUMENT,
            "response_out is NULL",
        ),
        (
            client.0,
            bad_utf8(),
            path.as_ptr(),
            ptr::null(),
            true,
            DINERO_STATUS_INVALID_UTF8,
            "method is not valid UTF-8",
        ),
        (
            client.0,
            get.as_ptr(),
            bad_utf8(),
            ptr::null(),
            true,
            DINERO_STATUS_INVALID_UTF8,
            "path is not valid UTF-8",
        ),
        (
            client.0,
            get.as_ptr(),
            path.as_ptr(),
            bad_utf8(),
            true,
            DINERO_STATUS_INVALID_UTF8,
            "json_body is not valid UTF-8",
        ),
    ];
    for (c, m, p, b, with_out, status, message) in cases {
        let mut response: *mut dinero_response = sentinel();
        let out = if with_out {
            &mut response as *mut _
        } else {
            ptr::null_mut()
        };
        assert_eq!(
            unsafe { dinero_request(c, m, p, b, out) },
            status,
            "{message}"
        );
        assert_eq!(last_error(), message);
        assert_eq!(
            response,
            sentinel(),
            "{message}: response_out written on failure"
        );
    }
    assert_eq!(stat(&sb, "api_requests"), 0);
}

#[test]
fn methods_and_paths_that_could_smuggle_a_request_are_refused() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    for (method, path, words) in [
        (
            "GET",
            "/v1/organizations\r\nX-Injected: 1",
            "carriage return",
        ),
        ("GET", "/v1/organizations\nX: 1", "line feed"),
        ("GET", "/v1/organizations HTTP/1.1", "space"),
        ("GET", "v1/organizations", "must start with '/'"),
        ("GET", "", "must start with '/'"),
        ("GET\r\n", "/v1/organizations", "unsupported HTTP method"),
        ("", "/v1/organizations", "unsupported HTTP method"),
        ("BREW", "/v1/organizations", "unsupported HTTP method"),
        // Out of the organization the caller chose: an untrusted id appended to a path.
        (
            "GET",
            "/v1/{organizationId}/contacts/../../515151/contacts",
            "'..' segments",
        ),
        (
            "GET",
            "/v1/{organizationId}/contacts/%2E%2E/x",
            "'..' segments",
        ),
        ("GET", "/v1/{organizationId}/contacts\\..\\x", "backslash"),
    ] {
        let err = client.request(method, path, None).err().expect("refused");
        assert_eq!(
            err.status, DINERO_STATUS_INVALID_ARGUMENT,
            "{method:?} {path:?}"
        );
        assert!(
            err.message.contains(words),
            "{method:?} {path:?}: {}",
            err.message
        );
    }
    assert_eq!(stat(&sb, "api_requests"), 0, "nothing was sent");
}

#[test]
fn the_organization_placeholder_needs_the_option() {
    let sb = sandbox();
    let c = sb.config();
    let options: Vec<(String, String)> = fast_options(&sb)
        .into_iter()
        .filter(|(k, _)| k != "organization_id")
        .collect();
    let client =
        Client::authenticate(&c.client_id, &c.client_secret, &c.api_key, &options).unwrap();
    let err = client
        .request("GET", "/v1/{organizationId}/contacts", None)
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(
        err.message.contains("no organization is chosen")
            && err.message.contains("organization_id option"),
        "{}",
        err.message
    );
}

#[test]
fn options_refuse_unknown_keys_and_bad_values_and_stay_unchanged() {
    let options = Options::new(&[]).unwrap();
    let err = options.set("timeout", "100").err().unwrap();
    assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(err.message.contains("unknown option 'timeout'") && err.message.contains("timeout_ms"));
    for (key, value) in [
        ("timeout_ms", "fast"),
        ("max_retries", "99"),
        ("api_url", "http://example.com"),
        ("api_url", "not a url"),
        ("organization_id", "abc"),
        ("user_agent", "x\r\ny"),
        ("ca_file", "/no/such/file.pem"),
    ] {
        let err = options.set(key, value).err().unwrap();
        assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT, "{key}={value}");
        assert!(err.message.contains(key), "{}", err.message);
    }
    let (k, v) = (cstr("timeout_ms"), cstr("100"));
    let null_options: *mut dinero_options = ptr::null_mut();
    assert_eq!(
        unsafe { dinero_options_set(null_options, k.as_ptr(), v.as_ptr()) },
        DINERO_STATUS_NULL_ARGUMENT
    );
    assert_eq!(
        unsafe { dinero_options_set(options.0, ptr::null(), v.as_ptr()) },
        DINERO_STATUS_NULL_ARGUMENT
    );
    assert_eq!(last_error(), "key is NULL");
    assert_eq!(
        unsafe { dinero_options_set(options.0, k.as_ptr(), ptr::null()) },
        DINERO_STATUS_NULL_ARGUMENT
    );
    assert_eq!(
        unsafe { dinero_options_set(options.0, bad_utf8(), v.as_ptr()) },
        DINERO_STATUS_INVALID_UTF8
    );
    assert_eq!(
        unsafe { dinero_options_set(options.0, k.as_ptr(), bad_utf8()) },
        DINERO_STATUS_INVALID_UTF8
    );
}

#[test]
fn access_token_and_response_accessors_tolerate_null() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let mut token: *mut c_char = sentinel();
    assert_eq!(
        unsafe { dinero_client_access_token(ptr::null_mut(), &mut token) },
        DINERO_STATUS_NULL_ARGUMENT
    );
    assert_eq!(token, sentinel());
    assert_eq!(
        unsafe { dinero_client_access_token(client.0, ptr::null_mut()) },
        DINERO_STATUS_NULL_ARGUMENT
    );
    assert_eq!(last_error(), "token_out is NULL");

    let mut len = 7usize;
    assert_eq!(unsafe { dinero_response_status(ptr::null()) }, 0);
    assert!(unsafe { dinero_response_body(ptr::null(), &mut len) }.is_null());
    assert_eq!(len, 7, "len_out untouched");
    assert!(unsafe { dinero_response_header(ptr::null(), cstr("a").as_ptr()) }.is_null());

    let reply = client.get("/v1/organizations");
    assert!(unsafe { dinero_response_header(reply.handle, ptr::null()) }.is_null());
    assert_eq!(last_error(), "name is NULL");
    assert!(unsafe { dinero_response_header(reply.handle, bad_utf8()) }.is_null());
    assert!(
        !unsafe { dinero_response_body(reply.handle, ptr::null_mut()) }.is_null(),
        "len_out is optional"
    );

    // Freeing NULL is a no-op everywhere.
    unsafe {
        dinero_client_free(ptr::null_mut());
        dinero_response_free(ptr::null_mut());
        dinero_options_free(ptr::null_mut());
        dinero_string_free(ptr::null_mut());
    }
}

#[test]
fn static_strings_describe_the_library() {
    let version = unsafe { CStr::from_ptr(dinero_version()) }
        .to_str()
        .unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let name = |s| {
        unsafe { CStr::from_ptr(dinero_status_str(s)) }
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(name(DINERO_STATUS_OK), "ok");
    assert_eq!(name(DINERO_STATUS_AUTH_REJECTED), "authentication rejected");
    assert_eq!(name(12345), "unknown status");
}

#[test]
fn last_error_is_per_thread_and_empty_at_first() {
    let fresh = std::thread::spawn(|| {
        let before = last_error();
        let options = Options::new(&[]).unwrap();
        let _ = options.set("nope", "1");
        (before, last_error())
    })
    .join()
    .unwrap();
    assert_eq!(fresh.0, "");
    assert!(fresh.1.contains("unknown option 'nope'"));
    let other = std::thread::spawn(last_error).join().unwrap();
    assert_eq!(other, "", "another thread's failure is not visible here");
}

#[test]
fn create_checks_every_argument_and_writes_nothing_on_failure() {
    use dinero::ffi::create::dinero_client_create;
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    let path = cstr("/v1/{organizationId}/contacts");
    let body =
        cstr(r#"{"Name":"Ib","CountryKey":"DK","IsPerson":true,"IsMember":false,"UseCvr":false}"#);
    let call = |client: *mut dinero_client,
                path: *const c_char,
                body: *const c_char,
                guid: *mut *mut c_char,
                response: *mut *mut dinero_response| unsafe {
        dinero_client_create(client, path, body, guid, response)
    };
    let mut guid: *mut c_char = sentinel();
    let mut response: *mut dinero_response = sentinel();
    let cases: [(dinero_status, &str, dinero_status); 6] = [
        (
            call(
                ptr::null_mut(),
                path.as_ptr(),
                body.as_ptr(),
                &mut guid,
                &mut response,
            ),
            "client is NULL",
            DINERO_STATUS_NULL_ARGUMENT,
        ),
        (
            call(
                client.0,
                ptr::null(),
                body.as_ptr(),
                &mut guid,
                &mut response,
            ),
            "collection_path is NULL",
            DINERO_STATUS_NULL_ARGUMENT,
        ),
        (
            call(
                client.0,
                path.as_ptr(),
                ptr::null(),
                &mut guid,
                &mut response,
            ),
            "json_body is NULL",
            DINERO_STATUS_NULL_ARGUMENT,
        ),
        (
            call(
                client.0,
                path.as_ptr(),
                body.as_ptr(),
                &mut guid,
                ptr::null_mut(),
            ),
            "response_out is NULL",
            DINERO_STATUS_NULL_ARGUMENT,
        ),
        (
            call(
                client.0,
                bad_utf8(),
                body.as_ptr(),
                &mut guid,
                &mut response,
            ),
            "collection_path is not UTF-8",
            DINERO_STATUS_INVALID_UTF8,
        ),
        (
            call(
                client.0,
                path.as_ptr(),
                cstr("[1]").as_ptr(),
                &mut guid,
                &mut response,
            ),
            "json_body must be a JSON object",
            DINERO_STATUS_INVALID_ARGUMENT,
        ),
    ];
    for (status, message, expected) in cases {
        assert_eq!(status, expected, "{message}");
        assert_eq!(guid, sentinel(), "{message}: guid_out untouched");
        assert_eq!(response, sentinel(), "{message}: response_out untouched");
    }
    assert_eq!(sb.stats()["api_requests"], 0, "nothing was sent");

    // guid_out may be NULL: the response alone is written.
    let mut response: *mut dinero_response = ptr::null_mut();
    assert_eq!(
        call(
            client.0,
            path.as_ptr(),
            body.as_ptr(),
            ptr::null_mut(),
            &mut response
        ),
        DINERO_STATUS_OK
    );
    assert_eq!(unsafe { dinero_response_status(response) }, 201);
    unsafe { dinero_response_free(response) };
}
