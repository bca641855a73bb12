package io.lockstep.order;

import io.lockstep.request.Request;
import java.util.List;
import java.util.Objects;

/**
 * The effects of one or more steps of a {@link Coordination}, for the runtime to carry out in
 * this order: (1) make {@code writes} durable; (2) send {@code messages}; (3) if
 * {@code install} is set, restore the executor from it; (4) apply {@code stable} in order;
 * (5) answer {@code reads} once the executor has applied their position; (6) answer
 * {@code redirects}; (7) read the {@code entryReads} back from stable storage, after this
 * Ready's writes, and step each answer as an {@link Input.EntriesRead}.
 */
public record Ready(
    List<StorageWrite> writes,
    List<Outbound> messages,
    Snapshot install,
    List<Ordered> stable,
    List<ReadGrant> reads,
    List<Redirect> redirects,
    List<EntriesWanted> entryReads) {

  /** No effects. */
  public static final Ready EMPTY = new Ready(List.of(), List.of(), null, List.of(), List.of(), List.of());

  public Ready {
    writes = List.copyOf(writes);
    messages = List.copyOf(messages);
    stable = List.copyOf(stable);
    reads = List.copyOf(reads);
    redirects = List.copyOf(redirects);
    entryReads = List.copyOf(entryReads);
  }

  /** Effects without reads of log entries (a protocol that keeps its whole log in memory). */
  public Ready(List<StorageWrite> writes, List<Outbound> messages, Snapshot install,
      List<Ordered> stable, List<ReadGrant> reads, List<Redirect> redirects) {
    this(writes, messages, install, stable, reads, redirects, List.of());
  }

  /** True when there is nothing to do. */
  public boolean isEmpty() {
    return writes.isEmpty() && messages.isEmpty() && install == null && stable.isEmpty()
        && reads.isEmpty() && redirects.isEmpty() && entryReads.isEmpty();
  }

  /**
   * The protocol asks for stored log entries it no longer holds in memory: the consecutive
   * entries from {@code from}, at most to {@code to}, within about {@code maxBytes} (at least
   * one). The runtime reads them off the protocol's thread (the protocol does no I/O) and steps
   * the answer, entries or failure, as an {@link Input.EntriesRead} with the same
   * {@code readId}; it must see every write handed out before the request.
   */
  public record EntriesWanted(long readId, long from, long to, long maxBytes) {
    public EntriesWanted {
      if (from < 1 || to < from || maxBytes < 1) {
        throw new IllegalArgumentException("read of entries " + from + " to " + to + " within "
            + maxBytes + " bytes");
      }
    }
  }

  /** A message to another replica. */
  public record Outbound(int to, ProtocolMessage message) {
    public Outbound {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A linearizable read may be served once the executor has applied {@code position} (ReadIndex).
   */
  public record ReadGrant(long readId, long position) {}

  /**
   * A request or read this replica will not handle now: the client should retry at
   * {@code leaderHint} (-1 when unknown). Exactly one of {@code request} and {@code readId}
   * applies: {@code request} is null for a read. With {@code busy} the replica is the right one
   * but refuses for lack of room (a budget is full): nothing was ordered, and the client should
   * retry the same request after a pause, which is safe (X4).
   */
  public record Redirect(Request request, long readId, int leaderHint, String reason,
      boolean busy) {
    public Redirect {
      Objects.requireNonNull(reason, "reason");
    }

    /** A redirect to another replica (not busy). */
    public Redirect(Request request, long readId, int leaderHint, String reason) {
      this(request, readId, leaderHint, reason, false);
    }
  }
}
