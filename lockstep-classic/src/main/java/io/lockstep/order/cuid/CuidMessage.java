package io.lockstep.order.cuid;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.request.Request;
import java.util.Arrays;
import java.util.Objects;

/**
 * Messages of the replica-generated-identifier scheme: {@link Carry}, a reliable broadcast relayed
 * unchanged, and, in the ABCAST variant only, {@link Candidate}, a candidate sent to the one
 * replica that chooses the uid.
 */
public sealed interface CuidMessage extends ProtocolMessage {
  /** What a broadcast carries. */
  enum Kind {
    /** Acknowledgements and liveness only. */
    NULL,
    /** A client request this replica disseminates (its id is (origin, seq)). */
    REQUEST,
    /** A read barrier: ordered like a request, runs nothing; its origin serves a read after it. */
    BARRIER,
    /** The origin's candidate uid for request (requestOrigin, requestSeq). */
    CANDIDATE,
    /**
     * ABCAST: the uid (counter, winner) the origin, the request's coordinator, chose for request
     * (requestOrigin, requestSeq) as the largest of the candidates it collected.
     */
    FINAL,
    /**
     * Rejoin (paper §7.2): the origin, as donor, admits replica {@code requestOrigin} back. Its
     * acknowledgement counts are the boundary: a request (o, s) with s above the count for o
     * needs the joiner's candidate, the others do not (see {@link CandidateJoin}).
     */
    ADMIT
  }

  /**
   * The {@code seq}-th broadcast of replica {@code origin}.
   *
   * @param acks how many broadcasts of each member (by index) the origin had received
   * @param suspects bit i set: the origin had detected member i failed
   * @param wallClock the origin's wall clock when it sent this (a request's agreed time)
   * @param requestOrigin for a candidate, the disseminating replica of the request; for an
   *     {@link Kind#ADMIT}, the joiner; else -1
   * @param requestSeq for a candidate, the request's seq at its origin; else 0
   * @param counter for a candidate, its counter (the uid is (counter, origin)); for a final
   *     uid, the uid's counter; else 0
   * @param request for {@link Kind#REQUEST}, the request; else null
   * @param winner for {@link Kind#FINAL}, the replica whose candidate became the uid (the uid
   *     is (counter, winner)); else -1
   */
  record Carry(int origin, long seq, long[] acks, long suspects, long wallClock, Kind kind,
      int requestOrigin, long requestSeq, long counter, Request request, int winner)
      implements CuidMessage, io.lockstep.order.stamped.FailureNotices.Report {
    /** A broadcast that names no winner (every kind but {@link Kind#FINAL}). */
    public Carry(int origin, long seq, long[] acks, long suspects, long wallClock, Kind kind,
        int requestOrigin, long requestSeq, long counter, Request request) {
      this(origin, seq, acks, suspects, wallClock, kind, requestOrigin, requestSeq, counter,
          request, -1);
    }

    public Carry {
      Objects.requireNonNull(acks, "acks");
      Objects.requireNonNull(kind, "kind");
      acks = acks.clone();
      if (seq < 1) {
        throw new IllegalArgumentException("seq must be at least 1, was " + seq);
      }
      if ((kind == Kind.REQUEST) != (request != null)) {
        throw new IllegalArgumentException("a " + kind + " broadcast "
            + (request == null ? "without" : "with") + " a request");
      }
      boolean namesUid = kind == Kind.CANDIDATE || kind == Kind.FINAL;
      if (namesUid && (requestSeq < 1 || counter < 1)) {
        throw new IllegalArgumentException("a " + kind + " needs a request seq and counter >= 1");
      }
      if (kind == Kind.ADMIT && requestOrigin < 0) {
        throw new IllegalArgumentException("an ADMIT needs the joiner in requestOrigin");
      }
      if ((kind == Kind.FINAL) != (winner != -1)) {
        throw new IllegalArgumentException("a " + kind + " broadcast "
            + (winner == -1 ? "without" : "with") + " a winner");
      }
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
      return o instanceof Carry c && origin == c.origin && seq == c.seq
          && Arrays.equals(acks, c.acks) && suspects == c.suspects && wallClock == c.wallClock
          && kind == c.kind && requestOrigin == c.requestOrigin && requestSeq == c.requestSeq
          && counter == c.counter && Objects.equals(request, c.request) && winner == c.winner;
    }

    @Override
    public int hashCode() {
      return Objects.hash(origin, seq, kind);
    }

    @Override
    public String toString() {
      return "Carry[" + origin + "#" + seq + " " + kind
          + (kind == Kind.CANDIDATE ? " " + requestOrigin + "#" + requestSeq + " c=" + counter : "")
          + (kind == Kind.FINAL ? " " + requestOrigin + "#" + requestSeq + " uid=(" + counter
              + "," + winner + ")" : "")
          + (kind == Kind.ADMIT ? " " + requestOrigin + " " + Arrays.toString(acks) : "")
          + (request == null ? "" : " " + request) + "]";
    }
  }

  /**
   * ABCAST: replica {@code origin}'s candidate for request (requestOrigin, requestSeq), sent to
   * the request's coordinator only, and resent until the request is accepted (a lost one is
   * never acknowledged otherwise).
   */
  record Candidate(int origin, int requestOrigin, long requestSeq, long counter)
      implements CuidMessage {
    public Candidate {
      if (requestSeq < 1 || counter < 1) {
        throw new IllegalArgumentException("a candidate needs a request seq and counter >= 1");
      }
    }
  }

  /** Rejoin: replica {@code joiner}, restarted with no order, asks the receiver for its state. */
  record JoinRequest(int joiner) implements CuidMessage {}

  /**
   * Rejoin: the donor's state for {@code joiner}, taken with the executor's snapshot at
   * {@code snapshotIndex} after the donor delivered the joiner's {@link Kind#ADMIT}.
   *
   * @param receivedThrough the donor's delivered count per member (by index)
   * @param failed bit i set: member i was declared failed at the donor
   * @param counterFloor the joiner's candidates start above this: the donor's SEEN and ACCEPT
   *     and every candidate it holds from the joiner's earlier life (uniqueness, UID2)
   * @param acceptMax the donor's ACCEPT
   * @param boundaries per admitted replica, the acknowledgement counts of its admission
   * @param latest each other member's latest broadcast the donor delivered
   * @param pending the requests the donor has not processed and their candidates, as the
   *     broadcasts that carried them (acknowledgements zero)
   */
  record JoinState(int joiner, long snapshotIndex, byte[] snapshot, long position, long time,
      long[] receivedThrough, long failed, long counterFloor, long acceptMax,
      java.util.Map<Integer, long[]> boundaries, java.util.List<Carry> latest,
      java.util.List<Carry> pending) implements CuidMessage {
    public JoinState {
      Objects.requireNonNull(snapshot, "snapshot");
      receivedThrough = receivedThrough.clone();
      boundaries = java.util.Map.copyOf(boundaries);
      latest = java.util.List.copyOf(latest);
      pending = java.util.List.copyOf(pending);
    }

    @Override
    public String toString() {
      return "JoinState[joiner " + joiner + " at " + snapshotIndex + ", position " + position
          + ", " + pending.size() + " pending broadcasts]";
    }
  }
}
