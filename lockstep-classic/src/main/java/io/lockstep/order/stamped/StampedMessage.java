package io.lockstep.order.stamped;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.request.Request;
import java.util.Arrays;
import java.util.Objects;

/** Messages of the stamped-order schemes: a single kind, relayed unchanged by receivers. */
public sealed interface StampedMessage extends ProtocolMessage {
  /** What a broadcast carries. */
  enum Kind {
    /** A null request (paper §3.2.1): clock and acknowledgements only, never processed. */
    NULL,
    /** A client request, processed in uid order. */
    REQUEST,
    /**
     * A read barrier: ordered like a request but runs nothing; its issuer serves a linearizable
     * read once everything before it was applied.
     */
    BARRIER
  }

  /**
   * The {@code seq}-th broadcast of replica {@code origin}, stamped with uid
   * ({@code uidTime}, origin).
   *
   * @param origin the replica that issued it
   * @param seq its number among the origin's broadcasts, from 1 (FIFO order)
   * @param uidTime the time component of its uid
   * @param wallClock the origin's wall clock when it issued it: the request's agreed time is the
   *     largest such reading along the order, so it never decreases
   * @param acks how many broadcasts of each member (by index in the member list) the origin had
   *     received when it issued this one: acknowledgements for retransmission, and the proof
   *     that a request reached every replica before any replica processes it
   * @param suspects bit i set: the origin had detected member i failed
   * @param kind null, request or read barrier
   * @param request the request for {@link Kind#REQUEST}, else null
   */
  record Broadcast(int origin, long seq, long uidTime, long wallClock, long[] acks,
      long suspects, Kind kind, Request request)
      implements StampedMessage, FailureNotices.Report {
    public Broadcast {
      Objects.requireNonNull(acks, "acks");
      Objects.requireNonNull(kind, "kind");
      acks = acks.clone();
      if (seq < 1 || uidTime < 1) {
        throw new IllegalArgumentException("seq and uid time must be at least 1, were " + seq
            + " and " + uidTime);
      }
      if ((kind == Kind.REQUEST) != (request != null)) {
        throw new IllegalArgumentException("a " + kind + " broadcast "
            + (request == null ? "without" : "with") + " a request");
      }
    }

    /** Its uid. */
    public Uid uid() {
      return new Uid(uidTime, origin);
    }

    @Override
    public long[] acks() {
      return acks.clone();
    }

    /** The origin's acknowledgement of member {@code index}'s broadcasts. */
    @Override
    public long ack(int index) {
      return acks[index];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Broadcast b && origin == b.origin && seq == b.seq
          && uidTime == b.uidTime && wallClock == b.wallClock && Arrays.equals(acks, b.acks)
          && suspects == b.suspects && kind == b.kind && Objects.equals(request, b.request);
    }

    @Override
    public int hashCode() {
      return Objects.hash(origin, seq, uidTime);
    }

    @Override
    public String toString() {
      return "Broadcast[" + origin + "#" + seq + " uid=" + uid() + " " + kind
          + (request == null ? "" : " " + request) + "]";
    }
  }
}
