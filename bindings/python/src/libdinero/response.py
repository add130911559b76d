"""Response: one HTTP answer (any status), read from a ``dinero_response``."""

from __future__ import annotations

import ctypes
import json as _json
import os
from typing import TYPE_CHECKING, Any, Optional, Union

from . import _constants, _native, errors
from ._convert import cstr, file_path
from ._handle import NativeHandle
from ._headers import Headers
from .errors import InvalidArgumentError

if TYPE_CHECKING:
    ResponsePointer = ctypes._Pointer[_native.dinero_response]

__all__ = ["Response"]


class Response(NativeHandle):
    """The status, body and headers of one HTTP answer, whatever its status code.

    ``status`` and ``body`` are copied out at once, so they stay readable after ``close()``;
    headers are read from the native response, which lives until ``close()`` (or garbage
    collection); a ``headers`` mapping, once taken, stays readable after ``close()``. A response
    belongs to one thread at a time.
    """

    status: int
    """The HTTP status code (200, 201, 400, 429, ...)."""
    body: bytes
    """The body, byte-exact (a PDF may hold NULs)."""
    request: str
    """The request this answers, as the library sent it: the method, the path as written and the
    query percent-encoded (``GET /v1/{organizationId}/contacts?page=0&fields=Name``)."""

    def __init__(self, pointer: ResponsePointer) -> None:
        lib = _native.lib()
        self._pointer: Optional[ResponsePointer] = pointer
        self.status = int(lib.dinero_response_status(pointer))
        self._ok = bool(lib.dinero_response_is_ok(pointer))
        length = ctypes.c_size_t(0)
        data = lib.dinero_response_body(pointer, ctypes.byref(length))
        self.body = ctypes.string_at(data, length.value) if data and length.value else b""
        raw_request: Optional[bytes] = lib.dinero_response_request(pointer)
        self.request = (raw_request or b"").decode("utf-8", "replace")

    # -- body -----------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The body as text (UTF-8, as Dinero sends it; undecodable bytes become U+FFFD)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON; None for an empty body (nothing, or only spaces, tabs, line
        breaks and form feeds: the library's rule, the same in every binding). Raises
        ``json.JSONDecodeError`` (a ``ValueError``) when it is not JSON."""
        if not self.body.strip(b" \t\r\n\f"):
            return None
        return _json.loads(self.body.decode("utf-8"))

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the body to ``path`` (e.g. an invoice PDF) through the library, atomically: a
        temporary file beside it, then a rename, so a reader never sees half a file. Any status
        is written as it is (check ``ok`` first). ``FileError`` if the folder does not exist or
        cannot be written; needs the response open."""
        path_bytes = file_path(path, "path")
        status = _native.lib().dinero_response_save(self._live(), path_bytes)
        if status != _constants.STATUS_OK:
            raise errors.with_filename(errors.from_status(status), path)

    def _api_error(self) -> errors.ApiError:
        """The library's reading of this error answer, as an ``ApiError``."""
        raw: Optional[bytes] = _native.lib().dinero_response_error_json(self._live())
        parsed = _json.loads(raw or b"{}")
        return errors.ApiError._from_parsed(parsed, self.body, self.headers, self.request)

    @property
    def ok(self) -> bool:
        """True for a status below 400, the library's one rule (``dinero_response_is_ok``):
        400 and above is an error answer, which the helpers raise as ``ApiError``."""
        return self._ok

    # -- headers --------------------------------------------------------------------------

    def header(self, name: str) -> Optional[str]:
        """A header's value, looked up without regard to case; repeated headers come joined with
        ", "; None if absent."""
        key = cstr(name, "header name")
        raw: Optional[bytes] = _native.lib().dinero_response_header(self._live(), key)
        return None if raw is None else raw.decode("utf-8", "replace")

    @property
    def headers(self) -> Headers:
        """Every header, as a read-only mapping looked up without regard to case; iterating
        gives the lower-case names in the order they arrived. A snapshot: it stays readable
        after ``close()``."""
        # The library's one reading of them (dinero_response_headers_json), in arrival order.
        raw: Optional[bytes] = _native.lib().dinero_response_headers_json(self._live())
        return Headers(_json.loads(raw or b"{}"))

    # -- lifetime -------------------------------------------------------------------------

    def _live(self) -> ResponsePointer:
        if self._pointer is None:
            raise InvalidArgumentError("the response is closed", _constants.STATUS_NULL_ARGUMENT)
        return self._pointer

    @property
    def closed(self) -> bool:
        return getattr(self, "_pointer", None) is None

    def close(self) -> None:
        """Frees the native response (headers can no longer be read). Idempotent."""
        pointer = getattr(self, "_pointer", None)
        self._pointer = None
        if pointer is not None:
            _native.lib().dinero_response_free(pointer)

    def __repr__(self) -> str:
        return f"<libdinero.Response {self.status}, {len(self.body)} bytes>"

