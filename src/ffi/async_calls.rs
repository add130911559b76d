//! `dinero_*_async`: each blocking function of the C API, started on the library's own threads
//! (`background`) for hosts with an event loop. Each copies its strings and bytes before it
//! returns, then makes the very same blocking call on a pool thread and hands the outcome to
//! the caller's `dinero_done_callback`, so every rule of the blocking function holds as it is.
//!
//! What they return, when `done` is called and what must stay alive until then is written once,
//! on `dinero_done_callback` (background.rs), and each function's documentation points there.

use super::background::{self, dinero_done_callback, require_done, Outcome};
use super::boundary::guard;
use super::client::{
    dinero_authenticate, dinero_client, dinero_client_access_token, dinero_client_call,
    dinero_client_upload_bytes, dinero_client_upload_file,
};
use super::connect::{
    dinero_client_organizations, dinero_connect_authenticate, dinero_connect_authenticate_code,
};
use super::create::dinero_client_create;
use super::options::dinero_options;
use super::pages::{dinero_pages, dinero_pages_next};
use super::response::{dinero_response, dinero_response_save};
use super::status::dinero_status;
use crate::error::{Error, Result};
use crate::request::multipart::check_size;
use std::ffi::{c_char, c_void, CStr};
use std::ptr::{null, null_mut};
use zeroize::Zeroize;

/// A copy of a caller's C string (NULL stays NULL), wiped when dropped: it may be a secret.
struct Text(Option<Vec<u8>>);

impl Text {
    /// # Safety
    /// `ptr` is NULL or a NUL-terminated string.
    unsafe fn copy(ptr: *const c_char) -> Text {
        // SAFETY: per this function's contract.
        Text((!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr) }.to_bytes_with_nul().to_vec()))
    }

    fn ptr(&self) -> *const c_char {
        self.0
            .as_ref()
            .map_or(null(), |bytes| bytes.as_ptr().cast())
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        if let Some(bytes) = self.0.as_mut() {
            bytes.zeroize();
        }
    }
}

/// Refuses a length no buffer can have (past isize::MAX): a caller's mistake, told before
/// anything is started, like every other bad argument of an `_async` call.
fn holdable(len: usize) -> Result<()> {
    if len > isize::MAX as usize {
        return Err(Error::invalid(format!(
            "a length of {len} bytes is more than any buffer can hold"
        )));
    }
    Ok(())
}

/// A copy of a caller's bytes; NULL stays NULL (with its length, for the call to judge).
struct Bytes(Option<Vec<u8>>, usize);

impl Bytes {
    /// A copy whose memory is reserved first, so that a length the process cannot hold is an
    /// error rather than an abort of the host.
    ///
    /// # Safety
    /// `ptr` is NULL or points to `len` readable bytes.
    unsafe fn copy(ptr: *const u8, len: usize) -> Result<Bytes> {
        if ptr.is_null() {
            return Ok(Bytes(None, len));
        }
        holdable(len)?;
        let mut copy = Vec::new();
        copy.try_reserve_exact(len)
            .map_err(|_| Error::invalid(format!("{len} bytes cannot be held in memory")))?;
        // SAFETY: per this function's contract.
        copy.extend_from_slice(unsafe { std::slice::from_raw_parts(ptr, len) });
        Ok(Bytes(Some(copy), len))
    }

    fn ptr(&self) -> *const u8 {
        self.0.as_ref().map_or(null(), |bytes| bytes.as_ptr())
    }
}

/// A caller's handle, carried to the pool thread that uses it.
struct Handle<T>(*mut T);
// SAFETY: the handles are thread-safe where dinero.h says so (a client), and used by one thread
// at a time otherwise (options, pages, a response), which the callers of the `_async`
// functions promise until `done` is called.
unsafe impl<T> Send for Handle<T> {}

impl<T> Handle<T> {
    /// A method, so that closures capture the whole Send wrapper.
    fn get(&self) -> *mut T {
        self.0
    }
}

/// Checks `done`, then lets `prepare` copy the arguments into the call, and queues it.
fn start<C: FnOnce() -> Outcome + Send + 'static>(
    done: dinero_done_callback,
    user_data: *mut c_void,
    prepare: impl FnOnce() -> Result<C>,
) -> dinero_status {
    guard(|| {
        let done = require_done(done)?;
        background::run(done, user_data, prepare()?)
    })
}

