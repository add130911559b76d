#!/usr/bin/env bash
# The Python binding's checks: installs bindings/python into bindings/python/.venv (made if
# missing, with pytest and mypy from PyPI), then `mypy --strict` and the pytest suite against
# dinero-sandbox. Works from any directory; exits non-zero on any failure.
#
#   DINERO_LIBRARY  the libdinero.so to test (default: target/debug/libdinero.so)
#   DINERO_SANDBOX  the dinero-sandbox binary (default: target/debug/dinero-sandbox)
#   extra arguments go to pytest (e.g. -k threads)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# shellcheck source=bindings/python/venv.sh
. bindings/python/venv.sh
python_venv --test-tools

export DINERO_LIBRARY="${DINERO_LIBRARY:-target/debug/libdinero.so}"
export DINERO_SANDBOX="${DINERO_SANDBOX:-target/debug/dinero-sandbox}"
case "$DINERO_LIBRARY" in /*) ;; *) DINERO_LIBRARY="$root/$DINERO_LIBRARY" ;; esac
case "$DINERO_SANDBOX" in /*) ;; *) DINERO_SANDBOX="$root/$DINERO_SANDBOX" ;; esac
for file in "$DINERO_LIBRARY" "$DINERO_SANDBOX"; do
  [ -f "$file" ] || { echo "test-python: $file is missing (run cargo build first)" >&2; exit 1; }
done

echo "== mypy --strict (bindings/python: package, tests; examples/python)"
(cd bindings/python && "$PYTHON_VENV/bin/python" -m mypy --strict src/libdinero tests)
"$PYTHON_VENV/bin/python" -m mypy --strict examples/python

echo "== pytest (library $DINERO_LIBRARY)"
(cd bindings/python && "$PYTHON_VENV/bin/python" -m pytest -q -p no:cacheprovider "$@")
