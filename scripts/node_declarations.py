#!/usr/bin/env python3
"""Writes the Node binding's koffi declarations from include/dinero.h, the one source of them:
every function prototype, every callback typedef and every handle type, in the header's order.

    scripts/node_declarations.py           rewrites bindings/node/generated/declarations.js
    scripts/node_declarations.py --check   exits 1 if it is stale (make lint runs this)

koffi reads C prototypes as they are, except for three spellings this script applies:
- a parameter named `*_out` is an output (`_Out_`): koffi writes what the library stored there
  back into the array the caller passed;
- a `char *` the library hands out or takes back (a non-const `char *` or `char **`) becomes
  `dinero_owned_string`, an opaque pointer: koffi would decode a `char *` into a JS string at
  once and lose the pointer dinero_string_free needs;
- a callback typedef (a pointer type in C) is spelled as a pointer (`dinero_log_callback *`).
The callback typedefs get the same `char *` spelling (the `text` of dinero_done_callback is
handed out, for dinero_string_free).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parent.parent
HEADER = ROOT / "include" / "dinero.h"
OUTPUT = ROOT / "bindings" / "node" / "generated" / "declarations.js"
BANNER = "// Generated from include/dinero.h by scripts/node_declarations.py; do not edit."


def strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", " ", re.sub(r"/\*.*?\*/", " ", text, flags=re.S))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def callbacks(code: str) -> List[Tuple[str, str, str]]:
    """(result, name, params) of each `typedef result (*name)(params);`."""
    return [
        (squeeze(result), name, squeeze(params))
        for result, name, params in re.findall(
            r"typedef\s+(\w+)\s*\(\s*\*\s*(\w+)\s*\)\s*\(([^)]*)\)\s*;", code
        )
    ]


def koffi_parameter(parameter: str, callback_names: List[str]) -> str:
    text = squeeze(parameter)
    name = re.search(r"(\w+)$", text)
    if text in ("", "void") or name is None:
        return text
    if re.fullmatch(r"char \*\*\s*\w+", text):
        text = f"dinero_owned_string *{name.group(1)}"
    elif re.fullmatch(r"char \*\s*\w+", text):
        text = f"dinero_owned_string {name.group(1)}"
    for callback in callback_names:
        text = re.sub(rf"^{callback} (\w+)$", rf"{callback} *\1", text)
    return f"_Out_ {text}" if name.group(1).endswith("_out") else text


def prototypes(code: str, callback_names: List[str]) -> List[str]:
    code = re.sub(r"typedef[^;]*;", " ", code)
    found = []
    for result, name, params in re.findall(
        r"([A-Za-z_][\w \t*]*?)\b(dinero_[a-z_]+)\s*\(([^()]*)\)\s*;", code
    ):
        args = ", ".join(koffi_parameter(p, callback_names) for p in params.split(","))
        result = squeeze(result)
        found.append(f"{result}{'' if result.endswith('*') else ' '}{name}({args})")
    return found


def render() -> str:
    code = strip_comments(HEADER.read_text())
    handles = re.findall(r"typedef\s+struct\s+(\w+)\s+\1\s*;", code)
    typedefs = callbacks(code)
    names = [name for _, name, _ in typedefs]
    functions = prototypes(code, names)
    if len(functions) < 20 or not typedefs or not handles:
        sys.exit("node_declarations.py: the header changed shape (too few prototypes)")
    lines = [BANNER, ""]
    lines.append("/** The handle types of dinero.h (opaque structs). */")
    lines.append(f"export const HANDLES = Object.freeze([{', '.join(repr(h) for h in handles)}]);")
    lines.append("")
    lines.append("/** Each callback typedef of dinero.h, as a koffi prototype (koffi.proto). */")
    lines.append("export const CALLBACKS = Object.freeze({")
    for result, name, params in typedefs:
        spelled = ", ".join(koffi_parameter(p, []) for p in params.split(","))
        lines.append(f"  {name}: '{result} {name}({spelled})',")
    lines.append("});")
    lines.append("")
    lines.append("/** Every function of dinero.h, in the header's order, as koffi prototypes. */")
    lines.append("export const DECLARATIONS = Object.freeze([")
    lines += [f"  '{prototype}'," for prototype in functions]
    lines.append("]);")
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    if sys.argv[1:] == ["--check"]:
        if not OUTPUT.is_file() or OUTPUT.read_text() != text:
            print("stale (run scripts/node_declarations.py): "
                  f"{OUTPUT.relative_to(ROOT)}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
