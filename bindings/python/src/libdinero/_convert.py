"""Python values to the C library's strings: checked here, so that a NUL or a lone surrogate is an
InvalidArgumentError rather than a silently truncated string. Messages name the argument, never
its value (it may be a secret)."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from . import _constants, _native
from .errors import InvalidArgumentError

__all__ = [
    "Bytes",
    "HeaderArgs",
    "OptionValue",
    "OrganizationId",
    "Params",
    "byte_buffer",
    "cstr",
    "file_path",
    "json_text",
    "options_json",
    "request_spec",
]

OptionValue = Union[str, int, float, bool, "os.PathLike[str]", None]
ParamValue = Union[str, int, float, bool, None, Sequence[Union[str, int, float, bool]]]
Params = Union[Mapping[str, ParamValue], Sequence[Tuple[str, ParamValue]], None]
HeaderArgs = Union[Mapping[str, str], Sequence[Tuple[str, str]], None]
OrganizationId = Union[str, int, None]


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
        pass
    # Raised out here, not in the except block: the UnicodeEncodeError, which holds the whole
    # value (a secret, maybe), must not stay reachable as this error's __context__.
    raise InvalidArgumentError(
        f"{what} is not valid Unicode (it holds a lone surrogate)", _constants.STATUS_INVALID_UTF8
    )


def options_json(options: Mapping[str, OptionValue]) -> bytes:
    """The options as one JSON object for ``dinero_options_set_json``, which turns the values
    into the library's text (booleans, whole floats, None = leave the default) and checks them."""
    values = {key: os.fspath(v) if isinstance(v, os.PathLike) else v for key, v in options.items()}
    return cstr(json_text(values, "the options"), "options")


def request_spec(
    json_value: Any, params: Params, headers: HeaderArgs, data: object, content_type: object,
    organization_id: OrganizationId = None,
) -> Optional[bytes]:
    """What the caller gave, as the request description ``dinero_client_call`` reads; the
    library applies the rules (parameter values, which content type, what cannot go together,
    the organization: ``organization_id`` fills ``{organizationId}`` for this request only).
    Mappings become lists of pairs, so their order is kept."""
    spec: Dict[str, Any] = {}
    for name, pairs in (("params", params), ("headers", headers)):
        if pairs:
            spec[name] = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
    if json_value is not None:
        spec["json"] = json_value
    if data is not None:
        spec["data"] = True
    if content_type is not None:
        spec["content_type"] = content_type
    if organization_id is not None:
        spec["organization_id"] = organization_id
    return cstr(json_text(spec, "the request"), "request") if spec else None


def json_text(value: Any, what: str) -> str:
    """Compact JSON, Danish letters as themselves (not \\u escapes)."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        why = str(error)
    # Raised out here, with no __context__ holding the value.
    raise InvalidArgumentError(
        f"{what} cannot be encoded as JSON: {why}", _constants.STATUS_INVALID_ARGUMENT
    )



Bytes = Union[bytes, bytearray, memoryview]


def byte_buffer(data: object, what: str) -> bytes:
    """``bytes`` for a binary argument (bytes, bytearray or memoryview), exactly its buffer: a
    subclass of bytes is copied, so that no ``__len__`` of its own can tell the library a
    length its buffer does not have."""
    if type(data) is bytes:
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(memoryview(data))
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
