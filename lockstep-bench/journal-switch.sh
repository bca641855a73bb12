#!/usr/bin/env bash
# The event journal's cost in ONE run: one 3-replica Raft cluster started with
# LOCKSTEP_JOURNAL=switchable, 32 closed-loop writers (100-byte values) for the whole run, and
# the journal paused and resumed every window (A B B A ...: on off off on on off ...) by each
# replica's <data>/<id>/journal/paused file. Adjacent windows share the disk's fsync drift, which
# moves separate runs by far more than 5 % (journal-ab.sh), so the per-pair on/off ratios and
# their 95 % interval resolve what separate runs cannot. Prints, per window: writes/s, p50, p99,
# errors, the replicas' CPU per write, the journal threads' CPU and bytes per write, the log's
# mean fsync time and the load average; then per setting and per pair the means with intervals.
# Documented in docs/BENCHMARKS.md ("The journal's cost in one run").
#
# --shm puts each replica's journal directory on /dev/shm (tmpfs): the journal's CPU without its
# disk writes, so a run with and one without it split the journal's cost between CPU and disk.
#
# Usage: lockstep-bench/journal-switch.sh [--clients 32] [--warmup 20] [--windows 24]
#        [--window 5] [--settle 1] [--base-port 17700] [--shm] [--keep]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clients=32 warmup=20 windows=24 window=5 settle=1 base=17700 keep=no shm=no
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --windows) windows="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --base-port) base="$2"; shift 2 ;;
    --shm) shm=yes; shift ;;
    --keep) keep=yes; shift ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

lockstep="${LOCKSTEP:-$root/lockstep}" # LOCKSTEP=<a launcher>: a frozen build
"$lockstep" --version >/dev/null # builds the CLI and its lib/ if sources changed
cli="${LOCKSTEP_CLI_DIR:-$root/lockstep-cli/target}"
cp="$cli/lockstep-cli-0.1.0-SNAPSHOT.jar:$cli/lib/*"
data="$(mktemp -d /tmp/lockstep-journal-switch.XXXXXX)"
local_pid=""
cleanup() {
  if [[ -n "$local_pid" ]]; then kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; fi
  rm -rf "/dev/shm/lockstep-journal-switch-$$"
  if [[ "$keep" == no ]]; then rm -rf "$data"; else echo "data and logs kept in $data"; fi
}
trap cleanup EXIT

if [[ "$shm" == yes ]]; then
  for i in 1 2 3; do
    mkdir -p "$data/$i" "/dev/shm/lockstep-journal-switch-$$/$i"
    ln -s "/dev/shm/lockstep-journal-switch-$$/$i" "$data/$i/journal"
  done
fi

LOCKSTEP_JOURNAL=switchable "$lockstep" local --replicas 3 --data-dir "$data" \
  --base-port "$base" >"$data/local.out" 2>&1 &
local_pid=$!
for _ in $(seq 240); do
  grep -q "Cluster ready" "$data/local.out" && break
  kill -0 "$local_pid" 2>/dev/null || { cat "$data/local.out" >&2; exit 1; }
  sleep 0.5
done
grep -q "Cluster ready" "$data/local.out" || { cat "$data/local.out" >&2; echo "not ready" >&2; exit 1; }
pids=$(sed -n 's/.*replica [0-9]*: pid \([0-9]*\).*/\1/p' "$data/local.out" | paste -sd,)
ports="$((base + 301)),$((base + 302)),$((base + 303))"
for i in 1 2 3; do
  grep -q 'event=journal_switchable' "$data/$i/replica.log" ||
    { echo "replica $i did not start a switchable journal (see $data/$i/replica.log)" >&2; exit 1; }
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores, $(uname -r))"
echo "journal directories: $([[ "$shm" == yes ]] && echo "on /dev/shm (tmpfs)" || echo "in $data (its file system)")"
echo "$clients clients writing 100-byte values; $warmup s warmup, then $windows windows of" \
  "$window s (each after $settle s settling), journal on in windows 0, 3, 4, 7, 8, ..."
java -cp "$cp" "$root/lockstep-bench/scripts/JournalSwitch.java" "$data/cluster.properties" \
  "$data" "$clients" "$warmup" "$windows" "$window" "$settle" 100 "$pids" "$ports"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
paused=$(cat "$data"/*/replica.log | grep -c 'event=journal_paused' || true)
resumed=$(cat "$data"/*/replica.log | grep -c 'event=journal_resumed' || true)
echo "the replicas logged $paused pauses and $resumed resumes (3 per switch expected)"
