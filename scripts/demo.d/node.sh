# shellcheck shell=bash
# Sourced by scripts/demo.sh (from the repository root, with `section` defined and the DINERO_*
# variables of the running sandbox exported): installs the Node binding's dependencies (Node.js
# and npm from Debian's packages if missing, then `npm ci` in bindings/node) and runs the Node
# example against the release library.

scripts/test-node.sh --deps-only

section "Node example, shaped like Dinero's docs (examples/node/personal_integration.mjs)"
DINERO_LIBRARY="$PWD/target/release/libdinero.so" node examples/node/personal_integration.mjs

section "Node: a public integration's sign-in through Visma Connect (examples/node/visma_connect.mjs)"
# The example listens for the redirect itself; scripts/play-browser.py --post plays the browser.
DINERO_LIBRARY="$PWD/target/release/libdinero.so" DINERO_REFRESH_TOKEN_FILE="$work/refresh-token-node" \
  python3 scripts/play-browser.py --post node examples/node/visma_connect.mjs
