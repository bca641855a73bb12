package io.lockstep.machine;

/**
 * Thrown by a command to refuse a request (paper §5.2, defensive programming).
 *
 * <p>A command must throw this <em>before</em> it changes any state variable: the executor turns
 * it into a rejected reply carrying {@link #getMessage()} and assumes the state is unchanged.
 * Because commands are deterministic, every replica rejects the same request the same way.
 */
public final class Rejection extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param reason a message for the client, saying what was wrong with the request */
  public Rejection(String reason) {
    super(reason, null, false, false);
  }
}
