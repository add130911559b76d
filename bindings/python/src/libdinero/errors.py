"""The exceptions: one base class carrying the C status, one subclass per kind of failure.

The message of every exception is the library's own explanation (``dinero_last_error``) or, for
HTTP errors, Dinero's; it never contains the client secret, the API key or a token.
"""

from __future__ import annotations

import builtins
import http
import json
import re
from typing import Any, Dict, List, Mapping, Optional, Type

from . import _native
from ._headers import Headers

__all__ = [
    "ApiError",
    "AuthenticationError",
    "DineroError",
    "FileError",
    "InvalidArgumentError",
    "NetworkError",
    "ProtocolError",
    "ResponseTooLargeError",
    "TLSError",
    "TimeoutError",
]


class DineroError(Exception):
    """Base of every libdinero error. ``status`` is the C status (``DINERO_STATUS_*``)."""

    status: int

    def __init__(self, message: str, status: int = _native.STATUS_PANIC) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class InvalidArgumentError(DineroError, ValueError):
    """A bad argument or option: NULL, not UTF-8 (or a NUL inside a Python string), an unknown
    option, a bad value, plain http to another host, use of a closed object. Nothing was sent."""


class AuthenticationError(DineroError):
    """The token endpoint refused the credentials (``rejected`` is True: check the client id,
    secret and API key) or failed / answered something unreadable (``rejected`` is False: try
    again later)."""

    @property
    def rejected(self) -> bool:
        return self.status == _native.STATUS_AUTH_REJECTED


class NetworkError(DineroError):
    """No usable answer arrived: connection refused, reset or closed (and the subclasses)."""


class TLSError(NetworkError):
    """The TLS handshake failed (e.g. an untrusted certificate)."""


class ProtocolError(NetworkError):
    """The answer was not valid HTTP, was cut short, or (for the JSON helpers) was not JSON."""


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
        self, message: str, status: int = _native.STATUS_IO, filename: Optional[str] = None
    ) -> None:
        super().__init__(message, status)
        found = re.search(r"\(os error (\d+)\)", message)
        self.errno = int(found.group(1)) if found else None
        self.strerror = message
        self.filename = filename

    def __str__(self) -> str:
        return self.message


_BY_STATUS: Dict[int, Type[DineroError]] = {
    _native.STATUS_NULL_ARGUMENT: InvalidArgumentError,
    _native.STATUS_INVALID_UTF8: InvalidArgumentError,
    _native.STATUS_INVALID_ARGUMENT: InvalidArgumentError,
    _native.STATUS_AUTH_REJECTED: AuthenticationError,
    _native.STATUS_AUTH_UNAVAILABLE: AuthenticationError,
    _native.STATUS_NETWORK: NetworkError,
    _native.STATUS_TIMEOUT: TimeoutError,
    _native.STATUS_TLS: TLSError,
    _native.STATUS_PROTOCOL: ProtocolError,
    _native.STATUS_RESPONSE_TOO_LARGE: ResponseTooLargeError,
    _native.STATUS_IO: FileError,
}


def from_status(status: int) -> DineroError:
    """The exception for a failed call. Call right after it, on the same thread: the message is
    this thread's ``dinero_last_error``."""
    message = _native.last_error() or _native.status_str(status)
    return _BY_STATUS.get(status, DineroError)(message, status)


def check(status: int) -> None:
    """Raises the matching exception unless ``status`` is ``DINERO_STATUS_OK``."""
    if status != _native.STATUS_OK:
        raise from_status(status)


class ApiError(DineroError):
    """Dinero answered with an HTTP status >= 400 (raised by ``get``/``post``/``put``/``delete``/
    ``paginate``; ``request`` returns such answers as a ``Response``).

    ``status`` is the HTTP status here; ``code`` is Dinero's error code (42 validation, 58 stale
    timestamp, ...) or None; ``message`` Dinero's message (or the reason phrase, or the start of a
    plain-text body); ``validation_errors`` Dinero's ``validationErrors`` (empty if none);
    ``body`` the raw bytes; ``headers`` every header of the response (a read-only,
    case-insensitive :class:`Headers`), or None when the error was made without them.
    """

    code: Optional[int]
    validation_errors: Dict[str, Any]
    body: bytes
    headers: Optional[Headers]

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
        self.code = code
        self.validation_errors = dict(validation_errors or {})
        self.body = body
        self.headers = headers if headers is None or isinstance(headers, Headers) else Headers(headers)
        super().__init__(_describe(status, code, message, self.validation_errors), status)
        # str(error) is the whole sentence; .message keeps Dinero's own words.
        self.message = message

    @classmethod
    def from_body(cls, status: int, body: bytes, headers: Optional[Mapping[str, str]] = None) -> ApiError:
        """Parses Dinero's error body
        ``{"code":42,"message":"...","validationErrors":{...},"languageSpecificMessages":[...]}``;
        tolerates anything else (IIS's HTML 404, a plain-text 429, an empty body)."""
        code: Optional[int] = None
        message = ""
        validation: Dict[str, Any] = {}
        parsed: Any = None
        try:
            parsed = json.loads(body.decode("utf-8")) if body.strip() else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            lowered = {str(k).lower(): v for k, v in parsed.items()}
            raw_code = lowered.get("code")
            if isinstance(raw_code, int) and not isinstance(raw_code, bool):
                code = raw_code
            elif isinstance(raw_code, str) and raw_code.strip().isdigit():
                code = int(raw_code)
            for key in ("message", "error_description", "error"):
                if isinstance(lowered.get(key), str) and lowered[key]:
                    message = lowered[key]
                    break
            raw_validation = lowered.get("validationerrors")
            if isinstance(raw_validation, dict):
                validation = raw_validation
        elif parsed is None and body.strip():
            message = _plain_text_excerpt(body)
        if not message:
            try:
                message = http.HTTPStatus(status).phrase
            except ValueError:
                message = "HTTP error"
        return cls(
            status,
            body,
            code=code,
            message=message,
            validation_errors=validation,
            headers=headers,
        )


def _plain_text_excerpt(body: bytes) -> str:
    """The first line of a text body, unless it looks like HTML (whose reason phrase says more)."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("<"):
        return ""
    first = text.splitlines()[0] if text else ""
    return first[:200] + ("..." if len(first) > 200 else "")


def _describe(
    status: int, code: Optional[int], message: str, validation: Dict[str, Any]
) -> str:
    parts: List[str] = [f"HTTP {status}"]
    if code is not None:
        parts.append(f" (Dinero code {code})")
    if message:
        parts.append(f": {message}")
    details = [f"{k}: {v}" for k, v in validation.items() if not (k == "message" and v == message)]
    if details:
        parts.append(" [" + "; ".join(details) + "]")
    return _printable("".join(parts), _QUOTED_CHARS)


# The server's words in an exception's text: one printable line (no escape sequences for a
# terminal, no line breaks that forge a log line), and not a flood.
_QUOTED_CHARS = 1000
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _printable(text: str, limit: int) -> str:
    text = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return text if len(text) <= limit else text[:limit].rstrip() + "..."
