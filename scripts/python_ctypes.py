"""The Python binding's ctypes declarations, generated from include/dinero.h (imported by
scripts/binding_constants.py, which writes and checks every generated file of the bindings).

The header is the one source of the C surface: a function added to it reaches Python with the
right types without anyone copying it by hand (PHP reads the header itself through FFI::cdef).
Each opaque handle becomes its own ctypes type, so passing a response where a client is
expected is a ctypes.ArgumentError, not memory corruption. Owned strings (a `char *` handed
out, through `char **`) are POINTER(c_char), never c_char_p: ctypes would copy a c_char_p into
bytes and lose the pointer that dinero_string_free needs. Borrowed `const char *` results are
c_char_p (copied into bytes at once, which is what the binding wants).
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

BANNER = "Generated from include/dinero.h by scripts/binding_constants.py; do not edit."

_FUNCTION = re.compile(r"^([A-Za-z_][\w \t\*]*?[\s\*])(dinero_\w+)\s*\(([^)]*)\)\s*;", re.M)
_CALLBACK = re.compile(r"^typedef\s+([^;(]*?)\(\s*\*\s*(dinero_\w+)\s*\)\s*\(([^)]*)\)\s*;", re.M)
_HANDLE = re.compile(r"^typedef struct (dinero_\w+) \1;", re.M)
_SCALARS = {
    "dinero_status": "c_uint32",
    "uint8_t": "c_uint8",
    "uint16_t": "c_uint16",
    "uint32_t": "c_uint32",
    "size_t": "c_size_t",
    "bool": "c_bool",
}


def _without_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))


def _signature(returns: str, params: str) -> Tuple[str, List[str]]:
    params = " ".join(params.split())
    listed = [] if params in ("", "void") else [_param_type(p) for p in params.split(",")]
    return _normalize(returns), listed


def _param_type(param: str) -> str:
    # The parameter's name is its last identifier.
    match = re.match(r"^(.*?[\s\*])([A-Za-z_]\w*)$", param.strip())
    return _normalize(match.group(1) if match else param)


def _normalize(c_type: str) -> str:
    return " ".join(c_type.replace("*", " * ").split()).replace("* *", "**")


def pointer_alias(handle: str) -> str:
    """dinero_request_builder -> RequestPtr: the name the binding's code uses."""
    return handle[len("dinero_"):].split("_")[0].capitalize() + "Ptr"


def _ctype(c_type: str, handles: List[str], callbacks: List[str]) -> str:
    if c_type == "void":
        return "None"
    if c_type == "void *":
        return "c_void_p"
    if c_type in callbacks:
        return c_type
    base = c_type.replace("const ", "").replace("*", "").strip()
    stars = c_type.count("*")
    if base == "char":
        result, stars = ("c_char_p" if c_type.startswith("const") else "POINTER(c_char)"), stars - 1
    elif base in handles:
        result, stars = pointer_alias(base), stars - 1
    elif base in _SCALARS:
        result = _SCALARS[base]
    else:
        raise SystemExit(f"python_ctypes.py: no ctypes type for the C type {c_type!r}")
    for _ in range(stars):
        result = f"POINTER({result})"
    return result


def declarations(header: str) -> str:
    """The text of bindings/python/generated/declarations.py."""
    text = _without_comments(header)
    handles = sorted(set(_HANDLE.findall(text)))
    callbacks = {name: _signature(r, p) for r, name, p in _CALLBACK.findall(text)}
    functions: Dict[str, Tuple[str, List[str]]] = {
        name: _signature(r, p) for r, name, p in _FUNCTION.findall(text)
    }
    ctype = lambda c: _ctype(c, handles, list(callbacks))  # noqa: E731
    lines = [
        f'"""{BANNER}',
        "",
        "The C declarations of include/dinero.h as ctypes: one type per opaque handle, one",
        "CFUNCTYPE per callback typedef, and FUNCTIONS: name -> (restype, argtypes), in the",
        'header\'s order."""',
        "",
        "import ctypes",
        "from ctypes import CFUNCTYPE, POINTER, c_bool, c_char, c_char_p, c_size_t, c_uint8, c_uint16, c_uint32, c_void_p",
        "from typing import Any, Dict, List, Tuple",
        "",
        "__all__ = [",
    ]
    exported = handles + [pointer_alias(h) for h in handles] + list(callbacks) + ["FUNCTIONS"]
    lines += [f'    "{name}",' for name in sorted(exported)] + ["]", ""]
    for handle in handles:
        lines += ["", f"class {handle}(ctypes.Structure):", f'    """``{handle}`` (opaque)."""', ""]
    lines += [""] + [f"{pointer_alias(h)} = POINTER({h})" for h in handles] + [""]
    for name, (returns, params) in callbacks.items():
        arguments = ", ".join([ctype(returns)] + [ctype(p) for p in params])
        lines.append(f"{name} = CFUNCTYPE({arguments})")
    lines += ["", "FUNCTIONS: Dict[str, Tuple[Any, List[Any]]] = {"]
    for name, (returns, params) in functions.items():
        lines.append(f'    "{name}": ({ctype(returns)}, [{", ".join(ctype(p) for p in params)}]),')
    return "\n".join(lines + ["}", ""])
