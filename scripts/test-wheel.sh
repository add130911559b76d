#!/usr/bin/env bash
# The Python wheel: `pip wheel ./bindings/python` bundles the compiled library, and the wheel
# installed into a fresh virtual environment works with no DINERO_LIBRARY, no Rust on PATH
# and no checkout nearby. Needs `make build` (or builds it) and a Python venv module.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/dinero-wheel-test.XXXXXX)
sandbox_pid=""
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
check() {
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then passed=$((passed + 1)); echo "ok: $name"
  else failed=$((failed + 1)); echo "FAILED: $name"; sed 's/^/    /' "$work/out"; fi
}

check "pip wheel ./bindings/python builds a wheel" \
  python3 -m pip wheel --quiet --no-deps ./bindings/python -w "$work/dist"
wheel=$(ls "$work"/dist/libdinero-*.whl 2>/dev/null | head -n 1)
check "the wheel bundles libdinero.so" \
  python3 -c 'import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); sys.exit(0 if "libdinero/libdinero.so" in names else 1)' "$wheel"

python3 -m venv "$work/venv"
check "the wheel installs into a fresh virtual environment" \
  "$work/venv/bin/python" -m pip install --quiet --no-deps "$wheel"

target/release/dinero-sandbox --port 0 --env-file "$work/sandbox.env" >/dev/null 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do [ -f "$work/sandbox.env" ] && break; sleep 0.1; done
cp examples/python/personal_integration.py "$work/"
cd "$work"
# No DINERO_LIBRARY, no cargo on PATH, run from outside the checkout.
clean_env=(env -i PATH=/usr/bin:/bin HOME="$work")
while IFS= read -r line; do clean_env+=("$line"); done < "$work/sandbox.env"
check "the installed package loads the library it ships" \
  "${clean_env[@]}" "$work/venv/bin/python" -c '
import libdinero, libdinero._library as lib, pathlib
loaded = pathlib.Path(lib.load()._name).resolve()
assert loaded.parent == pathlib.Path(libdinero.__file__).resolve().parent, loaded
assert libdinero.__version__ == libdinero.library_version()
'
check "the example runs against the sandbox with the installed wheel" \
  "${clean_env[@]}" "$work/venv/bin/python" personal_integration.py
cd "$root"
echo "wheel: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
