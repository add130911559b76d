"""The C library, with the declarations of include/dinero.h applied, and nothing else.

The declarations (one ctypes type per handle, the ``CFUNCTYPE`` of each callback typedef, and
``FUNCTIONS``: every function's ``restype`` and ``argtypes``) are generated from the header into
``libdinero._generated.declarations`` (scripts/binding_constants.py), so they cannot drift from
it. ctypes releases the GIL around every call, so requests from threads run in parallel.

``tests/test_header.py`` checks the declarations, the callback types and the constants against
the header, both ways.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any, Optional

from . import _library
from ._generated.declarations import *  # noqa: F403 - the header's declarations, re-exported
from ._generated.declarations import FUNCTIONS, __all__ as _declared

__all__ = _declared + [
    "OwnedString", "bytes_pointer", "last_error", "lib", "status_str", "take_string", "version"
]

OwnedString = ctypes.POINTER(ctypes.c_char)  # a char* the library hands out: dinero_string_free

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


def take_string(owned: "ctypes._Pointer[ctypes.c_char]") -> str:
    """The text of a string the library handed out, which is then freed (and wiped)."""
    try:
        return ctypes.string_at(owned).decode("utf-8")
    finally:
        lib().dinero_string_free(owned)


def bytes_pointer(data: bytes) -> Any:
    """A ``const uint8_t *`` to the bytes object's own buffer (no copy; NULL when empty). The
    result keeps ``data`` alive; the library copies what it needs during the call."""
    if not data:
        return None
    return ctypes.cast(ctypes.c_char_p(data), ctypes.POINTER(ctypes.c_uint8))


def _text(raw: Optional[bytes]) -> str:
    return (raw or b"").decode("utf-8", "replace")


def last_error() -> str:
    """This thread's last error message. Call it right after the failing call."""
    return _text(lib().dinero_last_error())


def status_str(status: int) -> str:
    return _text(lib().dinero_status_str(status))


def version() -> str:
    return _text(lib().dinero_version())
