package io.lockstep.server.archfixture;

import io.lockstep.order.raft.RaftMessage;

/** Runtime code that casts to a protocol's message type, as the loop once did. */
public final class RaftAwareServerCode {
  private RaftAwareServerCode() {}

  /** The forbidden dependency. */
  public static long term(Object message) {
    return ((RaftMessage.TimeoutNow) message).term();
  }
}
