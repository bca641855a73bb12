#!/usr/bin/env bash
# Builds the Ratis peer benchmark and runs it with the given arguments, e.g.
#   lockstep-bench-ratis/run.sh --clients 32 --duration 20s --write 1.0 --value-size 100
# Pass --help for every option. Needs Maven (Apache Ratis 3.3.0 comes from Maven Central).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
(cd "$root" && mvn -q -B -Pratis -pl lockstep-bench,lockstep-bench-ratis -am package -DskipTests) >&2
exec java ${JAVA_OPTS:-} -cp "$here/target/classes:$here/target/lib/*" \
  io.lockstep.bench.ratis.RatisBench "$@"
