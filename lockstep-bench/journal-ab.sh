#!/usr/bin/env bash
# The event journal's cost end to end: the same 3-replica Raft cluster and write load with the
# journal on (the default) and off (LOCKSTEP_JOURNAL=off in the replicas' environment), in
# alternating runs (on, off, on, off, ...), one table with, per run:
#   - throughput and p99 of the load generator's window;
#   - the 1-minute load average before and after (the machine may be shared);
#   - the replicas' CPU per write (all replica processes over the whole run, warmup included),
#     and of that the journal writer threads' share: CPU moves less with other people's load
#     than throughput does;
#   - the log's fsyncs over the run (count and mean time, all replicas): whether the journal's
#     appended pages make the log's fsyncs slower (ext4 data=ordered commits other files' data
#     with a file's fsync);
#   - the journal's bytes on disk and events per write (journal on only).
#
#   lockstep-bench/journal-ab.sh                    # 3 pairs, 32 clients, 10 s warmup, 15 s window
#   ROUNDS=5 lockstep-bench/journal-ab.sh --clients 32 --duration 15s --warmup 10s
#   MODES="on shm off" lockstep-bench/journal-ab.sh   # shm: the journal on, its files in /dev/shm
#                                                     # (tmpfs): its CPU without its disk writes
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$(mktemp -d -t lockstep-journal-ab-XXXX)"
local_pid=""
cleanup() {
  if [[ -n "$local_pid" ]]; then kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; fi
  rm -rf "/dev/shm/lockstep-journal-ab-$$"
  if [[ -n "${KEEP:-}" ]]; then echo "kept: $out" >&2; else rm -rf "$out"; fi
}
trap cleanup EXIT

