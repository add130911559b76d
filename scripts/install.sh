#!/usr/bin/env bash
# `make install` / `make uninstall`: puts the release build under PREFIX (default /usr/local):
# lib/libdinero.so.VERSION with its SONAME links, lib/libdinero.a, include/dinero.h,
# lib/pkgconfig/dinero.pc, and bin/dinero-sandbox. DESTDIR is honoured, as packagers expect.
# Usage: scripts/install.sh install|uninstall
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?install or uninstall}
prefix=${PREFIX:-/usr/local}
libdir=${LIBDIR:-$prefix/lib}
root=${DESTDIR:-}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
# The SONAME's number is build.rs's, not the version's first digit: the two move apart as soon
# as a release keeps the ABI.
abi=$(sed -n 's/^const ABI_VERSION: &str = "\(.*\)";$/\1/p' build.rs)
[ -n "$abi" ] || { echo "install: no ABI_VERSION in build.rs" >&2; exit 1; }
lib="$root$libdir"
files=(
  "$lib/libdinero.so.$version" "$lib/libdinero.so.$abi" "$lib/libdinero.so" "$lib/libdinero.a"
  "$lib/pkgconfig/dinero.pc" "$root$prefix/include/dinero.h" "$root$prefix/bin/dinero-sandbox"
)

# Refreshes the loader's cache, as root installing into the real root, when $libdir is one of
# the folders the loader is configured to search (/usr/local/lib on Debian). `ldconfig DIR`
# would instead add DIR to the cache whatever it is, and a private prefix (a temporary folder)
# would stay there after it is gone, for anyone who recreates the path to plant a library in.
refresh_loader_cache() {
  [ -z "$root" ] && [ "$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null 2>&1 || return 0
  local dir target
  target=$(realpath -m -- "$libdir")
  # Compared as real paths: with merged /usr the loader lists /lib for /usr/lib.
  # -N -X: only list the folders, rebuilding neither the cache nor any link.
  for dir in $(ldconfig -N -X -v 2>/dev/null | sed -n 's|^\(/[^:]*\):.*|\1|p'); do
    if [ "$(realpath -m -- "$dir")" = "$target" ]; then ldconfig 2>/dev/null || true; return 0; fi
  done
}

case "$action" in
  install)
    for built in target/release/libdinero.so target/release/libdinero.a target/release/dinero-sandbox; do
      [ -f "$built" ] || { echo "install: $built is missing: run make build first" >&2; exit 1; }
    done
    install -d "$lib/pkgconfig" "$root$prefix/include" "$root$prefix/bin"
    install -m 0755 target/release/libdinero.so "$lib/libdinero.so.$version"
    ln -sf "libdinero.so.$version" "$lib/libdinero.so.$abi"
    ln -sf "libdinero.so.$abi" "$lib/libdinero.so"
    install -m 0644 target/release/libdinero.a "$lib/libdinero.a"
    install -m 0644 include/dinero.h "$root$prefix/include/dinero.h"
    install -m 0755 target/release/dinero-sandbox "$root$prefix/bin/dinero-sandbox"
    if [ -f target/release/dinero ]; then
      install -m 0755 target/release/dinero "$root$prefix/bin/dinero"
      files+=("$root$prefix/bin/dinero")
    fi
    sed -e "s|@PREFIX@|$prefix|" -e "s|@LIBDIR@|$libdir|" -e "s|@VERSION@|$version|" \
      packaging/dinero.pc.in > "$lib/pkgconfig/dinero.pc"
    chmod 0644 "$lib/pkgconfig/dinero.pc"
    refresh_loader_cache
    echo "installed libdinero $version under $root$prefix"
    ;;
  uninstall)
    # Every version's library of this ABI: one installed before a `git pull` goes too.
    rm -f "${files[@]}" "$lib/libdinero.so.$abi".* "$root$prefix/bin/dinero"
    refresh_loader_cache
    echo "removed libdinero from $root$prefix"
    ;;
  *) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
