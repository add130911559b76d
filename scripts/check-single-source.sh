#!/usr/bin/env bash
# Keeps Dinero's rules in the core (run by `make lint`, so by `make test`): the bindings and the
# command line must not page through lists themselves, read Dinero's error bodies themselves, or
# hold their own copy of the status numbers, log levels or limits. Those live in src/pages.rs,
# src/api_error.rs and include/dinero.h (from which scripts/binding_constants.py generates the
# bindings' constants, into each binding's generated/, beside the src/ searched here).
set -euo pipefail
cd "$(dirname "$0")/.."

sources=(bindings/python/src bindings/php/src bindings/node/src cli/src)
failed=0

check() {
  local what=$1 pattern=$2 found
  found=$(grep -rnE --include='*.py' --include='*.php' --include='*.js' --include='*.rs' \
    "$pattern" "${sources[@]}" || true)
  if [ -n "$found" ]; then
    echo "check-single-source: $what belongs in the core:" >&2
    echo "$found" >&2
    failed=1
  fi
}

check "paging (page, pageSize, Collection, Pagination)" \
  "['\"](page|pageSize|Collection|Pagination)['\"]|\.(Collection|Pagination)\b"
check "reading Dinero's error body" \
  "\[['\"](validationErrors|validationerrors|languageSpecificMessages|errorMessageList|error_description)['\"]\]|get\(['\"](code|message|error|validationErrors|validationerrors|error_description)['\"]"
check "a copy of the status numbers" \
  "\b(STATUS_)?(NULL_ARGUMENT|INVALID_UTF8|INVALID_ARGUMENT|AUTH_REJECTED|AUTH_UNAVAILABLE|RESPONSE_TOO_LARGE)\b['\"]?\s*(=|:)\s*[0-9]"
check "a copy of the log level numbers" \
  "\b(LOG_)?(ERROR|WARN|INFO|DEBUG)\b['\"]?\s*(=|:)\s*[0-9]"
check "a copy of the upload limit or the page size" "(=|=>|:|<|>)\s*(6 \* 1024 \* 1024|6291456|1000)\b"
exit $failed
