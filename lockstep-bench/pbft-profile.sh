#!/usr/bin/env bash
# Where a pbft cluster's time goes under write load: starts `./lockstep local --failure-model
# byzantine` (4 replica processes), runs `./lockstep bench` against it (voting Java client), and
# over the measured window records (1) every replica thread's CPU time, grouped by thread name,
# per write, split into user and kernel (system) time, and (2) a JFR profile of the primary
# (replica 1), one backup (replica 2) and the load generator, whose hottest frames it prints.
# The profile must not disturb what it measures: starting JFR, or attaching jcmd, in the middle of
# a run makes the JVM throw away and recompile thousands of methods, so the compilers then take
# most of the window. Here every JVM starts its flight recording at launch (through
# LOCKSTEP_REPLICA_JAVA_OPTS and LOCKSTEP_JAVA_OPTS), thread CPU is read from /proc without an
# attach, and only after the window are the replicas' recordings dumped (jcmd JFR.dump begin/end;
# the load generator dumps its own on exit), keeping the events whose start lies in the window.
# It prints how many methods each JVM compiled and deoptimised in the window (jdk.CompilerStatistics
# and jdk.Deoptimization) so a reader sees whether the JIT was quiet. JFR only samples threads
# running Java code, so on a machine shared with other work it may catch few samples; the
# per-thread CPU figures do not depend on it.
# It also prints the signatures each replica checked in the window by message kind (from the
# replicas' /metrics: Ed25519 run, or a verdict remembered from an earlier copy) and the views
# the run went through, since a view change is what signs messages beyond checkpoint votes.
# Extra JVM options for the replicas go in LOCKSTEP_REPLICA_JAVA_OPTS (docs/OPERATIONS.md), extra
# `local` options (e.g. "--protocol-setting max-batch=32") in PBFT_LOCAL_ARGS.
# A warm-up shorter than ~150 s measures a JVM still compiling (docs/BENCHMARKS.md).
#
#   lockstep-bench/pbft-profile.sh                       # 32 clients, 150 s warmup, 20 s window
#   KEEP=1 lockstep-bench/pbft-profile.sh --clients 32 --duration 20s --warmup 150s
#   SAMPLE_MS=1 KEEP=1 lockstep-bench/pbft-profile.sh   # a stack sample every millisecond
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$(mktemp -d -t lockstep-pbft-profile-XXXX)"
local_pid=""
cleanup() {
  if [[ -n "$local_pid" ]]; then kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; fi
  if [[ -n "${KEEP:-}" ]]; then echo "kept: $out" >&2; else rm -rf "$out"; fi
}
trap cleanup EXIT
warmup=150; window=20
if [[ $# -eq 0 ]]; then
  set -- --clients 32 --duration "${window}s" --warmup "${warmup}s" --write 1.0 --value-size 100
else
  warmup=$(echo "$*" | sed -n 's/.*--warmup \([0-9]*\)s.*/\1/p'); window=$(echo "$*" | sed -n 's/.*--duration \([0-9]*\)s.*/\1/p')
fi
"$root/lockstep" --version >/dev/null
# Every JVM records from its start (in memory and its own disk repository; no file until dumped),
# so nothing is instrumented mid-run. Its start-up message would land in the bench's report.
# SAMPLE_MS=1 samples Java stacks every millisecond instead of the profile settings' 10 ms (ten
# times the samples for the per-frame split; the recording costs a little more CPU).
settings=profile
if [[ -n "${SAMPLE_MS:-}" ]]; then
  jdk="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  settings="$out/sample.jfc"
  sed "/\"jdk.ExecutionSample\"/,/<\/event>/ s|<setting name=\"period\"[^>]*>[^<]*</setting>|<setting name=\"period\">${SAMPLE_MS} ms</setting>|" \
    "$jdk/lib/jfr/profile.jfc" >"$settings"
fi
jfr_opts="-Xlog:jfr+startup=off -XX:StartFlightRecording=settings=$settings,name=lockstep"
export LOCKSTEP_REPLICA_JAVA_OPTS="${LOCKSTEP_REPLICA_JAVA_OPTS:-} $jfr_opts"

read -r -a extra <<<"${PBFT_LOCAL_ARGS:-}"
"$root/lockstep" local --failure-model byzantine --data-dir "$out/data" "${extra[@]}" \
  --base-port "${BASE_PORT:-17800}" >"$out/local.out" 2>&1 &
local_pid=$!
for _ in $(seq 240); do grep -q "Cluster ready" "$out/local.out" && break; sleep 0.5; done
grep -q "Cluster ready" "$out/local.out" || { cat "$out/local.out" >&2; exit 1; }
mapfile -t pids < <(sed -n 's/.*replica [0-9]*: pid \([0-9]*\).*/\1/p' "$out/local.out")
metrics_port=$(sed -n 's|.*Metrics: curl http://[^:]*:\([0-9]*\)/metrics.*|\1|p' "$out/local.out")

# claims <label>: every replica's signature-claim counters ("replica kind ed25519 count").
claims() {
  local i
  for i in "${!pids[@]}"; do
    curl -s --max-time 5 "http://127.0.0.1:$((metrics_port + i))/metrics" 2>/dev/null |
      sed -n 's/^lockstep_signature_claims_total{ed25519="\([a-z]*\)",kind="\([A-Za-z]*\)".*} \([0-9.E]*\)$/\2 \1 \3/p' |
      awk -v r="$((i + 1))" '{ print r, $1, $2, $3 + 0 }'
  done >"$out/claims.$1"
}

# threads <label>: "replica thread-group user-ticks system-ticks" for every thread of every
# replica, and of the load generator (replica "bench": it shares the cores, so its CPU is part of
# the picture).
# A thread's name in /proc is cut at 15 characters and its digits become N, so C1 and C2
# compiler threads form one group (CN_CompilerThre), as do the pools' numbered threads.
threads() {
  local i=0 p
  for p in "${pids[@]}" "$bench_pid"; do
    i=$((i + 1)); [[ $p == "$bench_pid" ]] && i=bench
    for t in /proc/"$p"/task/*; do
      awk -v r="$i" '{ n = $0; sub(/^[0-9]+ \(/, "", n); sub(/\) .*/, "", n); gsub(/[0-9]+/, "N", n); gsub(/ /, "_", n);
        sub(/^.*\) /, ""); split($0, f, " "); print r, n, f[12], f[13] }' "$t/stat" 2>/dev/null || true
    done
  done | sort >"$out/threads.$1"
  # The whole machine's busy ticks (user, nice, system, irq, softirq) and idle ones, to say which
  # share of the cores the cluster and the load generator took, and what others took.
  awk '/^cpu / { print "machine busy", $2 + $3 + $4 + $7 + $8, 0; print "machine idle", $5 + $6, 0 }' \
    /proc/stat >>"$out/threads.$1"
}

