#!/usr/bin/env bash
# Write latency and throughput of the paper's own ordering schemes (lockstep-classic) against
# Raft on this machine, with the same closed-loop load generator and workload, each scheme in
# turn within a round (so schemes alternate when ROUNDS > 1); prints one table with the load
# average around each run and the replicas' CPU time per write.
#
#   lockstep-bench/classic-vs-raft.sh                    # 32 clients, 10 s warmup, 20 s window
#   ROUNDS=3 lockstep-bench/classic-vs-raft.sh           # three alternating rounds
#   SCHEMES="raft real-time real-time-I" lockstep-bench/classic-vs-raft.sh --clients 8
#   SCHEMES="byz-uid-broadcast byz-uid-one-replica" lockstep-bench/classic-vs-raft.sh --clients 8
#
# Every cluster tolerates t = 1 failure: raft with 3 replica processes (2t+1, fsync on every
# group commit), the classic schemes with 2 (t+1, fail-stop; they keep their order in memory).
# Schemes: raft; logical-clock; real-time (test I or II, whichever passes first: "combined");
# real-time-I (test I alone: a request waits until the clock passes uid + Δ); replica-uid (every
# replica broadcasts its candidate); abcast (replica-uid.variant=abcast). `lockstep local`
# writes Δ = 1100 ms for real-time on one machine (its timing bounds are widened for GC and
# scheduling pauses of a shared machine), so test I trails by at least 1.1 s a write.
# Not in the default list: byz-uid-broadcast and byz-uid-one-replica, Byzantine replica-uid
# (3 replicas, 2t+1, rounds of 1100 ms as `lockstep local` writes them) with the bench client
# (as the local cluster's client "proxy", whose key `local` makes) either sending every request
# to every replica or signing it and handing it to one replica (paper §3.1's two transmitter
# modes; `lockstep bench --transmitter`).
# The load generator (`./lockstep bench`, its own JVM) uses the Java client, which sends every
# request to one replica (the leader for raft; replica 1 for the classic schemes, where every
# replica orders what it is handed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$(mktemp -d -t lockstep-classic-vs-raft-XXXX)"
local_pid=""
cleanup() {
  if [[ -n "$local_pid" ]]; then kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; fi
  if [[ -n "${KEEP:-}" ]]; then echo "kept: $out" >&2; else rm -rf "$out"; fi
}
trap cleanup EXIT

if [[ $# -eq 0 ]]; then
  set -- --clients 32 --duration 20s --warmup 10s --write 1.0 --value-size 100
fi
base_port="${BASE_PORT:-17700}"
rounds="${ROUNDS:-1}"
schemes="${SCHEMES:-raft logical-clock real-time real-time-I replica-uid abcast}"
"$root/lockstep" --version >/dev/null # builds once, before anything is timed

load() { cut -d' ' -f1 /proc/loadavg; }
cpu_ticks() { local sum=0 p; for p in "$@"; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$sum"; }

# local_args <scheme>: the `lockstep local` options that start it.
local_args() {
  case "$1" in
    raft) echo "--replicas 3" ;;
    logical-clock) echo "--protocol logical-clock --replicas 2" ;;
    real-time) echo "--protocol real-time --replicas 2" ;;
    real-time-I) echo "--protocol real-time --replicas 2 --protocol-setting test=I" ;;
    replica-uid) echo "--protocol replica-uid --replicas 2" ;;
    abcast) echo "--protocol replica-uid --replicas 2 --protocol-setting variant=abcast" ;;
    byz-uid-*) echo "--failure-model byzantine --protocol replica-uid --replicas 3" ;;
    *) echo "unknown scheme $1" >&2; exit 2 ;;
  esac
}

# bench_args <scheme>: what the load generator needs besides the common arguments.
bench_args() {
  case "$1" in
    byz-uid-broadcast) echo "--client-id proxy --transmitter broadcast" ;;
    byz-uid-one-replica) echo "--client-id proxy --transmitter one-replica" ;;
    *) echo "" ;;
  esac
}

