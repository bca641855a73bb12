package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.ArrayList;
import java.util.List;
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
  /** Out-of-order requests by sequence number, waiting for their predecessors (O1). */
  final TreeMap<Long, Pending> buffered = new TreeMap<>();
  /**
   * Replies of the latest executed requests, a ring of consecutive sequence numbers ending at
   * {@link #lastSequence} (requests execute in sequence order, each once, so the window has no
   * holes and a lookup is arithmetic). It grows by doubling up to the window size.
   */
  private Reply[] ring = new Reply[1];
  private int head;
  private int count;

  Session(ClientId client, long lastUsed) {
    this.client = client;
    this.lastUsed = lastUsed;
  }

  /** Records the reply of the client's next request, keeping the newest {@code keep} replies. */
  void executed(Reply reply, int keep) {
    if (count > 0 && reply.sequence() != lastSequence + 1) {
      throw new IllegalStateException("session " + client + " executed #" + reply.sequence()
          + " after #" + lastSequence);
    }
    lastSequence = reply.sequence();
    while (count > 0 && count >= keep) {
      ring[head] = null;
      head = (head + 1) % ring.length;
      count--;
    }
    if (count == ring.length) {
      grow(Math.min(Math.max(keep, 1), ring.length * 2));
    }
    ring[(head + count) % ring.length] = reply;
    count++;
  }

  /** The cached reply of request {@code sequence}, or null if it is outside the window. */
  Reply reply(long sequence) {
    long first = lastSequence - count + 1;
    if (count == 0 || sequence < first || sequence > lastSequence) {
      return null;
    }
    return ring[(int) ((head + (sequence - first)) % ring.length)];
  }

  /** The cached replies, oldest first; the last is the reply of {@link #lastSequence}. */
  List<Reply> replies() {
    List<Reply> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(ring[(head + i) % ring.length]);
    }
    return out;
  }

  private void grow(int capacity) {
    Reply[] bigger = new Reply[Math.max(capacity, count + 1)];
    for (int i = 0; i < count; i++) {
      bigger[i] = ring[(head + i) % ring.length];
    }
    ring = bigger;
    head = 0;
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
