package io.lockstep.client;

/** Base of the outcomes a {@link LockstepClient} reports as exceptions. */
public class LockstepException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what happened, for a human */
  public LockstepException(String message) {
    super(message);
  }
}