# run <scheme> <round> <bench args...>: starts the cluster, benchmarks it, stops it.
run() {
  local scheme="$1" r="$2"; shift 2
  local f="$out/$scheme-$r.txt" data="$out/$scheme-$r" started="$out/$scheme-$r.local"
  echo "== round $r: $scheme ($(local_args "$scheme")) ==" >&2
  # shellcheck disable=SC2046
  # --wait 180: on a loaded machine the probes see delays above the classic schemes' 1 s bound
  # for a while after start, and /health stays 503 until they pass.
  "$root/lockstep" local $(local_args "$scheme") --data-dir "$data" --base-port "$base_port" \
    --wait 180 >"$started" 2>&1 &
  local_pid=$!
  for _ in $(seq 400); do
    grep -q "Cluster ready" "$started" && break
    kill -0 "$local_pid" 2>/dev/null || break
    sleep 0.5
  done
  if ! grep -q "Cluster ready" "$started"; then
    # A scheme whose timing assumptions broke on this machine is reported, not fatal.
    cat "$started" >&2; echo "$scheme: not ready" >&2
    echo "not_ready" >"$f"
    kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; local_pid=""
    return
  fi
  local pids; pids=$(sed -n 's/.*replica [0-9]*: pid \([0-9]*\).*/\1/p' "$started")
  local cpu_before; cpu_before=$(cpu_ticks $pids)
  echo "load_before $(load)" >"$f"
  # shellcheck disable=SC2046
  "$root/lockstep" bench --data-dir "$data" $(bench_args "$scheme") "$@" >>"$f" \
    2>"$out/$scheme-$r.err"
  echo "load_after $(load)" >>"$f"
  echo "cpu_ticks $(( $(cpu_ticks $pids) - cpu_before ))" >>"$f"
  echo "all_ops $(grep -o 'ops [0-9,]*' "$out/$scheme-$r.err" | tail -1 | tr -d ', ops')" >>"$f"
  # Timing assumptions reported broken during the run (delay, skew, or a misordering report):
  # a classic scheme's figures with any are suspect, since its failure detection rests on them.
  echo "breaches $(cat "$data"/*/replica.log 2>/dev/null | grep -c 'event=assumption_violated' || true)" >>"$f"
  kill -TERM "$local_pid"; wait "$local_pid" 2>/dev/null || true; local_pid=""
}

field() { awk -v l="$2" 'index($0, l) == 1 { gsub(",", "", $0); print $(NF-1); exit }' "$1"; }
loads() { awk '/^load_before/ { b = $2 } /^load_after/ { a = $2 } END { print b "-" a }' "$1"; }
cpu_per_write() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu_ticks/ { c = $2 } /^all_ops/ { o = $2 }
    END { if (o > 0) printf "%.0f", c / hz * 1e6 / o; else print "-" }' "$1"
}

for r in $(seq "$rounds"); do
  for s in $schemes; do
    run "$s" "$r" "$@"
  done
done

echo "workload: $(grep -h -m1 '^workload:' "$out"/*-1.txt | head -1 | cut -d' ' -f2-)"
echo "machine:  $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1)"
printf '\n%-6s %-14s %10s %8s %8s %9s %12s %12s %9s\n' round scheme "writes/s" "p50 ms" \
  "p99 ms" "p99.9 ms" "load avg" "cpu us/write" breaches
for r in $(seq "$rounds"); do
  for s in $schemes; do
    f="$out/$s-$r.txt"
    if grep -q '^not_ready' "$f"; then
      printf '%-6s %-14s not ready (timing assumptions broken at start; see above)\n' "$r" "$s"
      continue
    fi
    printf '%-6s %-14s %10s %8s %8s %9s %12s %12s %9s\n' "$r" "$s" \
      "$(field "$f" throughput)" "$(field "$f" "latency p50")" "$(field "$f" "latency p99 ")" \
      "$(field "$f" "latency p99.9")" "$(loads "$f")" "$(cpu_per_write "$f")" \
      "$(awk '/^breaches/ { print $2 }' "$f")"
  done
  if [[ -f "$out/real-time-$r.txt" && -f "$out/real-time-I-$r.txt" ]]; then
    awk -v c="$(field "$out/real-time-$r.txt" "latency p50")" \
      -v i="$(field "$out/real-time-I-$r.txt" "latency p50")" -v r="$r" \
      'BEGIN { if (c > 0) printf "%-6s real-time: test I p50 %.1f ms, combined %.1f ms: combined wins by %.1f ms (%.0fx)\n", r, i, c, i - c, i / c }'
  fi
  if [[ -f "$out/byz-uid-broadcast-$r.txt" && -f "$out/byz-uid-one-replica-$r.txt" ]]; then
    awk -v b="$(field "$out/byz-uid-broadcast-$r.txt" throughput)" \
      -v o="$(field "$out/byz-uid-one-replica-$r.txt" throughput)" -v r="$r" \
      'BEGIN { if (b > 0) printf "%-6s byzantine replica-uid: one-replica %.1f writes/s, broadcast %.1f (%.2fx)\n", r, o, b, o / b }'
  fi
done
echo "(cpu us/write: CPU time of all replica processes over the whole bench run, warmup included,"
echo " divided by every write of the run; the load generator's own CPU is not in it;"
echo " breaches: assumption_violated lines in the replicas' logs, start included)"
