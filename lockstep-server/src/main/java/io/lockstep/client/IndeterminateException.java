package io.lockstep.client;

/**
 * The outcome of a write is unknown: it may or may not have been applied, and may still be
 * (never reported as a plain failure, since it may still commit). Read the state to find out;
 * retrying with a new request may apply the write twice.
 */
public final class IndeterminateException extends LockstepException {
  private static final long serialVersionUID = 1L;

  /** @param detail what was last heard */
  public IndeterminateException(String detail) {
    super("outcome unknown: the write may or may not have been applied (" + detail + ")");
  }
}