LOCKSTEP_JAVA_OPTS="${LOCKSTEP_JAVA_OPTS:-} $jfr_opts,dumponexit=true,filename=$out/bench.jfr" \
  "$root/lockstep" bench --data-dir "$out/data" --client-id proxy "$@" >"$out/bench.txt" \
  2>"$out/bench.err" &
bench_pid=$!
sleep "$warmup"
threads before
claims before
echo "load_before $(cut -d' ' -f1 /proc/loadavg)" >"$out/load"
begin_utc=$(date -u +%FT%TZ); begin_local=$(date +%T)
ops_before=$(grep -o 'ops [0-9,]*' "$out/bench.err" | tail -1 | tr -d ', ops')
# The load generator's window ends about when the JFR recordings do and it exits soon after:
# read every thread a second before, while it is still running, and count writes over the same
# interval (its progress lines come every second).
sleep "$((window - 1))"
threads after
claims after
ops_after=$(grep -o 'ops [0-9,]*' "$out/bench.err" | tail -1 | tr -d ', ops')
echo "load_after $(cut -d' ' -f1 /proc/loadavg)" >>"$out/load"
end_utc=$(date -u +%FT%TZ); end_local=$(date +%T)
echo "$begin_local $end_local" >"$out/window"
# The window is over: attaching now disturbs nothing measured.
for n in "${!pids[@]}"; do
  jcmd "${pids[$n]}" JFR.dump name=lockstep begin="$begin_utc" end="$end_utc" \
    filename="$out/r$((n + 1)).jfr" >/dev/null || true
done
wait "$bench_pid"
sleep 2

head -9 "$out/bench.txt"
cat "$out/load"
writes=$((ops_after - ops_before))
echo "writes in the profiled window: $writes"
echo
if [[ $writes -le 0 ]]; then
  echo "no write completed in the window: see $out (KEEP=1 keeps it)"
else
  echo "CPU per write by replica and thread group (us, and the kernel's share of it; replica 1 is"
  echo "the primary, bench is the load generator):"
  # Threads of one group (the verification pool's, the compiler's) are summed.
  awk -v w="$writes" -v hz="$(getconf CLK_TCK)" '
    FNR == NR { bu[$1 " " $2] += $3; bs[$1 " " $2] += $4; next } { au[$1 " " $2] += $3; as[$1 " " $2] += $4 }
    END { for (k in au) { d = au[k] + as[k] - bu[k] - bs[k]; if (d > 0 && k !~ /^machine/) { split(k, p, " ");
      printf "  replica %-5s %-22s %8.1f  sys %3.0f%%\n", p[1], p[2], d / hz * 1e6 / w, (as[k] - bs[k]) * 100 / d } } }' \
    "$out/threads.before" "$out/threads.after" | sort -k4 -rn | awk 'NR <= 32'
  echo
  echo "Totals per write (us), the kernel's share, and share of the machine's $(nproc) cores over the window:"
  awk -v w="$writes" -v hz="$(getconf CLK_TCK)" -v win="$((window - 1))" '
    FNR == NR { bu[$1 " " $2] += $3; bs[$1 " " $2] += $4; next } { au[$1 " " $2] += $3; as[$1 " " $2] += $4 }
    END { for (k in au) { d = (au[k] + as[k] - bu[k] - bs[k]) / hz; sy = (as[k] - bs[k]) / hz; split(k, p, " ");
        if (p[1] == "machine") { m[p[2]] = d; continue }
        g = p[1] == "bench" ? "load generator" : "replicas"; if (p[2] ~ /Compiler/) g = g " (JIT)";
        else g = g " (all but JIT)"; t[g] += d; ts[g] += sy
        if (p[1] != "bench") { all += d; alls += sy } else gen += d }
      for (g in t) printf "  %-30s %8.1f us/write  sys %3.0f%% %6.2f cores\n", g, t[g] * 1e6 / w, ts[g] * 100 / t[g], t[g] / win
      printf "  %-30s %8.1f us/write  sys %3.0f%% %6.2f cores\n", "replicas, all threads", all * 1e6 / w, alls * 100 / all, all / win
      printf "  %-30s %22s %6.2f cores\n", "machine busy (everyone)", "", m["busy"] / win
      printf "  %-30s %22s %6.2f cores\n", "others (busy - ours)", "", (m["busy"] - all - gen) / win }' \
    "$out/threads.before" "$out/threads.after" | sort
