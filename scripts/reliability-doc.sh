#!/usr/bin/env bash
# `make reliability`: runs the fault matrix, the stress test and the soak, and writes their
# tables into docs/RELIABILITY.md (the fault-matrix test fails when the doc is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
DINERO_RELIABILITY_CHECK=0 cargo test --test fault_matrix --test exactly_once --test connect_matrix --test stress --test soak -q
out=target/reliability
for part in fault-matrix exactly-once connect stress soak; do
  [ -s "$out/$part.md" ] || { echo "missing $out/$part.md" >&2; exit 1; }
done
exactly_once_intro=$'\n## Exactly-once creates\n\n`dinero_client_create` gives a create its own id (`ContactGuid`, `Guid`) and, when the answer is\nlost, asks `GET .../{guid}` before sending again (at most `max_retries` more times). Each row:\nwhat the caller got, and the sandbox\'s own counters: POSTs seen, checks, and entities stored.\n\n'
fuzz="$out/fuzz.md"
[ -s "$fuzz" ] || fuzz=docs/reliability/fuzz.md
{
  sed -n '1,/<!-- generated below -->/p' docs/reliability/intro.md
  printf '\n## Fault matrix\n\nEach cell: what `dinero_request` returned, and how many times the sandbox saw the request\n(its own counter). A POST is never seen twice unless the server refused it unprocessed (429,\n401).\n\n'
  cat "$out/fault-matrix.md"
  printf '%s' "$exactly_once_intro"
  cat "$out/exactly-once.md"
  printf '\n## Visma Connect\n\nThe sign-in and the refresh tokens of public integrations (see the README, "Which flow"). Each\nrow: what the C call returned, and what the sandbox'"'"'s Visma Connect counted. Every message is\nchecked for the client secret, the code, the verifier and every refresh token.\n\n'
  cat "$out/connect.md"
  printf '\n## Concurrency stress\n\nOne client shared by 32 threads for 7.5 s, tokens living 3 s (replaced at 2.7 s), a fault injected every\n15 ms (502, 503, 480, 429, dropped and reset connections, truncated bodies).\n\n'
  cat "$out/stress.md"
  printf '\n## Soak\n\n100,000 requests through the C ABI (debug build, 4 threads) after 5,000 warm-up requests;\nresident memory of the whole test process, sandbox included.\n\n'
  cat "$out/soak.md"
  if [ -s "$fuzz" ]; then
    printf '\n## Fuzzing\n\n'
    cat "$fuzz"
  fi
} > docs/RELIABILITY.md
echo "docs/RELIABILITY.md written ($(date -u +%Y-%m-%d))"
