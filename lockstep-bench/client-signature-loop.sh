#!/usr/bin/env bash
# The loop thread's CPU per client-signed request in a classic Byzantine order's take rule,
# with each signature verified on the loop (inline, as before the verification pool) and with
# the pool's verdicts (two threads pre-verify each request's claim as three carriers deliver
# it; the loop finds the verdict). Per-thread CPU time, with the load average before and after.
# Documented in docs/BENCHMARKS.md ("Client signatures off the loop thread").
#
# Usage: lockstep-bench/client-signature-loop.sh [requests 3000] [repeats 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/lockstep" --version >/dev/null # builds the CLI and its lib/ if sources changed
cli="$root/lockstep-cli/target"
cp="$cli/lockstep-cli-0.1.0-SNAPSHOT.jar:$cli/lib/*"
java -cp "$cp" "$root/lockstep-bench/scripts/ClientSignatureLoop.java" "${1:-3000}" "${2:-3}"
