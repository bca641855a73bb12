#!/usr/bin/env bash
# Runs the same closed-loop load against a local 3-replica Lockstep cluster and against a 3-peer
# Apache Ratis cluster, one after the other on this machine, and prints both results and the
# ratio. Both keep fsync on. Arguments are the shared workload options, e.g.
#   lockstep-bench-ratis/compare.sh --clients 32 --duration 20s --warmup 10s --write 1.0 --value-size 100
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== Lockstep (3 replica processes, Java client) ==" >&2
"$root/lockstep" bench --local --base-port "${LOCKSTEP_BENCH_BASE_PORT:-17000}" "$@" >"$out/lockstep.txt"
echo "== Apache Ratis 3.3.0 (3 peers, Netty) ==" >&2
"$here/run.sh" "$@" >"$out/ratis.txt"

# field <file> <label>: the number on the line starting with label ("throughput", "latency p99"...).
field() { awk -v l="$2" 'index($0, l) == 1 { gsub(",", "", $0); print $(NF-1); exit }' "$1"; }

printf '\n%-14s %14s %14s %10s\n' metric lockstep ratis ratio
for label in "throughput" "latency p50" "latency p99" "latency p99.9"; do
  a="$(field "$out/lockstep.txt" "$label")"; b="$(field "$out/ratis.txt" "$label")"
  unit=$([[ $label == throughput ]] && echo "ops/s" || echo "ms")
  ratio="$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
  printf '%-14s %8s %-5s %8s %-5s %10s\n' "$label" "$a" "$unit" "$b" "$unit" "$ratio"
done
