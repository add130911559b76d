"""The C declarations of include/dinero.h, and nothing else.

Every function gets ``argtypes`` and ``restype``; each handle is its own ctypes type, so passing
a response where a client is expected is a ``ctypes.ArgumentError``, not memory corruption.
Owned strings (``char *`` handed out) are ``POINTER(c_char)``, never ``c_char_p``: ctypes would
copy a ``c_char_p`` result into ``bytes`` and lose the pointer that ``dinero_string_free`` needs.
Borrowed ``const char *`` results are ``c_char_p`` (copied into ``bytes`` at once, which is what
we want). ctypes releases the GIL around every call, so requests from threads run in parallel.

``dinero_log_callback`` is a ``CFUNCTYPE``; the one instance the package makes lives in
``_log.py`` for the life of the process.

``tests/test_header.py`` checks this table, the callback type and the constants against the
header, both ways.
"""

from __future__ import annotations

import ctypes
import threading
from ctypes import (
    CFUNCTYPE,
    POINTER,
    c_char,
    c_char_p,
    c_size_t,
    c_uint8,
    c_uint16,
    c_uint32,
    c_void_p,
)
from typing import Any, Dict, List, Optional, Tuple

from . import _library

__all__ = [
    "ClientPtr",
    "FUNCTIONS",
    "OptionsPtr",
    "OwnedString",
    "PagesPtr",
    "RequestPtr",
    "ResponsePtr",
    "dinero_client",
    "dinero_log_callback",
    "dinero_options",
    "dinero_pages",
    "dinero_request_builder",
    "dinero_response",
    "last_error",
    "lib",
    "status_str",
    "version",
]


class dinero_options(ctypes.Structure):
    """``dinero_options`` (opaque)."""


class dinero_client(ctypes.Structure):
    """``dinero_client`` (opaque)."""


class dinero_request_builder(ctypes.Structure):
    """``dinero_request_builder`` (opaque)."""


class dinero_response(ctypes.Structure):
    """``dinero_response`` (opaque)."""


class dinero_pages(ctypes.Structure):
    """``dinero_pages`` (opaque)."""


OptionsPtr = POINTER(dinero_options)
ClientPtr = POINTER(dinero_client)
RequestPtr = POINTER(dinero_request_builder)
ResponsePtr = POINTER(dinero_response)
PagesPtr = POINTER(dinero_pages)
OwnedString = POINTER(c_char)  # a char* the library hands out: free with dinero_string_free

dinero_status = c_uint32

# The DINERO_STATUS_* / DINERO_LOG_* numbers and the limits are in _constants.py, generated
# from include/dinero.h.

# typedef void (*dinero_log_callback)(void *user_data, uint32_t level, const char *message);
# The message is borrowed for the call: c_char_p copies it into bytes, which is what we want.
dinero_log_callback = CFUNCTYPE(None, c_void_p, c_uint32, c_char_p)