/// The outcome of a blocking call that hands out one handle through `out`.
fn handing_out<T>(call: impl FnOnce(*mut *mut T) -> dinero_status) -> Outcome {
    let mut handle = null_mut();
    let status = call(&mut handle);
    with_handle(status, handle)
}

/// An outcome that hands out one handle.
fn with_handle<T>(status: dinero_status, handle: *mut T) -> Outcome {
    Outcome {
        handle: handle.cast(),
        ..Outcome::of(status)
    }
}

/// dinero_authenticate on a thread of the library's own; `handle` is the `dinero_client *`.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_authenticate; `options` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_authenticate_async(
    client_id: *const c_char,
    client_secret: *const c_char,
    api_key: *const c_char,
    options: *const dinero_options,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    // SAFETY: per this function's contract.
    let (id, secret, key) = unsafe {
        (
            Text::copy(client_id),
            Text::copy(client_secret),
            Text::copy(api_key),
        )
    };
    let options = Handle(options.cast_mut());
    start(done, user_data, || {
        Ok(move || {
            // SAFETY: the copies live in this closure; the options stay alive (contract).
            handing_out(|out| unsafe {
                dinero_authenticate(id.ptr(), secret.ptr(), key.ptr(), options.get(), out)
            })
        })
    })
}

/// dinero_connect_authenticate_code on a thread of the library's own; `handle` is the
/// `dinero_client *`.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_connect_authenticate_code; `options` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_connect_authenticate_code_async(
    client_id: *const c_char,
    client_secret: *const c_char,
    authorization: *const c_char,
    callback: *const c_char,
    options: *const dinero_options,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    // SAFETY: per this function's contract.
    let (id, secret, authorization, callback) = unsafe {
        (
            Text::copy(client_id),
            Text::copy(client_secret),
            Text::copy(authorization),
            Text::copy(callback),
        )
    };
    let options = Handle(options.cast_mut());
    start(done, user_data, || {
        Ok(move || {
            // SAFETY: as in dinero_authenticate_async.
            handing_out(|out| unsafe {
                dinero_connect_authenticate_code(
                    id.ptr(),
                    secret.ptr(),
                    authorization.ptr(),
                    callback.ptr(),
                    options.get(),
                    out,
                )
            })
        })
    })
}

/// dinero_connect_authenticate on a thread of the library's own; `handle` is the
/// `dinero_client *`.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_connect_authenticate; `options` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_connect_authenticate_async(
    client_id: *const c_char,
    client_secret: *const c_char,
    refresh_token: *const c_char,
    options: *const dinero_options,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    // SAFETY: per this function's contract.
    let (id, secret, token) = unsafe {
        (
            Text::copy(client_id),
            Text::copy(client_secret),
            Text::copy(refresh_token),
        )
    };
    let options = Handle(options.cast_mut());
    start(done, user_data, || {
        Ok(move || {
            // SAFETY: as in dinero_authenticate_async.
            handing_out(|out| unsafe {
                dinero_connect_authenticate(id.ptr(), secret.ptr(), token.ptr(), options.get(), out)
            })
        })
    })
}

/// dinero_client_call on a thread of the library's own; `handle` is the `dinero_response *`.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_client_call; `client` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_call_async(
    client: *mut dinero_client,
    method: *const c_char,
    path: *const c_char,
    spec: *const c_char,
    data: *const u8,
    data_len: usize,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    // SAFETY: per this function's contract.
    let (method, path, spec) = unsafe { (Text::copy(method), Text::copy(path), Text::copy(spec)) };
    let client = Handle(client);
    start(done, user_data, || {
        // SAFETY: per this function's contract.
        let data = unsafe { Bytes::copy(data, data_len) }?;
        Ok(move || {
            // SAFETY: the copies live in this closure; the client stays alive (contract).
            handing_out(|out| unsafe {
                dinero_client_call(
                    client.get(),
                    method.ptr(),
                    path.ptr(),
                    spec.ptr(),
                    data.ptr(),
                    data.1,
                    out,
                )
            })
        })
    })
}

/// dinero_pages_next on a thread of the library's own; `handle` is the page's
/// `dinero_response *`, NULL after the last page.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_pages_next; `pages` stays alive, and is not used, until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_pages_next_async(
    pages: *mut dinero_pages,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    let pages = Handle(pages);
    start(done, user_data, || {
        Ok(move || {
            // SAFETY: the pages stay alive and unshared (contract).
            handing_out(|out| unsafe { dinero_pages_next(pages.get(), out) })
        })
    })
}

