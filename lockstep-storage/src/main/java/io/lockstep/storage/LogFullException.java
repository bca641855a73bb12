package io.lockstep.storage;

/**
 * Back-pressure: the {@link GroupCommitLog}'s bounded queue stayed full for the whole submit
 * timeout, so the disk is slower than the offered load. Nothing was queued. A runtime stops
 * taking client requests until the queue drains, or stops the replica if this persists.
 */
public final class LogFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  LogFullException(String message) {
    super(message);
  }
}
