"""Python values to the C library's strings: checked here, so that a NUL or a lone surrogate is an
InvalidArgumentError rather than a silently truncated string. Messages name the argument, never
its value (it may be a secret)."""

from __future__ import annotations

import json
import math
import os
from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

from . import _constants, _native
from .errors import InvalidArgumentError

__all__ = [
    "Bytes",
    "HeaderArgs",
    "OptionValue",
    "Params",
    "byte_buffer",
    "cstr",
    "file_path",
    "header_pairs",
    "json_body",
    "option_value",
    "query_pairs",
]

OptionValue = Union[str, int, float, bool, "os.PathLike[str]", None]
ParamValue = Union[str, int, float, bool, None, Sequence[Union[str, int, float, bool]]]
Params = Union[Mapping[str, ParamValue], Sequence[Tuple[str, ParamValue]], None]


def cstr(value: object, what: str) -> bytes:
    """UTF-8 bytes for a C string argument."""
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{what} must be a str, not {type(value).__name__}", _constants.STATUS_INVALID_ARGUMENT
        )
    if "\0" in value:
        raise InvalidArgumentError(
            f"{what} contains a NUL character", _constants.STATUS_INVALID_ARGUMENT
        )
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(
            f"{what} is not valid Unicode (it holds a lone surrogate)", _constants.STATUS_INVALID_UTF8
        ) from None


def option_value(key: str, value: OptionValue) -> Optional[str]:
    """The option's string form; None means "leave the default"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidArgumentError(
                f"option {key} must be a finite number", _constants.STATUS_INVALID_ARGUMENT
            )
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        if isinstance(path, str):
            return path
    raise InvalidArgumentError(
        f"option {key} must be a str, int, float, bool or path, not {type(value).__name__}",
        _constants.STATUS_INVALID_ARGUMENT,
    )


def json_body(value: Any) -> bytes:
    """Compact UTF-8 JSON (Danish letters as themselves, not \\u escapes)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(
            f"json body cannot be encoded: {error}", _constants.STATUS_INVALID_ARGUMENT
        ) from None
    return cstr(text, "json body")


def _param_text(value: Union[str, int, float, bool]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def query_pairs(params: Params) -> List[Tuple[bytes, bytes]]:
    """``params`` as UTF-8 (key, value) pairs for ``dinero_request_builder_add_query``, which
    percent-encodes them (a space becomes %20). None values are left out; a list value repeats
    the parameter; bools are ``true``/``false``."""
    if not params:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    pairs: List[Tuple[bytes, bytes]] = []
    for name, value in items:
        if value is None:
            continue
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        key = cstr(str(name), "params")
        for item in values:
            pairs.append((key, cstr(_param_text(item), "params")))  # type: ignore[arg-type]
    return pairs


HeaderArgs = Union[Mapping[str, str], Sequence[Tuple[str, str]], None]


def header_pairs(headers: HeaderArgs) -> List[Tuple[bytes, bytes]]:
    """``headers`` as UTF-8 (name, value) pairs for ``dinero_request_builder_set_header`` (which checks
    them: HTTP token names, no CR/LF, no Authorization/Host/Content-Length/...)."""
    if not headers:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(cstr(name, "header name"), cstr(value, "header value")) for name, value in items]


Bytes = Union[bytes, bytearray, memoryview]


def byte_buffer(data: object, what: str) -> bytes:
    """``bytes`` for a binary argument (bytes, bytearray or memoryview)."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise InvalidArgumentError(
        f"{what} must be bytes, bytearray or memoryview, not {type(data).__name__}",
        _constants.STATUS_INVALID_ARGUMENT,
    )


def file_path(value: object, what: str) -> bytes:
    """A ``str`` or ``os.PathLike[str]`` as a C string."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{what} must be a str or os.PathLike, not {type(value).__name__}",
            _constants.STATUS_INVALID_ARGUMENT,
        )
    return cstr(value, what)
