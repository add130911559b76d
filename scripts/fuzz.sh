#!/usr/bin/env bash
# `make fuzz`: runs every cargo-fuzz target (fuzz/fuzz_targets/) on the nightly toolchain for
# FUZZ_SECONDS each (default 30), starting from the committed seed corpus, and writes what ran
# to target/reliability/fuzz.md. Installs cargo-fuzz (cargo install) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
out=target/reliability
mkdir -p "$out"
report="$out/fuzz.md"
printf 'Each target ran %s s with libFuzzer (`make fuzz`, nightly), from the seed corpus in\n`fuzz/corpus/`. No crash, panic or failed assertion.\n\n| target | runs | coverage | corpus |\n|---|---|---|---|\n' "$seconds" > "$report"
for target in $(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v dinero-fuzz); do
  corpus="target/fuzz-corpus/$target"
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  log="$out/fuzz-$target.log"
  echo "== fuzzing $target for $seconds s"
  (cd fuzz && cargo +nightly fuzz run "$target" "../$corpus" -- -max_total_time="$seconds" -print_final_stats=1) >"$log" 2>&1 ||
    { tail -n 40 "$log"; echo "fuzz target $target failed: see $log" >&2; exit 1; }
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  size=$(ls "$corpus" | wc -l)
  printf '| %s | %s | %s edges | %s inputs |\n' "$target" "${runs:-?}" "${cov:-?}" "$size" >> "$report"
done
cat "$report"
