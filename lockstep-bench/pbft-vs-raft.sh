#!/usr/bin/env bash
# Write throughput of the Byzantine protocol (pbft, 4 replica processes, t = 1) against the
# crash-tolerant one (raft, 3 replica processes, t = 1) on this machine, one after the other,
# with the same closed-loop load generator and workload; prints one table with the load average
# around each run and the replicas' CPU time per write (the machine may be shared: CPU per write
# moves less with other people's load than throughput does; compare within one table).
#
#   lockstep-bench/pbft-vs-raft.sh                      # 32 clients, 20 s warmup, 20 s window
#   lockstep-bench/pbft-vs-raft.sh --clients 32 --duration 20s --warmup 20s --write 1.0
#   ROUNDS=3 lockstep-bench/pbft-vs-raft.sh             # alternate pbft and raft three times
#   PBFT_LOCAL_ARGS="--protocol-setting max-batch=16" lockstep-bench/pbft-vs-raft.sh
#                                                       # extra `local` options for the pbft cluster
#   PBFT_BENCH_ARGS="--transmitter broadcast" lockstep-bench/pbft-vs-raft.sh
#                                                       # extra `bench` options for the pbft run
#
# Each cluster is started with `./lockstep local` on loopback (every replica its own process and
# data directory on this machine's disk), then driven by `./lockstep bench` (its own JVM) through
# the Java client: for raft the leader-following client, for pbft the voting client (each
# request handed to one replica that relays it, or with --transmitter broadcast sent to every one;
# t+1 identical replies decide a write), keyed as the cluster's `proxy` client. Raft fsyncs every group commit; pbft writes to disk what its build writes.
# For pbft the table also gives the views the run went through (the highest view any replica's
# journal shows it starting: view changes per run) and the journal's reasons for them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$(mktemp -d -t lockstep-pbft-vs-raft-XXXX)"
local_pid=""
cleanup() {
  if [[ -n "$local_pid" ]]; then kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; fi
  if [[ -n "${KEEP:-}" ]]; then echo "kept: $out" >&2; else rm -rf "$out"; fi
}
trap cleanup EXIT

