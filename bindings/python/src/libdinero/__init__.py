"""libdinero: a client for the Dinero accounting API, with an API key (personal integration) or
through Visma Connect (integrations offered to many companies).

A thin ctypes binding of the libdinero C library: authentication, token lifetime, retries, rate
limiting and error handling all happen in the library, the same as for every other language.

    import libdinero

    with libdinero.authenticate(client_id, client_secret, api_key,
                                organization_id="424242") as dinero:
        for contact in dinero.paginate("/v1/{organizationId}/contacts"):
            print(contact["Name"])
"""

from __future__ import annotations

from . import _native, errors
from ._library import LibraryNotFoundError
from .client import Client, authenticate
from .connect import connect_authenticate, connect_authenticate_code, connect_authorize_url
from .errors import (
    ApiError,
    AuthenticationError,
    DineroError,
    FileError,
    InvalidArgumentError,
    LoginRequiredError,
    NetworkError,
    ProtocolError,
    ResponseTooLargeError,
    TimeoutError,
    TLSError,
)
from ._headers import Headers
from .response import Response

__version__ = "0.1.0"
"""The version of this package, the same as the C library's (``library_version()``)."""

__all__ = [
    "ApiError",
    "AuthenticationError",
    "Client",
    "DineroError",
    "FileError",
    "Headers",
    "InvalidArgumentError",
    "LibraryNotFoundError",
    "LoginRequiredError",
    "NetworkError",
    "ProtocolError",
    "Response",
    "ResponseTooLargeError",
    "TLSError",
    "TimeoutError",
    "__version__",
    "authenticate",
    "connect_authenticate",
    "connect_authenticate_code",
    "connect_authorize_url",
    "library_version",
    "status_str",
]


def library_version() -> str:
    """The version of the loaded C library (``dinero_version()``)."""
    return _native.version()


def status_str(status: int) -> str:
    """The library's short description of a status number (``dinero_status_str()``)."""
    number = errors.whole_number(status, 0, 2**32 - 1, "a status is a dinero_status")
    return _native.status_str(number)
