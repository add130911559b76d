"""Generated from include/dinero.h by scripts/binding_constants.py; do not edit.

The C declarations of include/dinero.h as ctypes: one type per opaque handle, one
CFUNCTYPE per callback typedef, and FUNCTIONS: name -> (restype, argtypes), in the
header's order."""

import ctypes
from ctypes import CFUNCTYPE, POINTER, c_bool, c_char, c_char_p, c_size_t, c_uint8, c_uint16, c_uint32, c_void_p
from typing import Any, Dict, List, Tuple

__all__ = [
    "ClientPtr",
    "FUNCTIONS",
    "OptionsPtr",
    "PagesPtr",
    "RequestPtr",
    "ResponsePtr",
    "dinero_client",
    "dinero_done_callback",
    "dinero_interrupt_callback",
    "dinero_log_callback",
    "dinero_options",
    "dinero_pages",
    "dinero_refresh_token_callback",
    "dinero_request_builder",
    "dinero_response",
]


class dinero_client(ctypes.Structure):
    """``dinero_client`` (opaque)."""


class dinero_options(ctypes.Structure):
    """``dinero_options`` (opaque)."""


class dinero_pages(ctypes.Structure):
    """``dinero_pages`` (opaque)."""


class dinero_request_builder(ctypes.Structure):
    """``dinero_request_builder`` (opaque)."""


class dinero_response(ctypes.Structure):
    """``dinero_response`` (opaque)."""


ClientPtr = POINTER(dinero_client)
OptionsPtr = POINTER(dinero_options)
PagesPtr = POINTER(dinero_pages)
RequestPtr = POINTER(dinero_request_builder)
ResponsePtr = POINTER(dinero_response)

dinero_done_callback = CFUNCTYPE(None, c_void_p, c_uint32, c_char_p, c_void_p, POINTER(c_char))
dinero_refresh_token_callback = CFUNCTYPE(None, c_void_p, c_char_p)
dinero_interrupt_callback = CFUNCTYPE(c_bool, c_void_p)
dinero_log_callback = CFUNCTYPE(None, c_void_p, c_uint32, c_char_p)

