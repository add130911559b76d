#!/usr/bin/env bash
# `make test-dist`: every package in dist/ (scripts/dist.sh) installed into a clean place and
# used against dinero-sandbox, from outside the checkout, with no Rust and no DINERO_LIBRARY:
#
#   wheel    auditwheel show says manylinux_2_17; a fresh venv; the example, on the bundled copy
#   npm      npm install of the tarball into an empty folder; the Node example, bundled copy
#   Composer an empty project requiring the package from an artifact repository (no network);
#            the PHP example with a copy of the library in the package's lib/
#   .deb     lintian without errors on each of libdinero0, libdinero-dev and dinero; apt install;
#            a C program built with pkg-config alone (shared and static); the sdist in a fresh
#            venv and the Composer project both load the system's libdinero.so.0; the library
#            alone is enough for them; apt purge leaves none of the packages' files behind
#
# The .deb part installs into this machine (as root, or through sudo) and purges afterwards,
# also when a check fails; it refuses to run when one of the packages is already installed.
# Needs `make build` (for dinero-sandbox) and `make dist`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null
# shellcheck source=scripts/dist-tools.sh
. scripts/dist-tools.sh

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
abi=$(sed -n 's/^const ABI_VERSION: &str = "\(.*\)";$/\1/p' build.rs)
multiarch=/usr/lib/x86_64-linux-gnu
# The library's package is named for its SONAME, as Debian names libraries.
library_package=libdinero$abi
deb=dist/${library_package}_${version}-1_amd64.deb
dev_deb=dist/libdinero-dev_${version}-1_amd64.deb
cli_deb=dist/dinero_${version}-1_amd64.deb
debian_packages=("$library_package" libdinero-dev dinero)
wheel=dist/libdinero-${version}-py3-none-manylinux_2_17_x86_64.whl
sdist=dist/libdinero-${version}.tar.gz
npm_tarball=dist/libdinero-${version}.tgz
php_zip=dist/libdinero-php-${version}.zip

work=$(mktemp -d /tmp/dinero-dist-test.XXXXXX)
sandbox_pid=""
lintian_pid=""
deb_installed=0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_get=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o DPkg::Lock::Timeout=120)
cleanup() {
  local pid
  for pid in $sandbox_pid $lintian_pid; do kill "$pid" 2>/dev/null || true; done
  if [ "$deb_installed" = 1 ]; then "${apt_get[@]}" purge "${debian_packages[@]}" >/dev/null 2>&1 || true; fi
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
# Runs a command with a scrubbed environment: no cargo or rustc on PATH, no DINERO_LIBRARY, a
# home of its own, and the sandbox's DINERO_* settings. clean_in runs it in a folder.
clean() { env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 "${sandbox_env[@]}" "$@"; }
clean_in() { local dir=$1; shift; (cd "$dir" && clean "$@"); }
# Passes when the command's output is exactly the expected line.
prints() { local expected=$1 actual; shift; actual=$("$@"); echo "$actual"; [ "$actual" = "$expected" ]; }
# The newest glibc symbol version a binary needs must be 2.17 at most.
glibc_2_17() {
  local newest
  newest=$(objdump -T "$1" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)
  echo "$1 needs $newest"
  [ "$(printf '%s\n' GLIBC_2.17 "$newest" | sort -V | tail -n 1)" = GLIBC_2.17 ]
}

# Whether one of the packages is installed here; each is asked alone, since dpkg-query fails
# for the whole list when it knows one name not.
any_installed() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' && return 0
  done
  return 1
}

# Every file (not folder) the package listed is gone, and the loader forgot the library.
nothing_left() {
  grep -q "/libdinero.so.$abi\$" "$1" || { echo "the package's file list lacks libdinero.so.$abi"; return 1; }
  local path left=0
  while read -r path; do
    if [ ! -d "$path" ] && { [ -e "$path" ] || [ -L "$path" ]; }; then echo "left: $path"; left=1; fi
  done <"$1"
  ! ldconfig -p | grep libdinero && [ "$left" = 0 ]
}

