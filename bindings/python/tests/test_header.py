"""The ctypes declarations can never drift from include/dinero.h: every function declared there
has a declaration here with the same arity and the same types, and the other way round; the same
for the callback typedefs (``CFUNCTYPE``s) and the DINERO_STATUS_* / DINERO_LOG_* numbers."""

from __future__ import annotations

import ctypes
import re
from ctypes import POINTER, c_bool, c_char, c_char_p, c_size_t, c_uint8, c_uint16, c_uint32, c_void_p
from pathlib import Path
from typing import Any, Dict, List, Tuple

from libdinero import _constants, _native

HEADER = Path(__file__).resolve().parents[3] / "include" / "dinero.h"

_FUNCTION = re.compile(
    r"^([A-Za-z_][\w \t\*]*?[\s\*])(dinero_\w+)\s*\(([^)]*)\)\s*;", re.MULTILINE | re.DOTALL
)
# typedef void (*dinero_log_callback)(void *user_data, uint32_t level, const char *message);
_CALLBACK = re.compile(
    r"^typedef\s+([^;(]*?)\(\s*\*\s*(dinero_\w+)\s*\)\s*\(([^)]*)\)\s*;", re.MULTILINE
)


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"//[^\n]*", "", text)


def header_functions() -> Dict[str, Tuple[str, List[str]]]:
    """name -> (return type, [parameter types]) for every function in the header."""
    found: Dict[str, Tuple[str, List[str]]] = {}
    for match in _FUNCTION.finditer(_strip_comments(HEADER.read_text())):
        returns, name, params = match.groups()
        params = " ".join(params.split())
        types = [] if params in ("", "void") else [_param_type(p) for p in params.split(",")]
        found[name] = (_normalize(returns), types)
    return found


def header_callbacks() -> Dict[str, Tuple[str, List[str]]]:
    """name -> (return type, [parameter types]) for every function-pointer typedef."""
    found: Dict[str, Tuple[str, List[str]]] = {}
    for match in _CALLBACK.finditer(_strip_comments(HEADER.read_text())):
        returns, name, params = match.groups()
        params = " ".join(params.split())
        types = [] if params in ("", "void") else [_param_type(p) for p in params.split(",")]
        found[name] = (_normalize(returns), types)
    return found


def _param_type(param: str) -> str:
    # Drop the parameter's name: the last identifier, unless that is the whole type.
    param = param.strip()
    match = re.match(r"^(.*?[\s\*])([A-Za-z_]\w*)$", param)
    return _normalize(match.group(1) if match else param)


def _normalize(c_type: str) -> str:
    c_type = " ".join(c_type.replace("*", " * ").split())
    return c_type.replace("* *", "**")


def _ctype(c_type: str) -> Any:
    """The ctypes type a C type must be declared as."""
    handles = {
        "dinero_options": _native.dinero_options,
        "dinero_client": _native.dinero_client,
        "dinero_request_builder": _native.dinero_request_builder,
        "dinero_pages": _native.dinero_pages,
        "dinero_response": _native.dinero_response,
    }
    base = c_type.replace("const ", "").replace("*", "").strip()
    stars = c_type.count("*")
    if c_type == "void":
        return None
    if c_type == "void *":
        return c_void_p
    if c_type in header_callbacks():
        callback = getattr(_native, c_type, None)
        assert callback is not None, f"_native.py has no CFUNCTYPE for {c_type}"
        return callback
    if base == "char":
        # Borrowed `const char *` may be c_char_p (ctypes copies it); an owned `char *` must stay
        # a pointer so that it can be given back to dinero_string_free.
        result: Any = c_char_p if c_type.startswith("const") else POINTER(c_char)
        for _ in range(stars - 1):
            result = POINTER(result)
        return result
    scalar = {
        "dinero_status": c_uint32,
        "uint16_t": c_uint16,
        "uint8_t": c_uint8,
        "uint32_t": c_uint32,
        "size_t": c_size_t,
        "bool": c_bool,
    }
    result = handles.get(base) or scalar.get(base)
    assert result is not None, f"the test does not know the C type {c_type!r}"
    for _ in range(stars):
        result = POINTER(result)
    return result


