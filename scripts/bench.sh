#!/usr/bin/env bash
# `make bench`: libdinero against the clients people would otherwise write, on the local sandbox.
# A benchmark, not a test: it never fails on speed. Works from any directory, needs no stdin.
#
#   BENCH_QUICK=1   fewer rounds and requests (finishes within two minutes once built)
#   BENCH_ONLY=id,id  run only these sections (comparison ids, cold-start, token, rate_limit,
#                     shared_budget, memory, instructions), for working on the harness
#
# Installs what is missing (Debian: a C compiler, valgrind, libcurl's development files, PHP's
# CLI with FFI and php-curl, Node.js and koffi; into bindings/python/.venv: requests and
# matplotlib), builds
# release once, then runs bench/run.py, which writes target/bench/results.json, the chart
# target/bench/comparisons.png and prints the markdown table.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null
export DEBIAN_FRONTEND=noninteractive

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=0
apt_install() {
  [ "$#" -gt 0 ] || return 0
  echo "bench: installing $*"
  if [ "$apt_updated" = 0 ]; then $sudo apt-get update -qq; apt_updated=1; fi
  $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The shared-budget figures run a real redis-server (installed the way make test does).
scripts/system-deps.sh redis-server=redis-server

missing=()
command -v cc >/dev/null 2>&1 || missing+=(gcc)
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
command -v php >/dev/null 2>&1 || missing+=(php-cli)
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] ||
  missing+=(libcurl4-openssl-dev)
if command -v php >/dev/null 2>&1 && ! php -m | grep -x curl >/dev/null; then missing+=(php-curl); fi
apt_install "${missing[@]+"${missing[@]}"}"
if ! php -m | grep -x curl >/dev/null; then apt_install php-curl; fi
if ! php -m | grep -x FFI >/dev/null; then
  if command -v phpenmod >/dev/null 2>&1; then $sudo phpenmod ffi || true; fi
  php -m | grep -x FFI >/dev/null || { echo "bench: PHP's FFI extension is not available" >&2; exit 1; }
fi

echo "bench: cargo build --release --workspace"
# Also builds the worker processes of the shared-budget figures (bench/shared_budget.py).
cargo build --release --workspace
ln -sf libdinero.so target/release/libdinero.so.0

# shellcheck source=bindings/python/venv.sh
. bindings/python/venv.sh
# shellcheck disable=SC2119
python_venv >/dev/null
if ! "$PYTHON_VENV/bin/python" -c 'import requests, matplotlib' >/dev/null 2>&1; then
  echo "bench: installing requests and matplotlib into $PYTHON_VENV"
  "$PYTHON_VENV/bin/python" -m pip --disable-pip-version-check --quiet install requests matplotlib
fi
if [ ! -f bindings/php/vendor/autoload.php ]; then
  command -v composer >/dev/null 2>&1 || apt_install composer
  (cd bindings/php && COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_NO_INTERACTION=1 COMPOSER_DISABLE_NETWORK=1 \
    composer dump-autoload --quiet)
fi

# The Node clients (bench/node): Node.js and the binding's koffi, as make test installs them.
scripts/test-node.sh --deps-only

export DINERO_LIBRARY="$root/target/release/libdinero.so"
exec "$PYTHON_VENV/bin/python" "$root/bench/run.py" "$@"
