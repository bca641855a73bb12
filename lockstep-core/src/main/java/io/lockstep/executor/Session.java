package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.TreeMap;

/**
 * What the executor remembers about one client (X4 exactly-once, O1 FIFO): the last sequence
 * number it executed, the replies of its latest requests, the position of the client's latest
 * request (for least-recently-used eviction) and the requests that arrived ahead of their turn.
 *
 * <p>Replies are kept for a window of recent sequence numbers, not only the last one: a client
 * that pipelines requests and retries them after a leader change must get each one's own reply,
 * not "duplicate" for all but the newest (Raft dissertation §6.3 keeps one reply per session
 * because its clients issue one request at a time).
 */
final class Session {
  final ClientId client;
  long lastSequence;
  long lastUsed;
  /** Replies of the latest executed requests by sequence number, the newest included. */
  final TreeMap<Long, Reply> replies = new TreeMap<>();
  /** Out-of-order requests by sequence number, waiting for their predecessors (O1). */
  final TreeMap<Long, Pending> buffered = new TreeMap<>();

  Session(ClientId client, long lastUsed) {
    this.client = client;
    this.lastUsed = lastUsed;
  }

  /** Records the reply of the client's next request, keeping the newest {@code keep} replies. */
  void executed(Reply reply, int keep) {
    lastSequence = reply.sequence();
    replies.put(reply.sequence(), reply);
    while (replies.size() > keep) {
      replies.pollFirstEntry();
    }
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
