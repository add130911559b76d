#!/usr/bin/env bash
# `make demo`: starts the sandbox on a free port, runs every example against it, stops it,
# and shows what the sandbox saw. Expects `make build` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/dinero-demo.XXXXXX)
sandbox_pid=""
cleanup() {
  local rc=$?
  if [ -n "$sandbox_pid" ]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

section() { printf '\n\033[1m### %s\033[0m\n' "$*"; }

section "Starting dinero-sandbox (a local look-alike of Dinero) on a free port"
target/release/dinero-sandbox --port 0 --env-file "$work/sandbox.env" >"$work/sandbox.out" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do
  [ -f "$work/sandbox.env" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.out"; exit 1; }
  sleep 0.1
done
[ -f "$work/sandbox.env" ] || { echo "the sandbox did not start" >&2; exit 1; }
head -n 1 "$work/sandbox.out"
set -a
# shellcheck disable=SC1091
. "$work/sandbox.env"
set +a

section "C example (examples/c/personal_integration.c)"
cc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude examples/c/personal_integration.c \
  -o "$work/personal_integration" -Ltarget/release -ldinero -Wl,-rpath,"$PWD/target/release"
"$work/personal_integration"

section "C example: upload a receipt, download an invoice PDF (examples/c/files.c)"
cc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude examples/c/files.c \
  -o "$work/files" -Ltarget/release -ldinero -Wl,-rpath,"$PWD/target/release"
"$work/files" "" "$work/invoice.pdf"

section "C example: a public integration's sign-in through Visma Connect (examples/c/visma_connect.c)"
cc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude examples/c/visma_connect.c \
  -o "$work/visma_connect" -Ltarget/release -ldinero -Wl,-rpath,"$PWD/target/release"
# scripts/play-browser.py plays the user's browser: it opens the printed address and hands the
# consent page's form to the program, as the browser's return to the redirect URI would.
DINERO_REFRESH_TOKEN_FILE="$work/refresh-token" python3 scripts/play-browser.py "$work/visma_connect"

section "The same steps as raw HTTP with curl (examples/curl/personal_integration.sh)"
bash examples/curl/personal_integration.sh

for extra in scripts/demo.d/*.sh; do
  [ -e "$extra" ] || continue
  # shellcheck disable=SC1090
  . "$extra"
done

section "What the sandbox saw"
python3 scripts/sandbox-summary.py "$DINERO_API_URL"
echo
echo "demo finished: every example ran against the sandbox"