for artifact in "$deb" "$dev_deb" "$cli_deb" "$wheel" "$sdist" "$npm_tarball" "$php_zip"; do
  [ -f "$artifact" ] || { echo "test-dist: $artifact is missing: run make dist" >&2; exit 1; }
done
[ -x target/release/dinero-sandbox ] || { echo "test-dist: run make build first" >&2; exit 1; }
check "dist/SHA256SUMS matches every package" sh -c 'cd dist && sha256sum --check --strict SHA256SUMS'
# The licences in every package; the notices of the crates built in, in each one that carries
# the library or the command (ring's among them: its licence asks for its notice).
lists() { # FILE...: the packages' file lists, one path a line
  for archive in "$deb" "$dev_deb" "$cli_deb"; do dpkg-deb --fsys-tarfile "$archive" | tar -t; done
  for archive in "$wheel" "$php_zip"; do python3 -m zipfile -l "$archive" | awk 'NR > 1 {print $1}'; done
  tar -tzf "$sdist"; tar -tzf "$npm_tarball"
}
lists >"$work/contents"
for licence in LICENSE-MIT LICENSE-APACHE; do
  for where in "^./usr/share/doc/$library_package/$licence\$" "^./usr/share/doc/libdinero-dev/$licence\$" \
    "^./usr/share/doc/dinero/$licence\$" "dist-info/.*$licence\$" "^$licence\$" \
    "^libdinero-$version/$licence\$" "^package/$licence\$"; do
    check "a package holds $licence ($where)" grep -q "$where" "$work/contents"
  done
done
for where in "^./usr/share/doc/$library_package/LICENSE-THIRD-PARTY\$" \
  "^./usr/share/doc/libdinero-dev/LICENSE-THIRD-PARTY\$" "^./usr/share/doc/dinero/LICENSE-THIRD-PARTY\$" \
  "dist-info/.*LICENSE-THIRD-PARTY\$" "^package/lib/LICENSE-THIRD-PARTY\$"; do
  check "a package with the library holds the third-party notices ($where)" grep -q "$where" "$work/contents"
done
check "the notices name ring, built into the library" \
  sh -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./usr/share/doc/$library_package/LICENSE-THIRD-PARTY | grep -q '^  ring '"
# lintian takes minutes on the static library's objects: it runs beside the other checks.
timeout 900 lintian --fail-on error "$root/$deb" "$root/$dev_deb" "$root/$cli_deb" >"$work/lintian.out" 2>&1 &
lintian_pid=$!
lintian_result() { cat "$work/lintian.out"; wait "$lintian_pid"; }

mkdir -p "$work/home" "$work/bin"
cp target/release/dinero-sandbox "$work/bin/"
"$work/bin/dinero-sandbox" --port 0 --env-file "$work/sandbox.env" >/dev/null 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do [ -s "$work/sandbox.env" ] && break; sleep 0.1; done
sandbox_env=()
while IFS= read -r line; do
  case "$line" in DINERO_*=*) sandbox_env+=("$line") ;; esac
done <"$work/sandbox.env"
check "the test environment has no Rust on PATH" clean sh -c '! command -v cargo && ! command -v rustc'
cd "$work"

# -- wheel --------------------------------------------------------------------------------------
# auditwheel's own verdict on the wheel's contents (it wraps its sentences across lines).
auditwheel_says_2_17() {
  local report
  report=$("$DIST_PYTHON" -m auditwheel show "$root/$wheel")
  echo "$report"
  tr -s ' \n' ' ' <<<"$report" | grep -q 'platform tag: "manylinux_2_17_x86_64"'
}
check "auditwheel: the wheel is manylinux_2_17_x86_64" auditwheel_says_2_17
python3 -m venv "$work/wheel-venv"
check "the wheel installs into a fresh venv" \
  "$work/wheel-venv/bin/python" -m pip install --quiet --no-index --no-deps "$root/$wheel"
check "the wheel's library needs glibc 2.17 at most" \
  glibc_2_17 "$(echo "$work"/wheel-venv/lib/python3*/site-packages/libdinero/libdinero.so)"