FUNCTIONS: Dict[str, Tuple[Any, List[Any]]] = {
    "dinero_authenticate_async": (c_uint32, [c_char_p, c_char_p, c_char_p, OptionsPtr, dinero_done_callback, c_void_p]),
    "dinero_connect_authenticate_code_async": (c_uint32, [c_char_p, c_char_p, c_char_p, c_char_p, OptionsPtr, dinero_done_callback, c_void_p]),
    "dinero_connect_authenticate_async": (c_uint32, [c_char_p, c_char_p, c_char_p, OptionsPtr, dinero_done_callback, c_void_p]),
    "dinero_client_call_async": (c_uint32, [ClientPtr, c_char_p, c_char_p, c_char_p, POINTER(c_uint8), c_size_t, dinero_done_callback, c_void_p]),
    "dinero_pages_next_async": (c_uint32, [PagesPtr, dinero_done_callback, c_void_p]),
    "dinero_client_upload_bytes_async": (c_uint32, [ClientPtr, POINTER(c_uint8), c_size_t, c_char_p, c_char_p, dinero_done_callback, c_void_p]),
    "dinero_client_upload_file_async": (c_uint32, [ClientPtr, c_char_p, c_char_p, c_char_p, dinero_done_callback, c_void_p]),
    "dinero_client_create_async": (c_uint32, [ClientPtr, c_char_p, c_char_p, dinero_done_callback, c_void_p]),
    "dinero_client_organizations_async": (c_uint32, [ClientPtr, dinero_done_callback, c_void_p]),
    "dinero_client_access_token_async": (c_uint32, [ClientPtr, dinero_done_callback, c_void_p]),
    "dinero_response_save_async": (c_uint32, [ResponsePtr, c_char_p, dinero_done_callback, c_void_p]),
    "dinero_background_set_threads": (c_uint32, [c_uint32]),
    "dinero_authenticate": (c_uint32, [c_char_p, c_char_p, c_char_p, OptionsPtr, POINTER(ClientPtr)]),
    "dinero_request": (c_uint32, [ClientPtr, c_char_p, c_char_p, c_char_p, POINTER(ResponsePtr)]),
    "dinero_client_send": (c_uint32, [ClientPtr, RequestPtr, POINTER(ResponsePtr)]),
    "dinero_client_call": (c_uint32, [ClientPtr, c_char_p, c_char_p, c_char_p, POINTER(c_uint8), c_size_t, POINTER(ResponsePtr)]),
    "dinero_client_upload_file": (c_uint32, [ClientPtr, c_char_p, c_char_p, c_char_p, POINTER(ResponsePtr)]),
    "dinero_client_upload_bytes": (c_uint32, [ClientPtr, POINTER(c_uint8), c_size_t, c_char_p, c_char_p, POINTER(ResponsePtr)]),
    "dinero_client_access_token": (c_uint32, [ClientPtr, POINTER(POINTER(c_char))]),
    "dinero_client_free": (None, [ClientPtr]),
    "dinero_client_close": (c_uint32, [ClientPtr]),
    "dinero_connect_authorize_url": (c_uint32, [c_char_p, c_char_p, OptionsPtr, POINTER(POINTER(c_char))]),
    "dinero_connect_authenticate_code": (c_uint32, [c_char_p, c_char_p, c_char_p, c_char_p, OptionsPtr, POINTER(ClientPtr)]),
    "dinero_connect_authenticate": (c_uint32, [c_char_p, c_char_p, c_char_p, OptionsPtr, POINTER(ClientPtr)]),
    "dinero_options_set_refresh_token_callback": (c_uint32, [OptionsPtr, dinero_refresh_token_callback, c_void_p]),
    "dinero_client_organizations": (c_uint32, [ClientPtr, POINTER(ResponsePtr)]),
    "dinero_client_create": (c_uint32, [ClientPtr, c_char_p, c_char_p, POINTER(POINTER(c_char)), POINTER(ResponsePtr)]),
    "dinero_options_set_interrupt_callback": (c_uint32, [OptionsPtr, dinero_interrupt_callback, c_void_p]),
    "dinero_version": (c_char_p, []),
    "dinero_status_str": (c_char_p, [c_uint32]),
    "dinero_last_error": (c_char_p, []),
    "dinero_string_free": (None, [POINTER(c_char)]),
    "dinero_options_set_log_callback": (c_uint32, [OptionsPtr, dinero_log_callback, c_void_p, c_uint32]),
    "dinero_log_level_parse": (c_uint32, [c_char_p, POINTER(c_uint32)]),
    "dinero_log_level_name": (c_char_p, [c_uint32]),
    "dinero_options_new": (OptionsPtr, []),
    "dinero_options_set": (c_uint32, [OptionsPtr, c_char_p, c_char_p]),
    "dinero_options_set_json": (c_uint32, [OptionsPtr, c_char_p]),
    "dinero_options_free": (None, [OptionsPtr]),
    "dinero_pages_new": (c_uint32, [ClientPtr, RequestPtr, c_uint32, POINTER(PagesPtr)]),
    "dinero_pages_next": (c_uint32, [PagesPtr, POINTER(ResponsePtr)]),
    "dinero_pages_free": (None, [PagesPtr]),
    "dinero_pages_new_with": (c_uint32, [ClientPtr, c_char_p, c_char_p, c_uint32, POINTER(PagesPtr)]),
    "dinero_private_file_write": (c_uint32, [c_char_p, POINTER(c_uint8), c_size_t, POINTER(POINTER(c_char))]),
    "dinero_request_builder_new": (c_uint32, [c_char_p, c_char_p, POINTER(RequestPtr)]),
    "dinero_request_builder_new_with": (c_uint32, [c_char_p, c_char_p, c_char_p, POINTER(c_uint8), c_size_t, POINTER(RequestPtr)]),
    "dinero_request_builder_set_header": (c_uint32, [RequestPtr, c_char_p, c_char_p]),
    "dinero_request_builder_add_query": (c_uint32, [RequestPtr, c_char_p, c_char_p]),
    "dinero_request_builder_set_body": (c_uint32, [RequestPtr, POINTER(c_uint8), c_size_t, c_char_p]),
    "dinero_request_builder_free": (None, [RequestPtr]),
    "dinero_response_status": (c_uint16, [ResponsePtr]),
    "dinero_response_is_ok": (c_bool, [ResponsePtr]),
    "dinero_response_body": (POINTER(c_uint8), [ResponsePtr, POINTER(c_size_t)]),
    "dinero_response_request": (c_char_p, [ResponsePtr]),
    "dinero_response_header": (c_char_p, [ResponsePtr, c_char_p]),
    "dinero_response_header_count": (c_size_t, [ResponsePtr]),
    "dinero_response_header_name": (c_char_p, [ResponsePtr, c_size_t]),
    "dinero_response_error_message": (c_char_p, [ResponsePtr]),
    "dinero_response_error_json": (c_char_p, [ResponsePtr]),
    "dinero_error_body_parse": (c_uint32, [c_uint16, POINTER(c_uint8), c_size_t, POINTER(POINTER(c_char))]),
    "dinero_response_save": (c_uint32, [ResponsePtr, c_char_p]),
    "dinero_response_free": (None, [ResponsePtr]),
    "dinero_response_headers_json": (c_char_p, [ResponsePtr]),
    "dinero_response_json": (c_uint32, [ResponsePtr, POINTER(c_char_p)]),
}
