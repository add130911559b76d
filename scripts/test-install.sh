#!/usr/bin/env bash
# Installs into a temporary prefix, builds the C example with nothing but
# `pkg-config --cflags --libs dinero`, runs it against the installed sandbox, then uninstalls
# and checks nothing is left. Needs `make build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/dinero-install-test.XXXXXX)
sandbox_pid=""
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
check() { # name, command...
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then passed=$((passed + 1)); echo "ok: $name"
  else failed=$((failed + 1)); echo "FAILED: $name"; sed 's/^/    /' "$work/out"; fi
}

prefix="$work/prefix"
PREFIX=$prefix scripts/install.sh install >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
check "pkg-config knows dinero $(pkg-config --modversion dinero)" pkg-config --exists dinero
check "SONAME links are in place" test -L "$prefix/lib/libdinero.so" -a -L "$prefix/lib/libdinero.so.0"
# shellcheck disable=SC2046
check "the example builds with pkg-config flags only" \
  cc -std=c99 -Wall -Wextra -Werror examples/c/personal_integration.c -o "$work/example" \
    $(pkg-config --cflags --libs dinero)
# shellcheck disable=SC2046
check "a static build links with pkg-config --static" \
  cc -std=c99 examples/c/personal_integration.c -o "$work/example-static" \
    $(pkg-config --cflags dinero) "$prefix/lib/libdinero.a" $(pkg-config --libs-only-l --static dinero | sed 's/-ldinero//')

"$prefix/bin/dinero-sandbox" --port 0 --env-file "$work/sandbox.env" >/dev/null 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do [ -f "$work/sandbox.env" ] && break; sleep 0.1; done
set -a; . "$work/sandbox.env"; set +a
check "the installed example runs against the installed sandbox" \
  env LD_LIBRARY_PATH="$prefix/lib" "$work/example"
check "the static example runs without the shared library" "$work/example-static"
check "make install ships the dinero command" test -x "$prefix/bin/dinero"
# ... built without the development-only sandbox.
check "the installed dinero command has no --sandbox" \
  sh -c "'$prefix/bin/dinero' --sandbox organizations 2>&1 | grep -q \"unexpected argument '--sandbox'\""

# PHP outside the repository (so no target/release nearby, no DINERO_LIBRARY) finds the
# installed library through the system loader. PHP is installed first when it is missing, so
# that this check runs on a fresh machine too rather than being left out without a word.
scripts/test-php.sh --deps-only >/dev/null
mkdir -p "$work/php-app"
cp -r bindings/php/src bindings/php/generated "$work/php-app/"
cat > "$work/php-app/app.php" <<'PHP'
<?php
spl_autoload_register(function (string $class): void {
    foreach (['/src/', '/generated/'] as $folder) {
        $file = __DIR__ . $folder . str_replace('\\', '/', substr($class, strlen('Dinero\\'))) . '.php';
        if (is_file($file)) { require $file; return; }
    }
});
$client = Dinero\Client::authenticate(getenv('DINERO_CLIENT_ID'), getenv('DINERO_CLIENT_SECRET'), getenv('DINERO_API_KEY'),
    ['organization_id' => getenv('DINERO_ORGANIZATION_ID'), 'auth_url' => getenv('DINERO_AUTH_URL'), 'api_url' => getenv('DINERO_API_URL')]);
$from = Dinero\Library::loadedFrom();
echo "loaded from $from\n";
exit($client->request('GET', '/v1/organizations')->status() === 200 && !str_contains((string) $from, '/') ? 0 : 1);
PHP
check "PHP finds the installed library through the system loader" \
  env -u DINERO_LIBRARY LD_LIBRARY_PATH="$prefix/lib" php "$work/php-app/app.php"

PREFIX=$prefix scripts/install.sh uninstall >/dev/null
check "uninstall leaves no file behind" test -z "$(find "$prefix" -type f -o -type l)"
# A private prefix never enters the loader's cache (it would outlive the folder, and anyone
# who made the path again could plant a library every program then loads by name).
check "the loader's cache never names the private prefix" sh -c "! ldconfig -p | grep -qF '$prefix'"
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
