package io.lockstep.replica;

import java.util.Arrays;
import java.util.Objects;

/**
 * The answer to one linearizable read (paper §3 relaxation for read-only requests, served after
 * the executor applied the position the coordination protocol granted).
 *
 * @param readId the id the runtime gave the read
 * @param ok true when the query ran
 * @param value its output when ok, empty otherwise
 * @param reason why it was refused when not ok, empty otherwise
 */
public record QueryResult(long readId, boolean ok, byte[] value, String reason) {
  public QueryResult {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(reason, "reason");
  }

  static QueryResult ok(long readId, byte[] value) {
    return new QueryResult(readId, true, value, "");
  }

  static QueryResult refused(long readId, String reason) {
    return new QueryResult(readId, false, new byte[0], reason);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QueryResult r && readId == r.readId && ok == r.ok
        && Arrays.equals(value, r.value) && reason.equals(r.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(readId, ok, Arrays.hashCode(value), reason);
  }

  @Override
  public String toString() {
    return "QueryResult[" + readId + (ok ? " ok " + value.length + "B" : " refused: " + reason)
        + "]";
  }
}
