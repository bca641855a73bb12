package io.lockstep.sim;

/**
 * A checker found a violation: the run stops and the seed fails with {@link #getMessage()}, a
 * one-line reason that starts with the checker's name.
 */
final class SimFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_REASON = 400;

  SimFailure(String reason) {
    super(oneLine(reason), null, false, false);
  }

  /**
   * The failure for an exception thrown inside replica {@code replica}: a broken internal
   * invariant ({@link IllegalStateException}, failing loudly) or any other crash of its code.
   */
  static SimFailure thrownBy(int replica, RuntimeException e) {
    if (e instanceof SimFailure failure) {
      return failure;
    }
    String kind = e instanceof IllegalStateException ? "invariant" : "exception";
    return new SimFailure(kind + ": replica " + replica + ": " + e);
  }

  private static String oneLine(String reason) {
    String line = String.valueOf(reason).replace('\n', ' ').replace('\r', ' ');
    return line.length() <= MAX_REASON ? line : line.substring(0, MAX_REASON) + "…";
  }
}
