package io.lockstep.client;

/**
 * The replicated state machine (or its executor) refused the request; it changed nothing
 * (paper §5.2 defensive programming). A determinate outcome: retrying gets the same answer.
 */
public final class RejectedException extends LockstepException {
  private static final long serialVersionUID = 1L;
  private final String reason;

  /** @param reason the refusal, as the state machine worded it */
  public RejectedException(String reason) {
    super("rejected: " + reason);
    this.reason = reason;
  }

  /** The state machine's reason. */
  public String reason() {
    return reason;
  }
}
