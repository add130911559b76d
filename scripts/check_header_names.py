#!/usr/bin/env python3
"""Every name include/dinero.h gives C callers carries the library's prefix (DINERO_ for macros
and enum constants, dinero_ for types, tags and functions), so that nothing it declares can
collide with a caller's own names. cbindgen exports every `pub` item of the crate: one meant for
the core alone must be `pub(crate)` (or excluded in cbindgen.toml), and this check catches the
one that is not.

The header is read as C: comments and preprocessor lines apart, it is cut into top-level
declarations, each of which may span lines (a struct's typedef) and name several things (an
enum's constants, a function pointer's typedef). Before the header, the check runs on known-bad
declarations of each shape and fails if it misses one: a check that has gone blind must not
pass.

    python3 scripts/check_header_names.py [header]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# `type name`, `type *name`, `type name[4]`: a variable, named last.
VARIABLE = rf"{IDENT}\s+\**\s*{IDENT}\s*(\[.*\])?$"
C_WORDS = {
    "const", "volatile", "struct", "union", "enum", "typedef", "extern", "static", "inline",
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "bool",
    "_Bool", "size_t", "uintptr_t", "intptr_t",
} | {f"{s}int{n}_t" for s in ("", "u") for n in (8, 16, 32, 64)}


def strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def top_level(text: str) -> List[str]:
    """The declarations at brace depth 0, each up to its `;` (a body included)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == ";" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return [p for p in parts if p]


def declared(declaration: str) -> List[str]:
    """The names one declaration gives callers."""
    names = re.findall(rf"\b(?:struct|union|enum)\s+({IDENT})", declaration)
    for body in re.findall(r"\benum\b[^{]*\{([^}]*)\}", declaration):
        names += [m.group(1) for m in re.finditer(rf"(?:^|,)\s*({IDENT})", body)]
    outside = re.sub(r"\{[^{}]*\}", " ", declaration)
    outside = outside.split("=")[0].strip()  # a constant's initializer names nothing
    first = outside.find("(")
    pointer = re.match(rf"\(\s*\*\s*({IDENT})\s*\)", outside[first:]) if first >= 0 else None
    if pointer:  # typedef void (*name)(...), or a function pointer variable
        names.append(pointer.group(1))
    elif first >= 0:  # a function: the name right before its parameter list
        names += re.findall(rf"({IDENT})\s*$", outside[:first])
    elif outside.startswith(("typedef", "extern")) or re.search(VARIABLE, outside):
        last = re.findall(IDENT, re.sub(r"\[.*?\]", " ", outside))
        if last:
            names.append(last[-1])
    return [n for n in names if n not in C_WORDS]


def unprefixed(header: str) -> List[str]:
    # The brace that closes `extern "C" {` (for C++), as cbindgen writes it: like the opening
    # one, removed below, it is no scope of the header's own.
    text = strip_comments(re.sub(r'^\}\s*//\s*extern "C".*$', "", header, flags=re.M))
    macros = re.findall(rf"^\s*#\s*define\s+({IDENT})", text, re.M)
    bad = [m for m in macros if not m.startswith("DINERO_")]
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    code = re.sub(r'extern\s+"C"\s*\{', " ", code)
    for declaration in top_level(code):
        for name in declared(declaration):
            if not (name.startswith("dinero_") or name.startswith("DINERO_")):
                bad.append(name)
    return sorted(set(bad))


SELF_TEST = {
    "#define MAX_UPLOAD_BYTES 1": "MAX_UPLOAD_BYTES",
    "typedef uint32_t status;": "status",
    "typedef void (*log_callback)(void *user_data, uint32_t level);": "log_callback",
    "typedef struct {\n  uint32_t a;\n  uint32_t b;\n} Options;": "Options",
    "typedef enum {\n  MODE_A = 1,\n  DINERO_MODE_B,\n} dinero_mode;": "MODE_A",
    "struct handle;": "handle",
    "const char *version(void);": "version",
    "dinero_status\nsend_it(dinero_client *client,\n        const char *path);": "send_it",
    "extern const uint32_t LIMIT;": "LIMIT",
    "const uint32_t BAD_CONST = 3;": "BAD_CONST",
    "dinero_status bad_fn(void (*dinero_cb)(int), int y);": "bad_fn",
    "extern void (*hook)(int);": "hook",
    '#ifdef __cplusplus\nextern "C" {\n#endif\ntypedef struct {\n  int a;\n} Opts;\n'
    '#ifdef __cplusplus\n}  // extern "C"\n#endif\n': "Opts",
}


def self_test() -> None:
    for snippet, name in SELF_TEST.items():
        found = unprefixed(snippet)
        if found != [name]:
            sys.exit(f"check-header-names: blind to {name!r} in {snippet!r} (found {found})")
    good = "#define DINERO_X 1\ntypedef void (*dinero_cb)(void *d);\ndinero_status dinero_f(int a);"
    if unprefixed(good):
        sys.exit(f"check-header-names: a prefixed header is refused: {unprefixed(good)}")


def main() -> None:
    self_test()
    default = Path(__file__).parent.parent / "include" / "dinero.h"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    try:
        header = path.read_text()
    except OSError as error:
        sys.exit(f"check-header-names: cannot read {path}: {error}")
    if "dinero_authenticate" not in header:
        sys.exit(f"check-header-names: {path} does not declare dinero_authenticate: not the header")
    bad = unprefixed(header)
    if bad:
        listed = "\n".join(bad)
        sys.exit(f"check-header-names: names in {path} without the library's prefix:\n{listed}")
    print(f"check-header-names: every name in {path} is prefixed")


if __name__ == "__main__":
    main()
