package io.lockstep.client;

/** A read got no answer before its deadline (no leader reachable); nothing changed. */
public final class UnavailableException extends LockstepException {
  private static final long serialVersionUID = 1L;

  /** @param detail what was last heard */
  public UnavailableException(String detail) {
    super("no replica answered in time (" + detail + ")");
  }
}
