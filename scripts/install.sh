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
abi=${version%%.*}
lib="$root$libdir"
files=(
  "$lib/libdinero.so.$version" "$lib/libdinero.so.$abi" "$lib/libdinero.so" "$lib/libdinero.a"
  "$lib/pkgconfig/dinero.pc" "$root$prefix/include/dinero.h" "$root$prefix/bin/dinero-sandbox"
)

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
    # A system prefix needs the loader's cache refreshed; a private one does not.
    if [ -z "$root" ] && [ "$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null 2>&1; then
      ldconfig "$libdir" 2>/dev/null || true
    fi
    echo "installed libdinero $version under $root$prefix"
    ;;
  uninstall)
    rm -f "${files[@]}" "$root$prefix/bin/dinero"
    echo "removed libdinero from $root$prefix"
    ;;
  *) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
