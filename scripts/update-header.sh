#!/usr/bin/env bash
# Copies the header that build.rs generated with cbindgen to include/dinero.h, then rewrites
# the bindings' files generated from it (constants, the Python, Node and PHP declarations).
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir=$(cargo build --release -p dinero --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "build-script-executed" and "#dinero@" in msg["package_id"]:
        print(msg["out_dir"])
' | tail -n 1)
[ -f "$out_dir/dinero.h" ] || { echo "no generated header found" >&2; exit 1; }
cp "$out_dir/dinero.h" include/dinero.h
# The bindings' generated files follow the header (`make lint` checks that they do).
python3 scripts/binding_constants.py
python3 scripts/node_declarations.py
php bindings/php/tools/generate-declarations.php
echo "include/dinero.h updated"
