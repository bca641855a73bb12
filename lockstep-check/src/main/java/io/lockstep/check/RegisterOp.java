package io.lockstep.check;

/**
 * One operation on one key's register, paired from its invocation and completion: what the
 * linearizability search orders.
 *
 * <p>Times are ordered by ({@code time}, index in the history): events with equal times keep the
 * order in which they were recorded, which is real-time order for a simulator and for any recorder
 * that appends under a lock. An indeterminate operation ({@code info}, or never completed) has no
 * return: it may take effect at any point after its invocation, or never (its return is at
 * +infinity).
 *
 * @param id dense index of this operation among its key's operations (its bit in the search)
 * @param process the issuing process
 * @param kind what the operation does to the register
 * @param value new value (write, cas) or value read (read); null = absent
 * @param expected the value a cas compares with (null = absent)
 * @param callTime invocation time
 * @param callIndex index of the invocation in the history
 * @param returnTime completion time; {@link Long#MAX_VALUE} if indeterminate
 * @param returnIndex index of the completion in the history; {@link Integer#MAX_VALUE} if
 *     indeterminate
 */
record RegisterOp(
    int id, int process, Kind kind, String value, String expected, long callTime, int callIndex,
    long returnTime, int returnIndex) {

  /** The register model's operations. */
  enum Kind {
    READ, WRITE, CAS, DELETE;

    static Kind of(String f) {
      return switch (f) {
        case "read" -> READ;
        case "write" -> WRITE;
        case "cas" -> CAS;
        case "delete" -> DELETE;
        default -> throw new IllegalStateException("Op admitted unknown f " + f);
      };
    }
  }

  /** True when the completion is known (ok); false for info or never completed. */
  boolean determinate() {
    return returnIndex != Integer.MAX_VALUE;
  }

  /** The value the register holds after this operation if it takes effect (writes only). */
  String written() {
    return kind == Kind.DELETE ? null : value;
  }

  /** This operation with another dense id. */
  RegisterOp withId(int newId) {
    return new RegisterOp(
        newId, process, kind, value, expected, callTime, callIndex, returnTime, returnIndex);
  }

  /** A short human description, e.g. {@code p3 read -> "v7" [120..340]}. */
  String describe() {
    String what = switch (kind) {
      case READ -> "read -> " + quote(value);
      case WRITE -> "write " + quote(value);
      case CAS -> "cas " + quote(expected) + "->" + quote(value);
      case DELETE -> "delete";
    };
    String end = determinate() ? Long.toString(returnTime) : "info";
    return "p" + process + " " + what + " [" + callTime + ".." + end + "]";
  }

  /** A value as a short JSON-like literal; long values are cut so explanations stay one line. */
  static String quote(String v) {
    if (v == null) {
      return "absent";
    }
    StringBuilder out = new StringBuilder();
    JsonLines.appendString(out, v.length() > 40 ? v.substring(0, 37) + "..." : v);
    return out.toString();
  }
}