def test_the_header_parses() -> None:
    functions = header_functions()
    assert len(functions) >= 15
    assert functions["dinero_request"][1] == [
        "dinero_client *",
        "const char *",
        "const char *",
        "const char *",
        "dinero_response **",
    ]
    assert functions["dinero_options_set_log_callback"][1] == [
        "dinero_options *",
        "dinero_log_callback",
        "void *",
        "uint32_t",
    ]
    assert functions["dinero_response_header_name"] == (
        "const char *",
        ["const dinero_response *", "size_t"],
    )
    assert functions["dinero_client_send"] == (
        "dinero_status",
        ["dinero_client *", "const dinero_request_builder *", "dinero_response **"],
    )
    assert functions["dinero_client_upload_bytes"][1] == [
        "dinero_client *",
        "const uint8_t *",
        "size_t",
        "const char *",
        "const char *",
        "dinero_response **",
    ]
    assert functions["dinero_request_builder_new"][1] == [
        "const char *",
        "const char *",
        "dinero_request_builder **",
    ]
    assert functions["dinero_response_save"] == (
        "dinero_status",
        ["const dinero_response *", "const char *"],
    )
    assert header_callbacks() == {
        "dinero_log_callback": ("void", ["void *", "uint32_t", "const char *"]),
        "dinero_refresh_token_callback": ("void", ["void *", "const char *"]),
        "dinero_interrupt_callback": ("bool", ["void *"]),
        "dinero_done_callback": (
            "void",
            ["void *", "dinero_status", "const char *", "void *", "char *"],
        ),
    }


def test_every_header_function_is_declared_with_the_same_arity() -> None:
    declared = _native.FUNCTIONS
    header = header_functions()
    missing = sorted(set(header) - set(declared))
    assert not missing, f"declared in include/dinero.h but not in _native.py: {missing}"
    for name, (_, params) in header.items():
        assert len(declared[name][1]) == len(params), f"{name}: arity differs from the header"


def test_every_declaration_is_in_the_header() -> None:
    header = header_functions()
    extra = sorted(set(_native.FUNCTIONS) - set(header))
    assert not extra, f"declared in _native.py but not in include/dinero.h: {extra}"


def test_the_types_match_the_header() -> None:
    declared = _native.FUNCTIONS
    for name, (returns, params) in header_functions().items():
        restype, argtypes = declared[name]
        assert restype is _ctype(returns), f"{name}: return type {returns}"
        for index, (param, argtype) in enumerate(zip(params, argtypes)):
            assert argtype is _ctype(param), f"{name}: parameter {index} ({param})"


def test_every_callback_typedef_is_a_matching_cfunctype() -> None:
    callbacks = header_callbacks()
    assert callbacks, "no callback typedef found in the header"
    for name, (returns, params) in callbacks.items():
        callback: Any = getattr(_native, name, None)
        assert callback is not None, f"typedef {name} has no CFUNCTYPE in _native.py"
        assert issubclass(callback, ctypes._CFuncPtr), name  # type: ignore[attr-defined]
        assert callback._restype_ is _ctype(returns), f"{name}: return type {returns}"
        assert len(callback._argtypes_) == len(params), f"{name}: arity differs from the header"
        for index, (param, argtype) in enumerate(zip(params, callback._argtypes_)):
            assert argtype is _ctype(param), f"{name}: parameter {index} ({param})"
        # Declared as the C calling convention (CFUNCTYPE, not WINFUNCTYPE / PYFUNCTYPE).
        assert callback._flags_ == ctypes.CFUNCTYPE(None)._flags_, name


def test_owned_strings_are_never_c_char_p() -> None:
    restype, argtypes = _native.FUNCTIONS["dinero_client_access_token"]
    assert argtypes[1] is POINTER(POINTER(c_char))
    assert _native.FUNCTIONS["dinero_string_free"][1] == [POINTER(c_char)]


def test_the_loaded_library_applies_every_declaration() -> None:
    lib = _native.lib()
    for name, (restype, argtypes) in _native.FUNCTIONS.items():
        function = getattr(lib, name)
        assert function.restype is restype, name
        assert function.argtypes == argtypes, name


def test_status_and_log_numbers_match_the_header() -> None:
    text = HEADER.read_text()
    for kind in ("STATUS", "LOG"):
        defines = dict(
            (name, int(value))
            for name, value in re.findall(rf"#define DINERO_({kind}_\w+) (\d+)", text)
        )
        assert defines, f"no DINERO_{kind}_* in the header"
        for name, value in defines.items():
            assert getattr(_constants, name, None) == value, name
    assert (_constants.LOG_ERROR, _constants.LOG_WARN, _constants.LOG_INFO, _constants.LOG_DEBUG) == (1, 2, 3, 4)


def test_handles_are_distinct_types() -> None:
    handles = {_native.OptionsPtr, _native.ClientPtr, _native.RequestPtr, _native.ResponsePtr}
    assert len(handles) == 4
    lib = _native.lib()
    wrong_calls = [
        ("a client pointer where a response is expected", lib.dinero_response_status, _native.ClientPtr()),
        ("a response pointer where a request builder is expected", lib.dinero_request_builder_free, _native.ResponsePtr()),
        ("a request builder where a response is expected", lib.dinero_response_free, _native.RequestPtr()),
        ("a request builder where a client is expected", lib.dinero_client_free, _native.RequestPtr()),
    ]
    for what, function, wrong in wrong_calls:
        try:
            function(wrong)
        except ctypes.ArgumentError:
            pass
        else:
            raise AssertionError(f"{what} was accepted")