fi
if [[ $writes -gt 0 ]]; then
  echo
  echo "Signatures checked off the loop in the window, per 1,000 writes (by the kind of message"
  echo "carrying them; run: Ed25519 verified, remembered: same bytes verified before):"
  awk -v w="$writes" 'FNR == NR { b[$1 " " $2 " " $3] = $4; next } { d = $4 - b[$1 " " $2 " " $3];
    if (d > 0) printf "  replica %-3s %-16s %-11s %8.2f  (%d)\n", $1, $2, $3, d * 1000 / w, d }' \
    "$out/claims.before" "$out/claims.after" | sort
fi
kill -TERM "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; local_pid=""
cli="$root/lockstep-cli/target"
java -cp "$cli/lockstep-cli-0.1.0-SNAPSHOT.jar:$cli/lib/*" "$here/JournalCount.java" "$out/data" \
  >"$out/kinds" 2>&1 || true
echo "views (highest any replica's journal shows): $(sed -n 's/^highest-election-term //p' "$out/kinds")"
sed -n 's/^election-reason /view changes started (all replicas): /p' "$out/kinds"
# in_window <file> <events>: the events of one kind whose start lies in the window, printed whole
# (64 frames: jfr prints five by default, and "on the stack" should count callers too). A dump
# holds whole chunks, so it may reach outside the window. Times are local HH:MM:SS, so a window
# across midnight keeps nothing.
in_window() {
  { jfr print --stack-depth 64 --events "$2" "$1" 2>/dev/null || true; } |
    awk -v b="$begin_local" -v e="$end_local" '/^[a-zA-Z.]+ \{$/ { ev = $0; keep = 0; next }
      ev != "" && /^  startTime = / { t = substr($3, 1, 8); keep = t >= b && t < e; if (keep) print ev }
      ev != "" && keep { print } /^}$/ { ev = "" }'
}
echo
echo "JIT in the window (methods compiled / deoptimisations; a quiet JIT shows tens, not thousands):"
for n in 1 2 3 4 bench; do
  f="$out/r$n.jfr"; [[ $n == bench ]] && f="$out/bench.jfr"
  [[ -f "$f" ]] || continue
  compiled=$(in_window "$f" jdk.CompilerStatistics | awk '/compileCount/ { c[++k] = $3 } END { print (k > 1 ? c[k] - c[1] : "?") }')
  echo "  replica $n: $compiled compiled, $(in_window "$f" jdk.Deoptimization | grep -c '^jdk.Deoptimization') deoptimised"
done
for n in 1 2 bench; do
  f="$out/r$n.jfr"; [[ $n == bench ]] && f="$out/bench.jfr"
  [[ -f "$f" ]] || continue
  in_window "$f" jdk.ExecutionSample >"$out/r$n.txt"
  echo
  echo "replica $n: $(grep -c 'jdk.ExecutionSample' "$out/r$n.txt") JFR samples in the window, by thread group:"
  awk -F'"' '/sampledThread = / { n = $2; gsub(/[0-9]+/, "N", n); c[n]++ } END { for (n in c) print c[n], n }' \
    "$out/r$n.txt" | sort -rn | awk 'NR <= 8'
  echo "replica $n: hottest frames (self):"
  awk '/stackTrace = \[/ { getline; sub(/line:.*/, ""); print }' "$out/r$n.txt" | sort | uniq -c |
    sort -rn | awk 'NR <= 15'
  echo "replica $n: lockstep frames on the stack of the most samples:"
  awk '/jdk.ExecutionSample/ { delete seen } /io\.lockstep\./ { f = $0; sub(/line:.*/, "", f);
    sub(/^[ \t]+/, "", f); if (!(f in seen)) { seen[f] = 1; c[f]++ } }
    END { for (f in c) print c[f], f }' "$out/r$n.txt" | sort -rn | awk 'NR <= 15'
done
