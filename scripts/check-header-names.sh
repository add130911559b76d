#!/usr/bin/env bash
# Every name include/dinero.h gives C callers carries the library's prefix (DINERO_ for macros,
# dinero_ for types and functions), so that nothing it declares can collide with a caller's own
# names. cbindgen exports every `pub` constant of the crate: one meant for the core alone must
# be `pub(crate)` (or excluded in cbindgen.toml), and this check catches the one that is not.
set -euo pipefail
cd "$(dirname "$0")/.."
header=include/dinero.h
bad=$(
  {
    grep -oE '^#define [A-Za-z_][A-Za-z0-9_]*' "$header" | awk '{print $2}' | grep -v '^DINERO_' || true
    grep -oE '^typedef [^;]*\b[A-Za-z_][A-Za-z0-9_]*;' "$header" | grep -oE '[A-Za-z_][A-Za-z0-9_]*;$' \
      | tr -d ';' | grep -v '^dinero_' || true
    grep -oE '^[A-Za-z_][A-Za-z0-9_ *]*\b[a-z_][a-z0-9_]*\(' "$header" | grep -oE '[a-z_][a-z0-9_]*\($' \
      | tr -d '(' | grep -v '^dinero_' || true
  } | sort -u
)
if [ -n "$bad" ]; then
  echo "check-header-names: names in $header without the library's prefix:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "check-header-names: every name in $header is prefixed"