# name -> (restype, argtypes), in the header's order.
FUNCTIONS: Dict[str, Tuple[Any, List[Any]]] = {
    "dinero_authenticate": (
        dinero_status,
        [c_char_p, c_char_p, c_char_p, OptionsPtr, POINTER(ClientPtr)],
    ),
    "dinero_request": (
        dinero_status,
        [ClientPtr, c_char_p, c_char_p, c_char_p, POINTER(ResponsePtr)],
    ),
    "dinero_client_send": (dinero_status, [ClientPtr, RequestPtr, POINTER(ResponsePtr)]),
    "dinero_client_call": (
        dinero_status,
        [ClientPtr, c_char_p, c_char_p, c_char_p, POINTER(c_uint8), c_size_t, POINTER(ResponsePtr)],
    ),
    "dinero_client_upload_file": (
        dinero_status,
        [ClientPtr, c_char_p, c_char_p, c_char_p, POINTER(ResponsePtr)],
    ),
    "dinero_client_upload_bytes": (
        dinero_status,
        [ClientPtr, POINTER(c_uint8), c_size_t, c_char_p, c_char_p, POINTER(ResponsePtr)],
    ),
    "dinero_client_access_token": (dinero_status, [ClientPtr, POINTER(OwnedString)]),
    "dinero_client_free": (None, [ClientPtr]),
    "dinero_client_create": (
        dinero_status,
        [ClientPtr, c_char_p, c_char_p, POINTER(OwnedString), POINTER(ResponsePtr)],
    ),
    "dinero_version": (c_char_p, []),
    "dinero_status_str": (c_char_p, [dinero_status]),
    "dinero_last_error": (c_char_p, []),
    "dinero_string_free": (None, [OwnedString]),
    "dinero_options_set_log_callback": (
        dinero_status,
        [OptionsPtr, dinero_log_callback, c_void_p, c_uint32],
    ),
    "dinero_options_new": (OptionsPtr, []),
    "dinero_options_set": (dinero_status, [OptionsPtr, c_char_p, c_char_p]),
    "dinero_options_set_json": (dinero_status, [OptionsPtr, c_char_p]),
    "dinero_options_free": (None, [OptionsPtr]),
    "dinero_pages_new": (
        dinero_status,
        [ClientPtr, RequestPtr, c_uint32, POINTER(PagesPtr)],
    ),
    "dinero_pages_next": (dinero_status, [PagesPtr, POINTER(ResponsePtr)]),
    "dinero_pages_free": (None, [PagesPtr]),
    "dinero_request_builder_new": (dinero_status, [c_char_p, c_char_p, POINTER(RequestPtr)]),
    "dinero_request_builder_new_with": (
        dinero_status,
        [c_char_p, c_char_p, c_char_p, POINTER(c_uint8), c_size_t, POINTER(RequestPtr)],
    ),
    "dinero_request_builder_set_header": (dinero_status, [RequestPtr, c_char_p, c_char_p]),
    "dinero_request_builder_add_query": (dinero_status, [RequestPtr, c_char_p, c_char_p]),
    "dinero_request_builder_set_body": (
        dinero_status,
        [RequestPtr, POINTER(c_uint8), c_size_t, c_char_p],
    ),
    "dinero_request_builder_free": (None, [RequestPtr]),
    "dinero_response_status": (c_uint16, [ResponsePtr]),
    "dinero_response_is_ok": (ctypes.c_bool, [ResponsePtr]),
    "dinero_response_body": (POINTER(c_uint8), [ResponsePtr, POINTER(c_size_t)]),
    "dinero_response_header": (c_char_p, [ResponsePtr, c_char_p]),
    "dinero_response_header_count": (c_size_t, [ResponsePtr]),
    "dinero_response_header_name": (c_char_p, [ResponsePtr, c_size_t]),
    "dinero_response_error_message": (c_char_p, [ResponsePtr]),
    "dinero_response_error_json": (c_char_p, [ResponsePtr]),
    "dinero_error_body_parse": (
        dinero_status,
        [c_uint16, POINTER(c_uint8), c_size_t, POINTER(OwnedString)],
    ),
    "dinero_response_save": (dinero_status, [ResponsePtr, c_char_p]),
    "dinero_response_free": (None, [ResponsePtr]),
}

_lib: Optional[ctypes.CDLL] = None
_lock = threading.Lock()


def lib() -> ctypes.CDLL:
    """The library with every declaration applied (done once)."""
    global _lib
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        library = _library.load()
        for name, (restype, argtypes) in FUNCTIONS.items():
            try:
                function = getattr(library, name)
            except AttributeError:
                raise _library.LibraryNotFoundError(
                    f"the libdinero at {library._name} has no {name}: it is older than this binding"
                ) from None
            function.restype = restype
            function.argtypes = argtypes
        _lib = library
        return _lib


def last_error() -> str:
    """This thread's last error message. Call it right after the failing call."""
    raw: Optional[bytes] = lib().dinero_last_error()
    return (raw or b"").decode("utf-8", "replace")


def status_str(status: int) -> str:
    raw: Optional[bytes] = lib().dinero_status_str(status)
    return (raw or b"").decode("utf-8", "replace")


def version() -> str:
    raw: Optional[bytes] = lib().dinero_version()
    return (raw or b"").decode("utf-8", "replace")