if [[ $# -eq 0 ]]; then
  set -- --clients 32 --duration 20s --warmup 20s --write 1.0 --value-size 100
fi
base_port="${BASE_PORT:-17600}"
rounds="${ROUNDS:-1}"
"$root/lockstep" --version >/dev/null # builds once, before anything is timed

load() { cut -d' ' -f1 /proc/loadavg; }
# cpu_ticks <pid...>: user + system CPU of those processes so far, in clock ticks.
cpu_ticks() { local sum=0 p; for p in "$@"; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$sum"; }

# run <protocol> <round> <bench args...>: starts the cluster, benchmarks it, stops it.
run() {
  local proto="$1" r="$2"; shift 2
  local f="$out/$proto-$r.txt" data="$out/$proto-$r" started="$out/$proto-$r.local"
  local model=fail-stop replicas=3 client=() extra=()
  if [[ $proto == pbft ]]; then
    model=byzantine; replicas=4; client=(--client-id proxy)
    read -r -a extra <<<"${PBFT_LOCAL_ARGS:-}"
    local bench_extra=()
    read -r -a bench_extra <<<"${PBFT_BENCH_ARGS:-}"
    client+=("${bench_extra[@]}")
  fi
  echo "== round $r: $proto, $replicas replica processes ==" >&2
  : >"$started"
  "$root/lockstep" local --failure-model "$model" --replicas "$replicas" --data-dir "$data" \
    --base-port "$base_port" "${extra[@]}" >"$started" 2>&1 &
  local_pid=$!
  for _ in $(seq 240); do
    grep -q "Cluster ready" "$started" && break
    kill -0 "$local_pid" 2>/dev/null || { cat "$started" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "Cluster ready" "$started" || { cat "$started" >&2; echo "$proto: not ready" >&2; exit 1; }
  local pids; pids=$(sed -n 's/.*replica [0-9]*: pid \([0-9]*\).*/\1/p' "$started")
  local cpu_before; cpu_before=$(cpu_ticks $pids)
  echo "load_before $(load)" >"$f"
  "$root/lockstep" bench --data-dir "$data" "${client[@]}" "$@" >>"$f" 2>"$out/$proto-$r.err" &
  local bench=$! gen=0 ticks
  # The load generator shares the cores: its CPU, read until it exits (at most half a second of
  # its drain is missed), is reported next to the replicas'.
  while kill -0 "$bench" 2>/dev/null; do
    ticks=$(awk '{ print $14 + $15 }' "/proc/$bench/stat" 2>/dev/null || true)
    gen=${ticks:-$gen}
    sleep 0.5
  done
  wait "$bench"
  echo "gen_ticks $gen" >>"$f"
  echo "load_after $(load)" >>"$f"
  echo "cpu_ticks $(( $(cpu_ticks $pids) - cpu_before ))" >>"$f"
  # Every operation of the run (warmup, window, drain): the bench's last progress line.
  echo "all_ops $(grep -o 'ops [0-9,]*' "$out/$proto-$r.err" | tail -1 | tr -d ', ops')" >>"$f"
  kill -TERM "$local_pid"; wait "$local_pid" 2>/dev/null || true; local_pid=""
  if [[ $proto == pbft ]]; then
    local cli="$root/lockstep-cli/target"
    java -cp "$cli/lockstep-cli-0.1.0-SNAPSHOT.jar:$cli/lib/*" "$here/JournalCount.java" "$data" \
      >"$out/$proto-$r.kinds" 2>&1 || true
    echo "views $(sed -n 's/^highest-election-term //p' "$out/$proto-$r.kinds")" >>"$f"
  fi
}

# field <file> <label>: the number on the line starting with label ("throughput", "latency p99").
field() { awk -v l="$2" 'index($0, l) == 1 { gsub(",", "", $0); print $(NF-1); exit }' "$1"; }
loads() { awk '/^load_before/ { b = $2 } /^load_after/ { a = $2 } END { print b "-" a }' "$1"; }
# cpu_per_write <file> [label]: CPU µs per write of the replicas (cpu_ticks) or of the load
# generator (gen_ticks).
cpu_per_write() {
  awk -v hz="$(getconf CLK_TCK)" -v l="^${2:-cpu_ticks}" '$0 ~ l { c = $2 } /^all_ops/ { o = $2 }
    END { if (o > 0) printf "%.0f", c / hz * 1e6 / o; else print "-" }' "$1"
}

for r in $(seq "$rounds"); do
  run pbft "$r" "$@"
  run raft "$r" "$@"
done

echo "workload: $(grep -m1 '^workload:' "$out/pbft-1.txt" | cut -d' ' -f2-)"
echo "machine:  $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1)"
printf '\n%-6s %-5s %-9s %10s %8s %8s %9s %12s %12s %10s %6s\n' round proto replicas "writes/s" \
  "p50 ms" "p99 ms" "p99.9 ms" "load avg" "cpu us/write" "gen us/w" views
for r in $(seq "$rounds"); do
  for p in pbft raft; do
    f="$out/$p-$r.txt"
    n=$([[ $p == pbft ]] && echo 4 || echo 3)
    printf '%-6s %-5s %-9s %10s %8s %8s %9s %12s %12s %10s %6s\n' "$r" "$p" "$n" \
      "$(field "$f" throughput)" "$(field "$f" "latency p50")" "$(field "$f" "latency p99 ")" \
      "$(field "$f" "latency p99.9")" "$(loads "$f")" "$(cpu_per_write "$f")" \
      "$(cpu_per_write "$f" gen_ticks)" "$(sed -n 's/^views //p' "$f")"
  done
  a="$(field "$out/pbft-$r.txt" throughput)"; b="$(field "$out/raft-$r.txt" throughput)"
  awk -v a="$a" -v b="$b" -v r="$r" 'BEGIN { if (a > 0 && b > 0) printf "%-6s raft/pbft throughput %.2fx (target: at most 2x, and pbft at least 5000 writes/s)\n", r, b / a }'
done
for r in $(seq "$rounds"); do
  sed -n "s/^election-reason /round $r view changes started (all replicas): /p" "$out/pbft-$r.kinds"
done
echo "(cpu us/write: CPU time of all replica processes over the whole bench run, warmup included,"
echo " divided by every write of the run; gen us/w: the load generator's own CPU, JVM start and"
echo " warmup included, per write of the run. Both include the JIT compilers' threads, which on"
echo " 2 cores are still busy 20-40 s after start: lockstep-bench/pbft-profile.sh splits them out)"
