#!/usr/bin/env bash
# Device writes and machine CPU per client write of a local cluster under the closed-loop load:
# starts `./lockstep local` with the given `local` options, runs `./lockstep bench`, and reads
# /proc/diskstats (the disk holding the data directory) and /proc/stat over 20 s of the measured
# window. Every replica shares this machine's disk and CPUs, so both figures are the cluster's.
#
#   lockstep-bench/io-per-write.sh --failure-model byzantine --replicas 4
#   lockstep-bench/io-per-write.sh --replicas 3
#   WARMUP=90 lockstep-bench/io-per-write.sh --failure-model byzantine --replicas 4
#
# Prints the bench's throughput, the disk's completed writes per second and per client write,
# the kilobytes written per second, and the machine's busy CPU (user, system, interrupts; kernel
# threads included, idle, iowait and steal not) in microseconds per client write, and the cores
# left idle and waiting for the disk (iowait: idle while some thread waits for an fsync).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
warmup="${WARMUP:-60}"
port="${BASE_PORT:-21000}"
data="$(mktemp -d -t lockstep-io-XXXX)"
local_pid=""
cleanup() {
  if [[ -n "$local_pid" ]]; then kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

"$root/lockstep" local "$@" --data-dir "$data" --base-port "$port" >"$data/local.log" 2>&1 &
local_pid=$!
for _ in $(seq 240); do grep -q "Cluster ready" "$data/local.log" && break; sleep 0.5; done
grep -q "Cluster ready" "$data/local.log" || { cat "$data/local.log" >&2; exit 1; }
client=()
if [[ " $* " == *" byzantine "* ]]; then client=(--client-id proxy); fi
"$root/lockstep" bench --data-dir "$data" "${client[@]}" --clients 32 --duration 30s \
  --warmup "${warmup}s" --write 1.0 --value-size 100 >"$data/bench.out" 2>"$data/bench.err" &
bench_pid=$!
disk="$(df --output=source "$data" | tail -1 | sed 's|/dev/||')"
sleep $((warmup + 5))
d0="$(awk -v d="$disk" '$3==d {print $8, $10}' /proc/diskstats)"; s0="$(head -1 /proc/stat)"
sleep 20
d1="$(awk -v d="$disk" '$3==d {print $8, $10}' /proc/diskstats)"; s1="$(head -1 /proc/stat)"
wait "$bench_pid"
ops="$(grep -o 'throughput *[0-9,.]*' "$data/bench.out" | tr -d ', throughput')"
echo "throughput $ops writes/s ($*)"
echo "$d0 $d1" | awk -v t="$ops" '{w = ($3 - $1) / 20; printf "disk %s: %.0f writes/s, %.2f per client write, %.0f KB/s\n", "'"$disk"'", w, w / t, ($4 - $2) / 40}'
echo "$s0 $s1" | awk -v t="$ops" '{b0 = $2 + $3 + $4 + $7 + $8; b1 = $13 + $14 + $15 + $18 + $19; printf "machine busy: %.2f cores, %.1f us per client write; idle %.2f cores, iowait %.2f\n", (b1 - b0) / 2000, (b1 - b0) * 10000 / (t * 20), ($16 - $5) / 2000, ($17 - $6) / 2000}'
