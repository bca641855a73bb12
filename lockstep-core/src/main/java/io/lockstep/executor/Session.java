package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.TreeMap;

/**
 * What the executor remembers about one client (X4 exactly-once, O1 FIFO): the last sequence
 * number it executed with that request's reply, the position of the client's latest request
 * (for least-recently-used eviction) and the requests that arrived ahead of their turn.
 */
final class Session {
  final ClientId client;
  long lastSequence;
  Reply lastReply;
  long lastUsed;
  /** Out-of-order requests by sequence number, waiting for their predecessors (O1). */
  final TreeMap<Long, Pending> buffered = new TreeMap<>();

  Session(ClientId client, long lastSequence, Reply lastReply, long lastUsed) {
    this.client = client;
    this.lastSequence = lastSequence;
    this.lastReply = lastReply;
    this.lastUsed = lastUsed;
  }

  /**
   * A request held back until its predecessors run.
   *
   * @param position the position it was ordered at (its uid)
   * @param command the command to run
   * @param refusal when non-null, the request's outcome was already decided as a refusal (a
   *     replicated client's copies could not be merged); it will not run
   */
  record Pending(long position, byte[] command, String refusal) {}
}