if [[ $# -eq 0 ]]; then
  set -- --clients 32 --duration 15s --warmup 10s --write 1.0 --value-size 100
fi
base_port="${BASE_PORT:-17300}"
rounds="${ROUNDS:-3}"
# LOCKSTEP=<a launcher> runs a frozen build instead (so editing sources meanwhile rebuilds nothing).
lockstep="${LOCKSTEP:-$root/lockstep}"
"$lockstep" --version >/dev/null # builds once, before anything is timed
cli="${LOCKSTEP_CLI_DIR:-$root/lockstep-cli/target}"

load() { cut -d' ' -f1 /proc/loadavg; }
# cpu_ticks <pid...>: user + system CPU of those processes so far, in clock ticks.
cpu_ticks() { local sum=0 p; for p in "$@"; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$sum"; }
# journal_ticks <pid...>: the same for their journal writer threads only.
journal_ticks() {
  local sum=0 p t
  for p in "$@"; do
    for t in /proc/"$p"/task/*; do
      if grep -q '^lockstep-journa' "$t/comm" 2>/dev/null; then
        sum=$((sum + $(awk '{ print $14 + $15 }' "$t/stat")))
      fi
    done
  done
  echo "$sum"
}
# fsyncs: "count seconds" of the log's fsyncs so far, summed over the replicas' metrics.
fsyncs() {
  local i
  for i in 1 2 3; do curl -s "http://127.0.0.1:$((base_port + 300 + i))/metrics" || true; done |
    awk '/^lockstep_fsync_seconds_count/ { c += $2 } /^lockstep_fsync_seconds_sum/ { s += $2 }
      END { printf "%d %.6f\n", c, s }'
}

# run <on|off> <round> <bench args...>: starts the cluster, benchmarks it, stops it.
run() {
  local mode="$1" r="$2"; shift 2
  local f="$out/$mode-$r.txt" data="$out/$mode-$r" started="$out/$mode-$r.local"
  echo "== round $r: journal $mode ==" >&2
  local env_mode="$mode"
  if [[ $mode == shm ]]; then
    # The journal on, in memory (tmpfs): its CPU without its disk writes.
    env_mode=on
    for i in 1 2 3; do
      mkdir -p "$data/$i" "/dev/shm/lockstep-journal-ab-$$/$r-$i"
      ln -s "/dev/shm/lockstep-journal-ab-$$/$r-$i" "$data/$i/journal"
    done
  fi
  LOCKSTEP_JOURNAL="$env_mode" "$lockstep" local --replicas 3 --data-dir "$data" \
    --base-port "$base_port" >"$started" 2>&1 &
  local_pid=$!
  for _ in $(seq 240); do
    grep -q "Cluster ready" "$started" && break
    kill -0 "$local_pid" 2>/dev/null || { cat "$started" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "Cluster ready" "$started" || { cat "$started" >&2; echo "not ready" >&2; exit 1; }
  local pids; pids=$(sed -n 's/.*replica [0-9]*: pid \([0-9]*\).*/\1/p' "$started")
  local cpu0 j0 fs0; cpu0=$(cpu_ticks $pids); j0=$(journal_ticks $pids); fs0=$(fsyncs)
  echo "load_before $(load)" >"$f"
  "$lockstep" bench --data-dir "$data" "$@" >>"$f" 2>"$out/$mode-$r.err"
  echo "load_after $(load)" >>"$f"
  echo "cpu_ticks $(( $(cpu_ticks $pids) - cpu0 ))" >>"$f"
  echo "journal_ticks $(( $(journal_ticks $pids) - j0 ))" >>"$f"
  echo "fsyncs $(fsyncs) $fs0" >>"$f"
  echo "all_ops $(grep -o 'ops [0-9,]*' "$out/$mode-$r.err" | tail -1 | tr -d ', ops')" >>"$f"
  kill -TERM "$local_pid"; wait "$local_pid" 2>/dev/null || true; local_pid=""
  echo "journal_bytes $(cat "$data"/*/journal/journal-* 2>/dev/null | wc -c)" >>"$f"
  if [[ $mode == shm ]]; then rm -rf "/dev/shm/lockstep-journal-ab-$$/$r-"*; fi
  if [[ $mode != off ]]; then
    java -cp "$cli/lockstep-cli-0.1.0-SNAPSHOT.jar:$cli/lib/*" "$here/JournalCount.java" "$data" >"$out/$mode-$r.kinds" 2>&1 || true
    echo "journal_events $(head -1 "$out/$mode-$r.kinds" | awk '{ print $1 }')" >>"$f"
  fi
}

field() { awk -v l="$2" 'index($0, l) == 1 { gsub(",", "", $0); print $(NF-1); exit }' "$1"; }
value() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
loads() { awk '/^load_before/ { b = $2 } /^load_after/ { a = $2 } END { print b "-" a }' "$1"; }
per_write_us() {
  awk -v hz="$(getconf CLK_TCK)" -v k="$2" '$1 == k { c = $2 } /^all_ops/ { o = $2 }
    END { if (o > 0) printf "%.1f", c / hz * 1e6 / o; else print "-" }' "$1"
}
fsync_text() {
  awk '/^fsyncs/ { n = $2 - $4; s = $3 - $5; if (n > 0) printf "%d x %.3f ms", n, s / n * 1e3; else print "-" }' "$1"
}
per_write() {
  awk -v k="$2" '$1 == k { c = $2 } /^all_ops/ { o = $2 }
    END { if (o > 0 && c != "") printf "%.1f", c / o; else print "-" }' "$1"
}

modes="${MODES:-on off}"
for r in $(seq "$rounds"); do
  for m in $modes; do run "$m" "$r" "$@"; done
done

echo "workload: $(grep -m1 '^workload:' "$out/on-1.txt" | cut -d' ' -f2-)"
echo "machine:  $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1)"
printf '\n%-5s %-7s %10s %8s %11s %9s %9s %18s %9s %9s\n' round journal "writes/s" "p99 ms" \
  "load avg" "cpu us/w" "jrnl us/w" "log fsyncs" "bytes/w" "events/w"
for r in $(seq "$rounds"); do
  for m in $modes; do
    f="$out/$m-$r.txt"
    printf '%-5s %-7s %10s %8s %11s %9s %9s %18s %9s %9s\n' "$r" "$m" \
      "$(field "$f" throughput)" "$(field "$f" "latency p99 ")" "$(loads "$f")" \
      "$(per_write_us "$f" cpu_ticks)" "$(per_write_us "$f" journal_ticks)" "$(fsync_text "$f")" \
      "$(per_write "$f" journal_bytes)" "$(per_write "$f" journal_events)"
  done
  a="$(field "$out/on-$r.txt" throughput)"; b="$(field "$out/off-$r.txt" throughput)"
  awk -v a="$a" -v b="$b" -v r="$r" 'BEGIN { if (a > 0 && b > 0) printf "%-5s on/off throughput %.3f\n", r, a / b }'
done
echo "(cpu us/w: CPU time of the replica processes over the whole bench run, warmup included,"
echo " per write of the run; jrnl us/w: of that, the journal writer threads; log fsyncs: over"
echo " the whole run, all replicas; bytes/w and events/w: the journals on disk per write)"
