"""Python values to the C library's strings: checked here, so that a NUL or a lone surrogate is an
InvalidArgumentError rather than a silently truncated string. Messages name the argument, never
its value (it may be a secret)."""

from __future__ import annotations

import json
import math
import os
import urllib.parse
from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from .errors import InvalidArgumentError

__all__ = ["OptionValue", "Params", "cstr", "json_body", "option_value", "path_with_params"]

OptionValue = Union[str, int, float, bool, "os.PathLike[str]", None]
ParamValue = Union[str, int, float, bool, None, Sequence[Union[str, int, float, bool]]]
Params = Union[Mapping[str, ParamValue], Sequence[Tuple[str, ParamValue]], None]


def cstr(value: object, what: str) -> bytes:
    """UTF-8 bytes for a C string argument."""
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{what} must be a str, not {type(value).__name__}", _native.STATUS_INVALID_ARGUMENT
        )
    if "\0" in value:
        raise InvalidArgumentError(
            f"{what} contains a NUL character", _native.STATUS_INVALID_ARGUMENT
        )
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(
            f"{what} is not valid Unicode (it holds a lone surrogate)", _native.STATUS_INVALID_UTF8
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
                f"option {key} must be a finite number", _native.STATUS_INVALID_ARGUMENT
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
        _native.STATUS_INVALID_ARGUMENT,
    )


def json_body(value: Any) -> bytes:
    """Compact UTF-8 JSON (Danish letters as themselves, not \\u escapes)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(
            f"json body cannot be encoded: {error}", _native.STATUS_INVALID_ARGUMENT
        ) from None
    return cstr(text, "json body")


def _param_text(value: Union[str, int, float, bool]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def path_with_params(path: str, params: Params) -> str:
    """``path`` with ``params`` appended as a query string (``?`` or ``&`` as needed). Spaces
    become %20 (the library refuses raw spaces); None values are left out; a list value repeats
    the parameter."""
    if not params:
        return path
    items = params.items() if isinstance(params, Mapping) else params
    pairs: List[Tuple[str, str]] = []
    for name, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((str(name), _param_text(v)) for v in value)
        else:
            pairs.append((str(name), _param_text(value)))  # type: ignore[arg-type]
    if not pairs:
        return path
    try:
        query = urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)
    except UnicodeEncodeError:
        raise InvalidArgumentError(
            "params are not valid Unicode (a lone surrogate)", _native.STATUS_INVALID_UTF8
        ) from None
    if "?" not in path:
        return f"{path}?{query}"
    if path.endswith(("?", "&")):
        return path + query
    return f"{path}&{query}"
