#!/usr/bin/env bash
# The PHP binding's tests (bindings/php): PHPUnit against dinero-sandbox, through FFI.
#
#   scripts/test-php.sh [phpunit arguments...]   runs the suite (from any directory)
#   scripts/test-php.sh --deps-only               only installs what is missing
#
# Installs from Debian's packages when missing: PHP's CLI (FFI is in Debian's php8.x-common,
# which php-cli pulls in), phpunit and composer. Then `composer dump-autoload` (no network: the
# package has no dependencies) and phpunit with
#   DINERO_LIBRARY (default target/debug/libdinero.so) and
#   DINERO_SANDBOX (default target/debug/dinero-sandbox), both built by `cargo build --workspace`.
set -euo pipefail

caller_pwd=$PWD
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CI=true DEBIAN_FRONTEND=noninteractive
export COMPOSER_NO_INTERACTION=1 COMPOSER_DISABLE_NETWORK=1 COMPOSER_ALLOW_SUPERUSER=1

install_missing() {
  local missing=()
  command -v php >/dev/null 2>&1 || missing+=(php-cli)
  command -v phpunit >/dev/null 2>&1 || missing+=(phpunit)
  command -v composer >/dev/null 2>&1 || missing+=(composer)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq </dev/null
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
  fi
  if ! php -m | grep -x FFI >/dev/null; then
    # Debian ships FFI in php8.x-common; it may have been switched off with phpdismod.
    if command -v phpenmod >/dev/null 2>&1; then
      local sudo=""
      [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo phpenmod ffi || true
    fi
    php -m | grep -x FFI >/dev/null || {
      echo "error: PHP's FFI extension is not available (php -m does not list FFI)" >&2
      exit 1
    }
  fi
}

# An absolute path: as given if absolute, else relative to the caller's directory, else to the repository.
absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) if [ -e "$caller_pwd/$1" ]; then printf '%s\n' "$caller_pwd/$1"; else printf '%s\n' "$root/$1"; fi ;;
  esac
}

install_missing
[ "${1:-}" = "--deps-only" ] && exit 0

DINERO_LIBRARY=$(absolute "${DINERO_LIBRARY:-target/debug/libdinero.so}")
DINERO_SANDBOX=$(absolute "${DINERO_SANDBOX:-target/debug/dinero-sandbox}")
export DINERO_LIBRARY DINERO_SANDBOX
for f in "$DINERO_LIBRARY" "$DINERO_SANDBOX"; do
  [ -f "$f" ] || { echo "error: $f is missing (build it first: cargo build --workspace)" >&2; exit 1; }
done

cd "$root/bindings/php"
composer dump-autoload --dev --quiet </dev/null
echo "PHP $(php -r 'echo PHP_VERSION;'), $(phpunit --version | head -n 1)"
echo "DINERO_LIBRARY=$DINERO_LIBRARY"
echo "DINERO_SANDBOX=$DINERO_SANDBOX"
exec phpunit -c phpunit.xml.dist "$@" </dev/null
