#!/usr/bin/env bash
# Write throughput of the Byzantine protocol (pbft, 4 replica processes, t = 1) against the
# crash-tolerant one (raft, 3 replica processes, t = 1) on this machine, one after the other,
# with the same closed-loop load generator and workload, and prints one table with the load
# average around each run (the machine may be shared; compare within one table).
#
#   lockstep-bench/pbft-vs-raft.sh                      # 32 clients, 20 s warmup, 20 s window
#   lockstep-bench/pbft-vs-raft.sh --clients 32 --duration 20s --warmup 20s --write 1.0
#   ROUNDS=3 lockstep-bench/pbft-vs-raft.sh             # alternate pbft and raft three times
#
# Both clusters are started by `./lockstep local`-style commands on loopback, each replica with
# its own data directory on this machine's disk. The load generator (`./lockstep bench`, its own
# JVM) drives them through the Java client: for raft the leader-following client, for pbft the
# voting client (every request to every replica, 2t+1 identical replies decide, keyed as the
# cluster's `proxy` client). Raft fsyncs every group commit; pbft writes what its build writes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$(mktemp -d -t lockstep-pbft-vs-raft-XXXX)"
local_pid=""
cleanup() {
  if [[ -n "$local_pid" ]]; then kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; fi
  [[ -n "${KEEP:-}" ]] || rm -rf "$out"
}
trap cleanup EXIT

if [[ $# -eq 0 ]]; then
  set -- --clients 32 --duration 20s --warmup 20s --write 1.0 --value-size 100
fi
raft_port="${RAFT_BASE_PORT:-17600}"
pbft_port="${PBFT_BASE_PORT:-17800}"
rounds="${ROUNDS:-1}"
"$root/lockstep" --version >/dev/null # builds once, before anything is timed

load() { cut -d' ' -f1 /proc/loadavg; }

# run_raft <round>: 3 raft replicas started and stopped by `bench --local`.
run_raft() {
  local r="$1"; shift
  local f="$out/raft-$r.txt"
  echo "== round $r: raft, 3 replica processes ==" >&2
  echo "load_before $(load)" >"$f"
  "$root/lockstep" bench --local --replicas 3 --base-port "$raft_port" \
    --data-dir "$out/raft-$r" "$@" >>"$f" 2>"$out/raft-$r.err"
  echo "load_after $(load)" >>"$f"
}

# run_pbft <round>: 4 pbft replicas from `local --failure-model byzantine`, then the bench.
run_pbft() {
  local r="$1"; shift
  local f="$out/pbft-$r.txt" data="$out/pbft-$r" started="$out/pbft-$r.local"
  echo "== round $r: pbft, 4 replica processes ==" >&2
  "$root/lockstep" local --failure-model byzantine --data-dir "$data" \
    --base-port "$pbft_port" >"$started" 2>&1 &
  local_pid=$!
  for _ in $(seq 180); do
    grep -q "Cluster ready" "$started" && break
    kill -0 "$local_pid" 2>/dev/null || { cat "$started" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "Cluster ready" "$started" || { echo "pbft cluster not ready" >&2; exit 1; }
  echo "load_before $(load)" >"$f"
  "$root/lockstep" bench --data-dir "$data" --client-id proxy "$@" >>"$f" 2>"$out/pbft-$r.err"
  echo "load_after $(load)" >>"$f"
  kill -TERM "$local_pid"; wait "$local_pid" 2>/dev/null || true; local_pid=""
}

# field <file> <label>: the number on the line starting with label ("throughput", "latency p99").
field() { awk -v l="$2" 'index($0, l) == 1 { gsub(",", "", $0); print $(NF-1); exit }' "$1"; }
loads() { awk '/^load_before/ { b = $2 } /^load_after/ { a = $2 } END { print b "-" a }' "$1"; }

for r in $(seq "$rounds"); do
  run_pbft "$r" "$@"
  run_raft "$r" "$@"
done

echo "workload: $(grep -m1 '^workload:' "$out/pbft-1.txt" | cut -d' ' -f2-)"
printf '\n%-6s %-5s %-9s %12s %9s %9s %9s %11s\n' round proto replicas "writes/s" "p50 ms" \
  "p99 ms" "p99.9 ms" "load avg"
for r in $(seq "$rounds"); do
  for p in pbft raft; do
    f="$out/$p-$r.txt"
    n=$([[ $p == pbft ]] && echo 4 || echo 3)
    printf '%-6s %-5s %-9s %12s %9s %9s %9s %11s\n' "$r" "$p" "$n" "$(field "$f" throughput)" \
      "$(field "$f" "latency p50")" "$(field "$f" "latency p99 ")" \
      "$(field "$f" "latency p99.9")" "$(loads "$f")"
  done
  a="$(field "$out/pbft-$r.txt" throughput)"; b="$(field "$out/raft-$r.txt" throughput)"
  awk -v a="$a" -v b="$b" -v r="$r" 'BEGIN { if (b > 0) printf "%-6s pbft/raft throughput %.2f (raft is %.2fx pbft)\n", r, a / b, b / a }'
done
