#!/usr/bin/env bash
# Write latency while replicas snapshot a large state: starts a local 3-replica Raft kv cluster,
# preloads a state of --preload-mb MiB, then runs --clients closed-loop writers for --seconds
# with a snapshot every --interval positions, and prints p50/p99/p99.9/max of the writes that
# overlapped a snapshot (on any replica, from each replica.log's event=snapshot_stored lines)
# and of those that did not, the file system's fsync latency during and outside snapshots (a
# probe writing 4 KiB and calling fdatasync every 10 ms in the data directory), each replica's
# GC pauses (from its -Xlog:gc file) in the window and during its snapshots, with the load
# average before and after. Documented in
# docs/BENCHMARKS.md ("Write latency during snapshots of a large state").
#
# Usage: lockstep-bench/snapshot-p99.sh [--preload-mb 128] [--seconds 60] [--clients 32]
#        [--interval 20000] [--heap 1g] [--base-port 17500] [--keep]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preload_mb=128 seconds=60 clients=32 interval=20000 heap=1g base=17500 keep=no
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preload-mb) preload_mb="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --base-port) base="$2"; shift 2 ;;
    --keep) keep=yes; shift ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

"$root/lockstep" --version >/dev/null # builds the CLI and its lib/ if sources changed
cli="$root/lockstep-cli/target"
cp="$cli/lockstep-cli-0.1.0-SNAPSHOT.jar:$cli/lib/*"
dir="$(mktemp -d /tmp/lockstep-snapshot-p99.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ "$keep" == no ]]; then rm -rf "$dir"; else echo "data and logs kept in $dir"; fi
}
trap cleanup EXIT

{
  echo "cluster.name=snapshot-p99"
  echo "cluster.failure-model=fail-stop"
  echo "cluster.t=1"
  echo "cluster.protocol=raft"
  echo "cluster.service=kv"
  echo "cluster.data-dir=."
  echo "cluster.secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
  echo "snapshot.interval=$interval"
  echo "redis.max-memory=$(( (preload_mb + 256) * 1048576 ))"
  for i in 1 2 3; do
    echo "replica.$i.redis=127.0.0.1:$((base + i))"
    echo "replica.$i.peer=127.0.0.1:$((base + 100 + i))"
    echo "replica.$i.client=127.0.0.1:$((base + 200 + i))"
    echo "replica.$i.metrics=127.0.0.1:$((base + 300 + i))"
  done
} > "$dir/cluster.properties"

for i in 1 2 3; do
  java -Xms64m "-Xmx$heap" -XX:+UseSerialGC \
    "-Xlog:gc:file=$dir/gc-$i.log:time,uptime" \
    -cp "$cp" io.lockstep.server.ReplicaMain \
    --config "$dir/cluster.properties" --id "$i" > "$dir/console-$i.log" 2>&1 &
  pids+=($!)
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo "3 replicas, -Xmx$heap each, snapshot every $interval positions, preload $preload_mb MiB," \
  "$clients clients writing 100-byte values for $seconds s"
java -cp "$cp" "$root/lockstep-bench/scripts/SnapshotP99.java" "$dir/cluster.properties" "$dir" \
  "$preload_mb" 16384 "$seconds" "$clients" 100 100000
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -l OutOfMemoryError "$dir"/console-*.log "$dir"/*/replica.log 2>/dev/null; then
  echo "a replica ran out of memory (files above)"
  exit 1
fi