/// dinero_client_upload_bytes on a thread of the library's own (the bytes are copied first);
/// `handle` is the `dinero_response *`.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_client_upload_bytes; `client` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_upload_bytes_async(
    client: *mut dinero_client,
    bytes: *const u8,
    len: usize,
    file_name: *const c_char,
    content_type: *const c_char,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    // SAFETY: per this function's contract.
    let (name, kind) = unsafe { (Text::copy(file_name), Text::copy(content_type)) };
    let client = Handle(client);
    start(done, user_data, || {
        // More than Dinero takes is not copied: the call refuses it without reading it.
        holdable(len)?;
        let oversized = check_size(len).is_err();
        let bytes = if oversized {
            Bytes(None, len)
        } else {
            // SAFETY: per this function's contract.
            unsafe { Bytes::copy(bytes, len) }?
        };
        Ok(move || {
            if oversized {
                return Outcome::of(guard(|| check_size(len)));
            }
            // SAFETY: as in dinero_client_call_async.
            handing_out(|out| unsafe {
                dinero_client_upload_bytes(
                    client.get(),
                    bytes.ptr(),
                    bytes.1,
                    name.ptr(),
                    kind.ptr(),
                    out,
                )
            })
        })
    })
}

/// dinero_client_upload_file on a thread of the library's own (the file is read there);
/// `handle` is the `dinero_response *`.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_client_upload_file; `client` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_upload_file_async(
    client: *mut dinero_client,
    file_path: *const c_char,
    file_name: *const c_char,
    content_type: *const c_char,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    // SAFETY: per this function's contract.
    let (path, name, kind) = unsafe {
        (
            Text::copy(file_path),
            Text::copy(file_name),
            Text::copy(content_type),
        )
    };
    let client = Handle(client);
    start(done, user_data, || {
        Ok(move || {
            // SAFETY: as in dinero_client_call_async.
            handing_out(|out| unsafe {
                dinero_client_upload_file(client.get(), path.ptr(), name.ptr(), kind.ptr(), out)
            })
        })
    })
}

/// dinero_client_create on a thread of the library's own; `handle` is the `dinero_response *`
/// and `text` the GUID (release it with dinero_string_free).
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_client_create; `client` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_create_async(
    client: *mut dinero_client,
    collection_path: *const c_char,
    json_body: *const c_char,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    // SAFETY: per this function's contract.
    let (path, body) = unsafe { (Text::copy(collection_path), Text::copy(json_body)) };
    let client = Handle(client);
    start(done, user_data, || {
        Ok(move || {
            let (mut guid, mut response) = (null_mut(), null_mut());
            // SAFETY: as in dinero_client_call_async.
            let status = unsafe {
                dinero_client_create(
                    client.get(),
                    path.ptr(),
                    body.ptr(),
                    &mut guid,
                    &mut response,
                )
            };
            Outcome {
                text: guid,
                ..with_handle(status, response)
            }
        })
    })
}

/// dinero_client_organizations on a thread of the library's own; `handle` is the
/// `dinero_response *`.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_client_organizations; `client` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_organizations_async(
    client: *mut dinero_client,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    let client = Handle(client);
    start(done, user_data, || {
        Ok(move || {
            // SAFETY: the client stays alive (contract).
            handing_out(|out| unsafe { dinero_client_organizations(client.get(), out) })
        })
    })
}

/// dinero_client_access_token on a thread of the library's own; `text` is the token (release
/// it with dinero_string_free, which wipes it).
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_client_access_token; `client` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_access_token_async(
    client: *mut dinero_client,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    let client = Handle(client);
    start(done, user_data, || {
        Ok(move || {
            let mut token = null_mut();
            // SAFETY: the client stays alive (contract).
            let status = unsafe { dinero_client_access_token(client.get(), &mut token) };
            Outcome {
                text: token,
                ..Outcome::of(status)
            }
        })
    })
}

/// dinero_response_save on a thread of the library's own.
/// Returns, and calls `done`, as dinero_done_callback says.
///
/// # Safety
/// As for dinero_response_save; `response` stays alive until `done` is called.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_save_async(
    response: *const dinero_response,
    file_path: *const c_char,
    done: dinero_done_callback,
    user_data: *mut c_void,
) -> dinero_status {
    // SAFETY: per this function's contract.
    let path = unsafe { Text::copy(file_path) };
    let response = Handle(response.cast_mut());
    start(done, user_data, || {
        Ok(move || {
            // SAFETY: the response stays alive (contract).
            Outcome::of(unsafe { dinero_response_save(response.get(), path.ptr()) })
        })
    })
}