check "the installed wheel loads the library it ships" clean "$work/wheel-venv/bin/python" -c '
import libdinero, libdinero._library as lib, pathlib
loaded = pathlib.Path(lib.load()._name).resolve()
assert loaded.parent == pathlib.Path(libdinero.__file__).resolve().parent, loaded
assert libdinero.__version__ == libdinero.library_version()
'
cp "$root/examples/python/personal_integration.py" "$work/"
check "the Python example runs on the wheel" clean "$work/wheel-venv/bin/python" personal_integration.py

# -- npm ----------------------------------------------------------------------------------------
mkdir -p "$work/node-app"
check "npm install of the tarball into an empty folder" \
  npm install --silent --prefix "$work/node-app" --no-audit --no-fund --prefer-offline "$root/$npm_tarball"
check "the npm package's library needs glibc 2.17 at most" \
  glibc_2_17 "$work/node-app/node_modules/libdinero/lib/libdinero.so"
sed "s|'../../bindings/node/src/index.js'|'libdinero'|" "$root/examples/node/personal_integration.mjs" \
  >"$work/node-app/personal_integration.mjs"
check "the Node example imports the installed package" grep -q "from 'libdinero'" "$work/node-app/personal_integration.mjs"
check "the Node example runs on the npm package" clean_in "$work/node-app" node personal_integration.mjs
check "the npm package loaded the library it ships" \
  prints "$work/node-app/node_modules/libdinero/lib/libdinero.so" clean_in "$work/node-app" \
    node --input-type=module -e "import { libraryPath } from 'libdinero'; console.log(libraryPath());"

# -- Composer, with a copy of the library inside the package ------------------------------------
# The guide's route: the zip of make dist in a folder named as an artifact repository.
mkdir -p "$work/php-artifacts" "$work/php-app" "$work/deb-files"
cp "$root/$php_zip" "$work/php-artifacts/"
export COMPOSER_NO_INTERACTION=1 COMPOSER_DISABLE_NETWORK=1 COMPOSER_ALLOW_SUPERUSER=1
echo '{"repositories": [{"packagist.org": false}]}' >"$work/php-app/composer.json"
check "composer config: the artifact repository, as the PHP guide shows" \
  composer config --working-dir="$work/php-app" repositories.libdinero artifact "$work/php-artifacts"
check "composer require libdinero/libdinero into an empty project" \
  composer require --quiet --working-dir="$work/php-app" "libdinero/libdinero:$version"
sed "s|__DIR__ . '/../../bindings/php/vendor/autoload.php'|__DIR__ . '/vendor/autoload.php'|" \
  "$root/examples/php/personal_integration.php" >"$work/php-app/personal_integration.php"
cat >"$work/php-app/loaded_from.php" <<'PHP'
<?php
require __DIR__ . '/vendor/autoload.php';
Dinero\Library::version();
echo Dinero\Library::loadedFrom(), "\n";
PHP
package_lib="$work/php-app/vendor/libdinero/libdinero/lib"
dpkg-deb -x "$root/$deb" "$work/deb-files"
mkdir -p "$package_lib"
cp "$work/deb-files$multiarch/libdinero.so.$version" "$package_lib/libdinero.so"
check "the PHP example loads the project's autoloader" grep -q "'/vendor/autoload.php'" "$work/php-app/personal_integration.php"
check "the PHP example runs with the library copied into the package" \
  clean_in "$work/php-app" php personal_integration.php
check "PHP loaded the copy inside the package" \
  prints "$package_lib/libdinero.so" clean php "$work/php-app/loaded_from.php"
rm -rf "$package_lib"

# -- .deb ---------------------------------------------------------------------------------------
if [ -n "$sudo" ] && ! sudo -n true 2>/dev/null; then
  failed=$((failed + 1)); echo "FAILED: the .deb tests need root or password-less sudo"
elif any_installed "${debian_packages[@]}"; then
  failed=$((failed + 1))
  echo "FAILED: ${debian_packages[*]}: one is already installed here; this test installs and purges them (apt purge them first)"
