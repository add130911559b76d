#!/usr/bin/env bash
# The Node binding's tests (bindings/node): `node --test` against dinero-sandbox, through koffi.
#
#   scripts/test-node.sh [node --test arguments...]   runs the suite (from any directory)
#   scripts/test-node.sh --deps-only                   only installs what is missing
#
# Installs Node.js and npm from Debian's packages when `node` or `npm` is missing, then the
# package's dependencies (koffi) with `npm ci` (or `npm install` when there is no lock file).
# Then node --test with
#   DINERO_LIBRARY (default target/debug/libdinero.so) and
#   DINERO_SANDBOX (default target/debug/dinero-sandbox), both built by `cargo build --workspace`.
# Non-interactive; exits non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CI=true DEBIAN_FRONTEND=noninteractive npm_config_yes=true npm_config_fund=false \
  npm_config_audit=false npm_config_update_notifier=false

install_missing() {
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq </dev/null
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 18 ]; then
    echo "error: Node.js $(node --version) is too old for bindings/node (18 or newer)" >&2
    exit 1
  fi
  # koffi's native part comes prebuilt in @koromix/koffi-<platform> (an optional dependency).
  local lock="$root/bindings/node/package-lock.json" stamp="$root/bindings/node/node_modules/.package-lock.json"
  if [ ! -d "$root/bindings/node/node_modules/koffi" ] || { [ -f "$lock" ] && [ "$lock" -nt "$stamp" ]; }; then
    if [ -f "$lock" ]; then
      (cd "$root/bindings/node" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
    else
      (cd "$root/bindings/node" && npm install --no-audit --no-fund --loglevel=error </dev/null)
    fi
  fi
}

install_missing
[ "${1:-}" = "--deps-only" ] && exit 0

export DINERO_LIBRARY="${DINERO_LIBRARY:-target/debug/libdinero.so}"
export DINERO_SANDBOX="${DINERO_SANDBOX:-target/debug/dinero-sandbox}"
case "$DINERO_LIBRARY" in /*) ;; *) DINERO_LIBRARY="$root/$DINERO_LIBRARY" ;; esac
case "$DINERO_SANDBOX" in /*) ;; *) DINERO_SANDBOX="$root/$DINERO_SANDBOX" ;; esac
for file in "$DINERO_LIBRARY" "$DINERO_SANDBOX"; do
  [ -f "$file" ] || { echo "test-node: $file is missing (run cargo build first)" >&2; exit 1; }
done

echo "== node --test (bindings/node, library $DINERO_LIBRARY, node $(node --version))"
cd "$root/bindings/node"
exec node --test "$@" test/*.test.js
