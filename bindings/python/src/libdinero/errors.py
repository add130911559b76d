"""The exceptions: one base class carrying the C status, one subclass per kind of failure.

The message of every exception is the library's own explanation (``dinero_last_error``) or, for
HTTP errors, Dinero's; it never contains the client secret, the API key or a token.
"""

from __future__ import annotations

import builtins
import ctypes
import json
import os
import re
from typing import Any, Dict, List, Mapping, Optional, Type

from . import _constants, _interrupt, _native
from ._headers import Headers

__all__ = [
    "ApiError",
    "AuthenticationError",
    "DineroError",
    "FileError",
    "InvalidArgumentError",
    "LoginRequiredError",
    "NetworkError",
    "ProtocolError",
    "ResponseTooLargeError",
    "TLSError",
    "TimeoutError",
]


class DineroError(Exception):
    """Base of every libdinero error. ``status`` is the C status (``DINERO_STATUS_*``)."""

    status: int

    def __init__(self, message: str, status: int = _constants.STATUS_PANIC) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class InvalidArgumentError(DineroError, ValueError):
    """A bad argument or option: NULL, not UTF-8 (or a NUL inside a Python string), an unknown
    option, a bad value, plain http to another host, use of a closed object. Nothing was sent."""


class AuthenticationError(DineroError):
    """The token endpoint refused the credentials (``rejected`` is True: check the client id,
    secret and API key) or failed / gave an HTTP answer that is not a token (``rejected`` is
    False: try again later)."""

    @property
    def rejected(self) -> bool:
        return self.status == _constants.STATUS_AUTH_REJECTED


class LoginRequiredError(AuthenticationError):
    """Visma Connect refused the refresh token (revoked, expired or used up;
    ``DINERO_STATUS_LOGIN_REQUIRED``): the user must sign in again
    (``connect_authorize_url``). The client never asks again by itself."""


class NetworkError(DineroError):
    """No usable answer arrived: connection refused, reset or closed (and the subclasses)."""


class TLSError(NetworkError):
    """The TLS handshake failed (e.g. an untrusted certificate)."""


class ProtocolError(NetworkError):
    """The answer was not valid HTTP, was cut short, or (for the JSON helpers, uploads and
    ``organizations()``) was not the JSON expected."""


class ResponseTooLargeError(NetworkError):
    """The body exceeded the ``max_response_bytes`` option; it was not read."""


class TimeoutError(DineroError, builtins.TimeoutError):
    """``timeout_ms`` or ``connect_timeout_ms`` expired."""


class FileError(DineroError, OSError):
    """A local file could not be read or written: an upload's source is missing or unreadable,
    or ``save_to`` names a folder that does not exist or cannot be written
    (``DINERO_STATUS_IO``). ``errno`` is the operating system's error number when the library
    names it (``errno.ENOENT`` for a missing file), else None; ``filename`` is the path involved
    when the binding knows it. ``str(error)`` is the library's message, as for every other
    ``DineroError``."""

    def __init__(
        self, message: str, status: int = _constants.STATUS_IO, filename: Optional[str] = None
    ) -> None:
        super().__init__(message, status)
        found = re.search(r"\(os error (\d+)\)", message)
        self.errno = int(found.group(1)) if found else None
        self.strerror = message
        self.filename = filename

    def __str__(self) -> str:
        return self.message