else
  deb_installed=1
  check "apt install ./$deb ./$dev_deb ./$cli_deb" "${apt_get[@]}" install "$root/$deb" "$root/$dev_deb" "$root/$cli_deb"
  dpkg-query -L "${debian_packages[@]}" >"$work/deb-files.list" 2>/dev/null || true
  check "libdinero.so.$abi links to the library" prints "libdinero.so.$version" readlink "$multiarch/libdinero.so.$abi"
  check "libdinero.so links to libdinero.so.$abi" prints "libdinero.so.$abi" readlink "$multiarch/libdinero.so"
  check "the loader's cache knows libdinero.so.$abi" sh -c "ldconfig -p | grep -q 'libdinero.so.$abi '"
  check "the dinero command answers --help" clean dinero --help
  check "the dinero command has no --sandbox" \
    sh -c "dinero --sandbox organizations 2>&1 | grep -q \"unexpected argument '--sandbox'\""
  check "dinero.pc's libdir is the folder that holds the library" \
    prints "$multiarch" pkg-config --variable=libdir dinero
  check "the dinero command has a man page" test -s /usr/share/man/man1/dinero.1.gz
  cp "$root/examples/c/personal_integration.c" "$work/"
  # shellcheck disable=SC2046
  check "a C program builds with pkg-config alone" \
    cc -std=c99 -Wall -Wextra -Werror "$work/personal_integration.c" -o "$work/c-example" \
      $(pkg-config --cflags --libs dinero)
  check "the C program runs on the installed library" clean "$work/c-example"
  # shellcheck disable=SC2046
  check "a static C program links libdinero.a with pkg-config --static" \
    cc -std=c99 "$work/personal_integration.c" -o "$work/c-example-static" $(pkg-config --cflags dinero) \
      "$multiarch/libdinero.a" $(pkg-config --libs-only-l --static dinero | sed 's/-ldinero//')
  check "the static C program does not load libdinero.so" sh -c "! ldd '$work/c-example-static' | grep libdinero"
  check "the static C program runs" clean "$work/c-example-static"
  # What the bindings load is the library's package alone.
  check "apt purge libdinero-dev dinero" "${apt_get[@]}" purge libdinero-dev dinero
  check "$library_package stays installed without them" \
    sh -c "dpkg-query -W -f='\${Status}' $library_package | grep -q 'ok installed'"
  python3 -m venv "$work/sdist-venv"
  check "the sdist installs into a fresh venv" \
    "$work/sdist-venv/bin/python" -m pip install --quiet --no-deps "$root/$sdist"
  check "the Python example runs on the system's library" \
    clean "$work/sdist-venv/bin/python" personal_integration.py
  # pip unpacks an sdist into a temporary folder; a library anybody planted in that folder's
  # grandparent (target/release/libdinero.so, as a checkout has) must not be shipped.
  mkdir -p "$work/planted/target/release" "$work/planted/unpacked"
  echo "not a library: planted" >"$work/planted/target/release/libdinero.so"
  tar -xzf "$root/$sdist" -C "$work/planted/unpacked"
  python3 -m venv "$work/planted-venv"
  check "an sdist ships no library planted above where it is unpacked" sh -c "
    '$work/planted-venv/bin/python' -m pip install --quiet --no-deps '$work/planted/unpacked/libdinero-$version' &&
    ! find '$work/planted-venv' -name 'libdinero.so*' | grep -q ."
  check "Python loaded libdinero.so.$abi through the system loader" clean "$work/sdist-venv/bin/python" -c "
import libdinero._library as lib
assert lib.load()._name == 'libdinero.so.$abi', lib.load()._name"
  check "the PHP example runs on the system's library" clean_in "$work/php-app" php personal_integration.php
  check "PHP loaded libdinero.so.$abi through the system loader" \
    prints "libdinero.so.$abi" clean php "$work/php-app/loaded_from.php"
  check "apt purge $library_package" "${apt_get[@]}" purge "$library_package"
  deb_installed=0
  check "no file of the packages is left" nothing_left "$work/deb-files.list"
fi

check "lintian reports no errors" lintian_result

cd "$root"
echo "dist: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
