#!/usr/bin/env python3
"""Writes the constants every binding needs from include/dinero.h, the one source of them: the
DINERO_STATUS_* numbers and names, the DINERO_LOG_* levels, DINERO_MAX_UPLOAD_BYTES and
DINERO_MAX_PAGE_SIZE; and the one mapping of statuses to error classes, the same in every
language (FAMILY below).

    scripts/binding_constants.py           rewrites the generated files
    scripts/binding_constants.py --check   exits 1 if one is stale (make test runs this)

Generated: bindings/python/generated/constants.py (and, from scripts/python_ctypes.py, the
Python binding's ctypes declarations), bindings/node/generated/constants.js,
bindings/php/generated/Status.php, ErrorClass.php, Limits.php and LogLevelNumbers.php.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import python_ctypes  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEADER = ROOT / "include" / "dinero.h"

# The error class of each failure status; every language names its classes after these
# (Python InvalidArgumentError, PHP InvalidArgumentException, Node InvalidArgumentError).
# TLS, Protocol and ResponseTooLarge are kinds of Network, LoginRequired of Authentication; a status missing here is an error
# of this script, so a new status cannot reach the bindings unclassified.
FAMILY = {
    "NULL_ARGUMENT": "InvalidArgument",
    "INVALID_UTF8": "InvalidArgument",
    "INVALID_ARGUMENT": "InvalidArgument",
    "AUTH_REJECTED": "Authentication",
    "AUTH_UNAVAILABLE": "Authentication",
    "NETWORK": "Network",
    "TIMEOUT": "Timeout",
    "TLS": "TLS",
    "PROTOCOL": "Protocol",
    "PANIC": "Dinero",
    "RESPONSE_TOO_LARGE": "ResponseTooLarge",
    "IO": "File",
    "LOGIN_REQUIRED": "LoginRequired",
    # Only a caller that set an interrupt callback sees it (Python, for Ctrl-C, re-raises the
    # KeyboardInterrupt its callback caught instead).
    "INTERRUPTED": "Dinero",
}

BANNER = "Generated from include/dinero.h by scripts/binding_constants.py; do not edit."


def macros(header: str, prefix: str) -> List[Tuple[str, int]]:
    return [
        (name, int(value))
        for name, value in re.findall(rf"^#define {prefix}([A-Z0-9_]+) (\d+)\s*$", header, re.M)
    ]


def read_header() -> Dict[str, object]:
    text = HEADER.read_text()
    statuses = macros(text, "DINERO_STATUS_")
    limits = dict(macros(text, "DINERO_MAX_"))
    levels = macros(text, "DINERO_LOG_")
    # Each level's one-line doc comment, for the PHP class constants that carry it.
    documented = r"/\*\*\n \* ([^\n]*)\n \*/\n#define DINERO_LOG_([A-Z]+) "
    level_docs = {name: doc for doc, name in re.findall(documented, text)}
    unknown = [name for name, _ in statuses if name != "OK" and name not in FAMILY]
    if unknown or "UPLOAD_BYTES" not in limits or "PAGE_SIZE" not in limits or not levels:
        sys.exit(f"binding_constants.py: classify {unknown} in FAMILY, or the header changed shape")
    if sorted(level_docs) != sorted(name for name, _ in levels):
        sys.exit("binding_constants.py: every DINERO_LOG_* macro needs its /** one-line */ doc")
    return {"statuses": statuses, "levels": levels, "limits": limits, "level_docs": level_docs}


def python(c: Dict[str, object]) -> str:
    lines = [f'"""{BANNER}"""', ""]
    lines += [f"STATUS_{name} = {value}" for name, value in c["statuses"]]  # type: ignore[union-attr]
    lines += [f"LOG_{name} = {value}" for name, value in c["levels"]]  # type: ignore[union-attr]
    lines += [f"MAX_{name} = {value}" for name, value in c["limits"].items()]  # type: ignore[union-attr]
    lines += ["", "# status -> the name of its error class, less the 'Error' suffix", "FAMILY = {"]
    lines += [f"    {v}: \"{FAMILY[n]}\"," for n, v in c["statuses"] if n != "OK"]  # type: ignore[union-attr]
    return "\n".join(lines + ["}", ""])


def node(c: Dict[str, object]) -> str:
    lines = [f"// {BANNER}", "", "export const STATUS = Object.freeze({"]
    lines += [f"  {name}: {value}," for name, value in c["statuses"]]  # type: ignore[union-attr]
    lines += ["});", "", "export const LOG = Object.freeze({"]
    lines += [f"  {name}: {value}," for name, value in c["levels"]]  # type: ignore[union-attr]
    lines += ["});", ""]
    lines += [f"export const MAX_{n} = {v};" for n, v in c["limits"].items()]  # type: ignore[union-attr]
    lines += ["", "/** status -> the name of its error class, less the 'Error' suffix */",
              "export const FAMILY = Object.freeze({"]
    lines += [f"  {v}: '{FAMILY[n]}'," for n, v in c["statuses"] if n != "OK"]  # type: ignore[union-attr]
    return "\n".join(lines + ["});", ""])


def php_status(c: Dict[str, object]) -> str:
    constants = "\n".join(f"    public const {n} = {v};" for n, v in c["statuses"])  # type: ignore[union-attr]
    return f"""<?php