def whole_number(value: object, low: int, high: int, what: str) -> int:
    """``value`` if it is an int from ``low`` to ``high``: ctypes would otherwise wrap it on its
    way to the library's fixed-width integer (65936 would reach a ``uint16_t`` as 400)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = value if isinstance(value, int) else type(value).__name__
        raise InvalidArgumentError(
            f"{what} (an int from {low} to {high}), not {shown}", _constants.STATUS_INVALID_ARGUMENT
        )
    return value


def with_filename(error: DineroError, path: Any) -> DineroError:
    """``error``, given the path involved when it is a ``FileError``."""
    if isinstance(error, FileError):
        error.filename = os.fspath(path)
    return error


def from_status(status: int) -> DineroError:
    """The exception for a failed call. Call right after it, on the same thread: the message is
    this thread's ``dinero_last_error``. The class follows the one mapping of every binding
    (``_constants.FAMILY``, generated from include/dinero.h). A wait given up for Ctrl-C
    raises what the SIGINT handler raises (``KeyboardInterrupt``) instead."""
    # Read first: the SIGINT handler redeliver() runs may call the library itself.
    message = _native.last_error() or _native.status_str(status)
    if status == _constants.STATUS_INTERRUPTED:
        _interrupt.redeliver()
    family = _constants.FAMILY.get(status, "Dinero")
    cls: Type[DineroError] = globals().get(f"{family}Error", DineroError)
    return cls(message, status)


def check(status: int) -> None:
    """Raises the matching exception unless ``status`` is ``DINERO_STATUS_OK``."""
    if status != _constants.STATUS_OK:
        raise from_status(status)


class ApiError(DineroError):
    """Dinero answered with an HTTP status >= 400 (raised by ``get``/``post``/``put``/``delete``/
    ``paginate``; ``request`` returns such answers as a ``Response``).

    The library reads Dinero's error body, the same way for every language. ``status`` is the
    HTTP status here; ``code`` is Dinero's error code (42 validation, 58 stale timestamp, ...) or
    None; ``message`` Dinero's message (or the start of a plain-text body, or the reason phrase);
    ``validation_errors`` Dinero's ``validationErrors`` as a dict of name to message (empty if
    none); ``language_specific_messages`` and ``error_message_list`` as Dinero sent them;
    ``body`` the raw bytes; ``headers`` every header of the response (a read-only,
    case-insensitive :class:`Headers`), or None when the error was made without them;
    ``request`` the request answered, as sent (``GET /v1/{organizationId}/contacts?page=0``), or
    "" when the error was made without it.
    ``str(error)`` is the one sentence every language shows, e.g.
    ``HTTP 400 (Dinero code 42): Validation error [Name: Name is required]``.
    """

    code: Optional[int]
    validation_errors: Dict[str, Any]
    language_specific_messages: List[Any]
    error_message_list: List[Any]
    body: bytes
    headers: Optional[Headers]
    request: str

    def __init__(
        self,
        status: int,
        body: bytes,
        *,
        code: Optional[int] = None,
        message: str = "",
        validation_errors: Optional[Dict[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        # Made by hand: the library still words it, from Dinero's shape of the same facts.
        shape = {"code": code, "message": message, "validationErrors": validation_errors or {}}
        parsed = _parse(status, json.dumps(shape).encode())
        self._fill(parsed, body, headers)

    def _fill(
        self, parsed: Dict[str, Any], body: bytes, headers: Optional[Mapping[str, str]],
        request: str = "",
    ) -> None:
        self.code = parsed["code"]
        self.validation_errors = {e["name"]: e["message"] for e in parsed["validation_errors"]}
        self.language_specific_messages = parsed["language_specific_messages"]
        self.error_message_list = parsed["error_message_list"]
        self.body = body
        self.request = request
        self.headers = headers if headers is None or isinstance(headers, Headers) else Headers(headers)
        DineroError.__init__(self, parsed["description"], parsed["status"])
        # str(error) is the whole sentence; .message keeps Dinero's own words.
        self.message = parsed["message"]

    @classmethod
    def from_body(cls, status: int, body: bytes, headers: Optional[Mapping[str, str]] = None) -> ApiError:
        """Reads Dinero's error body
        ``{"code":42,"message":"...","validationErrors":{...},"languageSpecificMessages":[...]}``;
        tolerates anything else (IIS's HTML 404, a plain-text 429, an empty body)."""
        return cls._from_parsed(_parse(status, body), body, headers)

    @classmethod
    def _from_parsed(
        cls, parsed: Dict[str, Any], body: bytes, headers: Optional[Mapping[str, str]],
        request: str = "",
    ) -> ApiError:
        error = cls.__new__(cls)
        error._fill(parsed, body, headers, request)
        return error


def _parse(status: int, body: bytes) -> Dict[str, Any]:
    """The library's reading of an error answer (``dinero_error_body_parse``)."""
    status = whole_number(status, 100, 999, "status must be an HTTP status")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise InvalidArgumentError(
            f"body must be bytes, not {type(body).__name__}", _constants.STATUS_INVALID_ARGUMENT
        )
    body = bytes(memoryview(body))  # its buffer's own length, whatever len() says
    out = _native.OwnedString()
    data = _native.bytes_pointer(body)
    check(_native.lib().dinero_error_body_parse(status, data, len(body), ctypes.byref(out)))
    parsed: Dict[str, Any] = json.loads(_native.take_string(out))
    return parsed
