package io.lockstep.storage;

/**
 * The {@link GroupCommitLog} no longer accepts writes: it was closed, or stable storage failed
 * (the cause) and the replica must stop rather than acknowledge what may not be durable.
 */
public final class LogStoppedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  LogStoppedException(String message, Throwable cause) {
    super(message, cause);
  }
}
