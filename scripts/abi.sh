#!/usr/bin/env bash
# The C ABI guard (libabigail's abidw and abidiff, Debian's abigail-tools).
#
#   scripts/abi.sh check    (make test-abi, part of make test): compares the release build's
#                           target/release/libdinero.so with the records in abi/
#   scripts/abi.sh record   (make abi-baseline): records the release build as the baseline
#
# Two records, both abidw's XML:
#   abi/libdinero.so.N.xml  the library: its SONAME, the libraries it needs and every symbol it
#                           exports (a release build has no debug information, so these are the
#                           ELF symbols);
#   abi/dinero.h.xml        the C types of those functions as include/dinero.h declares them: a
#                           small probe library, compiled with -g from the header, holds one
#                           pointer per exported function, typed by the header, and abidw records
#                           the pointers' types (parameters, return types, structs, typedefs).
#
# check fails on an incompatible change (a function removed or renamed: abidiff's exit bit 8; a
# function's C type changed: reported as "Changed") unless the build's SONAME differs from the
# baseline's AND CHANGELOG.md's Unreleased section names the new SONAME. Additions are
# compatible: they pass, with a reminder to record them. The policy is in README.md ("Versions
# and the C ABI").
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null
action=${1:?usage: scripts/abi.sh check|record}
library=target/release/libdinero.so

command -v abidiff >/dev/null 2>&1 || {
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "abi: installing abigail-tools"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends abigail-tools >/dev/null
}
[ -f "$library" ] || { echo "abi: $library is missing: run make build first" >&2; exit 1; }
soname=$(readelf -d "$library" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ -n "$soname" ] || { echo "abi: $library has no SONAME" >&2; exit 1; }

# abidw writes the path it read; the records name the file by what it is instead, so that they
# do not depend on where the checkout is.
record_library() { # xml file
  abidw --no-show-locs --out-file "$1" "$library"
  sed -i "1s|path='[^']*'|path='$soname'|" "$1"
}
record_header() { # xml file
  local probe
  probe=$(mktemp -d /tmp/dinero-abi-probe.XXXXXX)
  {
    echo '#include "dinero.h"'
    nm -D --defined-only "$library" | awk '$2 == "T" { print $3 }' | sort |
      while read -r name; do echo "__typeof__($name) *const abi_probe_$name = $name;"; done
  } >"$probe/probe.c"
  cc -g -shared -fPIC -std=gnu11 -Iinclude "$probe/probe.c" -o "$probe/probe.so"
  abidw --no-show-locs --no-corpus-path --out-file "$1" "$probe/probe.so"
  rm -rf "$probe"
}

case "$action" in
  record)
    mkdir -p abi
    rm -f abi/libdinero.so.*.xml
    record_library "abi/$soname.xml"
    record_header abi/dinero.h.xml
    echo "abi: recorded abi/$soname.xml ($(grep -c '<elf-symbol ' "abi/$soname.xml") symbols)" \
      "and abi/dinero.h.xml; commit them"
    ;;
  check)
    baseline=$(ls abi/libdinero.so.*.xml 2>/dev/null | head -n 1)
    [ -n "$baseline" ] && [ -f abi/dinero.h.xml ] ||
      { echo "abi: no baseline in abi/: run make abi-baseline and commit it" >&2; exit 1; }
    baseline_soname=$(sed -n "1s/.*soname='\([^']*\)'.*/\1/p" "$baseline")
    current=$(mktemp -d /tmp/dinero-abi.XXXXXX)
    trap 'rm -rf "$current"' EXIT
    record_library "$current/library.xml"
    record_header "$current/header.xml"
    incompatible=0
    changed=0
    for pair in "$baseline:$current/library.xml" "abi/dinero.h.xml:$current/header.xml"; do
      status=0
      abidiff "${pair%%:*}" "${pair#*:}" >"$current/report" 2>&1 || status=$?
      if [ $((status & 3)) -ne 0 ]; then
        echo "abi: abidiff ${pair%%:*} failed (exit $status):"
        cat "$current/report"
        exit 1
      fi
      [ "$status" -eq 0 ] && continue
      changed=1
      echo "abi: against ${pair%%:*}:"
      sed 's/^/    /' "$current/report"
      # Bit 8: a symbol went away. A changed type is only bit 4, with "N Changed" in the summary.
      if [ $((status & 8)) -ne 0 ] || grep -Eq '[1-9][0-9]* (Removed|Changed)' "$current/report"; then
        incompatible=1
      fi
    done
    if [ "$incompatible" = 1 ]; then
      unreleased=$(sed -n '/^## \[Unreleased\]/,/^## \[[0-9]/p' CHANGELOG.md)
      if [ "$soname" != "$baseline_soname" ] && grep -qF "$soname" <<<"$unreleased"; then
        echo "abi: an incompatible change with a new SONAME ($baseline_soname -> $soname) named in"
        echo "     CHANGELOG.md: record it with make abi-baseline and commit abi/"
        exit 0
      fi
      cat <<EOF
abi: INCOMPATIBLE change to the C ABI of $baseline_soname (above): it breaks programs built
  against it. Either keep the old function as it was, or bump ABI_VERSION in build.rs (the
  SONAME), name the new SONAME in CHANGELOG.md's [Unreleased] section, then run
  make abi-baseline and commit abi/.
EOF
      exit 1
    fi
    if [ "$changed" = 1 ]; then
      echo "abi: compatible additions only; make abi-baseline records them"
    else
      echo "abi: $soname and include/dinero.h match abi/"
    fi
    ;;
  *) echo "usage: scripts/abi.sh check|record" >&2; exit 2 ;;
esac