// {BANNER}

declare(strict_types=1);

namespace Dinero;

/**
 * The C library's status codes (DINERO_STATUS_* in include/dinero.h; numbers are never reused).
 * A DineroException's getCode() is one of these.
 */
final class Status
{{
{constants}

    private function __construct()
    {{
    }}

    /** The library's short description of a status, e.g. "authentication rejected". */
    public static function describe(int $status): string
    {{
        if ($status < 0 || $status > 0xFFFFFFFF) {{
            return 'unknown status';
        }}
        return (string) Library::ffi()->dinero_status_str($status);
    }}
}}
"""


def php_error_class(c: Dict[str, object]) -> str:
    rows = "\n".join(
        f"        Status::{n} => Exception\\{FAMILY[n] if FAMILY[n] != 'Dinero' else 'Dinero'}Exception::class,"
        for n, _ in c["statuses"] if n != "OK"  # type: ignore[union-attr]
    )
    return f"""<?php

// {BANNER}

declare(strict_types=1);

namespace Dinero;

/** @internal The exception class of each failure status, the same mapping as every binding. */
final class ErrorClass
{{
    /** @var array<int, class-string<Exception\\DineroException>> */
    public const BY_STATUS = [
{rows}
    ];
}}
"""


def php_limits(c: Dict[str, object]) -> str:
    constants = "\n".join(
        f"    public const MAX_{n} = {v};" for n, v in c["limits"].items()  # type: ignore[union-attr]
    )
    return f"""<?php

// {BANNER}

declare(strict_types=1);

namespace Dinero;

/** Dinero's limits (DINERO_MAX_* in include/dinero.h). */
final class Limits
{{
{constants}
}}
"""


def php_log_levels(c: Dict[str, object]) -> str:
    docs = c["level_docs"]
    constants = "\n".join(
        f"    /** {docs[n]} */\n    public const {n} = {v};" for n, v in c["levels"]  # type: ignore
    )
    return f"""<?php

// {BANNER}

declare(strict_types=1);

namespace Dinero;

/**
 * @internal The C library's log levels (DINERO_LOG_* in include/dinero.h): LogLevel implements
 * this, so they are LogLevel::ERROR, ... for users.
 */
interface LogLevelNumbers
{{
{constants}
}}
"""


def outputs() -> Dict[Path, str]:
    c = read_header()
    return {
        ROOT / "bindings/python/generated/constants.py": python(c),
        ROOT / "bindings/python/generated/declarations.py": python_ctypes.declarations(HEADER.read_text()),
        ROOT / "bindings/node/generated/constants.js": node(c),
        ROOT / "bindings/php/generated/Status.php": php_status(c),
        ROOT / "bindings/php/generated/ErrorClass.php": php_error_class(c),
        ROOT / "bindings/php/generated/Limits.php": php_limits(c),
        ROOT / "bindings/php/generated/LogLevelNumbers.php": php_log_levels(c),
    }


def main() -> int:
    check = sys.argv[1:] == ["--check"]
    stale = []
    for path, text in outputs().items():
        if check:
            if not path.is_file() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text)
    if stale:
        print(f"stale (run scripts/binding_constants.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
