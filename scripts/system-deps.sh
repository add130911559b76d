#!/usr/bin/env bash
# Installs the system tools `make demo` and `make test` need, from Debian's packages, when a
# command is missing. Usage: scripts/system-deps.sh COMMAND=PACKAGE ...
set -euo pipefail

missing=()
for pair in "$@"; do
  command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Servers (redis-server, nginx, php-fpm) are installed for the tests, which start their own on
# free ports: Debian's policy-rc.d hook keeps the packages from starting a daemon of their own.
policy=/usr/sbin/policy-rc.d
placed=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  placed=1
fi
trap '[ -z "$placed" ] || $sudo rm -f "$policy"' EXIT
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
