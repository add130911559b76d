#!/usr/bin/env bash
# Release profile settings for the library, compared by measurement (docs/PERFORMANCE.md,
# "Release profile"). For each variant, builds libdinero.so with those settings (Cargo's
# CARGO_PROFILE_RELEASE_* variables, each variant in its own target/profiles/NAME/ so a rerun
# rebuilds nothing), then records:
#   - the file's size;
#   - the PHP cold start (a new PHP process: load the library, authenticate, one GET) in wall
#     time against php-curl's, from bench/run.py;
#   - the same cold start's instructions under callgrind (PHP's start-up, the dynamic loader's
#     work on the library, FFI::cdef and the two requests): unlike wall time, this does not
#     move with the machine's load;
#   - instructions per request in a loop (bench/run.py's callgrind figure), for the hot path.
# A benchmark, not a test. Prints a markdown table and writes target/bench/profiles.md.
#
#   PROFILES="name:lto:codegen-units:opt-level:strip ..."   the variants (default below)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null

# strip "none" keeps the standard library's debug information as well ("debuginfo", Cargo's
# default without debug = true, drops that; "symbols" drops the symbol table too).
default_profiles="thin-cgu4:thin:4:3:none thin-cgu4-strip:thin:4:3:symbols \
fat-cgu1-strip:fat:1:3:symbols fat-cgu1-strip-s:fat:1:s:symbols"
read -r -a profiles <<<"${PROFILES:-$default_profiles}"

# The sandbox, the C clients, php-curl and the PHP autoloader come from the usual bench set-up.
BENCH_ONLY=none scripts/bench.sh >/dev/null

work=$(mktemp -d /tmp/dinero-profiles.XXXXXX)
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
target/release/dinero-sandbox --port 0 --rate-limit 0 --env-file "$work/sandbox.env" >/dev/null 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do [ -s "$work/sandbox.env" ] && break; sleep 0.1; done
sandbox_env=()
while IFS= read -r line; do
  case "$line" in DINERO_*=*) sandbox_env+=("$line") ;; esac
done <"$work/sandbox.env"

# Instructions of one PHP cold start on this library, in millions.
php_cold_instructions() { # library
  env "${sandbox_env[@]}" DINERO_LIBRARY="$1" BENCH_PATH='/v1/{organizationId}/contacts?page=0&pageSize=10' \
    valgrind --tool=callgrind --quiet --callgrind-out-file="$work/php.callgrind" \
    php bench/php/ours.php cold >/dev/null
  awk '/^(summary|totals):/ { printf "%.1f\n", $2 / 1e6; exit }' "$work/php.callgrind"
}

out=target/bench/profiles.md
mkdir -p target/bench
{
  echo "| variant | lto | codegen-units | opt-level | strip | libdinero.so bytes | PHP cold start ms (php-curl ms) | ratio | PHP cold start, million instructions | instructions/request |"
  echo "|---|---|---:|---|---|---:|---:|---:|---:|---:|"
} >"$out"
for spec in "${profiles[@]}"; do
  IFS=: read -r name lto units opt strip <<<"$spec"
  echo "bench-profiles: $name (lto=$lto codegen-units=$units opt-level=$opt strip=$strip)" >&2
  dir=target/profiles/$name
  CARGO_PROFILE_RELEASE_LTO=$lto CARGO_PROFILE_RELEASE_CODEGEN_UNITS=$units \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt CARGO_PROFILE_RELEASE_STRIP=$strip \
    cargo build --quiet --release -p dinero --lib --target-dir "$dir/build"
  cp "$dir/build/release/libdinero.so" "$dir/libdinero.so"
  ln -sf libdinero.so "$dir/libdinero.so.0"
  bytes=$(stat -c %s "$dir/libdinero.so")
  instructions=$(php_cold_instructions "$root/$dir/libdinero.so")
  DINERO_LIBRARY="$root/$dir/libdinero.so" BENCH_ONLY=cold-start-php,instructions \
    bindings/python/.venv/bin/python bench/run.py >/dev/null
  python3 - "$name" "$lto" "$units" "$opt" "$strip" "$bytes" "$instructions" >>"$out" <<'PY'
import json, sys
name, lto, units, opt, strip, size, cold_ir = sys.argv[1:]
results = json.load(open("target/bench/results.json"))
php = {row["id"]: row for row in results["comparisons"]}["cold-start-php"]
per_request = results.get("instructions", {}).get("ours", 0)
print(f"| `{name}` | {lto} | {units} | {opt} | {strip} | {int(size):,} | {php['ours']:.1f} ({php['peer']:.1f}) "
      f"| {php['ratio']:.2f} | {cold_ir} | {per_request:,} |")
PY
done
cat "$out"
